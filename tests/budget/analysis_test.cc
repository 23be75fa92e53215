#include "budget/analysis.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "budget/budget.h"
#include "build/manifest.h"
#include "build/file_sizes.h"
#include "core/units.h"

namespace npsbundle {
namespace {

using Strings = std::vector<std::string>;

FileMeasurement M(const std::string& path, uint64_t raw, uint64_t gzip, uint64_t brotli) {
  FileMeasurement m;
  m.path = path;
  m.raw = raw;
  m.gzip = gzip;
  m.brotli = brotli;
  m.compressible = true;
  return m;
}

// A hand-made build: index.html loads vendor-react, shared and Home (Home is
// also imported dynamically, so it is eager); Oracle pulls chart and
// vendor-charts; Vault imports the entry back; Settings lazily loads Deep;
// Orphan is a dynamic entry nothing reaches.
const char* kManifestJson = R"({
  "index.html": {"file": "assets/index-A.js", "name": "index", "src": "index.html", "isEntry": true,
                 "imports": ["_vendor-react-X.js", "_shared-S.js", "src/pages/Home.tsx"],
                 "dynamicImports": ["src/pages/Oracle.tsx", "src/pages/Vault.tsx", "src/pages/Settings.tsx",
                                    "src/pages/Home.tsx"],
                 "css": ["assets/index-C.css"], "assets": ["assets/logo-B.svg"]},
  "_vendor-react-X.js": {"file": "assets/vendor-react-X.js", "name": "vendor-react"},
  "_shared-S.js": {"file": "assets/shared-S.js", "name": "shared"},
  "src/pages/Home.tsx": {"file": "assets/Home-H.js", "name": "Home", "src": "src/pages/Home.tsx",
                         "isDynamicEntry": true},
  "src/pages/Oracle.tsx": {"file": "assets/Oracle-O.js", "name": "Oracle", "src": "src/pages/Oracle.tsx",
                           "isDynamicEntry": true, "imports": ["_vendor-react-X.js", "_chart-L.js"],
                           "css": ["assets/Oracle-C.css"]},
  "_chart-L.js": {"file": "assets/chart-L.js", "name": "chart", "imports": ["_vendor-charts-Q.js"]},
  "_vendor-charts-Q.js": {"file": "assets/vendor-charts-Q.js", "name": "vendor-charts"},
  "src/pages/Vault.tsx": {"file": "assets/Vault-V.js", "name": "Vault", "src": "src/pages/Vault.tsx",
                          "isDynamicEntry": true, "imports": ["index.html"]},
  "src/pages/Settings.tsx": {"file": "assets/Settings-T.js", "name": "Settings", "src": "src/pages/Settings.tsx",
                             "isDynamicEntry": true, "dynamicImports": ["src/pages/Deep.tsx"]},
  "src/pages/Deep.tsx": {"file": "assets/Deep-D.js", "src": "src/pages/Deep.tsx", "isDynamicEntry": true},
  "src/pages/Orphan.tsx": {"file": "assets/Orphan-P.js", "name": "Orphan", "src": "src/pages/Orphan.tsx",
                           "isDynamicEntry": true}
})";

// Sizes chosen by hand; the expected totals below add them up explicitly.
const FileMeasurement kIndexJs = M("assets/index-A.js", 10000, 4000, 3500);
const FileMeasurement kIndexCss = M("assets/index-C.css", 2000, 600, 500);
const FileMeasurement kVendorReact = M("assets/vendor-react-X.js", 150000, 50000, 43000);
const FileMeasurement kShared = M("assets/shared-S.js", 3000, 1200, 1000);
const FileMeasurement kHome = M("assets/Home-H.js", 6000, 2500, 2200);
const FileMeasurement kOracleJs = M("assets/Oracle-O.js", 20000, 7000, 6000);
const FileMeasurement kOracleCss = M("assets/Oracle-C.css", 1000, 300, 250);
const FileMeasurement kChart = M("assets/chart-L.js", 260000, 80000, 70000);
const FileMeasurement kVendorCharts = M("assets/vendor-charts-Q.js", 5000, 2000, 1800);
const FileMeasurement kVault = M("assets/Vault-V.js", 4000, 1500, 1300);
const FileMeasurement kSettings = M("assets/Settings-T.js", 3000, 1000, 900);
const FileMeasurement kDeep = M("assets/Deep-D.js", 2000, 800, 700);
const FileMeasurement kOrphan = M("assets/Orphan-P.js", 1000, 500, 450);
const FileMeasurement kLogo = M("assets/logo-B.svg", 5000, 2000, 1900);
const FileMeasurement kHtml = M("index.html", 800, 400, 350);
const FileMeasurement kMap = M("assets/chart-L.js.map", 90000000, 90000000, 90000000);

std::vector<FileMeasurement> Measurements() {
  // Deliberately out of path order: Analyze sorts.
  return {kOrphan, kIndexJs,  kIndexCss, kVendorReact, kShared, kHome,  kOracleJs, kOracleCss,
          kChart,  kVendorCharts, kVault, kSettings,    kDeep,   kLogo, kHtml,     kMap};
}

Manifest TheManifest() {
  Manifest manifest = ParseManifest(kManifestJson, "m.json");
  manifest.path = ".vite/manifest.json";
  return manifest;
}

SizeLimit Limit(const char* text) {
  SizeLimit limit;
  std::string error;
  REQUIRE(ParseSizeLimit(text, &limit, &error));
  return limit;
}

Budget EmptyBudget() { return ParseBudget(R"({"version": 1})", "b.json"); }

std::vector<const RuleResult*> Rules(const CheckReport& report, const std::string& rule) {
  std::vector<const RuleResult*> out;
  for (const RuleResult& r : report.rules) {
    if (r.rule == rule) out.push_back(&r);
  }
  return out;
}

const RuleResult& OnlyRule(const CheckReport& report, const std::string& rule) {
  std::vector<const RuleResult*> rules = Rules(report, rule);
  REQUIRE(rules.size() == 1);
  return *rules.front();
}

const RuleResult* RuleFor(const CheckReport& report, const std::string& rule, const std::string& subject) {
  for (const RuleResult& r : report.rules) {
    if (r.rule == rule && r.subject == subject) return &r;
  }
  return nullptr;
}

const LoadGroup* Page(const CheckReport& report, const std::string& key, const std::string& entry) {
  for (const LoadGroup& g : report.lazy_pages) {
    if (g.key == key && g.entry == entry) return &g;
  }
  return nullptr;
}

void CheckTotals(const Totals& totals, std::initializer_list<FileMeasurement> files) {
  uint64_t raw = 0, gzip = 0, brotli = 0;
  for (const FileMeasurement& f : files) {
    raw += f.raw;
    gzip += f.gzip;
    brotli += f.brotli;
  }
  CHECK(totals.raw == raw);
  CHECK(totals.gzip == gzip);
  CHECK(totals.brotli == brotli);
  CHECK(totals.files == files.size());
}

TEST_CASE("analysis: KindOfPath and FileKindName", "[analysis]") {
  struct Case {
    const char* path;
    FileKind kind;
    const char* name;
  };
  const Case cases[] = {
      {"assets/a.js", FileKind::kScript, "js"},       {"assets/a.mjs", FileKind::kScript, "js"},
      {"a.cjs", FileKind::kScript, "js"},             {"assets/a.css", FileKind::kStyle, "css"},
      {"index.html", FileKind::kHtml, "html"},        {"old.htm", FileKind::kHtml, "html"},
      {"assets/a.js.map", FileKind::kSourceMap, "map"}, {"assets/a.css.map", FileKind::kSourceMap, "map"},
      {"assets/logo.svg", FileKind::kAsset, "asset"}, {"manifest.json", FileKind::kAsset, "asset"},
      {"assets/a.js.gz", FileKind::kAsset, "asset"},  {"README", FileKind::kAsset, "asset"},
  };
  for (const Case& c : cases) {
    INFO(c.path);
    CHECK(KindOfPath(c.path) == c.kind);
    CHECK(FileKindName(c.kind) == c.name);
  }
}

TEST_CASE("analysis: report header fields and files sorted with manifest details", "[analysis]") {
  Manifest manifest = TheManifest();
  Budget budget = ParseBudget(R"({"version": 1, "compression": {"gzipLevel": 6}})", "team.json");
  CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
  CHECK(report.input == "dist");
  CHECK(report.manifest_path == ".vite/manifest.json");
  CHECK(report.budget_path == "team.json");
  CHECK(report.levels.gzip_level == 6);
  REQUIRE(report.files.size() == Measurements().size());
  for (size_t i = 1; i < report.files.size(); ++i) {
    CHECK(report.files[i - 1].size.path < report.files[i].size.path);
  }
  const FileRow* chart = report.FindFile("assets/chart-L.js");
  REQUIRE(chart != nullptr);
  CHECK(chart->kind == FileKind::kScript);
  CHECK(chart->manifest_key == "_chart-L.js");
  CHECK(chart->chunk_name == "chart");
  CHECK(chart->size.raw == kChart.raw);
  const FileRow* deep = report.FindFile("assets/Deep-D.js");
  REQUIRE(deep != nullptr);
  CHECK(deep->manifest_key == "src/pages/Deep.tsx");
  CHECK(deep->chunk_name.empty());
  const FileRow* css = report.FindFile("assets/index-C.css");
  REQUIRE(css != nullptr);
  CHECK(css->kind == FileKind::kStyle);
  CHECK(css->manifest_key.empty());  // a chunk's css has no record of its own
  CHECK(report.FindFile("assets/chart-L.js.map")->kind == FileKind::kSourceMap);
  CHECK(report.FindFile("assets/missing.js") == nullptr);
  CHECK(report.notes.empty());
  CHECK(report.rules.empty());  // the empty budget has no rules
  CHECK(report.passed());
  CHECK(report.failures() == 0);
}

TEST_CASE("analysis: initial load per entry, in total and by type", "[analysis]") {
  Manifest manifest = TheManifest();
  CheckReport report = Analyze("dist", &manifest, Measurements(), EmptyBudget());
  REQUIRE(report.entries.size() == 1);
  const LoadGroup& entry = report.entries[0];
  CHECK(entry.key == "index.html");
  CHECK(entry.label == "index.html");
  CHECK(entry.entry.empty());
  CHECK(entry.files == Strings{"assets/index-A.js", "assets/vendor-react-X.js", "assets/shared-S.js",
                               "assets/Home-H.js", "assets/index-C.css"});
  CheckTotals(entry.total, {kIndexJs, kVendorReact, kShared, kHome, kIndexCss});
  CheckTotals(entry.js, {kIndexJs, kVendorReact, kShared, kHome});
  CheckTotals(entry.css, {kIndexCss});
}

TEST_CASE("analysis: lazy pages with their route cost", "[analysis]") {
  Manifest manifest = TheManifest();
  CheckReport report = Analyze("dist", &manifest, Measurements(), EmptyBudget());
  Strings keys;
  for (const LoadGroup& g : report.lazy_pages) keys.push_back(g.key + " <- " + g.entry);
  // Breadth first from the entry, then dynamic entries no entry reaches.
  // Home is in the initial load, so visiting it adds nothing and it is no lazy page.
  CHECK(keys == Strings{"src/pages/Oracle.tsx <- index.html", "src/pages/Vault.tsx <- index.html",
                        "src/pages/Settings.tsx <- index.html", "src/pages/Deep.tsx <- index.html",
                        "src/pages/Orphan.tsx <- "});

  const LoadGroup* oracle = Page(report, "src/pages/Oracle.tsx", "index.html");
  REQUIRE(oracle != nullptr);
  CHECK(oracle->label == "Oracle");
  CHECK(oracle->files == Strings{"assets/Oracle-O.js", "assets/chart-L.js", "assets/vendor-charts-Q.js",
                                 "assets/Oracle-C.css"});
  CheckTotals(oracle->total, {kOracleJs, kChart, kVendorCharts, kOracleCss});
  CheckTotals(oracle->js, {kOracleJs, kChart, kVendorCharts});
  CheckTotals(oracle->css, {kOracleCss});

  const LoadGroup* vault = Page(report, "src/pages/Vault.tsx", "index.html");
  REQUIRE(vault != nullptr);
  CHECK(vault->files == Strings{"assets/Vault-V.js"});  // the entry it imports is loaded already
  CheckTotals(vault->total, {kVault});

  const LoadGroup* deep = Page(report, "src/pages/Deep.tsx", "index.html");
  REQUIRE(deep != nullptr);
  CHECK(deep->label == "Deep");  // no chunk name: the source file's stem
  CheckTotals(deep->total, {kDeep});

  const LoadGroup* orphan = Page(report, "src/pages/Orphan.tsx", "");
  REQUIRE(orphan != nullptr);
  CheckTotals(orphan->total, {kOrphan});
}

TEST_CASE("analysis: initial, initial.js, initial.css and requests rules", "[analysis]") {
  Manifest manifest = TheManifest();
  const uint64_t gzip = kIndexJs.gzip + kVendorReact.gzip + kShared.gzip + kHome.gzip + kIndexCss.gzip;
  const uint64_t js_brotli = kIndexJs.brotli + kVendorReact.brotli + kShared.brotli + kHome.brotli;

  SECTION("limits exactly at the figures pass") {
    Budget budget = EmptyBudget();
    budget.initial = SizeLimit{gzip, Measure::kGzip};
    budget.initial_js = SizeLimit{js_brotli, Measure::kBrotli};
    budget.initial_css = SizeLimit{kIndexCss.raw, Measure::kRaw};
    budget.max_initial_requests = 5;
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    CHECK(report.passed());
    const RuleResult& initial = OnlyRule(report, "initial");
    CHECK(initial.status == RuleStatus::kPass);
    CHECK(initial.subject == "index.html");
    CHECK(initial.file == "assets/index-A.js");
    CHECK(initial.actual == gzip);
    CHECK(OnlyRule(report, "initial.js").actual == js_brotli);
    CHECK(OnlyRule(report, "initial.css").actual == kIndexCss.raw);
    CHECK(OnlyRule(report, "requests").actual == 5u);
    CHECK(OnlyRule(report, "requests").max_count == 5u);
  }

  SECTION("one byte less fails, with the whole message") {
    Budget budget = EmptyBudget();
    budget.initial = Limit("50 kB gzip");
    budget.initial_js = SizeLimit{js_brotli - 1, Measure::kBrotli};
    budget.initial_css = Limit("500 B raw");
    budget.max_initial_requests = 4;
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    CHECK(report.failures() == 4);
    CHECK_FALSE(report.passed());
    // 4000 + 50000 + 1200 + 2500 + 600 = 58300 bytes gzip.
    const RuleResult& initial = OnlyRule(report, "initial");
    CHECK(initial.status == RuleStatus::kFail);
    CHECK(initial.limit->bytes == 50000);
    CHECK(initial.message ==
          "initial load of index.html (5 files) is 58.3 kB gzip, over the limit of 50.0 kB gzip by 8.3 kB");
    // 3500 + 43000 + 1000 + 2200 = 49700 brotli against 49699.
    CHECK(OnlyRule(report, "initial.js").message ==
          "JavaScript in the initial load of index.html is 49.7 kB brotli, over the limit of 49.7 kB brotli "
          "by 1 B");
    CHECK(OnlyRule(report, "initial.css").message ==
          "CSS in the initial load of index.html is 2.0 kB raw, over the limit of 0.5 kB raw by 1.5 kB");
    const RuleResult& requests = OnlyRule(report, "requests");
    CHECK(requests.status == RuleStatus::kFail);
    CHECK(requests.message == "initial load of index.html fetches 5 files, over the limit of 4");
  }

  SECTION("within the limit, the message says so") {
    Budget budget = EmptyBudget();
    budget.initial = Limit("500 kB gzip");
    budget.max_initial_requests = 10;
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    CHECK(OnlyRule(report, "initial").message ==
          "initial load of index.html (5 files) is 58.3 kB gzip, within 500.0 kB gzip");
    CHECK(OnlyRule(report, "requests").message == "initial load of index.html fetches 5 files, within 10");
  }
}

TEST_CASE("analysis: chunk rule on every JS and CSS file, with overrides", "[analysis]") {
  Manifest manifest = TheManifest();
  // js and css files of the build: everything but the svg, the html and the map.
  const size_t kChunks = Measurements().size() - 3;

  SECTION("the default limit") {
    Budget budget = EmptyBudget();
    budget.chunk = Limit("250 kB raw");
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    std::vector<const RuleResult*> rules = Rules(report, "chunk");
    CHECK(rules.size() == kChunks);
    CHECK(RuleFor(report, "chunk", "assets/logo-B.svg") == nullptr);
    CHECK(RuleFor(report, "chunk", "index.html") == nullptr);
    CHECK(RuleFor(report, "chunk", "assets/chart-L.js.map") == nullptr);
    CHECK(report.failures() == 1);
    const RuleResult* chart = RuleFor(report, "chunk", "assets/chart-L.js");
    REQUIRE(chart != nullptr);
    CHECK(chart->status == RuleStatus::kFail);
    CHECK(chart->file == "assets/chart-L.js");
    CHECK(chart->actual == kChart.raw);
    CHECK(chart->message == "assets/chart-L.js is 260.0 kB raw, over the limit of 250.0 kB raw by 10.0 kB");
    CHECK(RuleFor(report, "chunk", "assets/index-C.css")->status == RuleStatus::kPass);
  }

  SECTION("override by chunk name") {
    Budget budget = EmptyBudget();
    budget.chunk = Limit("250 kB raw");
    budget.chunk_overrides = {{"chart", Limit("300 kB raw")}};
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    CHECK(report.passed());
    CHECK(RuleFor(report, "chunk", "assets/chart-L.js")->limit->bytes == 300000);
    CHECK(RuleFor(report, "chunk", "assets/Oracle-O.js")->limit->bytes == 250000);
  }

  SECTION("override by path glob, in another measure") {
    Budget budget = EmptyBudget();
    budget.chunk = Limit("250 kB raw");
    budget.chunk_overrides = {{"assets/vendor-*.js", Limit("40 kB gzip")}};
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    const RuleResult* react = RuleFor(report, "chunk", "assets/vendor-react-X.js");
    REQUIRE(react != nullptr);
    CHECK(react->status == RuleStatus::kFail);
    CHECK(react->actual == kVendorReact.gzip);
    CHECK(react->message ==
          "assets/vendor-react-X.js is 50.0 kB gzip, over the limit of 40.0 kB gzip by 10.0 kB");
    CHECK(RuleFor(report, "chunk", "assets/vendor-charts-Q.js")->actual == kVendorCharts.gzip);
    CHECK(RuleFor(report, "chunk", "assets/vendor-charts-Q.js")->status == RuleStatus::kPass);
    CHECK(report.failures() == 2);  // vendor-react and chart
  }

  SECTION("override by manifest key") {
    Budget budget = EmptyBudget();
    budget.chunk_overrides = {{"src/pages/Oracle.tsx", Limit("1 kB brotli")}};
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    // Without a default limit only the overridden chunk is checked.
    REQUIRE(Rules(report, "chunk").size() == 1);
    const RuleResult& oracle = OnlyRule(report, "chunk");
    CHECK(oracle.subject == "assets/Oracle-O.js");
    CHECK(oracle.actual == kOracleJs.brotli);
    CHECK(oracle.status == RuleStatus::kFail);
  }

  SECTION("the first matching override wins") {
    Budget budget = EmptyBudget();
    budget.chunk_overrides = {{"chart", Limit("300 kB raw")}, {"*", Limit("1 B raw")}};
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    CHECK(Rules(report, "chunk").size() == kChunks);
    CHECK(RuleFor(report, "chunk", "assets/chart-L.js")->status == RuleStatus::kPass);
    CHECK(report.failures() == kChunks - 1);
  }
}

TEST_CASE("analysis: vendorChunks findings", "[analysis]") {
  Manifest manifest = TheManifest();
  struct Case {
    const char* name;
    RuleStatus status;
    const char* file;
    const char* message;
  };
  const Case cases[] = {
      {"vendor-react", RuleStatus::kPass, "assets/vendor-react-X.js",
       "vendor-react is a separate file (assets/vendor-react-X.js) in the initial load of index.html"},
      {"vendor-i18n", RuleStatus::kFail, "",
       "no chunk named vendor-i18n: its packages are bundled elsewhere (is the vendor split configured in "
       "vite.config?)"},
      {"index", RuleStatus::kFail, "assets/index-A.js",
       "index is the entry chunk itself (assets/index-A.js), not a separate vendor file"},
      {"vendor-charts", RuleStatus::kFail, "assets/vendor-charts-Q.js",
       "vendor-charts (assets/vendor-charts-Q.js) is not part of any initial load: only lazy pages fetch it"},
      // A prefix of a chunk name is not that chunk.
      {"vendor", RuleStatus::kFail, "",
       "no chunk named vendor: its packages are bundled elsewhere (is the vendor split configured in "
       "vite.config?)"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    Budget budget = EmptyBudget();
    budget.vendor_chunks = {c.name};
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    const RuleResult& rule = OnlyRule(report, "vendorChunks");
    CHECK(rule.subject == c.name);
    CHECK(rule.status == c.status);
    CHECK(rule.file == c.file);
    CHECK(rule.message == c.message);
    CHECK_FALSE(rule.actual.has_value());
  }
}

TEST_CASE("analysis: vendorChunks finds a chunk by file name when the manifest has no name", "[analysis]") {
  Manifest manifest = ParseManifest(R"({
    "index.html": {"file": "assets/index-A.js", "isEntry": true, "imports": ["_vendor-i18n-Z.js"]},
    "_vendor-i18n-Z.js": {"file": "assets/vendor-i18n-Z.js"}
  })",
                                    "m.json");
  Budget budget = EmptyBudget();
  budget.vendor_chunks = {"vendor-i18n"};
  CheckReport report = Analyze(
      "dist", &manifest, {M("assets/index-A.js", 10, 5, 4), M("assets/vendor-i18n-Z.js", 10, 5, 4)}, budget);
  const RuleResult& rule = OnlyRule(report, "vendorChunks");
  CHECK(rule.status == RuleStatus::kPass);
  CHECK(rule.file == "assets/vendor-i18n-Z.js");
}

TEST_CASE("analysis: lazyPages findings", "[analysis]") {
  Manifest manifest = TheManifest();
  struct Case {
    const char* page;
    RuleStatus status;
    const char* file;
    const char* message;
  };
  const Case cases[] = {
      {"Oracle", RuleStatus::kPass, "assets/Oracle-O.js", "Oracle is lazy-loaded (assets/Oracle-O.js)"},
      {"src/pages/Vault.tsx", RuleStatus::kPass, "assets/Vault-V.js",
       "src/pages/Vault.tsx is lazy-loaded (assets/Vault-V.js)"},
      {"Deep", RuleStatus::kPass, "assets/Deep-D.js", "Deep is lazy-loaded (assets/Deep-D.js)"},  // by file stem
      {"Orphan", RuleStatus::kPass, "assets/Orphan-P.js", "Orphan is lazy-loaded (assets/Orphan-P.js)"},
      {"Home", RuleStatus::kFail, "assets/Home-H.js",
       "Home (assets/Home-H.js) is in the initial load of index.html: it is imported statically somewhere"},
      {"Scanner", RuleStatus::kFail, "",
       "Scanner has no chunk of its own: it is imported statically and bundled into another chunk (load it "
       "with React.lazy(() => import(...)))"},
      {"chart", RuleStatus::kFail, "assets/chart-L.js",
       "chart (assets/chart-L.js) is not loaded with a dynamic import()"},
  };
  for (const Case& c : cases) {
    INFO(c.page);
    Budget budget = EmptyBudget();
    budget.lazy_pages = {c.page};
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    const RuleResult& rule = OnlyRule(report, "lazyPages");
    CHECK(rule.subject == c.page);
    CHECK(rule.status == c.status);
    CHECK(rule.file == c.file);
    CHECK(rule.message == c.message);
  }
}

TEST_CASE("analysis: routeCost rule per lazy page, with overrides", "[analysis]") {
  Manifest manifest = TheManifest();
  const uint64_t oracle_gzip = kOracleJs.gzip + kChart.gzip + kVendorCharts.gzip + kOracleCss.gzip;

  SECTION("one limit for every page") {
    Budget budget = EmptyBudget();
    budget.route_cost = Limit("50 kB gzip");
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    CHECK(Rules(report, "routeCost").size() == report.lazy_pages.size());
    CHECK(report.failures() == 1);
    const RuleResult* oracle = RuleFor(report, "routeCost", "Oracle");
    REQUIRE(oracle != nullptr);
    CHECK(oracle->status == RuleStatus::kFail);
    CHECK(oracle->actual == oracle_gzip);
    CHECK(oracle->file == "assets/Oracle-O.js");
    // 7000 + 80000 + 2000 + 300 = 89300 bytes gzip.
    CHECK(oracle->message ==
          "route cost of Oracle (4 files) is 89.3 kB gzip, over the limit of 50.0 kB gzip by 39.3 kB");
    const RuleResult* vault = RuleFor(report, "routeCost", "Vault");
    REQUIRE(vault != nullptr);
    CHECK(vault->actual == kVault.gzip);
    CHECK(vault->message == "route cost of Vault (1 file) is 1.5 kB gzip, within 50.0 kB gzip");
  }

  SECTION("override by label") {
    Budget budget = EmptyBudget();
    budget.route_cost = Limit("50 kB gzip");
    budget.route_cost_overrides = {{"Oracle", SizeLimit{oracle_gzip, Measure::kGzip}}};
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    CHECK(report.passed());
    CHECK(RuleFor(report, "routeCost", "Oracle")->limit->bytes == oracle_gzip);
  }

  SECTION("override by key glob, without a default") {
    Budget budget = EmptyBudget();
    budget.route_cost_overrides = {{"src/pages/V*", Limit("1 kB raw")}};
    CheckReport report = Analyze("dist", &manifest, Measurements(), budget);
    const RuleResult& vault = OnlyRule(report, "routeCost");
    CHECK(vault.subject == "Vault");
    CHECK(vault.actual == kVault.raw);
    CHECK(vault.status == RuleStatus::kFail);
  }
}

TEST_CASE("analysis: without a manifest only per-file rules run, with a note", "[analysis]") {
  Budget budget = EmptyBudget();
  budget.initial = Limit("1 B gzip");
  budget.max_initial_requests = 1;
  budget.chunk = Limit("250 kB raw");
  budget.vendor_chunks = {"vendor-react"};
  budget.lazy_pages = {"Oracle"};
  budget.route_cost = Limit("1 B gzip");
  CheckReport report = Analyze("dist", nullptr, Measurements(), budget);
  CHECK(report.manifest_path.empty());
  CHECK(report.entries.empty());
  CHECK(report.lazy_pages.empty());
  REQUIRE(report.notes.size() == 1);
  CHECK(report.notes[0] ==
        "No Vite manifest in the build (.vite/manifest.json or manifest.json): initial-load, vendor-chunk and "
        "lazy-page rules need `build: { manifest: true }` in vite.config; only per-file budgets were checked.");
  for (const RuleResult& rule : report.rules) CHECK(rule.rule == "chunk");
  CHECK(Rules(report, "chunk").size() == Measurements().size() - 3);
  CHECK(report.failures() == 1);  // chart-L.js
  for (const FileRow& row : report.files) {
    CHECK(row.manifest_key.empty());
    CHECK(row.chunk_name.empty());
  }
}

TEST_CASE("analysis: several entries, one result each", "[analysis]") {
  Manifest manifest = ParseManifest(R"({
    "index.html": {"file": "assets/main-M.js", "isEntry": true, "imports": ["_vendor-react-R.js"],
                   "css": ["assets/main-M.css"], "dynamicImports": ["src/pages/Oracle.tsx"]},
    "admin.html": {"file": "assets/admin-A.js", "isEntry": true, "imports": ["_vendor-react-R.js", "_audit-U.js"],
                   "dynamicImports": ["src/pages/Oracle.tsx"]},
    "_vendor-react-R.js": {"file": "assets/vendor-react-R.js", "name": "vendor-react"},
    "_audit-U.js": {"file": "assets/audit-U.js", "name": "audit"},
    "src/pages/Oracle.tsx": {"file": "assets/Oracle-O.js", "name": "Oracle", "isDynamicEntry": true,
                             "imports": ["_vendor-react-R.js", "_audit-U.js"]}
  })",
                                    "m.json");
  const FileMeasurement main_js = M("assets/main-M.js", 1000, 500, 400);
  const FileMeasurement main_css = M("assets/main-M.css", 300, 100, 90);
  const FileMeasurement admin_js = M("assets/admin-A.js", 2000, 900, 800);
  const FileMeasurement react = M("assets/vendor-react-R.js", 100000, 30000, 26000);
  const FileMeasurement audit = M("assets/audit-U.js", 7000, 2000, 1800);
  const FileMeasurement oracle = M("assets/Oracle-O.js", 4000, 1500, 1300);
  Budget budget = EmptyBudget();
  budget.initial = Limit("32 kB gzip");
  budget.vendor_chunks = {"vendor-react"};
  budget.lazy_pages = {"Oracle"};
  budget.route_cost = Limit("3 kB gzip");
  CheckReport report =
      Analyze("dist", &manifest, {main_js, main_css, admin_js, react, audit, oracle}, budget);

  REQUIRE(report.entries.size() == 2);
  CHECK(report.entries[0].key == "admin.html");  // key order
  CHECK(report.entries[0].files == Strings{"assets/admin-A.js", "assets/vendor-react-R.js", "assets/audit-U.js"});
  CheckTotals(report.entries[0].total, {admin_js, react, audit});
  CHECK(report.entries[1].key == "index.html");
  CheckTotals(report.entries[1].total, {main_js, react, main_css});

  // One initial rule per entry: admin is 32900 bytes gzip, index 30600.
  const RuleResult* admin_rule = RuleFor(report, "initial", "admin.html");
  const RuleResult* index_rule = RuleFor(report, "initial", "index.html");
  REQUIRE(admin_rule != nullptr);
  REQUIRE(index_rule != nullptr);
  CHECK(admin_rule->status == RuleStatus::kFail);
  CHECK(admin_rule->actual == admin_js.gzip + react.gzip + audit.gzip);
  CHECK(index_rule->status == RuleStatus::kPass);
  CHECK(index_rule->actual == main_js.gzip + react.gzip + main_css.gzip);

  // The page extends each entry's initial load by a different amount.
  const LoadGroup* from_admin = Page(report, "src/pages/Oracle.tsx", "admin.html");
  const LoadGroup* from_index = Page(report, "src/pages/Oracle.tsx", "index.html");
  REQUIRE(from_admin != nullptr);
  REQUIRE(from_index != nullptr);
  CHECK(from_admin->files == Strings{"assets/Oracle-O.js"});
  CHECK(from_index->files == Strings{"assets/Oracle-O.js", "assets/audit-U.js"});
  CheckTotals(from_index->total, {oracle, audit});
  CHECK(report.lazy_pages.size() == 2);
  std::vector<const RuleResult*> route_rules = Rules(report, "routeCost");
  REQUIRE(route_rules.size() == 2);
  // Lazy pages are listed costliest first.
  CHECK(route_rules[0]->status == RuleStatus::kFail);  // from index: 3.5 kB
  CHECK(route_rules[1]->status == RuleStatus::kPass);  // from admin: 1.5 kB
  CHECK(report.lazy_pages[0].entry == "index.html");

  CHECK(OnlyRule(report, "vendorChunks").status == RuleStatus::kPass);
  CHECK(OnlyRule(report, "lazyPages").status == RuleStatus::kPass);
  CHECK(report.failures() == 2);
}

}  // namespace
}  // namespace npsbundle

namespace npsbundle {

TEST_CASE("analysis: page labels are unique, package chunks are not pages, pages are costliest first",
          "[analysis]") {
  // Two pages whose files are both called index, and a highlighter whose
  // language files are dynamic imports inside node_modules.
  Manifest manifest = ParseManifest(R"({
    "index.html": {"file": "assets/index-A.js", "src": "index.html", "isEntry": true,
                   "dynamicImports": ["src/pages/admin/index.vue", "src/pages/shop/index.vue",
                                      "node_modules/highlight.js/es/languages/xml.js",
                                      "node_modules/.pnpm/highlight.js@11.9.0/node_modules/highlight.js/es/languages/css.js"]},
    "src/pages/admin/index.vue": {"file": "assets/index-B.js", "name": "index", "src": "src/pages/admin/index.vue",
                                  "isDynamicEntry": true},
    "src/pages/shop/index.vue": {"file": "assets/index-C.js", "name": "index", "src": "src/pages/shop/index.vue",
                                 "isDynamicEntry": true},
    "node_modules/highlight.js/es/languages/xml.js": {"file": "assets/xml-D.js", "name": "xml",
        "src": "node_modules/highlight.js/es/languages/xml.js", "isDynamicEntry": true},
    "node_modules/.pnpm/highlight.js@11.9.0/node_modules/highlight.js/es/languages/css.js": {"file": "assets/css-E.js",
        "name": "css", "src": "node_modules/.pnpm/highlight.js@11.9.0/node_modules/highlight.js/es/languages/css.js",
        "isDynamicEntry": true}
  })", "m.json");
  std::vector<FileMeasurement> files = {M("assets/index-A.js", 1000, 500, 400), M("assets/index-B.js", 2000, 700, 600),
                                        M("assets/index-C.js", 3000, 900, 800), M("assets/xml-D.js", 400, 200, 150),
                                        M("assets/css-E.js", 600, 300, 250),   M("assets/fonts/inter.woff2", 9, 9, 9),
                                        M("assets/index-A.js.map", 9, 9, 9),   M("manifest.webmanifest", 9, 9, 9)};
  Budget budget = ParseBudget(R"({"version": 1, "lazyPages": {"routeCost": "100 kB gzip"}})", "b.json");
  CheckReport report = Analyze("dist", &manifest, files, budget);
  REQUIRE(report.lazy_pages.size() == 2);
  // Costliest first, each with a label of its own.
  CHECK(report.lazy_pages[0].label == "shop/index");
  CHECK(report.lazy_pages[1].label == "admin/index");
  REQUIRE(report.lazy_libraries.size() == 1);
  const LoadGroup& library = report.lazy_libraries[0];
  CHECK(library.label == "highlight.js");
  CHECK(library.chunks == 2);
  CHECK(library.total.gzip == 200 + 300);
  // One route-cost result per page, none for the package's chunks.
  size_t route_rules = 0;
  for (const RuleResult& r : report.rules) route_rules += r.rule == "routeCost";
  CHECK(route_rules == 2);

  CHECK(UnlistedKind("assets/fonts/inter.woff2") == "font");
  CHECK(UnlistedKind("assets/index-A.js.map") == "source map");
  CHECK(UnlistedKind("manifest.webmanifest") == "manifest");
  CHECK(UnlistedKind(".vite/manifest.json") == "manifest");
  CHECK(UnlistedKind("assets/index-A.js") == "");
  CHECK(UnlistedKind("assets/logo-B.svg") == "");
}

}  // namespace npsbundle

namespace npsbundle {

TEST_CASE("duplicates: a package split over chunks is not one; two copies anywhere in the build are",
          "[analysis][duplicates]") {
  auto share = [](std::string name, std::string path, std::vector<std::pair<std::string, uint64_t>> modules) {
    GroupShare g;
    g.kind = OriginKind::kPackage;
    g.name = std::move(name);
    g.install_path = std::move(path);
    for (auto& [module, raw] : modules) {
      g.modules.push_back({module, raw});
      g.raw += raw;
    }
    return g;
  };
  Budget budget = ParseBudget(R"({"version": 1, "duplicates": "warning"})", "b.json");
  CheckReport report;
  LoadGroup entry;
  entry.key = entry.label = "index.html";
  entry.files = {"a.js", "b.js"};
  report.entries.push_back(entry);
  // react-dom split over a.js and b.js, no module twice: not a duplicate.
  ChunkAttribution a{"a.js"}, b{"b.js"}, c{"c.js"}, d{"d.js"};
  a.groups.push_back(share("react-dom", "node_modules/react-dom", {{"node_modules/react-dom/client.js", 5000}}));
  b.groups.push_back(share("react-dom", "node_modules/react-dom", {{"node_modules/react-dom/server.js", 3000}}));
  // Two copies of eventemitter3 in two lazy chunks no load path joins.
  c.groups.push_back(share("eventemitter3", "node_modules/eventemitter3", {{"node_modules/eventemitter3/index.js", 2769}}));
  d.groups.push_back(share("eventemitter3", "node_modules/p-queue/node_modules/eventemitter3",
                           {{"node_modules/p-queue/node_modules/eventemitter3/index.js", 2797}}));
  report.attribution = {a, b, c, d};
  EvaluatePackageRules(budget, &report);
  std::vector<const RuleResult*> found;
  for (const RuleResult& r : report.rules) {
    if (r.rule == "duplicates" && r.status == RuleStatus::kWarn) found.push_back(&r);
  }
  REQUIRE(found.size() == 1);
  CHECK(found[0]->subject == "eventemitter3");
  CHECK(*found[0]->actual == 2769);  // the smaller copy is the one a single copy would save
  CHECK(found[0]->message.find("node_modules/p-queue/node_modules/eventemitter3") != std::string::npos);

  // The same module file in two chunks of one load path is a duplicate.
  report.rules.clear();
  report.attribution[1].groups[0].modules[0].module = "node_modules/react-dom/client.js";
  EvaluatePackageRules(budget, &report);
  size_t react_dom = 0;
  for (const RuleResult& r : report.rules) react_dom += r.rule == "duplicates" && r.subject == "react-dom";
  CHECK(react_dom == 1);
}

}  // namespace npsbundle
