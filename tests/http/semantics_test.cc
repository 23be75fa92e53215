#include <catch2/catch.hpp>

#include "http/semantics.h"

namespace npsbundle {
namespace {

constexpr AvailableCodings kBoth{true, true};
constexpr AvailableCodings kGzipOnly{false, true};
constexpr AvailableCodings kNone{false, false};

TEST_CASE("ChooseEncoding follows RFC 9110 q-values", "[http_policy]") {
  struct Case {
    std::optional<std::string_view> header;
    AvailableCodings available;
    ContentCoding expected;
  };
  const Case cases[] = {
      {std::nullopt, kBoth, ContentCoding::kIdentity},  // absent: plain body
      {"", kBoth, ContentCoding::kIdentity},            // empty: identity only
      {" , ,", kBoth, ContentCoding::kIdentity},
      {"br", kBoth, ContentCoding::kBrotli},
      {"gzip", kBoth, ContentCoding::kGzip},
      {"x-gzip", kBoth, ContentCoding::kGzip},
      {"BR", kBoth, ContentCoding::kBrotli},
      {"GZip", kBoth, ContentCoding::kGzip},
      {"gzip, deflate, br, zstd", kBoth, ContentCoding::kBrotli},  // Chrome
      {"br;q=0, gzip", kBoth, ContentCoding::kGzip},
      {"br;Q=0, gzip", kBoth, ContentCoding::kGzip},
      {"br; q=0.000, gzip", kBoth, ContentCoding::kGzip},
      {"br;q=0", kBoth, ContentCoding::kIdentity},
      {"*;q=0", kBoth, ContentCoding::kIdentity},  // nothing acceptable: identity anyway
      {"identity;q=0", kBoth, ContentCoding::kIdentity},
      {"identity;q=0, gzip", kBoth, ContentCoding::kGzip},
      {"identity;q=0, *", kBoth, ContentCoding::kBrotli},
      {"*", kBoth, ContentCoding::kBrotli},
      {"*", kGzipOnly, ContentCoding::kGzip},
      {"*;q=0, gzip", kBoth, ContentCoding::kGzip},
      {"*;q=0, identity", kBoth, ContentCoding::kIdentity},
      {"gzip;q=0.5, br;q=0.4", kBoth, ContentCoding::kGzip},
      {"gzip;q=0.5, identity", kBoth, ContentCoding::kIdentity},  // identity has q=1
      {"gzip, identity", kBoth, ContentCoding::kGzip},            // tie: smaller first
      {"br, gzip", kGzipOnly, ContentCoding::kGzip},
      {"br", kGzipOnly, ContentCoding::kIdentity},
      {"br, gzip", kNone, ContentCoding::kIdentity},
      {"brotli, gzipped", kBoth, ContentCoding::kIdentity},  // no substring matching
      {"gzip;q=2", kBoth, ContentCoding::kIdentity},         // malformed q: element ignored
      {"gzip;q=abc, br", kBoth, ContentCoding::kBrotli},
      {"gzip;q=1.5", kBoth, ContentCoding::kIdentity},
      {"gzip;q=0.1234", kBoth, ContentCoding::kIdentity},
      {"br, br;q=0", kBoth, ContentCoding::kIdentity},  // named twice: lowest q
      {"gzip ; q=1 ; foo=bar", kBoth, ContentCoding::kGzip},
  };
  for (const Case& c : cases) {
    INFO("Accept-Encoding: " << (c.header ? std::string(*c.header) : "<absent>"));
    CHECK(ChooseEncoding(c.header, c.available) == c.expected);
  }
}

TEST_CASE("ParseRange resolves single byte ranges", "[http_policy]") {
  struct Case {
    std::string_view header;
    uint64_t length;
    RangeOutcome outcome;
    uint64_t first;
    uint64_t count;
  };
  using O = RangeOutcome;
  const Case cases[] = {
      {"bytes=0-0", 100, O::kPartial, 0, 1},
      {"bytes=0-99", 100, O::kPartial, 0, 100},
      {"bytes=10-", 100, O::kPartial, 10, 90},
      {"bytes=-10", 100, O::kPartial, 90, 10},
      {"bytes=-1000", 100, O::kPartial, 0, 100},  // longer suffix: whole body
      {"bytes=50-1000", 100, O::kPartial, 50, 50},  // clamped
      {"BYTES=1-2", 100, O::kPartial, 1, 2},
      {"bytes=99-", 100, O::kPartial, 99, 1},
      {"bytes=100-", 100, O::kUnsatisfiable, 0, 0},
      {"bytes=100-200", 100, O::kUnsatisfiable, 0, 0},
      {"bytes=-0", 100, O::kUnsatisfiable, 0, 0},
      {"bytes=0-0", 0, O::kUnsatisfiable, 0, 0},
      {"bytes=-5", 0, O::kUnsatisfiable, 0, 0},
      {"bytes=99999999999999999999999-", 100, O::kUnsatisfiable, 0, 0},
      {"bytes=5-1", 100, O::kIgnore, 0, 0},  // invalid: ignored
      {"bytes=", 100, O::kIgnore, 0, 0},
      {"bytes=-", 100, O::kIgnore, 0, 0},
      {"bytes=a-b", 100, O::kIgnore, 0, 0},
      {"bytes=1-2-3", 100, O::kIgnore, 0, 0},
      {"bytes= 1-2", 100, O::kPartial, 1, 2},  // OWS in the list is allowed
      {"items=0-1", 100, O::kIgnore, 0, 0},
      {"bytes 0-1", 100, O::kIgnore, 0, 0},
      {"bytes=0-1,2-3", 100, O::kIgnore, 0, 0},  // several ranges: whole body
      {"bytes=0-1, 2-3", 100, O::kIgnore, 0, 0},
      {"bytes=0-1,", 100, O::kPartial, 0, 2},  // empty list elements are dropped
  };
  for (const Case& c : cases) {
    INFO("Range: " << c.header << " on " << c.length << " bytes");
    RangeDecision d = ParseRange(c.header, c.length);
    CHECK(d.outcome == c.outcome);
    if (c.outcome == O::kPartial) {
      CHECK(d.first == c.first);
      CHECK(d.length == c.count);
    }
  }
}

TEST_CASE("ParseRange ignores a thousand ranges", "[http_policy]") {
  std::string header = "bytes=0-0";
  for (int i = 1; i < 1000; ++i) header += "," + std::to_string(i) + "-" + std::to_string(i);
  CHECK(ParseRange(header, 5000).outcome == RangeOutcome::kIgnore);
}

TEST_CASE("If-None-Match compares weakly", "[http_policy]") {
  struct Case {
    std::string_view header;
    bool matches;
  };
  const Case cases[] = {
      {"\"abc\"", true},
      {"W/\"abc\"", true},
      {"\"x\", \"abc\"", true},
      {"\"x\",W/\"abc\"", true},
      {"*", true},
      {"\"abd\"", false},
      {"abc", false},
      {"\"abc", false},
      {"", false},
      {"\"ABC\"", false},
  };
  for (const Case& c : cases) {
    INFO("If-None-Match: " << c.header);
    CHECK(IfNoneMatchMatches(c.header, "\"abc\"") == c.matches);
  }
}

TEST_CASE("If-Range compares strongly or by exact date", "[http_policy]") {
  const int64_t modified = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
  CHECK(IfRangeHolds("\"abc\"", "\"abc\"", modified));
  CHECK_FALSE(IfRangeHolds("W/\"abc\"", "\"abc\"", modified));
  CHECK_FALSE(IfRangeHolds("\"abd\"", "\"abc\"", modified));
  CHECK(IfRangeHolds("Sun, 06 Nov 1994 08:49:37 GMT", "\"abc\"", modified));
  CHECK_FALSE(IfRangeHolds("Sun, 06 Nov 1994 08:49:38 GMT", "\"abc\"", modified));
  CHECK_FALSE(IfRangeHolds("yesterday", "\"abc\"", modified));
  CHECK_FALSE(IfRangeHolds("", "\"abc\"", modified));
}

TEST_CASE("HTTP dates in all three forms", "[http_policy]") {
  const int64_t expected = 784111777;
  CHECK(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT") == expected);
  CHECK(ParseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT") == expected);
  CHECK(ParseHttpDate("Sun Nov  6 08:49:37 1994") == expected);
  CHECK_FALSE(ParseHttpDate("Sun, 06 Nov 1994 08:49:37 PST"));
  CHECK_FALSE(ParseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT"));
  CHECK_FALSE(ParseHttpDate("Sun, 06 Nov 1994 25:49:37 GMT"));
  CHECK_FALSE(ParseHttpDate(""));
  CHECK(FormatHttpDate(expected) == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(FormatHttpDate(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(ParseHttpDate(FormatHttpDate(1763770000)) == 1763770000);
  CHECK(NotModifiedSince("Sun, 06 Nov 1994 08:49:37 GMT", expected));
  CHECK(NotModifiedSince("Sun, 06 Nov 1994 08:49:38 GMT", expected));
  CHECK_FALSE(NotModifiedSince("Sun, 06 Nov 1994 08:49:36 GMT", expected));
  CHECK_FALSE(NotModifiedSince("garbage", expected));
}

TEST_CASE("NormalizeRequestPath decodes once and refuses escapes from the root",
          "[http_policy]") {
  struct Case {
    std::string_view target;
    PathVerdict verdict;
    std::string_view path;
    bool trailing_slash;
  };
  using V = PathVerdict;
  const Case cases[] = {
      {"/", V::kOk, "", true},
      {"/index.html", V::kOk, "index.html", false},
      {"/assets/x.js?v=1", V::kOk, "assets/x.js", false},
      {"/admin/", V::kOk, "admin", true},
      {"//assets///x.js", V::kOk, "assets/x.js", false},
      {"/./assets/./x.js", V::kOk, "assets/x.js", false},
      {"/assets/../index.html", V::kOk, "index.html", false},  // stays inside
      {"/a/..", V::kOk, "", true},
      {"/%61ssets/x.js", V::kOk, "assets/x.js", false},
      {"/caf%C3%A9", V::kOk, "caf\xC3\xA9", false},
      {"/%252e%252e/x", V::kOk, "%2e%2e/x", false},  // decoded once only
      {"/assets../x", V::kOk, "assets../x", false},
      {"http://example.com/a/b", V::kOk, "a/b", false},
      {"/../", V::kBadRequest, "", false},
      {"/..", V::kBadRequest, "", false},
      {"/%2e%2e/etc/passwd", V::kBadRequest, "", false},
      {"/%2E%2E/etc/passwd", V::kBadRequest, "", false},
      {"/..%2fetc/passwd", V::kBadRequest, "", false},
      {"/assets/..%2f..%2fsecret", V::kBadRequest, "", false},
      {"/..%5csecret", V::kBadRequest, "", false},
      {"/..\\secret", V::kBadRequest, "", false},
      {"/%c0%ae%c0%ae/secret", V::kBadRequest, "", false},  // overlong '.'
      {"/%ed%a0%80", V::kBadRequest, "", false},             // surrogate
      {"/%ff", V::kBadRequest, "", false},
      {"/%C3", V::kBadRequest, "", false},  // truncated sequence
      {"/a%00b", V::kBadRequest, "", false},
      {"/a%0ab", V::kBadRequest, "", false},
      {"/a%7fb", V::kBadRequest, "", false},
      {"/a%zzb", V::kBadRequest, "", false},
      {"/a%2", V::kBadRequest, "", false},
      {"*", V::kBadRequest, "", false},
      {"", V::kBadRequest, "", false},
      {"index.html", V::kBadRequest, "", false},
  };
  for (const Case& c : cases) {
    INFO("target: " << c.target);
    RequestPath result = NormalizeRequestPath(c.target);
    CHECK(result.verdict == c.verdict);
    if (c.verdict == V::kOk) {
      CHECK(result.path == c.path);
      CHECK(result.trailing_slash == c.trailing_slash);
    }
  }
}


}  // namespace
}  // namespace npsbundle
