#ifndef NPSBUNDLE_POLICY_CACHE_CONTROL_H_
#define NPSBUNDLE_POLICY_CACHE_CONTROL_H_

#include <cstdint>
#include <optional>
#include <string_view>

namespace npsbundle {

// Reading a Cache-Control value someone else's server sent (`audit`), judged
// by the policy of policy/serving.h: what counts as "cached for good" and
// what as "revalidated". Directive names are case-insensitive; unknown
// directives are ignored; a malformed max-age counts as absent.
struct CacheDirectives {
  bool no_cache = false;
  bool no_store = false;
  bool immutable = false;
  std::optional<int64_t> max_age;  // seconds
};
CacheDirectives ParseCacheControl(std::string_view cache_control);

// The max-age of kCacheImmutable, in seconds (a year).
int64_t ImmutableMaxAgeSeconds();

// True when a cache may keep the response as long as the policy's
// immutable value says without asking: "immutable" and a max-age at least
// ImmutableMaxAgeSeconds().
bool IsLongImmutable(std::string_view cache_control);

// True when a browser must ask the server before reusing the response, as
// the policy wants for HTML and service workers: no-cache, no-store or
// max-age=0, and not immutable. An absent field is false: browsers then
// cache heuristically (RFC 9111 §4.2.2).
bool IsRevalidated(std::string_view cache_control);

}  // namespace npsbundle

#endif  // NPSBUNDLE_POLICY_CACHE_CONTROL_H_
