// The report of several apps (report_apps.h): the combined verdict, the
// order, and the size limits held by the whole report of twelve real apps.
#include "report/report_apps.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>

#include "support/test_support.h"

namespace npsbundle {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// A report with `failed` failing and `warned` warning rule results.
CheckReport Report(size_t failed, size_t warned, size_t passed, double overshoot = 0.5) {
  CheckReport report;
  auto add = [&](RuleStatus status, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      RuleResult r;
      r.rule = "chunk";
      r.subject = "c" + std::to_string(report.rules.size());
      r.limit = SizeLimit{1000, Measure::kRaw};
      r.actual = status == RuleStatus::kFail ? static_cast<uint64_t>(1000 * (1 + overshoot)) : 10;
      r.status = status;
      r.message = r.subject;
      report.rules.push_back(r);
    }
  };
  add(RuleStatus::kFail, failed);
  add(RuleStatus::kWarn, warned);
  add(RuleStatus::kPass, passed);
  return report;
}

}  // namespace

TEST_CASE("apps report: the run fails when any app fails, and names the failing apps worst first", "[report][apps]") {
  CheckReport ok = Report(0, 0, 3), warn = Report(0, 1, 2), bad = Report(1, 0, 2), worse = Report(2, 0, 1),
              worst_by_far = Report(2, 0, 1, 9.0);
  std::vector<AppReport> apps = {{"ok", "a/dist", &ok}, {"warn", "b/dist", &warn}, {"bad", "c/dist", &bad},
                                 {"worse", "d/dist", &worse}, {"far", "e/dist", &worst_by_far}};
  CHECK_FALSE(AppsPassed(apps));
  std::vector<std::string> order;
  for (const AppReport* app : AppsWorstFirst(apps)) order.push_back(app->name);
  // Most failures first, then the largest overshoot; then warnings; then passes.
  CHECK(order == std::vector<std::string>{"far", "worse", "bad", "warn", "ok"});
  CHECK(AppsVerdictLine(apps) == "npsbundle: FAIL: 3 of 5 apps over budget (far, worse, bad)");

  std::vector<AppReport> passing = {{"ok", "a/dist", &ok}, {"warn", "b/dist", &warn}};
  CHECK(AppsPassed(passing));
  CHECK(AppsVerdictLine(passing) == "npsbundle: PASS: 2 apps within budget (6 rule checks)");
}

TEST_CASE("apps report: JUnit has a testsuite per app, JSON wraps each app's own report, HTML a section each", "[report][apps]") {
  CheckReport ok = Report(0, 0, 2), bad = Report(1, 0, 1);
  ok.input = "a/dist";
  bad.input = "b/dist";
  std::vector<AppReport> apps = {{"web", "a/dist", &ok}, {"admin", "b/dist", &bad}};
  std::string junit = RenderAppsReport(apps, ReportFormat::kJunit, {});
  CHECK(Count(junit, "<testsuite ") == 2);
  CHECK(Contains(junit, "<testsuites name=\"npsbundle\" tests=\"4\" failures=\"1\">"));
  CHECK(Contains(junit, "<testsuite name=\"admin (npsbundle check b/dist)\" tests=\"2\" failures=\"1\""));
  std::string json = RenderAppsReport(apps, ReportFormat::kJson, {});
  CHECK(Contains(json, "\"passed\": false,\n  \"apps\": ["));
  CHECK(Contains(json, "\"name\": \"web\",\n      \"path\": \"a/dist\",\n      \"passed\": true,\n      \"report\": {"));
  // The app's report is the single-app report, indented.
  std::string single = RenderJson(bad);
  CHECK(Contains(json, "      " + single.substr(single.find("\"input\""), 20)));
  std::string html = RenderAppsReport(apps, ReportFormat::kHtml, {});
  CHECK(Count(html, "<iframe ") == 2);
  CHECK(Contains(html, "<section id=\"app-admin\">"));
}

TEST_CASE("apps report: twelve real apps over a strict budget stay within every size limit", "[report][apps]") {
  // A monorepo of the fixture apps and builds, twelve apps, each named by
  // its folder (apps/<name>/dist), most of them over a strict budget.
  testing::TempDir dir;
  std::string source = NPSBUNDLE_SOURCE_DIR;
  std::vector<std::string> builds = {"fixtures/apps/vue-admin/dist", "fixtures/apps/react-filerouter/dist",
                                     "fixtures/apps/pwa/dist",       "fixtures/apps/svelte/dist",
                                     "fixtures/apps/two-versions/dist", "fixtures/builds/good",
                                     "fixtures/builds/bloated",      "fixtures/builds/multi-page",
                                     "fixtures/builds/duplicate",    "fixtures/builds/sourcemap",
                                     "fixtures/builds/eager",        "fixtures/builds/big-page"};
  for (size_t i = 0; i < builds.size(); ++i) {
    std::filesystem::path app = dir.path() / "apps" / ("app" + std::to_string(i + 10));
    std::filesystem::create_directories(app);
    std::filesystem::create_directory_symlink(source + "/" + builds[i], app / "dist");
  }
  std::vector<std::string> args = {"check", dir / "apps/*/dist", "--budget", "nps", "--chunk", "2 kB raw",
                                   "--route-cost", "0.2 kB gzip", "--cache", dir / "cache",
                                   // The sizes, not the levels, are under test: fast levels, measured once.
                                   "--brotli-quality", "4", "--gzip-level", "6"};
  auto run = [&](const std::string& format) {
    std::vector<std::string> with = args;
    with.insert(with.end(), {"--format", format});
    testing::CommandResult result = testing::RunNpsbundle(with);
    INFO(result.err);
    CHECK(result.exit_code == 1);
    return result.out;
  };
  std::string text = run("text");
  INFO(text);
  std::vector<std::string> lines;
  for (size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  CHECK(ScreenRows(lines) <= kScreenLines);
  CHECK(Contains(text, "npsbundle check: 12 apps"));
  for (size_t i = 10; i < 22; ++i) CHECK(Contains(text, "app" + std::to_string(i) + " "));
  CHECK(Contains(text, "apps over budget"));

  std::string markdown = run("markdown");
  CHECK(markdown.size() < kMarkdownBudget);
  CHECK(Count(markdown, "<details open><summary>❌ app") >= 10);
  CHECK(Count(markdown, "<details") == Count(markdown, "</details>"));

  std::string github = run("github");
  CHECK(Count(github, "::error file=") + Count(github, "::error title=npsbundle app") <= kMaxAnnotationsPerLevel);
  CHECK(Count(github, "::warning ") <= kMaxAnnotationsPerLevel);
  CHECK(Contains(github, "more findings not annotated"));

  CHECK(Count(run("junit"), "<testsuite ") == 12);
  CHECK(Count(run("json"), "\n    {\n      \"name\": \"app") == 12);
}

}  // namespace npsbundle
