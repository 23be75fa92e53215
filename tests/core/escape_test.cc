#include "core/escape.h"

#include <catch2/catch.hpp>

#include <string>

namespace npsbundle {
namespace {

using namespace std::string_literals;

struct Case {
  std::string in;
  std::string out;
};

// "é", "日本" and an emoji in UTF-8: bytes >= 0x80 pass through every escaper.
const std::string kUnicode = "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x93\xa6";

TEST_CASE("escape: JsonEscape", "[escape]") {
  const Case cases[] = {
      {"", ""},
      {"assets/index-Bl1MOBpP.js", "assets/index-Bl1MOBpP.js"},
      {"say \"hi\"", "say \\\"hi\\\""},
      {"C:\\dist", "C:\\\\dist"},
      {"a\nb", "a\\nb"},
      {"a\rb", "a\\rb"},
      {"a\tb", "a\\tb"},
      {"\b\f", "\\u0008\\u000c"},
      {"\x01", "\\u0001"},
      {"\x1f", "\\u001f"},
      {"a\0b"s, "a\\u0000b"},
      {"\x7f", "\x7f"},  // DEL is allowed raw in JSON
      {" ", " "},
      {"/</script>", "/</script>"},
      {kUnicode, kUnicode},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    CHECK(JsonEscape(c.in) == c.out);
  }
}

TEST_CASE("escape: XmlEscape", "[escape]") {
  const Case cases[] = {
      {"", ""},
      {"plain text", "plain text"},
      {"a & b", "a &amp; b"},
      {"<testcase>", "&lt;testcase&gt;"},
      {"\"quoted\"", "&quot;quoted&quot;"},
      {"it's", "it&apos;s"},
      {"&amp;", "&amp;amp;"},
      {"a\tb\nc", "a\tb\nc"},  // allowed whitespace kept
      {"a\x01" "b\x1f" "c", "abc"},
      {"a\0b"s, "ab"},
      {"a\rb", "ab"},
      {"\x1b[31mred\x1b[0m", "[31mred[0m"},
      {kUnicode, kUnicode},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    CHECK(XmlEscape(c.in) == c.out);
  }
}

TEST_CASE("escape: GithubDataEscape", "[escape]") {
  const Case cases[] = {
      {"", ""},
      {"initial load of index.html is 1.0 kB gzip", "initial load of index.html is 1.0 kB gzip"},
      {"100%", "100%25"},
      {"%0A", "%250A"},
      {"line1\nline2", "line1%0Aline2"},
      {"a\r\nb", "a%0D%0Ab"},
      {"a:b,c", "a:b,c"},  // only properties escape : and ,
      {"::error::", "::error::"},
      {"\t", "\t"},
      {kUnicode, kUnicode},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    CHECK(GithubDataEscape(c.in) == c.out);
  }
}

TEST_CASE("escape: GithubPropertyEscape", "[escape]") {
  const Case cases[] = {
      {"", ""},
      {"dist/assets/index-Bl1MOBpP.js", "dist/assets/index-Bl1MOBpP.js"},
      {"a:b", "a%3Ab"},
      {"a,b", "a%2Cb"},
      {"C:\\x,y", "C%3A\\x%2Cy"},
      {"50%", "50%25"},
      {"a\nb\r", "a%0Ab%0D"},
      {"%3A", "%253A"},  // escaped once, not twice
      {kUnicode, kUnicode},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    CHECK(GithubPropertyEscape(c.in) == c.out);
  }
}

TEST_CASE("escape: MarkdownCellEscape", "[escape]") {
  const Case cases[] = {
      {"", ""},
      {"vendor-react", "vendor-react"},
      {"a|b", "a\\|b"},
      {"C:\\dist", "C:\\\\dist"},
      {"`code`", "\\`code\\`"},
      {"*bold*", "\\*bold\\*"},
      {"_StatCard-Dj3j8sSB.css", "\\_StatCard-Dj3j8sSB.css"},
      {"<script>", "\\<script\\>"},
      {"[link](x)", "\\[link\\](x)"},
      {"one\ntwo", "one two"},
      {"one\r\ntwo", "one  two"},
      {"# not a heading", "# not a heading"},
      {"a\tb", "a\tb"},
      {kUnicode, kUnicode},
  };
  for (const Case& c : cases) {
    INFO(c.in);
    CHECK(MarkdownCellEscape(c.in) == c.out);
  }
}

}  // namespace
}  // namespace npsbundle

namespace npsbundle {

TEST_CASE("escape: invalid UTF-8 becomes U+FFFD in JSON and XML", "[escape]") {
  const std::pair<std::string, std::string> cases[] = {
      {"a\xff" "b", "a\xEF\xBF\xBD" "b"},
      {"\xc0\xae", "\xEF\xBF\xBD\xEF\xBF\xBD"},          // overlong '.'
      {"\xed\xa0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // surrogate
      {"caf\xc3\xa9", "caf\xc3\xa9"},                     // valid stays
      {"\xe2\x82", "\xEF\xBF\xBD\xEF\xBF\xBD"},          // truncated
  };
  for (const auto& [input, expected] : cases) {
    CHECK(JsonEscape(input) == expected);
    CHECK(XmlEscape(input) == expected);
  }
}

}  // namespace npsbundle
