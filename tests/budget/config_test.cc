// The configuration file, presets, extends and the lookup order (config.h).
#include "budget/config.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

using Strings = std::vector<std::string>;

// Runs the test body in `dir` and returns to the previous folder after it:
// the lookup reads ./npsbundle.config.json and ./npsbundle.budget.json.
class InFolder {
 public:
  explicit InFolder(const std::filesystem::path& dir) : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~InFolder() { std::filesystem::current_path(previous_); }

 private:
  std::filesystem::path previous_;
};

std::string ConfigError(const std::string& path) {
  try {
    LoadConfigFile(path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

std::string SourceFile(const std::string& relative) {
  return testing::ReadFile(std::string(NPSBUNDLE_SOURCE_DIR) + "/" + relative);
}

}  // namespace

TEST_CASE("config: the lookup order is flag, config file, budget file, built-in default", "[budget][config]") {
  testing::TempDir dir;
  InFolder in(dir.path());

  Config builtin = ResolveConfig("", "");
  CHECK(builtin.path.empty());
  CHECK(builtin.budget.path.empty());
  CHECK(builtin.budget.vendor_chunks.empty());
  REQUIRE(builtin.budget.notes.size() == 1);
  CHECK(builtin.budget.notes[0].find("--budget nps") != std::string::npos);

  testing::WriteFile(dir / kProjectBudgetFile, R"({"version": 1, "chunk": {"max": "1 kB raw"}})");
  Budget from_budget_file = ResolveConfig("", "").budget;
  CHECK(from_budget_file.path == kProjectBudgetFile);
  CHECK(from_budget_file.chunk->bytes == 1000);
  CHECK(from_budget_file.notes.empty());

  testing::WriteFile(dir / kProjectConfigFile, R"({"version": 1, "budget": {"chunk": {"max": "2 kB raw"}}})");
  Config from_config = ResolveConfig("", "");
  CHECK(from_config.path == kProjectConfigFile);
  CHECK(from_config.budget.chunk->bytes == 2000);

  // A config without a budget part leaves the budget to the next places.
  testing::WriteFile(dir / kProjectConfigFile, R"({"version": 1, "serve": {"proxy": {}}})");
  Config serve_only = ResolveConfig("", "");
  CHECK(serve_only.serve == R"({"proxy":{}})");
  CHECK(serve_only.budget.chunk->bytes == 1000);

  testing::WriteFile(dir / "other.json", R"({"version": 1, "chunk": {"max": "3 kB raw"}})");
  CHECK(ResolveConfig("", "other.json").budget.chunk->bytes == 3000);
  testing::WriteFile(dir / "c.json", R"({"version": 1, "budget": {"chunk": {"max": "4 kB raw"}}})");
  CHECK(ResolveConfig("c.json", "").budget.chunk->bytes == 4000);
  CHECK(ResolveConfig("c.json", "other.json").budget.chunk->bytes == 3000);
  CHECK(ResolveConfig("", "nps").budget.vendor_chunks == Strings{"vendor-react", "vendor-i18n", "vendor-query"});
}

TEST_CASE("config: the presets are budgets/<name>.json, compiled in", "[budget][config]") {
  CHECK(PresetNames() == Strings{"default", "nps"});
  for (const std::string& name : PresetNames()) {
    INFO(name);
    REQUIRE(PresetJson(name).has_value());
    CHECK(*PresetJson(name) == SourceFile("budgets/" + name + ".json"));
  }
  CHECK(!PresetJson("react").has_value());
  Budget nps = LoadBudgetFile("nps");
  CHECK(nps.path == "preset nps");
  Budget file = LoadBudgetFile(std::string(NPSBUNDLE_SOURCE_DIR) + "/budgets/nps.json");
  CHECK(nps.vendor_chunks == file.vendor_chunks);
  CHECK(nps.vendor_packages == file.vendor_packages);
  CHECK(nps.lazy_pages == file.lazy_pages);
  CHECK(nps.routes == file.routes);
  CHECK(nps.timing.size() == file.timing.size());
  CHECK(IsPresetReference("nps"));
  CHECK(!IsPresetReference("./nps"));
  CHECK(!IsPresetReference("nps.json"));
}

TEST_CASE("config: the default budget holds only app-neutral rules", "[budget][config]") {
  Budget budget = DefaultBudget();
  REQUIRE(budget.initial.has_value());
  CHECK(budget.initial->bytes == 500000);
  CHECK(budget.initial->measure == Measure::kGzip);
  REQUIRE(budget.chunk.has_value());
  CHECK(budget.chunk->bytes == 250000);
  CHECK(budget.chunk->measure == Measure::kRaw);
  REQUIRE(budget.route_cost.has_value());
  CHECK(budget.route_cost->measure == Measure::kGzip);
  CHECK(budget.duplicates_severity == Budget::Severity::kWarning);
  // Nothing that names one app's chunks, pages or routes.
  CHECK(budget.vendor_chunks.empty());
  CHECK(budget.lazy_pages.empty());
  CHECK(budget.routes.empty());
  CHECK(budget.chunk_overrides.empty());
  CHECK(budget.route_cost_overrides.empty());
  CHECK(budget.timing.empty());
}

TEST_CASE("config: extends merges rule by rule; lists and maps are replaced whole", "[budget][config]") {
  testing::TempDir dir;
  std::string path = dir / "b.json";
  testing::WriteFile(path, R"({"version": 1, "extends": "nps",
    "initial": {"js": "400 kB gzip"},
    "lazyPages": ["Dashboard"],
    "routes": {"/": "src/pages/Dashboard.tsx"}})");
  Budget budget = LoadBudgetFile(path);
  CHECK(budget.path == path);
  // initial: the preset's max kept, the file's js added.
  REQUIRE(budget.initial.has_value());
  CHECK(budget.initial->bytes == 500000);
  REQUIRE(budget.initial_js.has_value());
  CHECK(budget.initial_js->bytes == 400000);
  // Replaced, not concatenated.
  CHECK(budget.lazy_pages == Strings{"Dashboard"});
  CHECK(budget.routes.size() == 1);
  // Inherited whole.
  CHECK(budget.vendor_chunks.size() == 3);
  CHECK(budget.timing.size() == 2);

  testing::WriteFile(path, R"({"version": 1, "extends": "nps", "vendorChunks": []})");
  CHECK(LoadBudgetFile(path).vendor_chunks.empty());

  // lazyPages' long form keeps the preset's pages when it sets routeCost only.
  testing::WriteFile(path, R"({"version": 1, "extends": "nps", "lazyPages": {"routeCost": "9 kB gzip"}})");
  Budget pages = LoadBudgetFile(path);
  CHECK(pages.lazy_pages.size() == 6);
  CHECK(pages.route_cost->bytes == 9000);
}

TEST_CASE("config: MergeBudgetJson spells out short forms before merging", "[budget][config]") {
  CHECK(MergeBudgetJson(R"({"duplicates": {"severity": "error", "ignore": ["tslib"]}})", R"({"duplicates": "off"})") ==
        R"({"version":1,"duplicates":{"ignore":["tslib"],"severity":"off"}})");
  CHECK(MergeBudgetJson(R"({"lazyPages": {"routeCost": "1 kB gzip"}})", R"({"lazyPages": ["A"]})") ==
        R"({"version":1,"lazyPages":{"pages":["A"],"routeCost":"1 kB gzip"}})");
}

TEST_CASE("config: extends follows relative paths and config files, and names the file at fault", "[budget][config]") {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "team");
  testing::WriteFile(dir / "team/base.json",
                     R"({"version": 1, "budget": {"chunk": {"max": "5 kB raw"}}, "deploy": {"target": "nginx"}})");
  testing::WriteFile(dir / "npsbundle.config.json",
                     R"({"version": 1, "extends": "./team/base.json", "budget": {"initial": {"max": "6 kB gzip"}},
                         "apps": [{"path": "web/dist"}]})");
  Config config = LoadConfigFile(dir / "npsbundle.config.json");
  CHECK(config.budget.chunk->bytes == 5000);
  CHECK(config.budget.initial->bytes == 6000);
  CHECK(config.deploy == R"({"target":"nginx"})");
  CHECK(config.apps == R"([{"path":"web/dist"}])");
  CHECK(!config.serve.has_value());

  std::string base = (dir.path() / "team/base.json").lexically_normal().string();
  testing::WriteFile(dir / "team/base.json", R"({"version": 1, "budget": {"chunk": {"max": "5 kb raw"}}})");
  CHECK(ConfigError(dir / "npsbundle.config.json").rfind(base + ": chunk.max: ", 0) == 0);

  testing::WriteFile(dir / "team/base.json", R"({"version": 1, "extends": "../npsbundle.config.json"})");
  CHECK(ConfigError(dir / "npsbundle.config.json").find("extends itself") != std::string::npos);

  testing::WriteFile(dir / "c.json", R"({"version": 1, "extends": "react"})");
  CHECK(ConfigError(dir / "c.json") ==
        dir / "c.json" + ": extends: unknown preset \"react\" (presets: default, nps; or a path like \"./base.json\")");
  testing::WriteFile(dir / "c.json", R"({"version": 1, "extends": "./missing.json"})");
  CHECK(ConfigError(dir / "c.json").find("missing.json: cannot read file named by \"extends\"") != std::string::npos);
}

TEST_CASE("config: unknown top-level keys are errors; future sections are handed back raw", "[budget][config]") {
  testing::TempDir dir;
  std::string path = dir / "npsbundle.config.json";
  struct Case {
    std::string json, error;
  };
  const Case cases[] = {
      {R"({"version": 1, "budget": {}, "servre": {}})",
       "servre: unknown field (a config file has version, extends, budget, serve, deploy and apps; budget rules go "
       "under \"budget\")"},
      {R"({"version": 1, "budget": {}, "chunk": {}})",
       "chunk: unknown field (a config file has version, extends, budget, serve, deploy and apps; budget rules go "
       "under \"budget\")"},
      {R"({"budget": {}})", "missing field \"version\" (use \"version\": 1)"},
      {R"({"version": 2, "budget": {}})", "version: unsupported config version 2 (this npsbundle reads version 1)"},
      {R"({"version": 1, "budget": {"extends": "nps"}})", "budget.extends: \"extends\" goes at the top of the config file"},
      {R"({"version": 1, "budget": []})", "budget: expected an object"},
      {R"({"version": 1, "serve": 1})", "serve: expected an object"},
      {R"({"version": 1, "budget": {"chunk": {"max": 1}}})", "chunk.max: expected a string"},
      {R"({"version": 1, "extends": 3, "budget": {}})",
       "extends: expected a preset name or a relative path to a .json file"},
      {R"({"version": 1,)", "invalid JSON ("},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    testing::WriteFile(path, c.json);
    CHECK(ConfigError(path).rfind(path + ": " + c.error, 0) == 0);
  }
  testing::WriteFile(path, R"({"$schema": "x", "version": 1, "budget": {"version": 1}, "serve": {"a": [1, 2]}})");
  Config config = LoadConfigFile(path);
  CHECK(config.serve == R"({"a":[1,2]})");
  CHECK(!config.budget.chunk.has_value());  // an empty budget part: no rules
}

}  // namespace npsbundle
