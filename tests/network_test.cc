#include "network.h"

#include <catch2/catch.hpp>

namespace npsbundle {

TEST_CASE("network: built-in profiles carry their documented figures", "[network]") {
  struct Case {
    const char* name;
    double mbps, rtt;
  };
  const Case cases[] = {{"broadband", 20, 20}, {"4g", 9, 170}, {"fast-3g", 1.6, 150}, {"slow-3g", 0.4, 400}};
  for (const Case& c : cases) {
    INFO(c.name);
    std::optional<NetworkProfile> p = FindBuiltinProfile(c.name);
    REQUIRE(p);
    CHECK(p->down_mbps == c.mbps);
    CHECK(p->rtt_ms == c.rtt);
    CHECK(p->http2);
    CHECK(!p->source.empty());
  }
  CHECK(!FindBuiltinProfile("5g"));
}

TEST_CASE("network: initial load is connect + HTML + one wave of scripts and styles", "[network]") {
  NetworkProfile p{"test", 8, 100, true, 6, ""};  // 8 Mbps = 1 byte per microsecond
  TimeEstimate e = EstimateInitialLoad(1000, {100000, 50000, 50000}, p);
  REQUIRE(e.steps.size() == 3);
  CHECK(e.steps[0].label == "connect");
  CHECK(e.steps[0].ms == Approx(200));
  CHECK(e.steps[1].ms == Approx(100 + 1));  // 1 RTT + 1000 B at 1 B/us
  CHECK(e.steps[2].files == 3);
  CHECK(e.steps[2].bytes == 200000);
  CHECK(e.steps[2].round_trips == 1);
  CHECK(e.steps[2].ms == Approx(100 + 200));
  CHECK(e.ms == Approx(200 + 101 + 300));
}

TEST_CASE("network: HTTP/1.1 queues requests over its connections", "[network]") {
  NetworkProfile h1{"h1", 8, 100, false, 6, ""};
  std::vector<uint64_t> thirteen(13, 1000);
  TimeEstimate e = EstimateInitialLoad(0, thirteen, h1);
  // ceil(13 / 6) = 3 rounds, plus 2 RTT to open the extra connections.
  CHECK(e.steps[2].round_trips == 5);
  CHECK(e.steps[2].ms == Approx(500 + 13));
  NetworkProfile h2 = h1;
  h2.http2 = true;
  CHECK(EstimateInitialLoad(0, thirteen, h2).steps[2].round_trips == 1);
  // A single file needs no extra connection.
  CHECK(EstimateInitialLoad(0, {1000}, h1).steps[2].round_trips == 1);
}

TEST_CASE("network: a transition is one wave on warm connections", "[network]") {
  NetworkProfile p{"test", 8, 50, true, 6, ""};
  TimeEstimate e = EstimateTransition({3000, 2000}, p);
  REQUIRE(e.steps.size() == 1);
  CHECK(e.ms == Approx(50 + 5));
  CHECK(EstimateTransition({}, p).ms == 0);
  // More bandwidth never makes it slower; more latency never faster.
  NetworkProfile faster = p;
  faster.down_mbps = 80;
  CHECK(EstimateTransition({3000, 2000}, faster).ms < e.ms);
  NetworkProfile slower = p;
  slower.rtt_ms = 60;
  CHECK(EstimateTransition({3000, 2000}, slower).ms > e.ms);
}

TEST_CASE("network: durations parse and format", "[network]") {
  const std::pair<const char*, double> good[] = {{"2 s", 2000}, {"100 ms", 100}, {"1.5s", 1500}, {"0 ms", 0}};
  for (const auto& [text, ms] : good) {
    double value = -1;
    std::string error;
    INFO(text);
    CHECK(ParseDuration(text, &value, &error));
    CHECK(value == Approx(ms));
  }
  const std::pair<const char*, const char*> bad[] = {
      {"2", "\"2\": unknown unit \"\" (use ms or s)"},
      {"2 min", "\"2 min\": unknown unit \"min\" (use ms or s)"},
      {"fast", "\"fast\": expected a duration such as \"2 s\" or \"100 ms\""},
      {"-1 s", "\"-1 s\": expected a duration such as \"2 s\" or \"100 ms\""},
  };
  for (const auto& [text, message] : bad) {
    double value = 0;
    std::string error;
    CHECK(!ParseDuration(text, &value, &error));
    CHECK(error == message);
  }
  CHECK(FormatDuration(87.4) == "87 ms");
  CHECK(FormatDuration(1234) == "1.23 s");
}

}  // namespace npsbundle
