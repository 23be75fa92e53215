#include "policy/preload.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "build/manifest.h"

namespace npsbundle {
namespace {

using Strings = std::vector<std::string>;

LoadSet Set(Strings js, Strings css) {
  LoadSet set;
  set.js = std::move(js);
  set.css = std::move(css);
  return set;
}

TEST_CASE("preload: PreloadLinks formats scripts then stylesheets", "[preload]") {
  LoadSet set = Set({"assets/index-Bl1MOBpP.js", "assets/vendor-react-D-9X1o8U.js"},
                    {"assets/index-CNgsl1pN.css", "assets/StatCard-Dj3j8sSB.css"});
  CHECK(PreloadLinks(set, "/", false) ==
        Strings{"</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin",
                "</assets/vendor-react-D-9X1o8U.js>; rel=modulepreload; crossorigin",
                "</assets/index-CNgsl1pN.css>; rel=preload; as=style",
                "</assets/StatCard-Dj3j8sSB.css>; rel=preload; as=style"});
  CHECK(PreloadLinks(set, "/", true) ==
        Strings{"</assets/vendor-react-D-9X1o8U.js>; rel=modulepreload; crossorigin",
                "</assets/index-CNgsl1pN.css>; rel=preload; as=style",
                "</assets/StatCard-Dj3j8sSB.css>; rel=preload; as=style"});
}

TEST_CASE("preload: PreloadLinks prefixes Vite's base", "[preload]") {
  LoadSet set = Set({"js/main.js", "js/dep.js"}, {"css/main.css"});
  CHECK(PreloadLinks(set, "/app/", true) ==
        Strings{"</app/js/dep.js>; rel=modulepreload; crossorigin", "</app/css/main.css>; rel=preload; as=style"});
  CHECK(PreloadLinks(set, "/a/b/", false).front() == "</a/b/js/main.js>; rel=modulepreload; crossorigin");
}

TEST_CASE("preload: PreloadLinks on small sets", "[preload]") {
  CHECK(PreloadLinks(LoadSet{}, "/", true).empty());
  CHECK(PreloadLinks(LoadSet{}, "/", false).empty());
  CHECK(PreloadLinks(Set({"a.js"}, {}), "/", true).empty());
  // Skipping the first script never skips a stylesheet.
  CHECK(PreloadLinks(Set({}, {"a.css"}), "/", true) == Strings{"</a.css>; rel=preload; as=style"});
}

const char* kManifest = R"({
  "index.html": {"file": "assets/index-Bl1MOBpP.js", "src": "index.html", "isEntry": true,
                 "imports": ["_vendor-react-D-9X1o8U.js", "_StatCard-BpwciUNO.js"],
                 "dynamicImports": ["src/pages/Oracle.tsx"], "css": ["assets/index-CNgsl1pN.css"]},
  "_vendor-react-D-9X1o8U.js": {"file": "assets/vendor-react-D-9X1o8U.js", "imports": ["_rolldown-runtime-WkwZ5CU-.js"]},
  "_rolldown-runtime-WkwZ5CU-.js": {"file": "assets/rolldown-runtime-WkwZ5CU-.js"},
  "_StatCard-BpwciUNO.js": {"file": "assets/StatCard-BpwciUNO.js", "css": ["assets/StatCard-Dj3j8sSB.css"]},
  "src/pages/Oracle.tsx": {"file": "assets/Oracle-CHnjyAkH.js", "isDynamicEntry": true,
                           "css": ["assets/Oracle-BfJKa0Uu.css"]},
  "src/admin.html": {"file": "assets/admin-DzQS8Eqo.js", "src": "admin.html", "isEntry": true},
  "src/pages/Lazy.html": {"file": "assets/lazy.js", "src": "lazy.html", "isDynamicEntry": true}
})";

TEST_CASE("preload: EntryPreloadLinks hints the initial set minus the entry script", "[preload]") {
  Manifest manifest = ParseManifest(kManifest, "m.json");
  CHECK(EntryPreloadLinks(manifest, "index.html", "/") ==
        Strings{"</assets/vendor-react-D-9X1o8U.js>; rel=modulepreload; crossorigin",
                "</assets/rolldown-runtime-WkwZ5CU-.js>; rel=modulepreload; crossorigin",
                "</assets/StatCard-BpwciUNO.js>; rel=modulepreload; crossorigin",
                "</assets/index-CNgsl1pN.css>; rel=preload; as=style",
                "</assets/StatCard-Dj3j8sSB.css>; rel=preload; as=style"});
  // Lazy pages are never hinted up front.
  for (const std::string& link : EntryPreloadLinks(manifest, "index.html", "/base/")) {
    INFO(link);
    CHECK(link.rfind("</base/assets/", 0) == 0);
    CHECK(link.find("Oracle") == std::string::npos);
  }
  CHECK(EntryPreloadLinks(manifest, "src/admin.html", "/").empty());
}

TEST_CASE("preload: EntryKeyForHtml", "[preload]") {
  Manifest manifest = ParseManifest(kManifest, "m.json");
  CHECK(EntryKeyForHtml(manifest, "index.html") == "index.html");
  CHECK(EntryKeyForHtml(manifest, "admin.html") == "src/admin.html");  // through `src`
  CHECK(EntryKeyForHtml(manifest, "src/admin.html") == "src/admin.html");
  CHECK(EntryKeyForHtml(manifest, "lazy.html") == "");   // not an entry
  CHECK(EntryKeyForHtml(manifest, "src/pages/Lazy.html") == "");
  CHECK(EntryKeyForHtml(manifest, "missing.html") == "");
  CHECK(EntryKeyForHtml(manifest, "") == "");
}

}  // namespace
}  // namespace npsbundle
