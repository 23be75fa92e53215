// `npsbundle check` of several apps end to end: a monorepo made of the
// fixture builds (apps/<name>/dist symlinks), the config's apps list, the
// baseline paired by app name, and the errors that name the app.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "support/test_support.h"

namespace npsbundle::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// dir/apps/<name>/dist → fixtures/builds/<build>.
void LinkApp(const TempDir& dir, const std::string& name, const std::string& build) {
  std::filesystem::path app = dir.path() / "apps" / name;
  std::filesystem::create_directories(app);
  std::filesystem::remove(app / "dist");
  std::filesystem::create_directory_symlink(Fixture(build), app / "dist");
}

}  // namespace

TEST_CASE("check apps e2e: a glob of builds is one report, which fails when one app fails", "[e2e][check][apps]") {
  TempDir dir;
  LinkApp(dir, "web", "good");
  LinkApp(dir, "admin", "bloated");
  CommandResult r = RunNpsbundle({"check", dir / "apps/*/dist"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.out, "npsbundle check: 2 apps"));
  CHECK(Contains(r.out, "admin (" + (dir / "apps/admin/dist") + "): FAIL: 2 of 25 rule checks over budget"));
  CHECK(Contains(r.out, "FAIL: 1 of 2 apps over budget (admin)"));
  // Written to a file, the verdict of the whole run goes to stderr.
  r = RunNpsbundle({"check", dir / "apps/web/dist", dir / "apps/admin/dist", "--format",
                    "json", "--output", dir / "report.json"});
  CHECK(r.exit_code == 1);
  CHECK(r.err == "npsbundle: FAIL: 1 of 2 apps over budget (admin) (report written to " + (dir / "report.json") + ")\n");
  // Within the flags' limits every app passes, and so does the run.
  r = RunNpsbundle({"check", dir / "apps/*/dist", "--initial", "1 MB gzip", "--chunk",
                    "2 MB raw"});
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "PASS: 2 apps within budget (50 rule checks)"));
}

TEST_CASE("check apps e2e: bad input names the app, and so does a glob matching nothing", "[e2e][check][apps]") {
  TempDir dir;
  LinkApp(dir, "web", "good");
  std::filesystem::create_directories(dir.path() / "apps/admin/dist");  // an empty folder: no build
  CommandResult r = RunNpsbundle({"check", dir / "apps/*/dist"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind("npsbundle: error: app admin: " + (dir / "apps/admin/dist"), 0) == 0);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  r = RunNpsbundle({"check", dir / "apps/*/build"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "npsbundle: error: " + (dir / "apps/*/build") + ": no build matches this pattern\n");
  r = RunNpsbundle({"check", dir / "apps/web/dist", Fixture("bloated"), "--manifest", "x.json"});
  CHECK(r.exit_code == 2);
  CHECK(Contains(r.err, "--manifest: names one build's manifest"));
}

TEST_CASE("check apps e2e: without a path, check runs the config's apps from the project folder", "[e2e][check][apps]") {
  TempDir dir;
  LinkApp(dir, "web", "good");
  LinkApp(dir, "admin", "bloated");
  WriteFile(dir / "npsbundle.config.json", R"({"version": 1, "apps": [
      {"name": "site", "path": "apps/web/dist"},
      {"name": "back-office", "path": "apps/admin/dist", "budget": {"initial": {"max": "600 kB gzip"},
                                                                     "chunk": {"max": "2 MB raw"}}}]})");
  // npsbundle `arguments` run in the project folder, where the config is.
  auto run_in_project = [&](const std::string& arguments) {
    return Run({"sh", "-c", "cd \"$1\" && exec \"$2\" " + arguments, "sh", dir.path().string(), NPSBUNDLE_BINARY});
  };
  CommandResult r = run_in_project("check");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "  site "));
  CHECK(Contains(r.out, "  back-office "));
  CHECK(Contains(r.out, "PASS: 2 apps within budget"));
  // A path given is matched to the config's app of that path: its name and budget.
  r = run_in_project("check apps/admin/dist --format json");
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "\"passed\": true"));
}

TEST_CASE("check apps e2e: --baseline pairs the apps of a monorepo report by name", "[e2e][check][apps]") {
  TempDir dir;
  LinkApp(dir, "web", "sourcemap");
  LinkApp(dir, "admin", "good");
  std::vector<std::string> run = {"check", dir / "apps/*/dist"};
  std::vector<std::string> json = run;
  json.insert(json.end(), {"--format", "json", "--output", dir / "base.json"});
  REQUIRE(RunNpsbundle(json).exit_code == 0);
  LinkApp(dir, "web", "changed-page");  // the web app's Oracle page grew
  LinkApp(dir, "docs", "good");         // an app the baseline lacks
  std::vector<std::string> compared = run;
  compared.insert(compared.end(), {"--baseline", dir / "base.json"});
  CommandResult r = RunNpsbundle(compared);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "Against the baseline"));
  CHECK(Contains(r.out, "  web    initial load index.html +1 B gzip"));
  CHECK(Contains(r.err, "has no app \"docs\": it is not compared"));
  compared.insert(compared.end(), {"--format", "json"});
  r = RunNpsbundle(compared);
  CHECK(Contains(r.out, "\"label\": \"Oracle\""));
  // A report of one build cannot pair with several apps.
  REQUIRE(RunNpsbundle({"check", Fixture("good"), "--format", "json", "--output", dir / "one.json"}).exit_code == 0);
  r = RunNpsbundle({"check", dir / "apps/*/dist", "--baseline", dir / "one.json"});
  CHECK(r.exit_code == 2);
  CHECK(Contains(r.err, "a report of one build; with several apps"));
}

}  // namespace npsbundle::testing
