#include <catch2/catch.hpp>

#include "core/bundle_source.h"
#include "policy/serving.h"
#include "core/compression.h"
#include "serve/serve.h"
#include "serve/serve_handler.h"

namespace npsbundle {
namespace {

// A small build in memory: one entry, one lazy page, a second page folder,
// plus the files a careless server would leak.
const char kManifest[] = R"({
  "index.html": {"file": "assets/index-AbCd1234.js", "src": "index.html", "isEntry": true,
                 "imports": ["_vendor-Q1w2E3r4.js"], "css": ["assets/index-Zz9Yy8Xx.css"],
                 "dynamicImports": ["src/Page.tsx"]},
  "_vendor-Q1w2E3r4.js": {"file": "assets/vendor-Q1w2E3r4.js", "name": "vendor"},
  "src/Page.tsx": {"file": "assets/Page-Pp1Pp2Pp.js", "src": "src/Page.tsx", "isDynamicEntry": true,
                   "imports": ["_vendor-Q1w2E3r4.js", "_chart-Cc3Cc4Cc.js"]},
  "_chart-Cc3Cc4Cc.js": {"file": "assets/chart-Cc3Cc4Cc.js", "name": "chart"}
})";

std::string Repeat(const std::string& text, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

std::map<std::string, std::string> SmallBuild() {
  std::string js = Repeat("export const value = 'hello world';\n", 40);
  return {
      {".vite/manifest.json", kManifest},
      {"index.html", "<!doctype html><title>app</title>" + Repeat("<p>x</p>", 30)},
      {"admin/index.html", "<!doctype html><title>admin</title>"},
      {"assets/index-AbCd1234.js", js},
      {"assets/index-Zz9Yy8Xx.css", Repeat("body{color:red}\n", 30)},
      {"assets/vendor-Q1w2E3r4.js", js + "//vendor"},
      {"assets/Page-Pp1Pp2Pp.js", js + "//page"},
      {"assets/chart-Cc3Cc4Cc.js", js + "//chart"},
      {"assets/Page-Pp1Pp2Pp.js.map", "{\"version\":3}"},
      {"assets/logo.png", std::string("\x89PNG\r\n\x1a\n", 8)},
      {"favicon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>"},
      {"robots.txt", "User-agent: *\n"},
      {".env", "SECRET=1"},
      {".well-known/security.txt", "Contact: mailto:a@b.c\n"},
      {"data.tar.gz", "not really gzip"},
      {"only.js.gz", GzipCompress(js + "//only", 6)},
      {"stale.js", js + "//new"},
      {"stale.js.gz", GzipCompress(js + "//old", 6)},
      // Read by static hosts (deploy-config writes them), never served.
      {"_headers", "/*\n  X-Frame-Options: DENY\n"},
      {"_redirects", "/* /index.html 200\n"},
      {"vercel.json", "{}"},
      {"docs/_headers", "a file like any other below the root"},
  };
}

struct Fixture {
  explicit Fixture(ServeOptions options = {}) {
    auto source = MakeMemorySource("mem", SmallBuild());
    options.levels.brotli_quality = 5;  // fast; the levels are not under test
    options.base = NormalizeBase(options.base);
    index = IndexForServe(*source, options, &report);
    handler = std::make_unique<RequestHandler>(
        index, HandlerOptions{options.base, options.spa,
                              EarlyHintsEnabled(options.early_hints, /*https=*/false)});
  }
  HttpResponse Get(const std::string& target,
                   std::vector<std::pair<std::string, std::string>> headers = {},
                   const std::string& method = "GET") const {
    return handler->Handle(HttpRequest{method, target, std::move(headers)});
  }
  std::string Body(const std::string& path) const { return std::string(index->Find(path)->identity().bytes); }

  IndexReport report;
  std::shared_ptr<const StaticIndex> index;
  std::unique_ptr<RequestHandler> handler;
};

// The values of a response's Link fields, in order.
std::vector<std::string> LinkHeaders(const HttpResponse& response) {
  std::vector<std::string> out;
  for (const auto& [name, value] : response.headers) {
    if (name == "Link") out.push_back(value);
  }
  return out;
}

TEST_CASE("serve handler: SPA fallback for navigations only", "[serve_handler]") {
  Fixture f;
  HttpResponse oracle = f.Get("/oracle");
  CHECK(oracle.status == 200);
  CHECK(oracle.payload() == f.Body("index.html"));
  CHECK(oracle.Header("Cache-Control") == "no-cache");
  CHECK(oracle.Header("Content-Type") == "text/html; charset=utf-8");

  CHECK(f.Get("/deep/client/route").payload() == f.Body("index.html"));
  CHECK(f.Get("/assets/Oracle-abc12345.js").status == 404);
  CHECK(f.Get("/assets/missing").status == 404);  // assets/ never falls back
  CHECK(f.Get("/favicon.png").status == 404);
  CHECK(f.Get("/favicon.png", {{"Accept", "text/html"}}).status == 404);
  CHECK(f.Get("/users/john.doe").status == 404);
  CHECK(f.Get("/users/john.doe", {{"Accept", "text/html,*/*"}}).status == 200);
  HttpResponse missing = f.Get("/assets/x.js");
  CHECK(missing.payload() == "404 not found\n");
  CHECK(missing.Header("X-Content-Type-Options") == "nosniff");

  Fixture no_spa([] {
    ServeOptions options;
    options.spa = false;
    return options;
  }());
  CHECK(no_spa.Get("/oracle").status == 404);
  CHECK(no_spa.Get("/").status == 200);
}

TEST_CASE("serve handler: multi-page builds use the nearest index.html", "[serve_handler]") {
  Fixture f;
  CHECK(f.Get("/admin/users/7").payload() == f.Body("admin/index.html"));
  CHECK(f.Get("/admin/").payload() == f.Body("admin/index.html"));
  CHECK(f.Get("/admin").payload() == f.Body("admin/index.html"));
  CHECK(f.Get("/other/users/7").payload() == f.Body("index.html"));
}

TEST_CASE("serve handler: hidden files, maps and variants are not servable", "[serve_handler]") {
  Fixture f;
  CHECK(f.Get("/.env").status == 404);
  CHECK(f.Get("/.vite/manifest.json").status == 404);
  CHECK(f.Get("/.git/config").status == 404);
  CHECK(f.Get("/.well-known/security.txt").status == 200);
  CHECK(f.Get("/assets/Page-Pp1Pp2Pp.js.map").status == 404);
  CHECK(f.Get("/stale.js.gz").status == 404);
  CHECK(f.Get("/only.js.gz").status == 404);
  CHECK(f.Get("/data.tar.gz").status == 200);  // a file of its own, not a variant
  // A host's config is no page either: a 404, even asked for as a page.
  for (const char* host_file : {"/_headers", "/_redirects", "/vercel.json"}) {
    INFO(host_file);
    CHECK(f.Get(host_file, {{"Accept", "text/html"}}).status == 404);
    CHECK(f.index->Find(std::string(host_file).substr(1)) == nullptr);
  }
  CHECK(f.Get("/docs/_headers").status == 200);

  ServeOptions maps;
  maps.serve_maps = true;
  CHECK(Fixture(maps).Get("/assets/Page-Pp1Pp2Pp.js.map").status == 200);
}

TEST_CASE("serve handler: variants from the build are checked against the file", "[serve_handler]") {
  Fixture f;
  // A compressed-only file is served decoded to clients without gzip.
  HttpResponse only = f.Get("/only.js");
  CHECK(only.status == 200);
  CHECK(only.payload().substr(only.payload().size() - 6) == "//only");
  // A stale .gz is ignored (with a warning) and replaced by a fresh one.
  bool warned = false;
  for (const std::string& w : f.report.warnings) warned |= w.find("mem/stale.js.gz") != std::string::npos;
  CHECK(warned);
  HttpResponse stale = f.Get("/stale.js", {{"Accept-Encoding", "gzip"}});
  CHECK(stale.Header("Content-Encoding") == "gzip");
  CHECK(GzipDecompress(stale.payload()) == f.Body("stale.js"));
}

TEST_CASE("serve handler: methods and message framing", "[serve_handler]") {
  Fixture f;
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE"}) {
    HttpResponse response = f.Get("/", {}, method);
    CHECK(response.status == 405);
    CHECK(response.Header("Allow") == "GET, HEAD");
  }
  CHECK(f.Get("/", {{"Content-Length", "5"}}).status == 400);
  CHECK(f.Get("/", {{"Content-Length", "0"}}).status == 200);
  CHECK(f.Get("/", {{"Content-Length", "0"}, {"Content-Length", "0"}}).status == 400);
  CHECK(f.Get("/", {{"Transfer-Encoding", "chunked"}}).status == 400);

  HttpResponse get = f.Get("/assets/index-AbCd1234.js", {{"Accept-Encoding", "br"}});
  HttpResponse head = f.Get("/assets/index-AbCd1234.js", {{"Accept-Encoding", "br"}}, "HEAD");
  CHECK(head.status == 200);
  CHECK(head.headers == get.headers);
  CHECK(head.content_length == get.payload().size());
  CHECK_FALSE(head.send_body);
}

TEST_CASE("serve handler: base path", "[serve_handler]") {
  ServeOptions options;
  options.base = "app";
  Fixture f(options);
  CHECK(f.Get("/app/").payload() == f.Body("index.html"));
  CHECK(f.Get("/app/assets/index-AbCd1234.js").status == 200);
  CHECK(f.Get("/app/oracle").payload() == f.Body("index.html"));
  CHECK(f.Get("/assets/index-AbCd1234.js").status == 404);
  CHECK(f.Get("/application").status == 404);  // segment boundary, not a prefix
  HttpResponse redirect = f.Get("/app");
  CHECK(redirect.status == 302);
  CHECK(redirect.Header("Location") == "/app/");
  // Preload links carry the base.
  bool based = false;
  for (const auto& [name, value] : f.Get("/app/").headers) {
    if (name == "Link") based |= value.rfind("</app/assets/", 0) == 0;
  }
  CHECK(based);
}

TEST_CASE("serve handler: preload links for the entry and for mapped routes", "[serve_handler]") {
  ServeOptions options;
  options.routes = {{"/page", "src/Page.tsx"}, {"/", "src/Page.tsx"}};
  Fixture f(options);
  // The entry script first, then the CSS, then the static imports.
  std::vector<std::string> entry = {
      "</assets/index-AbCd1234.js>; rel=modulepreload; crossorigin",
      "</assets/index-Zz9Yy8Xx.css>; rel=preload; as=style",
      "</assets/vendor-Q1w2E3r4.js>; rel=modulepreload; crossorigin",
  };
  CHECK(LinkHeaders(f.Get("/index.html")) == entry);
  // A route: the entry's list, then the page's chunk and its imports.
  std::vector<std::string> page = {
      "</assets/index-AbCd1234.js>; rel=modulepreload; crossorigin",
      "</assets/index-Zz9Yy8Xx.css>; rel=preload; as=style",
      "</assets/vendor-Q1w2E3r4.js>; rel=modulepreload; crossorigin",
      "</assets/Page-Pp1Pp2Pp.js>; rel=modulepreload; crossorigin",
      "</assets/chart-Cc3Cc4Cc.js>; rel=modulepreload; crossorigin",
  };
  CHECK(LinkHeaders(f.Get("/page")) == page);
  CHECK(LinkHeaders(f.Get("/page/")) == page);
  CHECK(LinkHeaders(f.Get("/")) == page);  // found directly, not by fallback
  CHECK(LinkHeaders(f.Get("/other")) == entry);
  CHECK(LinkHeaders(f.Get("/assets/index-AbCd1234.js")).empty());
}

TEST_CASE("serve handler: 103 Early Hints for navigations to a page only", "[serve_handler]") {
  ServeOptions options;
  options.routes = {{"/page", "src/Page.tsx"}};
  options.early_hints = true;
  Fixture f(options);
  // The 103 repeats the final response's Link list: the entry's, or the
  // route's when a route map names the page.
  HttpResponse entry = f.Get("/");
  REQUIRE(entry.early_hints.size() == 3);
  CHECK(entry.early_hints == LinkHeaders(entry));
  HttpResponse page = f.Get("/page");
  CHECK(page.early_hints.size() == 5);
  CHECK(page.early_hints == LinkHeaders(page));
  CHECK(f.Get("/deep/client/route").early_hints == entry.early_hints);  // SPA fallback
  CHECK(f.Get("/index.html").early_hints == entry.early_hints);
  CHECK(f.Get("/", {{"Sec-Fetch-Mode", "navigate"}}).early_hints == entry.early_hints);
  // A 304 navigation: the browser's copy is the same page, so the same hints.
  std::string etag = *entry.Header("ETag");
  HttpResponse revalidated = f.Get("/", {{"If-None-Match", etag}});
  CHECK(revalidated.status == 304);
  CHECK(revalidated.early_hints == entry.early_hints);

  CHECK(f.Get("/", {}, "HEAD").early_hints.empty());                     // renders nothing
  CHECK(f.Get("/", {{"Sec-Fetch-Mode", "cors"}}).early_hints.empty());   // fetch() of the HTML
  CHECK(f.Get("/assets/index-AbCd1234.js").early_hints.empty());         // not a page
  CHECK(f.Get("/admin/").early_hints.empty());                           // a page without hints
  CHECK(f.Get("/assets/missing.js").early_hints.empty());                // 404
  CHECK(f.Get("/", {{"Range", "bytes=0-3"}}).early_hints.empty());       // 206: no navigation

  // Off unless asked on plain HTTP; --no-early-hints wins over --https.
  Fixture plain([] {
    ServeOptions o;
    o.routes = {{"/page", "src/Page.tsx"}};
    return o;
  }());
  CHECK(plain.Get("/page").early_hints.empty());
  CHECK(LinkHeaders(plain.Get("/page")).size() == 5);  // the Link headers stay
  CHECK(EarlyHintsEnabled(std::nullopt, /*https=*/true));
  CHECK_FALSE(EarlyHintsEnabled(std::nullopt, /*https=*/false));
  CHECK_FALSE(EarlyHintsEnabled(false, /*https=*/true));
  CHECK(EarlyHintsEnabled(true, /*https=*/false));
}

TEST_CASE("serve handler: cache policy", "[serve_handler]") {
  Fixture f;
  CHECK(f.Get("/assets/index-AbCd1234.js").Header("Cache-Control") == std::string(kCacheImmutable));
  CHECK(f.Get("/assets/logo.png").Header("Cache-Control") == "no-cache");  // no hash
  CHECK(f.Get("/").Header("Cache-Control") == "no-cache");
  CHECK(f.Get("/robots.txt").Header("Cache-Control") == "no-cache");
}

TEST_CASE("NormalizeBase", "[serve_handler]") {
  CHECK(NormalizeBase("") == "/");
  CHECK(NormalizeBase("/") == "/");
  CHECK(NormalizeBase("app") == "/app/");
  CHECK(NormalizeBase("/app") == "/app/");
  CHECK(NormalizeBase("/a/b/") == "/a/b/");
  CHECK_THROWS(NormalizeBase("https://cdn.example.com/"));
  CHECK_THROWS(NormalizeBase("/../x/"));
}

}  // namespace
}  // namespace npsbundle
