#include "build/html_entry.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "build/load_sets.h"
#include "core/bundle_source.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;

std::string App(const std::string& name) {
  return std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps/" + name;
}

std::set<std::string> AsSet(const std::vector<std::string>& items) {
  return std::set<std::string>(items.begin(), items.end());
}

TEST_CASE("html_entry: a web-app manifest is told from Vite's", "[html_entry]") {
  CHECK(IsWebAppManifest(ReadFile(App("pwa/dist-no-manifest/manifest.json"))));
  CHECK_FALSE(IsWebAppManifest(ReadFile(App("pwa/dist/.vite/manifest.json"))));
  // A Vite manifest whose source happens to be called "name" is still Vite's.
  CHECK_FALSE(IsWebAppManifest(R"({"name": {"file": "assets/name-AbCd1234.js"}})"));
  CHECK_FALSE(IsWebAppManifest("[1, 2]"));
  CHECK_FALSE(IsWebAppManifest("not json"));
}

TEST_CASE("html_entry: the PWA without a Vite manifest is read from index.html", "[html_entry]") {
  std::unique_ptr<BundleSource> source = OpenBundle(App("pwa/dist-no-manifest"));
  FoundManifest found = LoadBuildManifest(*source);
  REQUIRE(found.manifest);
  REQUIRE(found.warnings.size() == 1);
  CHECK(found.warnings[0].find("is a web-app manifest") != std::string::npos);
  CHECK(found.warnings[0].find("build: { manifest: true }") != std::string::npos);
  const Manifest& manifest = *found.manifest;
  CHECK(manifest.path == "index.html");
  const ManifestChunk* entry = manifest.Find("index.html");
  REQUIRE(entry);
  CHECK(entry->is_entry);
  CHECK(entry->file == "assets/index-CLl9HJMn.js");
  CHECK(entry->css == std::vector<std::string>{"assets/index-BORs87eg.css"});
  // registerSW.js is a classic script, not the entry; the lazy page comes
  // from the chunk's import("./history-TCJOOBPG.js").
  CHECK(manifest.DynamicEntryKeys() == std::vector<std::string>{"assets/history-TCJOOBPG.js"});
  CHECK(manifest.Find("assets/history-TCJOOBPG.js")->imports == std::vector<std::string>{"index.html"});
  // Same initial set as Vite's own manifest of the same build says.
  Manifest vite = ParseManifest(ReadFile(App("pwa/dist/.vite/manifest.json")), "m");
  CHECK(InitialSet(manifest, "index.html").All() == InitialSet(vite, "index.html").All());
}

TEST_CASE("html_entry: static imports read from chunks match Vite's manifest", "[html_entry]") {
  // Each app built with a manifest, read again without it: the initial set
  // and every lazy page's static closure are the files Vite's manifest names.
  for (const char* app : {"vue-admin", "react-filerouter", "svelte", "two-versions"}) {
    INFO(app);
    testing::TempDir temp;
    std::string dist = temp / "dist";
    testing::CopyTree(App(std::string(app) + "/dist"), dist);
    Manifest vite = ParseManifest(ReadFile(dist + "/.vite/manifest.json"), "m");
    fs::remove_all(dist + "/.vite");
    std::unique_ptr<BundleSource> source = OpenBundle(dist);
    FoundManifest found = LoadBuildManifest(*source);
    REQUIRE(found.manifest);
    CHECK(found.warnings.size() == 1);
    LoadSet from_html = InitialSet(*found.manifest, "index.html");
    LoadSet from_vite = InitialSet(vite, vite.EntryKeys().front());
    CHECK(AsSet(from_html.js) == AsSet(from_vite.js));
    CHECK(AsSet(from_html.css) == AsSet(from_vite.css));
    CHECK(from_html.js.front() == from_vite.js.front());
    for (const std::string& key : vite.DynamicEntryKeys()) {
      const std::string& file = vite.Find(key)->file;
      const ManifestChunk* chunk = found.manifest->FindByFile(file);
      INFO(file);
      REQUIRE(chunk);
      CHECK(AsSet(RouteCost(*found.manifest, chunk->key, from_html).js) ==
            AsSet(RouteCost(vite, key, from_vite).js));
    }
  }
}

TEST_CASE("html_entry: no index.html, or no module script, is no manifest", "[html_entry]") {
  testing::TempDir temp;
  testing::WriteFile(temp / "dist/index.html", "<script src=\"/legacy.js\"></script>");
  testing::WriteFile(temp / "dist/legacy.js", "1");
  CHECK_FALSE(ManifestFromHtml(*OpenBundle(temp / "dist")));
  testing::WriteFile(temp / "other/app.js", "1");
  CHECK_FALSE(LoadBuildManifest(*OpenBundle(temp / "other")).manifest);
  // With Vite's base in the URLs, and a stylesheet elsewhere.
  testing::WriteFile(temp / "base/index.html",
                     "<script type=module crossorigin src='/app/assets/a-AbCd1234.js'></script>"
                     "<link rel=\"stylesheet\" href=\"https://cdn.example/x.css\">"
                     "<link rel=\"modulepreload\" href=\"/app/assets/b-AbCd1234.js\">");
  testing::WriteFile(temp / "base/assets/a-AbCd1234.js", "import\"./c-AbCd1234.js\";console.log(1)");
  testing::WriteFile(temp / "base/assets/b-AbCd1234.js", "export const b=1");
  testing::WriteFile(temp / "base/assets/c-AbCd1234.js", "export const c=1");
  std::optional<Manifest> manifest = ManifestFromHtml(*OpenBundle(temp / "base"));
  REQUIRE(manifest);
  CHECK(InitialSet(*manifest, "index.html").js ==
        std::vector<std::string>{"assets/a-AbCd1234.js", "assets/b-AbCd1234.js",
                                 "assets/c-AbCd1234.js"});
  CHECK(manifest->Find("index.html")->css.empty());
}

TEST_CASE("html_entry: nginx and serve work on a build without a Vite manifest", "[html_entry]") {
  testing::CommandResult result = testing::RunNpsbundle({"nginx", App("pwa/dist-no-manifest")});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.err.find("build: { manifest: true }") != std::string::npos);
  CHECK(result.out.find("location = \"/assets/index-CLl9HJMn.js\"") != std::string::npos);
  CHECK(result.out.find("</assets/index-CLl9HJMn.js>; rel=modulepreload") != std::string::npos);
  CHECK(result.out.find("location = \"/manifest.json\"") == std::string::npos);
}

}  // namespace
}  // namespace npsbundle
