#ifndef NPSBUNDLE_BUDGET_LOAD_TIME_H_
#define NPSBUNDLE_BUDGET_LOAD_TIME_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace npsbundle {

// A network a page is loaded over. Bandwidth in megabits per second
// (1 Mbps = 1,000,000 bit/s), round-trip time in milliseconds.
struct NetworkProfile {
  std::string name;
  double down_mbps = 0;
  double rtt_ms = 0;
  // HTTP/2 multiplexes every request on one connection; HTTP/1.1 opens up to
  // `connections` per origin and sends one request at a time on each.
  bool http2 = true;
  int connections = 6;
  std::string source;  // where the figures come from
};

// The built-in profiles, from WebPageTest's connectivity presets (the ones
// Lighthouse-style tooling imitates):
//   broadband  20 Mbps,   20 ms  (fibre/cable home connection)
//   4g          9 Mbps,  170 ms  (WebPageTest "4G")
//   fast-3g   1.6 Mbps,  150 ms  (WebPageTest "3GFast"; Lighthouse's mobile throttling)
//   slow-3g   0.4 Mbps,  400 ms  (WebPageTest "3GSlow")
// All speak HTTP/2, as a CDN or nginx with `http2 on` does.
const std::vector<NetworkProfile>& BuiltinProfiles();
std::optional<NetworkProfile> FindBuiltinProfile(std::string_view name);

// One step of a waterfall: requests that go out together.
struct LoadStep {
  std::string label;   // "connect", "HTML", "scripts and styles"
  uint64_t files = 0;
  uint64_t bytes = 0;  // on the wire
  double round_trips = 0;
  double ms = 0;       // round trips plus transfer time
};

struct TimeEstimate {
  double ms = 0;
  std::vector<LoadStep> steps;  // the critical path, in order
};

// Time to a cold first visit's load, on `profile`:
//   connect: 2 RTT (TCP handshake + TLS 1.3), then
//   HTML: 1 RTT + html_bytes / bandwidth, then
//   one wave for the entry script, its modulepreloaded imports and the
//   stylesheets, all named in the HTML head: RTTs + wave bytes / bandwidth.
// On HTTP/1.1 a wave of n files takes ceil(n / connections) round trips and
// opening the extra connections costs 2 RTT more (in parallel). Bandwidth
// is shared, so a wave's transfer time is its total bytes over bandwidth.
// Not modelled: TCP slow start, DNS, server think time, JS parse and run.
// `file_bytes` are wire sizes (brotli or gzip, as the server sends them).
TimeEstimate EstimateInitialLoad(uint64_t html_bytes, const std::vector<uint64_t>& file_bytes,
                                 const NetworkProfile& profile);

// Time of a client-side navigation to a lazy page: Vite's preload helper
// requests the page chunk, its imports and their CSS together over the
// connection(s) the initial load opened: one wave, as above, without
// connection setup.
TimeEstimate EstimateTransition(const std::vector<uint64_t>& file_bytes, const NetworkProfile& profile);

// Parses a duration: "2 s", "100 ms", "1.5s". Returns false with a message.
bool ParseDuration(std::string_view text, double* ms, std::string* error);

// "1.23 s" for a second or more, "87 ms" below.
std::string FormatDuration(double ms);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_LOAD_TIME_H_
