// `npsbundle audit` end to end against `npsbundle serve` (in process, on an
// ephemeral loopback port): every fixture app passes; an unreachable URL and
// a site serving another build end in one line and exit 2.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <thread>
#include <filesystem>
#include <string>
#include <vector>

#include "core/bundle_source.h"
#include "http/client.h"
#include "support/nginx_harness.h"
#include "support/serve_test_support.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::Fixture;
using testing::RunNpsbundle;
using testing::ServerScope;

// Every fixture app's build and the reference app's.
std::vector<std::string> AppBuilds() {
  std::vector<std::string> builds{Fixture("good")};
  for (const auto& entry : fs::directory_iterator(std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps")) {
    if (fs::exists(entry.path() / "dist" / "index.html")) builds.push_back((entry.path() / "dist").string());
  }
  std::sort(builds.begin() + 1, builds.end());
  return builds;
}

// Quick to index: brotli 5 instead of 11 (what is checked is the policy).
std::shared_ptr<const StaticIndex> Index(const std::string& dist, const ServeOptions& options) {
  auto source = OpenBundle(dist);
  IndexReport report;
  return IndexForServe(*source, options, &report);
}

ServeOptions FastOptions(const std::string& base = "/") {
  ServeOptions options;
  options.levels.brotli_quality = 5;
  options.base = base;
  return options;
}

std::string Url(int port, const std::string& path = "/") {
  return "http://127.0.0.1:" + std::to_string(port) + path;
}

size_t Lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST_CASE("audit passes against npsbundle serve on every fixture app", "[audit-e2e]") {
  std::vector<std::string> builds = AppBuilds();
  CHECK(builds.size() >= 6);
  for (const std::string& dist : builds) {
    INFO(dist);
    ServerScope server(Index(dist, FastOptions()), FastOptions());
    CommandResult result = RunNpsbundle({"audit", Url(server.port()), "--build", dist});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 0);
    CHECK(result.out.find("\nFAIL") == std::string::npos);
    CHECK(result.out.find("PASS  asset-404") != std::string::npos);
    CHECK(result.out.find("PASS  chunks-identical") != std::string::npos);
    bool has_sw = fs::exists(dist + "/sw.js");
    CHECK(result.out.find(has_sw ? "PASS  sw-revalidated" : "SKIP  sw-revalidated") != std::string::npos);
  }
}

TEST_CASE("audit reports the 103 Early Hints serve --early-hints sends, and their absence", "[audit-e2e]") {
  const std::string good = Fixture("good");
  ServeOptions hinting = FastOptions();
  hinting.early_hints = true;
  ServerScope with(Index(good, hinting), hinting);
  CommandResult sent = RunNpsbundle({"audit", Url(with.port()), "--build", good});
  INFO(sent.out << sent.err);
  CHECK(sent.exit_code == 0);
  CHECK(sent.out.find("PASS  preload-hints") != std::string::npos);
  CHECK(sent.out.find("note: protocol: HTTP/1.1 (plain http: browsers speak HTTP/2 only over TLS)\n") !=
        std::string::npos);
  CHECK(sent.out.find("note: 103 Early Hints: sent over HTTP/1.1 before the base URL's HTML, ") !=
        std::string::npos);

  ServerScope without(Index(good, FastOptions()), FastOptions());
  CommandResult none = RunNpsbundle({"audit", Url(without.port()), "--build", good});
  CHECK(none.exit_code == 0);
  CHECK(none.out.find("note: 103 Early Hints: none over HTTP/1.1 before the base URL's HTML (browsers act "
                      "on them over HTTP/2 only)\n") != std::string::npos);
}

TEST_CASE("audit honours Vite's base from the URL or --base, and every format", "[audit-e2e]") {
  std::string dist = Fixture("good");
  ServerScope server(Index(dist, FastOptions("/app/")), FastOptions("/app/"));
  CommandResult json = RunNpsbundle({"audit", Url(server.port(), "/app/"), "--build", dist, "-f", "json"});
  INFO(json.out << json.err);
  CHECK(json.exit_code == 0);
  CHECK(json.out.find("\"base\": \"/app/\"") != std::string::npos);
  CHECK(json.out.find("\"passed\": true") != std::string::npos);
  CHECK(json.out.find("{\"name\": \"preload-hints\", \"status\": \"pass\"") != std::string::npos);

  // The root URL with --base, three connections at most.
  CommandResult junit = RunNpsbundle({"audit", Url(server.port(), "/"), "--base", "app", "--build", dist, "-f",
                                      "junit", "--concurrency", "3"});
  INFO(junit.err);
  CHECK(junit.exit_code == 0);
  CHECK(junit.out.find("<testcase classname=\"npsbundle.audit\" name=\"etag-304\"/>") != std::string::npos);

  // The wrong base: the entry chunk is not where the build says.
  CommandResult wrong = RunNpsbundle({"audit", Url(server.port(), "/"), "--build", dist});
  CHECK(wrong.exit_code == 2);
  CHECK_THAT(wrong.err, Catch::Contains("serves a different build: /assets/"));

  CommandResult github = RunNpsbundle({"audit", Url(server.port(), "/app/"), "--build", dist, "-f", "github"});
  CHECK(github.exit_code == 0);
  CHECK_THAT(github.out, Catch::StartsWith("::notice title=npsbundle audit::"));
  CommandResult markdown = RunNpsbundle({"audit", Url(server.port(), "/app/"), "--build", dist, "-f", "markdown"});
  CHECK(markdown.exit_code == 0);
  CHECK_THAT(markdown.out, Catch::Contains("| `asset-404` | ✅ |"));
}

TEST_CASE("audit: unreachable, another build, bad flags: one line, exit 2", "[audit-e2e]") {
  std::string good = Fixture("good");
  int closed_port = testing::FreePort();
  CommandResult unreachable = RunNpsbundle({"audit", Url(closed_port), "--build", good});
  CHECK(unreachable.exit_code == 2);
  CHECK(unreachable.out.empty());
  CHECK(unreachable.err == "npsbundle: error: " + Url(closed_port) + ": cannot connect: Connection refused\n");

  ServerScope server(Index(good, FastOptions()), FastOptions());
  std::string other = std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps/svelte/dist";
  CommandResult different = RunNpsbundle({"audit", Url(server.port()), "--build", other});
  CHECK(different.exit_code == 2);
  CHECK(Lines(different.err) == 1);
  CHECK_THAT(different.err, Catch::StartsWith("npsbundle: error: " + Url(server.port()) +
                                              ": serves a different build: /assets/"));
  CHECK_THAT(different.err, Catch::Contains("answered 404"));

  // The same names with other bytes: a rebuild that kept the hash, or a
  // deploy that did not finish.
  testing::TempDir temp;
  testing::CopyTree(good, temp / "dist");
  testing::WriteFile(temp / "dist/assets/index-Bl1MOBpP.js", "console.log('another build');\n");
  ServerScope changed(Index(temp / "dist", FastOptions()), FastOptions());
  CommandResult bytes = RunNpsbundle({"audit", Url(changed.port()), "--build", good});
  CHECK(bytes.exit_code == 2);
  CHECK(bytes.err == "npsbundle: error: " + Url(changed.port()) + ": serves a different build: " +
                         "/assets/index-Bl1MOBpP.js (the entry chunk of " + good + ") has other bytes\n");

  CommandResult header = RunNpsbundle({"audit", Url(server.port()), "--build", good, "--header", "no colon"});
  CHECK(header.exit_code == 2);
  CHECK(header.err == "npsbundle: error: --header \"no colon\": expected \"Name: value\"\n");
  CommandResult scheme = RunNpsbundle({"audit", "ftp://127.0.0.1/", "--build", good});
  CHECK(scheme.exit_code == 2);
  CHECK(scheme.err == "npsbundle: error: ftp://127.0.0.1/: expected an http:// or https:// URL\n");
  CommandResult format = RunNpsbundle({"audit", Url(server.port()), "--build", good, "-f", "html"});
  CHECK(format.exit_code == 2);
  CommandResult budget = RunNpsbundle({"audit", Url(server.port()), "--build", good, "--max-requests", "2"});
  CHECK(budget.exit_code == 2);
  CHECK_THAT(budget.err, Catch::Contains("--max-requests 2: the audit needs at least"));
}

// A loopback listener that accepts one connection, keeps what it reads up
// to the end of the request head, and never answers.
class SilentServer {
 public:
  SilentServer() : fd_(testing::ListenLoopback(&port_)) {
    thread_ = std::thread([this] {
      int client = accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      request_ = testing::ReadRequestHead(client);
      char buffer[4096];
      // Silent until the client gives up and closes.
      while (recv(client, buffer, sizeof buffer, 0) > 0) {
      }
      close(client);
    });
  }
  ~SilentServer() {
    TakeRequest();
    close(fd_);
  }
  int port() const { return port_; }
  // What the client sent; call after it closed. Stops accepting first, so
  // a client that never connected cannot hang the test.
  std::string TakeRequest() {
    shutdown(fd_, SHUT_RDWR);
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  int port_ = 0;  // before fd_: set while fd_ is initialised
  int fd_ = -1;
  std::string request_;
  std::thread thread_;
};

TEST_CASE("audit: a server that never answers times out as exit 2; --header is sent", "[audit-e2e]") {
  SilentServer server;
  CommandResult silent = RunNpsbundle({"audit", Url(server.port()), "--build", Fixture("good"), "--timeout", "0.3",
                                       "--header", "Authorization: Bearer t0k", "-H", "X-Preview:  7"});
  CHECK(silent.exit_code == 2);
  CHECK(silent.err == "npsbundle: error: " + Url(server.port()) + ": no complete response within 300 ms\n");
  std::string request = server.TakeRequest();
  CHECK_THAT(request, Catch::StartsWith("GET /assets/index-Bl1MOBpP.js HTTP/1.1\r\n"));
  CHECK_THAT(request, Catch::Contains("\r\nAuthorization: Bearer t0k\r\n"));
  CHECK_THAT(request, Catch::Contains("\r\nX-Preview: 7\r\n"));
  CHECK_THAT(request, Catch::Contains("\r\nUser-Agent: npsbundle-audit/"));
  CHECK_THAT(request, Catch::Contains("\r\nAccept-Encoding: br, gzip\r\n"));
}

TEST_CASE("audit: a request budget leaves files out and says so", "[audit-e2e]") {
  std::string good = Fixture("good");
  ServerScope server(Index(good, FastOptions()), FastOptions());
  CommandResult capped = RunNpsbundle({"audit", Url(server.port()), "--build", good, "--max-requests", "9"});
  INFO(capped.out << capped.err);
  CHECK(capped.exit_code == 0);
  CHECK_THAT(capped.out, Catch::Contains("not requested: --max-requests"));
  CHECK_THAT(capped.out, Catch::Contains("(9 requests on "));
}

TEST_CASE("client: keep-alive carries many requests on one connection", "[client]") {
  ServerScope server(testing::GoodIndex());
  HttpConnection connection(ParseUrl(Url(server.port())), ClientOptions{});
  for (int i = 0; i < 5; ++i) {
    ClientResponse response = connection.Request("GET", "/", {{"Accept-Encoding", "br"}});
    CHECK(response.status == 200);
    CHECK(DecodeBody(response).find("<script") != std::string::npos);
  }
  ClientResponse head = connection.Request("HEAD", "/", {});
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(connection.Request("GET", "/missing.js", {}).status == 404);
  CHECK(connection.connections_opened() == 1);
}

}  // namespace
}  // namespace npsbundle
