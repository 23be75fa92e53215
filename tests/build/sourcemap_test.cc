// Source map decoding and byte attribution on hand-made maps: expected
// figures come from how each map was constructed, never from the decoder.
#include "build/sourcemap.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "core/error.h"

namespace npsbundle {
namespace {

// Base64 VLQ encoder, written from the spec for the tests.
std::string Vlq(int64_t value) {
  static const char* kDigits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint64_t v = value < 0 ? ((static_cast<uint64_t>(-value)) << 1) | 1 : static_cast<uint64_t>(value) << 1;
  std::string out;
  do {
    int digit = static_cast<int>(v & 31);
    v >>= 5;
    if (v) digit |= 32;
    out += kDigits[digit];
  } while (v);
  return out;
}

// Builds a mappings string from absolute segments {line, column, source}
// (source -1: a 1-field segment), given in order.
struct Seg {
  uint32_t line, column;
  int source;
};
std::string Encode(const std::vector<Seg>& segs) {
  std::string out;
  uint32_t line = 0;
  int64_t column = 0, source = 0;
  bool first_on_line = true;
  for (const Seg& s : segs) {
    while (line < s.line) {
      out += ';';
      ++line;
      column = 0;
      first_on_line = true;
    }
    if (!first_on_line) out += ',';
    first_on_line = false;
    out += Vlq(s.column - column);
    column = s.column;
    if (s.source >= 0) {
      out += Vlq(s.source - source) + Vlq(0) + Vlq(0);
      source = s.source;
    }
  }
  return out;
}

SourceMap Map(std::vector<std::string> sources, const std::vector<Seg>& segs) {
  SourceMap map;
  map.sources = std::move(sources);
  map.mappings = Encode(segs);
  return map;
}

}  // namespace

TEST_CASE("sourcemap: VLQ values round-trip through the decoder", "[sourcemap]") {
  const int64_t values[] = {0, 1, -1, 15, 16, -16, 31, 32, 1000, -1000, 123456789, -987654321};
  for (int64_t v : values) {
    // A 4-field segment whose generated column is v (when non-negative).
    std::string text = Vlq(v < 0 ? -v : v) + Vlq(0) + Vlq(0) + Vlq(v);
    MappingsDecoder decoder(text, 1);
    MappingSegment seg;
    std::string error;
    INFO(v << " " << text);
    REQUIRE(decoder.Next(&seg, &error));
    CHECK(seg.column == static_cast<uint32_t>(v < 0 ? -v : v));
    CHECK(seg.source == 0);
    CHECK_FALSE(decoder.Next(&seg, &error));
    CHECK(error.empty());
  }
}

TEST_CASE("sourcemap: segments carry lines, relative columns and sources", "[sourcemap]") {
  std::vector<Seg> segs = {{0, 0, 0}, {0, 5, 1}, {0, 9, -1}, {2, 3, 1}, {2, 4, 0}};
  std::string text = Encode(segs);
  MappingsDecoder decoder(text, 2);
  MappingSegment seg;
  std::string error;
  for (const Seg& expected : segs) {
    REQUIRE(decoder.Next(&seg, &error));
    CHECK(seg.line == expected.line);
    CHECK(seg.column == expected.column);
    CHECK(seg.source == expected.source);
  }
  CHECK_FALSE(decoder.Next(&seg, &error));
  CHECK(error.empty());
}

TEST_CASE("sourcemap: malformed mappings name the offset", "[sourcemap]") {
  struct Case {
    std::string mappings, error;
  };
  const Case cases[] = {
      {"AAAA,A!AA", "offset 6: invalid base64 character '!'"},
      {"AAAA,g", "offset 6: mappings end inside a VLQ number"},
      {"AA", "offset 0: segment has 2 fields (expected 1, 4 or 5)"},
      {"AAAAAA", "offset 0: segment has more than 5 fields"},
      {"ACAA", "offset 0: source index 1 out of range (1 sources)"},
      {"D", "offset 0: negative generated column"},
  };
  for (const Case& c : cases) {
    SourceMap map;
    map.sources = {"a.js"};
    map.mappings = c.mappings;
    INFO(c.mappings);
    try {
      AttributeBytes("x\n", map, "m.map");
      FAIL("no error");
    } catch (const InputError& e) {
      CHECK(std::string(e.what()) == "m.map: mappings: " + c.error);
    }
  }
}

TEST_CASE("sourcemap: every byte goes to the segment at or before it", "[sourcemap]") {
  // Line 0: "aaaaBBBcc\n": 'a' from source 0 at col 0, 'B' source 1 at col 4,
  //         'c' 1-field (unmapped) at col 7. Line 1: "zz\n" no segments.
  // Line 2: "  dd": bytes before col 2 unmapped, then source 0.
  std::string code = "aaaaBBBcc\nzz\n  dd";
  SourceMap map = Map({"a.ts", "b.ts"}, {{0, 0, 0}, {0, 4, 1}, {0, 7, -1}, {2, 2, 0}});
  ByteAttribution a = AttributeBytes(code, map, "m");
  CHECK(a.per_source[0] == 4 + 2);
  CHECK(a.per_source[1] == 3);
  CHECK(a.unmapped == 3 /* "cc\n" */ + 3 /* "zz\n" */ + 2 /* "  " */);
  CHECK(a.per_source[0] + a.per_source[1] + a.unmapped == code.size());
}

TEST_CASE("sourcemap: columns are UTF-16 code units, not bytes", "[sourcemap]") {
  // "é" is 2 bytes / 1 unit, "€" 3 bytes / 1 unit, "😀" 4 bytes / 2 units.
  std::string code = "é€😀xY";
  // Source 1 starts at "Y": units é(1) €(1) 😀(2) x(1) = column 5.
  SourceMap map = Map({"a", "b"}, {{0, 0, 0}, {0, 5, 1}});
  ByteAttribution a = AttributeBytes(code, map, "m");
  CHECK(a.per_source[0] == 2 + 3 + 4 + 1);
  CHECK(a.per_source[1] == 1);
}

TEST_CASE("sourcemap: segments past the end of the code are ignored, columns clamp", "[sourcemap]") {
  // The 1-field segment at column 50 lies beyond "abc": it covers nothing,
  // not even the line's '\n'.
  SourceMap map = Map({"a"}, {{0, 0, 0}, {0, 50, -1}, {7, 0, 0}});
  ByteAttribution a = AttributeBytes("abc\n", map, "m");
  CHECK(a.per_source[0] == 4);
  CHECK(a.unmapped == 0);
}

TEST_CASE("sourcemap: ParseSourceMap reads sources with sourceRoot and reports bad fields", "[sourcemap]") {
  SourceMap map = ParseSourceMap(R"({"version":3,"sourceRoot":"src","sources":["a.ts",null],"mappings":"AAAA"})", "x.map");
  REQUIRE(map.sources.size() == 2);
  CHECK(map.sources[0] == "src/a.ts");
  CHECK(map.sources[1].empty());
  CHECK(map.mappings == "AAAA");
  struct Case {
    std::string json, error;
  };
  const Case cases[] = {
      {R"({"version":2,"sources":[],"mappings":""})", "x.map: version: expected 3"},
      {R"({"version":3,"sources":[1],"mappings":""})", "x.map: sources[0]: expected a string"},
      {R"({"version":3,"sources":"a","mappings":""})", "x.map: sources: expected an array of strings"},
      {R"({"version":3,"sources":[],"mappings":5})", "x.map: mappings: expected a string"},
      {R"({"version":3,"sections":[]})", "x.map: sections: index source maps are not supported (use a bundler's flat map)"},
      {R"([1])", "x.map: expected a source map object"},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    try {
      ParseSourceMap(c.json, "x.map");
      FAIL("no error");
    } catch (const InputError& e) {
      CHECK(std::string(e.what()) == c.error);
    }
  }
  CHECK_THROWS_AS(ParseSourceMap("{\"version\":3", "x.map"), InputError);
}

TEST_CASE("sourcemap: a multi-megabyte map is attributed exactly", "[sourcemap]") {
  // Its speed is measured in bench/, not here: shared machines make timed tests flaky.
  // One minified line of 2,000,000 bytes with a segment every 8 bytes over
  // 500 sources, like a large vendor chunk: about 250,000 segments.
  const size_t kBytes = 2'000'000, kStep = 8, kSources = 500;
  std::string line(kBytes, 'x');
  std::string code = line + "\n" + line + "\n" + line + "\n" + line;
  std::vector<Seg> segs;
  for (uint32_t l = 0; l < 4; ++l) {
    for (size_t col = 0; col < kBytes; col += kStep) {
      segs.push_back({l, static_cast<uint32_t>(col), static_cast<int>((col / kStep) % kSources)});
    }
  }
  SourceMap map;
  for (size_t i = 0; i < kSources; ++i) map.sources.push_back("node_modules/p" + std::to_string(i) + "/index.js");
  map.mappings = Encode(segs);
  REQUIRE(map.mappings.size() > 4'000'000);
  ByteAttribution a = AttributeBytes(code, map, "m");
  uint64_t sum = a.unmapped;
  for (uint64_t v : a.per_source) sum += v;
  CHECK(sum == code.size());
  // Each line gives every source kBytes / kStep / kSources segments of kStep
  // bytes; the three '\n' go to the last segment of their line (source 499).
  const uint64_t per_line = kBytes / kStep / kSources * kStep;
  CHECK(a.per_source[0] == 4 * per_line);
  CHECK(a.per_source[kSources - 1] == 4 * per_line + 3);
  CHECK(a.unmapped == 0);
}

}  // namespace npsbundle
