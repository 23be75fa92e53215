// Framework detection and the advice that names its API (framework.h).
#include "budget/framework.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "budget/check.h"
#include "build/size_cache.h"
#include "core/bundle_source.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

std::string SourcePath(const std::string& relative) { return std::string(NPSBUNDLE_SOURCE_DIR) + "/" + relative; }

Manifest ManifestOf(const std::string& json) { return ParseManifest(json, "m.json"); }

ChunkAttribution WithPackages(const std::vector<std::pair<std::string, uint64_t>>& packages) {
  ChunkAttribution chunk;
  for (const auto& [name, raw] : packages) {
    GroupShare group;
    group.kind = OriginKind::kPackage;
    group.name = name;
    group.raw = raw;
    chunk.groups.push_back(group);
  }
  return chunk;
}

}  // namespace

TEST_CASE("framework: from the manifest's sources, chunk names and keys", "[budget][framework]") {
  struct Case {
    std::string manifest;
    Framework want;
  };
  const Case cases[] = {
      {R"({"index.html": {"file": "a.js", "isEntry": true}, "src/views/A.vue": {"file": "b.js", "src": "src/views/A.vue"}})",
       Framework::kVue},
      {R"({"src/Stats.svelte": {"file": "b.js", "src": "src/Stats.svelte"}})", Framework::kSvelte},
      {R"({"src/store.svelte.js": {"file": "b.js", "src": "src/store.svelte.js"}})", Framework::kSvelte},
      {R"({"src/routes/a.tsx?tsr-split=component": {"file": "b.js", "src": "src/routes/a.tsx?tsr-split=component"}})",
       Framework::kReact},
      {R"({"_vendor-react-AbCd1234.js": {"file": "v.js", "name": "vendor-react"}, "src/main.js": {"file": "m.js", "src": "src/main.js"}})",
       Framework::kReact},
      {R"({"src/main.js": {"file": "m.js", "src": "src/main.js", "isEntry": true}})", Framework::kGeneric},
      // .vue wins over .tsx (Vue with TSX components is still Vue).
      {R"({"src/A.vue": {"file": "a.js", "src": "src/A.vue"}, "src/B.tsx": {"file": "b.js", "src": "src/B.tsx"}})",
       Framework::kVue},
  };
  for (const Case& c : cases) {
    INFO(c.manifest);
    Manifest manifest = ManifestOf(c.manifest);
    CHECK(DetectFramework(&manifest, {}) == c.want);
  }
  CHECK(DetectFramework(nullptr, {}) == Framework::kGeneric);
}

TEST_CASE("framework: source maps win over the manifest, by bytes", "[budget][framework]") {
  Manifest tsx = ManifestOf(R"({"src/B.tsx": {"file": "b.js", "src": "src/B.tsx"}})");
  CHECK(DetectFramework(&tsx, {WithPackages({{"@vue/runtime-core", 90000}, {"vue", 100}})}) == Framework::kVue);
  CHECK(DetectFramework(&tsx, {WithPackages({{"react-dom", 100}, {"svelte", 5000}})}) == Framework::kSvelte);
  // Maps without a framework package: the manifest decides.
  CHECK(DetectFramework(&tsx, {WithPackages({{"eventemitter3", 3000}})}) == Framework::kReact);
}

TEST_CASE("framework: each fixture app is recognised", "[budget][framework][e2e]") {
  struct Case {
    std::string build;
    Framework want;
    bool from_maps;  // the build has source maps that name the framework
  };
  const Case cases[] = {
      {"fixtures/builds/good", Framework::kReact, false},
      {"fixtures/builds/sourcemap", Framework::kReact, true},
      {"fixtures/apps/vue-admin/dist", Framework::kVue, false},
      {"fixtures/apps/react-filerouter/dist", Framework::kReact, false},
      {"fixtures/apps/svelte/dist", Framework::kSvelte, false},
      {"fixtures/apps/pwa/dist", Framework::kGeneric, false},
      {"fixtures/apps/two-versions/dist", Framework::kGeneric, false},
  };
  for (const Case& c : cases) {
    INFO(c.build);
    CheckInput input;
    input.path = SourcePath(c.build);
    input.cache_directory = SizeCache::DefaultDirectory();
    CheckReport report = RunCheck(input);
    std::unique_ptr<BundleSource> source = OpenBundle(input.path);
    std::optional<Manifest> manifest = FindAndValidateManifest(*source, "");
    REQUIRE(manifest.has_value());
    CHECK(DetectFramework(&*manifest, report.attribution) == c.want);
    CHECK((DetectFramework(nullptr, report.attribution) == c.want) == (c.from_maps || c.want == Framework::kGeneric));
  }
}

TEST_CASE("framework: lazyPages advice names the app's framework", "[budget][framework][e2e]") {
  testing::TempDir dir;
  testing::WriteFile(dir / "b.json", R"({"version": 1, "lazyPages": ["Missing"]})");
  struct Case {
    std::string build, advice;
  };
  const Case cases[] = {
      {"fixtures/builds/good", "React.lazy(() => import(...))"},
      {"fixtures/apps/vue-admin/dist", "defineAsyncComponent(() => import(...))"},
      {"fixtures/apps/svelte/dist", "(await import(...)).default"},
      {"fixtures/apps/pwa/dist", "load it with a dynamic import())"},
  };
  for (const Case& c : cases) {
    INFO(c.build);
    testing::CommandResult r = testing::RunNpsbundle({"check", SourcePath(c.build), "--budget", dir / "b.json"});
    CHECK(r.exit_code == 1);
    CHECK(r.out.find(c.advice) != std::string::npos);
    if (c.build.find("vue") != std::string::npos || c.build.find("svelte") != std::string::npos) {
      CHECK(r.out.find("React.lazy") == std::string::npos);
    }
  }
}

}  // namespace npsbundle
