#include "build/load_sets.h"

#include <algorithm>
#include <string_view>
#include <unordered_set>

namespace npsbundle {

std::vector<std::string> LoadSet::All() const {
  std::vector<std::string> all = js;
  all.insert(all.end(), css.begin(), css.end());
  return all;
}

bool LoadSet::Contains(const std::string& build_path) const {
  return std::find(js.begin(), js.end(), build_path) != js.end() ||
         std::find(css.begin(), css.end(), build_path) != css.end();
}

namespace {

// The records reachable from `key` through `imports`, depth-first, each once.
// Pointers, not keys: a large build asks for hundreds of closures, and
// string sets and copies were most of their cost.
std::vector<const ManifestChunk*> ClosureChunks(const Manifest& manifest, std::string_view key) {
  std::vector<const ManifestChunk*> order;
  std::unordered_set<const ManifestChunk*> visited;
  // Iterative depth-first walk: a pathological manifest cannot exhaust the stack.
  std::vector<std::pair<const ManifestChunk*, size_t>> stack;
  auto visit = [&](std::string_view k) {
    const ManifestChunk* chunk = manifest.Find(k);
    if (!chunk || !visited.insert(chunk).second) return;
    order.push_back(chunk);
    stack.emplace_back(chunk, 0);
  };
  visit(key);
  while (!stack.empty()) {
    auto& [chunk, next] = stack.back();
    if (next == chunk->imports.size()) {
      stack.pop_back();
      continue;
    }
    visit(chunk->imports[next++]);
  }
  return order;
}

LoadSet CostOf(const std::vector<const ManifestChunk*>& closure, const LoadSet& loaded) {
  LoadSet set;
  std::unordered_set<std::string_view> seen(loaded.js.begin(), loaded.js.end());
  seen.insert(loaded.css.begin(), loaded.css.end());
  auto add = [&](std::vector<std::string>* list, const std::string& file) {
    if (seen.insert(file).second) list->push_back(file);
  };
  for (const ManifestChunk* chunk : closure) {
    // CSS-only records ("_StatCard-HASH.css") name a stylesheet as their file.
    bool is_css = chunk->file.size() > 4 && chunk->file.compare(chunk->file.size() - 4, 4, ".css") == 0;
    add(is_css ? &set.css : &set.js, chunk->file);
  }
  for (const ManifestChunk* chunk : closure) {
    for (const std::string& css : chunk->css) add(&set.css, css);
  }
  return set;
}

}  // namespace

std::vector<std::string> StaticClosure(const Manifest& manifest, const std::string& key) {
  std::vector<std::string> keys;
  for (const ManifestChunk* chunk : ClosureChunks(manifest, key)) keys.push_back(chunk->key);
  return keys;
}

LoadSet InitialSet(const Manifest& manifest, const std::string& entry_key) {
  return RouteCost(manifest, entry_key, LoadSet{});
}

LoadSet RouteCost(const Manifest& manifest, const std::string& key, const LoadSet& loaded) {
  return CostOf(ClosureChunks(manifest, key), loaded);
}

Reach ReachOf(const Manifest& manifest, const std::string& key, const LoadSet& loaded) {
  Reach reach;
  reach.closure = ClosureChunks(manifest, key);
  reach.cost = CostOf(reach.closure, loaded);
  return reach;
}

}  // namespace npsbundle
