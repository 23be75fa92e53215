#include "core/units.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

namespace npsbundle {
namespace {

TEST_CASE("units: MeasureName", "[units]") {
  CHECK(MeasureName(Measure::kRaw) == "raw");
  CHECK(MeasureName(Measure::kGzip) == "gzip");
  CHECK(MeasureName(Measure::kBrotli) == "brotli");
}

TEST_CASE("units: ParseSize accepts numbers with every unit", "[units]") {
  struct Case {
    const char* text;
    uint64_t bytes;
  };
  const Case cases[] = {
      {"0", 0},
      {"123", 123},
      {"10 B", 10},
      {"10B", 10},
      {"250 kB", 250000},
      {"250kB", 250000},
      {"1.5 kB", 1500},
      {".5 kB", 500},
      {"2. kB", 2000},
      {"1 MB", 1000000},
      {"1.25 MB", 1250000},
      {"2 GB", 2000000000},
      {"1 KiB", 1024},
      {"0.5 KiB", 512},
      {"2 MiB", 2 * 1024 * 1024},
      {"1 GiB", 1024ull * 1024 * 1024},
      {"  7 kB  ", 7000},
      {"\t7\tkB\t", 7000},
      {"1.5 B", 2},  // fractions of a byte round to the nearest byte
      {"0.4", 0},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    uint64_t bytes = 999;
    std::string error;
    REQUIRE(ParseSize(c.text, &bytes, &error));
    CHECK(bytes == c.bytes);
    CHECK(error.empty());
  }
}

TEST_CASE("units: ParseSize errors carry the whole message", "[units]") {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"", "\"\": expected a size such as \"250 kB\""},
      {"   ", "\"\": expected a size such as \"250 kB\""},
      {"kB", "\"kB\": expected a size such as \"250 kB\""},
      {"-5 kB", "\"-5 kB\": expected a size such as \"250 kB\""},
      {".", "\".\": expected a size such as \"250 kB\""},
      {"5 kb", "\"5 kb\": unknown unit \"kb\" (use B, kB, MB, KiB or MiB)"},
      {"5 KB", "\"5 KB\": unknown unit \"KB\" (use B, kB, MB, KiB or MiB)"},
      {"5 kib", "\"5 kib\": unknown unit \"kib\" (use B, kB, MB, KiB or MiB)"},
      {"1e3", "\"1e3\": unknown unit \"e3\" (use B, kB, MB, KiB or MiB)"},
      {"1.2.3 kB", "\"1.2.3 kB\": unknown unit \".3 kB\" (use B, kB, MB, KiB or MiB)"},
      {"5 kB gzip", "\"5 kB gzip\": unknown unit \"kB gzip\" (use B, kB, MB, KiB or MiB)"},
      {"99999999999 GB", "\"99999999999 GB\": size too large"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    uint64_t bytes = 42;
    std::string error;
    CHECK_FALSE(ParseSize(c.text, &bytes, &error));
    CHECK(error == c.error);
    CHECK(bytes == 42);  // untouched on failure
  }
}

TEST_CASE("units: ParseSizeLimit reads size and measure", "[units]") {
  struct Case {
    const char* text;
    uint64_t bytes;
    Measure measure;
  };
  const Case cases[] = {
      {"500 kB gzip", 500000, Measure::kGzip},
      {"250kB raw", 250000, Measure::kRaw},
      {"1 MiB brotli", 1048576, Measure::kBrotli},
      {"100 gzip", 100, Measure::kGzip},
      {"  2 MB   raw  ", 2000000, Measure::kRaw},
      {"500 kB\tbrotli", 500000, Measure::kBrotli},
      {"1.5 KiB  gzip", 1536, Measure::kGzip},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    SizeLimit limit;
    limit.measure = c.measure == Measure::kRaw ? Measure::kGzip : Measure::kRaw;  // must change
    std::string error;
    REQUIRE(ParseSizeLimit(c.text, &limit, &error));
    CHECK(limit.bytes == c.bytes);
    CHECK(limit.measure == c.measure);
  }
}

TEST_CASE("units: ParseSizeLimit errors carry the whole message", "[units]") {
  const std::string kNeedMeasure =
      "\": expected a size and a measure, e.g. \"500 kB gzip\" (measure: raw, gzip or brotli)";
  struct Case {
    std::string text;
    std::string error;
  };
  const Case cases[] = {
      {"500 kB", "\"500 kB" + kNeedMeasure},
      {"500", "\"500" + kNeedMeasure},
      {"gzip", "\"gzip" + kNeedMeasure},
      {"", "\"" + kNeedMeasure},
      {"500 kB GZIP", "\"500 kB GZIP" + kNeedMeasure},
      {"500 kB br", "\"500 kB br" + kNeedMeasure},
      {"500kBgzip", "\"500kBgzip" + kNeedMeasure},
      {"5 kb gzip", "\"5 kb\": unknown unit \"kb\" (use B, kB, MB, KiB or MiB)"},
      {" gzip ", "\" gzip " + kNeedMeasure},
      {"kB gzip", "\"kB\": expected a size such as \"250 kB\""},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    SizeLimit limit;
    std::string error;
    CHECK_FALSE(ParseSizeLimit(c.text, &limit, &error));
    CHECK(error == c.error);
  }
}

TEST_CASE("units: FormatKb prints kB (1000 bytes) with one decimal", "[units]") {
  struct Case {
    uint64_t bytes;
    const char* text;
  };
  const Case cases[] = {
      {0, "0.0 kB"},
      {1, "0.0 kB"},
      {49, "0.0 kB"},
      {51, "0.1 kB"},
      {999, "1.0 kB"},
      {1000, "1.0 kB"},
      {1024, "1.0 kB"},
      {1049, "1.0 kB"},
      {1051, "1.1 kB"},
      {123456, "123.5 kB"},
      {500000, "500.0 kB"},
      {1234567, "1234.6 kB"},
      {1000000000000ull, "1000000000.0 kB"},
  };
  for (const Case& c : cases) {
    INFO(c.bytes);
    CHECK(FormatKb(c.bytes) == c.text);
  }
}

TEST_CASE("units: FormatLimit names the measure", "[units]") {
  CHECK(FormatLimit({500000, Measure::kGzip}) == "500.0 kB gzip");
  CHECK(FormatLimit({250000, Measure::kRaw}) == "250.0 kB raw");
  CHECK(FormatLimit({1536, Measure::kBrotli}) == "1.5 kB brotli");
}

TEST_CASE("units: a parsed limit formats back to the same figure", "[units]") {
  SizeLimit limit;
  std::string error;
  REQUIRE(ParseSizeLimit("123.4 kB brotli", &limit, &error));
  CHECK(FormatLimit(limit) == "123.4 kB brotli");
}

}  // namespace
}  // namespace npsbundle
