// Fuzzes the request-header parsers of `serve`. The first byte picks the
// parser; the rest is the header value. Checks invariants, not just crashes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "build/asset_names.h"
#include "http/semantics.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view value(reinterpret_cast<const char*>(data) + 1, size - 1);
  using namespace npsbundle;
  switch (data[0] % 5) {
    case 0: {
      ContentCoding none = ChooseEncoding(value, AvailableCodings{});
      if (none != ContentCoding::kIdentity) __builtin_trap();  // nothing else exists
      ChooseEncoding(value, AvailableCodings{true, true});
      break;
    }
    case 1: {
      for (uint64_t length : {uint64_t{0}, uint64_t{1}, uint64_t{1000}}) {
        RangeDecision d = ParseRange(value, length);
        if (d.outcome == RangeOutcome::kPartial && (d.length == 0 || d.first + d.length > length)) __builtin_trap();
      }
      break;
    }
    case 2:
      IfNoneMatchMatches(value, "\"abc\"");
      IfRangeHolds(value, "\"abc\"", 784111777);
      NotModifiedSince(value, 784111777);
      break;
    case 3: {
      RequestPath p = NormalizeRequestPath(value);
      if (p.verdict == PathVerdict::kOk) {
        // A normalised path never climbs, never starts with '/' and holds no NUL or backslash.
        if (!p.path.empty() && p.path.front() == '/') __builtin_trap();
        if (p.path.find('\0') != std::string::npos || p.path.find('\\') != std::string::npos) __builtin_trap();
        if (p.path == ".." || p.path.rfind("../", 0) == 0 || p.path.find("/../") != std::string::npos) __builtin_trap();
        IsHiddenPath(p.path);
      }
      break;
    }
    default:
      if (auto date = ParseHttpDate(value)) {
        if (ParseHttpDate(FormatHttpDate(*date)) != date) __builtin_trap();
      }
  }
  return 0;
}
