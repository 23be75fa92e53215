// Time budgets: turns each entry's initial load and each lazy page's route
// cost into an estimated time on the rule's network profile (network.h).
#include "budget/analysis.h"
#include "budget/load_time.h"

namespace npsbundle {
namespace {

uint64_t WireBytes(const FileRow& row, Measure encoding) {
  return encoding == Measure::kGzip ? row.size.gzip : row.size.brotli;
}

std::vector<uint64_t> WireSizes(const CheckReport& report, const LoadGroup& group, Measure encoding) {
  std::vector<uint64_t> sizes;
  for (const std::string& path : group.files) {
    if (const FileRow* row = report.FindFile(path)) sizes.push_back(WireBytes(*row, encoding));
  }
  return sizes;
}

double LimitFor(const TimingRule& rule, const LoadGroup& group) {
  for (const auto& [pattern, ms] : rule.overrides) {
    if (GlobMatch(pattern, group.label) || GlobMatch(pattern, group.key)) return ms;
  }
  return rule.limit_ms;
}

// "connect 300 ms → HTML 0.3 kB 152 ms → 6 files 82.1 kB 561 ms"
std::string DescribePath(const std::vector<LoadStep>& steps) {
  std::string out;
  for (const LoadStep& step : steps) {
    if (!out.empty()) out += " → ";
    out += step.label;
    if (step.files > 1) out += " (" + std::to_string(step.files) + " files)";
    if (step.bytes > 0) out += " " + FormatKb(step.bytes);
    out += " " + FormatDuration(step.ms);
  }
  return out;
}

RuleResult TimingResult(const TimingRule& rule, const NetworkProfile& profile, const LoadGroup& group,
                        const TimeEstimate& estimate) {
  bool initial = rule.kind == TimingRule::Kind::kInitialLoad;
  RuleResult result;
  result.rule = initial ? "initialLoad" : "pageTransition";
  result.subject = group.label;
  result.file = group.files.empty() ? "" : group.files.front();
  result.actual_ms = estimate.ms;
  result.limit_ms = LimitFor(rule, group);
  result.profile = profile.name;
  result.critical_path = estimate.steps;
  bool pass = estimate.ms <= *result.limit_ms;
  result.status = pass ? RuleStatus::kPass : RuleStatus::kFail;
  result.message = (initial ? "initial load of " : "transition to ") + group.label + " on " + profile.name +
                   " is an estimated " + FormatDuration(estimate.ms) + (pass ? ", within " : ", over the limit of ") +
                   FormatDuration(*result.limit_ms) + " (" + DescribePath(estimate.steps) + ")";
  return result;
}

}  // namespace

void EvaluateTimingRules(const Budget& budget, CheckReport* report) {
  for (const TimingRule& rule : budget.timing) {
    std::optional<NetworkProfile> profile = budget.FindProfile(rule.profile);
    if (!profile) continue;  // ParseBudget already refused unknown profiles
    if (rule.kind == TimingRule::Kind::kInitialLoad) {
      for (const LoadGroup& entry : report->entries) {
        // The HTML page itself comes first; a JS entry has none.
        const FileRow* html = report->FindFile(entry.key);
        uint64_t html_bytes = html && html->kind == FileKind::kHtml ? WireBytes(*html, rule.encoding) : 0;
        TimeEstimate estimate = EstimateInitialLoad(html_bytes, WireSizes(*report, entry, rule.encoding), *profile);
        report->rules.push_back(TimingResult(rule, *profile, entry, estimate));
      }
    } else {
      for (const LoadGroup& page : report->lazy_pages) {
        TimeEstimate estimate = EstimateTransition(WireSizes(*report, page, rule.encoding), *profile);
        report->rules.push_back(TimingResult(rule, *profile, page, estimate));
      }
    }
  }
}

}  // namespace npsbundle
