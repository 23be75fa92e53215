#ifndef NPSBUNDLE_BUDGET_ANALYSIS_H_
#define NPSBUNDLE_BUDGET_ANALYSIS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "build/attribution.h"
#include "budget/budget.h"
#include "build/manifest.h"
#include "build/file_sizes.h"
#include "core/units.h"

namespace npsbundle {

// The result model of `check`: computed once, rendered by every report
// format (which never measure or evaluate anything themselves).

enum class FileKind { kScript, kStyle, kHtml, kAsset, kSourceMap };
std::string_view FileKindName(FileKind kind);  // "js", "css", "html", "asset", "map"
FileKind KindOfPath(std::string_view path);

// Files the text and Markdown reports leave out of their file lists because
// no page load fetches them for their size: "source map", "font" (served on
// demand by CSS, usually unhashed copies from public/) and "manifest" (Vite's
// or a web-app manifest). Empty for every other file. The JSON report keeps
// every file.
std::string_view UnlistedKind(std::string_view path);

struct Totals {
  uint64_t raw = 0, gzip = 0, brotli = 0;
  uint64_t zstd = 0;  // 0 unless zstd was measured
  uint64_t files = 0;
  uint64_t Get(Measure measure) const;
  void Add(const FileMeasurement& m);
};

// One measured file, with what the manifest says about it.
struct FileRow {
  FileMeasurement size;
  FileKind kind = FileKind::kAsset;
  std::string manifest_key;  // empty when the manifest does not name it as a chunk
  std::string chunk_name;    // manifest `name`, or empty
};

// A set of files fetched together: an entry's initial load, or what a lazy
// page adds on top of it.
struct LoadGroup {
  std::string key;     // manifest key ("index.html", "src/pages/Oracle.tsx")
  std::string label;   // short display name ("index.html", "Oracle")
  std::string entry;   // for lazy pages: the entry whose initial load it extends
  std::vector<std::string> files;  // build paths, load order
  Totals total, js, css;
  // Lazy libraries only: how many of the package's dynamic imports the group
  // holds (a syntax highlighter's language chunks are one group).
  size_t chunks = 1;
};

// kWarn: a finding reported without failing the check (rules whose severity
// is "warning", e.g. duplicates by default).
enum class RuleStatus { kPass, kFail, kWarn };
std::string_view RuleStatusName(RuleStatus status);  // "pass", "fail", "warn"

// The outcome of one rule on one subject ("initial" on "index.html").
struct RuleResult {
  std::string rule;     // "initial", "initial.js", "initial.css", "requests",
                        // "chunk", "vendorChunks", "lazyPages", "routeCost",
                        // "duplicates", "maxGrowth"
  std::string subject;  // entry, chunk or page it was applied to
  std::string file;     // build path to point annotations at; may be empty
  RuleStatus status = RuleStatus::kPass;
  std::optional<uint64_t> actual;    // bytes (or a count for "requests")
  std::optional<SizeLimit> limit;    // size rules
  std::optional<uint64_t> max_count; // "requests"
  // Timing rules ("initialLoad", "pageTransition"): the estimate, its limit,
  // the network profile and the steps of the critical path.
  std::optional<double> actual_ms, limit_ms;
  std::string profile;
  std::vector<LoadStep> critical_path;
  std::string message;  // one line, complete: what was found, against what
};

struct CheckReport {
  static constexpr int kSchemaVersion = 1;
  std::string input;          // what the user passed
  std::string manifest_path;  // build path of the manifest; empty when none
  std::string budget_path;    // empty: built-in default
  CompressionLevels levels;
  bool zstd = false;  // zstd was measured (a limit or --zstd asked for it)
  std::vector<FileRow> files;          // every measured file, by path
  std::vector<LoadGroup> entries;      // initial load per entry
  // Route cost per dynamic entry of the app, largest gzip cost first.
  // Labels are unique over entries and lazy pages.
  std::vector<LoadGroup> lazy_pages;
  // Dynamic imports made inside a package (a highlighter's language files,
  // a chart library's locales), one group per package, largest first: they
  // are not pages of the app, so no route-cost rule applies to them.
  std::vector<LoadGroup> lazy_libraries;
  std::vector<RuleResult> rules;
  std::vector<std::string> notes;      // plain-language remarks for the reader
  // What each source-mapped JS/CSS file is made of (empty without maps),
  // in file path order.
  std::vector<ChunkAttribution> attribution;

  const ChunkAttribution* FindAttribution(const std::string& path) const;
  size_t warning_count() const;  // rule results with status kWarn
  std::vector<std::string> warnings;   // problems that did not stop the check (stderr)
  size_t cache_hits = 0, cache_misses = 0;  // size-cache lookups of this run

  size_t failures() const;
  bool passed() const { return failures() == 0; }
  const FileRow* FindFile(const std::string& path) const;
};

// The matching of the rules' overrides, first match wins: a `chunk`
// override `pattern` against a file's build path, chunk name or manifest key;
// a `routeCost` override against a lazy page's label or manifest key.
bool ChunkMatches(const std::string& pattern, const FileRow& row);
bool RouteCostMatches(const std::string& pattern, const LoadGroup& page);

// The failures and warnings of one rule, worst first, with its passes
// counted: what reports show when a build has hundreds of findings.
struct RuleSummary {
  std::string rule;
  size_t failed = 0, warned = 0, passed = 0;
  std::vector<const RuleResult*> findings;  // failures then warnings, worst first
  const RuleResult* largest_pass = nullptr;  // the passing result closest to its limit's size
};

// How far a failure or warning is past its limit, to order findings worst
// first: (actual - limit) / limit for size, count and timing rules, the
// wasted bytes in kB for duplicates and growth, 0 for findings without a
// figure (a missing vendor chunk).
double Overshoot(const RuleResult& result);

// True when `a` should be shown before `b`: failures before warnings, then
// by Overshoot, then by rule and subject so the order is stable.
bool WorseThan(const RuleResult& a, const RuleResult& b);

// One summary per rule that has results: rules with failures first (most
// failures first), then rules with warnings, then passing rules, each group
// in the order the rules were evaluated. Pointers are into `report.rules`.
std::vector<RuleSummary> SummariseRules(const CheckReport& report);

// Every failure and warning of the report, worst first (see WorseThan).
std::vector<const RuleResult*> FindingsWorstFirst(const CheckReport& report);

// Builds the model: groups files by entry and lazy page using `manifest`
// (nullptr when the build has none) and evaluates every rule of `budget`.
// `attribution` (from AttributeBuild; may be empty) feeds the package rules
// (`vendorChunks` packages, `duplicates`).
CheckReport Analyze(const std::string& input, const Manifest* manifest,
                    std::vector<FileMeasurement> measurements, const Budget& budget,
                    std::vector<ChunkAttribution> attribution = {});

// Package rules, evaluated on a report whose files, groups and attribution
// are filled in (analysis_packages.cc). Appends to report->rules.
void EvaluatePackageRules(const Budget& budget, CheckReport* report);

// Time budgets, evaluated on a report whose files and groups are filled in
// (analysis_timing.cc). Appends to report->rules.
void EvaluateTimingRules(const Budget& budget, CheckReport* report);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_ANALYSIS_H_
