#ifndef NPSBUNDLE_REPORT_REPORT_H_
#define NPSBUNDLE_REPORT_REPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "budget/analysis.h"

namespace npsbundle {

enum class ReportFormat { kText, kJson, kJunit, kGithub, kMarkdown, kHtml };

// Parses "text", "json", "junit", "github", "markdown", "html"; false otherwise.
bool ParseReportFormat(std::string_view name, ReportFormat* format);

struct ReportDiff;  // diff.h

struct RenderOptions {
  bool color = false;  // ANSI colour in the text format (TTY without NO_COLOR)
  // The change against a baseline report (check --baseline), or nullptr.
  // Must outlive the call.
  const ReportDiff* diff = nullptr;
  // The folder GitHub annotations point into ("dist"): the caller sets it
  // when the input is a folder on disk; empty (an archive) means the
  // annotations name no file. Renderers never look at the file system.
  std::string annotation_folder;
  // Every row, finding and file (check --all). Otherwise the text report
  // fits kScreenLines and the Markdown kMarkdownBudget characters, with the
  // rest counted; every failing rule is still named with its count.
  bool all = false;
};

// A screen: the text report's length without --all.
inline constexpr size_t kScreenLines = 60;
// A GitHub comment holds 65,536 characters; the Markdown report stays under
// this, with room for what a workflow adds around it.
inline constexpr size_t kMarkdownBudget = 60000;
// GitHub shows 10 error and 10 warning annotations per step.
inline constexpr size_t kMaxAnnotationsPerLevel = 10;

// The width the text report's line budget assumes, and the rows `lines`
// take on such a terminal (a long line wraps; ANSI codes take no room).
inline constexpr size_t kScreenWidth = 120;
size_t ScreenRows(const std::vector<std::string>& lines);

// Renders the report. Renderers only format: every figure and verdict comes
// from `report`.
std::string RenderReport(const CheckReport& report, ReportFormat format, const RenderOptions& options);

std::string RenderText(const CheckReport& report, const RenderOptions& options);
std::string RenderJson(const CheckReport& report, const ReportDiff* diff = nullptr);  // schema: README "JSON report"
std::string RenderJunit(const CheckReport& report);     // one testcase per rule result
// ::error / ::warning workflow commands, worst first, at most
// kMaxAnnotationsPerLevel of each, then one summary line (::error or
// ::notice); `annotation_folder` as in RenderOptions.
std::string RenderGithub(const CheckReport& report, const std::string& annotation_folder = "");
// $GITHUB_STEP_SUMMARY / PR comment. With a diff it is laid out as a PR
// comment: a one-line verdict with the change, what changed most, collapsed details.
// Under `max_chars` characters unless `all` (cut at a paragraph, with a
// pointer to the full report).
std::string RenderMarkdown(const CheckReport& report, const ReportDiff* diff = nullptr, bool all = false,
                           size_t max_chars = kMarkdownBudget);

// One line: "npsbundle: PASS: 14 rules within budget" or
// "npsbundle: FAIL: 2 of 14 rules over budget (initial, chunk)".
std::string VerdictLine(const CheckReport& report);

}  // namespace npsbundle

#endif  // NPSBUNDLE_REPORT_REPORT_H_
