#include "budget/budget.h"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "budget/config.h"
#include "core/error.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

using Strings = std::vector<std::string>;

// The message ParseBudget throws for `json`, or "" when it parses.
std::string BudgetError(const std::string& json) {
  try {
    ParseBudget(json, "b.json");
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

void CheckLimit(const std::optional<SizeLimit>& limit, uint64_t bytes, Measure measure) {
  REQUIRE(limit.has_value());
  CHECK(limit->bytes == bytes);
  CHECK(limit->measure == measure);
}

TEST_CASE("budget: every field of schema version 1", "[budget]") {
  Budget budget = ParseBudget(R"({
    "$schema": "./budget.schema.json",
    "$comment": "team budget",
    "version": 1,
    "compression": {"gzipLevel": 6, "brotliQuality": 5, "brotliWindow": 20},
    "initial": {"max": "400 kB gzip", "js": "350 KiB brotli", "css": "50 kB raw", "requests": 12},
    "chunk": {"max": "200 kB raw",
              "overrides": {"vendor-react": "300 kB raw", "assets/Oracle-*.js": "20 kB gzip"}},
    "vendorChunks": ["vendor-react", "vendor-query"],
    "lazyPages": {"pages": ["Oracle", "src/pages/Vault.tsx"], "routeCost": "100 kB gzip",
                  "overrides": {"Oracle": "1 MB brotli"}},
    "routes": {"/": "src/pages/Dashboard.tsx", "/oracle": "src/pages/Oracle.tsx"}
  })",
                              "budgets/team.json");
  CHECK(budget.path == "budgets/team.json");
  CHECK(budget.levels.gzip_level == 6);
  CHECK(budget.levels.brotli_quality == 5);
  CHECK(budget.levels.brotli_window == 20);
  CheckLimit(budget.initial, 400000, Measure::kGzip);
  CheckLimit(budget.initial_js, 350 * 1024, Measure::kBrotli);
  CheckLimit(budget.initial_css, 50000, Measure::kRaw);
  REQUIRE(budget.max_initial_requests.has_value());
  CHECK(*budget.max_initial_requests == 12);
  CheckLimit(budget.chunk, 200000, Measure::kRaw);
  REQUIRE(budget.chunk_overrides.size() == 2);
  // Document order: the first matching override wins.
  CHECK(budget.chunk_overrides[0].first == "vendor-react");
  CHECK(budget.chunk_overrides[0].second.bytes == 300000);
  CHECK(budget.chunk_overrides[0].second.measure == Measure::kRaw);
  CHECK(budget.chunk_overrides[1].first == "assets/Oracle-*.js");
  CHECK(budget.chunk_overrides[1].second.bytes == 20000);
  CHECK(budget.chunk_overrides[1].second.measure == Measure::kGzip);
  CHECK(budget.vendor_chunks == Strings{"vendor-react", "vendor-query"});
  CHECK(budget.vendor_packages.empty());
  CHECK(budget.lazy_pages == Strings{"Oracle", "src/pages/Vault.tsx"});
  CheckLimit(budget.route_cost, 100000, Measure::kGzip);
  REQUIRE(budget.route_cost_overrides.size() == 1);
  CHECK(budget.route_cost_overrides[0].first == "Oracle");
  CHECK(budget.route_cost_overrides[0].second.bytes == 1000000);
  CHECK(budget.route_cost_overrides[0].second.measure == Measure::kBrotli);
  CHECK(budget.routes == std::map<std::string, std::string>{{"/", "src/pages/Dashboard.tsx"},
                                                            {"/oracle", "src/pages/Oracle.tsx"}});
}

TEST_CASE("budget: only the version is required; the rest stays unset", "[budget]") {
  Budget budget = ParseBudget(R"({"version": 1})", "b.json");
  CompressionLevels defaults;
  CHECK(budget.levels.gzip_level == defaults.gzip_level);
  CHECK(budget.levels.brotli_quality == defaults.brotli_quality);
  CHECK(budget.levels.brotli_window == defaults.brotli_window);
  CHECK_FALSE(budget.initial);
  CHECK_FALSE(budget.initial_js);
  CHECK_FALSE(budget.initial_css);
  CHECK_FALSE(budget.max_initial_requests);
  CHECK_FALSE(budget.chunk);
  CHECK(budget.chunk_overrides.empty());
  CHECK(budget.vendor_chunks.empty());
  CHECK(budget.lazy_pages.empty());
  CHECK_FALSE(budget.route_cost);
  CHECK(budget.route_cost_overrides.empty());
  CHECK(budget.routes.empty());
}

TEST_CASE("budget: vendorChunks as an object keeps the packages per chunk", "[budget]") {
  Budget budget = ParseBudget(R"({"version": 1, "vendorChunks": {
    "vendor-react": ["react", "react-dom"],
    "vendor-query": ["@tanstack/react-query"],
    "vendor-empty": []
  }})",
                              "b.json");
  CHECK(budget.vendor_chunks == Strings{"vendor-react", "vendor-query", "vendor-empty"});
  CHECK(budget.vendor_packages.size() == 3);
  CHECK(budget.vendor_packages["vendor-react"] == Strings{"react", "react-dom"});
  CHECK(budget.vendor_packages["vendor-query"] == Strings{"@tanstack/react-query"});
  CHECK(budget.vendor_packages["vendor-empty"].empty());
}

TEST_CASE("budget: lazyPages as an array is the page list alone", "[budget]") {
  Budget budget = ParseBudget(R"({"version": 1, "lazyPages": ["Dashboard", "Scanner"]})", "b.json");
  CHECK(budget.lazy_pages == Strings{"Dashboard", "Scanner"});
  CHECK_FALSE(budget.route_cost);
  CHECK(budget.route_cost_overrides.empty());
}

TEST_CASE("budget: compression levels at the edges of their ranges", "[budget]") {
  Budget low = ParseBudget(
      R"({"version": 1, "compression": {"gzipLevel": 1, "brotliQuality": 0, "brotliWindow": 10}})", "b.json");
  CHECK(low.levels.gzip_level == 1);
  CHECK(low.levels.brotli_quality == 0);
  CHECK(low.levels.brotli_window == 10);
  Budget high = ParseBudget(
      R"({"version": 1, "compression": {"gzipLevel": 9, "brotliQuality": 11, "brotliWindow": 24}})", "b.json");
  CHECK(high.levels.gzip_level == 9);
  CHECK(high.levels.brotli_quality == 11);
  CHECK(high.levels.brotli_window == 24);
}

TEST_CASE("budget: errors name the file and the JSON path of the bad field", "[budget]") {
  struct Case {
    const char* name;
    std::string json;
    std::string error;
  };
  const std::string kNeedMeasure =
      "expected a size and a measure, e.g. \"500 kB gzip\" (measure: raw, gzip or brotli)";
  const Case cases[] = {
      // Version.
      {"version missing", R"({"initial": {"max": "1 kB gzip"}})",
       R"(b.json: missing field "version" (use "version": 1))"},
      {"version unsupported", R"({"version": 2})",
       "b.json: version: unsupported budget version 2 (this npsbundle reads version 1)"},
      {"version zero", R"({"version": 0})",
       "b.json: version: unsupported budget version 0 (this npsbundle reads version 1)"},
      {"version a string", R"({"version": "1"})", "b.json: version: expected a whole number"},
      {"version a fraction", R"({"version": 1.5})", "b.json: version: expected a whole number"},
      {"version out of range", R"({"version": -1})", "b.json: version: -1 is out of range 0..1000"},
      // Shape.
      {"top level an array", R"([1])", "b.json: expected an object"},
      {"unknown top-level field", R"({"version": 1, "intial": {}})", "b.json: intial: unknown field"},
      {"$schema not a string", R"({"$schema": 1, "version": 1})", "b.json: $schema: expected a string"},
      {"$comment not a string", R"({"version": 1, "$comment": []})", "b.json: $comment: expected a string"},
      // Compression.
      {"compression not an object", R"({"version": 1, "compression": 9})",
       "b.json: compression: expected an object"},
      {"unknown compression field", R"({"version": 1, "compression": {"level": 9}})",
       "b.json: compression.level: unknown field"},
      {"gzip level too low", R"({"version": 1, "compression": {"gzipLevel": 0}})",
       "b.json: compression.gzipLevel: 0 is out of range 1..9"},
      {"gzip level a string", R"({"version": 1, "compression": {"gzipLevel": "9"}})",
       "b.json: compression.gzipLevel: expected a whole number"},
      {"brotli quality too high", R"({"version": 1, "compression": {"brotliQuality": 12}})",
       "b.json: compression.brotliQuality: 12 is out of range 0..11"},
      {"brotli window too small", R"({"version": 1, "compression": {"brotliWindow": 9}})",
       "b.json: compression.brotliWindow: 9 is out of range 10..24"},
      // Initial.
      {"unknown initial field", R"({"version": 1, "initial": {"maxx": "1 kB gzip"}})",
       "b.json: initial.maxx: unknown field"},
      {"bad unit", R"({"version": 1, "initial": {"max": "5 kb gzip"}})",
       R"(b.json: initial.max: "5 kb": unknown unit "kb" (use B, kB, MB, KiB or MiB))"},
      {"missing measure", R"({"version": 1, "initial": {"js": "250 kB"}})",
       "b.json: initial.js: \"250 kB\": " + kNeedMeasure},
      {"limit a number", R"({"version": 1, "initial": {"css": 5000}})",
       "b.json: initial.css: expected a string"},
      {"not a size", R"({"version": 1, "initial": {"max": "lots gzip"}})",
       R"(b.json: initial.max: "lots": expected a size such as "250 kB")"},
      {"requests zero", R"({"version": 1, "initial": {"requests": 0}})",
       "b.json: initial.requests: 0 is out of range 1..100000"},
      {"requests a string", R"({"version": 1, "initial": {"requests": "10"}})",
       "b.json: initial.requests: expected a whole number"},
      // Chunk.
      {"chunk an array", R"({"version": 1, "chunk": ["250 kB raw"]})", "b.json: chunk: expected an object"},
      {"unknown chunk field", R"({"version": 1, "chunk": {"limit": "250 kB raw"}})",
       "b.json: chunk.limit: unknown field"},
      {"chunk override bad", R"({"version": 1, "chunk": {"overrides": {"vendor-*": "300 kB"}}})",
       "b.json: chunk.overrides.vendor-*: \"300 kB\": " + kNeedMeasure},
      {"chunk overrides an array", R"({"version": 1, "chunk": {"overrides": []}})",
       "b.json: chunk.overrides: expected an object"},
      // Vendor chunks.
      {"vendorChunks a number", R"({"version": 1, "vendorChunks": 3})", "b.json: vendorChunks: expected an object"},
      {"vendorChunks array item", R"({"version": 1, "vendorChunks": ["vendor-react", 7]})",
       "b.json: vendorChunks[1]: expected a string"},
      {"vendorChunks packages a string", R"({"version": 1, "vendorChunks": {"vendor-react": "react"}})",
       "b.json: vendorChunks.vendor-react: expected an array of strings"},
      {"vendorChunks package a number", R"({"version": 1, "vendorChunks": {"vendor-react": ["react", 1]}})",
       "b.json: vendorChunks.vendor-react[1]: expected a string"},
      // Lazy pages.
      {"lazyPages a string", R"({"version": 1, "lazyPages": "Oracle"})", "b.json: lazyPages: expected an object"},
      {"lazyPages array item", R"({"version": 1, "lazyPages": [true]})", "b.json: lazyPages[0]: expected a string"},
      {"unknown lazyPages field", R"({"version": 1, "lazyPages": {"page": ["Oracle"]}})",
       "b.json: lazyPages.page: unknown field"},
      {"lazyPages.pages not a list", R"({"version": 1, "lazyPages": {"pages": "Oracle"}})",
       "b.json: lazyPages.pages: expected an array of strings"},
      {"routeCost bad unit", R"({"version": 1, "lazyPages": {"routeCost": "100 Kb gzip"}})",
       R"(b.json: lazyPages.routeCost: "100 Kb": unknown unit "Kb" (use B, kB, MB, KiB or MiB))"},
      {"routeCost override bad", R"({"version": 1, "lazyPages": {"overrides": {"Oracle": 5}}})",
       "b.json: lazyPages.overrides.Oracle: expected a string"},
      // Routes.
      {"route without slash", R"({"version": 1, "routes": {"oracle": "src/pages/Oracle.tsx"}})",
       "b.json: routes.oracle: a route must start with '/'"},
      {"route value a number", R"({"version": 1, "routes": {"/": 1}})", "b.json: routes./: expected a string"},
      {"routes an array", R"({"version": 1, "routes": []})", "b.json: routes: expected an object"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK(BudgetError(c.json) == c.error);
  }
}

TEST_CASE("budget: invalid JSON is an input error", "[budget]") {
  CHECK(BudgetError("") == "b.json: invalid JSON (Empty: no JSON found)");
  CHECK_THAT(BudgetError(R"({"version": 1,)"), Catch::Matchers::StartsWith("b.json: invalid JSON ("));
}

TEST_CASE("budget: LoadBudgetFile reads from disk and names the file", "[budget]") {
  testing::TempDir dir;
  std::string path = dir / "budget.json";
  testing::WriteFile(path, R"({"version": 1, "chunk": {"max": "1 MiB raw"}})");
  Budget budget = LoadBudgetFile(path);
  CHECK(budget.path == path);
  CheckLimit(budget.chunk, 1048576, Measure::kRaw);

  testing::WriteFile(path, R"({"version": 1, "chunk": {"max": 1}})");
  CHECK_THROWS_MATCHES(LoadBudgetFile(path), InputError,
                       Catch::Matchers::Message(path + ": chunk.max: expected a string"));

  std::string missing = dir / "missing.json";
  CHECK_THROWS_MATCHES(LoadBudgetFile(missing), InputError,
                       Catch::Matchers::Message(missing + ": cannot read budget file"));
}

TEST_CASE("budget: GlobMatch", "[budget]") {
  struct Case {
    const char* pattern;
    const char* text;
    bool match;
  };
  const Case cases[] = {
      {"", "", true},
      {"", "a", false},
      {"a", "", false},
      {"*", "", true},
      {"*", "anything/at/all", true},
      {"**", "x", true},
      {"?", "", false},
      {"?", "a", true},
      {"?", "ab", false},
      {"??", "ab", true},
      {"vendor-react", "vendor-react", true},
      {"vendor-react", "vendor-react-D-9X1o8U", false},
      {"vendor-*", "vendor-react", true},
      {"vendor-*", "vendor-", true},
      {"vendor-*", "my-vendor-react", false},
      {"*-react", "vendor-react", true},
      {"*-react", "vendor-react.js", false},
      {"a*c", "abc", true},
      {"a*c", "ac", true},
      {"a*c", "ab", false},
      {"a*c", "abcbc", true},
      {"a*c", "abcb", false},
      {"*ab", "aab", true},
      {"a*a", "a", false},
      {"*a*b", "xxaxxb", true},
      {"*a*b", "xxbxxa", false},
      {"a?c*", "abcdef", true},
      {"a?c*", "acdef", false},
      {"assets/*.js", "assets/Oracle-CHnjyAkH.js", true},
      {"assets/*.js", "assets/Oracle-CHnjyAkH.css", false},
      {"assets/*.js", "assets/sub/x.js", true},  // '*' is not stopped by '/'
      {"src/pages/*.tsx", "src/pages/Oracle.tsx", true},
      {"Oracle", "oracle", false},              // case-sensitive
  };
  for (const Case& c : cases) {
    INFO(c.pattern << " vs " << c.text);
    CHECK(GlobMatch(c.pattern, c.text) == c.match);
  }
}

TEST_CASE("budget: DefaultBudget parses and holds budgets/default.json's limits", "[budget]") {
  const std::string file_json = testing::ReadFile(std::string(NPSBUNDLE_SOURCE_DIR) + "/budgets/default.json");
  CHECK(DefaultBudgetJson() == file_json);

  Budget from_file = ParseBudget(file_json, "budgets/default.json");
  Budget budget = DefaultBudget();
  CHECK(budget.path.empty());
  CHECK(budget.levels.gzip_level == from_file.levels.gzip_level);
  CHECK(budget.levels.brotli_quality == from_file.levels.brotli_quality);
  CHECK(budget.levels.brotli_window == from_file.levels.brotli_window);
  CHECK(budget.vendor_chunks == from_file.vendor_chunks);
  CHECK(budget.vendor_packages == from_file.vendor_packages);
  CHECK(budget.lazy_pages == from_file.lazy_pages);
  CHECK(budget.routes == from_file.routes);
  CHECK(budget.initial.has_value() == from_file.initial.has_value());
  CHECK(budget.chunk.has_value() == from_file.chunk.has_value());

  // The limits issue #2 asks for.
  CheckLimit(budget.initial, 500000, Measure::kGzip);
  CheckLimit(budget.chunk, 250000, Measure::kRaw);
  CHECK(budget.levels.gzip_level == 9);
  CHECK(budget.levels.brotli_quality == 11);
  // App-neutral: the reference app's chunks and pages live in the nps preset.
  CHECK(budget.vendor_chunks.empty());
  CHECK(budget.lazy_pages.empty());
  Budget nps = LoadBudgetFile("nps");
  CHECK(nps.vendor_chunks == Strings{"vendor-react", "vendor-i18n", "vendor-query"});
  CHECK(nps.lazy_pages == Strings{"Dashboard", "Scanner", "Oracle", "Vault", "Learning", "Settings"});
}

}  // namespace
}  // namespace npsbundle
