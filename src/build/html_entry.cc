#include "build/html_entry.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <set>

#include "core/ascii.h"

namespace npsbundle {
namespace {

constexpr std::string_view kWebAppMembers[] = {"name",    "short_name", "start_url",
                                               "icons",   "display",    "scope",
                                               "theme_color", "background_color"};

// The attributes of one tag, names lower-cased: `<link rel=x href="y">`.
std::map<std::string, std::string> Attributes(std::string_view tag) {
  std::map<std::string, std::string> attributes;
  size_t i = 0;
  while (i < tag.size()) {
    while (i < tag.size() && (std::isspace(static_cast<unsigned char>(tag[i])) || tag[i] == '/')) ++i;
    size_t start = i;
    while (i < tag.size() && tag[i] != '=' && tag[i] != '>' &&
           !std::isspace(static_cast<unsigned char>(tag[i])))
      ++i;
    std::string name(tag.substr(start, i - start));
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value;
    if (i < tag.size() && tag[i] == '=') {
      ++i;
      if (i < tag.size() && (tag[i] == '"' || tag[i] == '\'')) {
        char quote = tag[i++];
        size_t end = tag.find(quote, i);
        if (end == std::string_view::npos) end = tag.size();
        value = std::string(tag.substr(i, end - i));
        i = end + 1;
      } else {
        start = i;
        while (i < tag.size() && !std::isspace(static_cast<unsigned char>(tag[i])) && tag[i] != '>') ++i;
        value = std::string(tag.substr(start, i - start));
      }
    }
    if (!name.empty()) attributes.emplace(std::move(name), std::move(value));
    if (start == i && i < tag.size()) ++i;  // a stray character: step over it
  }
  return attributes;
}

// The build path a URL in `from_dir` ("" or "a/b/") names, or empty.
// "/app/assets/x.js" with base "/app/" is found by dropping leading segments.
std::string Resolve(const BundleSource& source, std::string_view from_dir, std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  if (url.empty() || url.find("://") != std::string_view::npos || url.rfind("//", 0) == 0 ||
      url.rfind("data:", 0) == 0) {
    return {};
  }
  std::string path = url.front() == '/' ? std::string(url.substr(1)) : std::string(from_dir) + std::string(url);
  // Normalise "./" and "../" segments.
  std::vector<std::string> segments;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    std::string segment = path.substr(pos, slash - pos);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    pos = slash + 1;
  }
  for (size_t skip = 0; skip < segments.size(); ++skip) {
    std::string candidate;
    for (size_t i = skip; i < segments.size(); ++i) candidate += (candidate.empty() ? "" : "/") + segments[i];
    if (source.Find(candidate)) return candidate;
  }
  return {};
}

std::string DirOf(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash + 1));
}

// Skips whitespace and comments from `pos`.
size_t SkipSpace(std::string_view js, size_t pos) {
  while (pos < js.size()) {
    if (std::isspace(static_cast<unsigned char>(js[pos]))) {
      ++pos;
    } else if (js.compare(pos, 2, "/*") == 0) {
      size_t end = js.find("*/", pos + 2);
      pos = end == std::string_view::npos ? js.size() : end + 2;
    } else if (js.compare(pos, 2, "//") == 0) {
      size_t end = js.find('\n', pos);
      pos = end == std::string_view::npos ? js.size() : end + 1;
    } else {
      break;
    }
  }
  return pos;
}

// The specifiers of the static import statements at the top of a chunk:
// `import{a as b}from"./x.js";import"./y.js";`. Vite may put its
// `const __vite__mapDeps=…` line first; it is stepped over.
std::vector<std::string> TopImports(std::string_view js) {
  std::vector<std::string> specifiers;
  size_t pos = SkipSpace(js, 0);
  if (js.compare(pos, 22, "const __vite__mapDeps=") == 0) {
    size_t end = js.find('\n', pos);
    pos = end == std::string_view::npos ? js.size() : end + 1;
  }
  while (true) {
    pos = SkipSpace(js, pos);
    if (js.compare(pos, 6, "import") != 0 || pos + 6 >= js.size()) break;
    char next = js[pos + 6];
    if (next != '{' && next != '*' && next != '"' && next != '\'' &&
        !std::isspace(static_cast<unsigned char>(next))) {
      break;  // "imports", "import(" (dynamic), "import.meta"
    }
    size_t quote = js.find_first_of("\"'", pos + 6);
    if (quote == std::string_view::npos) break;
    std::string_view between = js.substr(pos + 6, quote - pos - 6);
    while (!between.empty() && std::isspace(static_cast<unsigned char>(between.back()))) between.remove_suffix(1);
    bool side_effect = SkipSpace(between, 0) == between.size();
    bool from = between.size() >= 4 && between.substr(between.size() - 4) == "from";
    if (!side_effect && !from) break;
    size_t end = js.find(js[quote], quote + 1);
    if (end == std::string_view::npos) break;
    specifiers.emplace_back(js.substr(quote + 1, end - quote - 1));
    pos = SkipSpace(js, end + 1);
    if (pos < js.size() && js[pos] == ';') ++pos;
  }
  return specifiers;
}

// The literal specifiers of `import("./x.js")` anywhere in a chunk.
std::vector<std::string> DynamicImports(std::string_view js) {
  std::vector<std::string> specifiers;
  // Rolldown writes template literals: import(`./x.js`).
  for (std::string_view open : {"import(\"", "import('", "import(`"}) {
    for (size_t at = js.find(open); at != std::string_view::npos; at = js.find(open, at + 1)) {
      size_t start = at + open.size();
      size_t end = js.find(open.back(), start);
      if (end == std::string_view::npos || end - start > 512 ||
          js.substr(start, end - start).find("${") != std::string_view::npos) {
        continue;
      }
      specifiers.emplace_back(js.substr(start, end - start));
    }
  }
  return specifiers;
}

// "assets/history-TCJOOBPG.js" -> "history".
std::string ChunkName(std::string_view path) {
  std::string_view name = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  name = name.substr(0, name.find('.'));
  size_t dash = name.rfind('-');
  return std::string(dash == std::string_view::npos || dash == 0 ? name : name.substr(0, dash));
}

bool IsScript(std::string_view path) {
  return path.size() > 3 && (path.substr(path.size() - 3) == ".js" || path.substr(path.size() - 4) == ".mjs");
}

}  // namespace

bool IsWebAppManifest(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::object object;
  if (parser.parse(padded).get_object().get(object)) return false;
  for (auto field : object) {
    for (std::string_view member : kWebAppMembers) {
      if (field.key == member && !field.value.is_object()) return true;
    }
  }
  return false;
}

std::optional<Manifest> ManifestFromHtml(const BundleSource& source) {
  constexpr std::string_view kHtml = "index.html";
  if (!source.Find(kHtml)) return std::nullopt;
  std::string html = source.Read(kHtml);
  ManifestChunk entry;
  entry.key = entry.src = std::string(kHtml);
  entry.name = "index";
  entry.is_entry = true;
  std::vector<std::string> preloads;
  for (size_t at = html.find('<'); at != std::string::npos; at = html.find('<', at + 1)) {
    size_t end = html.find('>', at);
    if (end == std::string::npos) break;
    std::string_view tag(html.data() + at + 1, end - at - 1);
    bool script = tag.size() > 7 && EqualsIgnoreCase(tag.substr(0, 7), "script ");
    bool link = tag.size() > 5 && EqualsIgnoreCase(tag.substr(0, 5), "link ");
    if (!script && !link) continue;
    std::map<std::string, std::string> attributes = Attributes(tag.substr(script ? 7 : 5));
    std::string rel = attributes["rel"];
    if (script && EqualsIgnoreCase(attributes["type"], "module") && entry.file.empty()) {
      entry.file = Resolve(source, "", attributes["src"]);
    } else if (link && EqualsIgnoreCase(rel, "modulepreload")) {
      std::string path = Resolve(source, "", attributes["href"]);
      if (!path.empty()) preloads.push_back(path);
    } else if (link && EqualsIgnoreCase(rel, "stylesheet")) {
      std::string path = Resolve(source, "", attributes["href"]);
      if (!path.empty()) entry.css.push_back(path);
    }
  }
  if (entry.file.empty()) return std::nullopt;

  Manifest manifest;
  manifest.path = std::string(kHtml);
  // Walk the chunks breadth-first from the entry script, reading each once.
  std::map<std::string, ManifestChunk*> by_file;
  std::deque<ManifestChunk*> queue;
  ManifestChunk* root = &manifest.chunks.emplace(entry.key, entry).first->second;
  by_file[root->file] = root;
  queue.push_back(root);
  auto record = [&](const std::string& file, bool dynamic) {
    auto found = by_file.find(file);
    if (found != by_file.end()) {
      if (dynamic) found->second->is_dynamic_entry = true;
      return found->second->key;
    }
    ManifestChunk chunk;
    chunk.key = chunk.file = file;
    chunk.name = ChunkName(file);
    chunk.is_dynamic_entry = dynamic;
    ManifestChunk* added = &manifest.chunks.emplace(file, std::move(chunk)).first->second;
    by_file[file] = added;
    queue.push_back(added);
    return added->key;
  };
  for (const std::string& file : preloads) {
    if (file != root->file) root->imports.push_back(record(file, false));
  }
  while (!queue.empty()) {
    ManifestChunk* chunk = queue.front();
    queue.pop_front();
    if (!IsScript(chunk->file)) continue;
    std::string js = source.Read(chunk->file);
    std::string dir = DirOf(chunk->file);
    for (const std::string& specifier : TopImports(js)) {
      std::string file = Resolve(source, dir, specifier);
      if (file.empty() || file == chunk->file) continue;
      std::string key = record(file, false);
      if (std::find(chunk->imports.begin(), chunk->imports.end(), key) == chunk->imports.end()) {
        chunk->imports.push_back(key);
      }
    }
    for (const std::string& specifier : DynamicImports(js)) {
      std::string file = Resolve(source, dir, specifier);
      if (file.empty() || !IsScript(file)) continue;
      std::string key = record(file, true);
      if (std::find(chunk->dynamic_imports.begin(), chunk->dynamic_imports.end(), key) ==
          chunk->dynamic_imports.end()) {
        chunk->dynamic_imports.push_back(key);
      }
    }
  }
  return manifest;
}

FoundManifest LoadBuildManifest(const BundleSource& source) {
  FoundManifest found;
  bool web_app = false;
  for (std::string_view path : kManifestPaths) {
    if (!source.Find(path)) continue;
    std::string json = source.Read(path);
    if (IsWebAppManifest(json)) {
      web_app = true;
      continue;
    }
    found.manifest = ParseManifest(json, source.DisplayPath(path));
    found.manifest->path = std::string(path);
    return found;
  }
  std::string why = web_app ? "no Vite manifest (" + source.DisplayPath("manifest.json") +
                                  " is a web-app manifest)"
                            : "no Vite manifest";
  found.manifest = ManifestFromHtml(source);
  if (found.manifest) {
    found.warnings.push_back(source.name() + ": " + why +
                             "; read the entry and its imports from index.html instead (" +
                             std::string(kEnableViteManifest) + ")");
  } else if (web_app) {
    found.warnings.push_back(source.name() + ": " + why + " and no module script in index.html (" +
                             std::string(kEnableViteManifest) + ")");
  }
  return found;
}

}  // namespace npsbundle
