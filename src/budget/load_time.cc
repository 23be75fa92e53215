#include "budget/load_time.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace npsbundle {
namespace {

constexpr double kConnectRoundTrips = 2;  // TCP + TLS 1.3

double TransferMs(uint64_t bytes, const NetworkProfile& profile) {
  return static_cast<double>(bytes) * 8.0 / (profile.down_mbps * 1e6) * 1000.0;
}

// One wave of parallel requests on open connections.
LoadStep Wave(std::string label, const std::vector<uint64_t>& file_bytes, const NetworkProfile& profile) {
  LoadStep step;
  step.label = std::move(label);
  step.files = file_bytes.size();
  for (uint64_t bytes : file_bytes) step.bytes += bytes;
  if (step.files > 0) {
    int lanes = profile.http2 ? static_cast<int>(step.files) : std::max(1, profile.connections);
    step.round_trips = std::ceil(static_cast<double>(step.files) / lanes);
  }
  step.ms = step.round_trips * profile.rtt_ms + TransferMs(step.bytes, profile);
  return step;
}

TimeEstimate Sum(std::vector<LoadStep> steps) {
  TimeEstimate estimate;
  for (const LoadStep& step : steps) estimate.ms += step.ms;
  estimate.steps = std::move(steps);
  return estimate;
}

}  // namespace

const std::vector<NetworkProfile>& BuiltinProfiles() {
  static const std::vector<NetworkProfile> kProfiles = {
      {"broadband", 20, 20, true, 6, "fibre/cable home connection: 20 Mbps down, 20 ms RTT"},
      {"4g", 9, 170, true, 6, "WebPageTest \"4G\": 9 Mbps down, 170 ms RTT"},
      {"fast-3g", 1.6, 150, true, 6, "WebPageTest \"3GFast\" (Lighthouse mobile throttling): 1.6 Mbps, 150 ms RTT"},
      {"slow-3g", 0.4, 400, true, 6, "WebPageTest \"3GSlow\": 0.4 Mbps down, 400 ms RTT"},
  };
  return kProfiles;
}

std::optional<NetworkProfile> FindBuiltinProfile(std::string_view name) {
  for (const NetworkProfile& profile : BuiltinProfiles()) {
    if (profile.name == name) return profile;
  }
  return std::nullopt;
}

TimeEstimate EstimateInitialLoad(uint64_t html_bytes, const std::vector<uint64_t>& file_bytes,
                                 const NetworkProfile& profile) {
  std::vector<LoadStep> steps;
  LoadStep connect;
  connect.label = "connect";
  connect.round_trips = kConnectRoundTrips;
  connect.ms = connect.round_trips * profile.rtt_ms;
  steps.push_back(connect);
  steps.push_back(Wave("HTML", {html_bytes}, profile));
  LoadStep wave = Wave("scripts and styles", file_bytes, profile);
  if (!profile.http2 && file_bytes.size() > 1) {
    // The extra HTTP/1.1 connections are opened in parallel for this wave.
    wave.round_trips += kConnectRoundTrips;
    wave.ms += kConnectRoundTrips * profile.rtt_ms;
  }
  if (wave.files > 0) steps.push_back(wave);
  return Sum(std::move(steps));
}

TimeEstimate EstimateTransition(const std::vector<uint64_t>& file_bytes, const NetworkProfile& profile) {
  if (file_bytes.empty()) return {};
  return Sum({Wave("page chunks", file_bytes, profile)});
}

bool ParseDuration(std::string_view text, double* ms, std::string* error) {
  std::string value(text);
  char* end = nullptr;
  double number = std::strtod(value.c_str(), &end);
  std::string unit(end ? end : "");
  while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
  while (!unit.empty() && unit.back() == ' ') unit.pop_back();
  bool digits = !value.empty() && (std::isdigit(static_cast<unsigned char>(value[0])) || value[0] == '.');
  if (!digits || end == value.c_str() || !std::isfinite(number) || number < 0) {
    *error = "\"" + value + "\": expected a duration such as \"2 s\" or \"100 ms\"";
    return false;
  }
  if (unit == "ms") {
    *ms = number;
  } else if (unit == "s") {
    *ms = number * 1000;
  } else {
    *error = "\"" + value + "\": unknown unit \"" + unit + "\" (use ms or s)";
    return false;
  }
  return true;
}

std::string FormatDuration(double ms) {
  char buffer[32];
  if (ms >= 1000) {
    std::snprintf(buffer, sizeof buffer, "%.2f s", ms / 1000);
  } else {
    std::snprintf(buffer, sizeof buffer, "%.0f ms", ms);
  }
  return buffer;
}

}  // namespace npsbundle
