#ifndef NPSBUNDLE_BUILD_ATTRIBUTION_H_
#define NPSBUNDLE_BUILD_ATTRIBUTION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bundle_source.h"
#include "build/sourcemap.h"

namespace npsbundle {

// Where an original source of a source map comes from.
enum class OriginKind {
  kPackage,    // an npm package: ".../node_modules/<pkg>/..." or "@scope/pkg"
  kApp,        // the project's own files
  kGenerated,  // bundler-made modules ("\0rolldown/runtime.js", "vite/preload-helper")
};

struct SourceOrigin {
  OriginKind kind = OriginKind::kApp;
  // Package name ("react-dom", "@tanstack/query-core") or app folder
  // ("src/pages"); "(generated)" for bundler modules.
  std::string group;
  // Where the package is installed, up to and including its folder:
  // "node_modules/react-is" or "node_modules/hoist-non-react-statics/node_modules/react-is".
  // Two different install paths of one package are two copies of it. Empty
  // for app and generated sources.
  std::string install_path;
  std::string module;  // the source path, normalised ("src/pages/Oracle.tsx")
  // Packages only: the folder that holds the outermost node_modules, i.e. the
  // project root as the map sees it ("" or "app" or "home/me/web").
  std::string project_root;
};

// Classifies a source path as written in a map. Leading "../", "./",
// "/@fs/", "webpack://" style scheme prefixes and pnpm's
// "node_modules/.pnpm/<pkg>@<ver>/node_modules/" store paths are handled;
// nested node_modules resolve to the innermost package.
SourceOrigin ClassifySource(std::string_view source);

// Bytes of one original module in a chunk. Raw bytes are exact; compressed
// figures are estimates (see AttributeChunk).
struct ModuleShare {
  std::string module;
  uint64_t raw = 0;
};

// One package or app folder within a chunk.
struct GroupShare {
  OriginKind kind = OriginKind::kApp;
  std::string name;          // SourceOrigin::group, or "(unmapped)"
  std::string install_path;  // packages only
  uint64_t raw = 0;          // exact: bytes of the chunk attributed to it
  uint64_t gzip = 0;         // estimate: chunk gzip bytes * raw / chunk raw
  uint64_t brotli = 0;       // estimate, likewise
  std::vector<ModuleShare> modules;  // largest first
};

// The attribution of one JS or CSS file of the build.
struct ChunkAttribution {
  std::string file;      // build path of the chunk
  std::string map_file;  // build path of its map, or "(inline)"
  uint64_t raw = 0;      // == sum of groups' raw; includes unmapped
  uint64_t unmapped = 0;
  std::vector<GroupShare> groups;  // largest first; unmapped bytes as a group named "(unmapped)"
  // The shortest SourceOrigin::project_root of its package sources; empty
  // when it has none. AttributeBuild uses it to show app paths from the root.
  std::string project_root;
};

inline constexpr std::string_view kUnmappedGroup = "(unmapped)";

// The sentence reports print next to estimated compressed figures.
inline constexpr std::string_view kEstimateMethod =
    "raw bytes per package are exact (from source maps); gzip and brotli bytes per package are estimates: "
    "the chunk's compressed size split in proportion to raw bytes";

// Attributes `code` with `map` and rolls sources up into groups. `gzip` and
// `brotli` are the chunk's measured compressed sizes; each group receives
// its proportional share, so groups sum to the chunk's size up to rounding.
ChunkAttribution AttributeChunk(const std::string& file, const std::string& map_file, std::string_view code,
                                const SourceMap& map, uint64_t gzip, uint64_t brotli,
                                const std::string& display_path);

// Finds the source map of build file `path`: the sibling "path.map" (which
// also covers Vite's 'hidden' maps), else the file named by a trailing
// `//# sourceMappingURL=` or `/*# sourceMappingURL=... */` comment, relative
// to the file. Returns the map's build path, "(inline)" with the JSON in
// *inline_json for data: URLs, or nullopt when there is none.
std::optional<std::string> FindSourceMap(const BundleSource& source, const std::string& path,
                                         std::string_view code, std::string* inline_json);

// A chunk to attribute, with its measured compressed sizes.
struct MeasuredSize {
  std::string path;
  uint64_t gzip = 0, brotli = 0;
};
// Attributes every chunk of `chunks` that has a source map, in the given
// order; chunks without one are left out. App folders and modules are then
// shown relative to the project root (where node_modules is), the same in
// every chunk: "src/pages", not "../../app/src/pages". Throws InputError for a malformed
// map, naming the map file.
std::vector<ChunkAttribution> AttributeBuild(const BundleSource& source, const std::vector<MeasuredSize>& chunks);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUILD_ATTRIBUTION_H_
