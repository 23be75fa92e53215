#include "build/manifest.h"

#include "core/json.h"

namespace npsbundle {
namespace {

// The manifest's schema over core/json's typed reads.
class ManifestParser : public JsonReader {
 public:
  using JsonReader::JsonReader;

  ManifestChunk Chunk(std::string_view key, JsonValue value) const {
    std::string location = JsonQuote(key);
    JsonObject object = Object(value, location);
    ManifestChunk chunk;
    chunk.key = std::string(key);
    bool has_file = false;
    for (auto field : object) {
      std::string field_location = JsonMember(location, field.key);
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
        Fail(JsonIndex(JsonMember(JsonQuote(key), field), i), "unknown key " + JsonQuote(keys[i]));
      }
    }
  }
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
  JsonDocument document(json, display_path);
  JsonObject object;
  if (document.root().get_object().get(object)) parser.Fail("", "expected a JSON object at the top level");
  Manifest manifest;
  for (auto field : object) {
    std::string key(field.key);
    if (manifest.chunks.count(key)) parser.Fail(JsonQuote(key), "duplicate key");
    manifest.chunks.emplace(key, parser.Chunk(key, field.value));
  }
  parser.CheckReferences(manifest);
  return manifest;
}

}  // namespace npsbundle
