#include "budget/load_time.h"
#include "budget/config.h"

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

#include "budget/analysis.h"
#include "budget/budget.h"
#include "core/error.h"
#include "support/test_support.h"

namespace npsbundle {

TEST_CASE("timing budget: rules and custom profiles parse; mistakes name their field", "[network][budget]") {
  Budget b = ParseBudget(R"({"version": 1,
      "profiles": {"office": {"downMbps": 50, "rttMs": 10, "http": 1, "connections": 4}},
      "timing": [{"initialLoad": "2 s", "profile": "fast-3g"},
                 {"pageTransition": "100 ms", "profile": "office", "encoding": "gzip", "overrides": {"Oracle": "150 ms"}}]})",
                         "b.json");
  REQUIRE(b.timing.size() == 2);
  CHECK(b.timing[0].kind == TimingRule::Kind::kInitialLoad);
  CHECK(b.timing[0].limit_ms == 2000);
  CHECK(b.timing[0].encoding == Measure::kBrotli);
  CHECK(b.timing[1].kind == TimingRule::Kind::kPageTransition);
  CHECK(b.timing[1].encoding == Measure::kGzip);
  CHECK(b.timing[1].overrides.at(0) == std::make_pair(std::string("Oracle"), 150.0));
  std::optional<NetworkProfile> office = b.FindProfile("office");
  REQUIRE(office);
  CHECK(office->down_mbps == 50);
  CHECK(!office->http2);
  CHECK(office->connections == 4);
  CHECK(b.FindProfile("broadband"));

  const std::pair<const char*, const char*> errors[] = {
      {R"({"version": 1, "timing": [{"initialLoad": "2 s", "profile": "5g"}]})",
       "b.json: timing[0].profile: unknown profile \"5g\" (built-in: broadband, 4g, fast-3g, slow-3g, or define it under \"profiles\")"},
      {R"({"version": 1, "timing": [{"initialLoad": "2", "profile": "4g"}]})",
       "b.json: timing[0].initialLoad: \"2\": unknown unit \"\" (use ms or s)"},
      {R"({"version": 1, "timing": [{"profile": "4g"}]})",
       "b.json: timing[0]: missing \"initialLoad\" or \"pageTransition\""},
      {R"({"version": 1, "timing": [{"initialLoad": "2 s"}]})", "b.json: timing[0]: missing \"profile\" (e.g. \"fast-3g\")"},
      {R"({"version": 1, "timing": [{"initialLoad": "2 s", "profile": "4g", "encoding": "zstd"}]})",
       "b.json: timing[0].encoding: expected \"brotli\" or \"gzip\""},
      {R"({"version": 1, "profiles": {"x": {"downMbps": 5}}})", "b.json: profiles.x: needs \"downMbps\" and \"rttMs\""},
      {R"({"version": 1, "profiles": {"x": {"downMbps": 5, "rttMs": 5, "http": 3}}})",
       "b.json: profiles.x.http: 3 is out of range 1..2"},
  };
  for (const auto& [json, message] : errors) {
    INFO(json);
    try {
      ParseBudget(json, "b.json");
      FAIL("no error");
    } catch (const InputError& e) {
      CHECK(std::string(e.what()) == message);
    }
  }
}

TEST_CASE("timing budget: the nps preset carries the two reference rules", "[network][budget]") {
  CHECK(DefaultBudget().timing.empty());  // the app-neutral default has no time budget
  Budget b = LoadBudgetFile("nps");
  REQUIRE(b.timing.size() == 2);
  CHECK(b.timing[0].kind == TimingRule::Kind::kInitialLoad);
  CHECK(b.timing[0].limit_ms == 2000);
  CHECK(b.timing[0].profile == "fast-3g");
  CHECK(b.timing[1].kind == TimingRule::Kind::kPageTransition);
  CHECK(b.timing[1].limit_ms == 100);
  CHECK(b.timing[1].profile == "broadband");
}

TEST_CASE("timing budget: evaluated per entry and per lazy page from wire sizes", "[network][analysis]") {
  Manifest m = ParseManifest(R"({
    "index.html": {"file": "assets/index-AAAAAAA1.js", "isEntry": true, "imports": ["_v-BBBBBBB1.js"],
                   "dynamicImports": ["src/Oracle.tsx"], "css": ["assets/index-CCCCCCC1.css"]},
    "_v-BBBBBBB1.js": {"file": "assets/v-BBBBBBB1.js"},
    "src/Oracle.tsx": {"file": "assets/Oracle-DDDDDDD1.js", "name": "Oracle", "isDynamicEntry": true, "imports": ["_v-BBBBBBB1.js"]}})",
                             "m.json");
  auto file = [](std::string path, uint64_t raw, uint64_t gzip, uint64_t brotli) {
    FileMeasurement f;
    f.path = std::move(path);
    f.raw = raw;
    f.compressible = true;
    f.gzip = gzip;
    f.brotli = brotli;
    return f;
  };
  std::vector<FileMeasurement> files = {
      file("index.html", 2000, 1000, 800), file("assets/index-AAAAAAA1.js", 50000, 20000, 16000),
      file("assets/v-BBBBBBB1.js", 200000, 60000, 50000), file("assets/index-CCCCCCC1.css", 10000, 3000, 2500),
      file("assets/Oracle-DDDDDDD1.js", 30000, 9000, 7000)};
  Budget b = ParseBudget(R"({"version": 1, "profiles": {"t": {"downMbps": 8, "rttMs": 100}},
      "timing": [{"initialLoad": "1 s", "profile": "t"},
                 {"pageTransition": "100 ms", "profile": "t", "encoding": "gzip", "overrides": {"Ora*": "200 ms"}}]})",
                         "b.json");
  CheckReport report = Analyze("dist", &m, files, b);
  const RuleResult* load = nullptr;
  const RuleResult* transition = nullptr;
  for (const RuleResult& r : report.rules) {
    if (r.rule == "initialLoad") load = &r;
    if (r.rule == "pageTransition") transition = &r;
  }
  REQUIRE(load);
  REQUIRE(transition);
  // 8 Mbps = 1 byte/us: connect 200 + HTML (100 + 0.8) + wave (100 + 68.5) ms, brotli sizes.
  CHECK(*load->actual_ms == Approx(200 + 100.8 + 100 + 68.5));
  CHECK(load->subject == "index.html");
  CHECK(load->profile == "t");
  CHECK(load->status == RuleStatus::kPass);
  CHECK(load->critical_path.size() == 3);
  // Oracle adds only its own chunk (v is already loaded): 100 + 9 ms, gzip, limit from the override.
  CHECK(*transition->actual_ms == Approx(109));
  CHECK(*transition->limit_ms == 200);
  CHECK(transition->status == RuleStatus::kPass);
  CHECK(transition->message ==
        "transition to Oracle on t is an estimated 109 ms, within 200 ms (page chunks 9.0 kB 109 ms)");
}

TEST_CASE("timing budget e2e: the bloated build misses 2 s on fast-3g, the good build passes", "[e2e][network]") {
  testing::CommandResult good = testing::RunNpsbundle({"check", testing::Fixture("good"), "--budget", "nps", "-f", "json"});
  CHECK(good.exit_code == 0);
  CHECK(good.out.find("\"rule\": \"initialLoad\", \"subject\": \"index.html\", \"status\": \"pass\"") != std::string::npos);
  CHECK(good.out.find("\"rule\": \"pageTransition\", \"subject\": \"Oracle\", \"status\": \"pass\"") != std::string::npos);
  testing::CommandResult bloated = testing::RunNpsbundle({"check", testing::Fixture("bloated"), "--budget", "nps"});
  CHECK(bloated.exit_code == 1);
  CHECK(bloated.out.find("initial load of index.html on fast-3g is an estimated") != std::string::npos);
  CHECK(bloated.out.find("over the limit of 2.00 s") != std::string::npos);
}

}  // namespace npsbundle
