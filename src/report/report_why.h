#ifndef NPSBUNDLE_REPORT_REPORT_WHY_H_
#define NPSBUNDLE_REPORT_REPORT_WHY_H_

#include <string>

#include "budget/why.h"

namespace npsbundle {

// Renderers of `npsbundle why` (budget/why.h computes the result).

// For people, one screen: the package's bytes, then per chunk (largest
// first, at most kWhyChunksShown) its load sets, up to three modules and
// the import chain from each entry ("→" a static import, "⇢" a dynamic
// import()). Without source maps it says that maps are needed for modules
// and exact bytes.
std::string RenderWhyText(const WhyResult& result, const std::string& input);

// Everything, for scripts: {"package", "input", "fromSourceMaps", "raw",
// "chunks": [{"file", "raw", "modules", "sets", "chains": [[{"key",
// "file", "dynamic"}]]}], "unmappedFiles"}.
std::string RenderWhyJson(const WhyResult& result, const std::string& input);

inline constexpr size_t kWhyChunksShown = 8;

}  // namespace npsbundle

#endif  // NPSBUNDLE_REPORT_REPORT_WHY_H_
