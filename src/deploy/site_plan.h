#ifndef NPSBUNDLE_DEPLOY_SITE_PLAN_H_
#define NPSBUNDLE_DEPLOY_SITE_PLAN_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "build/manifest.h"

namespace npsbundle {

// What every `deploy-config` target writes, decided once from the serving
// policy (policy/serving, policy/preload) so that Caddy, Cloudflare,
// Netlify and Vercel cannot drift from `serve` or from each other. A
// renderer only spells this plan in its host's syntax.

// Options shared by every target.
struct DeployOptions {
  std::string base = "/";  // Vite's `base`; starts and ends with '/'
  // URL path ("/oracle", without the base) -> manifest key of its page, as
  // the budget's `routes` map: each route gets its page's preload hints.
  std::map<std::string, std::string> routes;
  std::string manifest_display_path;  // named in the header comment
};

// One URL answered with an HTML entry, and the `Link` values it sends.
struct PlannedPage {
  std::string url;   // without the base: "/", "/index.html", "/oracle"
  std::string html;  // the build path of the HTML answering it
  std::vector<std::string> links;  // EntryPreloadLinks / RoutePreloadLinks, capped
  size_t dropped = 0;              // hints the caps left out
  bool route = false;              // from the route map (not a file of the build)
};

struct SitePlan {
  std::string base;
  // Every file a browser may fetch, sorted: hidden paths, host config files
  // and .br/.gz variants are left out.
  std::vector<std::string> files;
  std::vector<std::string> immutable;    // CacheClassifier's, sorted
  std::vector<std::string> revalidated;  // files minus immutable, sorted
  // Files with a precompressed FILE.br or FILE.gz beside them, and text
  // files without (a server compresses those on the fly).
  std::vector<std::string> precompressed;
  std::vector<std::string> compress_on_the_fly;
  // The .br/.gz files themselves: encodings, never URLs of their own.
  std::vector<std::string> variant_files;
  // Files under every immutable file's folder (kAssetsDir at least): a miss
  // there is a stale reference, a 404, never the SPA.
  std::vector<std::string> asset_folders;  // "assets/", sorted
  // True when every file in kAssetsDir is immutable, so one pattern can
  // cover the folder.
  bool assets_dir_all_immutable = false;
  std::vector<PlannedPage> pages;
  // HTML entries a navigation falls back to, deepest folder first, the root
  // "index.html" last (when it is an entry).
  std::vector<std::string> spa_entries;
};

// Plans the build whose files (build paths, as BundleSource lists them,
// variants included) are `build_files`. Throws InputError for a malformed
// base, a route not starting with '/', or a route naming no manifest key.
SitePlan PlanSite(const Manifest& manifest, const std::vector<std::string>& build_files,
                  const DeployOptions& options);

// The folder part of a "DIR/index.html" entry ("admin/"), empty for the root.
std::string EntryFolder(std::string_view html);

// The first lines of every generated file, each prefixed by `comment`
// ("# "): which command and build wrote it, and to regenerate it.
std::string GeneratedHeader(std::string_view comment, std::string_view target,
                            const DeployOptions& options);

}  // namespace npsbundle

#endif  // NPSBUNDLE_DEPLOY_SITE_PLAN_H_
