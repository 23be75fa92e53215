// A real Caddy (Debian's caddy, 2.6) serving fixtures with the Caddyfile
// `deploy-config --target caddy` writes, compared with `npsbundle serve` on
// the same compressed build, file by file. Tagged [.caddy]: hidden from the
// fast suite, run by ctest's `deploy_caddy` (labels slow, caddy).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/nginx_harness.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::HttpResponse;
using testing::LiveServe;
using testing::ReadFile;
using testing::RunNpsbundle;
using testing::TempDir;
using testing::WriteFile;

std::string FindCaddy() {
  for (const char* path : {"/usr/bin/caddy", "/usr/local/bin/caddy"}) {
    if (access(path, X_OK) == 0) return path;
  }
  return {};
}

// A fixture copied and compressed, with a dotfile, a host config file and
// a source map that must not be served.
class CompressedCopy {
 public:
  explicit CompressedCopy(const std::string& fixture) {
    fs::copy(fixture, root(), fs::copy_options::recursive);
    WriteFile(root() + "/.env", "SECRET=1\n");
    WriteFile(root() + "/_headers", "/*\n  X-Test: 1\n");
    CommandResult compressed = RunNpsbundle({"compress", root()});
    INFO(compressed.err);
    REQUIRE(compressed.exit_code == 0);
  }
  std::string root() const { return (dir_.path() / "dist").string(); }

 private:
  TempDir dir_;
};

// Caddy with the generated Caddyfile on a loopback port, stopped with the object.
class LiveCaddy {
 public:
  LiveCaddy(const std::string& caddy, const std::string& root, const std::vector<std::string>& extra) {
    for (int attempt = 0; attempt < 5 && !process_; ++attempt) {
      port_ = testing::FreePort();
      std::string site = (dir_.path() / "site.caddy").string();
      std::vector<std::string> args{"deploy-config", root, "--target", "caddy", "--root", root,
                                    "--listen", "http://127.0.0.1:" + std::to_string(port_),
                                    "--output", site};
      args.insert(args.end(), extra.begin(), extra.end());
      CommandResult generated = RunNpsbundle(args);
      INFO(generated.err);
      REQUIRE(generated.exit_code == 0);
      // No admin endpoint, no certificates, all state inside the TempDir.
      std::string main = (dir_.path() / "Caddyfile").string();
      WriteFile(main, "{\n\tadmin off\n\tauto_https off\n\tstorage file_system " +
                          (dir_.path() / "data").string() + "\n}\nimport " + site + "\n");
      setenv("XDG_CONFIG_HOME", (dir_.path() / "config").c_str(), 1);
      setenv("XDG_DATA_HOME", (dir_.path() / "data").c_str(), 1);
      process_ = std::make_unique<testing::ChildProcess>(
          std::vector<std::string>{caddy, "run", "--config", main, "--adapter", "caddyfile"},
          (dir_.path() / "caddy.log").string());
      bool up = false;
      for (int i = 0; i < 1000 && !up && process_->Running(); ++i) {
        up = testing::CanConnect(port_) &&
             testing::Fetch(port_, "HEAD", "/").Header("server").value_or("") == "Caddy";
        if (!up) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      if (!up) process_.reset();
    }
    INFO(ReadFile((dir_.path() / "caddy.log").string()));
    REQUIRE(process_);
  }
  int port() const { return port_; }

 private:
  TempDir dir_;
  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> process_;
};

// The build paths a browser may fetch: no variants, no hidden files.
std::vector<std::string> ServedFiles(const std::string& root) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string path = fs::relative(entry.path(), root).string();
    if (path.ends_with(".br") || path.ends_with(".gz") || path.find('.') == 0 ||
        path.find("/.") != std::string::npos || path == "_headers") {
      continue;
    }
    files.push_back(path);
  }
  return files;
}

// What must agree between serve and Caddy for one request.
void Compare(int caddy, int serve, const std::string& target,
             const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpResponse a = testing::Fetch(caddy, "GET", target, headers);
  HttpResponse b = testing::Fetch(serve, "GET", target, headers);
  INFO("GET " << target << (headers.empty() ? "" : " with " + headers.front().second));
  CHECK(a.status == b.status);
  CHECK(a.Header("cache-control").value_or("(none)") == b.Header("cache-control").value_or("(none)"));
  CHECK(a.Header("content-encoding").value_or("identity") ==
        b.Header("content-encoding").value_or("identity"));
  CHECK(a.Header("link").value_or("") == b.Header("link").value_or(""));
  CHECK(a.Header("x-content-type-options") == b.Header("x-content-type-options"));
  if (a.status == 200) {
    CHECK(a.body == b.body);  // the same file, or the same .br/.gz bytes
    // Vary wherever serve says it (files with variants).
    if (b.Header("vary")) CHECK(a.Header("vary").value_or("").find("Accept-Encoding") != std::string::npos);
  }
}

// `base` is Vite's base the URLs carry ("/" or "/app/"); `extra` must say
// it to both servers (--base) when it is not "/".
void CompareBuild(const std::string& caddy, const std::string& fixture,
                  const std::vector<std::string>& extra, const std::vector<std::string>& navigations,
                  const std::string& base = "/") {
  CompressedCopy build(fixture);
  LiveCaddy server(caddy, build.root(), extra);
  LiveServe serve(build.root(), extra);
  std::vector<std::string> files = ServedFiles(build.root());
  REQUIRE(files.size() >= 5);
  for (const std::string& file : files) {
    for (const char* encoding : {"br, gzip", "gzip", ""}) {
      std::vector<std::pair<std::string, std::string>> headers;
      if (*encoding) headers.emplace_back("Accept-Encoding", encoding);
      Compare(server.port(), serve.port(), base + file, headers);
    }
  }
  std::vector<std::pair<std::string, std::string>> page{{"Accept", "text/html"},
                                                       {"Accept-Encoding", "br"}};
  for (const std::string& target : navigations) Compare(server.port(), serve.port(), base + target, page);
  // Stale references and hidden files: 404 on both, never index.html.
  for (const char* missing : {"assets/x.js", "assets/gone-Abc12345.css", "assets/deep/route", ".env",
                              "_headers", "missing.png"}) {
    Compare(server.port(), serve.port(), base + missing, page);
    CHECK(testing::Fetch(server.port(), "GET", base + missing, page).status == 404);
  }
  if (base != "/") {
    // Outside the base nothing belongs to the build; the bare base redirects.
    Compare(server.port(), serve.port(), "/index.html", page);
    CHECK(testing::Fetch(server.port(), "GET", "/index.html").status == 404);
    std::string bare = base.substr(0, base.size() - 1);
    HttpResponse redirect = testing::Fetch(server.port(), "GET", bare);
    CHECK(redirect.status == 302);
    CHECK(redirect.Header("location") == base);
    CHECK(testing::Fetch(serve.port(), "GET", bare).status == 302);
  }
  HttpResponse deep = testing::Fetch(server.port(), "GET", base + "users/42", {{"Accept", "text/html"}});
  CHECK(deep.status == 200);
  CHECK(deep.body == ReadFile(build.root() + "/index.html"));
  // The audit a user would run against this deployment passes every check
  // (README parity matrix: Caddy can pass all of them locally; audit does
  // not look for 103 over HTTP/1.1).
  std::vector<std::string> audit_args{"audit", "http://127.0.0.1:" + std::to_string(server.port()) + base,
                                      "--build", fixture, "--format", "json"};
  audit_args.insert(audit_args.end(), extra.begin(), extra.end());  // the route map, the base
  CommandResult audit = RunNpsbundle(audit_args);
  INFO(audit.out << audit.err);
  CHECK(audit.exit_code == 0);
  CHECK_THAT(audit.out, !Catch::Contains("\"status\": \"fail\""));
}

TEST_CASE("Caddy with the generated Caddyfile serves like serve", "[.caddy]") {
  std::string caddy = FindCaddy();
  if (caddy.empty()) {
    WARN("SKIPPED: no caddy binary (apt-get install caddy)");
    return;
  }
  std::string apps = std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps/";
  SECTION("the reference app, with the budget's routes") {
    CompareBuild(caddy, testing::Fixture("good"), {"--budget", "nps"},
                 {"", "oracle", "oracle/", "settings", "users/42", "users/ada.lovelace"});
  }
  SECTION("a PWA: service worker files revalidated") {
    CompareBuild(caddy, apps + "pwa/dist", {}, {"", "history", "a/b/c"});
  }
  SECTION("a Vue app") { CompareBuild(caddy, apps + "vue-admin/dist", {}, {"", "reports"}); }
  SECTION("a multi-page build under Vite's base") {
    CompareBuild(caddy, testing::Fixture("multi-page"), {"--base", "/app/"},
                 {"", "admin", "admin.html", "users/42"}, "/app/");
  }
}

}  // namespace
}  // namespace npsbundle
