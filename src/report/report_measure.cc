#include "report/report_measure.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <utility>
#include <vector>

#include "core/escape.h"

namespace npsbundle {
namespace {

std::string Fixed(double value, const char* format = "%.1f") {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string Str(const std::string& text) { return "\"" + JsonEscape(text) + "\""; }

std::string KindName(MeasuredGroup::Kind kind) {
  return kind == MeasuredGroup::Kind::kInitialLoad ? "initialLoad" : "pageTransition";
}

std::string SampleJson(const std::vector<double>& samples, const char* format) {
  if (samples.empty()) return "null";
  Spread spread = SpreadOf(samples);
  std::string list;
  for (double s : samples) list += (list.empty() ? "" : ", ") + Fixed(s, format);
  return "{\"p50\": " + Fixed(spread.p50, format) + ", \"p95\": " + Fixed(spread.p95, format) + ", \"samples\": [" +
         list + "]}";
}

std::string RequestsJson(const std::vector<RequestRecord>& requests) {
  std::string out;
  for (const RequestRecord& r : requests) {
    out += std::string(out.empty() ? "" : ", ") + "{\"url\": " + Str(r.path) + ", \"protocol\": " +
           (r.protocol.empty() ? "null" : Str(r.protocol)) + ", \"status\": " + std::to_string(r.status) + "}";
  }
  return "[" + out + "]";
}

// Answered requests of every group's first run by protocol, most used first.
std::vector<std::pair<std::string, size_t>> ProtocolCounts(const MeasureReport& report) {
  std::map<std::string, size_t> counts;
  for (const MeasuredGroup& g : report.groups) {
    for (const RequestRecord& r : g.requests) {
      if (r.status > 0) ++counts[r.protocol.empty() ? "unknown" : r.protocol];
    }
  }
  std::vector<std::pair<std::string, size_t>> out(counts.begin(), counts.end());
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::string GroupJson(const MeasuredGroup& g) {
  std::string files, steps, encodings, arrived;
  for (const std::string& f : g.files) files += (files.empty() ? "" : ", ") + Str(f);
  for (const std::string& f : g.arrived_files) arrived += (arrived.empty() ? "" : ", ") + Str(f);
  for (const std::string& e : g.encodings) encodings += (encodings.empty() ? "" : ", ") + Str(e);
  for (const LoadStep& step : g.estimate.steps) {
    steps += std::string(steps.empty() ? "" : ", ") + "{\"step\": " + Str(step.label) +
             ", \"files\": " + std::to_string(step.files) + ", \"bytes\": " + std::to_string(step.bytes) +
             ", \"roundTrips\": " + Fixed(step.round_trips) + ", \"ms\": " + Fixed(step.ms) + "}";
  }
  double measured = SpreadOf(g.arrived_ms).p50;
  std::string error = g.arrived_ms.empty() || g.estimate.ms <= 0
                          ? "null"
                          : "{\"ms\": " + Fixed(g.estimate.ms - measured) + ", \"ratio\": " +
                                Fixed(measured / g.estimate.ms, "%.3f") + "}";
  return "{\"kind\": " + Str(KindName(g.kind)) + ", \"key\": " + Str(g.key) + ", \"label\": " + Str(g.label) +
         ", \"url\": " + Str("/" + g.path) + ", \"files\": [" + files + "], \"arrivedFiles\": [" + arrived + "], \"estimate\": {\"ms\": " +
         Fixed(g.estimate.ms) + ", \"bytes\": " + std::to_string(g.estimate_bytes) + ", \"criticalPath\": [" + steps +
         "]}, \"loadEventMs\": " + SampleJson(g.load_event_ms, "%.1f") +
         ", \"arrivedMs\": " + SampleJson(g.arrived_ms, "%.1f") +
         ", \"firstRequestMs\": " + SampleJson(g.first_request_ms, "%.1f") + ", \"bytes\": " + SampleJson(g.bytes, "%.0f") +
         ", \"expectedBytes\": " + std::to_string(g.expected_bytes) + ", \"encodings\": [" + encodings +
         "], \"requests\": " + RequestsJson(g.requests) + ", \"error\": " + error + "}";
}

// "br 82.1 kB" with "(check: 82.2 kB)" only when they differ.
std::string BytesCell(const MeasuredGroup& g) {
  if (g.bytes.empty()) return "-";
  uint64_t p50 = static_cast<uint64_t>(SpreadOf(g.bytes).p50);
  std::string encodings;
  for (const std::string& e : g.encodings) encodings += (encodings.empty() ? "" : "+") + e;
  std::string out = FormatKb(p50) + " " + encodings;
  if (p50 == g.expected_bytes) return out + " = check";
  return out + " (check: " + FormatKb(g.expected_bytes) + ")";
}

std::string Pair(const std::vector<double>& samples) {
  if (samples.empty()) return "-";
  Spread s = SpreadOf(samples);
  return FormatDuration(s.p50) + " / " + FormatDuration(s.p95);
}

std::string Pad(std::string text, size_t width) {
  // Count code points, not bytes: "→" and "…" are one column each.
  size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80;
  if (columns < width) text.append(width - columns, ' ');
  return text;
}

}  // namespace

std::string ProtocolSummary(const MeasureReport& report) {
  auto counts = ProtocolCounts(report);
  auto requests = [](size_t n) { return std::to_string(n) + (n == 1 ? " request" : " requests"); };
  if (counts.empty()) return "";
  if (counts.size() == 1) {
    return "protocol: " + counts[0].first + " (" + (counts[0].second == 1 ? "" : "all ") + requests(counts[0].second) + ")";
  }
  std::string out = "protocols: ";
  for (size_t i = 0; i < counts.size(); ++i) {
    out += (i ? ", " : "") + counts[i].first + " (" + requests(counts[i].second) + ")";
  }
  return out;
}

std::string RenderMeasureText(const MeasureReport& report) {
  const NetworkProfile& p = report.profile;
  std::string out = "npsbundle measure: " + report.input + " in " + report.browser + ", " + p.name + " (" +
                    Fixed(p.down_mbps, "%g") + " Mbps, " + Fixed(p.rtt_ms, "%g") +
                    " ms RTT, DevTools throttling), " + std::to_string(report.runs) +
                    (report.runs == 1 ? " run" : " runs") + ", cold cache\n\n";
  out += "  " + Pad("", 14) + Pad("estimate", 11) + Pad("arrived p50 / p95", 21) + Pad("load event p50 / p95", 23) +
         Pad("error", 9) + "bytes p50\n";
  for (int pass = 0; pass < 2; ++pass) {
    auto kind = pass == 0 ? MeasuredGroup::Kind::kInitialLoad : MeasuredGroup::Kind::kPageTransition;
    bool header = false;
    for (const MeasuredGroup& g : report.groups) {
      if (g.kind != kind) continue;
      if (!header) out += pass == 0 ? "initial load\n" : "page transitions (client-side, after a cold load)\n";
      header = true;
      std::string error = "-";
      if (!g.arrived_ms.empty() && g.estimate.ms > 0) {
        error = Fixed((SpreadOf(g.arrived_ms).p50 / g.estimate.ms - 1) * 100, "%+.0f%%");
      }
      out += "  " + Pad(g.label, 14) + Pad(FormatDuration(g.estimate.ms), 11) + Pad(Pair(g.arrived_ms), 21) +
             Pad(Pair(g.load_event_ms), 23) + Pad(error, 9) + BytesCell(g) + "\n";
    }
  }
  if (std::string protocols = ProtocolSummary(report); !protocols.empty()) {
    out += "\n" + protocols + "\n";
  }
  std::string arrived;
  for (const MeasuredGroup& g : report.groups) {
    if (g.kind != MeasuredGroup::Kind::kPageTransition) continue;
    std::string list;
    for (const std::string& f : g.arrived_files) list += (list.empty() ? "" : ", ") + f;
    arrived += "  " + Pad(g.label + ":", 14) + (list.empty() ? "nothing" : list) + "\n";
  }
  if (!arrived.empty()) out += "\narrived after the click (first run)\n" + arrived;
  out += "\nerror: measured arrived p50 against the estimate (+ the browser was slower). Arrived: until the\n"
         "last file of the initial set or route cost finished; load event: the page's, initial loads only.\n";
  for (const std::string& note : report.notes) out += "note: " + note + "\n";
  return out;
}

std::string RenderMeasureJson(const MeasureReport& report) {
  const NetworkProfile& p = report.profile;
  std::string groups;
  for (const MeasuredGroup& g : report.groups) groups += std::string(groups.empty() ? "\n    " : ",\n    ") + GroupJson(g);
  std::string notes;
  for (const std::string& n : report.notes) notes += (notes.empty() ? "" : ", ") + Str(n);
  std::string protocols;
  for (const auto& [name, count] : ProtocolCounts(report)) {
    protocols += (protocols.empty() ? "" : ", ") + Str(name) + ": " + std::to_string(count);
  }
  return std::string("{\n") + "  \"schemaVersion\": 1,\n" + "  \"tool\": " +
         Str(std::string("npsbundle ") + NPSBUNDLE_VERSION) + ",\n" + "  \"input\": " + Str(report.input) + ",\n" +
         "  \"budget\": " + (report.budget_path.empty() ? "null" : Str(report.budget_path)) + ",\n" +
         "  \"browser\": " + Str(report.browser) + ",\n" + "  \"profile\": {\"name\": " + Str(p.name) +
         ", \"downMbps\": " + Fixed(p.down_mbps, "%g") + ", \"rttMs\": " + Fixed(p.rtt_ms, "%g") +
         ", \"http\": " + (p.http2 ? "2" : "1") + ", \"connections\": " + std::to_string(p.connections) + "},\n" +
         "  \"throttling\": " + EmulationParams(p) + ",\n" + "  \"encoding\": " +
         Str(std::string(MeasureName(report.encoding))) + ",\n" + "  \"runs\": " + std::to_string(report.runs) +
         ",\n" + "  \"protocols\": {" + protocols + "},\n" +
         "  \"measurements\": [" + groups + (groups.empty() ? "],\n" : "\n  ],\n") + "  \"notes\": [" +
         notes + "]\n}\n";
}

}  // namespace npsbundle
