#ifndef NPSBUNDLE_BUDGET_WHY_H_
#define NPSBUNDLE_BUDGET_WHY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "budget/analysis.h"
#include "build/manifest.h"

namespace npsbundle {

// `npsbundle why PACKAGE`: why a package is in the build. Where it sits
// (which chunks hold it, with how many bytes and which modules), which load
// sets pull those chunks in (an entry's initial load, a lazy page's route
// cost, a lazy library), and how: the manifest's import chain from each
// entry to each such chunk. Computed once here, rendered by report/.

// One step of an import chain: a manifest key and how the previous step
// reaches it.
struct WhyStep {
  std::string key;    // manifest key: "index.html", "_vendor-D1.js", "src/pages/Oracle.tsx"
  std::string file;   // its build path
  bool dynamic = false;  // reached by a dynamic import() (false: a static import, or the entry itself)
};

// A chunk that holds the package.
struct WhyChunk {
  std::string file;  // build path
  uint64_t raw = 0;  // bytes of the package in it: exact from a source map; 0 when only the manifest tells
  std::vector<std::string> modules;  // the package's modules in it, largest first (source maps only)
  // The load sets it is in, by label: "initial index.html", "page Oracle",
  // "library shiki". Empty: the chunk is loaded by nothing the manifest names.
  std::vector<std::string> sets;
  // The shortest chain from each entry that reaches it (entries in key
  // order); from the entry to this chunk's manifest record.
  std::vector<std::vector<WhyStep>> chains;
};

struct WhyResult {
  std::string package;
  bool from_source_maps = false;  // false: the chunks were found from manifest `src` paths only
  std::vector<WhyChunk> chunks;   // largest raw first, then by file
  uint64_t raw = 0;               // sum over chunks
  // JS chunks without a source map, when some were attributed: the package
  // may be in them too.
  std::vector<std::string> unmapped_files;
};

// Explains `package` ("react-dom", "@tanstack/query-core") in `report`,
// whose attribution comes from source maps when the build has them; without
// any, the chunks whose manifest `src` lies in the package's node_modules
// folder or whose chunk name is the package's ("react", "vendor-react": a
// manualChunks name). Returns a result with no chunks when none is found.
// `manifest` may be null (a build without one): then no chains and no sets
// beyond the report's groups.
WhyResult ExplainPackage(const CheckReport& report, const Manifest* manifest, const std::string& package);

// The packages `report` knows of (source maps, else manifest `src` paths),
// sorted, each once.
std::vector<std::string> KnownPackages(const CheckReport& report, const Manifest* manifest);

// Up to `limit` names of `known` close to `name`, smallest edit distance
// first: those within a third of its length (at least 2) and those that
// contain it or that it contains. For "did you mean" lines.
std::vector<std::string> NearNames(const std::vector<std::string>& known, const std::string& name, size_t limit = 3);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_WHY_H_
