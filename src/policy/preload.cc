#include "policy/preload.h"

namespace npsbundle {

std::vector<std::string> PreloadLinks(const LoadSet& set, std::string_view base,
                                      bool skip_first_script) {
  std::vector<std::string> links;
  for (size_t i = skip_first_script ? 1 : 0; i < set.js.size(); ++i) {
    links.push_back("<" + std::string(base) + set.js[i] + ">; rel=modulepreload; crossorigin");
  }
  for (const std::string& css : set.css) {
    links.push_back("<" + std::string(base) + css + ">; rel=preload; as=style");
  }
  return links;
}

std::vector<std::string> EntryPreloadLinks(const Manifest& manifest, const std::string& entry_key,
                                           std::string_view base) {
  return PreloadLinks(InitialSet(manifest, entry_key), base, /*skip_first_script=*/true);
}

std::vector<std::string> RoutePreloadLinks(const Manifest& manifest, const std::string& entry_key,
                                           const std::string& page_key, std::string_view base) {
  LoadSet initial = InitialSet(manifest, entry_key);
  std::vector<std::string> links = PreloadLinks(initial, base, /*skip_first_script=*/true);
  std::vector<std::string> page =
      PreloadLinks(RouteCost(manifest, page_key, initial), base, /*skip_first_script=*/false);
  links.insert(links.end(), page.begin(), page.end());
  return links;
}

std::string EntryKeyForHtml(const Manifest& manifest, std::string_view html_path) {
  const ManifestChunk* chunk = manifest.Find(html_path);
  if (chunk && chunk->is_entry) return chunk->key;
  // Vite keys HTML entries by their source path, which matches the output
  // path unless the project root differs; fall back to `src`.
  for (const auto& [key, record] : manifest.chunks) {
    if (record.is_entry && record.src == html_path) return key;
  }
  return {};
}

}  // namespace npsbundle
