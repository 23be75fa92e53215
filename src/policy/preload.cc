#include "policy/preload.h"

#include <algorithm>

namespace npsbundle {
namespace {

bool IsStylesheet(std::string_view path) {
  return path.size() > 4 && path.substr(path.size() - 4) == ".css";
}

// Builds a hint list in priority order, each file once, under the caps.
class HintList {
 public:
  explicit HintList(std::string_view base) : base_(base) {}

  void Add(const std::string& build_path) {
    if (std::find(files_.begin(), files_.end(), build_path) != files_.end()) return;
    files_.push_back(build_path);
    std::string link = IsStylesheet(build_path) ? StylePreloadLink(build_path, base_)
                                                : ModulePreloadLink(build_path, base_);
    size_t line_bytes = std::string_view("Link: \r\n").size() + link.size();
    // The first cut ends the list: a shorter hint further down is less
    // critical than the one that did not fit.
    if (full_ || hints_.links.size() == kMaxPreloadHints ||
        bytes_ + line_bytes > kMaxPreloadHeaderBytes) {
      full_ = true;
      ++hints_.dropped;
      return;
    }
    bytes_ += line_bytes;
    hints_.links.push_back(std::move(link));
  }
  void AddAll(const std::vector<std::string>& build_paths, size_t from = 0) {
    for (size_t i = from; i < build_paths.size(); ++i) Add(build_paths[i]);
  }
  PreloadHints Take() { return std::move(hints_); }

 private:
  std::string_view base_;
  std::vector<std::string> files_;
  PreloadHints hints_;
  size_t bytes_ = 0;
  bool full_ = false;
};

}  // namespace

std::string ModulePreloadLink(std::string_view build_path, std::string_view base) {
  return "<" + std::string(base) + std::string(build_path) + ">; rel=modulepreload; crossorigin";
}

std::string StylePreloadLink(std::string_view build_path, std::string_view base) {
  return "<" + std::string(base) + std::string(build_path) + ">; rel=preload; as=style";
}

PreloadHints EntryPreloadLinks(const Manifest& manifest, const std::string& entry_key,
                               std::string_view base) {
  LoadSet initial = InitialSet(manifest, entry_key);
  HintList list(base);
  if (!initial.js.empty()) list.Add(initial.js[0]);
  list.AddAll(initial.css);
  list.AddAll(initial.js, 1);
  return list.Take();
}

PreloadHints RoutePreloadLinks(const Manifest& manifest, const std::string& entry_key,
                               const std::string& page_key, std::string_view base) {
  LoadSet initial = InitialSet(manifest, entry_key);
  LoadSet page = RouteCost(manifest, page_key, initial);
  HintList list(base);
  if (!initial.js.empty()) list.Add(initial.js[0]);
  list.AddAll(initial.css);
  // The page's own chunk (first in its walk unless the entry loads it).
  const ManifestChunk* chunk = manifest.Find(page_key);
  bool own_first = chunk && !page.js.empty() && page.js[0] == chunk->file;
  // The entry's static imports before the page: the page's chunk cannot
  // run before them, so when the cap cuts, the page's tail goes first.
  list.AddAll(initial.js, 1);
  if (own_first) list.Add(page.js[0]);
  list.AddAll(page.css);
  list.AddAll(page.js, own_first ? 1 : 0);
  return list.Take();
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

std::string HtmlForNavigation(const Manifest& manifest, std::string_view url_path) {
  size_t slash = url_path.rfind('/');
  std::string dir(slash == std::string_view::npos ? std::string_view()
                                                  : url_path.substr(1, slash));  // "" or "a/b/"
  while (true) {
    std::string candidate = dir + "index.html";
    if (!EntryKeyForHtml(manifest, candidate).empty()) return candidate;
    if (dir.empty()) return {};
    size_t up = dir.rfind('/', dir.size() - 2);
    dir = up == std::string::npos ? std::string() : dir.substr(0, up + 1);
  }
}

bool WantsEarlyHints(std::string_view method, int status,
                     std::optional<std::string_view> sec_fetch_mode) {
  if (method != "GET" || (status != 200 && status != 304)) return false;
  return !sec_fetch_mode || *sec_fetch_mode == "navigate";
}

}  // namespace npsbundle
