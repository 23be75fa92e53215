#ifndef NPSBUNDLE_REPORT_REPORT_HTML_H_
#define NPSBUNDLE_REPORT_REPORT_HTML_H_

#include <string>
#include <string_view>

#include "budget/analysis.h"

namespace npsbundle {

struct ReportDiff;

// The HTML report: one self-contained page (inline CSS, script and data; no
// network, works from file://) with a zoomable treemap of chunks ->
// packages/folders -> modules sized by raw, gzip or brotli, initial and lazy
// chunks coloured apart, every rule result, and the diff when `diff` is given.
std::string RenderHtml(const CheckReport& report, const ReportDiff* diff);

// The report's page data as JSON, safe to embed in a <script> element
// ("</" is written "<\/"). Exposed for tests.
std::string HtmlReportData(const CheckReport& report, const ReportDiff* diff);

// The inline stylesheet and script (report_html_assets.cc).
std::string_view HtmlReportStyle();
std::string_view HtmlReportScript();

}  // namespace npsbundle

#endif  // NPSBUNDLE_REPORT_REPORT_HTML_H_
