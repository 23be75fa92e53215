// `npsbundle measure` failures, end to end: each has its exit code and one
// line on stderr. (The run in a real browser is tests/measure_browser/.)
#include <catch2/catch.hpp>

#include "support/test_support.h"

namespace npsbundle {

using testing::CommandResult;
using testing::Fixture;
using testing::RunNpsbundle;

TEST_CASE("measure cli: a missing browser is exit 3 with an install hint", "[measure_cli]") {
  CommandResult r = RunNpsbundle({"measure", Fixture("good"), "--browser", "/no/such/chromium"});
  CHECK(r.exit_code == 3);
  CHECK(r.out.empty());
  CHECK(r.err ==
        "npsbundle: error: chromium not found: /no/such/chromium is not an executable file; install the chromium "
        "package or pass --browser PATH\n");
}

TEST_CASE("measure cli: a browser that exits at once is exit 4 naming its status", "[measure_cli]") {
  CommandResult r = RunNpsbundle({"measure", Fixture("good"), "--browser", "/bin/false", "--runs", "1"});
  CHECK(r.exit_code == 4);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::StartsWith("npsbundle: error: /bin/false closed the DevTools pipe: it exited with status 1"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

TEST_CASE("measure cli: bad flags and input are exit 2 before any browser starts", "[measure_cli]") {
  struct Case {
    std::vector<std::string> args;
    const char* error;
  };
  const Case cases[] = {
      {{"--format", "xml"}, "--format: unknown format \"xml\" (text, json)"},
      {{"--runs", "0"}, "--runs: expected 1..1000, got 0"},
      {{"--profile", "5g"}, "--profile: unknown profile \"5g\""},
      {{"--pages", "Nowhere"}, "--pages: no routed lazy page \"Nowhere\""},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"measure", Fixture("good"), "--browser", "/no/such/chromium"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    CommandResult r = RunNpsbundle(args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::StartsWith(std::string("npsbundle: error: ") + c.error));
  }
  CommandResult missing = RunNpsbundle({"measure", "no/such/dist"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("no/such/dist"));
}

}  // namespace npsbundle
