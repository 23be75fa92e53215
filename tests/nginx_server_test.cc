// Tests against a real nginx: `nginx -t` on every snippet in its documented
// context and on generated configs, and the policy the generated config
// gives a compressed copy of the good fixture, request by request.
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "compression.h"
#include "nginx/nginx_harness.h"
#include "test_support.h"

namespace npsbundle {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::Fixture;
using testing::HttpResponse;
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
      if (context != "http") body = "server {\nlisten 127.0.0.1:1;\n" + body + "}\n";
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
    // Every text file that gets smaller, like `npsbundle compress
    // --min-saving 0` (serve compresses the same files in memory, so the
    // two servers see the same set of variants).
    for (const auto& entry : fs::recursive_directory_iterator(root())) {
      std::string path = entry.path().string();
      if (!entry.is_regular_file() || !IsTextLike(path)) continue;
      std::string data = ReadFile(path);
      std::string br = BrotliCompress(data, 11, 22);
      std::string gz = GzipCompress(data, 9);
      if (br.size() < data.size()) WriteFile(path + ".br", br);
      if (gz.size() < data.size()) WriteFile(path + ".gz", gz);
    }
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
      : prefix_(nginx), port_(testing::FreePort()) {
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
    process_ = std::make_unique<testing::ChildProcess>(prefix_.Command(false),
                                                       prefix_.path() + "/stderr.log");
    for (int i = 0; i < 500 && !testing::CanConnect(port_); ++i) {
      if (!process_->Running()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    INFO(ReadFile(prefix_.error_log()));
    REQUIRE(testing::CanConnect(port_));
  }
  int port() const { return port_; }

 private:
  NginxPrefix prefix_;
  int port_;
  std::unique_ptr<testing::ChildProcess> process_;
};

std::string BudgetPath() { return std::string(NPSBUNDLE_SOURCE_DIR) + "/budgets/default.json"; }

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
  std::string encoding = response.Header("content-encoding").value_or("");
  if (encoding == "br") return BrotliDecompress(response.body);
  if (encoding == "gzip") return GzipDecompress(response.body);
  return response.body;
}

std::vector<std::string> ExpectedEntryLinks() {
  return {"</assets/rolldown-runtime-WkwZ5CU-.js>; rel=modulepreload; crossorigin",
          "</assets/vendor-react-D-9X1o8U.js>; rel=modulepreload; crossorigin",
          "</assets/vendor-query-36H9U8Gs.js>; rel=modulepreload; crossorigin",
          "</assets/vendor-i18n-BabEaQ5D.js>; rel=modulepreload; crossorigin",
          "</assets/index-CNgsl1pN.css>; rel=preload; as=style"};
}

TEST_CASE("nginx serves the generated config with serve's policy", "[nginx][nginx-live]") {
  std::string nginx = NginxOrWarn();
  if (nginx.empty()) return;
  CompressedBuild build;
  LiveNginx server(nginx, build.root(), {"--budget", BudgetPath()});
  int port = server.port();
  const std::string js = "/assets/vendor-react-D-9X1o8U.js";
  const std::string js_bytes = ReadFile(build.root() + js);

  SECTION("Accept-Encoding") {
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

  SECTION("index.html and navigations carry the entry's hints, revalidated") {
    for (const std::string& path : {"/", "/index.html", "/some/client/route"}) {
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

  SECTION("a route adds its page's hints") {
    HttpResponse response = testing::Fetch(port, "GET", "/oracle", {{"Accept-Encoding", "gzip"}});
    CHECK(response.status == 200);
    std::vector<std::string> expected = ExpectedEntryLinks();
    expected.push_back("</assets/Oracle-CHnjyAkH.js>; rel=modulepreload; crossorigin");
    expected.push_back("</assets/Oracle-BfJKa0Uu.css>; rel=preload; as=style");
    CHECK(LinkValues(response) == expected);
    CHECK(response.Header("content-encoding") == "gzip");
    CHECK(Decoded(response) == ReadFile(build.root() + "/index.html"));
  }

  SECTION("misses with an extension are a plain 404, never index.html") {
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

  SECTION("unhashed files are revalidated; /.well-known/ is served") {
    for (const std::string& path : {"/favicon.svg", "/robots.txt", "/.well-known/security.txt"}) {
      HttpResponse response = testing::Fetch(port, "GET", path);
      INFO(path);
      CHECK(response.status == 200);
      CHECK(response.Header("cache-control") == "no-cache");
      CHECK(response.body == ReadFile(build.root() + path));
    }
  }

  SECTION("If-None-Match, HEAD and Range") {
    HttpResponse first = testing::Fetch(port, "GET", js, {{"Accept-Encoding", "br"}});
    REQUIRE(first.Header("etag"));
    HttpResponse again = testing::Fetch(
        port, "GET", js, {{"Accept-Encoding", "br"}, {"If-None-Match", *first.Header("etag")}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    CHECK(again.Header("etag") == first.Header("etag"));
    CHECK(again.Header("cache-control") == "public, max-age=31536000, immutable");
    CHECK(again.Header("vary") == "Accept-Encoding");

    HttpResponse head = testing::Fetch(port, "HEAD", "/", {{"Accept-Encoding", "br"}});
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
  for (const char* fixture :
       {"good", "eager", "no-split", "bloated", "big-page", "precompressed", "multi-page"}) {
    for (const char* base : {"/", "/app/"}) {
      NginxPrefix prefix(nginx);
      CommandResult generated =
          RunNpsbundle({"nginx", Fixture(fixture), "--base", base, "--snippets",
                        prefix.snippets_dir(), "--output", prefix.path() + "/conf/app.conf"});
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

TEST_CASE("nginx with a base serves only under it", "[nginx][nginx-live]") {
  std::string nginx = NginxOrWarn();
  if (nginx.empty()) return;
  CompressedBuild build;
  LiveNginx server(nginx, build.root(), {"--base", "/app/", "--budget", BudgetPath()});
  HttpResponse index = testing::Fetch(server.port(), "GET", "/app/");
  CHECK(index.status == 200);
  CHECK(LinkValues(index).front() ==
        "</app/assets/rolldown-runtime-WkwZ5CU-.js>; rel=modulepreload; crossorigin");
  HttpResponse asset = testing::Fetch(server.port(), "GET", "/app/assets/vendor-react-D-9X1o8U.js");
  CHECK(asset.status == 200);
  CHECK(asset.Header("cache-control") == "public, max-age=31536000, immutable");
  HttpResponse route = testing::Fetch(server.port(), "GET", "/app/oracle");
  CHECK(LinkValues(route).back() == "</app/assets/Oracle-BfJKa0Uu.css>; rel=preload; as=style");
  CHECK(testing::Fetch(server.port(), "GET", "/index.html").status == 404);
  CHECK(testing::Fetch(server.port(), "GET", "/oracle").status == 404);
  HttpResponse bare = testing::Fetch(server.port(), "GET", "/app");
  CHECK(bare.status == 302);
  CHECK(bare.Header("location").value_or("").find("/app/") != std::string::npos);
}

}  // namespace
}  // namespace npsbundle
