// Every exit code of core/exit_codes.h that the binary can produce, end to
// end: the code and the line on stderr. (71 and 72 belong to the npm shim
// and are tested with it; 6, an impossible measurement, needs a real
// browser: tests/measure_browser/run.sh and the fake one of browser_measure_test.)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "core/exit_codes.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

using testing::CommandResult;
using testing::Fixture;
using testing::Run;
using testing::RunNpsbundle;
using testing::TempDir;
using testing::WriteFile;

std::string DefaultBudget() { return std::string(NPSBUNDLE_SOURCE_DIR) + "/budgets/default.json"; }

// A "browser" that starts, leaves a mark, and never answers on its DevTools
// pipe (the pipe stays open: sleep inherits it).
std::string SilentBrowser(const TempDir& dir) {
  std::string path = dir / "silent-browser";
  WriteFile(path, "#!/bin/sh\ntouch '" + dir / "started" + "'\nexec sleep 60\n");
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

}  // namespace

TEST_CASE("exit codes: 0 within budget, 1 over budget", "[exit_codes]") {
  CHECK(RunNpsbundle({"check", Fixture("good"), "--budget", DefaultBudget()}).exit_code == ToInt(ExitCode::kOk));
  CHECK(RunNpsbundle({"check", Fixture("good"), "--initial", "1 kB gzip"}).exit_code ==
        ToInt(ExitCode::kBudgetExceeded));
}

TEST_CASE("exit codes: 2 for bad input and usage, one line", "[exit_codes]") {
  CommandResult missing = RunNpsbundle({"check", "no/such/dist"});
  CHECK(missing.exit_code == ToInt(ExitCode::kInputError));
  CHECK_THAT(missing.err, Catch::StartsWith("npsbundle: error: no/such/dist"));
  CHECK(std::count(missing.err.begin(), missing.err.end(), '\n') == 1);
  CHECK(RunNpsbundle({"check"}).exit_code == ToInt(ExitCode::kInputError));
}

TEST_CASE("exit codes: 3 no browser, 4 browser died", "[exit_codes]") {
  CHECK(RunNpsbundle({"measure", Fixture("good"), "--browser", "/no/such/chromium"}).exit_code ==
        ToInt(ExitCode::kBrowserMissing));
  CHECK(RunNpsbundle({"measure", Fixture("good"), "--browser", "/bin/false"}).exit_code ==
        ToInt(ExitCode::kBrowserFailed));
}

TEST_CASE("exit codes: 5 when the browser never answers within --timeout", "[exit_codes]") {
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  CommandResult r = RunNpsbundle({"measure", Fixture("good"), "--browser", SilentBrowser(dir), "--timeout", "1"});
  CHECK(r.exit_code == ToInt(ExitCode::kMeasureTimeout));
  CHECK_THAT(r.err, Catch::StartsWith("npsbundle: error: "));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
}

TEST_CASE("exit codes: 130 when measure is interrupted by SIGINT", "[exit_codes]") {
  TempDir dir;
  std::string browser = SilentBrowser(dir);
  std::string good = Fixture("good");
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    freopen("/dev/null", "w", stdout);
    freopen("/dev/null", "w", stderr);
    execl(NPSBUNDLE_BINARY, NPSBUNDLE_BINARY, "measure", good.c_str(), "--browser", browser.c_str(), "--timeout", "60",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!std::filesystem::exists(dir / "started") && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // The handler is installed right after the launch; leave it a moment.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(pid, SIGINT);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));  // an exit code, not death by the signal
  CHECK(WEXITSTATUS(status) == ToInt(ExitCode::kInterrupted));
}

TEST_CASE("exit codes: 70 for an internal error, with a plea to report it", "[exit_codes]") {
  CommandResult r = Run({"env", "NPSBUNDLE_TEST_INTERNAL_ERROR=1", NPSBUNDLE_BINARY, "check", Fixture("good")});
  CHECK(r.exit_code == ToInt(ExitCode::kInternalError));
  CHECK(r.exit_code == 70);  // EX_SOFTWARE: the value is the interface
  CHECK_THAT(r.err, Catch::StartsWith("npsbundle: internal error: test-only failure"));
  CHECK_THAT(r.err, Catch::Contains("please report it with the command line: " + std::string(NPSBUNDLE_BINARY) +
                                    " check " + Fixture("good") + "\n"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 2);
  // Bad input stays 2 even with the switch set: usage errors come first
  // (`check` without a path is no usage error: it checks the config's apps).
  CHECK(Run({"env", "NPSBUNDLE_TEST_INTERNAL_ERROR=1", NPSBUNDLE_BINARY, "check", "--no-such-flag"}).exit_code ==
        ToInt(ExitCode::kInputError));
}

TEST_CASE("exit codes: the values are the public interface", "[exit_codes]") {
  CHECK(ToInt(ExitCode::kBudgetExceeded) == 1);
  CHECK(ToInt(ExitCode::kInputError) == 2);
  CHECK(ToInt(ExitCode::kBrowserMissing) == 3);
  CHECK(ToInt(ExitCode::kBrowserFailed) == 4);
  CHECK(ToInt(ExitCode::kMeasureTimeout) == 5);
  CHECK(ToInt(ExitCode::kPlatformBinaryMissing) == 71);
  CHECK(ToInt(ExitCode::kBinaryVersionMismatch) == 72);
  CHECK(ToInt(ExitCode::kInterrupted) == 130);
}

}  // namespace npsbundle
