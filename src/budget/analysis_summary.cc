// Ordering and grouping of rule results for reports that must fit a screen,
// a PR comment or GitHub's annotation limits: which findings are worst.
#include <algorithm>
#include <map>

#include "budget/analysis.h"

namespace npsbundle {

double Overshoot(const RuleResult& r) {
  if (r.actual_ms && r.limit_ms && *r.limit_ms > 0) return (*r.actual_ms - *r.limit_ms) / *r.limit_ms;
  if (r.actual && r.limit && r.limit->bytes > 0) {
    return (static_cast<double>(*r.actual) - static_cast<double>(r.limit->bytes)) /
           static_cast<double>(r.limit->bytes);
  }
  if (r.actual && r.max_count && *r.max_count > 0) {
    return (static_cast<double>(*r.actual) - static_cast<double>(*r.max_count)) /
           static_cast<double>(*r.max_count);
  }
  // Duplicates and growth carry bytes but no limit in bytes: rank by kB.
  if (r.actual) return static_cast<double>(*r.actual) / 1000.0;
  return 0;
}

bool WorseThan(const RuleResult& a, const RuleResult& b) {
  auto rank = [](RuleStatus s) { return s == RuleStatus::kFail ? 0 : s == RuleStatus::kWarn ? 1 : 2; };
  if (rank(a.status) != rank(b.status)) return rank(a.status) < rank(b.status);
  double oa = Overshoot(a), ob = Overshoot(b);
  if (oa != ob) return oa > ob;
  if (a.rule != b.rule) return a.rule < b.rule;
  return a.subject < b.subject;
}

std::vector<const RuleResult*> FindingsWorstFirst(const CheckReport& report) {
  std::vector<const RuleResult*> out;
  for (const RuleResult& r : report.rules) {
    if (r.status != RuleStatus::kPass) out.push_back(&r);
  }
  std::stable_sort(out.begin(), out.end(), [](const RuleResult* a, const RuleResult* b) { return WorseThan(*a, *b); });
  return out;
}

std::vector<RuleSummary> SummariseRules(const CheckReport& report) {
  std::vector<RuleSummary> out;
  std::map<std::string, size_t> index;
  for (const RuleResult& r : report.rules) {
    auto [it, added] = index.emplace(r.rule, out.size());
    if (added) {
      out.emplace_back();
      out.back().rule = r.rule;
    }
    RuleSummary& s = out[it->second];
    if (r.status == RuleStatus::kPass) {
      ++s.passed;
      // The pass nearest its limit says most about the headroom left.
      if (r.actual && (!s.largest_pass || Overshoot(r) > Overshoot(*s.largest_pass))) s.largest_pass = &r;
      continue;
    }
    ++(r.status == RuleStatus::kFail ? s.failed : s.warned);
    s.findings.push_back(&r);
  }
  for (RuleSummary& s : out) {
    std::stable_sort(s.findings.begin(), s.findings.end(),
                     [](const RuleResult* a, const RuleResult* b) { return WorseThan(*a, *b); });
  }
  std::stable_sort(out.begin(), out.end(), [](const RuleSummary& a, const RuleSummary& b) {
    auto rank = [](const RuleSummary& s) { return s.failed ? 0 : s.warned ? 1 : 2; };
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    return a.failed > b.failed;
  });
  return out;
}

}  // namespace npsbundle
