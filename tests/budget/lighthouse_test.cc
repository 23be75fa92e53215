// Lighthouse budget.json as a budget input: the mapping, the notes for what
// cannot be checked, errors with locations, and the real binary on a fixture.
#include "budget/lighthouse.h"

#include <catch2/catch.hpp>

#include "core/error.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr const char* kBudget = R"([
  {"path": "/admin/*", "resourceSizes": [{"resourceType": "total", "budget": 50}]},
  {"path": "/*",
   "resourceSizes": [{"resourceType": "script", "budget": 125}, {"resourceType": "stylesheet", "budget": 2.5},
                     {"resourceType": "total", "budget": 300}, {"resourceType": "image", "budget": 100}],
   "resourceCounts": [{"resourceType": "total", "budget": 12}, {"resourceType": "third-party", "budget": 0}],
   "timings": [{"metric": "interactive", "budget": 3000}]}
])";

}  // namespace

TEST_CASE("lighthouse: sizes in KiB map to the initial-load rules, the rest becomes notes", "[lighthouse]") {
  CHECK(LooksLikeLighthouseBudget(" \n[ {} ]"));
  CHECK_FALSE(LooksLikeLighthouseBudget("{\"version\": 1}"));
  Budget b = ParseLighthouseBudget(kBudget, "budget.json");
  REQUIRE(b.initial_js);
  CHECK(b.initial_js->bytes == 125 * 1024);
  CHECK(b.initial_js->measure == Measure::kGzip);
  REQUIRE(b.initial_css);
  CHECK(b.initial_css->bytes == 2560);
  REQUIRE(b.initial);
  CHECK(b.initial->bytes == 300 * 1024);
  REQUIRE(b.max_initial_requests);
  CHECK(*b.max_initial_requests == 12);
  CHECK_FALSE(b.chunk);
  CHECK(b.vendor_chunks.empty());
  std::string notes;
  for (const std::string& n : b.notes) notes += n + "\n";
  CHECK(Contains(notes, "budget.json: path \"/admin/*\": only one Lighthouse budget entry is applied"));
  CHECK(Contains(notes, "budget.json: [1].resourceSizes[3]: resourceSizes \"image\" is not checked"));
  CHECK(Contains(notes, "budget.json: [1].resourceCounts[1]: resourceCounts \"third-party\" is not checked"));
  CHECK(Contains(notes, "budget.json: [1].timings: timing budgets need a browser run"));
}

TEST_CASE("lighthouse: malformed budgets name the location", "[lighthouse]") {
  struct Case {
    std::string json, error;
  };
  const Case cases[] = {
      {"[]", "b.json: empty Lighthouse budget array"},
      {"[1]", "b.json: [0]: expected an object"},
      {R"([{"path": "/*", "resourceSizes": [{"resourceType": "script", "budget": "125"}]}])",
       "b.json: [0].resourceSizes[0].budget: expected a number of KiB"},
      {R"([{"path": "/*", "resourceSizes": [{"budget": 1}]}])", "b.json: [0].resourceSizes[0]: missing field \"resourceType\""},
      {R"([{"path": "/*", "resourceCounts": {}}])", "b.json: [0].resourceCounts: expected an array"},
      {R"([{"path": "/*", "sizes": []}])", "b.json: [0].sizes: unknown field"},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    try {
      ParseLighthouseBudget(c.json, "b.json");
      FAIL("no error");
    } catch (const InputError& e) {
      CHECK(std::string(e.what()) == c.error);
    }
  }
}

TEST_CASE("lighthouse e2e: check --budget budget.json applies it to the initial load", "[lighthouse][e2e]") {
  testing::TempDir dir;
  testing::WriteFile(dir / "budget.json", kBudget);
  testing::CommandResult r = testing::RunNpsbundle({"check", testing::Fixture("good"), "--budget", dir / "budget.json"});
  INFO(r.out << r.err);
  // The good build's initial JS is about 90 kB gzip (under 125 KiB), its CSS
  // about 1.1 kB (under 2.5 KiB), 6 files (under 12).
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "JavaScript in the initial load of index.html"));
  CHECK(Contains(r.out, "within 128.0 kB gzip"));
  CHECK(Contains(r.out, "note: " + (dir / "budget.json") + ": read as a Lighthouse budget"));
  testing::WriteFile(dir / "tight.json", R"([{"path": "/*", "resourceSizes": [{"resourceType": "script", "budget": 50}]}])");
  testing::CommandResult tight = testing::RunNpsbundle({"check", testing::Fixture("good"), "--budget", dir / "tight.json"});
  CHECK(tight.exit_code == 1);
  CHECK(Contains(tight.out, "over the limit of 51.2 kB gzip"));
}

}  // namespace npsbundle
