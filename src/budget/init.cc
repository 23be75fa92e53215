#include "budget/init.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/escape.h"

namespace npsbundle {
namespace {

// "123 kB": the size plus headroom, rounded up to whole kB.
std::string WithHeadroom(uint64_t bytes, double headroom) {
  double kb = std::ceil(static_cast<double>(bytes) * (1.0 + headroom) / 1000.0);
  return std::to_string(static_cast<uint64_t>(std::max(1.0, kb))) + " kB";
}

std::string Quoted(const std::string& text) { return "\"" + JsonEscape(text) + "\""; }

}  // namespace

std::string StarterBudget(const CheckReport& report, double headroom) {
  uint64_t initial_gzip = 0;
  for (const LoadGroup& entry : report.entries) initial_gzip = std::max(initial_gzip, entry.total.gzip);
  uint64_t largest_chunk = 0;
  std::set<std::string> vendors;
  for (const FileRow& row : report.files) {
    if (row.kind != FileKind::kScript && row.kind != FileKind::kStyle) continue;
    largest_chunk = std::max(largest_chunk, row.size.raw);
    if (row.kind == FileKind::kScript && row.chunk_name.find("vendor") != std::string::npos) {
      vendors.insert(row.chunk_name);
    }
  }
  uint64_t largest_route = 0;
  std::vector<std::string> pages;
  for (const LoadGroup& page : report.lazy_pages) {
    largest_route = std::max(largest_route, page.total.gzip);
    if (page.key.rfind("node_modules/", 0) != 0 && std::find(pages.begin(), pages.end(), page.label) == pages.end()) {
      pages.push_back(page.label);
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
    out += "  \"initial\": { \"max\": \"" + WithHeadroom(initial_gzip, headroom) + " gzip\" },\n";
  }
  out += "  \"chunk\": { \"max\": \"" + WithHeadroom(largest_chunk, headroom) + " raw\" }";
  if (!vendors.empty()) {
    out += ",\n  \"vendorChunks\": [";
    bool first = true;
    for (const std::string& v : vendors) {
      out += (first ? "" : ", ") + Quoted(v);
      first = false;
    }
    out += "]";
  }
  if (!pages.empty()) {
    out += ",\n  \"lazyPages\": {\n    \"pages\": [";
    for (size_t i = 0; i < pages.size(); ++i) out += (i ? ", " : "") + Quoted(pages[i]);
    out += "],\n    \"routeCost\": \"" + WithHeadroom(largest_route, headroom) + " gzip\"\n  }";
  }
  out += "\n}\n";
  return out;
}

}  // namespace npsbundle
