#include "build/sourcemap.h"

#include <simdjson.h>

#include <array>

#include "core/error.h"

namespace npsbundle {
namespace {

// Base64 digit values; -1 for characters outside the alphabet.
constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < kAlphabet.size(); ++i) table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr std::array<int8_t, 256> kBase64 = MakeBase64Table();

std::string Printable(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", u);
  return buf;
}

// Walks one generated line converting UTF-16 columns to byte offsets. Minified
// lines are long and segments arrive in column order, so the walker only ever
// moves forward; it restarts from the line start if a map goes backwards.
class LineCursor {
 public:
  LineCursor(std::string_view code, size_t begin, size_t end) : code_(code), begin_(begin), end_(end), byte_(begin) {}

  // Byte offset of UTF-16 column `column`, clamped to the line end.
  size_t ByteOf(uint32_t column) {
    if (column < unit_) {
      byte_ = begin_;
      unit_ = 0;
    }
    while (unit_ < column && byte_ < end_) {
      unsigned char c = static_cast<unsigned char>(code_[byte_]);
      size_t length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      byte_ += length;
      unit_ += length == 4 ? 2 : 1;  // 4-byte sequences are surrogate pairs
    }
    if (byte_ > end_) byte_ = end_;
    return byte_;
  }

 private:
  std::string_view code_;
  size_t begin_, end_;
  size_t byte_;
  uint32_t unit_ = 0;
};

}  // namespace

bool MappingsDecoder::ReadVlq(int64_t* value, std::string* error) {
  uint64_t result = 0;
  int shift = 0;
  while (true) {
    if (pos_ >= text_.size()) {
      *error = "offset " + std::to_string(pos_) + ": mappings end inside a VLQ number";
      return false;
    }
    int digit = kBase64[static_cast<unsigned char>(text_[pos_])];
    if (digit < 0) {
      *error = "offset " + std::to_string(pos_) + ": invalid base64 character " + Printable(text_[pos_]);
      return false;
    }
    ++pos_;
    if (shift > 60) {
      *error = "offset " + std::to_string(pos_ - 1) + ": VLQ number too large";
      return false;
    }
    result |= static_cast<uint64_t>(digit & 31) << shift;
    shift += 5;
    if (!(digit & 32)) break;
  }
  int64_t magnitude = static_cast<int64_t>(result >> 1);
  *value = (result & 1) ? -magnitude : magnitude;
  return true;
}

bool MappingsDecoder::Next(MappingSegment* out, std::string* error) {
  error->clear();
  // Skip separators: ';' starts a new generated line (columns restart at 0).
  while (pos_ < text_.size() && (text_[pos_] == ';' || text_[pos_] == ',')) {
    if (text_[pos_] == ';') {
      ++line_;
      column_ = 0;
    }
    ++pos_;
  }
  if (pos_ >= text_.size()) return false;
  size_t start = pos_;
  int64_t fields[5];
  int count = 0;
  while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != ';') {
    if (count == 5) {
      *error = "offset " + std::to_string(start) + ": segment has more than 5 fields";
      return false;
    }
    if (!ReadVlq(&fields[count++], error)) return false;
  }
  if (count != 1 && count != 4 && count != 5) {
    *error = "offset " + std::to_string(start) + ": segment has " + std::to_string(count) + " fields (expected 1, 4 or 5)";
    return false;
  }
  column_ += fields[0];
  if (column_ < 0 || column_ > UINT32_MAX) {
    *error = "offset " + std::to_string(start) + ": negative generated column";
    return false;
  }
  out->line = line_;
  out->column = static_cast<uint32_t>(column_);
  out->source = -1;
  if (count >= 4) {
    source_ += fields[1];
    source_line_ += fields[2];
    source_column_ += fields[3];
    if (count == 5) name_ += fields[4];
    if (source_ < 0 || source_ >= source_count_) {
      *error = "offset " + std::to_string(start) + ": source index " + std::to_string(source_) + " out of range (" +
               std::to_string(source_count_) + " sources)";
      return false;
    }
    out->source = static_cast<int32_t>(source_);
  }
  return true;
}

SourceMap ParseSourceMap(std::string_view json, const std::string& display_path) {
  auto fail = [&](const std::string& location, const std::string& what) -> InputError {
    return InputError(display_path + ": " + (location.empty() ? "" : location + ": ") + what);
  };
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root;
  if (auto error = parser.parse(padded).get(root)) {
    throw fail("", std::string("invalid JSON (") + simdjson::error_message(error) + ")");
  }
  simdjson::dom::object object;
  if (root.get_object().get(object)) throw fail("", "expected a source map object");
  if (object["sections"].error() == simdjson::SUCCESS) {
    throw fail("sections", "index source maps are not supported (use a bundler's flat map)");
  }
  int64_t version = 0;
  if (object["version"].get_int64().get(version) || version != 3) throw fail("version", "expected 3");
  std::string root_prefix;
  if (auto value = object["sourceRoot"]; value.error() == simdjson::SUCCESS && !value.is_null()) {
    std::string_view text;
    if (value.get_string().get(text)) throw fail("sourceRoot", "expected a string");
    root_prefix = std::string(text);
    if (!root_prefix.empty() && root_prefix.back() != '/') root_prefix += '/';
  }
  SourceMap map;
  simdjson::dom::array sources;
  if (object["sources"].get_array().get(sources)) throw fail("sources", "expected an array of strings");
  for (simdjson::dom::element item : sources) {
    std::string location = "sources[" + std::to_string(map.sources.size()) + "]";
    if (item.is_null()) {
      map.sources.emplace_back();
      continue;
    }
    std::string_view text;
    if (item.get_string().get(text)) throw fail(location, "expected a string");
    map.sources.push_back(root_prefix + std::string(text));
  }
  std::string_view mappings;
  if (object["mappings"].get_string().get(mappings)) throw fail("mappings", "expected a string");
  map.mappings = std::string(mappings);
  return map;
}

ByteAttribution AttributeBytes(std::string_view code, const SourceMap& map, const std::string& display_path) {
  ByteAttribution result;
  result.per_source.assign(map.sources.size(), 0);
  auto credit = [&](int32_t source, size_t bytes) {
    if (source < 0) {
      result.unmapped += bytes;
    } else {
      result.per_source[static_cast<size_t>(source)] += bytes;
    }
  };
  MappingsDecoder decoder(map.mappings, static_cast<uint32_t>(map.sources.size()));
  MappingSegment segment;
  std::string error;
  bool have = decoder.Next(&segment, &error);
  uint32_t line = 0;
  size_t line_begin = 0;
  while (line_begin < code.size()) {
    size_t newline = code.find('\n', line_begin);
    size_t content_end = newline == std::string_view::npos ? code.size() : newline;
    size_t line_end = newline == std::string_view::npos ? code.size() : newline + 1;
    LineCursor cursor(code, line_begin, content_end);
    size_t at = line_begin;
    int32_t owner = -1;
    while (have && segment.line == line) {
      size_t byte = cursor.ByteOf(segment.column);
      // A segment at or past the end of the line's text covers nothing; the
      // '\n' stays with the code before it.
      if (byte >= content_end) byte = line_end;
      if (byte > at) {
        credit(owner, byte - at);
        at = byte;
      }
      owner = segment.source;
      have = decoder.Next(&segment, &error);
    }
    if (!error.empty()) break;
    // Segments for lines before this one cannot occur (lines only grow), and
    // segments past the last line of the file are ignored below.
    credit(owner, line_end - at);
    line_begin = line_end;
    ++line;
  }
  if (error.empty()) {
    // Drain the rest so malformed trailing mappings are still reported.
    while (have) have = decoder.Next(&segment, &error);
  }
  if (!error.empty()) throw InputError(display_path + ": mappings: " + error);
  return result;
}

}  // namespace npsbundle
