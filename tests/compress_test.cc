#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "compress.h"
#include "compression.h"
#include "error.h"
#include "test_support.h"

namespace npsbundle::testing {
namespace {
namespace fs = std::filesystem;

// Every regular file under `root` with its bytes and mtime (nanoseconds).
struct Snapshot {
  std::map<std::string, std::string> bytes;
  std::map<std::string, int64_t> mtimes;
};
Snapshot Take(const std::string& root) {
  Snapshot snapshot;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string path = fs::relative(entry.path(), root).generic_string();
    snapshot.bytes[path] = ReadFile(entry.path().string());
    struct stat st {};
    stat(entry.path().c_str(), &st);
    snapshot.mtimes[path] = st.st_mtim.tv_sec * 1000000000ll + st.st_mtim.tv_nsec;
  }
  return snapshot;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST_CASE("compress writes variants that decode to the originals", "[compress]") {
  TempDir temp;
  std::string dist = temp / "dist";
  CopyTree(Fixture("good"), dist);
  Snapshot before = Take(dist);

  CompressResult result = CompressFolder(dist, CompressOptions{});
  Snapshot after = Take(dist);
  size_t text_files = 0;
  for (const auto& [path, bytes] : before.bytes) {
    INFO(path);
    CHECK(after.bytes.at(path) == bytes);  // originals untouched
    if (!IsTextLike(path) || path.rfind(".vite/", 0) == 0) {
      CHECK_FALSE(after.bytes.count(path + ".br"));
      continue;
    }
    ++text_files;
    REQUIRE(after.bytes.count(path + ".br"));
    REQUIRE(after.bytes.count(path + ".gz"));
    CHECK(BrotliDecompress(after.bytes.at(path + ".br")) == bytes);
    CHECK(GzipDecompress(after.bytes.at(path + ".gz")) == bytes);
    // The levels of the issue: brotli 11, gzip 9.
    CHECK(after.bytes.at(path + ".br") == BrotliCompress(bytes, 11, 22));
    CHECK(after.bytes.at(path + ".gz") == GzipCompress(bytes, 9));
  }
  CHECK(result.files == text_files);
  CHECK(result.written == 2 * text_files);
  CHECK(result.up_to_date == 0);
  for (const auto& [path, bytes] : after.bytes) CHECK(path.find(".tmp-") == std::string::npos);

  // A second run rewrites nothing: same bytes, same mtimes.
  CompressResult again = CompressFolder(dist, CompressOptions{});
  CHECK(again.written == 0);
  CHECK(again.up_to_date == 2 * text_files);
  Snapshot third = Take(dist);
  CHECK(third.bytes == after.bytes);
  CHECK(third.mtimes == after.mtimes);

  // Stale and corrupt variants are rewritten; so are those of a changed file.
  std::string js = dist + "/assets/index-Bl1MOBpP.js";
  WriteFile(js + ".gz", GzipCompress("console.log('old build')", 9));
  WriteFile(js + ".br", "garbage");
  std::string css = dist + "/assets/index-CNgsl1pN.css";
  WriteFile(css, ReadFile(css) + "\n.extra{color:blue}\n");
  CompressResult fixed = CompressFolder(dist, CompressOptions{});
  CHECK(fixed.written == 4);
  CHECK(fixed.stale == 4);
  CHECK(GzipDecompress(ReadFile(js + ".gz")) == ReadFile(js));
  CHECK(BrotliDecompress(ReadFile(js + ".br")) == ReadFile(js));
  CHECK(BrotliDecompress(ReadFile(css + ".br")) == ReadFile(css));
  CHECK(GzipDecompress(ReadFile(css + ".gz")) == ReadFile(css));
  CHECK(ReadFile(js) == before.bytes.at("assets/index-Bl1MOBpP.js"));
}

TEST_CASE("compress honours the margin and removes stale variants not worth keeping", "[compress]") {
  TempDir temp;
  WriteFile(temp / "tiny.js", "x");
  WriteFile(temp / "big.js", std::string(5000, 'a'));
  WriteFile(temp / "big.js.gz", GzipCompress("something else entirely", 9));
  WriteFile(temp / "tiny.js.br", BrotliCompress("stale", 11, 22));
  WriteFile(temp / "photo.png", std::string(5000, 'p'));
  CompressOptions options;
  options.levels.brotli_quality = 5;
  CompressResult result = CompressFolder(temp.path().string(), options);
  CHECK(result.files == 2);
  CHECK_FALSE(fs::exists(temp / "tiny.js.br"));  // stale and never worth it: removed
  CHECK_FALSE(fs::exists(temp / "tiny.js.gz"));
  CHECK(result.removed == 1);
  CHECK(fs::exists(temp / "big.js.br"));
  CHECK(GzipDecompress(ReadFile(temp / "big.js.gz")) == std::string(5000, 'a'));
  CHECK_FALSE(fs::exists(temp / "photo.png.br"));

  options.min_saving_percent = 99.99;
  fs::remove(temp / "big.js.br");
  CompressResult strict = CompressFolder(temp.path().string(), options);
  CHECK_FALSE(fs::exists(temp / "big.js.br"));
  CHECK(strict.below_margin >= 1);
}

TEST_CASE("compress input errors", "[compress]") {
  CHECK_THROWS_AS(CompressFolder("no/such/dist", CompressOptions{}), InputError);
  TempDir temp;
  WriteFile(temp / "build.tar.gz", "x");
  CHECK_THROWS_WITH(CompressFolder(temp / "build.tar.gz", CompressOptions{}),
                    Catch::Contains("needs a build folder"));
  CHECK(ParsePercent("5", "--min-saving") == 5.0);
  CHECK(ParsePercent("2.5%", "--min-saving") == 2.5);
  CHECK_THROWS_AS(ParsePercent("100", "--min-saving"), InputError);
  CHECK_THROWS_AS(ParsePercent("-1", "--min-saving"), InputError);
  CHECK_THROWS_AS(ParsePercent("five", "--min-saving"), InputError);
}

TEST_CASE("compress binary: summary line, levels, exit codes", "[compress]") {
  TempDir temp;
  std::string dist = temp / "dist";
  CopyTree(Fixture("good"), dist);
  CommandResult first = RunNpsbundle({"compress", dist, "--brotli-quality", "5", "--gzip-level", "6"});
  CHECK(first.exit_code == 0);
  CHECK(first.out.find("compress " + dist + ": 21 text files: wrote 42 variants") == 0);
  CHECK(first.err.empty());  // no progress bar when stderr is not a terminal
  std::string js = dist + "/assets/vendor-react-D-9X1o8U.js";
  CHECK(ReadFile(js + ".gz") == GzipCompress(ReadFile(js), 6));
  CommandResult second = RunNpsbundle({"compress", dist});
  CHECK(second.exit_code == 0);
  CHECK(second.out.find("wrote 0 variants (0 replaced stale ones), 42 up to date") != std::string::npos);
  CommandResult forced = RunNpsbundle({"compress", dist, "--force", "--brotli-quality", "5"});
  CHECK(forced.out.find("wrote 21 variants") != std::string::npos);  // only the gzip ones differ
  CHECK(ReadFile(js + ".gz") == GzipCompress(ReadFile(js), 9));

  CommandResult archive = RunNpsbundle({"compress", Fixture("good") + "/index.html"});
  CHECK(archive.exit_code == 2);
  CHECK(RunNpsbundle({"compress", dist, "--brotli-quality", "12"}).exit_code == 2);
  CHECK(RunNpsbundle({"compress", dist, "--min-saving", "abc"}).exit_code == 2);
  CommandResult missing = RunNpsbundle({"compress", temp / "nope"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "npsbundle: error: " + (temp / "nope") + ": no such file or folder\n");
}

}  // namespace
}  // namespace npsbundle::testing
