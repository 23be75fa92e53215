// Sends the traversal and smuggling checklist byte for byte over a raw
// socket (clients would normalise these URLs) and checks that nothing from
// outside the build, or hidden inside it, ever comes back.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "serve_test_support.h"
#include "test_support.h"

namespace npsbundle::testing {
namespace {

constexpr char kOutsideSecret[] = "OUTSIDE-SECRET-7f3a9c";
constexpr char kHiddenSecret[] = "HIDDEN-SECRET-41be02";

// A copy of the good build inside a folder that also holds a secret file,
// with a symlink pointing out of the build and dotfiles inside it.
struct TrapBuild {
  TrapBuild() {
    dist = temp / "dist";
    CopyTree(Fixture("good"), dist);
    WriteFile(temp / "secret.txt", kOutsideSecret);
    WriteFile(temp / "secret.js", kOutsideSecret);
    std::filesystem::create_symlink(temp / "secret.txt", dist + "/leak.txt");
    std::filesystem::create_symlink(temp / "secret.js", dist + "/assets/leak-AbCd1234.js");
    std::filesystem::create_directory_symlink(temp.path(), dist + "/up");
    WriteFile(dist + "/.env", kHiddenSecret);
    WriteFile(dist + "/.git/config", kHiddenSecret);
    WriteFile(dist + "/assets/.hidden.js", kHiddenSecret);
    WriteFile(dist + "/assets/extra.js", std::string(2000, 'x'));
    WriteFile(dist + "/assets/extra.js.br", kHiddenSecret);  // stale: must not leak either
  }
  TempDir temp;
  std::string dist;
};

bool Leaks(const std::string& raw) {
  return raw.find(kOutsideSecret) != std::string::npos || raw.find(kHiddenSecret) != std::string::npos;
}

TEST_CASE("serve: traversal checklist over a raw socket", "[serve_traversal]") {
  TrapBuild build;
  auto source = OpenBundle(build.dist);
  IndexReport report;
  ServeOptions options;
  options.levels.brotli_quality = 5;
  ServerScope server(IndexForServe(*source, options, &report));

  // Request targets exactly as sent on the wire.
  const std::string targets[] = {
      "/../secret.txt",
      "/../../../../etc/passwd",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/..%2fsecret.txt",
      "/assets/..%2f..%2fsecret.txt",
      "/..%5csecret.txt",
      "/..\\secret.txt",
      "/assets/..\\..\\secret.txt",
      "/%252e%252e/secret.txt",
      "/%c0%ae%c0%ae/secret.txt",
      "/%c0%af..%c0%afsecret.txt",
      "/secret.txt%00.js",
      "/index.html%00",
      "/assets../secret.txt",
      "/assets../x.js",
      "/leak.txt",
      "/assets/leak-AbCd1234.js",
      "/up/secret.txt",
      "/.env",
      "/.git/config",
      "/%2eenv",
      "/%2egit/config",
      "/assets/.hidden.js",
      "/.vite/manifest.json",
      "/assets/extra.js.br",
      "/assets/vendor-react-D-9X1o8U.js.br",
      "/assets/vendor-react-D-9X1o8U.js.gz",
      "http://127.0.0.1/../secret.txt",
      "//../secret.txt",
      "/./../secret.txt",
  };
  for (const std::string& target : targets) {
    INFO("GET " << target);
    std::string raw = SendRaw(server.port(), "GET " + target +
                                                 " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n"
                                                 "Accept-Encoding: br, gzip\r\nConnection: close\r\n\r\n");
    RawResponse r = ParseResponse(raw);
    CHECK_FALSE(Leaks(raw));
    CHECK(r.status >= 400);
    CHECK(r.status < 500);
  }
  // Not a prefix of /assets: just a client-side route inside the root.
  RawResponse route = Request(server.port(), "GET", "/assets../x");
  CHECK(route.status == 200);
  CHECK(route.body == ReadFile(Fixture("good") + "/index.html"));
  // The stale .br beside extra.js is not served in its place either.
  RawResponse extra = Request(server.port(), "GET", "/assets/extra.js", {{"Accept-Encoding", "br"}});
  CHECK(extra.status == 200);
  CHECK_FALSE(Leaks(extra.raw));
}

TEST_CASE("serve: malformed and hostile messages", "[serve_traversal]") {
  TrapBuild build;
  auto source = OpenBundle(build.dist);
  IndexReport report;
  ServeOptions options;
  options.levels.brotli_quality = 5;
  ServerScope server(IndexForServe(*source, options, &report));
  std::string thousand_ranges = "bytes=0-0";
  for (int i = 1; i <= 1000; ++i) thousand_ranges += "," + std::to_string(i * 2) + "-" + std::to_string(i * 2);
  std::string thousand_headers;
  for (int i = 0; i < 1000; ++i) thousand_headers += "X-Filler-" + std::to_string(i) + ": x\r\n";
  struct Case {
    std::string name;
    std::string bytes;
  };
  const Case cases[] = {
      {"bytes=5-1", "GET / HTTP/1.1\r\nHost: x\r\nRange: bytes=5-1\r\nConnection: close\r\n\r\n"},
      {"bytes=-0", "GET / HTTP/1.1\r\nHost: x\r\nRange: bytes=-0\r\nConnection: close\r\n\r\n"},
      {"past EOF", "GET / HTTP/1.1\r\nHost: x\r\nRange: bytes=999999-\r\nConnection: close\r\n\r\n"},
      {"1000 ranges", "GET / HTTP/1.1\r\nHost: x\r\nRange: " + thousand_ranges + "\r\nConnection: close\r\n\r\n"},
      {"long URI", "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
      {"long header", "GET / HTTP/1.1\r\nHost: x\r\nX-Long: " + std::string(20000, 'b') + "\r\nConnection: close\r\n\r\n"},
      {"1000 headers", "GET / HTTP/1.1\r\nHost: x\r\n" + thousand_headers + "Connection: close\r\n\r\n"},
      {"CL and TE", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n"},
      {"duplicate CL", "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"},
      {"bare LF", "GET / HTTP/1.1\nHost: x\nConnection: close\n\n"},
      {"unknown method", "BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"},
      {"no version", "GET /\r\n\r\n"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    std::string raw = SendRaw(server.port(), c.bytes, 3000);
    CHECK_FALSE(Leaks(raw));
    RawResponse r = ParseResponse(raw);
    if (r.status != 0) {
      CHECK(r.status != 500);
      CHECK(r.Header("x-content-type-options") == "nosniff");
    }
    // The server still answers afterwards.
    CHECK(Request(server.port(), "GET", "/favicon.svg").status == 200);
  }
}

}  // namespace
}  // namespace npsbundle::testing
