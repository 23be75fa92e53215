#include "browser/browser_measure.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include "core/error.h"

#include "report/report_measure.h"

namespace npsbundle {
namespace {

constexpr const char* kBase = "http://127.0.0.1:4173/";

// Feeds one event to the log; the message as the browser sends it.
void Feed(NetworkLog& log, const std::string& method, const std::string& params) {
  std::string error;
  INFO(method << " " << params);
  REQUIRE(log.OnEvent(method, "{\"method\":\"" + method + "\",\"params\":" + params + "}", &error));
}

// One complete request: sent at `start`, headers and body done at `end`.
void Request(NetworkLog& log, const std::string& id, const std::string& path, double start, double end,
             uint64_t body, const std::string& encoding = "br", int status = 200) {
  Feed(log, "Network.requestWillBeSent",
       R"({"requestId":")" + id + R"(","timestamp":)" + std::to_string(start) + R"(,"request":{"url":")" + kBase +
           path + R"("}})");
  Feed(log, "Network.responseReceived",
       R"({"requestId":")" + id + R"(","timestamp":)" + std::to_string(end - 0.01) +
           R"(,"response":{"status":)" + std::to_string(status) +
           R"(,"encodedDataLength":380,"headers":{"Content-Encoding":")" + encoding + R"("}}})");
  Feed(log, "Network.loadingFinished",
       R"({"requestId":")" + id + R"(","timestamp":)" + std::to_string(end) +
           R"(,"encodedDataLength":)" + std::to_string(380 + body) + "}");
}

// A check report of a small app: index.html loading assets/index.js, lazy
// pages Oracle and Vault, and a script entry.
CheckReport SmallApp() {
  CheckReport check;
  auto file = [&](const std::string& path, FileKind kind, uint64_t brotli) {
    FileRow row;
    row.size.path = path;
    row.size.raw = brotli * 4;
    row.size.gzip = brotli + 10;
    row.size.brotli = brotli;
    row.kind = kind;
    check.files.push_back(row);
  };
  file("index.html", FileKind::kHtml, 300);
  file("assets/index.js", FileKind::kScript, 80000);
  file("assets/Oracle.js", FileKind::kScript, 1000);
  file("assets/Vault.js", FileKind::kScript, 2000);
  file("assets/admin.js", FileKind::kScript, 500);
  // FindFile searches by path.
  std::sort(check.files.begin(), check.files.end(),
            [](const FileRow& a, const FileRow& b) { return a.size.path < b.size.path; });
  check.entries.push_back(LoadGroup{"index.html", "index.html", "", {"assets/index.js"}, {}, {}, {}});
  check.entries.push_back(LoadGroup{"src/worker.ts", "worker", "", {"assets/admin.js"}, {}, {}, {}});
  check.lazy_pages.push_back(LoadGroup{"src/pages/Oracle.tsx", "Oracle", "index.html", {"assets/Oracle.js"}, {}, {}, {}});
  check.lazy_pages.push_back(LoadGroup{"src/pages/Vault.tsx", "Vault", "index.html", {"assets/Vault.js"}, {}, {}, {}});
  return check;
}

}  // namespace

TEST_CASE("browser measure: percentiles interpolate between ranks", "[browser_measure]") {
  struct Case {
    std::vector<double> values;
    double p, expected;
  };
  const Case cases[] = {
      {{}, 50, 0},
      {{7}, 50, 7},
      {{7}, 95, 7},
      {{1, 2, 3, 4, 5}, 50, 3},
      {{5, 1, 4, 2, 3}, 95, 4.8},  // unsorted input
      {{1, 2}, 50, 1.5},
      {{10, 20, 30}, 0, 10},
      {{10, 20, 30}, 100, 30},
  };
  for (const Case& c : cases) {
    INFO("p" << c.p << " of " << c.values.size() << " values");
    CHECK(Percentile(c.values, c.p) == Approx(c.expected));
  }
  Spread s = SpreadOf({100, 300, 200});
  CHECK(s.p50 == Approx(200));
  CHECK(s.p95 == Approx(290));
}

TEST_CASE("browser measure: URLs map to build paths below the base", "[browser_measure]") {
  struct Case {
    const char* url;
    const char* base;
    const char* path;
  };
  const Case cases[] = {
      {"http://127.0.0.1:4173/assets/x.js", "http://127.0.0.1:4173/", "assets/x.js"},
      {"http://127.0.0.1:4173/assets/x.js?v=1#f", "http://127.0.0.1:4173/", "assets/x.js"},
      {"http://127.0.0.1:4173/app/assets/a%20b.css", "http://127.0.0.1:4173/app/", "assets/a b.css"},
      {"http://127.0.0.1:4173/other/x.js", "http://127.0.0.1:4173/app/", ""},
      {"http://127.0.0.1:9999/assets/x.js", "http://127.0.0.1:4173/", ""},
      {"http://127.0.0.1:4173/", "http://127.0.0.1:4173/", ""},
      {"http://127.0.0.1:4173/bad%zz", "http://127.0.0.1:4173/", "bad%zz"},
  };
  for (const Case& c : cases) {
    INFO(c.url);
    CHECK(BuildPathOfUrl(c.url, c.base) == c.path);
  }
}

TEST_CASE("browser measure: a group arrived when its last file finished; every copy's body counts", "[browser_measure]") {
  NetworkLog log;
  Request(log, "1", "", 10.0, 10.2, 290);  // the document
  Request(log, "2", "assets/index.js", 10.3, 10.9, 3454);
  Request(log, "3", "assets/index.css", 10.3, 10.5, 897);
  // The stylesheet again (preload and link): from the cache, no body bytes.
  Feed(log, "Network.requestWillBeSent",
       std::string(R"({"requestId":"4","timestamp":10.31,"request":{"url":")") + kBase + R"(assets/index.css"}})");
  Feed(log, "Network.responseReceived",
       R"({"requestId":"4","timestamp":10.6,"response":{"status":200,"encodedDataLength":0,"headers":{"content-encoding":"br"}}})");
  Feed(log, "Network.dataReceived", R"({"requestId":"4","timestamp":10.61,"dataLength":1})");
  Feed(log, "Network.loadingFinished", R"({"requestId":"4","timestamp":10.62,"encodedDataLength":0})");
  Feed(log, "Page.loadEventFired", R"({"timestamp":11.0})");
  // Events of other domains and of unknown requests are ignored.
  Feed(log, "Runtime.consoleAPICalled", R"({"type":"log"})");
  Feed(log, "Network.loadingFinished", R"({"requestId":"99","timestamp":12,"encodedDataLength":5})");

  GroupArrival a = ObserveGroup(log, {"assets/index.js", "assets/index.css"}, kBase);
  CHECK(a.complete);
  CHECK(a.arrived == Approx(10.9));
  CHECK(a.first_request == Approx(10.3));
  CHECK(a.body_bytes == 3454 + 897);
  CHECK(a.encodings.at("assets/index.css") == "br");
  REQUIRE(log.load_event());
  CHECK(*log.load_event() == Approx(11.0));

  GroupArrival partial = ObserveGroup(log, {"assets/index.js", "assets/Oracle.js"}, kBase);
  CHECK(!partial.complete);
  CHECK(partial.missing == std::vector<std::string>{"assets/Oracle.js"});
}

TEST_CASE("browser measure: failed and 404 files are reported, not waited for", "[browser_measure]") {
  NetworkLog log;
  Request(log, "1", "assets/gone.js", 1, 2, 10, "", 404);
  Feed(log, "Network.requestWillBeSent",
       std::string(R"({"requestId":"2","timestamp":1,"request":{"url":")") + kBase + R"(assets/cut.js"}})");
  Feed(log, "Network.loadingFailed", R"({"requestId":"2","timestamp":1.5,"errorText":"net::ERR_CONNECTION_RESET"})");
  GroupArrival a = ObserveGroup(log, {"assets/gone.js", "assets/cut.js"}, kBase);
  CHECK(!a.complete);
  CHECK(a.failed == std::vector<std::string>{"assets/gone.js: HTTP 404", "assets/cut.js: net::ERR_CONNECTION_RESET"});
}

TEST_CASE("browser measure: events without the fields they need are errors", "[browser_measure]") {
  NetworkLog log;
  std::string error;
  CHECK(!log.OnEvent("Network.requestWillBeSent", R"({"params":{"requestId":"1","timestamp":1}})", &error));
  CHECK(error == "Network.requestWillBeSent: no request.url");
  CHECK(!log.OnEvent("Page.loadEventFired", R"({"params":{}})", &error));
  CHECK(error == "Page.loadEventFired: no timestamp");
  CHECK(!log.OnEvent("Network.loadingFinished", R"({"method":"x"})", &error));
  CHECK(error == "Network.loadingFinished: no params");
}

TEST_CASE("browser measure: each request keeps the protocol its response came over", "[browser_measure]") {
  NetworkLog log;
  auto request = [&](const std::string& id, const std::string& url, const std::string& response) {
    Feed(log, "Network.requestWillBeSent",
         R"({"requestId":")" + id + R"(","timestamp":1,"request":{"url":")" + url + R"("}})");
    if (!response.empty()) {
      Feed(log, "Network.responseReceived", R"({"requestId":")" + id + R"(","timestamp":2,"response":)" + response + "}");
    }
  };
  request("1", kBase, R"({"status":200,"encodedDataLength":90,"headers":{},"protocol":"h2"})");
  request("2", std::string(kBase) + "assets/index.js", R"({"status":200,"encodedDataLength":90,"headers":{},"protocol":"h2"})");
  request("3", "data:image/png;base64,AAAA", R"({"status":200,"encodedDataLength":0,"headers":{},"protocol":"data"})");
  request("4", "http://127.0.0.1:9/api/x", R"({"status":502,"encodedDataLength":90,"headers":{},"protocol":"http/1.1"})");
  request("5", std::string(kBase) + "assets/cut.js", "");  // no response (yet)
  request("6", std::string(kBase) + "old.js", R"({"status":200,"encodedDataLength":90,"headers":{}})");
  REQUIRE(log.requests().size() == 6);
  CHECK(log.requests()[0].protocol == "h2");
  CHECK(log.requests()[5].protocol == "");  // a browser that does not say

  std::vector<RequestRecord> all = RecordRequests(log, kBase, 0);
  REQUIRE(all.size() == 5);  // the data: URL never reached a server
  CHECK(all[0].path == "/");
  CHECK(all[0].protocol == "h2");
  CHECK(all[0].status == 200);
  CHECK(all[1].path == "/assets/index.js");
  CHECK(all[2].path == "http://127.0.0.1:9/api/x");
  CHECK(all[2].protocol == "http/1.1");
  CHECK(all[3].protocol == "");
  CHECK(all[3].status == 0);
  std::vector<RequestRecord> later = RecordRequests(log, kBase, 4);
  REQUIRE(later.size() == 2);
  CHECK(later[0].path == "/assets/cut.js");
}

TEST_CASE("browser measure: body bytes are the declared length, whatever the headers were counted as",
          "[browser_measure]") {
  NetworkLog log;
  auto request = [&](const std::string& id, uint64_t at_response, const std::string& length, uint64_t total) {
    Feed(log, "Network.requestWillBeSent",
         R"({"requestId":")" + id + R"(","timestamp":1,"request":{"url":")" + kBase + id + R"(.js"}})");
    std::string headers = length.empty() ? "{}" : R"({"content-length":")" + length + R"("})";
    Feed(log, "Network.responseReceived",
         R"({"requestId":")" + id + R"(","timestamp":2,"response":{"status":200,"encodedDataLength":)" +
             std::to_string(at_response) + R"(,"headers":)" + headers + R"(,"protocol":"h2"}})");
    Feed(log, "Network.loadingFinished",
         R"({"requestId":")" + id + R"(","timestamp":3,"encodedDataLength":)" + std::to_string(total) + "}");
  };
  request("throttled-h2", 50665, "50617", 50665);  // the whole size already at responseReceived
  request("plain", 48, "50617", 50665);            // headers, then the body
  request("cached-copy", 0, "50617", 0);           // from the memory cache: nothing crossed the network
  request("no-length", 48, "", 1048);
  request("bad-length", 48, "12x", 1048);
  std::vector<uint64_t> bodies;
  for (const ObservedRequest& r : log.requests()) bodies.push_back(r.body_bytes());
  CHECK(bodies == std::vector<uint64_t>{50617, 50617, 0, 1000, 1000});
}

TEST_CASE("browser measure: the protocol summary counts every group's first-run requests", "[browser_measure]") {
  MeasureReport report;
  report.profile = *FindBuiltinProfile("fast-3g");
  CHECK(ProtocolSummary(report) == "");
  MeasuredGroup initial, oracle;
  initial.key = initial.label = "index.html";
  oracle.kind = MeasuredGroup::Kind::kPageTransition;
  oracle.key = oracle.label = "Oracle";
  for (const char* path : {"/", "/assets/index.js", "/assets/index.css"}) initial.requests.push_back({path, "h2", 200});
  oracle.requests.push_back({"/assets/Oracle.js", "h2", 200});
  report.groups = {initial, oracle};
  CHECK(ProtocolSummary(report) == "protocol: h2 (all 4 requests)");
  CHECK_THAT(RenderMeasureText(report), Catch::Contains("\nprotocol: h2 (all 4 requests)\n"));
  std::string json = RenderMeasureJson(report);
  CHECK_THAT(json, Catch::Contains(R"("protocols": {"h2": 4},)"));
  CHECK_THAT(json, Catch::Contains(R"("requests": [{"url": "/assets/Oracle.js", "protocol": "h2", "status": 200}])"));

  report.groups[1].requests.push_back({"/api/live", "http/1.1", 101});
  report.groups[1].requests.push_back({"/api/slow", "", 0});
  report.groups[1].requests.push_back({"/api/old", "", 200});
  CHECK(ProtocolSummary(report) == "protocols: h2 (4 requests), http/1.1 (1 request), unknown (1 request)");
  json = RenderMeasureJson(report);
  CHECK_THAT(json, Catch::Contains(R"("protocols": {"h2": 4, "http/1.1": 1, "unknown": 1},)"));
  CHECK_THAT(json, Catch::Contains(R"({"url": "/api/slow", "protocol": null, "status": 0})"));
  report.groups = {oracle};
  CHECK(ProtocolSummary(report) == "protocol: h2 (1 request)");
}

TEST_CASE("browser measure: throttling of a profile", "[browser_measure]") {
  CHECK(EmulationParams(*FindBuiltinProfile("fast-3g")) ==
        R"({"offline":false,"latency":150.000,"downloadThroughput":200000.000,"uploadThroughput":200000.000})");
}

TEST_CASE("browser measure: the plan loads each HTML entry and visits each routed page", "[browser_measure]") {
  CheckReport check = SmallApp();
  std::map<std::string, std::string> routes = {{"/oracle", "src/pages/Oracle.tsx"}};
  NetworkProfile profile = *FindBuiltinProfile("fast-3g");
  std::vector<std::string> notes;
  std::vector<MeasuredGroup> plan = PlanMeasurement(check, routes, profile, Measure::kBrotli, &notes);
  REQUIRE(plan.size() == 2);
  CHECK(plan[0].kind == MeasuredGroup::Kind::kInitialLoad);
  CHECK(plan[0].path.empty());
  CHECK(plan[0].estimate_bytes == 80000);
  CHECK(plan[0].estimate.ms == Approx(EstimateInitialLoad(300, {80000}, profile).ms));
  CHECK(plan[1].kind == MeasuredGroup::Kind::kPageTransition);
  CHECK(plan[1].label == "Oracle");
  CHECK(plan[1].path == "oracle");
  CHECK(plan[1].estimate.ms == Approx(EstimateTransition({1000}, profile).ms));
  CHECK(notes == std::vector<std::string>{"worker: a script entry without an HTML page; not loaded",
                                          "not visited, no route in the budget's \"routes\": Vault"});
  std::vector<MeasuredGroup> gzip = PlanMeasurement(check, routes, profile, Measure::kGzip, &notes);
  CHECK(gzip[0].estimate_bytes == 80010);
}

TEST_CASE("browser measure: JSON and text reports carry p50, p95 and the estimate's error", "[browser_measure]") {
  MeasureReport report;
  report.input = "dist";
  report.browser = "Chrome/1";
  report.profile = *FindBuiltinProfile("fast-3g");
  report.runs = 3;
  MeasuredGroup g;
  g.key = g.label = "index.html";
  g.files = {"assets/index.js"};
  g.estimate.ms = 1000;
  g.estimate_bytes = 82115;
  g.load_event_ms = {900, 950, 1000};
  g.arrived_ms = {800, 850, 900};
  g.bytes = {82115, 82115, 82115};
  g.expected_bytes = 82115;
  g.encodings = {"br"};
  report.groups.push_back(g);
  std::string json = RenderMeasureJson(report);
  CHECK_THAT(json, Catch::Contains(R"("arrivedMs": {"p50": 850.0, "p95": 895.0, "samples": [800.0, 850.0, 900.0]})"));
  CHECK_THAT(json, Catch::Contains(R"("error": {"ms": 150.0, "ratio": 0.850})"));
  CHECK_THAT(json, Catch::Contains(R"("expectedBytes": 82115, "encodings": ["br"])"));
  CHECK_THAT(json, Catch::Contains(R"("profile": {"name": "fast-3g", "downMbps": 1.6, "rttMs": 150)"));
  std::string text = RenderMeasureText(report);
  CHECK_THAT(text, Catch::Contains("850 ms / 895 ms"));
  CHECK_THAT(text, Catch::Contains("-15%"));
  CHECK_THAT(text, Catch::Contains("82.1 kB br = check"));
}


namespace {

// A scripted browser on a socketpair, speaking just enough of the protocol
// for MeasureInBrowser: contexts, targets and sessions, then for each
// Page.navigate the document and the app's files, and for the click the
// page's files. A path in `withheld` is never served; a page in
// `redirects` ("npsbundle-measure-start" -> "404") moves location.href on.
class FakeBrowser {
 public:
  explicit FakeBrowser(std::set<std::string> withheld = {}, std::map<std::string, std::string> redirects = {})
      : withheld_(std::move(withheld)), redirects_(std::move(redirects)) {
    int fds[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    cdp_ = std::make_unique<CdpConnection>(dup(fds[0]), fds[0], "fake browser");
    fd_ = fds[1];
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeBrowser() {
    cdp_.reset();  // closes our end: the fake sees EOF and returns
    thread_.join();
    close(fd_);
  }
  CdpConnection& cdp() { return *cdp_; }
  std::atomic<int> navigations{0}, clicks{0}, contexts_disposed{0};

 private:
  static std::string Field(const std::string& command, const std::string& name) {
    size_t at = command.find("\"" + name + "\":");
    if (at == std::string::npos) return "";
    at += name.size() + 3;
    if (command[at] == '"') return command.substr(at + 1, command.find('"', at + 1) - at - 1);
    return command.substr(at, command.find_first_of(",}", at) - at);
  }
  void Send(const std::string& message) {
    std::string framed = message + std::string(1, '\0');
    CHECK(write(fd_, framed.data(), framed.size()) == ssize_t(framed.size()));
  }
  void Reply(const std::string& id, const std::string& result) { Send(R"({"id":)" + id + R"(,"result":)" + result + "}"); }
  static double Now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  }
  // One request on session S: 10 ms of latency, 380 header bytes.
  void Serve(const std::string& id, const std::string& url, uint64_t body) {
    std::string path = url.substr(url.find("/", 8) + 1);
    if (withheld_.count(path)) return;
    double t = Now();
    Send(R"({"method":"Network.requestWillBeSent","sessionId":"S","params":{"requestId":")" + id +
         R"(","timestamp":)" + std::to_string(t) + R"(,"request":{"url":")" + url + R"("}}})");
    Send(R"({"method":"Network.responseReceived","sessionId":"S","params":{"requestId":")" + id +
         R"(","timestamp":)" + std::to_string(t + 0.01) +
         R"(,"response":{"status":200,"encodedDataLength":380,"headers":{"content-encoding":"br"},"protocol":"h2"}}})");
    Send(R"({"method":"Network.loadingFinished","sessionId":"S","params":{"requestId":")" + id +
         R"(","timestamp":)" + std::to_string(t + 0.01) + R"(,"encodedDataLength":)" + std::to_string(380 + body) +
         "}}");
  }
  void Serve() {
    std::string command;
    char c;
    while (read(fd_, &c, 1) == 1) {
      if (c != '\0') {
        command.push_back(c);
        continue;
      }
      std::string id = Field(command, "id"), method = Field(command, "method");
      if (method == "Target.createBrowserContext") {
        Reply(id, R"({"browserContextId":"C"})");
      } else if (method == "Target.createTarget") {
        Reply(id, R"({"targetId":"T"})");
      } else if (method == "Target.attachToTarget") {
        Reply(id, R"({"sessionId":"S"})");
      } else if (method == "Page.navigate") {
        ++navigations;
        std::string url = Field(command, "url");
        std::string base = url.substr(0, url.find("/", 8) + 1);
        Reply(id, R"({"frameId":"F"})");
        GoTo(base, url.substr(base.size()));
        Serve("doc" + std::to_string(navigations), url, 300);
        Serve("js" + std::to_string(navigations), base + "assets/index.js", 80000);
        Send(R"({"method":"Page.loadEventFired","sessionId":"S","params":{"timestamp":)" + std::to_string(Now()) + "}}");
      } else if (method == "Runtime.evaluate" && command.find("new Promise") != std::string::npos) {
        Reply(id, R"({"result":{"type":"string","value":"link"}})");
      } else if (method == "Runtime.evaluate" && command.find("location.href") != std::string::npos) {
        Reply(id, R"({"result":{"type":"string","value":")" + location_ + R"("}})");
      } else if (method == "Runtime.evaluate") {
        ++clicks;
        Reply(id, R"({"result":{"type":"string","value":"link"}})");
        GoTo("http://127.0.0.1:1/", "oracle");
        Serve("oracle" + std::to_string(clicks), "http://127.0.0.1:1/assets/Oracle.js", 1000);
      } else {
        if (method == "Target.disposeBrowserContext") ++contexts_disposed;
        Reply(id, "{}");
      }
      command.clear();
    }
  }

  void GoTo(const std::string& base, const std::string& path) {
    auto redirect = redirects_.find(path);
    location_ = base + (redirect == redirects_.end() ? path : redirect->second);
  }

  std::set<std::string> withheld_;
  std::map<std::string, std::string> redirects_;
  std::string location_;
  std::unique_ptr<CdpConnection> cdp_;
  int fd_ = -1;
  std::thread thread_;
};

// Options for a run against FakeBrowser.
BrowserMeasureOptions FakeOptions(int runs) {
  BrowserMeasureOptions options;
  options.base_url = "http://127.0.0.1:1/";
  options.runs = runs;
  options.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  return options;
}

MeasureReport SmallAppReport(const CheckReport& check) {
  MeasureReport report;
  report.profile = *FindBuiltinProfile("fast-3g");
  report.groups = PlanMeasurement(check, {{"/oracle", "src/pages/Oracle.tsx"}}, report.profile, Measure::kBrotli,
                                  &report.notes);
  return report;
}

}  // namespace

TEST_CASE("browser measure: each run of each group is a fresh context; samples and bytes are recorded",
          "[browser_measure]") {
  CheckReport check = SmallApp();
  MeasureReport report = SmallAppReport(check);
  FakeBrowser browser;
  BrowserMeasureOptions options = FakeOptions(2);
  MeasureInBrowser(browser.cdp(), options, check, &report);
  REQUIRE(report.groups.size() == 2);
  const MeasuredGroup& initial = report.groups[0];
  const MeasuredGroup& oracle = report.groups[1];
  CHECK(initial.load_event_ms.size() == 2);
  CHECK(initial.arrived_ms.size() == 2);
  CHECK(initial.bytes == std::vector<double>{80000, 80000});
  CHECK(initial.expected_bytes == 80000);
  CHECK(initial.encodings == std::vector<std::string>{"br"});
  CHECK(oracle.load_event_ms.empty());
  CHECK(oracle.arrived_ms.size() == 2);
  CHECK(oracle.bytes == std::vector<double>{1000, 1000});
  for (double ms : oracle.arrived_ms) CHECK(ms >= 0);
  // The first run's requests: the document and the script; after the click, the page's chunk.
  REQUIRE(initial.requests.size() == 2);
  CHECK(initial.requests[0].path == "/");
  CHECK(initial.requests[1].path == "/assets/index.js");
  CHECK(initial.requests[1].protocol == "h2");
  REQUIRE(oracle.requests.size() == 1);
  CHECK(oracle.requests[0].path == "/assets/Oracle.js");
  CHECK(browser.navigations == 4);  // 2 initial loads + 2 landings before the click
  CHECK(browser.clicks == 2);
  CHECK(browser.contexts_disposed == 4);
}

TEST_CASE("browser measure: a file that never arrives is a timeout naming it", "[browser_measure]") {
  CheckReport check = SmallApp();
  MeasureReport report = SmallAppReport(check);
  FakeBrowser browser({"assets/Oracle.js"});
  BrowserMeasureOptions options = FakeOptions(1);
  options.navigation_timeout_ms = 200;
  try {
    MeasureInBrowser(browser.cdp(), options, check, &report);
    FAIL("no timeout");
  } catch (const BrowserError& e) {
    CHECK(e.code() == ExitCode::kMeasureTimeout);
    CHECK(std::string(e.what()) ==
          "navigating to http://127.0.0.1:1/oracle: still waiting for assets/Oracle.js when the per-navigation "
          "limit (--page-timeout) ran out");
  }
  CHECK(browser.contexts_disposed == 2);  // the failed visit's context too
}

TEST_CASE("browser measure: impossible transitions are refused with their reason", "[browser_measure]") {
  struct Case {
    const char* what;
    std::string target, landed;
    std::vector<std::string> files, arrived;
    double arrived_ms;
    std::optional<std::string> error;
  };
  const std::vector<std::string> page = {"assets/Oracle.js", "assets/Oracle.css"};
  const Case cases[] = {
      {"a real transition", "/oracle", "/oracle", page, {"assets/Oracle.js", "assets/Oracle.css"}, 212.5, std::nullopt},
      {"one of the page's files is enough (the other was prefetched)", "/oracle", "/oracle", page,
       {"assets/Oracle.css"}, 40, std::nullopt},
      {"a trailing slash is the same page", "/oracle/", "/oracle", page, {"assets/Oracle.js"}, 10, std::nullopt},
      {"the catch-all redirected", "/oracle", "/404", page, {"assets/NotFound.js"}, 90,
       "Oracle: the transition to /oracle ended on /404 (a catch-all route redirecting?); "
       "arrived after the click: assets/NotFound.js"},
      {"another origin", "/oracle", "https://example.com/login", page, {}, 90,
       "Oracle: the transition to /oracle ended on https://example.com/login (a catch-all route redirecting?); "
       "arrived after the click: nothing"},
      {"the page's files came before the click", "/oracle", "/oracle", page, {}, -4702,
       "Oracle: the transition to /oracle loaded none of the page's 2 files (already loaded before the click?); "
       "arrived after the click: nothing"},
      {"only other files after the click", "/oracle", "/oracle", {"assets/Oracle.js"},
       {"a.js", "b.js", "c.js", "d.js", "e.js", "f.js"}, 50,
       "Oracle: the transition to /oracle loaded none of the page's 1 file (already loaded before the click?); "
       "arrived after the click: a.js, b.js, c.js, d.js and 2 more"},
      {"a negative time", "/oracle", "/oracle", page, {"assets/Oracle.js"}, -4702,
       "Oracle: the transition to /oracle took -4702.0 ms, not above zero; arrived after the click: assets/Oracle.js"},
      {"zero time", "/oracle", "/oracle", page, {"assets/Oracle.js"}, 0,
       "Oracle: the transition to /oracle took 0.0 ms, not above zero; arrived after the click: assets/Oracle.js"},
      {"the root page", "/", "/", {"assets/Home.js"}, {"assets/Home.js"}, 5, std::nullopt},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    TransitionOutcome outcome;
    outcome.label = "Oracle";
    outcome.target = c.target;
    outcome.landed = c.landed;
    outcome.files = c.files;
    outcome.arrived = c.arrived;
    outcome.arrived_ms = c.arrived_ms;
    CHECK(ImpossibleTransition(outcome) == c.error);
  }
}

TEST_CASE("browser measure: a start page that redirects is refused", "[browser_measure]") {
  CHECK(ImpossibleStart("/npsbundle-measure-start", "/npsbundle-measure-start") == std::nullopt);
  CHECK(ImpossibleStart("/about/", "/about") == std::nullopt);
  CHECK(ImpossibleStart("/", "/") == std::nullopt);
  CHECK(ImpossibleStart("/npsbundle-measure-start", "/404") ==
        "the start page /npsbundle-measure-start ended on /404 before any transition (a catch-all route "
        "redirecting?); choose a page that stays with --start PATH");
}

TEST_CASE("browser measure: locations as paths below the base", "[browser_measure]") {
  CHECK(PathBelowBase("http://127.0.0.1:4173/oracle?x=1", kBase) == "/oracle");
  CHECK(PathBelowBase("http://127.0.0.1:4173/", kBase) == "/");
  CHECK(PathBelowBase("http://127.0.0.1:4173/app/a%20b", "http://127.0.0.1:4173/app/") == "/a b");
  CHECK(PathBelowBase("https://example.com/login", kBase) == "https://example.com/login");
}

TEST_CASE("browser measure: a redirected start page or transition is impossible, exit 6", "[browser_measure]") {
  struct Case {
    std::map<std::string, std::string> redirects;
    std::string start_path, error;
  };
  const Case cases[] = {
      {{{"npsbundle-measure-start", "404"}}, "npsbundle-measure-start",
       "the start page /npsbundle-measure-start ended on /404 before any transition (a catch-all route "
       "redirecting?); choose a page that stays with --start PATH"},
      {{{"oracle", "login"}}, "",
       "Oracle: the transition to /oracle ended on /login (a catch-all route redirecting?); arrived after the "
       "click: assets/Oracle.js"},
  };
  for (const Case& c : cases) {
    CheckReport check = SmallApp();
    MeasureReport report = SmallAppReport(check);
    FakeBrowser browser({}, c.redirects);
    BrowserMeasureOptions options = FakeOptions(1);
    options.start_path = c.start_path;
    try {
      MeasureInBrowser(browser.cdp(), options, check, &report);
      FAIL("no error");
    } catch (const BrowserError& e) {
      CHECK(e.code() == ExitCode::kMeasureImpossible);
      CHECK(std::string(e.what()) == c.error);
    }
  }
}

TEST_CASE("browser measure: a transition lists what arrived after the click", "[browser_measure]") {
  CheckReport check = SmallApp();
  MeasureReport report = SmallAppReport(check);
  FakeBrowser browser;
  BrowserMeasureOptions options = FakeOptions(1);
  options.start_path = "";  // --start /
  MeasureInBrowser(browser.cdp(), options, check, &report);
  REQUIRE(report.groups.size() == 2);
  CHECK(report.groups[0].arrived_files == std::vector<std::string>{"assets/index.js"});
  CHECK(report.groups[1].arrived_files == std::vector<std::string>{"assets/Oracle.js"});
  CHECK_THAT(RenderMeasureJson(report), Catch::Contains(R"("arrivedFiles": ["assets/Oracle.js"])"));
  CHECK_THAT(RenderMeasureText(report), Catch::Contains("arrived after the click (first run)\n  Oracle:       assets/Oracle.js\n"));
}

}  // namespace npsbundle
