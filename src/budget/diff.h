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

// How a chunk of the new build relates to the old one, beyond its size.
enum class ChunkChange {
  kNone,
  kRenamed,  // the same chunk (same bytes, or mostly the same modules) under another name
  kMerged,   // its modules now live in one chunk with those of another old chunk
  kSplit,    // its modules are now spread over several chunks
};
std::string_view ChunkChangeName(ChunkChange change);  // "", "renamed", "merged", "split"

struct DiffRow {
  DiffKind kind = DiffKind::kChunk;
  // Identity across builds: entries and lazy pages by manifest key. Chunks
  // are paired (see DiffReports) and named by the new side's ChunkIdentity:
  // manifest key for entries/pages, chunk name for shared chunks (whose
  // keys carry the hash), else the build path with its hash removed.
  std::string id;
  std::string label;  // display name ("index.html", "Oracle", "vendor-react.js")
  std::string old_file, new_file;  // chunks: build paths; empty when absent
  bool in_old = false, in_new = false;
  SizeTriple before, after;
  // Chunks only: renamed, merged or split, and the labels of the chunks on
  // the other side it relates to ("renamed" from one; "merged" with or into
  // others; "split" into or from others).
  ChunkChange change = ChunkChange::kNone;
  std::vector<std::string> related;

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

  // Entries, lazy pages and chunks whose size changed, that were added or
  // removed, or (chunks) renamed, merged or split; largest |gzip delta| first.
  std::vector<const DiffRow*> Changes() const;
};

// Entries and lazy pages are paired by manifest key. Chunks (JS and CSS) are
// paired by identity, in this order: the same stable manifest key (a source
// path); the same bytes (equal raw, gzip and brotli sizes); mostly the same
// modules (source maps in both builds: at least half of the larger side's
// mapped bytes in common); the same name without hash, closest size first.
// What is left is added or removed, and marked merged or split when its
// modules went to (or came from) other chunks.
ReportDiff DiffReports(const CheckReport& before, const CheckReport& after, const std::string& baseline_name);

// The chunk identity used by DiffRow::id for one file row.
std::string ChunkIdentity(const FileRow& row);

// The chunk rows of a diff (see DiffReports), sorted by id.
std::vector<DiffRow> MatchChunks(const CheckReport& before, const CheckReport& after);

// "assets/vendor-react-D-9X1o8U.js" -> "assets/vendor-react.js"; other paths unchanged.
std::string WithoutHash(const std::string& path);

// Appends a "maxGrowth" rule result for every entry, lazy page and chunk
// that has a growth limit in `budget`. Chunks new in this build are checked
// against byte limits only (a percentage of nothing is undefined).
void EvaluateGrowthRules(const Budget& budget, const ReportDiff& diff, CheckReport* report);

// "+1.2 kB" / "-0.3 kB" / "±0" and "+4.5%" for reports.
std::string FormatDelta(int64_t bytes);
std::string FormatPercent(double percent);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_DIFF_H_
