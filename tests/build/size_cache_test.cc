#include "build/size_cache.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/test_support.h"

namespace npsbundle::testing {

TEST_CASE("size cache: figures survive a reload, keyed by content, measure and settings", "[cache]") {
  TempDir dir;
  ContentHash a = HashContent("alpha"), b = HashContent("beta");
  CHECK(!(a == b));
  CHECK(a == HashContent("alpha"));
  {
    SizeCache cache(dir.path().string());
    CHECK(!cache.Lookup(a, CacheMeasure::kGzip, 9, 0));
    cache.Store(a, CacheMeasure::kGzip, 9, 0, 123);
    cache.Store(a, CacheMeasure::kBrotli, 11, 22, 100);
    REQUIRE(cache.Save());
    CHECK(cache.warnings().empty());
  }
  SizeCache cache(dir.path().string());
  CHECK(cache.Lookup(a, CacheMeasure::kGzip, 9, 0) == std::optional<uint64_t>(123));
  CHECK(cache.Lookup(a, CacheMeasure::kBrotli, 11, 22) == std::optional<uint64_t>(100));
  // Another level, window, measure or content is another key.
  CHECK(!cache.Lookup(a, CacheMeasure::kGzip, 6, 0));
  CHECK(!cache.Lookup(a, CacheMeasure::kBrotli, 11, 24));
  CHECK(!cache.Lookup(b, CacheMeasure::kGzip, 9, 0));
  CHECK(cache.hits() == 2);
  CHECK(cache.misses() == 3);
}

TEST_CASE("size cache: damaged files are ignored with a warning and rewritten", "[cache]") {
  TempDir dir;
  ContentHash a = HashContent("alpha");
  {
    SizeCache cache(dir.path().string());
    cache.Store(a, CacheMeasure::kGzip, 9, 0, 123);
    cache.Store(HashContent("beta"), CacheMeasure::kGzip, 9, 0, 77);
    REQUIRE(cache.Save());
  }
  std::string file = dir / "sizes-v1.txt";
  std::string good = ReadFile(file);

  SECTION("a changed figure fails its checksum") {
    std::string tampered = good;
    size_t pos = tampered.find(" 123 ");
    REQUIRE(pos != std::string::npos);
    tampered.replace(pos, 5, " 124 ");
    WriteFile(file, tampered);
    SizeCache cache(dir.path().string());
    CHECK(!cache.Lookup(a, CacheMeasure::kGzip, 9, 0));
    CHECK(cache.warnings().size() == 1);
  }
  SECTION("a truncated file keeps its whole lines") {
    WriteFile(file, good.substr(0, good.size() - 10));
    SizeCache cache(dir.path().string());
    CHECK(cache.warnings().size() == 1);
    CHECK(cache.Lookup(a, CacheMeasure::kGzip, 9, 0).value_or(123) == 123);
  }
  SECTION("garbage is not a cache") {
    WriteFile(file, std::string("\x00\x01garbage\n", 10));
    SizeCache cache(dir.path().string());
    CHECK(!cache.Lookup(a, CacheMeasure::kGzip, 9, 0));
    CHECK(cache.warnings().size() == 1);
    cache.Store(a, CacheMeasure::kGzip, 9, 0, 5);
    CHECK(cache.Save());
    CHECK(SizeCache(dir.path().string()).Lookup(a, CacheMeasure::kGzip, 9, 0) == std::optional<uint64_t>(5));
  }
}

TEST_CASE("size cache: two runs saving at once keep each other's entries", "[cache]") {
  TempDir dir;
  SizeCache first(dir.path().string());
  SizeCache second(dir.path().string());
  first.Store(HashContent("one"), CacheMeasure::kGzip, 9, 0, 1);
  second.Store(HashContent("two"), CacheMeasure::kGzip, 9, 0, 2);
  REQUIRE(first.Save());
  REQUIRE(second.Save());
  SizeCache reader(dir.path().string());
  CHECK(reader.Lookup(HashContent("one"), CacheMeasure::kGzip, 9, 0) == std::optional<uint64_t>(1));
  CHECK(reader.Lookup(HashContent("two"), CacheMeasure::kGzip, 9, 0) == std::optional<uint64_t>(2));
}

TEST_CASE("size cache: an unwritable cache folder is a warning, not an error", "[cache]") {
  TempDir dir;
  WriteFile(dir / "file", "x");
  SizeCache cache(dir / "file/sub");
  cache.Store(HashContent("x"), CacheMeasure::kGzip, 9, 0, 1);
  CHECK(!cache.Save());
  CHECK(!cache.warnings().empty());
}

TEST_CASE("check e2e: a warm cache gives the same report without compressing", "[e2e][cache]") {
  TempDir dir;
  std::string cache = dir / "cache";
  CommandResult cold = RunNpsbundle({"check", Fixture("good"), "-f", "json", "--cache", cache});
  REQUIRE(cold.exit_code == 0);
  CHECK(cold.out.find("\"cache\": {\"hits\": 0,") != std::string::npos);
  CommandResult warm = RunNpsbundle({"check", Fixture("good"), "-f", "json", "--cache", cache});
  REQUIRE(warm.exit_code == 0);
  CHECK(warm.out.find("\"misses\": 0}") != std::string::npos);
  auto files = [](const std::string& json) { return json.substr(json.find("\"entries\"")); };
  CHECK(files(warm.out) == files(cold.out));
  // A corrupt cache is never fatal and never changes a figure.
  WriteFile(cache + "/sizes-v1.txt", "npsbundle-size-cache 1\nnonsense line\n");
  CommandResult damaged = RunNpsbundle({"check", Fixture("good"), "-f", "json", "--cache", cache});
  CHECK(damaged.exit_code == 0);
  CHECK(files(damaged.out) == files(cold.out));
  CHECK(damaged.err.find("npsbundle: warning: ") == 0);
  // --no-cache neither reads nor writes.
  TempDir other;
  CommandResult none = RunNpsbundle({"check", Fixture("good"), "-f", "json", "--no-cache", "--cache", other / "c"});
  CHECK(none.out.find("\"cache\": {\"hits\": 0, \"misses\": 0}") != std::string::npos);
  CHECK(!std::filesystem::exists(other / "c"));
}

}  // namespace npsbundle::testing
