// Our gzip and brotli figures must equal the reference tools byte for byte:
// Python's zlib.compressobj(level, DEFLATED, 31) and `brotli -q Q -w W -c`.
#include "core/compression.h"

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/test_support.h"

namespace npsbundle::testing {
namespace {

uint64_t ReferenceGzipSize(const std::string& path, int level) {
  CommandResult r = Run({"python3", "-c",
                         "import sys,zlib\n"
                         "c=zlib.compressobj(int(sys.argv[2]),zlib.DEFLATED,31)\n"
                         "d=open(sys.argv[1],'rb').read()\n"
                         "print(len(c.compress(d)+c.flush()))\n",
                         path, std::to_string(level)});
  REQUIRE(r.exit_code == 0);
  return std::stoull(r.out);
}

uint64_t ReferenceBrotliSize(const std::string& path, int quality, int window) {
  CommandResult r = Run({"brotli", "-q", std::to_string(quality), "-w", std::to_string(window), "-c", path});
  REQUIRE(r.exit_code == 0);
  return r.out.size();
}

// The largest .js file of a fixture build.
std::string LargestScript(const std::string& build) {
  std::string best;
  uintmax_t best_size = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(build)) {
    if (e.path().extension() == ".js" && e.file_size() > best_size) {
      best_size = e.file_size();
      best = e.path().string();
    }
  }
  return best;
}

}  // namespace

TEST_CASE("compression: sizes equal the reference tools on small and >1 MB files", "[compression][reference]") {
  std::string large = LargestScript(Fixture("bloated"));
  REQUIRE(std::filesystem::file_size(large) > 1000000);
  const std::string files[] = {Fixture("good") + "/index.html", Fixture("good") + "/favicon.svg",
                               LargestScript(Fixture("good")), large};
  for (const std::string& path : files) {
    std::string data = ReadFile(path);
    INFO(path);
    CHECK(GzipCompress(data, 9).size() == ReferenceGzipSize(path, 9));
    CHECK(BrotliCompress(data, 11, 22).size() == ReferenceBrotliSize(path, 11, 22));
  }
  // Other levels too, as set with --gzip-level / --brotli-quality.
  std::string medium = LargestScript(Fixture("good"));
  std::string data = ReadFile(medium);
  CHECK(GzipCompress(data, 6).size() == ReferenceGzipSize(medium, 6));
  CHECK(BrotliCompress(data, 5, 22).size() == ReferenceBrotliSize(medium, 5, 22));
}

TEST_CASE("compression: round trips and the gzip header is reproducible", "[compression]") {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "line " + std::to_string(i) + " of some text\n";
  for (const std::string& input : {std::string(), std::string("x"), text}) {
    std::string gz = GzipCompress(input, 9);
    CHECK(GzipDecompress(gz) == input);
    CHECK(gz == GzipCompress(input, 9));
    CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);
    CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
    CHECK(BrotliDecompress(BrotliCompress(input, 11, 22)) == input);
  }
  CHECK_THROWS(GzipDecompress("not gzip"));
  std::string truncated = BrotliCompress(text, 11, 22);
  truncated.resize(truncated.size() / 2);
  CHECK_THROWS(BrotliDecompress(truncated));
}

TEST_CASE("compression: text-like files by extension", "[compression]") {
  const std::pair<const char*, bool> cases[] = {
      {"assets/a.js", true},  {"a.mjs", true},   {"x/y.CSS", true},   {"index.html", true}, {"logo.svg", true},
      {"m.json", true},       {"a.wasm", true},  {"a.js.map", true},  {"site.webmanifest", true},
      {"logo.png", false},    {"font.woff2", false}, {"a.js.br", false}, {"a.js.gz", false}, {"Makefile", false},
      {".js", false},
  };
  for (const auto& [path, expected] : cases) {
    INFO(path);
    CHECK(IsTextLike(path) == expected);
  }
}

}  // namespace npsbundle::testing
