#ifndef NPSBUNDLE_REPORT_REPORT_APPS_H_
#define NPSBUNDLE_REPORT_REPORT_APPS_H_

#include <string>
#include <vector>

#include "budget/analysis.h"
#include "report/report.h"

namespace npsbundle {

// One app of a monorepo run (check apps/*/dist): its report and, with
// --baseline, its change against the baseline's app of the same name.
struct AppReport {
  std::string name;  // unique within the run
  std::string path;  // the build path as given
  const CheckReport* report = nullptr;  // must outlive the render
  const ReportDiff* diff = nullptr;     // nullptr: no baseline for this app
  // As RenderOptions::annotation_folder, for this app's build.
  std::string annotation_folder;
};

// The apps in the order to show them: failing apps first, most failures
// (then the largest overshoot) first; then apps with warnings; then passing
// apps; ties keep the run's order.
std::vector<const AppReport*> AppsWorstFirst(const std::vector<AppReport>& apps);

// "npsbundle: FAIL: 1 of 3 apps over budget (admin)" or
// "npsbundle: PASS: 3 apps within budget (42 rule checks)".
std::string AppsVerdictLine(const std::vector<AppReport>& apps);

// True when every app passed.
bool AppsPassed(const std::vector<AppReport>& apps);

// One report of several apps, in `format`. The size limits hold for the
// whole report, not per app: text within kScreenLines (a summary table, one
// row per app, then the failing apps' failures grouped by rule, worst first;
// `options.all` adds every app's full report), Markdown under
// kMarkdownBudget characters (the table, then a section per app sharing what
// is left), at most kMaxAnnotationsPerLevel error and warning annotations in
// total, JUnit one testsuite per app, JSON {"schemaVersion": 1, "tool",
// "passed", "apps": [{"name", "path", "passed", "report"}]} where each
// report is the single-app JSON report (schema/report.schema.json), HTML
// one page with a section per app (each app's own page in an iframe, so
// its script and styles stay as they are). `options.diff` and
// `options.annotation_folder` are ignored: each app carries its own.
std::string RenderAppsReport(const std::vector<AppReport>& apps, ReportFormat format, const RenderOptions& options);

// The JUnit and GitHub formats of RenderAppsReport (report_ci.cc, beside
// the single-app ones they share their code with).
std::string RenderAppsJunit(const std::vector<AppReport>& apps);
std::string RenderAppsGithub(const std::vector<AppReport>& apps);

}  // namespace npsbundle

#endif  // NPSBUNDLE_REPORT_REPORT_APPS_H_
