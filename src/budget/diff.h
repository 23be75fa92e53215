#ifndef NPSBUNDLE_BUDGET_DIFF_H_
#define NPSBUNDLE_BUDGET_DIFF_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "budget/analysis.h"
#include "budget/budget.h"

namespace npsbundle {

// The change between a baseline report (usually the main branch) and the
// current one. Computed once from two CheckReports; renderers only format it.

// Sizes of one subject in one build, in bytes.
struct SizeTriple {
  uint64_t raw = 0, gzip = 0, brotli = 0;
  uint64_t zstd = 0;  // 0 when not measured
  uint64_t Get(Measure measure) const;
};

enum class DiffKind { kEntry, kLazyPage, kChunk };
std::string_view DiffKindName(DiffKind kind);  // "entry", "lazyPage", "chunk"

struct DiffRow {
  DiffKind kind = DiffKind::kChunk;
  // Identity across builds: entries and lazy pages by manifest key; chunks by
  // manifest key for entries/pages, by chunk name for shared chunks (whose
  // keys carry the hash), else by the build path with its hash removed.
  std::string id;
  std::string label;  // display name ("index.html", "Oracle", "vendor-react.js")
  std::string old_file, new_file;  // chunks: build paths; empty when absent
  bool in_old = false, in_new = false;
  SizeTriple before, after;

  bool added() const { return in_new && !in_old; }
  bool removed() const { return in_old && !in_new; }
  int64_t Delta(Measure measure) const;
  // Percent change; 0 when both are 0, and only meaningful when in_old.
  double Percent(Measure measure) const;
};

// Raw bytes per package (or app folder) over all chunks; needs source maps in
// both builds.
struct PackageDelta {
  std::string name;
  bool is_package = true;
  uint64_t before = 0, after = 0;  // raw bytes, exact
  int64_t delta() const { return static_cast<int64_t>(after) - static_cast<int64_t>(before); }
};

struct ReportDiff {
  std::string baseline;  // what the baseline was read from
  std::vector<DiffRow> entries, lazy_pages, chunks;  // each sorted by id
  std::vector<PackageDelta> packages;  // changed ones only, largest |delta| first
  bool has_packages = false;           // both builds had source maps

  // Entries, lazy pages and chunks whose gzip size changed or that were
  // added or removed, largest |gzip delta| first.
  std::vector<const DiffRow*> Changes() const;
};

ReportDiff DiffReports(const CheckReport& before, const CheckReport& after, const std::string& baseline_name);

// The chunk identity used by DiffRow::id for one file row.
std::string ChunkIdentity(const FileRow& row);

// Appends a "maxGrowth" rule result for every entry, lazy page and chunk
// that has a growth limit in `budget`. Chunks new in this build are checked
// against byte limits only (a percentage of nothing is undefined).
void EvaluateGrowthRules(const Budget& budget, const ReportDiff& diff, CheckReport* report);

// "+1.2 kB" / "-0.3 kB" / "±0" and "+4.5%" for reports.
std::string FormatDelta(int64_t bytes);
std::string FormatPercent(double percent);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_DIFF_H_
