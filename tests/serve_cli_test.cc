// Runs the real `npsbundle serve` binary: start-up line, access log, signals,
// and the input errors that must exit 2.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <regex>
#include <thread>

#include "compression.h"
#include "serve_test_support.h"
#include "test_support.h"

extern char** environ;

namespace npsbundle::testing {
namespace {

// A `npsbundle serve` child process with its stdout and stderr piped.
class ServeProcess {
 public:
  explicit ServeProcess(std::vector<std::string> args) {
    args.insert(args.begin(), {NPSBUNDLE_BINARY, "serve"});
    int out[2], err[2];
    REQUIRE(pipe(out) == 0);
    REQUIRE(pipe(err) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    close(err[1]);
    REQUIRE(rc == 0);
    out_fd_ = out[0];
    err_fd_ = err[0];
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(out_fd_);
    close(err_fd_);
  }

  // Reads stdout until `pattern` matches (bounded by `timeout`); returns the
  // first capture group, or "" on timeout or EOF.
  std::string WaitFor(const std::regex& pattern, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      std::smatch match;
      if (std::regex_search(out_, match, pattern)) return match.size() > 1 ? match[1].str() : match[0].str();
      if (!ReadSome(out_fd_, &out_, 50)) break;
    }
    std::smatch match;
    if (std::regex_search(out_, match, pattern)) return match.size() > 1 ? match[1].str() : match[0].str();
    return "";
  }

  // Sends `signal` and waits (at most 10 s) for the exit status.
  int Stop(int signal) {
    kill(pid_, signal);
    for (int i = 0; i < 1000; ++i) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        while (ReadSome(out_fd_, &out_, 0)) {
        }
        while (ReadSome(err_fd_, &err_, 0)) {
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      ReadSome(out_fd_, &out_, 0);
      ReadSome(err_fd_, &err_, 0);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return -1;
  }

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  static bool ReadSome(int fd, std::string* into, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return timeout_ms > 0;  // still waiting
    char buffer[65536];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) return false;
    into->append(buffer, static_cast<size_t>(n));
    return true;
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
};

const std::regex kUrl(R"(http://127\.0\.0\.1:(\d+)/)");

TEST_CASE("serve binary: --port 0, access log, clean stop on SIGTERM and SIGINT", "[serve_cli]") {
  for (int signal : {SIGTERM, SIGINT}) {
    ServeProcess server({Fixture("good"), "--port", "0"});
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

TEST_CASE("serve binary: --quiet, --budget routes and a non-loopback warning", "[serve_cli]") {
  ServeProcess server({Fixture("good"), "--port", "0", "--quiet", "--host", "0.0.0.0",
                       "--budget", std::string(NPSBUNDLE_SOURCE_DIR) + "/budgets/default.json",
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
