#include "build/manifest.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/error.h"

namespace npsbundle {
namespace {

using Strings = std::vector<std::string>;

// The message ParseManifest throws for `json`, or "" when it parses.
std::string ManifestError(const std::string& json, const std::string& path = "dist/.vite/manifest.json") {
  try {
    ParseManifest(json, path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("manifest: every field of a record", "[manifest]") {
  const std::string json = R"({
    "index.html": {
      "file": "assets/index-Bl1MOBpP.js",
      "name": "index",
      "src": "index.html",
      "isEntry": true,
      "imports": ["_vendor-react-D-9X1o8U.js", "_rolldown-runtime-WkwZ5CU-.js"],
      "dynamicImports": ["src/pages/Oracle.tsx"],
      "css": ["assets/index-CNgsl1pN.css", "assets/extra-AAAA1111.css"],
      "assets": ["assets/logo-B7_ajGU8.svg"]
    },
    "_vendor-react-D-9X1o8U.js": {"file": "assets/vendor-react-D-9X1o8U.js", "name": "vendor-react"},
    "_rolldown-runtime-WkwZ5CU-.js": {"file": "assets/rolldown-runtime-WkwZ5CU-.js"},
    "src/pages/Oracle.tsx": {
      "file": "assets/Oracle-CHnjyAkH.js",
      "src": "src/pages/Oracle.tsx",
      "isDynamicEntry": true,
      "isEntry": false
    }
  })";
  Manifest manifest = ParseManifest(json, "m.json");
  REQUIRE(manifest.chunks.size() == 4);
  CHECK(manifest.path.empty());  // the caller records where it came from

  const ManifestChunk* index = manifest.Find("index.html");
  REQUIRE(index != nullptr);
  CHECK(index->key == "index.html");
  CHECK(index->file == "assets/index-Bl1MOBpP.js");
  CHECK(index->name == "index");
  CHECK(index->src == "index.html");
  CHECK(index->is_entry);
  CHECK_FALSE(index->is_dynamic_entry);
  CHECK(index->imports == Strings{"_vendor-react-D-9X1o8U.js", "_rolldown-runtime-WkwZ5CU-.js"});
  CHECK(index->dynamic_imports == Strings{"src/pages/Oracle.tsx"});
  CHECK(index->css == Strings{"assets/index-CNgsl1pN.css", "assets/extra-AAAA1111.css"});
  CHECK(index->assets == Strings{"assets/logo-B7_ajGU8.svg"});

  const ManifestChunk* vendor = manifest.Find("_vendor-react-D-9X1o8U.js");
  REQUIRE(vendor != nullptr);
  CHECK(vendor->name == "vendor-react");
  CHECK(vendor->src.empty());
  CHECK_FALSE(vendor->is_entry);
  CHECK_FALSE(vendor->is_dynamic_entry);
  CHECK(vendor->imports.empty());
  CHECK(vendor->dynamic_imports.empty());
  CHECK(vendor->css.empty());
  CHECK(vendor->assets.empty());

  const ManifestChunk* runtime = manifest.Find("_rolldown-runtime-WkwZ5CU-.js");
  REQUIRE(runtime != nullptr);
  CHECK(runtime->name.empty());

  const ManifestChunk* oracle = manifest.Find("src/pages/Oracle.tsx");
  REQUIRE(oracle != nullptr);
  CHECK(oracle->is_dynamic_entry);
  CHECK_FALSE(oracle->is_entry);

  CHECK(manifest.Find("missing.js") == nullptr);
  CHECK(manifest.Find("assets/index-Bl1MOBpP.js") == nullptr);  // a file is not a key
  CHECK(manifest.EntryKeys() == Strings{"index.html"});
  CHECK(manifest.DynamicEntryKeys() == Strings{"src/pages/Oracle.tsx"});
  REQUIRE(manifest.FindByFile("assets/Oracle-CHnjyAkH.js") != nullptr);
  CHECK(manifest.FindByFile("assets/Oracle-CHnjyAkH.js")->key == "src/pages/Oracle.tsx");
  CHECK(manifest.FindByFile("assets/index-CNgsl1pN.css") == nullptr);  // css of a chunk, no record
  CHECK(manifest.FindByFile("") == nullptr);
}

TEST_CASE("manifest: unknown fields are ignored whatever their type", "[manifest]") {
  Manifest manifest = ParseManifest(R"({
    "index.html": {
      "file": "assets/index.js",
      "isEntry": true,
      "integrity": "sha384-abc",
      "names": ["index.css"],
      "originalFileNames": {"a": [1, 2, {"b": null}]},
      "isLegacyEntry": 7
    }
  })",
                                    "m.json");
  REQUIRE(manifest.chunks.size() == 1);
  CHECK(manifest.chunks.begin()->second.file == "assets/index.js");
  CHECK(manifest.chunks.begin()->second.is_entry);
}

TEST_CASE("manifest: entries and dynamic entries in key order; a chunk may be both", "[manifest]") {
  Manifest manifest = ParseManifest(R"({
    "src/z.ts": {"file": "z.js", "isEntry": true},
    "admin.html": {"file": "admin.js", "isEntry": true},
    "src/both.ts": {"file": "both.js", "isEntry": true, "isDynamicEntry": true},
    "src/lazy.ts": {"file": "lazy.js", "isDynamicEntry": true},
    "_shared.js": {"file": "shared.js"}
  })",
                                    "m.json");
  CHECK(manifest.EntryKeys() == Strings{"admin.html", "src/both.ts", "src/z.ts"});
  CHECK(manifest.DynamicEntryKeys() == Strings{"src/both.ts", "src/lazy.ts"});
}

TEST_CASE("manifest: keys keep query strings, CSS-only keys and other folders", "[manifest]") {
  Manifest manifest = ParseManifest(R"({
    "src/routes/x.tsx?tsr-split=component": {
      "file": "js/x-Ab12Cd34.js", "src": "src/routes/x.tsx?tsr-split=component", "isDynamicEntry": true,
      "imports": ["_StatCard-Dj3j8sSB.css"]
    },
    "_StatCard-Dj3j8sSB.css": {"file": "css/StatCard-Dj3j8sSB.css", "src": "_StatCard-Dj3j8sSB.css"},
    "index.html": {"file": "js/index.js", "isEntry": true,
                   "dynamicImports": ["src/routes/x.tsx?tsr-split=component"]}
  })",
                                    "m.json");
  const ManifestChunk* route = manifest.Find("src/routes/x.tsx?tsr-split=component");
  REQUIRE(route != nullptr);
  CHECK(route->file == "js/x-Ab12Cd34.js");
  CHECK(route->imports == Strings{"_StatCard-Dj3j8sSB.css"});
  REQUIRE(manifest.Find("_StatCard-Dj3j8sSB.css") != nullptr);
  CHECK(manifest.Find("_StatCard-Dj3j8sSB.css")->file == "css/StatCard-Dj3j8sSB.css");
  CHECK(manifest.Find("index.html")->dynamic_imports == Strings{"src/routes/x.tsx?tsr-split=component"});
}

TEST_CASE("manifest: JSON string escapes in keys and values are decoded", "[manifest]") {
  Manifest manifest = ParseManifest(R"({"src/\u00e9t\u00e9.ts": {"file": "assets/\u00e9t\u00e9-A.js", "isEntry": true}})",
                                    "m.json");
  const ManifestChunk* chunk = manifest.Find("src/\xc3\xa9t\xc3\xa9.ts");
  REQUIRE(chunk != nullptr);
  CHECK(chunk->file == "assets/\xc3\xa9t\xc3\xa9-A.js");
}

TEST_CASE("manifest: an empty object is an empty manifest", "[manifest]") {
  Manifest manifest = ParseManifest("{}", "m.json");
  CHECK(manifest.chunks.empty());
  CHECK(manifest.EntryKeys().empty());
}

TEST_CASE("manifest: errors name the file and the JSON location", "[manifest]") {
  struct Case {
    const char* name;
    std::string json;
    std::string error;
  };
  const std::string p = "dist/.vite/manifest.json: ";
  const Case cases[] = {
      {"top level is an array", "[]", p + "expected a JSON object at the top level"},
      {"top level is a string", R"("index.html")", p + "expected a JSON object at the top level"},
      {"entry is a number", R"({"a.js": 5})", p + R"("a.js": expected an object)"},
      {"entry is an array", R"({"a.js": ["x"]})", p + R"("a.js": expected an object)"},
      {"missing file", R"({"a.js": {"src": "a.ts"}})", p + R"("a.js": missing field "file")"},
      {"file empty", R"({"a.js": {"file": ""}})", p + R"("a.js".file: empty path)"},
      {"file a number", R"({"a.js": {"file": 3}})", p + R"("a.js".file: expected a string)"},
      {"file null", R"({"a.js": {"file": null}})", p + R"("a.js".file: expected a string)"},
      {"src a bool", R"({"a.js": {"file": "a.js", "src": true}})", p + R"("a.js".src: expected a string)"},
      {"name an array", R"({"a.js": {"file": "a.js", "name": ["a"]}})",
       p + R"("a.js".name: expected a string)"},
      {"isEntry a string", R"({"index.html": {"file": "a.js", "isEntry": "yes"}})",
       p + R"("index.html".isEntry: expected true or false)"},
      {"isDynamicEntry a number", R"({"index.html": {"file": "a.js", "isDynamicEntry": 1}})",
       p + R"("index.html".isDynamicEntry: expected true or false)"},
      {"imports a string", R"({"index.html": {"file": "a.js", "imports": "x"}})",
       p + R"("index.html".imports: expected an array of strings)"},
      {"imports holds a number", R"({"index.html": {"file": "a.js", "imports": [1]}})",
       p + R"("index.html".imports[0]: expected a string)"},
      {"dynamicImports an object", R"({"index.html": {"file": "a.js", "dynamicImports": {}}})",
       p + R"("index.html".dynamicImports: expected an array of strings)"},
      {"css holds null", R"({"index.html": {"file": "a.js", "css": ["a.css", null]}})",
       p + R"("index.html".css[1]: expected a string)"},
      {"assets a string", R"({"index.html": {"file": "a.js", "assets": "logo.svg"}})",
       p + R"("index.html".assets: expected an array of strings)"},
      {"unknown import key",
       R"({"_x.js": {"file": "x.js", "imports": ["_a.js", "_b.js", "_y.js"]},
           "_a.js": {"file": "a.js"}, "_b.js": {"file": "b.js"}})",
       p + R"("_x.js".imports[2]: unknown key "_y.js")"},
      {"unknown dynamic import key",
       R"({"index.html": {"file": "x.js", "dynamicImports": ["src/pages/Gone.tsx"]}})",
       p + R"("index.html".dynamicImports[0]: unknown key "src/pages/Gone.tsx")"},
      {"import names a file, not a key",
       R"({"index.html": {"file": "assets/x.js", "imports": ["assets/a.js"]},
           "_a.js": {"file": "assets/a.js"}})",
       p + R"("index.html".imports[0]: unknown key "assets/a.js")"},
      {"duplicate key", R"({"a.js": {"file": "a.js"}, "a.js": {"file": "b.js"}})",
       p + R"("a.js": duplicate key)"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(ManifestError(c.json) == c.error);
  }
}

TEST_CASE("manifest: the first bad field in a record is reported", "[manifest]") {
  CHECK(ManifestError(R"({"a.js": {"isEntry": "yes", "file": 1}})", "m.json") ==
        R"(m.json: "a.js".isEntry: expected true or false)");
}

TEST_CASE("manifest: invalid JSON is an input error naming the file", "[manifest]") {
  struct Case {
    const char* name;
    std::string json;
  };
  const Case cases[] = {
      {"truncated", R"({"index.html": {"file": "assets/index.js", "isEntry": tr)"},
      {"cut after a key", R"({"index.html": )"},
      {"empty", ""},
      {"trailing comma", R"({"a.js": {"file": "a.js"},})"},
      {"not JSON", "<!doctype html>"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    std::string error = ManifestError(c.json, "m.json");
    CHECK_THAT(error, Catch::Matchers::StartsWith("m.json: invalid JSON (") && Catch::Matchers::EndsWith(")"));
  }
  // One full message, so the wording is pinned down.
  CHECK(ManifestError("", "m.json") == "m.json: invalid JSON (Empty: no JSON found)");
  CHECK(ManifestError(R"({"index.html": )", "m.json") == "m.json: invalid JSON (The JSON document has an improper structure: missing or superfluous "
        "commas, braces, missing keys, etc.)");
}

}  // namespace
}  // namespace npsbundle
