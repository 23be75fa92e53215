#ifndef NPSBUNDLE_REPORT_REPORT_MEASURE_H_
#define NPSBUNDLE_REPORT_REPORT_MEASURE_H_

#include <string>

#include "browser/browser_measure.h"

namespace npsbundle {

// Renderers of `measure`'s result; they compute nothing but percentiles and
// the estimate's error from the samples.
//
// The error of an estimate is estimate − measured (ms; positive: the
// estimate is pessimistic), and the ratio measured / estimate, both taken
// at the p50 of "arrived" (the time until the group's files had arrived,
// which is what the estimate models).

// A table for people: estimate, arrived p50/p95, load event p50/p95, error,
// bytes against what `check` reports.
std::string RenderMeasureText(const MeasureReport& report);

// What the answered requests of every group's first run came over, in one
// line: "protocol: h2 (all 14 requests)", or "protocols: h2 (12 requests),
// http/1.1 (2 requests)", most used first ("unknown" when the browser did
// not say). Requests without a response (cancelled, failed, a duplicate
// the memory cache took) are listed in JSON but not counted. Empty when
// no request was answered.
std::string ProtocolSummary(const MeasureReport& report);

// JSON in the style of `check --format json` (schema in the README).
std::string RenderMeasureJson(const MeasureReport& report);

}  // namespace npsbundle

#endif  // NPSBUNDLE_REPORT_REPORT_MEASURE_H_
