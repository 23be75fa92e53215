#ifndef NPSBUNDLE_BUDGET_REPORT_READER_H_
#define NPSBUNDLE_BUDGET_REPORT_READER_H_

#include <string>
#include <string_view>
#include <vector>

#include "budget/analysis.h"

namespace npsbundle {

// Reads a JSON report written by `npsbundle check --format json` back into a
// CheckReport (files, entries, lazy pages, package attribution; rules are
// not read), for `diff` and `check --baseline`. Throws InputError naming
// `display_path` and the JSON location ("r.json: files[0].raw: expected a
// byte count").
CheckReport ReadJsonReport(std::string_view json, const std::string& display_path);

// True when `path` is a regular file whose content starts with '{': a JSON
// report saved with `check --format json`, not a build or an archive.
bool IsJsonReportFile(const std::string& path);

// Reads such a report from disk (see ReadJsonReport). Throws InputError.
CheckReport LoadJsonReport(const std::string& path);

// One app's report in a saved JSON report: `name` is empty for the report
// of a single build, else the app's name in a monorepo report
// ({"schemaVersion": 1, "apps": [{"name", "path", "report"}]}).
struct NamedReport {
  std::string name;
  CheckReport report;
};

// Reads a saved JSON report of one build or of several apps. Errors inside
// an app's report name it: "base.json: apps[1].report: files[0].raw: ...".
// Throws InputError.
std::vector<NamedReport> LoadJsonReports(const std::string& path);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_REPORT_READER_H_
