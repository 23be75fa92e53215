// Runs the real `npsbundle serve` binary: start-up line, access log, signals,
// and the input errors that must exit 2.

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <regex>
#include <sstream>
#include <thread>

#include "core/compression.h"
#include "support/serve_test_support.h"
#include "support/test_support.h"

namespace npsbundle::testing {
namespace {

const std::regex kUrl(R"(http://127\.0\.0\.1:(\d+)/)");

TEST_CASE("serve binary: --port 0, access log, clean stop on SIGTERM and SIGINT", "[serve_cli]") {
  for (int signal : {SIGTERM, SIGINT}) {
    ServeProcess server({Fixture("good"), "--port", "0", "--precompress=wait", "--no-cache"});
    std::string port_text = server.WaitFor(kUrl, std::chrono::seconds(30));
    REQUIRE_FALSE(port_text.empty());
    int port = std::stoi(port_text);
    RawResponse r = Request(port, "GET", "/assets/vendor-react-D-9X1o8U.js", {{"Accept-Encoding", "br"}});
    CHECK(r.status == 200);
    CHECK(r.Header("content-encoding") == "br");
    CHECK(BrotliDecompress(r.body) == ReadFile(Fixture("good") + "/assets/vendor-react-D-9X1o8U.js"));
    // Access log: method, path, status, encoding, bytes, microseconds.
    std::string log_line = server.WaitFor(
        std::regex(R"(GET /assets/vendor-react-D-9X1o8U\.js 200 br (\d+) \d+us)"), std::chrono::seconds(5));
    CHECK(log_line == std::to_string(r.body.size()));
    CHECK(server.Stop(signal) == 0);
    CHECK(server.err().find("compressed") != std::string::npos);  // the in-memory log line
  }
}

TEST_CASE("serve binary: compresses in the background by default, with no progress line off a terminal",
          "[serve_cli]") {
  ServeProcess server({Fixture("good"), "--port", "0", "--no-cache", "--quiet"});
  std::string port_text = server.WaitFor(kUrl, std::chrono::seconds(30));
  REQUIRE_FALSE(port_text.empty());
  int port = std::stoi(port_text);
  const std::string vendor = "/assets/vendor-react-D-9X1o8U.js";
  CHECK(Request(port, "GET", vendor, {{"Accept-Encoding", "br"}}).status == 200);
  // Brotli arrives once the compressor has reached the file.
  RawResponse r;
  for (int i = 0; i < 600 && r.Header("content-encoding") != "br"; ++i) {
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = Request(port, "GET", vendor, {{"Accept-Encoding", "br"}});
  }
  REQUIRE(r.Header("content-encoding") == "br");
  CHECK(BrotliDecompress(r.body) == ReadFile(Fixture("good") + vendor));
  CHECK(server.Stop(SIGTERM) == 0);
  CHECK(server.err().find("in the background") != std::string::npos);
  CHECK_FALSE(std::regex_search(server.err(), std::regex(R"(compressing \d+/)")));  // no progress line
  CHECK(server.err().find('\r') == std::string::npos);
}

TEST_CASE("serve binary: a progress line on a terminal", "[serve_cli]") {
  int terminal = -1;
  pid_t pid = forkpty(&terminal, nullptr, nullptr, nullptr);
  REQUIRE(pid >= 0);
  if (pid == 0) {
    std::string good = Fixture("good");
    execl(NPSBUNDLE_BINARY, NPSBUNDLE_BINARY, "serve", good.c_str(), "--port", "0", "--no-cache", "--quiet",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  std::string seen;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (seen.find("text files in the background \u00b7") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    pollfd readable{terminal, POLLIN, 0};
    if (poll(&readable, 1, 200) <= 0) continue;
    char buffer[4096];
    ssize_t n = read(terminal, buffer, sizeof buffer);
    if (n <= 0) break;
    seen.append(buffer, static_cast<size_t>(n));
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  close(terminal);
  INFO(seen);
  // Rewritten in place, then one final line.
  CHECK(std::regex_search(seen, std::regex("\r\x1b\\[Kcompressing \\d+/21 \u00b7 \\d+\\.\\d MB saved")));
  CHECK(seen.find("compressed 21/21 text files in the background \u00b7") != std::string::npos);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("serve binary: --quiet, --budget routes and a non-loopback warning", "[serve_cli]") {
  ServeProcess server({Fixture("good"), "--port", "0", "--quiet", "--host", "0.0.0.0",
                       "--budget", std::string(NPSBUNDLE_SOURCE_DIR) + "/budgets/nps.json",
                       "--brotli-quality", "4"});
  std::string port_text = server.WaitFor(std::regex(R"(http://0\.0\.0\.0:(\d+)/)"), std::chrono::seconds(30));
  REQUIRE_FALSE(port_text.empty());
  int port = std::stoi(port_text);
  CHECK(Request(port, "GET", "/").status == 200);
  // The budget's route map adds the lazy page's chunks to a deep link.
  std::vector<std::string> links = Request(port, "GET", "/oracle").All("link");
  CHECK(std::count(links.begin(), links.end(),
                   "</assets/Oracle-CHnjyAkH.js>; rel=modulepreload; crossorigin") == 1);
  CHECK(std::count(links.begin(), links.end(),
                   "</assets/Oracle-BfJKa0Uu.css>; rel=preload; as=style") == 1);
  CHECK(server.Stop(SIGTERM) == 0);
  CHECK(server.out().find("GET /") == std::string::npos);
  CHECK(server.err().find("warning: listening on 0.0.0.0") != std::string::npos);
}

// curl's -D - dumps every head it reads, the 103's included, in order.
std::string CurlHeads(int port, const std::string& path, const std::string& version) {
  CommandResult r = Run({"curl", "-sS", version, "-o", "/dev/null", "-D", "-",
                         "http://127.0.0.1:" + std::to_string(port) + path});
  REQUIRE(r.exit_code == 0);
  return r.out;
}

TEST_CASE("serve binary: --early-hints sends 103 before a page's 200, seen by curl", "[serve_cli]") {
  const std::string budget = std::string(NPSBUNDLE_SOURCE_DIR) + "/budgets/nps.json";
  const std::string oracle_link = "Link: </assets/Oracle-CHnjyAkH.js>; rel=modulepreload; crossorigin";
  ServeProcess server({Fixture("good"), "--port", "0", "--quiet", "--no-cache", "--early-hints",
                       "--budget", budget, "--brotli-quality", "4"});
  int port = server.WaitForPort(std::chrono::seconds(30));
  REQUIRE(port > 0);

  // A navigation to a route: the 103 carries the route's capped list, the
  // same Link lines as the 200 after it.
  std::string heads = CurlHeads(port, "/oracle", "--http1.1");
  size_t early = heads.find("HTTP/1.1 103 Early Hints\r\n");
  size_t final_head = heads.find("HTTP/1.1 200 OK\r\n");
  REQUIRE(early == 0);
  REQUIRE(final_head != std::string::npos);
  std::string hints = heads.substr(0, final_head);
  std::string response = heads.substr(final_head);
  CHECK(hints.find(oracle_link) != std::string::npos);
  auto links = [](const std::string& head) {
    std::vector<std::string> out;
    std::istringstream lines(head);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("Link: ", 0) == 0) out.push_back(line);
    }
    return out;
  };
  CHECK(links(hints).size() > 1);
  CHECK(links(hints) == links(response));

  CHECK(CurlHeads(port, "/", "--http1.1").rfind("HTTP/1.1 103 Early Hints\r\n", 0) == 0);
  // An asset, and any HTTP/1.0 request: the final response only.
  CHECK(CurlHeads(port, "/assets/vendor-react-D-9X1o8U.js", "--http1.1").rfind("HTTP/1.1 200 OK", 0) == 0);
  std::string http10 = CurlHeads(port, "/oracle", "--http1.0");
  CHECK(http10.rfind("HTTP/1.1 200 OK", 0) == 0);
  CHECK(http10.find(" 103 ") == std::string::npos);
  CHECK(links(http10) == links(response));  // the Link headers stay
  CHECK(server.Stop(SIGTERM) == 0);

  // Plain HTTP's default, and --no-early-hints: no 103.
  for (const char* flag : {"--precompress=background", "--no-early-hints"}) {
    ServeProcess off({Fixture("good"), "--port", "0", "--quiet", "--no-cache", flag, "--budget",
                      budget, "--brotli-quality", "4"});
    int off_port = off.WaitForPort(std::chrono::seconds(30));
    REQUIRE(off_port > 0);
    std::string plain = CurlHeads(off_port, "/oracle", "--http1.1");
    CHECK(plain.rfind("HTTP/1.1 200 OK", 0) == 0);
    CHECK(plain.find(oracle_link) != std::string::npos);
    CHECK(off.Stop(SIGTERM) == 0);
  }
}

TEST_CASE("serve binary: busy port and bad input exit 2", "[serve_cli]") {
  ServerScope busy(GoodIndex());
  CommandResult taken = RunNpsbundle({"serve", Fixture("good"), "--port", std::to_string(busy.port()),
                                      "--brotli-quality", "1"});
  CHECK(taken.exit_code == 2);
  CHECK(taken.err.find("npsbundle: error: 127.0.0.1:" + std::to_string(busy.port()) +
                       ": cannot listen: address already in use") != std::string::npos);

  CommandResult missing = RunNpsbundle({"serve", "no/such/dist"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "npsbundle: error: no/such/dist: no such file or folder\n");

  TempDir temp;
  WriteFile(temp / "junk.tar.gz", "not an archive");
  CommandResult junk = RunNpsbundle({"serve", temp / "junk.tar.gz"});
  CHECK(junk.exit_code == 2);
  CHECK(junk.err.find("not a readable archive") != std::string::npos);

  CHECK(RunNpsbundle({"serve", Fixture("good"), "--port", "70000"}).exit_code == 2);
  CHECK(RunNpsbundle({"serve", Fixture("good"), "--gzip-level", "12"}).exit_code == 2);
  CHECK(RunNpsbundle({"serve", Fixture("good"), "--base", "https://cdn/"}).exit_code == 2);
}

}  // namespace
}  // namespace npsbundle::testing
