#ifndef NPSBUNDLE_POLICY_SERVING_H_
#define NPSBUNDLE_POLICY_SERVING_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "build/manifest.h"

namespace npsbundle {

// The serving policy: what a file of a Vite build is sent with, wherever it
// is served. `serve` and every config generator (nginx, …) ask here; no
// other place states a header value, a content type or an error body.

// Cache-Control. Hashed assets can be cached forever because a new build
// gives them new names; everything else is revalidated each time.
inline constexpr std::string_view kCacheImmutable = "public, max-age=31536000, immutable";
inline constexpr std::string_view kCacheRevalidate = "no-cache";

// Vite's default assetsDir. Everything there is build output with a hashed
// name, so a miss is a stale reference and never becomes index.html.
inline constexpr std::string_view kAssetsDir = "assets/";

// The Cache-Control value of a classification made earlier.
inline std::string_view CacheControlFor(bool immutable) {
  return immutable ? kCacheImmutable : kCacheRevalidate;
}

// The one caching classifier: `serve`, `nginx` and every later target ask
// it which files of a build may be cached for a year, so they cannot
// disagree. A file is immutable only when the bundler named it with a
// content hash: the manifest (Vite's, or the one read from index.html)
// lists it as a chunk's `file`, `css` or `assets` entry AND its name carries
// Vite's hash (IsHashedAssetName). Everything else is revalidated
// (`no-cache`): HTML, files copied from public/ (fonts, icons, robots.txt),
// source maps, and the files of a service worker:
//   - sw.js, service-worker.js, registerSW.js and *.webmanifest never, even
//     when a manifest lists them: the browser checks a service worker and
//     the web-app manifest by their fixed URL, so a year-long cache keeps a
//     broken worker alive for a year;
//   - workbox-<hash>.js is named by workbox-build, not by the bundler, and
//     is not in Vite's manifest, so it is revalidated (a 304 per visit, and
//     the worker precaches it anyway): a hash put there by a tool whose
//     config we cannot see is not trusted.
// Unhashed names the manifest lists (`assetFileNames: "[name].[ext]"`) are
// revalidated too: a new build reuses the name with new bytes.
class CacheClassifier {
 public:
  // `manifest` may be null: a build without one caches nothing for long.
  explicit CacheClassifier(const Manifest* manifest);

  // True when build path `path` may be cached for a year.
  bool IsImmutable(std::string_view path) const;
  std::string_view CacheControl(std::string_view path) const {
    return CacheControlFor(IsImmutable(path));
  }
  // Every immutable build path, sorted: a config generator writes one exact
  // rule for each and revalidates the rest.
  const std::vector<std::string>& ImmutableFiles() const { return immutable_; }

 private:
  std::vector<std::string> immutable_;  // sorted, unique
};

// True for the files a service worker setup fetches by a fixed URL (sw.js,
// service-worker.js, registerSW.js, *.webmanifest): never immutable.
bool IsServiceWorkerFile(std::string_view path);

// True for every file of a service worker setup: IsServiceWorkerFile, plus
// the workbox-<hash>.js runtime that workbox-build writes beside sw.js.
// Reports list these apart from the pages' chunks: the browser fetches
// them in the background, not on a navigation.
bool IsServiceWorkerPart(std::string_view path);


// Headers every response carries, errors included.
const std::vector<std::pair<std::string_view, std::string_view>>& SecurityHeaders();

// Content-Type by file extension (case-insensitive), UTF-8 charset on text
// types; "application/octet-stream" when unknown.
std::string_view ContentTypeFor(std::string_view path);
bool IsHtmlContentType(std::string_view content_type);
// True when ContentTypeFor knows the extension and it is not an HTML page:
// such a path names a static asset, never a client-side route.
bool IsAssetExtension(std::string_view path);
// The extensions IsAssetExtension accepts, for config generators that match
// them in their own syntax.
std::vector<std::string_view> AssetExtensions();

// The SPA fallback rule: a missing `path` (build-relative, base removed) is
// answered with the nearest index.html when it is a navigation: never under
// kAssetsDir; a last segment without a '.' ("/users/42"), or an `Accept`
// naming text/html for a path whose extension is no asset type
// ("/users/ada.lovelace" from the address bar).
bool IsSpaNavigation(std::string_view path, std::string_view accept);

// Error answers are short plain text: "404 not found\n".
inline constexpr std::string_view kErrorContentType = "text/plain; charset=utf-8";
std::string ErrorBody(int status);
// A GET or HEAD with a body: the start of request smuggling.
inline constexpr std::string_view kBodyOnGetBody = "400 bad request: a GET carries no body\n";
// What `serve` answers to, and says in Allow on a 405.
inline constexpr std::string_view kAllowedMethods = "GET, HEAD";

// A compressed variant is kept only when it is at least this many percent
// smaller than the file: a 40-byte file that "compresses" to 44 bytes is a
// second body for nothing.
inline constexpr double kMinSavingPercent = 5.0;
bool WorthCompressing(size_t original_bytes, size_t compressed_bytes,
                      double min_saving_percent = kMinSavingPercent);

}  // namespace npsbundle

#endif  // NPSBUNDLE_POLICY_SERVING_H_
