// Attribution of chunks to packages and folders, and the package rules:
// unit tests on hand-made inputs, and the real binary on the source-map
// fixtures compared with tests/attribution/reference.py, an independent
// implementation that reads the .map files itself.
#include "build/attribution.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <map>

#include "core/error.h"
#include "support/test_support.h"
#include "core/units.h"

namespace npsbundle {
namespace {

using testing::CommandResult;
using testing::Fixture;
using testing::RunNpsbundle;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string Reference() { return std::string(NPSBUNDLE_SOURCE_DIR) + "/tests/attribution/reference.py"; }

}  // namespace

TEST_CASE("attribution: sources roll up to packages and folders", "[attribution]") {
  struct Case {
    std::string source;
    OriginKind kind;
    std::string group, install_path, module;
  };
  const Case cases[] = {
      {"../../node_modules/react-dom/cjs/react-dom.production.min.js", OriginKind::kPackage, "react-dom",
       "node_modules/react-dom", "node_modules/react-dom/cjs/react-dom.production.min.js"},
      {"../node_modules/@tanstack/query-core/build/modern/query.js", OriginKind::kPackage, "@tanstack/query-core",
       "node_modules/@tanstack/query-core", "node_modules/@tanstack/query-core/build/modern/query.js"},
      {"../../node_modules/hoist-non-react-statics/node_modules/react-is/index.js", OriginKind::kPackage, "react-is",
       "node_modules/hoist-non-react-statics/node_modules/react-is",
       "node_modules/hoist-non-react-statics/node_modules/react-is/index.js"},
      {"../../node_modules/.pnpm/react-is@16.13.1/node_modules/react-is/index.js", OriginKind::kPackage, "react-is",
       "node_modules/.pnpm/react-is@16.13.1/node_modules/react-is",
       "node_modules/.pnpm/react-is@16.13.1/node_modules/react-is/index.js"},
      {"/@fs/home/me/app/node_modules/@scope/pkg/x.js", OriginKind::kPackage, "@scope/pkg",
       "node_modules/@scope/pkg", "node_modules/@scope/pkg/x.js"},
      {"webpack://app/./node_modules/lodash/get.js", OriginKind::kPackage, "lodash", "node_modules/lodash",
       "node_modules/lodash/get.js"},
      {"../../src/pages/Oracle.tsx", OriginKind::kApp, "src/pages", "", "src/pages/Oracle.tsx"},
      {"./src/App.vue?vue&type=style&index=0", OriginKind::kApp, "src", "", "src/App.vue"},
      {"main.ts", OriginKind::kApp, "(root)", "", "main.ts"},
      {std::string("\0rolldown/runtime.js", 20), OriginKind::kGenerated, "(generated)", "", "rolldown/runtime.js"},
      {"vite/preload-helper.js", OriginKind::kGenerated, "(generated)", "", "vite/preload-helper.js"},
      {"", OriginKind::kGenerated, "(generated)", "", "(anonymous)"},
  };
  for (const Case& c : cases) {
    INFO(c.source);
    SourceOrigin o = ClassifySource(c.source);
    CHECK(o.kind == c.kind);
    CHECK(o.group == c.group);
    CHECK(o.install_path == c.install_path);
    CHECK(o.module == c.module);
  }
}

TEST_CASE("attribution: compressed estimates split the chunk's size in proportion and sum exactly", "[attribution]") {
  // 10 bytes: 6 from node_modules/a (columns 0-5), 4 from src/x.ts (6-9).
  SourceMap map;
  map.sources = {"../node_modules/a/i.js", "../src/x.ts"};
  // col 0 src 0; col 6 src 1; col 9 src 1 again; a 1-field segment at col 10,
  // the end of the line, which covers nothing.
  map.mappings = "AAAA,MCAA,GAAA,C";
  std::string code = "aaaaaaxxxx";
  ChunkAttribution c = AttributeChunk("assets/c.js", "assets/c.js.map", code, map, 7, 5, "m");
  REQUIRE(c.groups.size() == 2);
  CHECK(c.groups[0].name == "a");
  CHECK(c.groups[0].raw == 6);
  CHECK(c.groups[1].name == "src");
  CHECK(c.groups[1].raw == 4);
  CHECK(c.groups[0].gzip + c.groups[1].gzip == 7);
  CHECK(c.groups[0].brotli + c.groups[1].brotli == 5);
  // 7 * 6/10 = 4.2 -> 4, 7 * 4/10 = 2.8 -> 3 (largest remainder).
  CHECK(c.groups[0].gzip == 4);
  CHECK(c.groups[1].gzip == 3);
}

TEST_CASE("attribution: maps are found as siblings, by comment, or inline", "[attribution]") {
  std::string map_json = R"({"version":3,"sources":["../src/a.ts"],"mappings":"AAAA"})";
  std::string base64 =
      "eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbIi4uL3NyYy9hLnRzIl0sIm1hcHBpbmdzIjoiQUFBQSJ9";  // map_json
  auto source = MakeMemorySource(
      "mem", {{"assets/a.js", "a()"},
              {"assets/a.js.map", map_json},
              {"assets/b.js", "b()\n//# sourceMappingURL=maps/b.map"},
              {"assets/maps/b.map", map_json},
              {"assets/c.js", "c()\n//# sourceMappingURL=data:application/json;charset=utf-8;base64," + base64},
              {"assets/d.css", "d{}\n/*# sourceMappingURL=missing.map */"},
              {"assets/e.js", "e()"}});
  std::string inline_json;
  CHECK(FindSourceMap(*source, "assets/a.js", "a()", &inline_json) == std::optional<std::string>("assets/a.js.map"));
  CHECK(FindSourceMap(*source, "assets/b.js", source->Read("assets/b.js"), &inline_json) ==
        std::optional<std::string>("assets/maps/b.map"));
  CHECK(FindSourceMap(*source, "assets/c.js", source->Read("assets/c.js"), &inline_json) ==
        std::optional<std::string>("(inline)"));
  CHECK(inline_json == map_json);
  CHECK_FALSE(FindSourceMap(*source, "assets/d.css", source->Read("assets/d.css"), &inline_json));
  CHECK_FALSE(FindSourceMap(*source, "assets/e.js", "e()", &inline_json));
  // An inline map longer than any fixed tail, with a trailing newline: the
  // comment starts the last line, far from the end.
  std::string big_map = R"({"version":3,"sources":["../src/f.ts"],"sourcesContent":[")" + std::string(20000, 'x') +
                        R"("],"mappings":"AAAA"})";
  CHECK(FindSourceMap(*source, "assets/f.js", "f()\n//# sourceMappingURL=data:application/json," + big_map + "\n",
                      &inline_json) == std::optional<std::string>("(inline)"));
  CHECK(inline_json == big_map);
  // Only the last comment counts; one inside the code before it does not.
  CHECK(FindSourceMap(*source, "assets/b.js", "x='//# sourceMappingURL=nope.map'\n//# sourceMappingURL=maps/b.map",
                      &inline_json) == std::optional<std::string>("assets/maps/b.map"));
  std::vector<ChunkAttribution> all =
      AttributeBuild(*source, {{"assets/a.js", 3, 3}, {"assets/b.js", 9, 9}, {"assets/c.js", 9, 9}, {"assets/e.js", 3, 3}});
  REQUIRE(all.size() == 3);
  CHECK(all[0].groups.front().name == "src");
  CHECK(all[0].groups.front().modules.front().module == "src/a.ts");
}

TEST_CASE("attribution: a malformed map is an input error naming the map", "[attribution]") {
  auto source = MakeMemorySource("dist", {{"assets/a.js", "a()"}, {"assets/a.js.map", R"({"version":3,"sources":["x"],"mappings":"A$"})"}});
  try {
    AttributeBuild(*source, {{"assets/a.js", 3, 3}});
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "dist/assets/a.js.map: mappings: offset 1: invalid base64 character '$'");
  }
}

namespace {

struct ChunkPackages {
  std::map<std::string, uint64_t> by_key;  // install path (packages) or folder name
  uint64_t unmapped = 0;
};

// files[].packages of a JSON report, keyed by build path.
std::map<std::string, ChunkPackages> JsonPackages(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root = parser.parse(padded);
  std::map<std::string, ChunkPackages> out;
  for (simdjson::dom::element f : root["files"].get_array()) {
    simdjson::dom::array packages;
    if (f["packages"].get_array().get(packages)) continue;
    ChunkPackages& c = out[std::string(f["path"].get_string().value())];
    c.unmapped = f["unmapped"].get_uint64().value();
    for (simdjson::dom::element p : packages) {
      std::string_view name = p["name"].get_string().value();
      if (name == "(unmapped)") continue;
      std::string_view path;
      std::string key = p["path"].get_string().get(path) ? std::string(name) : std::string(path);
      c.by_key[key] += p["raw"].get_uint64().value();
    }
  }
  return out;
}

// The reference implementation's reading of every map of a build.
std::map<std::string, ChunkPackages> ReferencePackages(const std::string& build) {
  CommandResult r = testing::Run({"python3", Reference(), build});
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(r.out);
  simdjson::dom::element root = parser.parse(padded);
  std::map<std::string, ChunkPackages> out;
  for (auto chunk : root.get_object()) {
    ChunkPackages& c = out[std::string(chunk.key)];
    c.unmapped = chunk.value["unmapped"].get_uint64().value();
    for (auto field : chunk.value["packages"].get_object()) {
      c.by_key[std::string(field.key)] = field.value.get_uint64().value();
    }
  }
  return out;
}

}  // namespace

TEST_CASE("attribution e2e: package bytes equal an independent reading of the maps", "[attribution][e2e]") {
  for (std::string fixture : {"sourcemap", "hidden-sourcemap", "duplicate"}) {
    CommandResult r = RunNpsbundle({"check", Fixture(fixture), "--format", "json"});
    INFO(fixture << "\n" << r.err);
    REQUIRE((r.exit_code == 0 || r.exit_code == 1));
    std::map<std::string, ChunkPackages> got = JsonPackages(r.out);
    std::map<std::string, ChunkPackages> expected = ReferencePackages(Fixture(fixture));
    REQUIRE(got.size() == expected.size());
    size_t maps = 0;
    for (const auto& [path, want] : expected) {
      INFO(path);
      REQUIRE(got.count(path));
      CHECK(got[path].by_key == want.by_key);
      CHECK(got[path].unmapped == want.unmapped);
      ++maps;
    }
    CHECK(maps >= 10);
  }
}

TEST_CASE("attribution e2e: the vendor chunks hold react, react-dom, i18next and react-query", "[attribution][e2e]") {
  CommandResult r = RunNpsbundle({"check", Fixture("sourcemap"), "--budget", "nps", "--format", "json"});
  REQUIRE(r.exit_code == 0);
  std::map<std::string, ChunkPackages> got = JsonPackages(r.out);
  auto holder = [&](const std::string& install_path) {
    std::vector<std::string> chunks;
    for (const auto& [file, c] : got) {
      if (c.by_key.count(install_path)) chunks.push_back(file);
    }
    return chunks;
  };
  struct Case {
    std::string package, chunk_prefix;
  };
  for (const Case& c : {Case{"react", "assets/vendor-react-"}, Case{"react-dom", "assets/vendor-react-"},
                        Case{"i18next", "assets/vendor-i18n-"}, Case{"@tanstack/react-query", "assets/vendor-query-"}}) {
    std::vector<std::string> chunks = holder("node_modules/" + c.package);
    INFO(c.package);
    REQUIRE(chunks.size() == 1);
    CHECK(chunks[0].rfind(c.chunk_prefix, 0) == 0);
  }
  // The default budget lists packages per vendor chunk: all verified.
  CHECK(Contains(r.out, "\"subject\": \"vendor-react: react-dom\", \"status\": \"pass\""));
  // The text report shows the largest packages; --all, each chunk's.
  CommandResult text = RunNpsbundle({"check", Fixture("sourcemap")});
  CHECK(Contains(text.out, "Largest packages and folders (source maps)"));
  CHECK(Contains(text.out, "react-dom"));
  CommandResult all = RunNpsbundle({"check", Fixture("sourcemap"), "--all"});
  CHECK(Contains(all.out, "Packages per chunk (source maps)"));
}

TEST_CASE("attribution e2e: a package outside its vendor chunk is a finding naming where it landed", "[attribution][e2e]") {
  testing::TempDir dir;
  testing::WriteFile(dir / "budget.json", R"({"version": 1,
    "vendorChunks": {"vendor-react": ["react", "i18next"], "vendor-query": ["@tanstack/react-query"]}})");
  CommandResult r = RunNpsbundle({"check", Fixture("sourcemap"), "--budget", dir / "budget.json", "--format", "json"});
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.out, "i18next should be in vendor-react but landed in assets/vendor-i18n-"));
  CHECK(Contains(r.out, "\"subject\": \"vendor-react: react\", \"status\": \"pass\""));
}

TEST_CASE("attribution e2e: the duplicate fixture has two copies of react-is on the Oracle route", "[attribution][e2e]") {
  // Default severity: a warning, the check passes.
  CommandResult warn = RunNpsbundle({"check", Fixture("duplicate"), "--format", "json"});
  CHECK(warn.exit_code == 0);
  CHECK(Contains(warn.out, "\"rule\": \"duplicates\", \"subject\": \"react-is\", \"status\": \"warn\""));
  testing::TempDir dir;
  testing::WriteFile(dir / "budget.json", R"({"version": 1, "duplicates": "error"})");
  CommandResult r = RunNpsbundle({"check", Fixture("duplicate"), "--budget", dir / "budget.json"});
  INFO(r.out);
  CHECK(r.exit_code == 1);
  // Both copies and both chunks are named; the smaller copy is the waste.
  std::string expected_index, expected_oracle;
  for (const auto& entry : std::filesystem::directory_iterator(Fixture("duplicate") + "/assets")) {
    std::string name = entry.path().filename().string();
    if (name.rfind("index-", 0) == 0 && name.size() > 3 && name.substr(name.size() - 3) == ".js") expected_index = name;
    if (name.rfind("Oracle-", 0) == 0 && name.substr(name.size() - 3) == ".js") expected_oracle = name;
  }
  CHECK(Contains(r.out, "✗ duplicates     react-is is installed 2 times on the route to Oracle"));
  CHECK(Contains(r.out, "node_modules/react-is in assets/" + expected_index));
  CHECK(Contains(r.out, "node_modules/hoist-non-react-statics/node_modules/react-is in assets/" + expected_oracle));
  // The wasted bytes are the smaller copy, as the reference reads the maps.
  uint64_t top = 0, nested = 0;
  for (const auto& [chunk, c] : ReferencePackages(Fixture("duplicate"))) {
    if (c.by_key.count("node_modules/react-is")) top += c.by_key.at("node_modules/react-is");
    if (c.by_key.count("node_modules/hoist-non-react-statics/node_modules/react-is")) {
      nested += c.by_key.at("node_modules/hoist-non-react-statics/node_modules/react-is");
    }
  }
  REQUIRE(top > 0);
  REQUIRE(nested > 0);
  CHECK(Contains(r.out, "; " + FormatKb(std::min(top, nested)) + " raw duplicated"));
  // Off: no finding at all.
  testing::WriteFile(dir / "off.json", R"({"version": 1, "duplicates": {"severity": "off"}})");
  CommandResult off = RunNpsbundle({"check", Fixture("duplicate"), "--budget", dir / "off.json"});
  CHECK(off.exit_code == 0);
  CHECK_FALSE(Contains(off.out, "duplicates"));
  // The sourcemap build (one copy of everything) has no duplicates.
  CommandResult clean = RunNpsbundle({"check", Fixture("sourcemap"), "--budget", dir / "budget.json"});
  CHECK(clean.exit_code == 0);
  CHECK(Contains(clean.out, "✓ duplicates     no package is installed twice, and no module is in two chunks"));
}

TEST_CASE("attribution e2e: duplicates severity is validated with its location", "[attribution][e2e]") {
  testing::TempDir dir;
  testing::WriteFile(dir / "b.json", R"({"version": 1, "duplicates": {"severity": "fatal"}})");
  CommandResult r = RunNpsbundle({"check", Fixture("duplicate"), "--budget", dir / "b.json"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "npsbundle: error: " + (dir / "b.json") +
                     ": duplicates.severity: \"fatal\": expected \"error\", \"warning\" or \"off\"\n");
}

}  // namespace npsbundle
