#ifndef NPSBUNDLE_BUILD_MANIFEST_H_
#define NPSBUNDLE_BUILD_MANIFEST_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace npsbundle {

// One record of Vite's build manifest (`.vite/manifest.json`, Vite >= 5;
// `manifest.json` before). Keys are source paths for entries and dynamic
// entries ("src/pages/Oracle.tsx", "index.html", "src/x.tsx?tsr-split=c"),
// "_name-HASH.js" for shared chunks and "_name-HASH.css" for CSS-only keys.
// `file`, `css` and `assets` are build paths; `imports` and `dynamic_imports`
// hold manifest keys, all of which exist in the manifest (checked on parse).
struct ManifestChunk {
  std::string key;
  std::string file;
  std::string src;   // empty for shared chunks
  std::string name;  // chunk name ("vendor-react", "Oracle"); may be empty
  bool is_entry = false;
  bool is_dynamic_entry = false;
  std::vector<std::string> imports;
  std::vector<std::string> dynamic_imports;
  std::vector<std::string> css;
  std::vector<std::string> assets;
};

struct Manifest {
  std::string path;  // the manifest's own build path, e.g. ".vite/manifest.json"
  // By key. std::less<> lets Find look up a string_view without building a
  // string: analysis calls it tens of thousands of times on a large build.
  std::map<std::string, ManifestChunk, std::less<>> chunks;

  const ManifestChunk* Find(std::string_view key) const;
  // Keys of `is_entry` records, in key order.
  std::vector<std::string> EntryKeys() const;
  // Keys of `is_dynamic_entry` records, in key order.
  std::vector<std::string> DynamicEntryKeys() const;
  // The record whose `file` is `build_path`, or nullptr.
  const ManifestChunk* FindByFile(std::string_view build_path) const;
};

// Parses manifest JSON. `display_path` prefixes every error. Throws InputError
// with the JSON location of the first problem, e.g.
//   dist/.vite/manifest.json: "_x.js".imports[2]: unknown key "_y.js"
//   dist/.vite/manifest.json: "index.html".file: expected a string
// Unknown fields are ignored (Vite adds new ones now and then).
Manifest ParseManifest(std::string_view json, const std::string& display_path);

// Build paths where Vite writes the manifest, in the order they are tried.
inline constexpr std::string_view kManifestPaths[] = {".vite/manifest.json", "manifest.json"};

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUILD_MANIFEST_H_
