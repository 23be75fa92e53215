#include "report/report_audit.h"

#include <algorithm>

#include "core/escape.h"

namespace npsbundle {
namespace {

std::string StatusName(AuditStatus status) {
  return status == AuditStatus::kPass ? "pass" : status == AuditStatus::kFail ? "fail" : "skip";
}

std::string Str(const std::string& text) { return "\"" + JsonEscape(text) + "\""; }

size_t Count(const AuditReport& report, AuditStatus status) {
  return std::count_if(report.checks.begin(), report.checks.end(),
                       [&](const AuditCheck& c) { return c.status == status; });
}

std::string Verdict(const AuditReport& report) {
  return std::string(report.passed() ? "PASS" : "FAIL") + ": " + std::to_string(Count(report, AuditStatus::kPass)) +
         " passed, " + std::to_string(Count(report, AuditStatus::kFail)) + " failed, " +
         std::to_string(Count(report, AuditStatus::kSkip)) + " skipped (" + std::to_string(report.requests) +
         " requests on " + std::to_string(report.connections) + " connections)";
}

std::string RenderText(const AuditReport& report) {
  std::string out = "npsbundle audit " + report.url + " against " + report.build + " (base " + report.base + ")\n";
  size_t width = 0;
  for (const AuditCheck& c : report.checks) width = std::max(width, c.name.size());
  for (const AuditCheck& c : report.checks) {
    std::string status = c.status == AuditStatus::kPass ? "PASS" : c.status == AuditStatus::kFail ? "FAIL" : "SKIP";
    out += status + "  " + c.name + std::string(width - c.name.size(), ' ') + "  " + c.summary + "\n";
    for (const std::string& problem : c.problems) out += "      " + problem + "\n";
  }
  for (const std::string& note : report.notes) out += "note: " + note + "\n";
  return out + "audit: " + Verdict(report) + "\n";
}

std::string RenderJson(const AuditReport& report) {
  std::string out = "{\n  \"url\": " + Str(report.url) + ",\n  \"build\": " + Str(report.build) +
                    ",\n  \"base\": " + Str(report.base) + ",\n  \"passed\": " + (report.passed() ? "true" : "false") +
                    ",\n  \"requests\": " + std::to_string(report.requests) +
                    ",\n  \"connections\": " + std::to_string(report.connections) + ",\n  \"checks\": [";
  for (size_t i = 0; i < report.checks.size(); ++i) {
    const AuditCheck& c = report.checks[i];
    std::string problems;
    for (const std::string& p : c.problems) problems += (problems.empty() ? "" : ", ") + Str(p);
    out += std::string(i ? "," : "") + "\n    {\"name\": " + Str(c.name) + ", \"status\": " + Str(StatusName(c.status)) +
           ", \"summary\": " + Str(c.summary) + ", \"problems\": [" + problems + "]}";
  }
  out += "\n  ],\n  \"notes\": [";
  for (size_t i = 0; i < report.notes.size(); ++i) out += (i ? ", " : "") + Str(report.notes[i]);
  return out + "]\n}\n";
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "\n") + line;
  return out;
}

std::string RenderJunit(const AuditReport& report) {
  std::string tests = std::to_string(report.checks.size());
  std::string failures = std::to_string(Count(report, AuditStatus::kFail));
  std::string skipped = std::to_string(Count(report, AuditStatus::kSkip));
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"npsbundle\" tests=\"" + tests + "\" failures=\"" + failures + "\">\n";
  out += "  <testsuite name=\"" + XmlEscape("npsbundle audit " + report.url) + "\" tests=\"" + tests +
         "\" failures=\"" + failures + "\" errors=\"0\" skipped=\"" + skipped + "\">\n";
  for (const AuditCheck& c : report.checks) {
    out += "    <testcase classname=\"npsbundle.audit\" name=\"" + XmlEscape(c.name) + "\"";
    if (c.status == AuditStatus::kPass) {
      out += "/>\n";
    } else if (c.status == AuditStatus::kSkip) {
      out += ">\n      <skipped message=\"" + XmlEscape(c.summary) + "\"/>\n    </testcase>\n";
    } else {
      out += ">\n      <failure message=\"" + XmlEscape(c.summary) + "\" type=\"" + XmlEscape(c.name) + "\">" +
             XmlEscape(Joined(c.problems)) + "</failure>\n    </testcase>\n";
    }
  }
  for (const std::string& note : report.notes) out += "    <system-out>" + XmlEscape(note) + "</system-out>\n";
  return out + "  </testsuite>\n</testsuites>\n";
}

std::string RenderGithub(const AuditReport& report) {
  std::string out;
  for (const AuditCheck& c : report.checks) {
    if (c.status != AuditStatus::kFail) continue;
    out += "::error title=" + GithubPropertyEscape("audit " + c.name) + "::" +
           GithubDataEscape(c.summary + "\n" + Joined(c.problems)) + "\n";
  }
  out += std::string(report.passed() ? "::notice" : "::error") + " title=npsbundle audit::" +
         GithubDataEscape(report.url + ": " + Verdict(report)) + "\n";
  return out;
}

std::string RenderMarkdown(const AuditReport& report) {
  std::string out = "### npsbundle audit " + std::string(report.passed() ? "✅" : "❌") + "\n\n`" + report.url +
                    "` against `" + report.build + "` (base `" + report.base + "`): " + Verdict(report) + "\n\n";
  out += "| check | result | |\n| --- | --- | --- |\n";
  for (const AuditCheck& c : report.checks) {
    std::string mark = c.status == AuditStatus::kPass ? "✅" : c.status == AuditStatus::kFail ? "❌" : "➖";
    out += "| `" + c.name + "` | " + mark + " | " + MarkdownCellEscape(c.summary) + " |\n";
  }
  for (const AuditCheck& c : report.checks) {
    if (c.status != AuditStatus::kFail) continue;
    out += "\n**" + c.name + "**\n\n";
    for (const std::string& p : c.problems) out += "- " + MarkdownCellEscape(p) + "\n";
  }
  for (const std::string& note : report.notes) out += "\n_" + MarkdownCellEscape(note) + "_\n";
  return out;
}

}  // namespace

std::string RenderAuditReport(const AuditReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::kJson: return RenderJson(report);
    case ReportFormat::kJunit: return RenderJunit(report);
    case ReportFormat::kGithub: return RenderGithub(report);
    case ReportFormat::kMarkdown: return RenderMarkdown(report);
    default: return RenderText(report);
  }
}

}  // namespace npsbundle
