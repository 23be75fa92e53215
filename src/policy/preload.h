#ifndef NPSBUNDLE_POLICY_PRELOAD_H_
#define NPSBUNDLE_POLICY_PRELOAD_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "build/load_sets.h"
#include "build/manifest.h"

namespace npsbundle {

// `Link` header values that let a browser (or a CDN turning them into 103
// Early Hints) fetch what a page needs before its HTML is parsed:
//   </assets/index-AbC123.js>; rel=modulepreload; crossorigin
//   </assets/index-XyZ789.css>; rel=preload; as=style
// `base` is Vite's `base` ("/" or "/app/"); it must start and end with '/'.
// Every output that sends hints (serve, nginx, …) takes these lists whole,
// so they agree hint for hint.

// At most this many hints and this many bytes of `Link` header lines
// ("Link: <value>\r\n" each) per response: a CDN turns them into 103 Early
// Hints, and a long tail of small chunks costs header bytes (and HPACK
// table room) on every navigation for little gain. The most critical come
// first, so the cut drops the least useful.
inline constexpr size_t kMaxPreloadHints = 16;
inline constexpr size_t kMaxPreloadHeaderBytes = 2048;

struct PreloadHints {
  std::vector<std::string> links;  // in send order
  size_t dropped = 0;              // hints left out by the caps
};

std::string ModulePreloadLink(std::string_view build_path, std::string_view base);
std::string StylePreloadLink(std::string_view build_path, std::string_view base);

// The hints for the HTML of entry `entry_key`, critical path first: the
// entry script itself (what the page runs first, and what Early Hints help
// most), the initial CSS (it blocks rendering), then the entry's static
// imports in load order (modulepreload). Lazy pages are never hinted here.
PreloadHints EntryPreloadLinks(const Manifest& manifest, const std::string& entry_key,
                               std::string_view base);

// The hints for a deep link to route page `page_key` of entry `entry_key`,
// critical path first: the entry script, the initial CSS, the entry's static
// imports (the page's chunk cannot run before them), then the page's own
// chunk, its CSS and its other imports, each file once. When the caps cut,
// the page's tail is dropped before the entry's vendor modules. nginx writes
// these per route; serve sends the same list.
PreloadHints RoutePreloadLinks(const Manifest& manifest, const std::string& entry_key,
                               const std::string& page_key, std::string_view base);

// The manifest key of the HTML entry `html_path` ("index.html",
// "admin/index.html") or empty when the manifest has none for it.
std::string EntryKeyForHtml(const Manifest& manifest, std::string_view html_path);

// The HTML entry a navigation to `url_path` ("/admin/users/7", without the
// base) falls back to: the nearest "DIR/index.html" entry up the path, or
// empty when there is none.
std::string HtmlForNavigation(const Manifest& manifest, std::string_view url_path);

// Whether a response to a request for an HTML page should be preceded by a
// 103 Early Hints (RFC 8297) repeating its preload Links, so the browser
// fetches them while the page is still on its way. Only navigations:
//   - GET: a HEAD renders nothing;
//   - final status 200 or 304: a 304 says the browser's copy of the same
//     page is current, so the same hints hold; the hinted files are
//     hash-named and immutable, so a browser that has them answers the
//     preloads from its cache for free, and one that lost some (eviction,
//     a partial earlier visit) gets them early. A CDN sending 103 before it
//     knows the origin's answer sends them for a 304 too;
//   - `sec_fetch_mode`, when the client sends Sec-Fetch-Mode, is "navigate":
//     a fetch() of the HTML loads no page, and browsers act on 103 only for
//     navigations.
// Whether the connection can carry a 103 (HTTP/1.1 or later, never 1.0) is
// the protocol adapter's call; whether 103s are wanted at all is serve's
// --early-hints.
bool WantsEarlyHints(std::string_view method, int status,
                     std::optional<std::string_view> sec_fetch_mode);

}  // namespace npsbundle

#endif  // NPSBUNDLE_POLICY_PRELOAD_H_
