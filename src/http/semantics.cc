#include "http/semantics.h"

#include "core/ascii.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <limits>
#include <vector>

namespace npsbundle {
namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view Trim(std::string_view s) {
  size_t begin = s.find_first_not_of(kWhitespace);
  if (begin == std::string_view::npos) return {};
  size_t end = s.find_last_not_of(kWhitespace);
  return s.substr(begin, end - begin + 1);
}

constexpr char Lower(char c) { return AsciiLower(c); }

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Splits a comma-separated list field; empty elements are dropped, as
// RFC 9110 §5.6.1 asks of recipients.
std::vector<std::string_view> SplitList(std::string_view field) {
  std::vector<std::string_view> items;
  size_t pos = 0;
  while (pos <= field.size()) {
    size_t comma = field.find(',', pos);
    if (comma == std::string_view::npos) comma = field.size();
    std::string_view item = Trim(field.substr(pos, comma - pos));
    if (!item.empty()) items.push_back(item);
    pos = comma + 1;
  }
  return items;
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths.
std::optional<int> ParseQValue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  int whole = text[0] - '0';
  if (text.size() == 1) return whole * 1000;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  int fraction = 0;
  int scale = 100;
  for (char c : text.substr(2)) {
    if (!IsDigit(c)) return std::nullopt;
    fraction += (c - '0') * scale;
    scale /= 10;
  }
  if (whole == 1 && fraction != 0) return std::nullopt;
  return whole * 1000 + fraction;
}

// Parses a run of digits; saturates at the maximum instead of overflowing,
// which keeps "bytes=99999999999999999999-" unsatisfiable rather than wrong.
std::optional<uint64_t> ParseDigits(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    value = value > (kMax - digit) / 10 ? kMax : value * 10 + digit;
  }
  return value;
}

// One entity-tag at the front of `text`: W/ prefix and the quoted opaque tag.
struct EntityTag {
  bool weak = false;
  std::string_view opaque;  // including the quotes
};
std::optional<EntityTag> ParseEntityTag(std::string_view text) {
  EntityTag tag;
  if (text.size() >= 2 && text[0] == 'W' && text[1] == '/') {
    tag.weak = true;
    text.remove_prefix(2);
  }
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return std::nullopt;
  if (text.substr(1, text.size() - 2).find('"') != std::string_view::npos) return std::nullopt;
  tag.opaque = text;
  return tag;
}

std::string_view StripWeak(std::string_view etag) {
  return etag.size() >= 2 && etag[0] == 'W' && etag[1] == '/' ? etag.substr(2) : etag;
}

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

std::optional<int> MonthIndex(std::string_view name) {
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

std::optional<int> FixedNumber(std::string_view text, size_t digits) {
  if (text.size() != digits) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (!IsDigit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// "08:49:37" into seconds of the day.
std::optional<int> ParseClock(std::string_view text) {
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return std::nullopt;
  auto h = FixedNumber(text.substr(0, 2), 2);
  auto m = FixedNumber(text.substr(3, 2), 2);
  auto s = FixedNumber(text.substr(6, 2), 2);
  if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;
  return *h * 3600 + *m * 60 + *s;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
// algorithm), so no time zone or locale state is involved.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<int64_t> MakeTime(int year, int month, int day, int seconds_of_day) {
  if (day < 1 || day > 31 || year < 1900) return std::nullopt;
  return DaysFromCivil(year, month + 1, day) * 86400 + seconds_of_day;
}

std::vector<std::string_view> SplitSpaces(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos < text.size()) {
    if (text[pos] == ' ') {
      ++pos;
      continue;
    }
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    parts.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return parts;
}

bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
int HexValue(char c) { return IsDigit(c) ? c - '0' : Lower(c) - 'a' + 10; }

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, at most U+10FFFF.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t extra;
    uint32_t code;
    uint32_t minimum;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, code = c & 0x1F, minimum = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, code = c & 0x0F, minimum = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, code = c & 0x07, minimum = 0x10000;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      unsigned char next = static_cast<unsigned char>(s[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

std::string_view CodingName(ContentCoding coding) {
  switch (coding) {
    case ContentCoding::kBrotli:
      return "br";
    case ContentCoding::kGzip:
      return "gzip";
    case ContentCoding::kIdentity:
      break;
  }
  return "identity";
}

ContentCoding ChooseEncoding(std::optional<std::string_view> accept_encoding,
                             AvailableCodings available) {
  if (!accept_encoding) return ContentCoding::kIdentity;
  // Thousandths; -1 = not named.
  int br = -1, gzip = -1, identity = -1, star = -1;
  for (std::string_view element : SplitList(*accept_encoding)) {
    size_t semicolon = element.find(';');
    std::string_view token = Trim(element.substr(0, semicolon));
    int q = 1000;
    bool valid = true;
    while (semicolon != std::string_view::npos) {
      size_t next = element.find(';', semicolon + 1);
      std::string_view parameter = Trim(element.substr(semicolon + 1, next - semicolon - 1));
      semicolon = next;
      size_t equals = parameter.find('=');
      if (equals == std::string_view::npos) continue;
      if (!EqualsIgnoreCase(Trim(parameter.substr(0, equals)), "q")) continue;
      std::optional<int> parsed = ParseQValue(Trim(parameter.substr(equals + 1)));
      if (!parsed) valid = false;
      q = parsed.value_or(0);
    }
    if (!valid) continue;
    auto record = [q](int* slot) { *slot = *slot < 0 ? q : std::min(*slot, q); };
    if (EqualsIgnoreCase(token, "br")) {
      record(&br);
    } else if (EqualsIgnoreCase(token, "gzip") || EqualsIgnoreCase(token, "x-gzip")) {
      record(&gzip);
    } else if (EqualsIgnoreCase(token, "identity")) {
      record(&identity);
    } else if (token == "*") {
      record(&star);
    }
  }
  auto effective = [star](int named, int fallback) {
    if (named >= 0) return named;
    if (star >= 0) return star;
    return fallback;
  };
  int q_br = available.br ? effective(br, 0) : 0;
  int q_gzip = available.gzip ? effective(gzip, 0) : 0;
  // An unnamed identity is acceptable but least preferred: "gzip;q=0.5"
  // asks for gzip, not for whatever the server would rate above 0.5.
  int q_identity = effective(identity, 1);
  // Ties go to the first in this order: smallest transfer first.
  ContentCoding best = ContentCoding::kIdentity;
  int best_q = 0;
  for (auto [coding, q] : {std::pair{ContentCoding::kBrotli, q_br},
                           std::pair{ContentCoding::kGzip, q_gzip},
                           std::pair{ContentCoding::kIdentity, q_identity}}) {
    if (q > best_q) {
      best = coding;
      best_q = q;
    }
  }
  return best;
}

RangeDecision ParseRange(std::string_view range, uint64_t length) {
  RangeDecision ignore;
  size_t equals = range.find('=');
  if (equals == std::string_view::npos || !EqualsIgnoreCase(range.substr(0, equals), "bytes")) {
    return ignore;
  }
  std::vector<std::string_view> specs = SplitList(range.substr(equals + 1));
  if (specs.size() != 1) return ignore;
  std::string_view spec = specs[0];
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return ignore;
  std::string_view first_text = spec.substr(0, dash);
  std::string_view last_text = spec.substr(dash + 1);
  RangeDecision unsatisfiable{RangeOutcome::kUnsatisfiable, 0, 0};
  if (first_text.empty()) {
    std::optional<uint64_t> suffix = ParseDigits(last_text);
    if (!suffix) return ignore;
    if (*suffix == 0 || length == 0) return unsatisfiable;
    uint64_t take = std::min(*suffix, length);
    return {RangeOutcome::kPartial, length - take, take};
  }
  std::optional<uint64_t> first = ParseDigits(first_text);
  if (!first) return ignore;
  uint64_t last = std::numeric_limits<uint64_t>::max();
  if (!last_text.empty()) {
    std::optional<uint64_t> parsed = ParseDigits(last_text);
    if (!parsed || *parsed < *first) return ignore;
    last = *parsed;
  }
  if (*first >= length) return unsatisfiable;
  last = std::min(last, length - 1);
  return {RangeOutcome::kPartial, *first, last - *first + 1};
}

bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag) {
  std::string_view ours = StripWeak(etag);
  for (std::string_view item : SplitList(if_none_match)) {
    if (item == "*") return true;
    std::optional<EntityTag> tag = ParseEntityTag(item);
    if (tag && tag->opaque == ours) return true;
  }
  return false;
}

bool IfRangeHolds(std::string_view if_range, std::string_view etag, int64_t last_modified) {
  std::string_view value = Trim(if_range);
  if (!value.empty() && (value[0] == '"' || value[0] == 'W')) {
    std::optional<EntityTag> tag = ParseEntityTag(value);
    if (!tag || tag->weak || etag.substr(0, 2) == "W/") return false;
    return tag->opaque == etag;
  }
  std::optional<int64_t> date = ParseHttpDate(value);
  return date && *date == last_modified;
}

bool NotModifiedSince(std::string_view if_modified_since, int64_t last_modified) {
  std::optional<int64_t> date = ParseHttpDate(Trim(if_modified_since));
  return date && last_modified <= *date;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::vector<std::string_view> parts = SplitSpaces(Trim(text));
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
  if (parts.size() == 6 && parts[0].size() == 4 && parts[0][3] == ',' && parts[5] == "GMT") {
    auto day = FixedNumber(parts[1], 2);
    auto month = MonthIndex(parts[2]);
    auto year = FixedNumber(parts[3], 4);
    auto clock = ParseClock(parts[4]);
    if (day && month && year && clock) return MakeTime(*year, *month, *day, *clock);
    return std::nullopt;
  }
  // rfc850-date: "Sunday, 06-Nov-94 08:49:37 GMT"
  if (parts.size() == 4 && !parts[0].empty() && parts[0].back() == ',' && parts[3] == "GMT" &&
      parts[1].size() == 9 && parts[1][2] == '-' && parts[1][6] == '-') {
    auto day = FixedNumber(parts[1].substr(0, 2), 2);
    auto month = MonthIndex(parts[1].substr(3, 3));
    auto year = FixedNumber(parts[1].substr(7, 2), 2);
    auto clock = ParseClock(parts[2]);
    if (!day || !month || !year || !clock) return std::nullopt;
    // Two-digit years: RFC 9110 says to read ones more than 50 years ahead as
    // the past century; with 1970 as the pivot that is 70..99 -> 19xx.
    int full_year = *year >= 70 ? 1900 + *year : 2000 + *year;
    return MakeTime(full_year, *month, *day, *clock);
  }
  // asctime-date: "Sun Nov  6 08:49:37 1994" (the day may be one digit)
  if (parts.size() == 5 && parts[0].size() == 3) {
    auto month = MonthIndex(parts[1]);
    std::optional<int> day = parts[2].size() == 1 ? FixedNumber(parts[2], 1) : FixedNumber(parts[2], 2);
    auto clock = ParseClock(parts[3]);
    auto year = FixedNumber(parts[4], 4);
    if (month && day && clock && year) return MakeTime(*year, *month, *day, *clock);
  }
  return std::nullopt;
}

std::string FormatHttpDate(int64_t seconds_since_epoch) {
  std::time_t t = static_cast<std::time_t>(seconds_since_epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT",
                std::string(kDays[tm.tm_wday]).c_str(), tm.tm_mday,
                std::string(kMonths[tm.tm_mon]).c_str(), tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buffer;
}

RequestPath NormalizeRequestPath(std::string_view target) {
  RequestPath bad;
  // Absolute-form ("http://host/path") must be accepted by servers (RFC 9112
  // §3.2.2); only its path matters here.
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() >= scheme.size() && EqualsIgnoreCase(target.substr(0, scheme.size()), scheme)) {
      size_t slash = target.find('/', scheme.size());
      target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
      break;
    }
  }
  size_t query = target.find_first_of("?#");
  if (query != std::string_view::npos) target = target.substr(0, query);
  if (target.empty() || target[0] != '/') return bad;
  std::string decoded;
  decoded.reserve(target.size());
  for (size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size() || !IsHex(target[i + 1]) || !IsHex(target[i + 2])) return bad;
      c = static_cast<char>(HexValue(target[i + 1]) * 16 + HexValue(target[i + 2]));
      i += 2;
    }
    unsigned char byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F || c == '\\') return bad;
    decoded += c;
  }
  if (!IsValidUtf8(decoded)) return bad;
  std::vector<std::string_view> segments;
  std::string_view rest = decoded;
  size_t pos = 0;
  while (pos <= rest.size()) {
    size_t slash = rest.find('/', pos);
    if (slash == std::string_view::npos) slash = rest.size();
    std::string_view segment = rest.substr(pos, slash - pos);
    pos = slash + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (segments.empty()) return bad;
      segments.pop_back();
      continue;
    }
    segments.push_back(segment);
  }
  RequestPath result;
  result.verdict = PathVerdict::kOk;
  for (std::string_view segment : segments) {
    if (!result.path.empty()) result.path += '/';
    result.path.append(segment);
  }
  std::string_view last = rest.substr(rest.find_last_of('/') + 1);
  result.trailing_slash = segments.empty() || last.empty() || last == "." || last == "..";
  return result;
}

}  // namespace npsbundle
