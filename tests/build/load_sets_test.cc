#include "build/load_sets.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "build/manifest.h"

namespace npsbundle {
namespace {

using Strings = std::vector<std::string>;

Manifest Parse(const std::string& json) { return ParseManifest(json, "m.json"); }

TEST_CASE("graph: initial set is the transitive imports closure, depth first, each file once",
          "[graph]") {
  // index -> a -> c, index -> b -> c (diamond), c -> d.
  Manifest manifest = Parse(R"({
    "index.html": {"file": "assets/index.js", "isEntry": true, "imports": ["_a.js", "_b.js"]},
    "_a.js": {"file": "assets/a.js", "imports": ["_c.js"]},
    "_b.js": {"file": "assets/b.js", "imports": ["_c.js", "_a.js"]},
    "_c.js": {"file": "assets/c.js", "imports": ["_d.js"]},
    "_d.js": {"file": "assets/d.js"},
    "_unused.js": {"file": "assets/unused.js"}
  })");
  LoadSet set = InitialSet(manifest, "index.html");
  CHECK(set.js == Strings{"assets/index.js", "assets/a.js", "assets/c.js", "assets/d.js", "assets/b.js"});
  CHECK(set.css.empty());
  CHECK(StaticClosure(manifest, "index.html") == Strings{"index.html", "_a.js", "_c.js", "_d.js", "_b.js"});
  CHECK(StaticClosure(manifest, "_b.js") == Strings{"_b.js", "_c.js", "_d.js", "_a.js"});
  CHECK(StaticClosure(manifest, "_d.js") == Strings{"_d.js"});
  CHECK(StaticClosure(manifest, "no-such-key") == Strings{});
}

TEST_CASE("graph: css of every chunk in the closure, in walk order, each once", "[graph]") {
  Manifest manifest = Parse(R"({
    "index.html": {"file": "assets/index.js", "isEntry": true, "imports": ["_a.js", "_b.js"],
                   "css": ["assets/index.css"], "assets": ["assets/logo.svg"]},
    "_a.js": {"file": "assets/a.js", "css": ["assets/a.css", "assets/shared.css"]},
    "_b.js": {"file": "assets/b.js", "css": ["assets/shared.css", "assets/b.css"]}
  })");
  LoadSet set = InitialSet(manifest, "index.html");
  CHECK(set.js == Strings{"assets/index.js", "assets/a.js", "assets/b.js"});
  CHECK(set.css == Strings{"assets/index.css", "assets/a.css", "assets/shared.css", "assets/b.css"});
  // `assets` (images, fonts) are not fetched up front.
  CHECK_FALSE(set.Contains("assets/logo.svg"));
  CHECK(set.All() == Strings{"assets/index.js", "assets/a.js", "assets/b.js", "assets/index.css",
                             "assets/a.css", "assets/shared.css", "assets/b.css"});
}

// The keys of `reach`'s closure records, in walk order.
Strings ClosureKeys(const Reach& reach) {
  Strings keys;
  for (const ManifestChunk* chunk : reach.closure) keys.push_back(chunk->key);
  return keys;
}

TEST_CASE("graph: ReachOf gives the route cost and the closure's records in one walk", "[graph]") {
  Manifest manifest = Parse(R"({
    "index.html": {"file": "assets/index.js", "isEntry": true, "imports": ["_v.js"],
                   "dynamicImports": ["src/A.tsx"]},
    "_v.js": {"file": "assets/v.js", "dynamicImports": ["src/B.tsx"]},
    "src/A.tsx": {"file": "assets/A.js", "isDynamicEntry": true, "imports": ["_v.js", "_s.js"],
                  "dynamicImports": ["src/B.tsx"]},
    "_s.js": {"file": "assets/s.js", "css": ["assets/s.css"], "dynamicImports": ["src/C.tsx"]},
    "src/B.tsx": {"file": "assets/B.js", "isDynamicEntry": true},
    "src/C.tsx": {"file": "assets/C.js", "isDynamicEntry": true}
  })");
  LoadSet initial = InitialSet(manifest, "index.html");
  Reach entry = ReachOf(manifest, "index.html", LoadSet{});
  CHECK(entry.cost.All() == initial.All());
  CHECK(ClosureKeys(entry) == Strings{"index.html", "_v.js"});
  Reach page = ReachOf(manifest, "src/A.tsx", initial);
  CHECK(page.cost.All() == RouteCost(manifest, "src/A.tsx", initial).All());
  CHECK(page.cost.All() == Strings{"assets/A.js", "assets/s.js", "assets/s.css"});
  // Walk order, the page first; each record points into the manifest.
  CHECK(ClosureKeys(page) == Strings{"src/A.tsx", "_v.js", "_s.js"});
  CHECK(page.closure[2] == manifest.Find("_s.js"));
  CHECK(page.closure[2]->dynamic_imports == Strings{"src/C.tsx"});
}

TEST_CASE("graph: dynamic imports are not part of a closure", "[graph]") {
  Manifest manifest = Parse(R"({
    "index.html": {"file": "assets/index.js", "isEntry": true, "dynamicImports": ["src/Page.tsx"]},
    "src/Page.tsx": {"file": "assets/Page.js", "isDynamicEntry": true, "css": ["assets/Page.css"]}
  })");
  CHECK(StaticClosure(manifest, "index.html") == Strings{"index.html"});
  LoadSet set = InitialSet(manifest, "index.html");
  CHECK(set.js == Strings{"assets/index.js"});
  CHECK(set.css.empty());
}

TEST_CASE("graph: a lazy chunk importing the entry (a cycle) adds only its own files", "[graph]") {
  Manifest manifest = Parse(R"({
    "index.html": {"file": "assets/index.js", "isEntry": true, "imports": ["_vendor.js"],
                   "dynamicImports": ["src/pages/Vault.tsx"], "css": ["assets/index.css"]},
    "_vendor.js": {"file": "assets/vendor.js"},
    "src/pages/Vault.tsx": {"file": "assets/Vault.js", "isDynamicEntry": true,
                            "imports": ["index.html", "_vendor.js"], "css": ["assets/Vault.css"]}
  })");
  CHECK(StaticClosure(manifest, "src/pages/Vault.tsx") ==
        Strings{"src/pages/Vault.tsx", "index.html", "_vendor.js"});
  LoadSet initial = InitialSet(manifest, "index.html");
  CHECK(initial.js == Strings{"assets/index.js", "assets/vendor.js"});
  CHECK(initial.css == Strings{"assets/index.css"});
  LoadSet route = RouteCost(manifest, "src/pages/Vault.tsx", initial);
  CHECK(route.js == Strings{"assets/Vault.js"});
  CHECK(route.css == Strings{"assets/Vault.css"});
  // Visited cold, the page pulls the entry in through its import.
  LoadSet cold = RouteCost(manifest, "src/pages/Vault.tsx", LoadSet{});
  CHECK(cold.js == Strings{"assets/Vault.js", "assets/index.js", "assets/vendor.js"});
  CHECK(cold.css == Strings{"assets/Vault.css", "assets/index.css"});
}

TEST_CASE("graph: a static import cycle terminates", "[graph]") {
  Manifest manifest = Parse(R"({
    "index.html": {"file": "assets/index.js", "isEntry": true, "imports": ["_a.js"]},
    "_a.js": {"file": "assets/a.js", "imports": ["_b.js"]},
    "_b.js": {"file": "assets/b.js", "imports": ["_a.js", "index.html", "_b.js"]}
  })");
  CHECK(InitialSet(manifest, "index.html").js == Strings{"assets/index.js", "assets/a.js", "assets/b.js"});
  CHECK(StaticClosure(manifest, "_b.js") == Strings{"_b.js", "_a.js", "index.html"});
}

TEST_CASE("graph: CSS-only keys land among the stylesheets, once", "[graph]") {
  // As in the fixture builds: "_StatCard-Dj3j8sSB.css" is a record of its own
  // whose file is also in the StatCard chunk's css list.
  Manifest manifest = Parse(R"({
    "index.html": {"file": "assets/index.js", "isEntry": true, "imports": ["_StatCard-BpwciUNO.js"]},
    "_StatCard-BpwciUNO.js": {"file": "assets/StatCard-BpwciUNO.js",
                              "css": ["assets/StatCard-Dj3j8sSB.css"]},
    "_StatCard-Dj3j8sSB.css": {"file": "assets/StatCard-Dj3j8sSB.css", "src": "_StatCard-Dj3j8sSB.css"},
    "src/Other.tsx": {"file": "assets/Other.js", "isEntry": true,
                      "imports": ["_StatCard-Dj3j8sSB.css", "_StatCard-BpwciUNO.js"]}
  })");
  LoadSet via_css_list = InitialSet(manifest, "index.html");
  CHECK(via_css_list.js == Strings{"assets/index.js", "assets/StatCard-BpwciUNO.js"});
  CHECK(via_css_list.css == Strings{"assets/StatCard-Dj3j8sSB.css"});

  // Imported as a key: a stylesheet, never a script, and still once.
  LoadSet via_import = InitialSet(manifest, "src/Other.tsx");
  CHECK(via_import.js == Strings{"assets/Other.js", "assets/StatCard-BpwciUNO.js"});
  CHECK(via_import.css == Strings{"assets/StatCard-Dj3j8sSB.css"});

  LoadSet css_alone = InitialSet(manifest, "_StatCard-Dj3j8sSB.css");
  CHECK(css_alone.js.empty());
  CHECK(css_alone.css == Strings{"assets/StatCard-Dj3j8sSB.css"});
}

TEST_CASE("graph: keys with query strings and folders other than assets/", "[graph]") {
  Manifest manifest = Parse(R"({
    "index.html": {"file": "js/index-Aa11Bb22.js", "isEntry": true, "imports": ["_vendor-Cc33Dd44.js"],
                   "dynamicImports": ["src/routes/x.tsx?tsr-split=component"],
                   "css": ["css/index-Ee55Ff66.css"]},
    "_vendor-Cc33Dd44.js": {"file": "js/vendor-Cc33Dd44.js"},
    "src/routes/x.tsx?tsr-split=component": {
      "file": "js/x-Gg77Hh88.js", "src": "src/routes/x.tsx?tsr-split=component", "isDynamicEntry": true,
      "imports": ["_vendor-Cc33Dd44.js", "_lib-Ii99Jj00.js"], "css": ["css/x-Kk11Ll22.css"]},
    "_lib-Ii99Jj00.js": {"file": "js/lib-Ii99Jj00.js"}
  })");
  LoadSet initial = InitialSet(manifest, "index.html");
  CHECK(initial.js == Strings{"js/index-Aa11Bb22.js", "js/vendor-Cc33Dd44.js"});
  CHECK(initial.css == Strings{"css/index-Ee55Ff66.css"});
  LoadSet route = RouteCost(manifest, "src/routes/x.tsx?tsr-split=component", initial);
  CHECK(route.js == Strings{"js/x-Gg77Hh88.js", "js/lib-Ii99Jj00.js"});
  CHECK(route.css == Strings{"css/x-Kk11Ll22.css"});
}

TEST_CASE("graph: files with one basename in different folders stay apart", "[graph]") {
  Manifest manifest = Parse(R"({
    "index.html": {"file": "assets/index.js", "isEntry": true, "imports": ["_util.js"],
                   "css": ["assets/style.css"]},
    "admin/index.html": {"file": "admin/assets/index.js", "isEntry": true,
                         "imports": ["_admin/util.js", "_util.js"], "css": ["admin/assets/style.css"]},
    "_util.js": {"file": "assets/util.js", "css": ["assets/style.css"]},
    "_admin/util.js": {"file": "admin/assets/util.js", "css": ["admin/assets/style.css"]}
  })");
  LoadSet site = InitialSet(manifest, "index.html");
  CHECK(site.js == Strings{"assets/index.js", "assets/util.js"});
  CHECK(site.css == Strings{"assets/style.css"});
  LoadSet admin = InitialSet(manifest, "admin/index.html");
  CHECK(admin.js == Strings{"admin/assets/index.js", "admin/assets/util.js", "assets/util.js"});
  CHECK(admin.css == Strings{"admin/assets/style.css", "assets/style.css"});
  CHECK_FALSE(site.Contains("admin/assets/index.js"));
  CHECK(admin.Contains("assets/style.css"));
}

TEST_CASE("graph: a chunk that is both entry and dynamic entry", "[graph]") {
  Manifest manifest = Parse(R"({
    "src/main.ts": {"file": "assets/main.js", "isEntry": true, "isDynamicEntry": true,
                    "imports": ["_dep.js"], "css": ["assets/main.css"]},
    "_dep.js": {"file": "assets/dep.js"}
  })");
  LoadSet initial = InitialSet(manifest, "src/main.ts");
  CHECK(initial.js == Strings{"assets/main.js", "assets/dep.js"});
  CHECK(initial.css == Strings{"assets/main.css"});
  // Already loaded as an entry: navigating to it costs nothing more.
  LoadSet route = RouteCost(manifest, "src/main.ts", initial);
  CHECK(route.js.empty());
  CHECK(route.css.empty());
  CHECK(route.All().empty());
}

TEST_CASE("graph: route cost subtracts what is already loaded", "[graph]") {
  Manifest manifest = Parse(R"({
    "index.html": {"file": "assets/index.js", "isEntry": true,
                   "imports": ["_vendor-react.js", "_card.js"], "css": ["assets/index.css"],
                   "dynamicImports": ["src/pages/Oracle.tsx"]},
    "_vendor-react.js": {"file": "assets/vendor-react.js"},
    "_card.js": {"file": "assets/card.js", "css": ["assets/card.css"]},
    "_chart.js": {"file": "assets/chart.js", "imports": ["_vendor-react.js"], "css": ["assets/chart.css"]},
    "src/pages/Oracle.tsx": {"file": "assets/Oracle.js", "isDynamicEntry": true,
                             "imports": ["_vendor-react.js", "_chart.js", "_card.js"],
                             "css": ["assets/Oracle.css", "assets/index.css"]}
  })");
  LoadSet initial = InitialSet(manifest, "index.html");
  CHECK(initial.js == Strings{"assets/index.js", "assets/vendor-react.js", "assets/card.js"});
  CHECK(initial.css == Strings{"assets/index.css", "assets/card.css"});
  LoadSet route = RouteCost(manifest, "src/pages/Oracle.tsx", initial);
  CHECK(route.js == Strings{"assets/Oracle.js", "assets/chart.js"});
  CHECK(route.css == Strings{"assets/Oracle.css", "assets/chart.css"});

  // What counts as loaded is whatever the caller passes, js or css.
  LoadSet partly;
  partly.css = {"assets/Oracle.css"};
  partly.js = {"assets/chart.js"};
  LoadSet rest = RouteCost(manifest, "src/pages/Oracle.tsx", partly);
  CHECK(rest.js == Strings{"assets/Oracle.js", "assets/vendor-react.js", "assets/card.js"});
  CHECK(rest.css == Strings{"assets/index.css", "assets/chart.css", "assets/card.css"});
}

TEST_CASE("graph: LoadSet::Contains looks at scripts and stylesheets", "[graph]") {
  LoadSet set;
  set.js = {"assets/a.js"};
  set.css = {"assets/a.css"};
  CHECK(set.Contains("assets/a.js"));
  CHECK(set.Contains("assets/a.css"));
  CHECK_FALSE(set.Contains("a.js"));
  CHECK_FALSE(set.Contains("assets/a"));
  CHECK_FALSE(set.Contains(""));
  CHECK(LoadSet{}.All().empty());
}

}  // namespace
}  // namespace npsbundle
