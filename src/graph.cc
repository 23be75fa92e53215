#include "graph.h"

#include <algorithm>

namespace npsbundle {
namespace {

void AddUnique(std::vector<std::string>* list, std::set<std::string>* seen, const std::string& item) {
  if (seen->insert(item).second) list->push_back(item);
}

}  // namespace

std::vector<std::string> LoadSet::All() const {
  std::vector<std::string> all = js;
  all.insert(all.end(), css.begin(), css.end());
  return all;
}

bool LoadSet::Contains(const std::string& build_path) const {
  return std::find(js.begin(), js.end(), build_path) != js.end() ||
         std::find(css.begin(), css.end(), build_path) != css.end();
}

std::vector<std::string> StaticClosure(const Manifest& manifest, const std::string& key) {
  std::vector<std::string> order;
  std::set<std::string> visited;
  // Iterative depth-first walk: a pathological manifest cannot exhaust the stack.
  std::vector<std::pair<const ManifestChunk*, size_t>> stack;
  auto visit = [&](const std::string& k) {
    const ManifestChunk* chunk = manifest.Find(k);
    if (!chunk || !visited.insert(k).second) return;
    order.push_back(k);
    stack.emplace_back(chunk, 0);
  };
  visit(key);
  while (!stack.empty()) {
    auto& [chunk, next] = stack.back();
    if (next == chunk->imports.size()) {
      stack.pop_back();
      continue;
    }
    const std::string& child = chunk->imports[next++];
    visit(child);
  }
  return order;
}

LoadSet InitialSet(const Manifest& manifest, const std::string& entry_key) {
  return RouteCost(manifest, entry_key, LoadSet{});
}

LoadSet RouteCost(const Manifest& manifest, const std::string& key, const LoadSet& loaded) {
  LoadSet set;
  std::set<std::string> seen(loaded.js.begin(), loaded.js.end());
  seen.insert(loaded.css.begin(), loaded.css.end());
  std::vector<std::string> closure = StaticClosure(manifest, key);
  for (const std::string& k : closure) {
    const ManifestChunk& chunk = *manifest.Find(k);
    // CSS-only records ("_StatCard-HASH.css") name a stylesheet as their file.
    bool is_css = chunk.file.size() > 4 && chunk.file.compare(chunk.file.size() - 4, 4, ".css") == 0;
    AddUnique(is_css ? &set.css : &set.js, &seen, chunk.file);
  }
  for (const std::string& k : closure) {
    for (const std::string& css : manifest.Find(k)->css) AddUnique(&set.css, &seen, css);
  }
  return set;
}

}  // namespace npsbundle
