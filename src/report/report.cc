#include "report/report.h"

#include <set>

#include "report/report_html.h"

namespace npsbundle {

bool ParseReportFormat(std::string_view name, ReportFormat* format) {
  if (name == "text") {
    *format = ReportFormat::kText;
  } else if (name == "json") {
    *format = ReportFormat::kJson;
  } else if (name == "junit") {
    *format = ReportFormat::kJunit;
  } else if (name == "github") {
    *format = ReportFormat::kGithub;
  } else if (name == "markdown") {
    *format = ReportFormat::kMarkdown;
  } else if (name == "html") {
    *format = ReportFormat::kHtml;
  } else {
    return false;
  }
  return true;
}

std::string RenderReport(const CheckReport& report, ReportFormat format, const RenderOptions& options) {
  switch (format) {
    case ReportFormat::kText:
      return RenderText(report, options);
    case ReportFormat::kJson:
      return RenderJson(report, options.diff);
    case ReportFormat::kJunit:
      return RenderJunit(report);
    case ReportFormat::kGithub:
      return RenderGithub(report, options.annotation_folder);
    case ReportFormat::kMarkdown:
      return RenderMarkdown(report, options.diff, options.all);
    case ReportFormat::kHtml:
      return RenderHtml(report, options.diff);
  }
  return {};
}

std::string VerdictLine(const CheckReport& report) {
  size_t total = report.rules.size();
  size_t failed = report.failures();
  if (failed == 0) {
    return "npsbundle: PASS: " + std::to_string(total) + " rule checks within budget";
  }
  std::string rules;
  std::set<std::string> seen;
  for (const RuleResult& r : report.rules) {
    if (r.status == RuleStatus::kFail && seen.insert(r.rule).second) rules += (rules.empty() ? "" : ", ") + r.rule;
  }
  return "npsbundle: FAIL: " + std::to_string(failed) + " of " + std::to_string(total) +
         " rule checks over budget (" + rules + ")";
}

}  // namespace npsbundle
