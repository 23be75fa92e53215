// Formats for CI systems: JUnit XML for test tabs, GitHub workflow commands
// for inline annotations, Markdown for step summaries and PR comments.
#include <algorithm>
#include <cstdint>
#include <set>

#include "core/escape.h"
#include "report/report.h"
#include "report/report_apps.h"
#include "report/report_diff.h"

namespace npsbundle {
namespace {

// Findings listed per failing rule in Markdown; the rest are counted.
constexpr size_t kMarkdownFindingsPerRule = 10;

// Appends `rows` while they fit `max_rows` and `max_chars`; the rest are
// counted in `more(hidden)`.
template <typename More>
void AppendCapped(std::string* out, const std::vector<std::string>& rows, size_t max_rows, size_t max_chars,
                  More more) {
  size_t used = 0, shown = 0;
  for (const std::string& row : rows) {
    if (shown == max_rows || used + row.size() > max_chars) break;
    *out += row;
    used += row.size();
    ++shown;
  }
  if (shown < rows.size()) *out += more(rows.size() - shown);
}

std::string MoreRow(size_t hidden, const std::string& what, size_t columns) {
  std::string row = "| … " + std::to_string(hidden) + " more " + what + " (`--all` lists them) |";
  for (size_t i = 1; i < columns; ++i) row += " |";
  return row + "\n";
}

std::string StatusEmoji(bool pass) { return pass ? "✅" : "❌"; }
std::string StatusEmoji(RuleStatus status) {
  return status == RuleStatus::kPass ? "✅" : status == RuleStatus::kWarn ? "⚠️" : "❌";
}

// What a CI annotation should point at: the file inside the build folder
// when the input is a folder; archives (no folder) have no file to point at.
std::string AnnotationFile(const std::string& folder, const std::string& build_path) {
  if (build_path.empty() || folder.empty()) return "";
  std::string dir = folder;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + "/" + build_path;
}

// The first rule result with a limit for (rule, subject), or nullptr.
const RuleResult* LimitFor(const CheckReport& report, const std::string& rule, const std::string& subject) {
  for (const RuleResult& r : report.rules) {
    if (r.rule == rule && r.subject == subject && r.limit) return &r;
  }
  return nullptr;
}

std::string GroupRow(const CheckReport& report, const LoadGroup& g, const std::string& rule) {
  std::string row = "| " + MarkdownCellEscape(g.label) + " | " + std::to_string(g.total.files) + " | " +
                    FormatKb(g.total.raw) + " | " + FormatKb(g.total.gzip) + " | " + FormatKb(g.total.brotli) + " | ";
  if (const RuleResult* r = LimitFor(report, rule, g.label)) {
    row += FormatLimit(*r->limit) + " | " + StatusEmoji(r->status == RuleStatus::kPass) + " |";
  } else {
    row += "– | – |";
  }
  return row + "\n";
}

// Collapsed table of the largest packages and folders per source-mapped
// chunk, largest chunks first.
std::string MarkdownPackages(const CheckReport& report, bool all) {
  if (report.attribution.empty()) return "";
  std::string out = "<details><summary>Packages per chunk (source maps)</summary>\n\n";
  out += "| Chunk | Package or folder | Raw | ~Gzip | ~Brotli |\n|---|---|--:|--:|--:|\n";
  std::vector<const ChunkAttribution*> chunks;
  for (const ChunkAttribution& chunk : report.attribution) chunks.push_back(&chunk);
  std::stable_sort(chunks.begin(), chunks.end(),
                   [](const ChunkAttribution* a, const ChunkAttribution* b) { return a->raw > b->raw; });
  std::vector<std::string> rows;
  for (const ChunkAttribution* chunk : chunks) {
    std::string row;
    size_t shown = 0;
    for (const GroupShare& g : chunk->groups) {
      if (++shown > 6) break;
      row += "| " + MarkdownCellEscape(shown == 1 ? chunk->file : "") + " | " + MarkdownCellEscape(g.name) + " | " +
             FormatKb(g.raw) + " | " + FormatKb(g.gzip) + " | " + FormatKb(g.brotli) + " |\n";
    }
    rows.push_back(std::move(row));
  }
  AppendCapped(&out, rows, all ? SIZE_MAX : 25, all ? SIZE_MAX : 10000,
               [](size_t hidden) { return MoreRow(hidden, "chunks", 5); });
  out += "\n~ " + std::string(kEstimateMethod) + ".\n\n</details>\n\n";
  return out;
}

std::string RuleRow(const RuleResult& r) {
  return "| " + r.rule + " | " + MarkdownCellEscape(r.subject) + " | " + StatusEmoji(r.status) + " | " +
         MarkdownCellEscape(r.message) + " |\n";
}

// The last resort when the capped sections together are still too long:
// cut at a paragraph, close what was open, and say where the rest is.
std::string CutMarkdown(const std::string& full, const CheckReport& report, size_t max_chars) {
  std::string pointer = "\n\n**The report was cut to fit a comment.** The full report: `npsbundle check " +
                        report.input + " --format markdown --all`, or `--format json` for every figure.\n";
  size_t keep = max_chars > pointer.size() + 40 ? max_chars - pointer.size() - 40 : 0;
  size_t end = full.rfind("\n\n", keep);
  std::string out = full.substr(0, end == std::string::npos ? 0 : end);
  size_t open = 0, pos = 0;
  while ((pos = out.find("<details>", pos)) != std::string::npos) ++open, ++pos;
  pos = 0;
  while ((pos = out.find("</details>", pos)) != std::string::npos) --open, ++pos;
  for (size_t i = 0; i < open && i < 8; ++i) out += "\n\n</details>";
  return out + pointer;
}

}  // namespace

namespace {

std::string JunitSuite(const CheckReport& report, const std::string& name) {
  std::string tests = std::to_string(report.rules.size());
  std::string failures = std::to_string(report.failures());
  std::string out = "  <testsuite name=\"" + XmlEscape(name) + "\" tests=\"" + tests + "\" failures=\"" + failures +
                    "\" errors=\"0\" skipped=\"0\">\n";
  for (const RuleResult& r : report.rules) {
    out += "    <testcase classname=\"npsbundle." + XmlEscape(r.rule) + "\" name=\"" + XmlEscape(r.subject) + "\"";
    if (r.status != RuleStatus::kFail) {
      // Warnings do not fail the suite; their message goes to system-out.
      out += r.status == RuleStatus::kWarn ? "><system-out>" + XmlEscape(r.message) + "</system-out></testcase>\n" : "/>\n";
      continue;
    }
    out += ">\n      <failure message=\"" + XmlEscape(r.message) + "\" type=\"" + XmlEscape(r.rule) + "\">" +
           XmlEscape(r.message) + "</failure>\n    </testcase>\n";
  }
  for (const std::string& note : report.notes) {
    out += "    <system-out>" + XmlEscape(note) + "</system-out>\n";
  }
  return out + "  </testsuite>\n";
}

std::string JunitSuites(const std::string& suites, size_t tests, size_t failures) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"npsbundle\" tests=\"" +
         std::to_string(tests) + "\" failures=\"" + std::to_string(failures) + "\">\n" + suites + "</testsuites>\n";
}

// Annotations of one or several apps (an app's name leads each title when
// there are several), worst first over all of them, capped per level.
std::string GithubAnnotations(const std::vector<AppReport>& apps, const std::string& verdict, bool passed) {
  // GitHub shows 10 errors and 10 warnings per step: the worst of each, then
  // one line that counts the rest.
  std::vector<std::pair<const AppReport*, const RuleResult*>> findings;
  for (const AppReport& app : apps) {
    for (const RuleResult* r : FindingsWorstFirst(*app.report)) findings.emplace_back(&app, r);
  }
  std::stable_sort(findings.begin(), findings.end(),
                   [](const auto& a, const auto& b) { return WorseThan(*a.second, *b.second); });
  std::string out;
  size_t errors = 0, warnings = 0, left = 0;
  for (const auto& [app, r] : findings) {
    bool error = r->status == RuleStatus::kFail;
    size_t& count = error ? errors : warnings;
    if (count == kMaxAnnotationsPerLevel) {
      ++left;
      continue;
    }
    ++count;
    std::string file = AnnotationFile(app->annotation_folder, r->file);
    std::string title = "npsbundle " + (app->name.empty() ? "" : app->name + ": ") + r->rule;
    out += (error ? "::error " : "::warning ") + (file.empty() ? "" : "file=" + GithubPropertyEscape(file) + ",") +
           "title=" + GithubPropertyEscape(title) + "::" + GithubDataEscape(r->message) + "\n";
  }
  // Notes are remarks, not findings: notices, outside the warning cap; a
  // note every app shares is said once.
  std::set<std::string> said;
  for (const AppReport& app : apps) {
    for (const std::string& note : app.report->notes) {
      if (said.insert(note).second) out += "::notice title=npsbundle::" + GithubDataEscape(note) + "\n";
    }
  }
  std::string summary = verdict.substr(11);
  if (left > 0) summary += " (" + std::to_string(left) + " more findings not annotated: see the report)";
  out += (passed ? "::notice title=npsbundle::" : "::error title=npsbundle::") + GithubDataEscape(summary) + "\n";
  return out;
}

}  // namespace

std::string RenderJunit(const CheckReport& report) {
  return JunitSuites(JunitSuite(report, "npsbundle check " + report.input), report.rules.size(), report.failures());
}

std::string RenderAppsJunit(const std::vector<AppReport>& apps) {
  std::string suites;
  size_t tests = 0, failures = 0;
  for (const AppReport& app : apps) {
    suites += JunitSuite(*app.report, app.name + " (npsbundle check " + app.path + ")");
    tests += app.report->rules.size();
    failures += app.report->failures();
  }
  return JunitSuites(suites, tests, failures);
}

std::string RenderAppsGithub(const std::vector<AppReport>& apps) {
  return GithubAnnotations(apps, AppsVerdictLine(apps), AppsPassed(apps));
}

std::string RenderGithub(const CheckReport& report, const std::string& annotation_folder) {
  AppReport app;
  app.report = &report;
  app.annotation_folder = annotation_folder;
  return GithubAnnotations({app}, VerdictLine(report), report.passed());
}

namespace {

// Failures or warnings grouped by rule: a count, then the worst of each.
std::string MarkdownFindings(const CheckReport& report, bool failures, bool all) {
  std::string out;
  for (const RuleSummary& s : SummariseRules(report)) {
    std::vector<std::string> rows;
    for (const RuleResult* r : s.findings) {
      if ((r->status == RuleStatus::kFail) == failures) rows.push_back("  - " + MarkdownCellEscape(r->message) + "\n");
    }
    if (rows.empty()) continue;
    std::string mark = failures ? "- ❌ **" : "- ⚠️ **";
    if (rows.size() == 1 && s.passed == 0) {
      out += mark + s.rule + "**: " + rows.front().substr(4);
      continue;
    }
    out += mark + s.rule + "**: " +
           (failures ? std::to_string(s.failed) + " of " + std::to_string(s.failed + s.warned + s.passed) +
                           " over budget, worst first"
                     : std::to_string(s.warned) + " warnings, worst first") +
           "\n";
    AppendCapped(&out, rows, all ? SIZE_MAX : kMarkdownFindingsPerRule, all ? SIZE_MAX : 4000, [](size_t hidden) {
      return "  - … " + std::to_string(hidden) + " more (`--all` lists them)\n";
    });
  }
  return out;
}

}  // namespace

std::string RenderMarkdown(const CheckReport& report, const ReportDiff* diff, bool all, size_t max_chars) {
  const size_t cap = all ? SIZE_MAX : 1;  // multiplies every section's row and character caps
  std::string out = "## npsbundle: " + StatusEmoji(report.passed()) + " " +
                    MarkdownCellEscape(VerdictLine(report).substr(11)) +
                    (diff ? " · " + MarkdownCellEscape(DiffSummary(*diff)) : "") + "\n\n";
  out += "Build `" + report.input + "` · gzip level " + std::to_string(report.levels.gzip_level) +
         " · brotli quality " + std::to_string(report.levels.brotli_quality) +
         (diff ? " · baseline `" + diff->baseline + "`" : "") + "\n\n";
  if (diff) out += DiffMarkdownSection(*diff, all ? SIZE_MAX : 100);
  if (report.failures() > 0) out += "### Over budget\n\n" + MarkdownFindings(report, true, all) + "\n";
  if (report.warning_count() > 0) out += "### Warnings\n\n" + MarkdownFindings(report, false, all) + "\n";
  // In a PR comment (with a diff) the size tables are details.
  if (diff) out += "<details><summary>Initial load and lazy pages</summary>\n\n";
  const char* kGroupHeader = " | Files | Raw | Gzip | Brotli | Limit | Status |\n|---|--:|--:|--:|--:|--:|:-:|\n";
  auto groups = [&](const std::string& title, const std::string& column, const std::vector<LoadGroup>& list,
                    const std::string& rule, const std::string& what) {
    if (list.empty()) return;
    out += "### " + title + "\n\n| " + column + kGroupHeader;
    std::vector<std::string> rows;
    for (const LoadGroup& g : list) rows.push_back(GroupRow(report, g, rule));
    AppendCapped(&out, rows, 30 * cap, 6000 * cap, [&](size_t hidden) { return MoreRow(hidden, what, 7); });
    out += "\n";
  };
  groups("Initial load", "Entry", report.entries, "initial", "entries");
  groups("Lazy pages, largest first (added on navigation)", "Page", report.lazy_pages, "routeCost", "pages");
  groups("Lazy chunks inside packages (not pages)", "Package", report.lazy_libraries, "", "packages");
  if (diff) out += "</details>\n\n";
  for (const std::string& note : report.notes) out += "> " + MarkdownCellEscape(note) + "\n\n";
  out += "<details><summary>All rule checks (" + std::to_string(report.rules.size()) + ")</summary>\n\n";
  out += "| Rule | Subject | Status | Detail |\n|---|---|:-:|---|\n";
  std::vector<std::string> rows;
  for (const RuleResult* r : FindingsWorstFirst(report)) rows.push_back(RuleRow(*r));
  for (const RuleResult& r : report.rules) {
    if (r.status == RuleStatus::kPass) rows.push_back(RuleRow(r));
  }
  AppendCapped(&out, rows, 60 * cap, 12000 * cap, [](size_t hidden) { return MoreRow(hidden, "rule checks", 4); });
  out += "\n</details>\n\n";
  out += MarkdownPackages(report, all);
  std::vector<const FileRow*> files;
  size_t unlisted = 0;
  for (const FileRow& row : report.files) {
    if (UnlistedKind(row.size.path).empty()) {
      files.push_back(&row);
    } else {
      ++unlisted;
    }
  }
  std::stable_sort(files.begin(), files.end(),
                   [](const FileRow* a, const FileRow* b) { return a->size.gzip > b->size.gzip; });
  out += "<details><summary>Files, largest first (" + std::to_string(files.size()) + ")</summary>\n\n";
  out += "| File | Raw | Gzip | Brotli |\n|---|--:|--:|--:|\n";
  rows.clear();
  for (const FileRow* row : files) {
    rows.push_back("| " + MarkdownCellEscape(row->size.path) + " | " + FormatKb(row->size.raw) + " | " +
                   FormatKb(row->size.gzip) + " | " + FormatKb(row->size.brotli) + " |\n");
  }
  AppendCapped(&out, rows, 100 * cap, 8000 * cap, [](size_t hidden) { return MoreRow(hidden, "files", 4); });
  if (unlisted > 0) {
    out += "\n" + std::to_string(unlisted) + " source maps, fonts and manifests are not listed (the JSON report has every file).\n";
  }
  out += "\n</details>\n";
  if (!all && out.size() > max_chars) out = CutMarkdown(out, report, max_chars);
  return out;
}

}  // namespace npsbundle
