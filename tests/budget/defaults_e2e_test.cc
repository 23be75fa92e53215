// The app-neutral default budget, the nps preset and `init` on every fixture:
// the real binary on the committed builds (fixtures/builds/*, fixtures/apps/*/dist).
#include <simdjson.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "build/asset_names.h"
#include "support/test_support.h"

namespace npsbundle::testing {
namespace {

std::string SourcePath(const std::string& relative) { return std::string(NPSBUNDLE_SOURCE_DIR) + "/" + relative; }

// "rule subject" of every failing (or warning) rule of a JSON report.
std::set<std::string> Findings(const std::string& json, const std::string& status) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root = parser.parse(padded);
  std::set<std::string> out;
  for (simdjson::dom::element r : root["rules"].get_array()) {
    if (std::string_view(r["status"].get_string().value()) != status) continue;
    out.insert(std::string(r["rule"].get_string().value()) + " " + std::string(r["subject"].get_string().value()));
  }
  return out;
}

// Every committed build: the reference app's variants and the real apps.
std::vector<std::string> AllFixtureBuilds() {
  std::vector<std::string> builds;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("fixtures/builds"))) {
    if (entry.is_directory()) builds.push_back(entry.path().string());
  }
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("fixtures/apps"))) {
    if (std::filesystem::is_directory(entry.path() / "dist")) builds.push_back((entry.path() / "dist").string());
  }
  std::sort(builds.begin(), builds.end());
  return builds;
}

}  // namespace

TEST_CASE("defaults: the built-in budget reports each real app's true findings only", "[e2e][budget][defaults]") {
  // Each app's README names what a correct report says; with the reference
  // app's old default every one of them failed vendorChunks and lazyPages.
  struct Case {
    std::string app;
    std::set<std::string> failures;
  };
  const Case cases[] = {
      {"vue-admin",
       {"chunk assets/Reports-yPlTLDSy.js", "chunk assets/index-DuqMKCec.js", "chunk assets/index-ChcKRySp.css",
        "routeCost Reports"}},
      {"react-filerouter", {"chunk assets/index-B8zhX5o0.js"}},
      {"pwa", {}},
      {"svelte", {}},
      {"two-versions", {}},
  };
  for (const Case& c : cases) {
    INFO(c.app);
    CommandResult r = RunNpsbundle({"check", SourcePath("fixtures/apps/" + c.app + "/dist"), "--format", "json"});
    INFO(r.err);
    CHECK(r.exit_code == (c.failures.empty() ? 0 : 1));
    CHECK(Findings(r.out, "fail") == c.failures);
    CHECK(r.out.find("--budget nps") != std::string::npos);  // the one line on the old default
  }
}

TEST_CASE("defaults: --budget nps gives the reference app's verdicts of the old default", "[e2e][budget][defaults]") {
  CommandResult good = RunNpsbundle({"check", Fixture("good"), "--budget", "nps", "--format", "json"});
  INFO(good.err);
  CHECK(good.exit_code == 0);
  std::set<std::string> passed = Findings(good.out, "pass");
  for (const std::string& rule :
       {"vendorChunks vendor-react", "vendorChunks vendor-i18n", "vendorChunks vendor-query", "lazyPages Dashboard",
        "lazyPages Scanner", "lazyPages Oracle", "lazyPages Vault", "lazyPages Learning", "lazyPages Settings",
        "initialLoad index.html"}) {
    CHECK(passed.count(rule) == 1);
  }
  // The same verdicts through "extends" as through the preset's file.
  TempDir dir;
  WriteFile(dir / "b.json", R"({"version": 1, "extends": "nps"})");
  CommandResult extended = RunNpsbundle({"check", Fixture("good"), "--budget", dir / "b.json", "--format", "json"});
  CHECK(Findings(extended.out, "pass") == passed);
  // And the old default's failures on the failing variants.
  CommandResult eager = RunNpsbundle({"check", Fixture("eager"), "--budget", "nps", "--format", "json"});
  CHECK(eager.exit_code == 1);
  CHECK(Findings(eager.out, "fail").count("lazyPages Oracle") == 1);
  CommandResult no_split = RunNpsbundle({"check", Fixture("no-split"), "--budget", "nps", "--format", "json"});
  CHECK(Findings(no_split.out, "fail").count("vendorChunks vendor-react") == 1);
}

TEST_CASE("defaults: without --budget nps the reference app's failing variants pass the neutral rules",
          "[e2e][budget][defaults]") {
  // eager and no-split break only the reference app's own rules.
  for (const std::string& fixture : {"eager", "no-split"}) {
    INFO(fixture);
    CommandResult r = RunNpsbundle({"check", Fixture(fixture), "--format", "json"});
    CHECK(r.exit_code == 0);
  }
}

TEST_CASE("init: the starter budget of every fixture passes its own build", "[e2e][budget][init]") {
  TempDir dir;
  for (const std::string& build : AllFixtureBuilds()) {
    INFO(build);
    std::string budget = dir / "budget.json";
    CommandResult init = RunNpsbundle({"init", build, "-o", budget, "--force"});
    INFO(init.err);
    REQUIRE(init.exit_code == 0);
    std::string text = ReadFile(budget);
    INFO(text);
    CommandResult check = RunNpsbundle({"check", build, "--budget", budget, "--format", "json"});
    CHECK(check.exit_code == 0);
    CHECK(Findings(check.out, "fail").empty());

    // Labels survive a rebuild: no key names a file with a content hash.
    simdjson::dom::parser parser;
    simdjson::padded_string padded(text);
    simdjson::dom::element root = parser.parse(padded);
    simdjson::dom::object overrides;
    if (!root["chunk"]["overrides"].get_object().get(overrides)) {
      for (auto field : overrides) {
        INFO(field.key);
        CHECK(!IsHashedAssetName(field.key));
      }
    }
    simdjson::dom::array pages;
    if (!root["lazyPages"]["pages"].get_array().get(pages)) {
      for (simdjson::dom::element page : pages) CHECK(!IsHashedAssetName(std::string_view(page.get_string().value())));
    }
  }
}

TEST_CASE("init: per-chunk and per-page limits, vendor chunks of the initial load only", "[e2e][budget][init]") {
  CommandResult r = RunNpsbundle({"init", Fixture("good"), "--headroom", "0"});
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(r.out);
  simdjson::dom::element root = parser.parse(padded);
  // At 0 % headroom a chunk's limit is its size rounded up to whole kB.
  uint64_t vendor_react = std::filesystem::file_size(Fixture("good") + "/assets/vendor-react-D-9X1o8U.js");
  CHECK(std::string_view(root["chunk"]["overrides"]["vendor-react"].get_string().value()) ==
        std::to_string((vendor_react + 999) / 1000) + " kB raw");
  CHECK(std::string_view(root["chunk"]["overrides"]["index.html"].get_string().value()).ends_with(" kB raw"));
  CHECK(std::string_view(root["chunk"]["overrides"]["assets/index-*.css"].get_string().value()).ends_with(" kB raw"));
  CHECK(std::string_view(root["lazyPages"]["overrides"]["src/pages/Oracle.tsx"].get_string().value())
            .ends_with(" kB gzip"));
  std::vector<std::string> vendors;
  for (simdjson::dom::element v : root["vendorChunks"].get_array()) vendors.emplace_back(v.get_string().value());
  CHECK(vendors == std::vector<std::string>{"vendor-i18n", "vendor-query", "vendor-react"});
}

TEST_CASE("init: measures through the size cache", "[e2e][budget][init]") {
  TempDir cache;
  CommandResult first = RunNpsbundle({"init", Fixture("good"), "--cache", cache / "c"});
  REQUIRE(first.exit_code == 0);
  CHECK(!std::filesystem::is_empty(cache / "c"));
  // check then reuses every compressed size init stored.
  CommandResult check = RunNpsbundle({"check", Fixture("good"), "--cache", cache / "c"});
  std::smatch match;
  REQUIRE(std::regex_search(check.out, match, std::regex(R"(size cache: (\d+) of (\d+) )")));
  CHECK(match[1] == match[2]);
}

}  // namespace npsbundle::testing
