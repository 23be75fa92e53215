#include "policy/serving.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace npsbundle {
namespace {

TEST_CASE("ContentTypeFor knows what a Vite build holds", "[policy]") {
  CHECK(ContentTypeFor("assets/x.js") == "text/javascript; charset=utf-8");
  CHECK(ContentTypeFor("assets/X.JS") == "text/javascript; charset=utf-8");
  CHECK(ContentTypeFor("assets/x.mjs") == "text/javascript; charset=utf-8");
  CHECK(ContentTypeFor("assets/x.css") == "text/css; charset=utf-8");
  CHECK(ContentTypeFor("index.html") == "text/html; charset=utf-8");
  CHECK(ContentTypeFor("logo.svg") == "image/svg+xml");
  CHECK(ContentTypeFor("data.json") == "application/json");
  CHECK(ContentTypeFor("x.wasm") == "application/wasm");
  CHECK(ContentTypeFor("site.webmanifest") == "application/manifest+json");
  CHECK(ContentTypeFor("f.woff2") == "font/woff2");
  CHECK(ContentTypeFor("i.png") == "image/png");
  CHECK(ContentTypeFor("favicon.ico") == "image/x-icon");
  CHECK(ContentTypeFor("README") == "application/octet-stream");
  CHECK(ContentTypeFor(".env") == "application/octet-stream");
  CHECK(IsAssetExtension("assets/x.js"));
  CHECK_FALSE(IsAssetExtension("page.html"));
  CHECK_FALSE(IsAssetExtension("users/john.doe"));
}

TEST_CASE("only files the bundler named with a hash are immutable", "[policy]") {
  Manifest manifest = ParseManifest(R"({
    "index.html": {"file": "assets/index-AbCd1234.js", "src": "index.html", "isEntry": true,
                   "css": ["assets/index-Xy12Zw34.css"],
                   "assets": ["assets/logo.svg", "assets/font-Qw3rTy12.woff2"]},
    "src/sw.ts": {"file": "sw.js", "src": "src/sw.ts", "isEntry": true},
    "src/app.webmanifest": {"file": "app-Bx3kf9Qa.webmanifest", "src": "src/app.webmanifest"}
  })", "manifest.json");
  CacheClassifier caching(&manifest);
  CHECK(caching.IsImmutable("assets/index-AbCd1234.js"));
  CHECK(caching.IsImmutable("assets/index-Xy12Zw34.css"));
  CHECK(caching.IsImmutable("assets/font-Qw3rTy12.woff2"));
  // Listed, but unhashed: the next build may reuse the name.
  CHECK_FALSE(caching.IsImmutable("assets/logo.svg"));
  // A service worker and a web-app manifest keep their URL: never.
  CHECK_FALSE(caching.IsImmutable("sw.js"));
  CHECK_FALSE(caching.IsImmutable("app-Bx3kf9Qa.webmanifest"));
  // Hashed-looking but not the bundler's (copied from public/, or written
  // by workbox-build): revalidated.
  CHECK_FALSE(caching.IsImmutable("workbox-2fbc6a65.js"));
  CHECK_FALSE(caching.IsImmutable("assets/other-AbCd1234.js"));
  CHECK_FALSE(caching.IsImmutable("index.html"));
  CHECK(caching.ImmutableFiles() ==
        std::vector<std::string>{"assets/font-Qw3rTy12.woff2", "assets/index-AbCd1234.js",
                                 "assets/index-Xy12Zw34.css"});
  CHECK(caching.CacheControl("assets/index-AbCd1234.js") == kCacheImmutable);
  CHECK(caching.CacheControl("sw.js") == kCacheRevalidate);
  // No manifest: nothing is cached for long.
  CHECK_FALSE(CacheClassifier(nullptr).IsImmutable("assets/index-AbCd1234.js"));
  CHECK(CacheControlFor(true) == kCacheImmutable);
  CHECK(CacheControlFor(false) == kCacheRevalidate);
}

TEST_CASE("service worker files are named by their fixed URLs", "[policy]") {
  for (const char* path : {"sw.js", "app/sw.js", "service-worker.js", "registerSW.js",
                           "manifest.webmanifest", "site.WEBMANIFEST"}) {
    INFO(path);
    CHECK(IsServiceWorkerFile(path));
  }
  for (const char* path : {"workbox-2fbc6a65.js", "assets/sw-AbCd1234.css", "my-sw.js", "manifest.json"}) {
    INFO(path);
    CHECK_FALSE(IsServiceWorkerFile(path));
  }
}

TEST_CASE("the parts of a service worker: its fixed URLs and the workbox runtime", "[policy]") {
  for (const char* path : {"sw.js", "registerSW.js", "manifest.webmanifest", "workbox-2fbc6a65.js",
                           "app/workbox-window.prod.es5.js"}) {
    INFO(path);
    CHECK(IsServiceWorkerPart(path));
  }
  for (const char* path : {"assets/index-AbCd1234.js", "workbox.css", "assets/my-workbox-x.js", "manifest.json"}) {
    INFO(path);
    CHECK_FALSE(IsServiceWorkerPart(path));
  }
}

TEST_CASE("the SPA fallback takes navigations, never asset paths", "[policy]") {
  CHECK(IsSpaNavigation("users/42", ""));
  CHECK(IsSpaNavigation("users/ada.lovelace", "text/html,application/xhtml+xml"));
  CHECK_FALSE(IsSpaNavigation("users/ada.lovelace", "*/*"));
  CHECK_FALSE(IsSpaNavigation("missing.js", "text/html"));
  CHECK_FALSE(IsSpaNavigation("assets/old-chunk", "text/html"));
}

TEST_CASE("error bodies are one line of plain text", "[policy]") {
  CHECK(ErrorBody(404) == "404 not found\n");
  CHECK(ErrorBody(405) == "405 method not allowed\n");
  CHECK(ErrorBody(431) == "431 request header fields too large\n");
  CHECK(ErrorBody(599) == "599 error\n");
}

TEST_CASE("a compressed variant must save the margin", "[policy]") {
  CHECK(WorthCompressing(1000, 950));
  CHECK_FALSE(WorthCompressing(1000, 951));
  CHECK_FALSE(WorthCompressing(40, 44));
  CHECK(WorthCompressing(1000, 990, 1.0));
}

TEST_CASE("asset extensions leave HTML out", "[policy]") {
  std::vector<std::string_view> extensions = AssetExtensions();
  CHECK(std::find(extensions.begin(), extensions.end(), "js") != extensions.end());
  CHECK(std::find(extensions.begin(), extensions.end(), "html") == extensions.end());
  for (std::string_view extension : extensions) CHECK(IsAssetExtension("x." + std::string(extension)));
}

}  // namespace
}  // namespace npsbundle
