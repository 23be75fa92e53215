#include "build/file_sizes.h"

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/bundle_source.h"
#include "core/compression.h"
#include "core/error.h"

namespace npsbundle {
namespace {

// Some compressible text that differs per call, so sizes differ per file.
std::string Text(const std::string& seed, int lines) {
  std::string out;
  for (int i = 0; i < lines; ++i) {
    out += "export const " + seed + std::to_string(i) + " = \"" + seed + " line " + std::to_string(i * 7919 % 1000) +
           "\";\n";
  }
  return out;
}

std::string Binary(size_t size) {
  std::string out(size, '\0');
  uint32_t x = 2463534242u;
  for (char& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x & 0xff);
  }
  return out;
}

const FileMeasurement& Find(const std::vector<FileMeasurement>& results, const std::string& path) {
  for (const FileMeasurement& m : results) {
    if (m.path == path) return m;
  }
  FAIL("no measurement for " << path);
  throw 0;  // unreachable
}

std::vector<std::string> Paths(const std::vector<FileMeasurement>& results) {
  std::vector<std::string> paths;
  for (const FileMeasurement& m : results) paths.push_back(m.path);
  return paths;
}

TEST_CASE("measure: text files are compressed at the chosen levels; others count raw", "[measure]") {
  const std::string js = Text("a", 300);
  const std::string css = Text("b", 120);
  const std::string png = Binary(3000);
  const std::string map = Text("m", 200);
  auto source = MakeMemorySource("dist", {{"assets/a.js", js},
                                          {"assets/b.css", css},
                                          {"assets/logo.png", png},
                                          {"assets/a.js.map", map},
                                          {"index.html", "<!doctype html><title>x</title>"}});
  MeasureOptions options;
  std::vector<FileMeasurement> results = MeasureBuild(*source, options);
  CHECK(Paths(results) ==
        std::vector<std::string>{"assets/a.js", "assets/a.js.map", "assets/b.css", "assets/logo.png", "index.html"});

  const FileMeasurement& a = Find(results, "assets/a.js");
  CHECK(a.raw == js.size());
  CHECK(a.compressible);
  CHECK(a.gzip == GzipCompress(js, 9).size());
  CHECK(a.brotli == BrotliCompress(js, 11, 22).size());
  CHECK(a.gzip < a.raw);
  CHECK_FALSE(a.gzip_from_sibling);
  CHECK_FALSE(a.brotli_from_sibling);

  const FileMeasurement& b = Find(results, "assets/b.css");
  CHECK(b.gzip == GzipCompress(css, 9).size());
  CHECK(b.brotli == BrotliCompress(css, 11, 22).size());

  const FileMeasurement& logo = Find(results, "assets/logo.png");
  CHECK_FALSE(logo.compressible);
  CHECK(logo.raw == png.size());
  CHECK(logo.gzip == png.size());
  CHECK(logo.brotli == png.size());

  // Source maps: raw only.
  const FileMeasurement& m = Find(results, "assets/a.js.map");
  CHECK_FALSE(m.compressible);
  CHECK(m.raw == map.size());
  CHECK(m.gzip == map.size());
  CHECK(m.brotli == map.size());

  CHECK(Find(results, "index.html").compressible);
}

TEST_CASE("measure: levels from the options are used", "[measure]") {
  const std::string js = Text("levels", 2000);
  auto source = MakeMemorySource("dist", {{"a.js", js}});
  MeasureOptions options;
  options.levels.gzip_level = 1;
  options.levels.brotli_quality = 4;
  options.levels.brotli_window = 16;
  std::vector<FileMeasurement> results = MeasureBuild(*source, options);
  REQUIRE(results.size() == 1);
  CHECK(results[0].gzip == GzipCompress(js, 1).size());
  CHECK(results[0].brotli == BrotliCompress(js, 4, 16).size());
  // The levels make a difference on this input, so the check above means something.
  CHECK(GzipCompress(js, 1).size() != GzipCompress(js, 9).size());
  CHECK(BrotliCompress(js, 4, 16).size() != BrotliCompress(js, 11, 22).size());
}

TEST_CASE("measure: precompressed siblings give the sizes and are no assets of their own", "[measure]") {
  const std::string js = Text("s", 400);
  const std::string css = Text("c", 100);
  const std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\">" + Text("v", 50) + "</svg>";
  auto source = MakeMemorySource("dist", {
                                             {"assets/a.js", js},
                                             {"assets/a.js.gz", std::string(17, 'g')},
                                             {"assets/a.js.br", std::string(11, 'b')},
                                             {"assets/b.css", css},
                                             {"assets/b.css.br", std::string(5, 'b')},
                                             {"logo.svg", svg},
                                             {"logo.svg.gz", std::string(23, 'g')},
                                             {"orphan.txt.gz", std::string(40, 'o')},  // no orphan.txt
                                         });
  std::vector<FileMeasurement> results = MeasureBuild(*source, MeasureOptions{});
  CHECK(Paths(results) == std::vector<std::string>{"assets/a.js", "assets/b.css", "logo.svg", "orphan.txt.gz"});

  const FileMeasurement& a = Find(results, "assets/a.js");
  CHECK(a.raw == js.size());
  CHECK(a.gzip == 17);
  CHECK(a.brotli == 11);
  CHECK(a.gzip_from_sibling);
  CHECK(a.brotli_from_sibling);

  const FileMeasurement& b = Find(results, "assets/b.css");
  CHECK(b.gzip == GzipCompress(css, 9).size());
  CHECK_FALSE(b.gzip_from_sibling);
  CHECK(b.brotli == 5);
  CHECK(b.brotli_from_sibling);

  const FileMeasurement& logo = Find(results, "logo.svg");
  CHECK(logo.gzip == 23);
  CHECK(logo.gzip_from_sibling);
  CHECK(logo.brotli == BrotliCompress(svg, 11, 22).size());
  CHECK_FALSE(logo.brotli_from_sibling);

  // A .gz without its original is a file like any other.
  const FileMeasurement& orphan = Find(results, "orphan.txt.gz");
  CHECK(orphan.raw == 40);
  CHECK_FALSE(orphan.compressible);
  CHECK(orphan.gzip == 40);
}

TEST_CASE("measure: use_siblings=false compresses anyway but still skips siblings", "[measure]") {
  const std::string js = Text("n", 300);
  auto source = MakeMemorySource("dist", {{"a.js", js}, {"a.js.gz", "tiny"}, {"a.js.br", "tiny"}});
  MeasureOptions options;
  options.use_siblings = false;
  std::vector<FileMeasurement> results = MeasureBuild(*source, options);
  REQUIRE(results.size() == 1);
  CHECK(results[0].gzip == GzipCompress(js, 9).size());
  CHECK(results[0].brotli == BrotliCompress(js, 11, 22).size());
  CHECK_FALSE(results[0].gzip_from_sibling);
  CHECK_FALSE(results[0].brotli_from_sibling);
}

TEST_CASE("measure: IsPrecompressedSibling", "[measure]") {
  auto source = MakeMemorySource("dist", {{"a.js", "x"}, {"a.js.gz", "x"}, {"a.js.br", "x"}, {"b.gz", "x"},
                                          {"c.br", "x"}, {"logo.png", "x"}, {"logo.png.gz", "x"}});
  struct Case {
    const char* path;
    bool sibling;
  };
  const Case cases[] = {
      {"a.js.gz", true}, {"a.js.br", true}, {"logo.png.gz", true}, {"a.js", false},    {"b.gz", false},
      {"c.br", false},   {"a.js.zst", false}, {"x.js.gz", false},    {".gz", false},
  };
  for (const Case& c : cases) {
    INFO(c.path);
    CHECK(IsPrecompressedSibling(*source, c.path) == c.sibling);
  }
}

TEST_CASE("measure: results do not depend on the number of threads", "[measure]") {
  std::map<std::string, std::string> files;
  for (int i = 0; i < 40; ++i) {
    std::string name = "assets/chunk" + std::to_string(i);
    files[name + ".js"] = Text("t" + std::to_string(i), 20 + i * 13);
    if (i % 5 == 0) files[name + ".js.gz"] = std::string(static_cast<size_t>(i + 3), 'z');
    if (i % 7 == 0) files[name + ".png"] = Binary(static_cast<size_t>(100 + i));
  }
  auto source = MakeMemorySource("dist", files);
  auto run = [&](unsigned threads) {
    MeasureOptions options;
    options.threads = threads;
    return MeasureBuild(*source, options);
  };
  std::vector<FileMeasurement> one = run(1);
  REQUIRE(one.size() == 40 + 6);  // siblings are not listed; the pngs are
  for (unsigned threads : {0u, 2u, 3u, 8u, 100u}) {
    INFO("threads " << threads);
    std::vector<FileMeasurement> many = run(threads);
    REQUIRE(many.size() == one.size());
    for (size_t i = 0; i < one.size(); ++i) {
      INFO(one[i].path);
      CHECK(many[i].path == one[i].path);
      CHECK(many[i].raw == one[i].raw);
      CHECK(many[i].gzip == one[i].gzip);
      CHECK(many[i].brotli == one[i].brotli);
      CHECK(many[i].compressible == one[i].compressible);
      CHECK(many[i].gzip_from_sibling == one[i].gzip_from_sibling);
      CHECK(many[i].brotli_from_sibling == one[i].brotli_from_sibling);
    }
  }
  // And each figure is the one computed directly.
  for (const FileMeasurement& m : one) {
    if (m.path.ends_with(".png") || m.gzip_from_sibling) continue;
    INFO(m.path);
    CHECK(m.gzip == GzipCompress(files[m.path], 9).size());
  }
}

TEST_CASE("measure: an empty build measures nothing", "[measure]") {
  auto source = MakeMemorySource("dist", {});
  CHECK(MeasureBuild(*source, MeasureOptions{}).empty());
}

// A build whose files cannot be read back, to check errors cross threads.
class BrokenSource : public BundleSource {
 public:
  BrokenSource() : BundleSource("broken") {
    std::vector<SourceFile> files;
    for (int i = 0; i < 10; ++i) files.push_back({"f" + std::to_string(i) + ".js", 100});
    SetFiles(std::move(files));
  }
  std::string Read(std::string_view path) const override {
    throw InputError(DisplayPath(path) + ": read error");
  }
};

TEST_CASE("measure: a read error surfaces as the InputError, whatever the threads", "[measure]") {
  BrokenSource source;
  for (unsigned threads : {1u, 4u}) {
    MeasureOptions options;
    options.threads = threads;
    std::string error;
    try {
      MeasureBuild(source, options);
    } catch (const InputError& e) {
      error = e.what();
    }
    CHECK_THAT(error, Catch::Matchers::Matches("broken/f[0-9]\\.js: read error"));
  }
}

}  // namespace
}  // namespace npsbundle
