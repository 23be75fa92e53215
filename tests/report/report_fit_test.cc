// Reports that fit: one screen of text, one GitHub comment of Markdown,
// GitHub's annotation limits — on a synthetic build of hundreds of pages and
// failures, and on every real app of fixtures/apps with a strict budget.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "report/report.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

using testing::CommandResult;
using testing::RunNpsbundle;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

size_t Lines(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

RuleResult SizeResult(const std::string& rule, const std::string& subject, uint64_t actual, uint64_t limit) {
  RuleResult r;
  r.rule = rule;
  r.subject = subject;
  r.actual = actual;
  r.limit = SizeLimit{limit, Measure::kGzip};
  r.status = actual > limit ? RuleStatus::kFail : RuleStatus::kPass;
  r.message = rule + " of " + subject + " is " + std::to_string(actual) + " B";
  return r;
}

// A build the size of the 420-route app: 420 lazy pages over 1,400 files,
// 300 route costs and 40 chunks over budget, 30 duplicate warnings.
CheckReport BigReport() {
  CheckReport report;
  report.input = "dist";
  report.manifest_path = ".vite/manifest.json";
  LoadGroup entry;
  entry.key = entry.label = "index.html";
  for (int i = 0; i < 1400; ++i) {
    FileRow row;
    row.size.path = "assets/chunk-" + std::to_string(i) + "-AbCdEfGh.js";
    row.kind = FileKind::kScript;
    row.size.raw = 1000 + static_cast<uint64_t>(i) * 37;
    row.size.gzip = row.size.raw / 3;
    row.size.brotli = row.size.raw / 4;
    report.files.push_back(row);
    FileRow map = row;
    map.size.path += ".map";
    map.kind = FileKind::kSourceMap;
    report.files.push_back(map);
    if (i < 6) entry.files.push_back(row.size.path);
  }
  std::sort(report.files.begin(), report.files.end(),
            [](const FileRow& a, const FileRow& b) { return a.size.path < b.size.path; });
  report.entries.push_back(entry);
  for (int i = 0; i < 420; ++i) {
    LoadGroup page;
    page.key = "src/pages/Page" + std::to_string(i) + ".tsx";
    page.label = "Page" + std::to_string(i);
    page.entry = "index.html";
    page.files = {"assets/chunk-" + std::to_string(i + 10) + "-AbCdEfGh.js"};
    page.total.gzip = 50000 + static_cast<uint64_t>(i) * 100;
    page.total.files = 1;
    report.lazy_pages.push_back(page);
    report.rules.push_back(SizeResult("routeCost", page.label, page.total.gzip, i < 300 ? 49999 : 200000));
  }
  for (int i = 0; i < 60; ++i) {
    report.rules.push_back(SizeResult("chunk", "assets/chunk-" + std::to_string(i), 300000 + i, i < 40 ? 250000 : 400000));
  }
  for (int i = 0; i < 30; ++i) {
    RuleResult r;
    r.rule = "duplicates";
    r.subject = "package-" + std::to_string(i);
    r.actual = static_cast<uint64_t>(i) * 1000;
    r.status = RuleStatus::kWarn;
    r.message = r.subject + " is installed 2 times; " + std::to_string(i) + " kB wasted";
    report.rules.push_back(r);
  }
  report.rules.push_back(SizeResult("initial", "index.html", 900000, 500000));
  return report;
}

}  // namespace

TEST_CASE("report fit: a big build's text fits a screen and names every failing rule with its count", "[report]") {
  CheckReport report = BigReport();
  std::string text = RenderText(report, {});
  INFO(text);
  CHECK(Lines(text) <= kScreenLines);
  // Every failing rule, with its count; nothing hidden without being counted.
  CHECK(Contains(text, "routeCost      300 of 420 over budget"));
  CHECK(Contains(text, "chunk          40 of 60 over budget"));
  CHECK(Contains(text, "duplicates     30 warnings"));
  CHECK(Contains(text, "initial        initial of index.html is 900000 B"));
  // The worst route costs (highest over their limit) are shown first.
  CHECK(Contains(text, "routeCost of Page299 is"));
  CHECK(Contains(text, "more (--all lists them)"));
  // Lazy pages listed costliest first, cut and counted.
  CHECK(Contains(text, "more pages (--all lists them)"));
  // Source maps are not listed, only counted.
  CHECK_FALSE(Contains(text, ".js.map"));
  CHECK(Contains(text, "not listed: 1400 source maps"));

  RenderOptions all;
  all.all = true;
  std::string full = RenderText(report, all);
  CHECK(Lines(full) > 1000);
  for (const RuleResult& r : report.rules) {
    if (r.status != RuleStatus::kPass) CHECK(Contains(full, r.message));
  }
}

TEST_CASE("report fit: Markdown stays under a comment and GitHub under its annotation limits", "[report]") {
  CheckReport report = BigReport();
  std::string markdown = RenderMarkdown(report);
  CHECK(markdown.size() <= kMarkdownBudget);
  CHECK(Contains(markdown, "**routeCost**: 300 of 420 over budget"));
  CHECK(Contains(markdown, "`--all` lists them"));
  CHECK(RenderMarkdown(report, nullptr, /*all=*/true).size() > kMarkdownBudget);

  std::string github = RenderGithub(report);
  CHECK(Count(github, "::error ") <= kMaxAnnotationsPerLevel + 1);
  CHECK(Count(github, "::warning ") <= kMaxAnnotationsPerLevel);
  CHECK(Lines(github) == 2 * kMaxAnnotationsPerLevel + 1);
  // Worst first: the initial load (80% over) before any route cost.
  CHECK(github.rfind("::error ", 0) == 0);
  CHECK(Contains(github.substr(0, github.find('\n')), "initial of index.html"));
  // The last line is the verdict, counting what was not annotated.
  std::string last = github.substr(github.rfind('\n', github.size() - 2) + 1);
  CHECK(Contains(last, "::error title=npsbundle::FAIL"));
  CHECK(Contains(last, std::to_string(300 + 40 + 1 + 30 - 20) + " more findings not annotated"));
}

TEST_CASE("report fit e2e: every real app fits with a strict budget; html writes a file", "[report][e2e]") {
  testing::TempDir dir;
  // Strict limits make every app fail many rules; the budget is the test's
  // own so the default budget's rules do not matter.
  {
    std::ofstream budget(dir / "strict.json");
    budget << R"({"version": 1, "initial": {"max": "1 kB gzip"}, "chunk": {"max": "1 kB raw"},
                 "lazyPages": {"pages": ["A", "B", "C", "D", "E", "F", "G"], "routeCost": "1 kB gzip"},
                 "duplicates": "warning"})";
  }
  std::string apps = std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps";
  size_t checked = 0;
  for (const auto& e : std::filesystem::directory_iterator(apps)) {
    std::string dist = e.path().string() + "/dist";
    if (!std::filesystem::exists(dist + "/.vite/manifest.json")) continue;
    INFO(dist);
    ++checked;
    CommandResult text = RunNpsbundle({"check", dist, "--budget", dir / "strict.json"});
    CHECK(text.exit_code == 1);
    CHECK(Lines(text.out) <= kScreenLines);
    CHECK(Contains(text.out, "✗ lazyPages      7 of 7 over budget"));
    CHECK_FALSE(Contains(text.out, ".map "));
    CommandResult markdown = RunNpsbundle({"check", dist, "--budget", dir / "strict.json", "--format", "markdown"});
    CHECK(markdown.out.size() <= kMarkdownBudget);
    CommandResult github = RunNpsbundle({"check", dist, "--budget", dir / "strict.json", "--format", "github"});
    CHECK(Count(github.out, "::error ") <= kMaxAnnotationsPerLevel + 1);
    CHECK(Count(github.out, "::warning ") <= kMaxAnnotationsPerLevel);
  }
  CHECK(checked >= 5);

  // --format html without --output writes npsbundle-report.html and says so.
  CommandResult html = testing::Run({"sh", "-c", "cd '" + dir.path().string() + "' && '" + NPSBUNDLE_BINARY +
                                                     "' check '" + apps + "/svelte/dist' --format html"});
  CHECK(html.out.empty());
  CHECK(Contains(html.err, "report written to npsbundle-report.html"));
  // stderr is no terminal here: no progress line.
  CHECK_FALSE(Contains(html.err, "measuring"));
  CHECK(std::filesystem::file_size(dir / "npsbundle-report.html") > 1000);
}

TEST_CASE("progress e2e: check shows \"measuring N/M files\" on a terminal's stderr only", "[report][e2e]") {
  if (testing::Run({"sh", "-c", "command -v script"}).exit_code != 0) return;  // util-linux's script gives a pty
  testing::TempDir dir;
  std::string command = std::string("XDG_CACHE_HOME='") + dir.path().string() + "' '" + NPSBUNDLE_BINARY + "' check '" +
                        NPSBUNDLE_SOURCE_DIR + "/fixtures/apps/vue-admin/dist' --no-cache -j 1 >/dev/null";
  CommandResult tty = testing::Run({"script", "-qc", command, "/dev/null"});
  CHECK(Contains(tty.out, "measuring 1/"));
  CHECK(Contains(tty.out, " files"));
  CHECK(Contains(tty.out, "\r\033[K"));  // erased once done
}

}  // namespace npsbundle
