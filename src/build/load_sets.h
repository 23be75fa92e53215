#ifndef NPSBUNDLE_BUILD_LOAD_SETS_H_
#define NPSBUNDLE_BUILD_LOAD_SETS_H_

#include <string>
#include <vector>

#include "build/manifest.h"

namespace npsbundle {

// A set of build files the browser fetches together, in the order Vite's
// HTML asks for them: scripts first (the chunk itself, then its static
// imports depth-first, each once), then stylesheets in the same walk order.
struct LoadSet {
  std::vector<std::string> js;   // build paths; the chunk itself first unless already loaded
  std::vector<std::string> css;  // build paths

  std::vector<std::string> All() const;  // js then css
  bool Contains(const std::string& build_path) const;
};

// What a first visit to entry `entry_key` downloads: the entry chunk, the
// transitive closure of its `imports` (modulepreload) and the `css` of every
// chunk in that closure. Cycles are fine. `entry_key` must exist.
LoadSet InitialSet(const Manifest& manifest, const std::string& entry_key);

// What navigating to dynamic entry `key` adds on top of `loaded`: the chunk,
// its `imports` closure and their css, minus any file already in `loaded`.
LoadSet RouteCost(const Manifest& manifest, const std::string& key, const LoadSet& loaded);

// Every manifest key reachable from `key` through `imports` (including
// `key`), depth-first order.
std::vector<std::string> StaticClosure(const Manifest& manifest, const std::string& key);

// One walk of `key`'s closure, for callers that need both what navigating
// there costs and where the user can go next.
struct Reach {
  LoadSet cost;  // RouteCost(manifest, key, loaded)
  // The records of the closure in walk order (`key`'s first); their
  // dynamic_imports are where the user can go next. Pointers into `manifest`.
  std::vector<const ManifestChunk*> closure;
};
Reach ReachOf(const Manifest& manifest, const std::string& key, const LoadSet& loaded);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUILD_LOAD_SETS_H_
