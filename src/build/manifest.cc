#include "build/manifest.h"

#include <simdjson.h>

#include "core/error.h"

namespace npsbundle {
namespace {

using simdjson::dom::element;

std::string Quote(std::string_view key) { return "\"" + std::string(key) + "\""; }

class ManifestParser {
 public:
  explicit ManifestParser(const std::string& display_path) : display_path_(display_path) {}

  [[noreturn]] void Fail(const std::string& location, const std::string& what) const {
    throw InputError(display_path_ + ": " + (location.empty() ? "" : location + ": ") + what);
  }

  std::string String(element value, const std::string& location) const {
    std::string_view text;
    if (value.get_string().get(text)) Fail(location, "expected a string");
    return std::string(text);
  }

  bool Bool(element value, const std::string& location) const {
    bool flag = false;
    if (value.get_bool().get(flag)) Fail(location, "expected true or false");
    return flag;
  }

  std::vector<std::string> StringArray(element value, const std::string& location) const {
    simdjson::dom::array array;
    if (value.get_array().get(array)) Fail(location, "expected an array of strings");
    std::vector<std::string> out;
    size_t index = 0;
    for (element item : array) {
      out.push_back(String(item, location + "[" + std::to_string(index) + "]"));
      ++index;
    }
    return out;
  }

  ManifestChunk Chunk(std::string_view key, element value) const {
    std::string location = Quote(key);
    simdjson::dom::object object;
    if (value.get_object().get(object)) Fail(location, "expected an object");
    ManifestChunk chunk;
    chunk.key = std::string(key);
    bool has_file = false;
    for (auto field : object) {
      std::string field_location = location + "." + std::string(field.key);
      if (field.key == "file") {
        chunk.file = String(field.value, field_location);
        has_file = true;
      } else if (field.key == "src") {
        chunk.src = String(field.value, field_location);
      } else if (field.key == "name") {
        chunk.name = String(field.value, field_location);
      } else if (field.key == "isEntry") {
        chunk.is_entry = Bool(field.value, field_location);
      } else if (field.key == "isDynamicEntry") {
        chunk.is_dynamic_entry = Bool(field.value, field_location);
      } else if (field.key == "imports") {
        chunk.imports = StringArray(field.value, field_location);
      } else if (field.key == "dynamicImports") {
        chunk.dynamic_imports = StringArray(field.value, field_location);
      } else if (field.key == "css") {
        chunk.css = StringArray(field.value, field_location);
      } else if (field.key == "assets") {
        chunk.assets = StringArray(field.value, field_location);
      }
    }
    if (!has_file) Fail(location, "missing field \"file\"");
    if (chunk.file.empty()) Fail(location + ".file", "empty path");
    return chunk;
  }

  void CheckReferences(const Manifest& manifest) const {
    for (const auto& [key, chunk] : manifest.chunks) {
      CheckKeys(manifest, key, "imports", chunk.imports);
      CheckKeys(manifest, key, "dynamicImports", chunk.dynamic_imports);
    }
  }

 private:
  void CheckKeys(const Manifest& manifest, const std::string& key, const char* field,
                 const std::vector<std::string>& keys) const {
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!manifest.Find(keys[i])) {
        Fail(Quote(key) + "." + field + "[" + std::to_string(i) + "]", "unknown key " + Quote(keys[i]));
      }
    }
  }

  const std::string& display_path_;
};

}  // namespace

const ManifestChunk* Manifest::Find(std::string_view key) const {
  auto it = chunks.find(key);
  return it == chunks.end() ? nullptr : &it->second;
}

std::vector<std::string> Manifest::EntryKeys() const {
  std::vector<std::string> keys;
  for (const auto& [key, chunk] : chunks) {
    if (chunk.is_entry) keys.push_back(key);
  }
  return keys;
}

std::vector<std::string> Manifest::DynamicEntryKeys() const {
  std::vector<std::string> keys;
  for (const auto& [key, chunk] : chunks) {
    if (chunk.is_dynamic_entry) keys.push_back(key);
  }
  return keys;
}

const ManifestChunk* Manifest::FindByFile(std::string_view build_path) const {
  for (const auto& [key, chunk] : chunks) {
    if (chunk.file == build_path) return &chunk;
  }
  return nullptr;
}

Manifest ParseManifest(std::string_view json, const std::string& display_path) {
  ManifestParser parser(display_path);
  simdjson::dom::parser dom;
  simdjson::padded_string padded(json);
  element root;
  if (auto error = dom.parse(padded).get(root)) {
    parser.Fail("", std::string("invalid JSON (") + simdjson::error_message(error) + ")");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) parser.Fail("", "expected a JSON object at the top level");
  Manifest manifest;
  for (auto field : object) {
    std::string key(field.key);
    if (manifest.chunks.count(key)) parser.Fail(Quote(key), "duplicate key");
    manifest.chunks.emplace(key, parser.Chunk(key, field.value));
  }
  parser.CheckReferences(manifest);
  return manifest;
}

}  // namespace npsbundle
