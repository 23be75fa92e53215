// `npsbundle why` end to end: the errors and their one line on stderr (the
// outputs themselves are golden files: tests/golden/cases.txt, why-*).
#include <algorithm>

#include <catch2/catch.hpp>

#include "core/exit_codes.h"
#include "support/test_support.h"

namespace npsbundle {

using testing::CommandResult;
using testing::RunNpsbundle;

namespace {
std::string App(const std::string& name) { return std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps/" + name + "/dist"; }
}  // namespace

TEST_CASE("why: an unknown package is one line, exit 2, with near names", "[why_cli]") {
  CommandResult typo = RunNpsbundle({"why", "eventemiter3", App("two-versions"), "--no-cache"});
  CHECK(typo.exit_code == ToInt(ExitCode::kInputError));
  CHECK(typo.out.empty());
  CHECK(typo.err == "npsbundle: error: " + App("two-versions") +
                        ": no package \"eventemiter3\" in the source maps; did you mean eventemitter3?\n");
}

TEST_CASE("why: without source maps and no manifest source in the package, says maps are needed", "[why_cli]") {
  CommandResult vue = RunNpsbundle({"why", "vue", App("vue-admin"), "--no-cache"});
  CHECK(vue.exit_code == ToInt(ExitCode::kInputError));
  CHECK(std::count(vue.err.begin(), vue.err.end(), '\n') == 1);
  CHECK_THAT(vue.err, Catch::Contains("no source maps to look inside chunks (build with build.sourcemap: 'hidden')"));
}

TEST_CASE("why: the package's chunks and the chain from the entry", "[why_cli]") {
  CommandResult why = RunNpsbundle({"why", "p-queue", App("two-versions"), "--no-cache"});
  CHECK(why.exit_code == ToInt(ExitCode::kOk));
  CHECK_THAT(why.out, Catch::Contains("assets/queue-BQ6SISob.js"));
  CHECK_THAT(why.out, Catch::Contains("  index.html ⇢ src/pages/queue.js\n"));
}

}  // namespace npsbundle
