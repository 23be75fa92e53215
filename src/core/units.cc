#include "core/units.h"

#include <cmath>
#include <cstdio>

#include "core/ascii.h"

namespace npsbundle {
std::string_view MeasureName(Measure measure) {
  switch (measure) {
    case Measure::kRaw:
      return "raw";
    case Measure::kGzip:
      return "gzip";
    case Measure::kBrotli:
      return "brotli";
    case Measure::kZstd:
      return "zstd";
  }
  return "raw";
}

bool ParseSize(std::string_view text, uint64_t* bytes, std::string* error) {
  text = TrimOws(text);
  size_t digits_end = 0;
  bool seen_digit = false, seen_dot = false;
  while (digits_end < text.size()) {
    char c = text[digits_end];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
    ++digits_end;
  }
  if (!seen_digit) {
    *error = "\"" + std::string(text) + "\": expected a size such as \"250 kB\"";
    return false;
  }
  std::string number(text.substr(0, digits_end));
  std::string_view unit = TrimOws(text.substr(digits_end));
  struct Unit {
    std::string_view name;
    double factor;
  };
  static constexpr Unit kUnits[] = {{"", 1},          {"B", 1},           {"kB", 1e3},
                                    {"MB", 1e6},      {"GB", 1e9},        {"KiB", 1024.0},
                                    {"MiB", 1048576.0}, {"GiB", 1073741824.0}};
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      double value = std::strtod(number.c_str(), nullptr) * u.factor;
      if (!std::isfinite(value) || value > 1e18) {
        *error = "\"" + std::string(text) + "\": size too large";
        return false;
      }
      *bytes = static_cast<uint64_t>(std::llround(value));
      return true;
    }
  }
  *error = "\"" + std::string(text) + "\": unknown unit \"" + std::string(unit) +
           "\" (use B, kB, MB, KiB or MiB)";
  return false;
}

bool ParseSizeLimit(std::string_view text, SizeLimit* limit, std::string* error) {
  std::string_view trimmed = TrimOws(text);
  size_t space = trimmed.find_last_of(" \t");
  std::string_view measure_name = space == std::string_view::npos ? "" : trimmed.substr(space + 1);
  if (measure_name == "raw") {
    limit->measure = Measure::kRaw;
  } else if (measure_name == "gzip") {
    limit->measure = Measure::kGzip;
  } else if (measure_name == "brotli") {
    limit->measure = Measure::kBrotli;
  } else if (measure_name == "zstd") {
    limit->measure = Measure::kZstd;
  } else {
    *error = "\"" + std::string(text) + "\": expected a size and a measure, e.g. \"500 kB gzip\" " +
             "(measure: raw, gzip or brotli)";
    return false;
  }
  return ParseSize(trimmed.substr(0, space), &limit->bytes, error);
}

std::string FormatKb(uint64_t bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f kB", static_cast<double>(bytes) / 1000.0);
  return buffer;
}

std::string FormatLimit(const SizeLimit& limit) {
  return FormatKb(limit.bytes) + " " + std::string(MeasureName(limit.measure));
}

}  // namespace npsbundle
