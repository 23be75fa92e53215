#include "budget/why.h"

#include <algorithm>

#include <catch2/catch.hpp>

#include "report/report_why.h"

namespace npsbundle {
namespace {

// Two entries sharing a vendor chunk; index.html's lazy page Chart loads a
// charts chunk. eventemitter3 is in both the vendor and the charts chunk.
Manifest TwoEntries() {
  return ParseManifest(R"({
    "index.html": {"file": "assets/index-I.js", "isEntry": true, "src": "index.html",
                   "imports": ["_vendor-V.js"], "dynamicImports": ["src/pages/Chart.tsx"]},
    "admin.html": {"file": "assets/admin-A.js", "isEntry": true, "src": "admin.html", "imports": ["_vendor-V.js"]},
    "_vendor-V.js": {"file": "assets/vendor-V.js", "name": "vendor"},
    "src/pages/Chart.tsx": {"file": "assets/Chart-P.js", "isDynamicEntry": true, "src": "src/pages/Chart.tsx",
                            "imports": ["_charts-C.js"]},
    "_charts-C.js": {"file": "assets/charts-C.js", "name": "charts", "css": ["assets/charts-C.css"]}
  })", "manifest.json");
}

GroupShare Package(const std::string& name, uint64_t raw, std::vector<std::string> modules) {
  GroupShare group;
  group.kind = OriginKind::kPackage;
  group.name = name;
  group.raw = raw;
  for (const std::string& module : modules) group.modules.push_back(ModuleShare{module, raw});
  return group;
}

CheckReport TwoEntriesReport() {
  CheckReport report;
  auto file = [&](const std::string& path, FileKind kind) {
    FileRow row;
    row.size.path = path;
    row.kind = kind;
    report.files.push_back(row);
  };
  for (const char* path : {"assets/Chart-P.js", "assets/admin-A.js", "assets/charts-C.js", "assets/index-I.js",
                           "assets/vendor-V.js"}) {
    file(path, FileKind::kScript);
  }
  file("assets/charts-C.css", FileKind::kStyle);
  std::sort(report.files.begin(), report.files.end(),  // by path, as RunCheck leaves them
            [](const FileRow& a, const FileRow& b) { return a.size.path < b.size.path; });
  report.entries.push_back(LoadGroup{"admin.html", "admin.html", "", {"assets/admin-A.js", "assets/vendor-V.js"}, {}, {}, {}});
  report.entries.push_back(LoadGroup{"index.html", "index.html", "", {"assets/index-I.js", "assets/vendor-V.js"}, {}, {}, {}});
  report.lazy_pages.push_back(
      LoadGroup{"src/pages/Chart.tsx", "Chart", "index.html", {"assets/Chart-P.js", "assets/charts-C.js"}, {}, {}, {}});
  ChunkAttribution charts;
  charts.file = "assets/charts-C.js";
  charts.groups = {Package("echarts", 9000, {"node_modules/echarts/core.js"}),
                   Package("eventemitter3", 500, {"node_modules/eventemitter3/index.js"})};
  ChunkAttribution vendor;
  vendor.file = "assets/vendor-V.js";
  vendor.groups = {Package("react-dom", 4000, {"node_modules/react-dom/client.js"}),
                   Package("eventemitter3", 200, {"node_modules/eventemitter3/umd/eventemitter3.min.js"})};
  report.attribution = {charts, vendor};
  return report;
}

std::vector<std::string> Keys(const std::vector<WhyStep>& chain) {
  std::vector<std::string> keys;
  for (const WhyStep& step : chain) keys.push_back(step.key + (step.dynamic ? " (import())" : ""));
  return keys;
}

}  // namespace

TEST_CASE("why: chunks, load sets and import chains from source maps", "[why]") {
  Manifest manifest = TwoEntries();
  WhyResult why = ExplainPackage(TwoEntriesReport(), &manifest, "eventemitter3");
  CHECK(why.from_source_maps);
  CHECK(why.raw == 700);
  // Scripts without a map might hold it too; the stylesheet is not listed.
  CHECK(why.unmapped_files == std::vector<std::string>{"assets/Chart-P.js", "assets/admin-A.js", "assets/index-I.js"});
  REQUIRE(why.chunks.size() == 2);
  const WhyChunk& charts = why.chunks[0];  // largest first
  CHECK(charts.file == "assets/charts-C.js");
  CHECK(charts.raw == 500);
  CHECK(charts.modules == std::vector<std::string>{"node_modules/eventemitter3/index.js"});
  CHECK(charts.sets == std::vector<std::string>{"page Chart"});
  REQUIRE(charts.chains.size() == 1);  // admin.html never reaches it
  CHECK(Keys(charts.chains[0]) ==
        std::vector<std::string>{"index.html", "src/pages/Chart.tsx (import())", "_charts-C.js"});
  CHECK(charts.chains[0].back().file == "assets/charts-C.js");
  const WhyChunk& vendor = why.chunks[1];
  CHECK(vendor.sets == std::vector<std::string>{"initial admin.html", "initial index.html"});
  REQUIRE(vendor.chains.size() == 2);  // entries in key order
  CHECK(Keys(vendor.chains[0]) == std::vector<std::string>{"admin.html", "_vendor-V.js"});
  CHECK(Keys(vendor.chains[1]) == std::vector<std::string>{"index.html", "_vendor-V.js"});

  std::string text = RenderWhyText(why, "dist");
  CHECK_THAT(text, Catch::Contains("eventemitter3: 0.7 kB raw in 2 chunks (from source maps)"));
  CHECK_THAT(text, Catch::Contains("  loaded by: page Chart\n"));
  CHECK_THAT(text, Catch::Contains("  index.html ⇢ src/pages/Chart.tsx → _charts-C.js\n"));
  std::string json = RenderWhyJson(why, "dist");
  CHECK_THAT(json, Catch::Contains(R"({"key": "src/pages/Chart.tsx", "file": "assets/Chart-P.js", "dynamic": true})"));
  CHECK_THAT(json, Catch::Contains(R"("sets": ["initial admin.html", "initial index.html"])"));
}

TEST_CASE("why: an unknown package finds nothing; near names are offered", "[why]") {
  Manifest manifest = TwoEntries();
  CheckReport report = TwoEntriesReport();
  CHECK(ExplainPackage(report, &manifest, "eventemiter3").chunks.empty());
  CHECK(KnownPackages(report, &manifest) == std::vector<std::string>{"echarts", "eventemitter3", "react-dom"});
  struct Case {
    std::string name;
    std::vector<std::string> near;
  };
  const std::vector<std::string> known = {"echarts", "eventemitter3", "react", "react-dom", "vue", "vue-router"};
  const Case cases[] = {
      {"eventemiter3", {"eventemitter3"}},      // a typo
      {"react-dm", {"react-dom", "react"}},     // one edit; three, but a part of it
      {"dom", {"react-dom"}},                   // a part of the name
      {"vue-rooter", {"vue-router", "vue"}},
      {"lodash", {}},                           // nothing near
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(NearNames(known, c.name) == c.near);
  }
}

TEST_CASE("why: without source maps, chunks whose manifest source is in the package", "[why]") {
  Manifest manifest = ParseManifest(R"({
    "index.html": {"file": "assets/index-I.js", "isEntry": true, "src": "index.html",
                   "dynamicImports": ["node_modules/shiki/dist/langs/ts.mjs"]},
    "node_modules/shiki/dist/langs/ts.mjs": {"file": "assets/ts-T.js", "isDynamicEntry": true,
                                             "src": "node_modules/shiki/dist/langs/ts.mjs"}
  })", "manifest.json");
  CheckReport report;
  report.lazy_libraries.push_back(LoadGroup{"shiki", "shiki", "index.html", {"assets/ts-T.js"}, {}, {}, {}});
  WhyResult why = ExplainPackage(report, &manifest, "shiki");
  CHECK_FALSE(why.from_source_maps);
  REQUIRE(why.chunks.size() == 1);
  CHECK(why.chunks[0].file == "assets/ts-T.js");
  CHECK(why.chunks[0].raw == 0);
  CHECK(why.chunks[0].sets == std::vector<std::string>{"library shiki"});
  REQUIRE(why.chunks[0].chains.size() == 1);
  CHECK(Keys(why.chunks[0].chains[0]) ==
        std::vector<std::string>{"index.html", "node_modules/shiki/dist/langs/ts.mjs (import())"});
  CHECK(KnownPackages(report, &manifest) == std::vector<std::string>{"shiki"});
  // A manualChunks name counts too: "vendor-react" for react (not "vendor").
  Manifest named = ParseManifest(R"({
    "index.html": {"file": "assets/index-I.js", "isEntry": true, "imports": ["_vendor-react-R.js"]},
    "_vendor-react-R.js": {"file": "assets/vendor-react-R.js", "name": "vendor-react"}
  })", "manifest.json");
  WhyResult react = ExplainPackage(CheckReport{}, &named, "react");
  REQUIRE(react.chunks.size() == 1);
  CHECK(react.chunks[0].file == "assets/vendor-react-R.js");
  CHECK(ExplainPackage(CheckReport{}, &named, "vendor").chunks.empty());
  CHECK_THAT(RenderWhyText(why, "dist"), Catch::Contains("build with build.sourcemap: 'hidden'"));
}

}  // namespace npsbundle
