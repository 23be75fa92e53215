#ifndef NPSBUNDLE_BUDGET_BUDGET_H_
#define NPSBUNDLE_BUDGET_BUDGET_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/compression.h"
#include "budget/load_time.h"
#include "core/units.h"

namespace npsbundle {

// A limit on growth against a baseline report: "+5 kB gzip" (bytes of one
// measure) or "+2%" (percent of every measure) / "+2% gzip" (of one).
struct GrowthLimit {
  bool is_percent = false;
  uint64_t bytes = 0;    // when !is_percent
  double percent = 0;    // when is_percent
  bool all_measures = false;  // "+2%" without a measure
  Measure measure = Measure::kGzip;
};

// Parses a growth limit; false with a message in *error.
bool ParseGrowthLimit(std::string_view text, GrowthLimit* limit, std::string* error);
std::string FormatGrowthLimit(const GrowthLimit& limit);  // "+5.0 kB gzip", "+2%"

// A budget file (schema version 1, documented in budgets/README.md). Every
// limit names its measure. Command-line flags write into the same struct, so
// a flag and a budget field can never mean different things.
// A time budget: the estimated load time on one network profile (see
// network.h for the model). Rule ids "initialLoad" (each entry, cold) and
// "pageTransition" (each lazy page, after the initial load).
struct TimingRule {
  enum class Kind { kInitialLoad, kPageTransition };
  Kind kind = Kind::kInitialLoad;
  double limit_ms = 0;
  std::string profile;                 // a built-in or `profiles` name
  Measure encoding = Measure::kBrotli;  // what the server sends: brotli or gzip
  // Entry or page label (or glob) -> limit in ms; first match wins.
  std::vector<std::pair<std::string, double>> overrides;
};

struct Budget {
  std::string path;  // where it was read from; empty for built-in defaults

  CompressionLevels levels;

  // Rule "initial": each entry's initial set, in total and by type.
  std::optional<SizeLimit> initial;
  std::optional<SizeLimit> initial_js;
  std::optional<SizeLimit> initial_css;
  // Rule "requests": most files an entry's initial set may hold.
  std::optional<uint64_t> max_initial_requests;

  // Rule "chunk": any single JS or CSS file. Overrides are matched against a
  // chunk's name, its manifest key or src, or its build path; '*' and '?'
  // are globs. The first matching override wins.
  std::optional<SizeLimit> chunk;
  std::vector<std::pair<std::string, SizeLimit>> chunk_overrides;

  // Rule "vendorChunks": chunk names that must exist as separate files in
  // the initial set. Packages listed per chunk are kept for package-level
  // checks (they need source maps).
  std::vector<std::string> vendor_chunks;
  std::map<std::string, std::vector<std::string>> vendor_packages;

  // Rule "duplicates" (needs source maps): a package found in more than one
  // chunk of one load path (an entry's initial load, or a lazy page with the
  // initial load under it), or installed twice (two node_modules paths).
  // Without a "duplicates" field findings are warnings: they are reported but
  // do not fail the check.
  enum class Severity { kOff, kWarning, kError };
  Severity duplicates_severity = Severity::kWarning;
  std::vector<std::string> duplicates_ignore;  // package names or globs

  // Rule "maxGrowth" (only with a baseline: check --baseline, diff):
  // initial.maxGrowth per entry, lazyPages.maxGrowth per lazy page,
  // chunk.maxGrowth per JS/CSS chunk.
  std::optional<GrowthLimit> initial_growth, route_growth, chunk_growth;

  // Rule "lazyPages": pages (chunk name, source path or source file stem)
  // that must be dynamic entries outside every initial set; rule
  // "routeCost": optional limit on what each page adds when visited.
  std::vector<std::string> lazy_pages;
  std::optional<SizeLimit> route_cost;
  std::vector<std::pair<std::string, SizeLimit>> route_cost_overrides;

  // Remarks about the budget itself for the report (e.g. fields of a
  // Lighthouse budget that cannot be checked from a build).
  std::vector<std::string> notes;

  // URL path -> manifest key of the page it shows ("/oracle" ->
  // "src/pages/Oracle.tsx"); serve and nginx add that page's preload hints.
  std::map<std::string, std::string> routes;

  // Time budgets, each on its own network profile ("timing": [...]), and
  // custom profiles ("profiles": {...}) that add to or replace built-ins.
  std::vector<TimingRule> timing;
  std::vector<NetworkProfile> profiles;
  // The profile called `name`: a custom one first, else a built-in.
  std::optional<NetworkProfile> FindProfile(const std::string& name) const;
};

// The built-in app-neutral budget (budgets/default.json, compiled in): only
// rules true of every Vite app. The reference app's rules are the preset
// "nps" (config.h).
Budget DefaultBudget();
std::string_view DefaultBudgetJson();

// True when any limit of `budget` is in zstd bytes, so the build must be
// measured with zstd too.
bool NeedsZstd(const Budget& budget);

// Parses a budget file. Throws InputError naming `display_path` and the JSON
// location of the bad field: "b.json: initial.max: \"5 kb gzip\": unknown unit".
// Unknown fields are errors, so a typo never disables a rule silently.
Budget ParseBudget(std::string_view json, const std::string& display_path);

// True when `pattern` ('*' any run, '?' one character) matches `text`.
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_BUDGET_H_
