// Tests against a real nginx: `nginx -t` on every snippet in its documented
// context and on generated configs, and the policy the generated config
// gives a compressed copy of the good fixture, request by request.
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/compression.h"
#include "deploy/nginx.h"
#include "support/nginx_harness.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::Fixture;
using testing::HttpResponse;
using testing::LiveServe;
using testing::NginxPrefix;
using testing::ReadFile;
using testing::RunNpsbundle;
using testing::TempDir;
using testing::WriteFile;

// Empty when nginx is missing; the caller then WARNs and skips, loudly. CI
// installs nginx (scripts/lib.sh), so there the tests always run.
std::string NginxOrWarn() {
  std::string nginx = testing::FindNginx();
  if (nginx.empty()) {
    WARN("SKIPPED: no nginx binary (apt-get install nginx libnginx-mod-http-brotli-static)");
  } else {
    REQUIRE(fs::exists(testing::kBrotliStaticModule));
  }
  return nginx;
}

std::string SnippetsSource() { return std::string(NPSBUNDLE_SOURCE_DIR) + "/nginx-snippets"; }

// The contexts a snippet documents on its "# Context:" line.
std::vector<std::string> DocumentedContexts(const std::string& text) {
  size_t at = text.find("# Context: ");
  REQUIRE(at != std::string::npos);
  std::string line = text.substr(at + 11, text.find('\n', at) - at - 11);
  std::vector<std::string> contexts;
  for (const char* context : {"http", "server", "location"}) {
    std::string word = context;
    size_t pos = line.find(word);
    // "location" must not be found as part of another word; "server" as a
    // bare word ends at ',', ' ' or the line's end.
    if (pos != std::string::npos &&
        (pos + word.size() == line.size() || line[pos + word.size()] == ',' ||
         line[pos + word.size()] == ' ')) {
      contexts.push_back(word);
    }
  }
  return contexts;
}

TEST_CASE("nginx -t accepts every snippet in each context it documents", "[nginx][nginx-live]") {
  std::string nginx = NginxOrWarn();
  if (nginx.empty()) return;
  NginxPrefix prefix(nginx);
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(SnippetsSource())) {
    if (entry.path().extension() != ".conf") continue;
    std::string name = entry.path().filename().string();
    std::string installed = prefix.snippets_dir() + "/" + name;
    std::vector<std::string> contexts = DocumentedContexts(ReadFile(entry.path().string()));
    CHECK_FALSE(contexts.empty());
    for (const std::string& context : contexts) {
      // "include mime.types;" first in the same block, as mime-types.conf asks.
      std::string body = "include mime.types;\ninclude " + installed + ";\n";
      if (context == "location") body = "location / {\n" + body + "}\n";
      // nginx -t binds the listen sockets: a free loopback port, so the
      // test works without root and beside a running nginx.
      std::string listen = "listen 127.0.0.1:" + std::to_string(testing::FreePort()) + ";";
      if (context != "http") body = "server {\n" + listen + "\n" + body + "}\n";
      if (name == "example-server.conf") {
        std::string text = ReadFile(installed);
        REQUIRE(text.find("listen 80;") != std::string::npos);
        WriteFile(installed, text.replace(text.find("listen 80;"), 10, listen));
      }
      prefix.WriteConfig(body);
      CommandResult result = prefix.Test();
      INFO(name << " in " << context << " context:\n" << result.err);
      CHECK(result.exit_code == 0);
      // A warning (duplicate MIME extension, ignored directive) is a defect too.
      CHECK(result.err.find("[warn]") == std::string::npos);
      ++checked;
    }
  }
  CHECK(checked >= 10);
}

// The good fixture after compression, with a few files that must not be
// served (a source map, a dotfile) and one that must (/.well-known/).
class CompressedBuild {
 public:
  CompressedBuild() {
    testing::CopyTree(Fixture("good"), root());
    WriteFile(root() + "/assets/index-Bl1MOBpP.js.map", "{\"version\":3}");
    WriteFile(root() + "/.env", "SECRET=1\n");
    WriteFile(root() + "/.well-known/security.txt", "Contact: mailto:security@example.com\n");
    WriteFile(root() + "/robots.txt", "User-agent: *\nAllow: /\n");
    // The default margin, the one serve applies to what it compresses in
    // memory, so both servers see the same variants.
    CommandResult compressed = RunNpsbundle({"compress", root()});
    INFO(compressed.err);
    REQUIRE(compressed.exit_code == 0);
  }
  std::string root() const { return dir_ / "dist"; }

 private:
  TempDir dir_;
};

// A running nginx with the config `npsbundle nginx` generates for `root`.
class LiveNginx {
 public:
  LiveNginx(const std::string& nginx, const std::string& root,
            const std::vector<std::string>& extra_args)
      : prefix_(nginx) {
    // The port was free when picked; another test may take it before nginx
    // binds, and then nginx exits: pick again.
    for (int attempt = 0; attempt < 5 && !process_; ++attempt) {
      port_ = testing::FreePort();
      std::vector<std::string> args{"nginx",      root,
                                    "--root",     root,
                                    "--listen",   "127.0.0.1:" + std::to_string(port_),
                                    "--snippets", prefix_.snippets_dir(),
                                    "--output",   prefix_.path() + "/conf/app.conf"};
      args.insert(args.end(), extra_args.begin(), extra_args.end());
      CommandResult generated = RunNpsbundle(args);
      INFO(generated.err);
      REQUIRE(generated.exit_code == 0);
      prefix_.WriteConfig("include app.conf;\n");
      CommandResult test = prefix_.Test();
      INFO(test.err);
      REQUIRE(test.exit_code == 0);
      REQUIRE(test.err.find("[warn]") == std::string::npos);
      // Up when this nginx answers, not just anything on the port.
      process_ = testing::StartNginx(prefix_, [this] {
        return testing::CanConnect(port_) &&
               testing::Fetch(port_, "HEAD", "/").Header("server").value_or("").rfind("nginx", 0) == 0;
      });
    }
    INFO(ReadFile(prefix_.error_log()));
    REQUIRE(process_);
  }
  int port() const { return port_; }

 private:
  NginxPrefix prefix_;
  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> process_;
};

std::string BudgetPath() { return std::string(NPSBUNDLE_SOURCE_DIR) + "/budgets/nps.json"; }

std::vector<std::string> LinkValues(const HttpResponse& response) {
  std::vector<std::string> links;
  for (const auto& [name, value] : response.headers) {
    if (name != "link") continue;
    // One field may carry several comma-separated links.
    std::stringstream in(value);
    std::string part;
    size_t start = 0;
    while (start < value.size()) {
      size_t next = value.find(", <", start);
      links.push_back(value.substr(start, next == std::string::npos ? next : next - start));
      start = next == std::string::npos ? value.size() : next + 2;
    }
  }
  return links;
}

std::string Decoded(const HttpResponse& response) {
  if (response.body.empty()) return {};  // HEAD, 304
  std::string encoding = response.Header("content-encoding").value_or("");
  if (encoding == "br") return BrotliDecompress(response.body);
  if (encoding == "gzip") return GzipDecompress(response.body);
  return response.body;
}

std::vector<std::string> ExpectedEntryLinks() {
  return {"</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin",
          "</assets/index-CNgsl1pN.css>; rel=preload; as=style",
          "</assets/rolldown-runtime-WkwZ5CU-.js>; rel=modulepreload; crossorigin",
          "</assets/vendor-react-D-9X1o8U.js>; rel=modulepreload; crossorigin",
          "</assets/vendor-query-36H9U8Gs.js>; rel=modulepreload; crossorigin",
          "</assets/vendor-i18n-BabEaQ5D.js>; rel=modulepreload; crossorigin"};
}

TEST_CASE("nginx serves the generated config with serve's policy", "[nginx][nginx-live]") {
  std::string nginx = NginxOrWarn();
  if (nginx.empty()) return;
  CompressedBuild build;
  LiveNginx server(nginx, build.root(), {"--budget", BudgetPath()});
  int port = server.port();
  const std::string js = "/assets/vendor-react-D-9X1o8U.js";
  const std::string js_bytes = ReadFile(build.root() + js);

  // One build and one nginx for all blocks: sections would compress the
  // fixture again for each.
  {  // Accept-Encoding.
    struct Case {
      std::optional<std::string> accept_encoding;
      std::string encoding;
    };
    const Case cases[] = {
        {"br", "br"},
        {"gzip", "gzip"},
        {"br;q=0, gzip", "gzip"},
        {"*;q=0", ""},
        {"identity;q=0", ""},
        {"BR", "br"},
        {"", ""},
        {std::nullopt, ""},
        {"gzip, br", "br"},
        {"br;q=0.5, gzip;q=1", "br"},
    };
    for (const Case& c : cases) {
      std::vector<std::pair<std::string, std::string>> headers;
      if (c.accept_encoding) headers.emplace_back("Accept-Encoding", *c.accept_encoding);
      HttpResponse response = testing::Fetch(port, "GET", js, headers);
      INFO("Accept-Encoding: " << c.accept_encoding.value_or("(absent)"));
      CHECK(response.status == 200);
      CHECK(response.Header("content-encoding").value_or("") == c.encoding);
      CHECK(response.Header("vary") == "Accept-Encoding");
      CHECK(response.Header("cache-control") == "public, max-age=31536000, immutable");
      CHECK(response.Header("x-content-type-options") == "nosniff");
      CHECK(Decoded(response) == js_bytes);
    }
  }

  {  // index.html and navigations carry the entry's hints, revalidated.
    // "/" is a route of the default budget (Dashboard): see below.
    for (const std::string& path : {"/index.html", "/some/client/route", "/a/b/"}) {
      HttpResponse response = testing::Fetch(port, "GET", path, {{"Accept-Encoding", "br"}});
      INFO(path);
      CHECK(response.status == 200);
      CHECK(response.Header("cache-control") == "no-cache");
      CHECK(response.Header("content-encoding") == "br");
      CHECK(response.Header("vary") == "Accept-Encoding");
      CHECK(LinkValues(response) == ExpectedEntryLinks());
      CHECK(Decoded(response) == ReadFile(build.root() + "/index.html"));
    }
  }

  {  // a route adds its page's hints.
    HttpResponse root = testing::Fetch(port, "GET", "/", {{"Accept-Encoding", "br"}});
    // Critical path first: entry script, initial CSS, the entry's static
    // imports, then the page's chunk, its CSS and its own imports.
    std::vector<std::string> dashboard = {
        "</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin",
        "</assets/index-CNgsl1pN.css>; rel=preload; as=style",
        "</assets/rolldown-runtime-WkwZ5CU-.js>; rel=modulepreload; crossorigin",
        "</assets/vendor-react-D-9X1o8U.js>; rel=modulepreload; crossorigin",
        "</assets/vendor-query-36H9U8Gs.js>; rel=modulepreload; crossorigin",
        "</assets/vendor-i18n-BabEaQ5D.js>; rel=modulepreload; crossorigin",
        "</assets/Dashboard-Dw00ExLS.js>; rel=modulepreload; crossorigin",
        "</assets/Dashboard-DZha8SPW.css>; rel=preload; as=style",
        "</assets/StatCard-Dj3j8sSB.css>; rel=preload; as=style",
        "</assets/StatCard-BpwciUNO.js>; rel=modulepreload; crossorigin"};
    CHECK(root.status == 200);
    CHECK(root.Header("cache-control") == "no-cache");
    CHECK(LinkValues(root) == dashboard);
    CHECK(Decoded(root) == ReadFile(build.root() + "/index.html"));
    HttpResponse response = testing::Fetch(port, "GET", "/oracle", {{"Accept-Encoding", "gzip"}});
    CHECK(response.status == 200);
    std::vector<std::string> expected = ExpectedEntryLinks();
    expected.insert(expected.end(),
                    {"</assets/Oracle-CHnjyAkH.js>; rel=modulepreload; crossorigin",
                     "</assets/Oracle-BfJKa0Uu.css>; rel=preload; as=style"});
    CHECK(LinkValues(response) == expected);
    CHECK(response.Header("content-encoding") == "gzip");
    CHECK(Decoded(response) == ReadFile(build.root() + "/index.html"));
  }

  {  // misses with an extension are a plain 404, never index.html.
    for (const std::string& path : std::vector<std::string>{
             "/assets/x.js", "/assets/Oracle-AbCd1234.js", "/favicon.png", "/assets/folder",
             "/assets/index-Bl1MOBpP.js.map", "/.env", "/.vite/manifest.json", "/a/.hidden",
             js + ".br", "/index.html.gz"}) {
      HttpResponse response = testing::Fetch(port, "GET", path, {{"Accept-Encoding", "gzip, br"}});
      INFO(path);
      CHECK(response.status == 404);
      CHECK(response.body == "404 not found\n");
      CHECK(response.Header("content-type") == "text/plain; charset=utf-8");
      CHECK(!response.Header("content-encoding"));
      CHECK(!response.Header("cache-control"));
      CHECK(response.Header("x-content-type-options") == "nosniff");
    }
  }

  {  // unhashed files are revalidated; /.well-known/ is served.
    for (const std::string& path : {"/favicon.svg", "/robots.txt", "/.well-known/security.txt"}) {
      HttpResponse response = testing::Fetch(port, "GET", path);
      INFO(path);
      CHECK(response.status == 200);
      CHECK(response.Header("cache-control") == "no-cache");
      CHECK(response.body == ReadFile(build.root() + path));
    }
  }

  {  // If-None-Match, HEAD and Range.
    HttpResponse first = testing::Fetch(port, "GET", js, {{"Accept-Encoding", "br"}});
    REQUIRE(first.Header("etag"));
    HttpResponse again = testing::Fetch(
        port, "GET", js, {{"Accept-Encoding", "br"}, {"If-None-Match", *first.Header("etag")}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    CHECK(again.Header("etag") == first.Header("etag"));
    CHECK(again.Header("cache-control") == "public, max-age=31536000, immutable");
    CHECK(again.Header("vary") == "Accept-Encoding");

    HttpResponse head = testing::Fetch(port, "HEAD", "/index.html", {{"Accept-Encoding", "br"}});
    CHECK(head.status == 200);
    CHECK(head.Header("content-encoding") == "br");
    CHECK(LinkValues(head) == ExpectedEntryLinks());

    HttpResponse range = testing::Fetch(port, "GET", js, {{"Range", "bytes=0-99"}});
    CHECK(range.status == 206);
    CHECK(range.Header("content-range") == "bytes 0-99/" + std::to_string(js_bytes.size()));
    CHECK(range.body == js_bytes.substr(0, 100));
  }
}

TEST_CASE("nginx -t accepts generated configs for every fixture and a base",
          "[nginx][nginx-live]") {
  std::string nginx = NginxOrWarn();
  if (nginx.empty()) return;
  std::vector<std::string> fixtures;
  for (const auto& entry :
       fs::directory_iterator(std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/builds")) {
    if (fs::exists(entry.path() / ".vite/manifest.json")) {
      fixtures.push_back(entry.path().filename().string());
    }
  }
  CHECK(fixtures.size() >= 7);
  for (const std::string& fixture : fixtures) {
    for (const char* base : {"/", "/app/"}) {
      NginxPrefix prefix(nginx);
      CommandResult generated =
          RunNpsbundle({"nginx", Fixture(fixture), "--base", base, "--snippets",
                        prefix.snippets_dir(), "--output", prefix.path() + "/conf/app.conf",
                        "--listen", "127.0.0.1:" + std::to_string(testing::FreePort())});
      INFO(fixture << " with base " << base << ": " << generated.err);
      REQUIRE(generated.exit_code == 0);
      prefix.WriteConfig("include app.conf;\n");
      CommandResult test = prefix.Test();
      INFO(test.err);
      CHECK(test.exit_code == 0);
      CHECK(test.err.find("[warn]") == std::string::npos);
    }
  }
}

TEST_CASE("nginx -t: early_hints is a comment for this nginx, a directive only for 1.29",
          "[nginx][nginx-live]") {
  std::string nginx = NginxOrWarn();
  if (nginx.empty()) return;
  CommandResult version = testing::Run({nginx, "-v"});
  // "nginx version: nginx/1.22.1"
  size_t at = version.err.find("nginx/");
  REQUIRE(at != std::string::npos);
  std::string number = version.err.substr(at + 6, version.err.find_first_of(" \n", at) - at - 6);
  NginxVersion running = ParseNginxVersion(number);
  bool has_early_hints = running.major > 1 || running.minor >= kNginxEarlyHintsMinor;
  for (const char* target : {"1.22", "1.29"}) {
    INFO(target << " " << version.err);
    NginxPrefix prefix(nginx);
    CommandResult generated = RunNpsbundle(
        {"nginx", Fixture("good"), "--nginx-version", target, "--snippets", prefix.snippets_dir(),
         "--output", prefix.path() + "/conf/app.conf", "--listen",
         "127.0.0.1:" + std::to_string(testing::FreePort())});
    REQUIRE(generated.exit_code == 0);
    prefix.WriteConfig("include app.conf;\n");
    CommandResult test = prefix.Test();
    INFO(test.err);
    // The default config works on Debian's 1.22; the 1.29 one would not,
    // which is why the directive waits for --nginx-version.
    bool new_directive = std::string(target) == "1.29";
    CHECK((test.exit_code == 0) == (!new_directive || has_early_hints));
    if (new_directive && !has_early_hints) {
      CHECK(test.err.find("unknown directive \"early_hints\"") != std::string::npos);
    }
  }
}

TEST_CASE("nginx with a base serves only under it", "[nginx][nginx-live]") {
  std::string nginx = NginxOrWarn();
  if (nginx.empty()) return;
  CompressedBuild build;
  LiveNginx server(nginx, build.root(), {"--base", "/app/", "--budget", BudgetPath()});
  HttpResponse index = testing::Fetch(server.port(), "GET", "/app/");
  CHECK(index.status == 200);
  CHECK(LinkValues(index).front() ==
        "</app/assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin");
  HttpResponse asset = testing::Fetch(server.port(), "GET", "/app/assets/vendor-react-D-9X1o8U.js");
  CHECK(asset.status == 200);
  CHECK(asset.Header("cache-control") == "public, max-age=31536000, immutable");
  HttpResponse route = testing::Fetch(server.port(), "GET", "/app/oracle");
  CHECK(LinkValues(route).at(7) == "</app/assets/Oracle-BfJKa0Uu.css>; rel=preload; as=style");
  CHECK(testing::Fetch(server.port(), "GET", "/index.html").status == 404);
  CHECK(testing::Fetch(server.port(), "GET", "/oracle").status == 404);
  HttpResponse bare = testing::Fetch(server.port(), "GET", "/app");
  CHECK(bare.status == 302);
  CHECK(bare.Header("location").value_or("").find("/app/") != std::string::npos);
}

struct ParityRequest {
  std::string label;
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;
  bool revalidate = false;  // send the ETag this server gave for the same request
  // Fields known to differ for this request; the reason is at the request.
  std::set<std::string> differs = {};
};

HttpResponse Send(int port, const ParityRequest& request) {
  if (!request.revalidate)
    return testing::Fetch(port, request.method, request.target, request.headers);
  HttpResponse first = testing::Fetch(port, "GET", request.target, request.headers);
  std::vector<std::pair<std::string, std::string>> headers = request.headers;
  headers.emplace_back("If-None-Match", first.Header("etag").value_or("\"none\""));
  return testing::Fetch(port, request.method, request.target, headers);
}

// What both servers must agree on. Left out on purpose, because they differ
// by design and no client can tell (each listed in the README's nginx
// section too):
//  - Server, Date, Connection, Keep-Alive: per-server framing.
//  - ETag: nginx derives it from mtime and size ("6b022be4-70"), serve from
//    a hash of the bytes with a coding suffix; both are strong and differ per
//    representation, which is all a cache needs. Each server is sent its own
//    tag back in the If-None-Match cases.
//  - Last-Modified: nginx uses each variant file's own mtime, serve the
//    original file's.
//  - Content-Type: nginx takes mime.types (application/javascript, no
//    charset); serve sends text/javascript (RFC 9239) and charset=utf-8 on
//    text types. Browsers treat both alike.
//  - Accept-Ranges: nginx omits it on precompressed responses (see Range).
//  - Content-Length: follows from the body, which is compared.
std::map<std::string, std::string> Comparable(const HttpResponse& response, bool not_modified) {
  std::map<std::string, std::string> fields;
  fields["status"] = std::to_string(response.status);
  for (const char* name : {"content-encoding", "cache-control", "vary", "x-content-type-options",
                           "content-range", "location"}) {
    fields[name] = response.Header(name).value_or("(absent)");
  }
  std::string links;
  for (const std::string& link : LinkValues(response)) links += link + "\n";
  // nginx's add_header also applies to 304, serve sends a 304 without Link:
  // RFC 9110 §15.4.5 lists the fields a 304 must repeat, and Link is not
  // one of them; a cache keeps the 200's Link.
  if (!not_modified) fields["link"] = links;
  fields["body"] = response.status == 404 ? response.body : Decoded(response);
  return fields;
}

TEST_CASE("nginx and npsbundle serve answer the same requests alike",
          "[nginx][nginx-live][parity]") {
  std::string nginx = NginxOrWarn();
  if (nginx.empty()) return;
  CompressedBuild build;
  LiveNginx reference(nginx, build.root(), {"--budget", BudgetPath()});
  LiveServe serve(build.root(), {"--budget", BudgetPath()});

  const std::string js = "/assets/vendor-react-D-9X1o8U.js";
  std::vector<ParityRequest> requests;
  for (std::optional<std::string> accept_encoding : std::vector<std::optional<std::string>>{
           "br", "gzip", "br;q=0, gzip", "*;q=0", "identity;q=0", "BR", "", std::nullopt}) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (accept_encoding) headers.emplace_back("Accept-Encoding", *accept_encoding);
    std::string label = "Accept-Encoding: " + accept_encoding.value_or("(absent)");
    requests.push_back({label + " on a hashed chunk", "GET", js, headers});
    requests.push_back({label + " on /", "GET", "/", headers});
  }
  const std::vector<std::pair<std::string, std::string>> br{{"Accept-Encoding", "br"}};
  const std::vector<std::pair<std::string, std::string>> gzip{{"Accept-Encoding", "gzip"}};
  requests.insert(
      requests.end(),
      {
          {"hashed CSS", "GET", "/assets/index-CNgsl1pN.css", br},
          {"hashed SVG", "GET", "/assets/logo-B7_ajGU8.svg", gzip},
          {"index.html", "GET", "/index.html", br},
          {"route with page hints", "GET", "/oracle", br},
          {"route with a trailing slash", "GET", "/oracle/", gzip},
          {"client route without hints", "GET", "/some/deep/route", br},
          {"unhashed file", "GET", "/favicon.svg", br},
          {"unhashed text file", "GET", "/robots.txt", {}},
          {"missing chunk", "GET", "/assets/x.js", br},
          {"missing hashed chunk", "GET", "/assets/Oracle-AbCd1234.js", br},
          {"missing extension-less asset path", "GET", "/assets/folder", br},
          {"missing file with an extension", "GET", "/favicon.png", br},
          {"If-None-Match on a chunk", "GET", js, br, true},
          {"If-None-Match on index.html", "GET", "/", gzip, true},
          {"Range, identity", "GET", js, {{"Range", "bytes=0-99"}}},
          {"suffix Range, identity", "GET", "/index.html", {{"Range", "bytes=-20"}}},
          {"HEAD on a chunk", "HEAD", js, br},
          {"HEAD on a route", "HEAD", "/oracle", gzip},
          {"dotfile", "GET", "/.env", br},
          {"manifest in a dot-folder", "GET", "/.vite/manifest.json", br},
          {"source map", "GET", "/assets/index-Bl1MOBpP.js.map", br},
          {"direct request for a variant", "GET", js + ".br", br},
          {"page with a dot, from the address bar",
           "GET",
           "/users/ada.lovelace",
           {{"Accept", "text/html,application/xhtml+xml"}, {"Accept-Encoding", "br"}}},
          {"page with a dot, from a script", "GET", "/users/ada.lovelace", br},
          {"missing image, from the address bar", "GET", "/photo.png", {{"Accept", "text/html"}}},
          // Its 37 bytes make a smaller .br but no .gz worth keeping. nginx adds
          // Vary only through gzip_static (gzip_vary), which finds no .gz and
          // declines, and brotli_static adds none for a client without br;
          // serve sends Vary for every file that has a variant.
          {"/.well-known/", "GET", "/.well-known/security.txt", {}, false, {"vary"}},
      });
  for (const ParityRequest& request : requests) {
    HttpResponse from_nginx = Send(reference.port(), request);
    HttpResponse from_serve = Send(serve.port(), request);
    INFO(request.label << ": " << request.method << " " << request.target);
    bool not_modified = request.revalidate;
    std::map<std::string, std::string> a = Comparable(from_nginx, not_modified);
    std::map<std::string, std::string> b = Comparable(from_serve, not_modified);
    for (const auto& [field, value] : a) {
      INFO(field);
      if (request.differs.count(field)) {
        CHECK(value != b[field]);  // fixed? then drop it from `differs`
      } else {
        CHECK(value == b[field]);
      }
    }
    if (request.revalidate) CHECK(from_nginx.status == 304);
  }

  SECTION("Range on a precompressed response: the one listed difference") {
    // RFC 9110 §14.2 lets a server ignore Range. nginx's gzip_static and
    // brotli_static do, and send the whole variant (200); serve applies the
    // range to the encoded bytes (206), as Caddy does. Either way the
    // client gets correct bytes; with identity (above) both send 206.
    std::vector<std::pair<std::string, std::string>> headers{{"Accept-Encoding", "br"},
                                                             {"Range", "bytes=0-99"}};
    HttpResponse from_nginx = testing::Fetch(reference.port(), "GET", js, headers);
    HttpResponse from_serve = testing::Fetch(serve.port(), "GET", js, headers);
    CHECK(from_nginx.status == 200);
    CHECK(Decoded(from_nginx) == ReadFile(build.root() + js));
    CHECK(from_serve.status == 206);
    CHECK(from_serve.body == ReadFile(build.root() + js + ".br").substr(0, 100));
  }
}

// Every file of a build, as build paths, recursively (dot-folders too).
std::vector<std::string> FilesOf(const std::string& root) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), root).string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Status and Cache-Control of GET /FILE from both servers, for every file of
// `root`; returns nginx's Cache-Control by path for the named checks.
std::map<std::string, std::string> CompareCaching(const std::string& nginx, const std::string& root) {
  LiveNginx reference(nginx, root, {});
  LiveServe serve(root, {});
  std::map<std::string, std::string> cache_control;
  std::vector<std::string> files = FilesOf(root);
  CHECK(files.size() >= 5);
  for (const std::string& file : files) {
    HttpResponse from_nginx = testing::Fetch(reference.port(), "GET", "/" + file);
    HttpResponse from_serve = testing::Fetch(serve.port(), "GET", "/" + file);
    INFO(root << ": /" << file);
    CHECK(from_nginx.status == from_serve.status);
    CHECK(from_nginx.Header("cache-control").value_or("(absent)") ==
          from_serve.Header("cache-control").value_or("(absent)"));
    // The hints too: both take policy/preload's one list.
    CHECK(LinkValues(from_nginx) == LinkValues(from_serve));
    cache_control[file] = from_nginx.Header("cache-control").value_or("(absent)");
  }
  std::vector<std::string> root_links = LinkValues(testing::Fetch(reference.port(), "GET", "/"));
  CHECK(root_links == LinkValues(testing::Fetch(serve.port(), "GET", "/")));
  cache_control["/ links"] = root_links.empty() ? "" : root_links.front();
  return cache_control;
}

TEST_CASE("nginx and serve give every file of a build the same Cache-Control",
          "[nginx][nginx-live][parity][caching]") {
  std::string nginx = NginxOrWarn();
  if (nginx.empty()) return;
  const std::string immutable = "public, max-age=31536000, immutable";
  SECTION("the reference app") {
    std::map<std::string, std::string> cc = CompareCaching(nginx, Fixture("good"));
    CHECK(cc["assets/vendor-react-D-9X1o8U.js"] == immutable);
    CHECK(cc["favicon.svg"] == "no-cache");
    CHECK(cc["index.html"] == "no-cache");
    CHECK(cc["/ links"] == "</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin");
  }
  SECTION("a Vue app: the entry script is hinted, not only its CSS") {
    std::string root = std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps/vue-admin/dist";
    std::map<std::string, std::string> cc = CompareCaching(nginx, root);
    CHECK(cc["/ links"] == "</assets/index-DuqMKCec.js>; rel=modulepreload; crossorigin");
    CHECK(cc["assets/Reports-yPlTLDSy.js"] == immutable);
  }
  SECTION("a PWA: service worker files and public/ copies are revalidated") {
    std::string root = std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps/pwa/dist";
    std::map<std::string, std::string> cc = CompareCaching(nginx, root);
    for (const char* file : {"sw.js", "registerSW.js", "workbox-2fbc6a65.js", "manifest.webmanifest",
                             "fonts/inter-latin-400-normal.woff2",
                             "fonts/inter-latin-700-normal.woff2", "icon.svg", "index.html"}) {
      INFO(file);
      CHECK(cc[file] == "no-cache");
    }
    for (const char* file : {"assets/index-CLl9HJMn.js", "assets/index-BORs87eg.css",
                             "assets/history-TCJOOBPG.js", "assets/history-CzmRMhCc.css"}) {
      INFO(file);
      CHECK(cc[file] == immutable);
    }
  }
  SECTION("the PWA without a Vite manifest: the entry read from index.html") {
    std::string root = std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps/pwa/dist-no-manifest";
    std::map<std::string, std::string> cc = CompareCaching(nginx, root);
    for (const char* file : {"sw.js", "registerSW.js", "workbox-2fbc6a65.js", "manifest.json",
                             "fonts/inter-latin-400-normal.woff2",
                             "fonts/inter-latin-700-normal.woff2"}) {
      INFO(file);
      CHECK(cc[file] == "no-cache");
    }
    // Named by index.html and the chunks, with Vite's hash. The lazy
    // page's CSS is named only by Vite's manifest: revalidated here.
    for (const char* file : {"assets/index-CLl9HJMn.js", "assets/index-BORs87eg.css",
                             "assets/history-TCJOOBPG.js"}) {
      INFO(file);
      CHECK(cc[file] == immutable);
    }
    CHECK(cc["assets/history-CzmRMhCc.css"] == "no-cache");
    CHECK(cc["/ links"] == "</assets/index-CLl9HJMn.js>; rel=modulepreload; crossorigin");
  }
}

}  // namespace
}  // namespace npsbundle
