// `init -o FILE --force` replaces FILE atomically: a write that fails part
// way (here: the file-size limit of `ulimit -f`) leaves the old budget whole.
#include <catch2/catch.hpp>

#include "support/test_support.h"

namespace npsbundle::testing {

TEST_CASE("init: a failed write never tears an existing budget file", "[e2e][init]") {
  TempDir dir;
  std::string old_budget = "{\"version\": 1, \"initial\": {\"max\": \"500 kB gzip\"}}\n";
  WriteFile(dir / "budget.json", old_budget);
  CommandResult full = RunNpsbundle({"init", Fixture("good")});
  REQUIRE(full.exit_code == 0);
  REQUIRE_FALSE(full.out.empty());  // more than the limit below
  // SIGXFSZ ignored (inherited across exec), so the write fails with EFBIG
  // instead of killing the process; `ulimit -f 0` allows no byte at all.
  // (An in-place truncating write would leave an empty file here.)
  CommandResult r = Run({"sh", "-c", "trap '' XFSZ; ulimit -f 0; exec \"$0\" \"$@\"", NPSBUNDLE_BINARY, "init",
                         Fixture("good"), "-o", dir / "budget.json", "--force"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "npsbundle: error: " + dir / "budget.json" + ": cannot write file: File too large\n");
  CHECK(ReadFile(dir / "budget.json") == old_budget);
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) names.push_back(entry.path().filename());
  CHECK(names == std::vector<std::string>{"budget.json"});
}

}  // namespace npsbundle::testing
