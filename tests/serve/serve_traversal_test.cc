// Sends the traversal and smuggling checklist byte for byte over a raw
// socket (clients would normalise these URLs) and checks that nothing from
// outside the build, or hidden inside it, ever comes back.

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/serve_test_support.h"
#include "support/test_support.h"

namespace npsbundle::testing {
namespace {

TEST_CASE("serve: traversal checklist over a raw socket", "[serve_traversal]") {
  TrapBuild build;
  ServeOptions options = TrapBuild::Options();
  ServerScope server(build.Index(options), options);

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

}  // namespace
}  // namespace npsbundle::testing
