#include "budget/init.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "build/asset_names.h"
#include "core/escape.h"

namespace npsbundle {
namespace {

constexpr size_t kHashLength = 8;  // Vite's and Rolldown's default [hash] length

// The size plus headroom, rounded up to whole kB.
uint64_t WithHeadroom(uint64_t bytes, double headroom) {
  double kb = std::ceil(static_cast<double>(bytes) * (1.0 + headroom) / 1000.0);
  return static_cast<uint64_t>(std::max(1.0, kb)) * 1000;
}

std::string Kb(uint64_t bytes, Measure measure) {
  return std::to_string(bytes / 1000) + " kB " + std::string(MeasureName(measure));
}

std::string Quoted(const std::string& text) { return "\"" + JsonEscape(text) + "\""; }

bool IsLibraryKey(const std::string& key) { return key.rfind("node_modules/", 0) == 0; }

// A chunk's label that survives a rebuild: its manifest key when that is a
// source path (shared chunks' keys, "_name-HASH.js", carry the hash), else
// its chunk name, else its path with the hash as '*'.
std::string ChunkLabel(const FileRow& row) {
  if (!row.manifest_key.empty() && row.manifest_key.front() != '_') return row.manifest_key;
  if (!row.chunk_name.empty()) return row.chunk_name;
  return HashFreeGlob(row.size.path);
}

// Limits per label, in first-seen order, each raised to cover every subject
// whose first matching label it is (the rules apply the first match).
class FirstMatchLimits {
 public:
  void AddLabel(const std::string& label) {
    if (std::find(labels_.begin(), labels_.end(), label) == labels_.end()) labels_.push_back(label);
  }
  // False when no label matches: the subject falls under the general limit.
  template <typename Matches>
  bool Cover(uint64_t bytes, const Matches& matches) {
    for (const std::string& label : labels_) {
      if (!matches(label)) continue;
      limits_[label] = std::max(limits_[label], bytes);
      return true;
    }
    return false;
  }
  std::string Json(const std::string& indent, Measure measure, double headroom) const {
    std::string out;
    for (const std::string& label : labels_) {
      out += (out.empty() ? "" : ",\n") + indent + Quoted(label) + ": \"" +
             Kb(WithHeadroom(limits_.at(label), headroom), measure) + "\"";
    }
    return out;
  }
  bool empty() const { return labels_.empty(); }

 private:
  std::vector<std::string> labels_;
  std::map<std::string, uint64_t> limits_;
};

bool IsBudgetedChunk(const FileRow& row) { return row.kind == FileKind::kScript || row.kind == FileKind::kStyle; }

// Chunk names containing "vendor" whose first file (the one the vendorChunks
// rule looks at) is a separate, non-entry file of some initial load.
std::set<std::string> InitialVendorChunks(const CheckReport& report) {
  std::set<std::string> names, entry_files, initial_files;
  for (const LoadGroup& entry : report.entries) {
    if (!entry.files.empty()) entry_files.insert(entry.files.front());
    initial_files.insert(entry.files.begin(), entry.files.end());
  }
  std::set<std::string> seen;
  for (const FileRow& row : report.files) {  // path order, as the rule reads them
    if (row.kind != FileKind::kScript || row.chunk_name.find("vendor") == std::string::npos) continue;
    if (!seen.insert(row.chunk_name).second) continue;
    if (!entry_files.count(row.size.path) && initial_files.count(row.size.path)) names.insert(row.chunk_name);
  }
  return names;
}

}  // namespace

std::string HashFreeGlob(const std::string& path) {
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot < kHashLength + 1 ||
      !IsHashedAssetName(path)) {
    return path;
  }
  return path.substr(0, dot - kHashLength) + "*" + path.substr(dot);
}

std::string StarterBudget(const CheckReport& report, double headroom) {
  const Budget defaults = DefaultBudget();
  uint64_t initial_gzip = 0;
  std::set<std::string> initial_files;
  for (const LoadGroup& entry : report.entries) {
    initial_gzip = std::max(initial_gzip, entry.total.gzip);
    initial_files.insert(entry.files.begin(), entry.files.end());
  }

  // Chunks: the app's own by label; library chunks under chunk.max.
  const Measure chunk_measure = defaults.chunk->measure;
  uint64_t chunk_max = defaults.chunk->bytes;
  FirstMatchLimits chunks;
  for (const FileRow& row : report.files) {
    if (IsBudgetedChunk(row) && !IsLibraryKey(row.manifest_key)) chunks.AddLabel(ChunkLabel(row));
  }
  for (const FileRow& row : report.files) {
    if (!IsBudgetedChunk(row)) continue;
    Totals one;
    one.Add(row.size);
    uint64_t size = one.Get(chunk_measure);
    if (!chunks.Cover(size, [&](const std::string& label) { return ChunkMatches(label, row); })) {
      chunk_max = std::max(chunk_max, WithHeadroom(size, headroom));
    }
  }

  // Lazy pages: the app's own by manifest key; library ones under routeCost.
  const Measure route_measure = defaults.route_cost->measure;
  uint64_t route_max = defaults.route_cost->bytes;
  FirstMatchLimits routes;
  std::vector<std::string> pages;
  for (const LoadGroup& page : report.lazy_pages) {
    if (IsLibraryKey(page.key)) continue;
    routes.AddLabel(page.key);
    bool lazy = page.files.empty() || !initial_files.count(page.files.front());
    if (lazy && std::find(pages.begin(), pages.end(), page.key) == pages.end()) pages.push_back(page.key);
  }
  for (const LoadGroup& page : report.lazy_pages) {
    uint64_t cost = page.total.Get(route_measure);
    if (!routes.Cover(cost, [&](const std::string& label) { return RouteCostMatches(label, page); })) {
      route_max = std::max(route_max, WithHeadroom(cost, headroom));
    }
  }

  int percent = static_cast<int>(std::lround(headroom * 100));
  std::string out = "{\n";
  out += "  \"$comment\": \"Starter budget from npsbundle init: today's sizes of " + JsonEscape(report.input) +
         " plus " + std::to_string(percent) + " % headroom. Tighten as you go.\",\n";
  out += "  \"version\": 1,\n";
  out += "  \"compression\": { \"gzipLevel\": " + std::to_string(report.levels.gzip_level) +
         ", \"brotliQuality\": " + std::to_string(report.levels.brotli_quality) + " },\n";
  if (!report.entries.empty()) {
    out += "  \"initial\": { \"max\": \"" + Kb(WithHeadroom(initial_gzip, headroom), Measure::kGzip) + "\" },\n";
  }
  out += "  \"chunk\": {\n    \"max\": \"" + Kb(chunk_max, chunk_measure) + "\"";
  if (!chunks.empty()) out += ",\n    \"overrides\": {\n" + chunks.Json("      ", chunk_measure, headroom) + "\n    }";
  out += "\n  }";
  std::set<std::string> vendors = InitialVendorChunks(report);
  if (!vendors.empty()) {
    out += ",\n  \"vendorChunks\": [";
    bool first = true;
    for (const std::string& v : vendors) {
      out += (first ? "" : ", ") + Quoted(v);
      first = false;
    }
    out += "]";
  }
  if (!report.lazy_pages.empty()) {
    out += ",\n  \"lazyPages\": {\n    \"pages\": [";
    for (size_t i = 0; i < pages.size(); ++i) out += (i ? ", " : "") + Quoted(pages[i]);
    out += "],\n    \"routeCost\": \"" + Kb(route_max, route_measure) + "\"";
    if (!routes.empty()) out += ",\n    \"overrides\": {\n" + routes.Json("      ", route_measure, headroom) + "\n    }";
    out += "\n  }";
  }
  out += "\n}\n";
  return out;
}

}  // namespace npsbundle
