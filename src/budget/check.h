#ifndef NPSBUNDLE_BUDGET_CHECK_H_
#define NPSBUNDLE_BUDGET_CHECK_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "budget/analysis.h"
#include "core/bundle_source.h"
#include "budget/budget.h"
#include "build/manifest.h"

namespace npsbundle {

// Finds and parses the build's manifest: `override_path` (a file on disk)
// when given, else Vite's manifest inside the build, else the entry read
// from index.html (LoadBuildManifest; its warning goes to `warnings` when
// given). Returns nullopt when the build has neither. Throws InputError when
// a manifest is malformed or names a file the build lacks.
std::optional<Manifest> FindAndValidateManifest(const BundleSource& source, const std::string& override_path,
                                                std::vector<std::string>* warnings = nullptr);

// Throws InputError when the manifest names a file (`file`, `css`, `assets`)
// that the build does not hold.
void ValidateManifestFiles(const Manifest& manifest, const BundleSource& source,
                           const std::string& manifest_display_path);

struct CheckInput {
  std::string path;           // build folder or archive
  std::string manifest_path;  // --manifest; empty: look inside the build
  Budget budget;
  unsigned threads = 0;
  bool zstd = false;  // measure zstd even when no limit uses it (--zstd)
  // Folder of the size cache; empty: no cache.
  std::string cache_directory;
  // Progress of the measuring (see MeasureOptions::progress); optional.
  std::function<void(size_t done, size_t total)> progress;
};

// The whole check: open, parse, measure, analyse. Throws InputError.
CheckReport RunCheck(const CheckInput& input);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_CHECK_H_
