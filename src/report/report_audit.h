#ifndef NPSBUNDLE_REPORT_REPORT_AUDIT_H_
#define NPSBUNDLE_REPORT_REPORT_AUDIT_H_

#include <string>

#include "audit/audit.h"
#include "report/report.h"

namespace npsbundle {

// Renderers of `audit`'s result, in the formats of `check` (html is not one
// of them). One line (text), testcase (junit), annotation (github) or row
// (markdown) per check, named by its stable identifier; every problem is
// listed: an audit has a few dozen at most.
//   text      "PASS  brotli  41 compressible files sent as brotli", problems
//             indented under a FAIL, notes, then a verdict line;
//   json      {"url", "build", "base", "passed", "requests", "connections",
//             "checks": [{"name", "status": "pass|fail|skip", "summary",
//             "problems": [...]}], "notes": [...]};
//   junit     a testsuite "npsbundle audit URL", a testcase per check;
//   github    an ::error per failed check, then a ::notice verdict;
//   markdown  a table of checks, then the problems of each failed one.
// `format` must not be kHtml.
std::string RenderAuditReport(const AuditReport& report, ReportFormat format);

}  // namespace npsbundle

#endif  // NPSBUNDLE_REPORT_REPORT_AUDIT_H_
