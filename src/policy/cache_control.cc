#include "policy/cache_control.h"

#include <charconv>

#include "core/ascii.h"
#include "policy/serving.h"

namespace npsbundle {
CacheDirectives ParseCacheControl(std::string_view cache_control) {
  CacheDirectives out;
  while (!cache_control.empty()) {
    size_t comma = cache_control.find(',');
    std::string_view item = TrimOws(cache_control.substr(0, comma));
    cache_control = comma == std::string_view::npos ? std::string_view() : cache_control.substr(comma + 1);
    size_t equals = item.find('=');
    std::string_view name = TrimOws(item.substr(0, equals));
    std::string_view value = equals == std::string_view::npos ? std::string_view() : TrimOws(item.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (EqualsIgnoreCase(name, "no-cache")) out.no_cache = true;
    if (EqualsIgnoreCase(name, "no-store")) out.no_store = true;
    if (EqualsIgnoreCase(name, "immutable")) out.immutable = true;
    if (EqualsIgnoreCase(name, "max-age")) {
      int64_t seconds = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc() && ptr == value.data() + value.size() && !value.empty()) out.max_age = seconds;
    }
  }
  return out;
}

int64_t ImmutableMaxAgeSeconds() {
  static const int64_t seconds = ParseCacheControl(kCacheImmutable).max_age.value_or(0);
  return seconds;
}

bool IsLongImmutable(std::string_view cache_control) {
  CacheDirectives d = ParseCacheControl(cache_control);
  return d.immutable && !d.no_cache && !d.no_store && d.max_age && *d.max_age >= ImmutableMaxAgeSeconds();
}

bool IsRevalidated(std::string_view cache_control) {
  CacheDirectives d = ParseCacheControl(cache_control);
  return !d.immutable && (d.no_cache || d.no_store || (d.max_age && *d.max_age == 0));
}

}  // namespace npsbundle
