#include "policy/preload.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "build/manifest.h"

namespace npsbundle {
namespace {

using Strings = std::vector<std::string>;

TEST_CASE("preload: link values for scripts and stylesheets, under Vite's base", "[preload]") {
  CHECK(ModulePreloadLink("assets/index-Bl1MOBpP.js", "/") ==
        "</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin");
  CHECK(StylePreloadLink("assets/index-CNgsl1pN.css", "/app/") ==
        "</app/assets/index-CNgsl1pN.css>; rel=preload; as=style");
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

TEST_CASE("preload: entry hints start with the entry script, then CSS, then imports", "[preload]") {
  Manifest manifest = ParseManifest(kManifest, "m.json");
  PreloadHints hints = EntryPreloadLinks(manifest, "index.html", "/");
  CHECK(hints.links ==
        Strings{"</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin",
                "</assets/index-CNgsl1pN.css>; rel=preload; as=style",
                "</assets/StatCard-Dj3j8sSB.css>; rel=preload; as=style",
                "</assets/vendor-react-D-9X1o8U.js>; rel=modulepreload; crossorigin",
                "</assets/rolldown-runtime-WkwZ5CU-.js>; rel=modulepreload; crossorigin",
                "</assets/StatCard-BpwciUNO.js>; rel=modulepreload; crossorigin"});
  CHECK(hints.dropped == 0);
  // Lazy pages are never hinted up front.
  for (const std::string& link : EntryPreloadLinks(manifest, "index.html", "/base/").links) {
    INFO(link);
    CHECK(link.rfind("</base/assets/", 0) == 0);
    CHECK(link.find("Oracle") == std::string::npos);
  }
  // An entry without imports or CSS still hints its own script.
  CHECK(EntryPreloadLinks(manifest, "src/admin.html", "/").links ==
        Strings{"</assets/admin-DzQS8Eqo.js>; rel=modulepreload; crossorigin"});
}

TEST_CASE("preload: route hints put the entry's static imports before the page", "[preload]") {
  Manifest manifest = ParseManifest(kManifest, "m.json");
  CHECK(RoutePreloadLinks(manifest, "index.html", "src/pages/Oracle.tsx", "/").links ==
        Strings{"</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin",
                "</assets/index-CNgsl1pN.css>; rel=preload; as=style",
                "</assets/StatCard-Dj3j8sSB.css>; rel=preload; as=style",
                "</assets/vendor-react-D-9X1o8U.js>; rel=modulepreload; crossorigin",
                "</assets/rolldown-runtime-WkwZ5CU-.js>; rel=modulepreload; crossorigin",
                "</assets/StatCard-BpwciUNO.js>; rel=modulepreload; crossorigin",
                "</assets/Oracle-CHnjyAkH.js>; rel=modulepreload; crossorigin",
                "</assets/Oracle-BfJKa0Uu.css>; rel=preload; as=style"});
}

TEST_CASE("preload: when the cap cuts a route's hints, the page's imports go, never the entry's", "[preload]") {
  // The entry imports 3 vendor chunks; the page imports 20 of its own.
  std::string json = R"({"index.html": {"file": "assets/index-E.js", "isEntry": true,
                         "imports": ["_v0.js", "_v1.js", "_v2.js"], "dynamicImports": ["src/Page.tsx"]},
                         "_v0.js": {"file": "assets/v0.js"}, "_v1.js": {"file": "assets/v1.js"},
                         "_v2.js": {"file": "assets/v2.js"},
                         "src/Page.tsx": {"file": "assets/Page-P.js", "isDynamicEntry": true, "imports": [)";
  std::string records;
  for (int i = 0; i < 20; ++i) {
    json += (i ? ", " : "") + std::string("\"_p") + std::to_string(i) + ".js\"";
    records += ", \"_p" + std::to_string(i) + ".js\": {\"file\": \"assets/p" + std::to_string(i) + ".js\"}";
  }
  Manifest manifest = ParseManifest(json + "]}" + records + "}", "m.json");
  PreloadHints hints = RoutePreloadLinks(manifest, "index.html", "src/Page.tsx", "/");
  REQUIRE(hints.links.size() == kMaxPreloadHints);
  CHECK(hints.links[1] == "</assets/v0.js>; rel=modulepreload; crossorigin");
  CHECK(hints.links[3] == "</assets/v2.js>; rel=modulepreload; crossorigin");
  CHECK(hints.links[4] == "</assets/Page-P.js>; rel=modulepreload; crossorigin");
  CHECK(hints.links.back() == "</assets/p10.js>; rel=modulepreload; crossorigin");
  CHECK(hints.dropped == 9);  // p11..p19
}

// An entry importing `count` chunks with names of `name_length` characters.
Manifest WideManifest(size_t count, size_t name_length) {
  std::string json = R"({"index.html": {"file": "assets/index-Bl1MOBpP.js", "isEntry": true,
                         "css": ["assets/index-CNgsl1pN.css"], "imports": [)";
  std::string records;
  for (size_t i = 0; i < count; ++i) {
    std::string name = std::to_string(i);
    name = std::string(name_length - name.size(), 'c') + name;
    json += (i ? ", " : "") + std::string("\"_") + name + ".js\"";
    records += ", \"_" + name + ".js\": {\"file\": \"assets/" + name + ".js\"}";
  }
  return ParseManifest(json + "]}" + records + "}", "m.json");
}

size_t HeaderBytes(const Strings& links) {
  size_t bytes = 0;
  for (const std::string& link : links) bytes += std::string("Link: \r\n").size() + link.size();
  return bytes;
}

TEST_CASE("preload: hints are capped by count and header bytes, the rest counted", "[preload]") {
  // 40 short imports: the count cap binds.
  PreloadHints many = EntryPreloadLinks(WideManifest(40, 4), "index.html", "/");
  CHECK(many.links.size() == kMaxPreloadHints);
  CHECK(many.links.size() + many.dropped == 42);  // entry script + CSS + 40
  CHECK(many.links[0] == "</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin");
  CHECK(many.links[1] == "</assets/index-CNgsl1pN.css>; rel=preload; as=style");
  CHECK(HeaderBytes(many.links) <= kMaxPreloadHeaderBytes);
  // 12 imports with 200-character names: the byte cap binds first.
  PreloadHints wide = EntryPreloadLinks(WideManifest(12, 200), "index.html", "/");
  CHECK(wide.links.size() < kMaxPreloadHints);
  CHECK(wide.links.size() + wide.dropped == 14);
  CHECK(HeaderBytes(wide.links) <= kMaxPreloadHeaderBytes);
  CHECK(HeaderBytes(wide.links) + 8 + wide.links.back().size() > kMaxPreloadHeaderBytes);
}

TEST_CASE("preload: HtmlForNavigation finds the nearest entry up the path", "[preload]") {
  Manifest manifest = ParseManifest(R"({
    "index.html": {"file": "a.js", "isEntry": true},
    "admin/index.html": {"file": "b.js", "isEntry": true}})", "m.json");
  CHECK(HtmlForNavigation(manifest, "/") == "index.html");
  CHECK(HtmlForNavigation(manifest, "/users/7") == "index.html");
  CHECK(HtmlForNavigation(manifest, "/admin/users/7") == "admin/index.html");
  CHECK(HtmlForNavigation(manifest, "/admin") == "index.html");
  CHECK(HtmlForNavigation(ParseManifest(R"({"admin/index.html": {"file": "b.js", "isEntry": true}})", "m"),
                          "/x") == "");
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

TEST_CASE("preload: which responses get 103 Early Hints", "[preload]") {
  struct Case {
    const char* method;
    int status;
    std::optional<std::string_view> sec_fetch_mode;
    bool wanted;
  };
  const Case kCases[] = {
      {"GET", 200, std::nullopt, true},  // curl, old browsers: no Sec-Fetch-*
      {"GET", 200, "navigate", true},
      {"GET", 304, "navigate", true},  // the cached page is current: same hints
      {"HEAD", 200, std::nullopt, false},
      {"GET", 206, std::nullopt, false},
      {"GET", 404, "navigate", false},
      {"GET", 200, "cors", false},  // fetch() of the HTML: no page load
      {"GET", 200, "no-cors", false},
      {"POST", 200, "navigate", false},
  };
  for (const Case& c : kCases) {
    INFO(c.method << " " << c.status << " " << c.sec_fetch_mode.value_or("-"));
    CHECK(WantsEarlyHints(c.method, c.status, c.sec_fetch_mode) == c.wanted);
  }
}

}  // namespace
}  // namespace npsbundle
