// Formats for CI systems: JUnit XML for test tabs, GitHub workflow commands
// for inline annotations, Markdown for step summaries and PR comments.
#include "core/escape.h"
#include "report/report.h"
#include "report/report_diff.h"

namespace npsbundle {
namespace {

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

// Collapsed table of the largest packages and folders per source-mapped chunk.
std::string MarkdownPackages(const CheckReport& report) {
  if (report.attribution.empty()) return "";
  std::string out = "<details><summary>Packages per chunk (source maps)</summary>\n\n";
  out += "| Chunk | Package or folder | Raw | ~Gzip | ~Brotli |\n|---|---|--:|--:|--:|\n";
  for (const ChunkAttribution& chunk : report.attribution) {
    size_t shown = 0;
    for (const GroupShare& g : chunk.groups) {
      if (++shown > 6) break;
      out += "| " + MarkdownCellEscape(shown == 1 ? chunk.file : "") + " | " + MarkdownCellEscape(g.name) + " | " +
             FormatKb(g.raw) + " | " + FormatKb(g.gzip) + " | " + FormatKb(g.brotli) + " |\n";
    }
  }
  out += "\n~ " + std::string(kEstimateMethod) + ".\n\n</details>\n\n";
  return out;
}

}  // namespace

std::string RenderJunit(const CheckReport& report) {
  std::string tests = std::to_string(report.rules.size());
  std::string failures = std::to_string(report.failures());
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"npsbundle\" tests=\"" + tests + "\" failures=\"" + failures + "\">\n";
  out += "  <testsuite name=\"" + XmlEscape("npsbundle check " + report.input) + "\" tests=\"" + tests +
         "\" failures=\"" + failures + "\" errors=\"0\" skipped=\"0\">\n";
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
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string RenderGithub(const CheckReport& report, const std::string& annotation_folder) {
  std::string out;
  for (const RuleResult& r : report.rules) {
    if (r.status == RuleStatus::kPass) continue;
    std::string file = AnnotationFile(annotation_folder, r.file);
    out += r.status == RuleStatus::kWarn ? "::warning " : "::error ";
    if (!file.empty()) out += "file=" + GithubPropertyEscape(file) + ",";
    out += "title=" + GithubPropertyEscape("npsbundle " + r.rule) + "::" + GithubDataEscape(r.message) + "\n";
  }
  for (const std::string& note : report.notes) out += "::warning title=npsbundle::" + GithubDataEscape(note) + "\n";
  out += (report.passed() ? "::notice title=npsbundle::" : "::error title=npsbundle::") +
         GithubDataEscape(VerdictLine(report).substr(11)) + "\n";
  return out;
}

std::string RenderMarkdown(const CheckReport& report, const ReportDiff* diff) {
  std::string out = "## npsbundle: " + StatusEmoji(report.passed()) + " " +
                    MarkdownCellEscape(VerdictLine(report).substr(11)) +
                    (diff ? " · " + MarkdownCellEscape(DiffSummary(*diff)) : "") + "\n\n";
  out += "Build `" + report.input + "` · gzip level " + std::to_string(report.levels.gzip_level) +
         " · brotli quality " + std::to_string(report.levels.brotli_quality) +
         (diff ? " · baseline `" + diff->baseline + "`" : "") + "\n\n";
  if (diff) out += DiffMarkdownSection(*diff);
  if (report.failures() > 0) {
    out += "### Over budget\n\n";
    for (const RuleResult& r : report.rules) {
      if (r.status == RuleStatus::kFail) out += "- ❌ **" + r.rule + "**: " + MarkdownCellEscape(r.message) + "\n";
    }
    out += "\n";
  }
  if (report.warning_count() > 0) {
    out += "### Warnings\n\n";
    for (const RuleResult& r : report.rules) {
      if (r.status == RuleStatus::kWarn) out += "- ⚠️ **" + r.rule + "**: " + MarkdownCellEscape(r.message) + "\n";
    }
    out += "\n";
  }
  // In a PR comment (with a diff) the size tables are details.
  if (diff) out += "<details><summary>Initial load and lazy pages</summary>\n\n";
  if (!report.entries.empty()) {
    out += "### Initial load\n\n| Entry | Files | Raw | Gzip | Brotli | Limit | Status |\n";
    out += "|---|--:|--:|--:|--:|--:|:-:|\n";
    for (const LoadGroup& g : report.entries) out += GroupRow(report, g, "initial");
    out += "\n";
  }
  if (!report.lazy_pages.empty()) {
    out += "### Lazy pages (added on navigation)\n\n| Page | Files | Raw | Gzip | Brotli | Limit | Status |\n";
    out += "|---|--:|--:|--:|--:|--:|:-:|\n";
    for (const LoadGroup& g : report.lazy_pages) out += GroupRow(report, g, "routeCost");
    out += "\n";
  }
  if (diff) out += "</details>\n\n";
  for (const std::string& note : report.notes) out += "> " + MarkdownCellEscape(note) + "\n\n";
  out += "<details><summary>All rule checks (" + std::to_string(report.rules.size()) + ")</summary>\n\n";
  out += "| Rule | Subject | Status | Detail |\n|---|---|:-:|---|\n";
  for (const RuleResult& r : report.rules) {
    out += "| " + r.rule + " | " + MarkdownCellEscape(r.subject) + " | " +
           StatusEmoji(r.status) + " | " + MarkdownCellEscape(r.message) + " |\n";
  }
  out += "\n</details>\n\n";
  out += MarkdownPackages(report);
  out += "<details><summary>All files (" + std::to_string(report.files.size()) + ")</summary>\n\n";
  out += "| File | Raw | Gzip | Brotli |\n|---|--:|--:|--:|\n";
  for (const FileRow& row : report.files) {
    out += "| " + MarkdownCellEscape(row.size.path) + " | " + FormatKb(row.size.raw) + " | " + FormatKb(row.size.gzip) +
           " | " + FormatKb(row.size.brotli) + " |\n";
  }
  out += "\n</details>\n";
  return out;
}

}  // namespace npsbundle
