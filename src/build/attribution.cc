#include "build/attribution.h"

#include <string.h>  // memrchr

#include <algorithm>
#include <map>

#include "core/error.h"

namespace npsbundle {
namespace {

constexpr std::string_view kGeneratedGroup = "(generated)";

std::vector<std::string_view> SplitSegments(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// Resolves "." and ".." and drops empty segments; ".." that would climb above
// the start is dropped too (a map's sources often point outside the build).
std::vector<std::string_view> Normalize(std::string_view path) {
  std::vector<std::string_view> out;
  for (std::string_view segment : SplitSegments(path)) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (!out.empty()) out.pop_back();
      continue;
    }
    out.push_back(segment);
  }
  return out;
}

std::string Join(const std::vector<std::string_view>& segments, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (i > begin) out += '/';
    out += segments[i];
  }
  return out;
}

std::string_view DirName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

// Hands out `total` in proportion to `weights` so that the parts sum to
// `total` exactly (largest remainder first).
std::vector<uint64_t> Apportion(uint64_t total, const std::vector<uint64_t>& weights) {
  uint64_t sum = 0;
  for (uint64_t w : weights) sum += w;
  std::vector<uint64_t> parts(weights.size(), 0);
  if (sum == 0) return parts;
  std::vector<std::pair<long double, size_t>> remainders;
  uint64_t given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    long double exact = static_cast<long double>(total) * weights[i] / sum;
    parts[i] = static_cast<uint64_t>(exact);
    given += parts[i];
    remainders.emplace_back(exact - parts[i], i);
  }
  std::stable_sort(remainders.begin(), remainders.end(), [](auto& a, auto& b) { return a.first > b.first; });
  for (size_t i = 0; given < total && i < remainders.size(); ++i, ++given) ++parts[remainders[i].second];
  return parts;
}

std::string DecodeBase64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) continue;  // '=' padding, line breaks
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

SourceOrigin ClassifySource(std::string_view source) {
  SourceOrigin origin;
  // Bundler-made modules carry a NUL prefix (Rollup/Rolldown convention);
  // null sources arrive as "".
  if (source.empty() || source.front() == '\0') {
    origin.kind = OriginKind::kGenerated;
    origin.group = std::string(kGeneratedGroup);
    origin.module = source.empty() ? "(anonymous)" : std::string(source.substr(1));
    return origin;
  }
  std::string_view path = source;
  if (size_t scheme = path.find("://"); scheme != std::string_view::npos && scheme < 16) path = path.substr(scheme + 3);
  if (path.substr(0, 4) == "/@fs") path = path.substr(4);
  path = path.substr(0, path.find('?'));  // "x.vue?vue&type=style" is x.vue
  std::vector<std::string_view> segments = Normalize(path);
  size_t first_nm = segments.size(), last_nm = segments.size();
  for (size_t i = 0; i < segments.size(); ++i) {
    if (segments[i] != "node_modules") continue;
    if (first_nm == segments.size()) first_nm = i;
    // The innermost node_modules that is followed by a package name. pnpm's
    // store ("node_modules/.pnpm/x@1/node_modules/x") needs no special case:
    // the innermost one is the real package.
    if (i + 1 < segments.size() && segments[i + 1] != ".pnpm") last_nm = i;
  }
  if (last_nm < segments.size()) {
    size_t name_end = last_nm + 2;
    if (segments[last_nm + 1].front() == '@' && last_nm + 2 < segments.size()) name_end = last_nm + 3;
    if (name_end <= segments.size()) {
      origin.kind = OriginKind::kPackage;
      origin.group = Join(segments, last_nm + 1, name_end);
      origin.install_path = Join(segments, first_nm, name_end);
      origin.project_root = Join(segments, 0, first_nm);
      origin.module = Join(segments, first_nm, segments.size());
      return origin;
    }
  }
  if (!segments.empty() && (segments.front() == "vite" || segments.front() == "rolldown") && segments.size() == 2) {
    // Vite's virtual helpers written without the NUL prefix ("vite/preload-helper.js").
    origin.kind = OriginKind::kGenerated;
    origin.group = std::string(kGeneratedGroup);
    origin.module = Join(segments, 0, segments.size());
    return origin;
  }
  origin.kind = OriginKind::kApp;
  origin.module = Join(segments, 0, segments.size());
  std::string_view folder = DirName(origin.module);
  origin.group = folder.empty() ? "(root)" : std::string(folder);
  return origin;
}

ChunkAttribution AttributeChunk(const std::string& file, const std::string& map_file, std::string_view code,
                                const SourceMap& map, uint64_t gzip, uint64_t brotli,
                                const std::string& display_path) {
  ByteAttribution bytes = AttributeBytes(code, map, display_path);
  ChunkAttribution chunk;
  chunk.file = file;
  chunk.map_file = map_file;
  chunk.raw = code.size();
  chunk.unmapped = bytes.unmapped;
  // Sources are relative to the map's folder; resolve them inside the build
  // so "../../src/x.ts" next to dist/assets/ reads as "src/x.ts".
  std::string base(DirName(map_file == "(inline)" ? file : map_file));
  std::map<std::string, size_t> index;  // group key -> position in chunk.groups
  bool has_root = false;
  std::vector<std::map<std::string, uint64_t>> modules;
  for (size_t i = 0; i < map.sources.size(); ++i) {
    if (bytes.per_source[i] == 0) continue;
    const std::string& source = map.sources[i];
    bool relative = !source.empty() && source.front() != '\0' && source.front() != '/' &&
                    source.find("://") == std::string::npos;
    SourceOrigin origin = ClassifySource(relative && !base.empty() ? base + "/" + source : source);
    if (origin.kind == OriginKind::kPackage && (!has_root || origin.project_root.size() < chunk.project_root.size())) {
      chunk.project_root = origin.project_root;
      has_root = true;
    }
    std::string key = origin.kind == OriginKind::kPackage ? "p:" + origin.install_path : "a:" + origin.group;
    auto [it, inserted] = index.emplace(key, chunk.groups.size());
    if (inserted) {
      GroupShare group;
      group.kind = origin.kind;
      group.name = origin.group;
      group.install_path = origin.install_path;
      chunk.groups.push_back(std::move(group));
      modules.emplace_back();
    }
    chunk.groups[it->second].raw += bytes.per_source[i];
    modules[it->second][origin.module] += bytes.per_source[i];
  }
  for (size_t g = 0; g < chunk.groups.size(); ++g) {
    for (const auto& [module, raw] : modules[g]) chunk.groups[g].modules.push_back({module, raw});
    std::stable_sort(chunk.groups[g].modules.begin(), chunk.groups[g].modules.end(),
                     [](const ModuleShare& a, const ModuleShare& b) { return a.raw > b.raw; });
  }
  if (bytes.unmapped > 0) {
    GroupShare unmapped;
    unmapped.kind = OriginKind::kGenerated;
    unmapped.name = std::string(kUnmappedGroup);
    unmapped.raw = bytes.unmapped;
    chunk.groups.push_back(std::move(unmapped));
  }
  std::stable_sort(chunk.groups.begin(), chunk.groups.end(),
                   [](const GroupShare& a, const GroupShare& b) { return a.raw > b.raw; });
  std::vector<uint64_t> weights;
  for (const GroupShare& g : chunk.groups) weights.push_back(g.raw);
  std::vector<uint64_t> gzip_parts = Apportion(gzip, weights), brotli_parts = Apportion(brotli, weights);
  for (size_t g = 0; g < chunk.groups.size(); ++g) {
    chunk.groups[g].gzip = gzip_parts[g];
    chunk.groups[g].brotli = brotli_parts[g];
  }
  return chunk;
}

std::optional<std::string> FindSourceMap(const BundleSource& source, const std::string& path,
                                         std::string_view code, std::string* inline_json) {
  if (source.Find(path + ".map")) return path + ".map";
  // The comment ends the code; bundlers never put code after it, and give it
  // a line of its own, which an inline map makes as long as the map. A last
  // line that is code is searched only at its end (minified chunks are one
  // long line). Searches run forward (memchr-fast) and keep the last hit.
  std::string_view trimmed = code.substr(0, code.find_last_not_of(" \t\r\n") + 1);
  const void* newline = trimmed.empty() ? nullptr : memrchr(trimmed.data(), '\n', trimmed.size());
  std::string_view tail = trimmed.substr(
      newline ? static_cast<size_t>(static_cast<const char*>(newline) - trimmed.data()) + 1 : 0);
  if (tail.substr(0, 2) != "//" && tail.substr(0, 2) != "/*" && tail.size() > 4096) {
    tail = tail.substr(tail.size() - 4096);
  }
  constexpr std::string_view kKey = "sourceMappingURL=";
  size_t at = std::string_view::npos;
  for (size_t hit = tail.find(kKey); hit != std::string_view::npos; hit = tail.find(kKey, hit + 1)) at = hit;
  if (at == std::string_view::npos) return std::nullopt;
  // Only as a comment: "//# sourceMappingURL=", "/*# ...", or the old "@" form.
  std::string_view before = tail.substr(0, at);
  while (!before.empty() && before.back() == ' ') before.remove_suffix(1);
  if (before.size() < 3 || (before.back() != '#' && before.back() != '@')) return std::nullopt;
  std::string_view opener = before.substr(before.size() - 3, 2);
  if (opener != "//" && opener != "/*") return std::nullopt;
  std::string_view url = tail.substr(at + 17);
  size_t end = 0;
  while (end < url.size() && !isspace(static_cast<unsigned char>(url[end])) && url.substr(end, 2) != "*/") ++end;
  url = url.substr(0, end);
  if (url.substr(0, 5) == "data:") {
    size_t comma = url.find(',');
    if (comma == std::string_view::npos) return std::nullopt;
    std::string_view header = url.substr(0, comma);
    *inline_json = header.find(";base64") != std::string_view::npos ? DecodeBase64(url.substr(comma + 1))
                                                                      : PercentDecode(url.substr(comma + 1));
    return std::string("(inline)");
  }
  url = url.substr(0, url.find_first_of("?#"));
  if (url.empty() || url.find("://") != std::string_view::npos || url.front() == '/') return std::nullopt;
  std::string dir(DirName(path));
  std::string joined = (dir.empty() ? "" : dir + "/") + PercentDecode(url);
  std::vector<std::string_view> segments = Normalize(joined);  // views into `joined`
  std::string resolved = Join(segments, 0, segments.size());
  if (!source.Find(resolved)) return std::nullopt;
  return resolved;
}

namespace {

// "app/src/pages" -> "src/pages" when `root` is "app".
void StripProjectRoot(const std::string& root, std::string* path) {
  if (root.empty()) return;
  if (*path == root) {
    *path = "(root)";
  } else if (path->size() > root.size() && path->compare(0, root.size(), root) == 0 && (*path)[root.size()] == '/') {
    path->erase(0, root.size() + 1);
  }
}

}  // namespace

std::vector<ChunkAttribution> AttributeBuild(const BundleSource& source, const std::vector<MeasuredSize>& chunks) {
  std::vector<ChunkAttribution> out;
  for (const MeasuredSize& chunk : chunks) {
    std::string code = source.Read(chunk.path);
    std::string inline_json;
    std::optional<std::string> map_path = FindSourceMap(source, chunk.path, code, &inline_json);
    if (!map_path) continue;
    bool is_inline = *map_path == "(inline)";
    std::string display = is_inline ? source.DisplayPath(chunk.path) + " (inline source map)" : source.DisplayPath(*map_path);
    SourceMap map = ParseSourceMap(is_inline ? inline_json : source.Read(*map_path), display);
    out.push_back(AttributeChunk(chunk.path, *map_path, code, map, chunk.gzip, chunk.brotli, display));
  }
  // One root for the whole build, so a folder has one name in every chunk
  // (page chunks often have no package to learn the root from).
  std::optional<std::string> root;
  for (const ChunkAttribution& c : out) {
    bool has_package = false;
    for (const GroupShare& g : c.groups) has_package |= g.kind == OriginKind::kPackage;
    if (has_package && (!root || c.project_root.size() < root->size())) root = c.project_root;
  }
  if (root && !root->empty()) {
    for (ChunkAttribution& c : out) {
      for (GroupShare& g : c.groups) {
        if (g.kind != OriginKind::kApp) continue;
        StripProjectRoot(*root, &g.name);
        for (ModuleShare& m : g.modules) StripProjectRoot(*root, &m.module);
      }
    }
  }
  return out;
}

}  // namespace npsbundle
