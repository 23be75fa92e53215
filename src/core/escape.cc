#include "core/escape.h"

#include <array>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <utility>

namespace npsbundle {
namespace {

// Length of the valid UTF-8 sequence at text[i], or 0 when it is invalid
// (overlong forms, surrogates and code points above U+10FFFF included).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  unsigned char c = static_cast<unsigned char>(text[i]);
  if (c < 0x80) return 1;
  size_t length;
  uint32_t min;
  uint32_t code;
  if ((c & 0xE0) == 0xC0) {
    length = 2, min = 0x80, code = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    length = 3, min = 0x800, code = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, code = c & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    unsigned char next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code = (code << 6) | (next & 0x3F);
  }
  if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return 0;
  return length;
}

// What an escaper does with each ASCII byte: kept when `keep` is set, else
// replaced by `replacement` ("" drops it).
struct AsciiEscapes {
  std::array<bool, 128> keep{};
  std::array<std::string, 128> replacement;
};

// `text` with each ASCII byte mapped by `escapes` and each invalid UTF-8
// byte replaced with U+FFFD, so a file name with stray bytes still yields
// valid JSON and XML. Runs of kept bytes are appended whole: reports escape
// every path of a large build, and a byte-at-a-time append was most of the
// JSON report's cost.
std::string EscapeUtf8(std::string_view text, const AsciiEscapes& escapes) {
  std::string out;
  out.reserve(text.size() + 8);
  size_t run = 0;  // first byte not yet appended
  size_t i = 0;
  auto flush = [&] { out.append(text.data() + run, i - run); };
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (!escapes.keep[c]) {
        flush();
        out += escapes.replacement[c];
        run = i + 1;
      }
      ++i;
      continue;
    }
    size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      flush();
      out += "\xEF\xBF\xBD";
      run = ++i;
    } else {
      i += length;
    }
  }
  flush();
  return out;
}

// Escapes that keep the bytes `keep` accepts and replace the others: by
// `named` where it has them, else by `other(byte)`.
template <typename Keep, typename Other>
AsciiEscapes MakeEscapes(Keep keep, std::initializer_list<std::pair<char, const char*>> named, Other other) {
  AsciiEscapes e;
  for (int c = 0; c < 128; ++c) {
    e.keep[c] = keep(c);
    if (!e.keep[c]) e.replacement[c] = other(c);
  }
  for (auto [c, text] : named) e.replacement[static_cast<unsigned char>(c)] = text;
  return e;
}

std::string UnicodeEscape(int c) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
  return buffer;
}

}  // namespace

std::string JsonEscape(std::string_view raw) {
  static const AsciiEscapes kEscapes = MakeEscapes(
      [](int c) { return c >= 0x20 && c != '"' && c != '\\'; },
      {{'"', "\\\""}, {'\\', "\\\\"}, {'\n', "\\n"}, {'\r', "\\r"}, {'\t', "\\t"}}, UnicodeEscape);
  return EscapeUtf8(raw, kEscapes);
}

std::string XmlEscape(std::string_view raw) {
  // XML 1.0 cannot carry control characters other than tab and newline:
  // they are dropped.
  static const AsciiEscapes kEscapes = MakeEscapes(
      [](int c) {
        return (c >= 0x20 || c == '\n' || c == '\t') && c != '&' && c != '<' && c != '>' && c != '"' && c != '\'';
      },
      {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&apos;"}},
      [](int) { return std::string(); });
  return EscapeUtf8(raw, kEscapes);
}

std::string GithubDataEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%') {
      out += "%25";
    } else if (c == '\r') {
      out += "%0D";
    } else if (c == '\n') {
      out += "%0A";
    } else {
      out += c;
    }
  }
  return out;
}

std::string GithubPropertyEscape(std::string_view text) {
  std::string out;
  for (char c : GithubDataEscape(text)) {
    if (c == ':') {
      out += "%3A";
    } else if (c == ',') {
      out += "%2C";
    } else {
      out += c;
    }
  }
  return out;
}

std::string MarkdownCellEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '|':
      case '\\':
      case '`':
      case '*':
      case '_':
      case '<':
      case '>':
      case '[':
      case ']':
        out += '\\';
        out += c;
        break;
      case '\n':
      case '\r':
        out += ' ';
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace npsbundle
