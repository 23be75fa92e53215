#ifndef NPSBUNDLE_REPORT_REPORT_DIFF_H_
#define NPSBUNDLE_REPORT_REPORT_DIFF_H_

#include <cstdint>
#include <string>

#include "budget/diff.h"
#include "report/report.h"

namespace npsbundle {

// Pieces of a baseline diff for each report format. They only format what
// DiffReports computed.

// One line: "initial load index.html +0.2 kB gzip (+0.2%); 1 chunk changed, 0 added, 0 removed".
std::string DiffSummary(const ReportDiff& diff);

// "Changes against <baseline>": every changed subject, largest gzip change
// first (the first `max_rows`, the rest counted), then packages and folders
// that changed (when both builds had maps).
std::string DiffTextSection(const ReportDiff& diff, size_t max_rows = SIZE_MAX);

// For PR comments: a "what changed most" table (top 10), then collapsed
// details with the packages that changed and every subject (at most
// `max_rows` of them, the rest counted).
std::string DiffMarkdownSection(const ReportDiff& diff, size_t max_rows = SIZE_MAX);

// The "diff" value of the JSON report.
std::string DiffJsonValue(const ReportDiff& diff);

// The whole output of `npsbundle diff OLD NEW` in `format` (text, json or
// markdown): the summary, the changes and the maxGrowth results in `rules`.
// `current` names the new side.
std::string RenderDiffReport(const ReportDiff& diff, const std::string& current, const std::vector<RuleResult>& rules,
                             ReportFormat format);

}  // namespace npsbundle

#endif  // NPSBUNDLE_REPORT_REPORT_DIFF_H_
