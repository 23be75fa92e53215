#include "build/asset_names.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <string>

namespace npsbundle {
namespace {

struct Case {
  const char* path;
  bool hashed;
};

// Real Vite 8 output names (from fixtures/builds/*/assets) and look-alikes.
const Case kCases[] = {
    {"assets/vendor-react-D-9X1o8U.js", true},  // '-' inside the hash
    {"vendor-react-D-9X1o8U.js", true},
    {"assets/rolldown-runtime-WkwZ5CU-.js", true},  // hash ends in '-'
    {"assets/logo-B7_ajGU8.svg", true},              // '_' inside the hash
    {"assets/index-Bl1MOBpP.js", true},
    {"assets/index-CNgsl1pN.css", true},
    {"assets/vendor-query-36H9U8Gs.js", true},
    {"assets/AuditPanel-Bkm0Vp_O.js", true},
    {"assets/preload-helper-BzputcT5.js", true},
    {"/assets/StatCard-Dj3j8sSB.css", true},
    {"js/x-Gg77Hh88.js", true},
    {"app.Bx3kf9Qa.js", true},  // "<name>.<hash>.<ext>"
    {"a-ABCDEFGH.js", true},
    {"a-abcdefg1.js", true},    // one digit is enough
    {"a-abcdefgH.woff2", true}, // one capital is enough
    // Not hashed.
    {"react-dom.js", false},
    {"site-manifest.json", false},
    {"my-component-v2.js", false},
    {"favicon.svg", false},
    {"index.html", false},
    {"admin.html", false},
    {".vite/manifest.json", false},
    {"robots.txt", false},
    {"", false},
    {"assets/", false},
    {"a-abcdefgh.js", false},   // all lower case: missed on purpose
    {"a-ABCDEFG.js", false},    // 7 characters
    {"a_ABCDEFGH.js", false},   // '_' is not a separator
    {"aXABCDEFGH.js", false},   // no separator at all
    {"a-ABCD+FGH.js", false},   // '+' is not base64url
    {"a-ABCDEFGH", false},      // no extension
    {"a-ABCDEFGH.", false},     // empty extension
    {"a-ABCDEFGH.j-s", false},  // extension must be alphanumeric
    {"assets-B7_ajGU8/index.js", false},  // only the last segment counts
    {"assets/index-Bl1MOBpP.js.map", true},  // a second extension is allowed
    {"assets/index-Bl1MOBpP.js.gz", true},
    {"assets/-ABCDEFGH.js", false},          // a hash needs a name before it
};

TEST_CASE("asset_names: IsHashedAssetName table", "[asset_names]") {
  for (const Case& c : kCases) {
    INFO(c.path);
    CHECK(IsHashedAssetName(c.path) == c.hashed);
  }
}

TEST_CASE("asset_names: the nginx regex agrees with the C++ matcher", "[asset_names]") {
  const std::regex pattern(std::string(kHashedAssetRegex), std::regex::ECMAScript);
  for (const Case& c : kCases) {
    std::string uri = std::string("/") + c.path;
    INFO(uri);
    CHECK(std::regex_search(uri, pattern) == c.hashed);
  }
}

TEST_CASE("asset_names: every file in the committed fixture builds' assets/ is hashed", "[asset_names]") {
  namespace fs = std::filesystem;
  const fs::path builds = fs::path(NPSBUNDLE_SOURCE_DIR) / "fixtures" / "builds";
  size_t seen = 0;
  for (const auto& build : fs::directory_iterator(builds)) {
    fs::path assets = build.path() / "assets";
    if (!fs::is_directory(assets)) continue;
    for (const auto& file : fs::directory_iterator(assets)) {
      std::string name = file.path().filename().string();
      INFO(file.path().string());
      CHECK(IsHashedAssetName("assets/" + name));
      ++seen;
    }
    // And nothing at the top of a build (index.html, favicon.svg) is.
    for (const auto& file : fs::directory_iterator(build.path())) {
      if (!file.is_regular_file()) continue;
      INFO(file.path().string());
      CHECK_FALSE(IsHashedAssetName(file.path().filename().string()));
    }
  }
  CHECK(seen > 20);
}

TEST_CASE("IsHiddenPath hides dot segments except .well-known", "[asset_names]") {
  CHECK(IsHiddenPath(".env"));
  CHECK(IsHiddenPath(".git/config"));
  CHECK(IsHiddenPath(".vite/manifest.json"));
  CHECK(IsHiddenPath("assets/.hidden"));
  CHECK(IsHiddenPath("a/.well-known/x"));
  CHECK_FALSE(IsHiddenPath(".well-known/security.txt"));
  CHECK_FALSE(IsHiddenPath("assets/x.js"));
  CHECK_FALSE(IsHiddenPath(""));
  CHECK_FALSE(IsHiddenPath("assets../x"));
}

}  // namespace
}  // namespace npsbundle
