// `npsbundle audit` against a real nginx (hidden from the default run as
// [.audit-nginx]; ctest runs it as `audit_nginx`, labels slow;nginx):
// the config `npsbundle nginx` generates passes on every fixture app, over
// http and over TLS; a deliberately misconfigured nginx fails exactly the
// checks its faults break; a self-signed certificate is exit 2 unless
// trusted (--cacert) or waved through (--insecure).
#include <catch2/catch.hpp>
#include <algorithm>
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
using testing::NginxPrefix;
using testing::RunNpsbundle;
using testing::TempDir;

// A build folder copied from `source` and precompressed (`npsbundle
// compress`), as it would be deployed behind nginx's *_static modules.
std::string DeployedCopy(const TempDir& dir, const std::string& source) {
  std::string root = dir / "dist";
  testing::CopyTree(source, root);
  CommandResult compressed = RunNpsbundle({"compress", root});
  INFO(compressed.err);
  REQUIRE(compressed.exit_code == 0);
  return root;
}

// nginx on a free loopback port with the http{} body `make_body(port)`
// returns; stopped with the object.
class Nginx {
 public:
  template <typename MakeBody>
  Nginx(const std::string& nginx, MakeBody make_body) : prefix_(nginx) {
    // A port free when picked may be taken before nginx binds: pick again.
    for (int attempt = 0; attempt < 5 && !process_; ++attempt) {
      port_ = testing::FreePort();
      prefix_.WriteConfig(make_body(prefix_, port_));
      CommandResult test = prefix_.Test();
      INFO(test.err);
      REQUIRE(test.exit_code == 0);
      process_ = testing::StartNginx(prefix_, [this] { return testing::CanConnect(port_); });
    }
    INFO(testing::ReadFile(prefix_.error_log()));
    REQUIRE(process_);
  }
  int port() const { return port_; }

 private:
  NginxPrefix prefix_;
  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> process_;
};

// The config `npsbundle nginx` generates for `root`, listening with
// `listen_suffix` (" ssl" for TLS) after the address.
auto Generated(const std::string& root, const std::string& http_prefix = "", const std::string& listen_suffix = "") {
  return [=](const NginxPrefix& prefix, int port) {
    CommandResult generated = RunNpsbundle({"nginx", root, "--root", root, "--listen",
                                            "127.0.0.1:" + std::to_string(port) + listen_suffix, "--snippets",
                                            prefix.snippets_dir(), "--output", prefix.path() + "/conf/app.conf"});
    INFO(generated.err);
    REQUIRE(generated.exit_code == 0);
    return http_prefix + "include app.conf;\n";
  };
}

std::string Url(int port, bool tls = false) {
  return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(port) + "/";
}

std::vector<std::string> AppBuilds() {
  std::vector<std::string> builds{testing::Fixture("good")};
  for (const auto& entry : fs::directory_iterator(std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps")) {
    if (fs::exists(entry.path() / "dist" / "index.html")) builds.push_back((entry.path() / "dist").string());
  }
  return builds;
}

std::string NginxOrSkip() {
  std::string nginx = testing::FindNginx();
  if (nginx.empty()) WARN("SKIPPED: no nginx binary (apt-get install nginx libnginx-mod-http-brotli-static)");
  return nginx;
}

// The names of the checks a text report marks FAIL, in report order.
std::vector<std::string> FailedChecks(const std::string& text) {
  std::vector<std::string> names;
  size_t at = 0;
  while ((at = text.find("\nFAIL  ", at)) != std::string::npos) {
    at += 7;
    names.push_back(text.substr(at, text.find(' ', at) - at));
  }
  return names;
}

// A certificate for 127.0.0.1 and its key, made with `openssl req` in `dir`.
std::pair<std::string, std::string> SelfSignedCertificate(TempDir& dir) {
  std::string cert = dir / "cert.pem", key = dir / "key.pem";
  CommandResult made = testing::Run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                     "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                                     "subjectAltName=IP:127.0.0.1"});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  return {cert, key};
}

TEST_CASE("audit passes against nginx with the generated config on every fixture app", "[.audit-nginx]") {
  std::string nginx = NginxOrSkip();
  if (nginx.empty()) return;
  for (const std::string& source : AppBuilds()) {
    INFO(source);
    TempDir dir;
    std::string root = DeployedCopy(dir, source);
    Nginx server(nginx, Generated(root));
    CommandResult audit = RunNpsbundle({"audit", Url(server.port()), "--build", source});
    INFO(audit.out << audit.err);
    CHECK(audit.exit_code == 0);
    CHECK(FailedChecks(audit.out).empty());
  }
}

TEST_CASE("audit fails exactly the broken checks of a misconfigured nginx", "[.audit-nginx]") {
  std::string nginx = NginxOrSkip();
  if (nginx.empty()) return;
  TempDir dir;
  std::string source = testing::Fixture("good");
  std::string root = DeployedCopy(dir, source);
  // The classic faults: one year of caching for everything (index.html
  // too), a SPA rewrite that answers missing assets with index.html, gzip
  // variants but no brotli module, no preload hints.
  Nginx server(nginx, [&](const NginxPrefix&, int port) {
    return "include mime.types;\n"
           "server {\n"
           "  listen 127.0.0.1:" + std::to_string(port) + ";\n"
           "  root " + root + ";\n"
           "  gzip_static on;\n  gzip_vary on;\n"
           "  location / {\n"
           "    add_header Cache-Control \"public, max-age=31536000, immutable\";\n"
           "    try_files $uri $uri/ /index.html;\n"
           "  }\n"
           "}\n";
  });
  CommandResult audit = RunNpsbundle({"audit", Url(server.port()), "--build", source});
  INFO(audit.out << audit.err);
  CHECK(audit.exit_code == 1);
  CHECK(FailedChecks(audit.out) ==
        std::vector<std::string>{"html-revalidated", "brotli", "asset-404", "preload-hints"});
  CHECK_THAT(audit.out, Catch::Contains("(the SPA fallback answers a missing asset), expected 404"));

  CommandResult json = RunNpsbundle({"audit", Url(server.port()), "--build", source, "-f", "json"});
  CHECK(json.exit_code == 1);
  CHECK_THAT(json.out, Catch::Contains("{\"name\": \"asset-404\", \"status\": \"fail\""));
  CommandResult github = RunNpsbundle({"audit", Url(server.port()), "--build", source, "-f", "github"});
  CHECK(github.exit_code == 1);
  CHECK_THAT(github.out, Catch::Contains("::error title=audit asset-404::"));
}

TEST_CASE("audit over TLS: verified with --cacert, exit 2 for an untrusted certificate", "[.audit-nginx]") {
  std::string nginx = NginxOrSkip();
  if (nginx.empty()) return;
  TempDir dir;
  auto [cert, key] = SelfSignedCertificate(dir);
  std::string source = testing::Fixture("good");
  std::string root = DeployedCopy(dir, source);
  Nginx server(nginx, Generated(root, "ssl_certificate " + cert + ";\nssl_certificate_key " + key + ";\n", " ssl"));
  std::string url = Url(server.port(), true);

  CommandResult untrusted = RunNpsbundle({"audit", url, "--build", source});
  CHECK(untrusted.exit_code == 2);
  CHECK(untrusted.out.empty());
  CHECK(untrusted.err == "npsbundle: error: " + url +
                             ": TLS handshake failed: certificate verify failed: self-signed certificate "
                             "(--cacert FILE trusts it, --insecure skips the check)\n");

  CommandResult trusted = RunNpsbundle({"audit", url, "--build", source, "--cacert", cert});
  INFO(trusted.out << trusted.err);
  CHECK(trusted.exit_code == 0);
  // This server offers no h2: audit asked for it and got HTTP/1.1.
  CHECK_THAT(trusted.out,
             Catch::Contains("note: protocol: HTTP/1.1 (h2 offered by ALPN, the server chose http/1.1)"));
  CHECK_THAT(trusted.out, Catch::Contains("note: 103 Early Hints: none over HTTP/1.1 before the base URL's HTML"));
  CommandResult insecure = RunNpsbundle({"audit", url, "--build", source, "--insecure"});
  CHECK(insecure.exit_code == 0);

  // Plain HTTP to the TLS port is a protocol error, not a list of failures.
  CommandResult plain = RunNpsbundle({"audit", Url(server.port()), "--build", source});
  CHECK(plain.exit_code == 2);
}

TEST_CASE("audit over HTTP/2: nginx with http2 passes every check over h2, --http1.1 forces 1.1",
          "[.audit-nginx]") {
  std::string nginx = NginxOrSkip();
  if (nginx.empty()) return;
  TempDir dir;
  auto [cert, key] = SelfSignedCertificate(dir);
  for (const std::string& source : AppBuilds()) {
    INFO(source);
    TempDir site;
    std::string root = DeployedCopy(site, source);
    // nginx 1.22 takes http2 as a listen parameter (1.25 moved it to `http2 on`).
    Nginx server(nginx, Generated(root, "ssl_certificate " + cert + ";\nssl_certificate_key " + key + ";\n",
                                  " ssl http2"));
    std::string url = Url(server.port(), true);
    CommandResult h2 = RunNpsbundle({"audit", url, "--build", source, "--cacert", cert});
    INFO(h2.out << h2.err);
    CHECK(h2.exit_code == 0);
    CHECK(FailedChecks(h2.out).empty());
    CHECK_THAT(h2.out, Catch::Contains("note: protocol: HTTP/2 (the server chose h2 by ALPN"));
    // nginx 1.22 has no early_hints, and no nginx makes 103s for static files.
    CHECK_THAT(h2.out, Catch::Contains("note: 103 Early Hints: none over HTTP/2 before the base URL's HTML\n"));

    CommandResult forced = RunNpsbundle({"audit", url, "--build", source, "--cacert", cert, "--http1.1"});
    CHECK(forced.exit_code == 0);
    CHECK_THAT(forced.out, Catch::Contains("note: protocol: HTTP/1.1 (--http1.1)"));
  }
}

}  // namespace
}  // namespace npsbundle
