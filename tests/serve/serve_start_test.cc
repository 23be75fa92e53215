// `serve` start-up: answering at once while text files are compressed in
// the background, the atomic switch to brotli, ETags per representation,
// and the body cache that makes a second start complete at once.

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <future>

#include "core/compression.h"
#include "serve/body_cache.h"
#include "support/serve_test_support.h"
#include "support/test_support.h"

namespace npsbundle::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kChunks = 300;

std::string ChunkPath(int i) { return "assets/page-" + std::to_string(i) + "-Ab12Cd34.js"; }

// JavaScript-like text that compresses well but differs per chunk.
std::string ChunkText(int i) {
  std::string out;
  for (int line = 0; line < 120; ++line) {
    out += "export function page" + std::to_string(i) + "_" + std::to_string(line) +
           "(props) { return props.items.map((item) => item.value * " + std::to_string(line * i % 97) +
           ").filter(Boolean); }\n";
  }
  return out;
}

// A build with hundreds of chunks and no .br/.gz siblings.
struct LargeBuild {
  LargeBuild() {
    dist = temp / "dist";
    WriteFile(dist + "/index.html",
              "<!doctype html><html><head><script type=\"module\" src=\"/" + ChunkPath(0) +
                  "\"></script></head><body><div id=\"app\"></div>" + std::string(2000, ' ') +
                  "</body></html>\n");
    for (int i = 0; i < kChunks; ++i) WriteFile(dist + "/" + ChunkPath(i), ChunkText(i));
  }
  TempDir temp;
  std::string dist;
  std::string cache = temp / "cache";
};

struct HeldStart {
  HeldStart(const LargeBuild& build, bool use_cache) {
    options.levels.brotli_quality = 5;  // the switch is under test, not brotli 11
    options.precompress = Precompress::kBackground;
    if (use_cache) options.body_cache_dir = build.cache;
    options.compress_after = release.get_future().share();
    auto source = OpenBundle(build.dist);
    index = IndexForServe(*source, options, &report);
  }
  ~HeldStart() { Release(); }
  void Release() {
    if (!released) release.set_value();
    released = true;
  }

  ServeOptions options;
  std::promise<void> release;
  bool released = false;
  IndexReport report;
  std::shared_ptr<const StaticIndex> index;
};

const std::vector<std::pair<std::string, std::string>> kBrowser = {
    {"Accept-Encoding", "gzip, deflate, br"}, {"Accept", "text/html"}};
const std::vector<std::pair<std::string, std::string>> kGzipOnly = {{"Accept-Encoding", "gzip"}};
const std::vector<std::pair<std::string, std::string>> kIdentity = {{"Accept-Encoding", "identity"}};

}  // namespace

TEST_CASE("serve answers at once while the compressor is held, then switches to brotli") {
  LargeBuild build;
  HeldStart start(build, /*use_cache=*/false);
  CHECK(start.report.compress_queued == kChunks + 1);
  CHECK(start.report.compressed_in_memory == 0);
  ServerScope server(start.index, start.options);

  RawResponse page = Request(server.port(), "GET", "/", kBrowser);
  RawResponse chunk = Request(server.port(), "GET", "/" + ChunkPath(123), kBrowser);
  REQUIRE(page.status == 200);
  REQUIRE(chunk.status == 200);
  CHECK_FALSE(chunk.Has("content-encoding"));
  CHECK(chunk.body == ChunkText(123));
  // Variants are coming, so a cache must not reuse this body for everyone.
  CHECK(chunk.Header("vary") == "Accept-Encoding");
  std::string identity_etag = chunk.Header("etag");
  CHECK(start.index->progress().done == 0);

  start.Release();
  REQUIRE(start.index->WaitForCompression(std::chrono::seconds(120)));
  CHECK(start.index->progress().done == kChunks + 1);
  CHECK(start.index->progress().saved_bytes > 0);

  RawResponse br = Request(server.port(), "GET", "/" + ChunkPath(123), kBrowser);
  RawResponse gzip = Request(server.port(), "GET", "/" + ChunkPath(123), kGzipOnly);
  RawResponse plain = Request(server.port(), "GET", "/" + ChunkPath(123), kIdentity);
  REQUIRE(br.Header("content-encoding") == "br");
  CHECK(BrotliDecompress(br.body) == ChunkText(123));
  REQUIRE(gzip.Header("content-encoding") == "gzip");
  CHECK(GzipDecompress(gzip.body) == ChunkText(123));
  CHECK(plain.body == ChunkText(123));
  // One tag per representation; identity's survives the switch.
  CHECK(plain.Header("etag") == identity_etag);
  CHECK(br.Header("etag") != identity_etag);
  CHECK(gzip.Header("etag") != identity_etag);
  CHECK(gzip.Header("etag") != br.Header("etag"));
  RawResponse revalidated =
      Request(server.port(), "GET", "/" + ChunkPath(123), {{"If-None-Match", identity_etag}});
  CHECK(revalidated.status == 304);
  RawResponse page_br = Request(server.port(), "GET", "/", kBrowser);
  CHECK(page_br.Header("content-encoding") == "br");
}

TEST_CASE("serve --precompress=wait has every variant before the first response") {
  LargeBuild build;
  ServeOptions options;
  options.levels.brotli_quality = 5;
  options.precompress = Precompress::kWait;
  auto source = OpenBundle(build.dist);
  IndexReport report;
  auto index = IndexForServe(*source, options, &report);
  CHECK(report.compress_queued == 0);
  CHECK(report.compressed_in_memory == kChunks + 1);
  CHECK(index->Find(ChunkPath(7))->Get(ContentCoding::kBrotli).has_value());
  CHECK(index->WaitForCompression(std::chrono::milliseconds(0)));
}

TEST_CASE("a restart serves brotli from the body cache at once, and ignores damaged entries") {
  LargeBuild build;
  {
    HeldStart first(build, /*use_cache=*/true);
    first.Release();
    REQUIRE(first.index->WaitForCompression(std::chrono::seconds(120)));
  }
  BodyCache cache(build.cache);
  auto key_of = [&](int chunk) {
    return BodyCacheKey{HashContent(ChunkText(chunk)), ContentCoding::kBrotli, 5, 22};
  };
  REQUIRE(fs::exists(cache.PathFor(key_of(1))));
  // Truncated, and one flipped byte with the length kept.
  std::string truncated = ReadFile(cache.PathFor(key_of(1)));
  WriteFile(cache.PathFor(key_of(1)), truncated.substr(0, truncated.size() - 10));
  std::string flipped = ReadFile(cache.PathFor(key_of(2)));
  flipped.back() ^= 0x20;
  WriteFile(cache.PathFor(key_of(2)), flipped);

  HeldStart second(build, /*use_cache=*/true);  // compressor held throughout
  CHECK(second.report.from_cache == kChunks + 1);
  CHECK(second.report.compress_queued == 2);  // the two damaged brotli bodies
  ServerScope server(second.index, second.options);
  RawResponse cached = Request(server.port(), "GET", "/" + ChunkPath(200), kBrowser);
  REQUIRE(cached.Header("content-encoding") == "br");
  CHECK(BrotliDecompress(cached.body) == ChunkText(200));
  for (int damaged : {1, 2}) {
    RawResponse r = Request(server.port(), "GET", "/" + ChunkPath(damaged), kBrowser);
    // Not brotli (the damaged body is never sent); gzip came from the cache.
    CHECK(r.Header("content-encoding") == "gzip");
    CHECK(GzipDecompress(r.body) == ChunkText(damaged));
  }
  second.Release();
  REQUIRE(second.index->WaitForCompression(std::chrono::seconds(60)));
  RawResponse repaired = Request(server.port(), "GET", "/" + ChunkPath(1), kBrowser);
  REQUIRE(repaired.Header("content-encoding") == "br");
  CHECK(BrotliDecompress(repaired.body) == ChunkText(1));
  // And the cache entry was rewritten whole.
  CHECK(BodyCache(build.cache).Lookup(key_of(1)).has_value());
}

TEST_CASE("the body cache verifies entries and prunes the least recently used first") {
  TempDir temp;
  std::string dir = temp / "bodies";
  auto key = [](int i) { return BodyCacheKey{HashContent("file " + std::to_string(i)), ContentCoding::kGzip, 9, 0}; };
  std::string body(1000, 'b');
  {
    BodyCache cache(dir);
    for (int i = 0; i < 10; ++i) cache.Store(key(i), body);
    REQUIRE(cache.Lookup(key(3)) == body);
    CHECK(cache.hits() == 1);
    // Another key's file under this key's name is damage too.
    fs::copy_file(cache.PathFor(key(4)), cache.PathFor(key(11)));
    CHECK_FALSE(cache.Lookup(key(11)).has_value());
    CHECK(cache.damaged() == 1);
    fs::remove(cache.PathFor(key(11)));
    CHECK_FALSE(cache.Lookup(key(12)).has_value());
    CHECK(cache.damaged() == 1);  // missing is not damaged
  }
  // Entry i last used i hours ago; then entry 9 (the oldest) is used again.
  auto now = fs::file_time_type::clock::now();
  BodyCache cache(dir, /*max_bytes=*/4 * 1100);
  for (int i = 0; i < 10; ++i) fs::last_write_time(cache.PathFor(key(i)), now - std::chrono::hours(i + 1));
  REQUIRE(cache.Lookup(key(9)).has_value());
  CHECK(cache.Prune() == 6);
  for (int i : {9, 0, 1, 2}) CHECK(fs::exists(cache.PathFor(key(i))));
  for (int i : {3, 4, 5, 6, 7, 8}) CHECK_FALSE(fs::exists(cache.PathFor(key(i))));
  CHECK(cache.Prune() == 0);
}

}  // namespace npsbundle::testing
