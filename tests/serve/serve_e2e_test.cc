// End-to-end tests of `serve` over loopback on the committed fixtures: a
// server in this process on an ephemeral port, real HTTP/1.1 on the wire,
// bodies checked byte for byte after decoding.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "core/compression.h"
#include "http/semantics.h"
#include "build/manifest.h"
#include "policy/preload.h"
#include "support/serve_test_support.h"
#include "support/test_support.h"

namespace npsbundle::testing {
namespace {

const std::string kVendor = "/assets/vendor-react-D-9X1o8U.js";

std::string Original(const std::string& build, const std::string& path) {
  return ReadFile(Fixture(build) + path);
}

std::string Decode(const RawResponse& r) {
  std::string encoding = r.Header("content-encoding");
  if (encoding == "br") return BrotliDecompress(r.body);
  if (encoding == "gzip") return GzipDecompress(r.body);
  return r.body;
}

TEST_CASE("serve: Accept-Encoding picks the representation", "[serve_e2e]") {
  ServerScope server(GoodIndex());
  struct Case {
    std::optional<std::string> accept_encoding;
    std::string encoding;  // "" = none
  };
  const Case cases[] = {
      {"br", "br"},
      {"gzip", "gzip"},
      {"br;q=0, gzip", "gzip"},
      {"*;q=0", ""},
      {"identity;q=0", ""},  // nothing acceptable: identity, not 406
      {"BR", "br"},
      {"", ""},
      {std::nullopt, ""},
      {"gzip, deflate, br, zstd", "br"},
  };
  std::string original = Original("good", kVendor);
  for (const Case& c : cases) {
    INFO("Accept-Encoding: " << c.accept_encoding.value_or("<absent>"));
    std::vector<std::pair<std::string, std::string>> headers;
    if (c.accept_encoding) headers.emplace_back("Accept-Encoding", *c.accept_encoding);
    RawResponse r = Request(server.port(), "GET", kVendor, headers);
    REQUIRE(r.status == 200);
    CHECK(r.Header("content-encoding") == c.encoding);
    CHECK(r.All("content-encoding").size() <= 1);  // never encoded twice
    CHECK(r.Header("content-length") == std::to_string(r.body.size()));
    CHECK(r.Header("vary") == "Accept-Encoding");
    CHECK(r.Header("content-type") == "text/javascript; charset=utf-8");
    CHECK(r.Header("x-content-type-options") == "nosniff");
    CHECK(ParseHttpDate(r.Header("date")).has_value());
    CHECK(Decode(r) == original);
  }
}

TEST_CASE("serve: each representation has its own strong ETag; 304 paths", "[serve_e2e]") {
  ServerScope server(GoodIndex());
  int port = server.port();
  RawResponse br = Request(port, "GET", kVendor, {{"Accept-Encoding", "br"}});
  RawResponse gz = Request(port, "GET", kVendor, {{"Accept-Encoding", "gzip"}});
  RawResponse id = Request(port, "GET", kVendor);
  std::string br_tag = br.Header("etag");
  CHECK(br_tag.front() == '"');
  CHECK(br_tag != gz.Header("etag"));
  CHECK(br_tag != id.Header("etag"));
  CHECK(gz.Header("etag") != id.Header("etag"));
  CHECK(Request(port, "GET", kVendor, {{"Accept-Encoding", "br"}}).Header("etag") == br_tag);

  RawResponse not_modified =
      Request(port, "GET", kVendor, {{"Accept-Encoding", "br"}, {"If-None-Match", br_tag}});
  CHECK(not_modified.status == 304);
  CHECK(not_modified.body.empty());
  CHECK(not_modified.Header("etag") == br_tag);
  CHECK(not_modified.Header("cache-control") == br.Header("cache-control"));
  CHECK(not_modified.Header("vary") == "Accept-Encoding");
  // Never "Content-Length: 0" on a 304 (RFC 9110 §8.6).
  CHECK(not_modified.Header("content-length") == br.Header("content-length"));

  CHECK(Request(port, "GET", kVendor, {{"Accept-Encoding", "br"}, {"If-None-Match", "W/" + br_tag}})
            .status == 304);
  CHECK(Request(port, "GET", kVendor, {{"Accept-Encoding", "br"}, {"If-None-Match", "\"x\", " + br_tag}})
            .status == 304);
  CHECK(Request(port, "GET", kVendor, {{"If-None-Match", "*"}}).status == 304);
  // The br tag does not validate the gzip representation.
  CHECK(Request(port, "GET", kVendor, {{"Accept-Encoding", "gzip"}, {"If-None-Match", br_tag}})
            .status == 200);

  std::string last_modified = id.Header("last-modified");
  CHECK(Request(port, "GET", kVendor, {{"If-Modified-Since", last_modified}}).status == 304);
  CHECK(Request(port, "GET", kVendor, {{"If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT"}})
            .status == 200);
  // If-None-Match wins over If-Modified-Since.
  CHECK(Request(port, "GET", kVendor,
                {{"If-None-Match", "\"other\""}, {"If-Modified-Since", last_modified}})
            .status == 200);
}

TEST_CASE("serve: HEAD and 405", "[serve_e2e]") {
  ServerScope server(GoodIndex());
  RawResponse get = Request(server.port(), "GET", kVendor, {{"Accept-Encoding", "gzip"}});
  RawResponse head = Request(server.port(), "HEAD", kVendor, {{"Accept-Encoding", "gzip"}});
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  for (const char* name : {"content-length", "content-encoding", "etag", "content-type",
                           "cache-control", "vary", "last-modified"}) {
    INFO(name);
    CHECK(head.Header(name) == get.Header(name));
  }
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"}) {
    RawResponse r = Request(server.port(), method, "/index.html");
    CHECK(r.status == 405);
    CHECK(r.Header("allow") == "GET, HEAD");
  }
}

TEST_CASE("serve: Range on the selected representation", "[serve_e2e]") {
  ServerScope server(GoodIndex());
  int port = server.port();
  RawResponse full = Request(port, "GET", kVendor, {{"Accept-Encoding", "br"}});
  const std::string& bytes = full.body;
  std::string length = std::to_string(bytes.size());

  RawResponse first = Request(port, "GET", kVendor, {{"Accept-Encoding", "br"}, {"Range", "bytes=0-0"}});
  CHECK(first.status == 206);
  CHECK(first.body == bytes.substr(0, 1));
  CHECK(first.Header("content-range") == "bytes 0-0/" + length);
  CHECK(first.Header("content-encoding") == "br");
  CHECK(first.Header("content-length") == "1");

  RawResponse suffix = Request(port, "GET", kVendor, {{"Accept-Encoding", "br"}, {"Range", "bytes=-10"}});
  CHECK(suffix.status == 206);
  CHECK(suffix.body == bytes.substr(bytes.size() - 10));

  RawResponse tail = Request(port, "GET", kVendor, {{"Range", "bytes=100-"}});
  CHECK(tail.status == 206);
  CHECK(tail.body == Original("good", kVendor).substr(100));

  RawResponse past = Request(port, "GET", kVendor, {{"Accept-Encoding", "br"}, {"Range", "bytes=" + length + "-"}});
  CHECK(past.status == 416);
  CHECK(past.Header("content-range") == "bytes */" + length);

  RawResponse zero = Request(port, "GET", kVendor, {{"Range", "bytes=-0"}});
  CHECK(zero.status == 416);

  // If-Range with another tag: the whole current representation.
  RawResponse changed = Request(port, "GET", kVendor,
                                {{"Accept-Encoding", "br"}, {"Range", "bytes=0-0"}, {"If-Range", "\"old\""}});
  CHECK(changed.status == 200);
  CHECK(changed.body == bytes);
  RawResponse same = Request(port, "GET", kVendor,
                             {{"Accept-Encoding", "br"}, {"Range", "bytes=0-0"}, {"If-Range", full.Header("etag")}});
  CHECK(same.status == 206);

  // A field the library cannot parse is ignored, not answered 416.
  RawResponse invalid = Request(port, "GET", kVendor, {{"Accept-Encoding", "br"}, {"Range", "bytes=5-1"}});
  CHECK(invalid.status == 200);
  CHECK(invalid.body == bytes);
  CHECK(invalid.Header("x-content-type-options") == "nosniff");
  RawResponse many = Request(port, "GET", kVendor, {{"Range", "bytes=0-0,2-3"}});
  CHECK(many.status == 200);
  CHECK(many.body == Original("good", kVendor));
}

TEST_CASE("serve: hashed assets are immutable, the rest revalidates", "[serve_e2e]") {
  ServerScope server(GoodIndex());
  CHECK(Request(server.port(), "GET", kVendor).Header("cache-control") ==
        "public, max-age=31536000, immutable");
  CHECK(Request(server.port(), "GET", "/assets/index-CNgsl1pN.css").Header("cache-control") ==
        "public, max-age=31536000, immutable");
  for (const char* path : {"/", "/index.html", "/favicon.svg"}) {
    RawResponse r = Request(server.port(), "GET", path);
    INFO(path);
    CHECK(r.status == 200);
    CHECK(r.Header("cache-control") == "no-cache");
    CHECK_FALSE(r.Header("etag").empty());
  }
}

TEST_CASE("serve: SPA fallback and missing assets", "[serve_e2e]") {
  ServerScope server(GoodIndex());
  std::string index = Original("good", "/index.html");
  RawResponse oracle = Request(server.port(), "GET", "/oracle", {{"Accept", "text/html"}});
  CHECK(oracle.status == 200);
  CHECK(oracle.body == index);
  CHECK(oracle.Header("cache-control") == "no-cache");
  RawResponse missing = Request(server.port(), "GET", "/assets/x.js", {{"Accept", "text/html"}});
  CHECK(missing.status == 404);
  CHECK(missing.body.find("<html") == std::string::npos);
  CHECK(Request(server.port(), "GET", "/favicon.png").status == 404);
}

TEST_CASE("serve: Link headers on index.html are the manifest's initial set", "[serve_e2e]") {
  ServerScope server(GoodIndex());
  Manifest manifest = ParseManifest(ReadFile(Fixture("good") + "/.vite/manifest.json"), "manifest");
  std::vector<std::string> expected = EntryPreloadLinks(manifest, "index.html", "/").links;
  REQUIRE_FALSE(expected.empty());
  CHECK(Request(server.port(), "GET", "/").All("link") == expected);
  CHECK(Request(server.port(), "GET", "/index.html").All("link") == expected);
  CHECK(Request(server.port(), "GET", "/oracle").All("link") == expected);
  CHECK(Request(server.port(), "GET", kVendor).All("link").empty());
}

TEST_CASE("serve: precompressed variants are served as they are on disk", "[serve_e2e]") {
  auto source = OpenBundle(Fixture("precompressed"));
  IndexReport report;
  ServerScope server(IndexForServe(*source, ServeOptions{}, &report));
  CHECK(report.precompressed > 0);
  CHECK(report.warnings.empty());
  RawResponse br = Request(server.port(), "GET", kVendor, {{"Accept-Encoding", "br"}});
  CHECK(br.Header("content-encoding") == "br");
  CHECK(br.body == Original("precompressed", kVendor + ".br"));
  RawResponse gz = Request(server.port(), "GET", kVendor, {{"Accept-Encoding", "gzip"}});
  CHECK(gz.body == Original("precompressed", kVendor + ".gz"));
  CHECK(Request(server.port(), "GET", kVendor + ".br").status == 404);
  CHECK(Request(server.port(), "GET", kVendor + ".gz").status == 404);
}

TEST_CASE("serve: multi-page build and archive input", "[serve_e2e]") {
  {
    auto source = OpenBundle(Fixture("multi-page"));
    IndexReport report;
    ServerScope server(IndexForServe(*source, ServeOptions{}, &report));
    CHECK(Request(server.port(), "GET", "/admin").body == Original("multi-page", "/admin.html"));
    CHECK(Request(server.port(), "GET", "/settings").body == Original("multi-page", "/index.html"));
  }
  TempDir temp;
  CommandResult tar = Run({"tar", "-czf", temp / "build.tar.gz", "-C", Fixture("good"), "."});
  REQUIRE(tar.exit_code == 0);
  auto source = OpenBundle(temp / "build.tar.gz");
  IndexReport report;
  ServeOptions options;
  options.levels.brotli_quality = 5;
  ServerScope server(IndexForServe(*source, options, &report));
  RawResponse r = Request(server.port(), "GET", kVendor, {{"Accept-Encoding", "br"}});
  CHECK(r.status == 200);
  CHECK(Decode(r) == Original("good", kVendor));
}

// One keep-alive connection, many requests: catches both the library's
// default of 5 requests per connection and Nagle stalls (~40 ms each).
TEST_CASE("serve: keep-alive without stalls", "[serve_e2e]") {
  ServerScope server(GoodIndex());
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(server.port()));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  constexpr int kRequests = 20;
  std::string request = "GET /favicon.svg HTTP/1.1\r\nHost: x\r\n\r\n";
  std::string expected_body = Original("good", "/favicon.svg");
  auto start = std::chrono::steady_clock::now();
  int answered = 0;
  std::string buffer;
  for (int i = 0; i < kRequests; ++i) {
    REQUIRE(send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
    // Read one full response: headers, then Content-Length bytes.
    while (true) {
      size_t end = buffer.find("\r\n\r\n");
      if (end != std::string::npos) {
        RawResponse r = ParseResponse(buffer.substr(0, end + 4));
        size_t length = std::stoul(r.Header("content-length"));
        if (buffer.size() >= end + 4 + length) {
          CHECK(buffer.substr(end + 4, length) == expected_body);
          buffer.erase(0, end + 4 + length);
          ++answered;
          break;
        }
      }
      char chunk[65536];
      ssize_t n = recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    if (answered != i + 1) break;
  }
  close(fd);
  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  CHECK(answered == kRequests);
  CHECK(elapsed.count() < 500);  // 20 x 40 ms would be 800 ms
}

}  // namespace
}  // namespace npsbundle::testing
