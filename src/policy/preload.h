#ifndef NPSBUNDLE_POLICY_PRELOAD_H_
#define NPSBUNDLE_POLICY_PRELOAD_H_

#include <string>
#include <string_view>
#include <vector>

#include "build/load_sets.h"
#include "build/manifest.h"

namespace npsbundle {

// `Link` header values that let a browser (or a CDN turning them into 103
// Early Hints) fetch a load set before the HTML is parsed:
//   </assets/vendor-react-AbC123.js>; rel=modulepreload; crossorigin
//   </assets/index-XyZ789.css>; rel=preload; as=style
// `base` is Vite's `base` ("/" or "/app/"); it must start and end with '/'.
// With `skip_first_script` the first script (an entry's own <script> tag,
// which the HTML already names) gets no hint.
std::vector<std::string> PreloadLinks(const LoadSet& set, std::string_view base,
                                      bool skip_first_script);

// The hints for the HTML of entry `entry_key`: its initial set, minus the
// entry script itself.
std::vector<std::string> EntryPreloadLinks(const Manifest& manifest, const std::string& entry_key,
                                           std::string_view base);

// The hints for a deep link to route page `page_key` of entry `entry_key`:
// the entry's hints, then every file the page adds (its chunk included).
// nginx writes these per route; serve sends the same values, combining the
// entry's hints with PreloadLinks(RouteCost(...)) at response time.
std::vector<std::string> RoutePreloadLinks(const Manifest& manifest, const std::string& entry_key,
                                           const std::string& page_key, std::string_view base);

// The manifest key of the HTML entry `html_path` ("index.html",
// "admin/index.html") or empty when the manifest has none for it.
std::string EntryKeyForHtml(const Manifest& manifest, std::string_view html_path);

}  // namespace npsbundle

#endif  // NPSBUNDLE_POLICY_PRELOAD_H_
