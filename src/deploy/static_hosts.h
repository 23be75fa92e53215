#ifndef NPSBUNDLE_DEPLOY_STATIC_HOSTS_H_
#define NPSBUNDLE_DEPLOY_STATIC_HOSTS_H_

#include <string>
#include <vector>

#include "deploy/site_plan.h"

namespace npsbundle {

// A file a target writes, named relative to the folder it goes in.
struct DeployFile {
  std::string name;  // "_headers", "vercel.json"
  std::string text;
  // Written only when the build has no file of that name: a 404.html of
  // the user's own is kept.
  bool only_if_missing = false;
};

// Documented limits of Cloudflare Pages (developers.cloudflare.com/pages/
// configuration/headers/ and /redirects/): `_headers` takes at most 100
// rules and 2,000 characters a line; `_redirects` 2,000 static and 100
// dynamic rules, 1,000 characters each.
inline constexpr size_t kCloudflareMaxHeaderRules = 100;
inline constexpr size_t kCloudflareMaxHeaderLine = 2000;
inline constexpr size_t kCloudflareMaxStaticRedirects = 2000;
inline constexpr size_t kCloudflareMaxDynamicRedirects = 100;
inline constexpr size_t kCloudflareMaxRedirectLine = 1000;

struct CloudflareOptions {
  // Extra deep-link patterns answered with the app ("/users/*"), besides
  // the routes of the route map: Cloudflare's `_redirects` cannot answer
  // 404, so the SPA gets only the paths named here.
  std::vector<std::string> spa_routes;
};

// Cloudflare Pages: `_headers`, `_redirects` and a `404.html`.
//   - `_headers`: `/*` carries the security headers and `no-cache`; each
//     hashed file (or `/assets/*` when the rules would pass the cap) drops
//     that (`! Cache-Control`) for a year's `immutable`; each page URL gets
//     its `Link` hints, which Cloudflare turns into 103 Early Hints.
//   - A top-level 404.html switches Pages' SPA mode off, so a missing
//     `/assets/x.js` is a 404 and not index.html. Deep links then reach the
//     app only through `_redirects` rewrites (status 200): one per route of
//     the route map and per CloudflareOptions::spa_routes pattern. That is
//     the trade-off: a client route the build does not know is a 404.
// Throws InputError when a limit above would be passed.
std::vector<DeployFile> GenerateCloudflare(const SitePlan& plan, const CloudflareOptions& cloudflare,
                                           const DeployOptions& options);

// Netlify: `_headers` and `_redirects` (docs.netlify.com/manage/routing/).
// Netlify merges the headers of every matching rule and has no way to drop
// one, so Cache-Control rules never overlap: hashed files (or
// `/assets/*`) immutable, every other file and page URL `no-cache`, one
// rule each. `_redirects`: a missing file under an asset folder is a 404,
// navigations under a nested entry get its index.html, the rest the root
// index.html (200); Netlify serves an existing file before any rule.
std::vector<DeployFile> GenerateNetlify(const SitePlan& plan, const DeployOptions& options);

// Vercel: `vercel.json` with `headers` (never overlapping on Cache-Control:
// the revalidating rule's pattern excludes the immutable ones) and
// `rewrites` (Vercel checks the filesystem first) sending navigations
// outside the asset folders to the nearest entry index.html.
std::string GenerateVercelJson(const SitePlan& plan, const DeployOptions& options);

}  // namespace npsbundle

#endif  // NPSBUNDLE_DEPLOY_STATIC_HOSTS_H_
