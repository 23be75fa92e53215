// Monorepos: app names, the config's `apps` section, build paths (apps.h).
#include "budget/apps.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

using Strings = std::vector<std::string>;

std::string AppsError(const std::string& config_path) {
  try {
    ParseApps(LoadConfigFile(config_path));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("apps: a build folder with a build-output name takes its parent's name", "[budget][apps]") {
  CHECK(AppNameOf("apps/web/dist") == "web");
  CHECK(AppNameOf("apps/web/dist/") == "web");
  CHECK(AppNameOf("packages/admin/build") == "admin");
  CHECK(AppNameOf("./site/out") == "site");
  // Any other folder or an archive is the app itself.
  CHECK(AppNameOf("fixtures/builds/good") == "good");
  CHECK(AppNameOf("releases/web.tar.gz") == "web");
  CHECK(AppNameOf("admin.zip") == "admin");
  // A lone "dist" has no parent to name it: it keeps its own name.
  CHECK(AppNameOf("dist") == "dist");
}

TEST_CASE("apps: repeated names are numbered in order, around names already taken", "[budget][apps]") {
  CHECK(UniqueNames({"web", "admin", "web", "web"}) == Strings{"web", "admin", "web-2", "web-3"});
  CHECK(UniqueNames({"web", "web", "web-2"}) == Strings{"web", "web-3", "web-2"});
  CHECK(UniqueNames({}).empty());
}

TEST_CASE("apps: a quoted glob is expanded, sorted; a glob matching nothing is an error", "[budget][apps]") {
  testing::TempDir dir;
  for (const char* app : {"web", "admin", "docs"}) std::filesystem::create_directories(dir.path() / "apps" / app / "dist");
  CHECK(ExpandBuildPaths({dir / "apps/*/dist"}) ==
        Strings{dir / "apps/admin/dist", dir / "apps/docs/dist", dir / "apps/web/dist"});
  // Words without a pattern pass through, even when they do not exist (check names them then).
  CHECK(ExpandBuildPaths({"missing/dist", dir / "apps/web/dist"}) == Strings{"missing/dist", dir / "apps/web/dist"});
  CHECK_THROWS_WITH(ExpandBuildPaths({dir / "apps/*/build"}), Catch::Contains("no build matches this pattern"));
}

TEST_CASE("apps: the config's apps have paths next to the config and a budget each", "[budget][apps]") {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "team");
  testing::WriteFile(dir / "team/admin.budget.json", R"({"version": 1, "initial": {"max": "7 kB gzip"}})");
  testing::WriteFile(dir / "npsbundle.config.json", R"({"version": 1, "budget": {"initial": {"max": "6 kB gzip"},
      "chunk": {"max": "5 kB raw"}},
      "apps": [{"name": "site", "path": "apps/web/dist"},
               {"path": "apps/admin/dist", "budget": "team/admin.budget.json"},
               {"path": "apps/docs/dist", "budget": "nps"},
               {"path": "apps/shop/dist", "budget": {"chunk": {"max": "9 kB raw"}}}]})");
  std::vector<AppSpec> apps = ParseApps(LoadConfigFile(dir / "npsbundle.config.json"));
  REQUIRE(apps.size() == 4);
  CHECK(apps[0].name == "site");
  CHECK(apps[0].path == dir / "apps/web/dist");
  CHECK(apps[0].budget.initial->bytes == 6000);  // the config's budget
  CHECK(apps[1].name == "admin");
  CHECK(apps[1].budget.initial->bytes == 7000);  // a file next to the config
  CHECK(!apps[1].budget.chunk.has_value());
  CHECK(apps[2].budget.path == "preset nps");
  // Inline fields merge over the config's budget, rule by rule.
  CHECK(apps[3].budget.chunk->bytes == 9000);
  CHECK(apps[3].budget.initial->bytes == 6000);
}

TEST_CASE("apps: a bad entry is one located error naming the config", "[budget][apps]") {
  testing::TempDir dir;
  std::string config = dir / "npsbundle.config.json";
  auto error_of = [&](const std::string& apps) {
    testing::WriteFile(config, R"({"version": 1, "apps": )" + apps + "}");
    return AppsError(config);
  };
  CHECK(error_of(R"({"web": {}})") == config + ": apps: expected a list of apps ({\"name\", \"path\", \"budget\"})");
  CHECK(error_of(R"([{"name": "web"}])") == config + ": apps[0]: missing field \"path\"");
  CHECK(error_of(R"([{"path": "a/dist", "buget": "nps"}])") ==
        config + ": apps[0].buget: unknown field (an app has name, path and budget)");
  CHECK(error_of(R"([{"path": "a/dist"}, {"path": "b/a/dist"}])") ==
        config + ": apps[1]: two apps are called \"a\" (give each a unique \"name\")");
  CHECK(error_of(R"([{"path": "a/dist", "budget": 3}])") ==
        config + ": apps[0].budget: expected a preset name, a budget file or an object of budget fields");
  CHECK(error_of(R"([{"path": "a/dist", "budget": {"initial": {"max": "5 kb gzip"}}}])")
            .rfind(config + ": apps[0].budget: initial.max: ", 0) == 0);
  CHECK(error_of("[]") == config + ": apps: expected at least one app");
  CHECK(AppsError(dir / "nothing.json").rfind(dir / "nothing.json: cannot read", 0) == 0);
}

}  // namespace npsbundle
