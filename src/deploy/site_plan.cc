#include "deploy/site_plan.h"

#include <algorithm>
#include <set>

#include "build/asset_names.h"
#include "core/compression.h"
#include "core/error.h"
#include "policy/preload.h"
#include "policy/serving.h"

namespace npsbundle {
namespace {

void Validate(const Manifest& manifest, const DeployOptions& options) {
  const std::string& base = options.base;
  if (base.empty() || base.front() != '/' || base.back() != '/') {
    throw InputError("--base: \"" + base + "\": must start and end with '/' (\"/\", \"/app/\")");
  }
  for (const auto& [route, key] : options.routes) {
    if (route.empty() || route.front() != '/') {
      throw InputError("routes: \"" + route + "\": a route is a URL path starting with '/'");
    }
    if (!manifest.Find(key)) {
      throw InputError("routes: \"" + route + "\": \"" + key + "\" is not a key of the manifest");
    }
  }
}

bool IsVariant(const std::set<std::string>& all, const std::string& path) {
  if (!path.ends_with(".br") && !path.ends_with(".gz")) return false;
  return all.count(path.substr(0, path.size() - 3)) > 0;
}

// The URLs serve answers with an entry's HTML besides its own path.
std::vector<std::string> EntryUrls(const std::string& html) {
  if (html == "index.html") return {"/", "/index.html"};
  if (html.ends_with("/index.html")) {
    std::string dir = html.substr(0, html.size() - std::string_view("/index.html").size());
    return {"/" + dir, "/" + dir + "/", "/" + html};
  }
  return {"/" + html};
}

}  // namespace

std::string EntryFolder(std::string_view html) {
  return std::string(html.substr(0, html.size() - std::string_view("index.html").size()));
}

SitePlan PlanSite(const Manifest& manifest, const std::vector<std::string>& build_files,
                  const DeployOptions& options) {
  Validate(manifest, options);
  SitePlan plan;
  plan.base = options.base;
  std::set<std::string> all(build_files.begin(), build_files.end());
  for (const std::string& path : all) {
    if (IsHiddenPath(path) || IsHostConfigFile(path)) continue;
    if (IsVariant(all, path)) {
      plan.variant_files.push_back(path);
      continue;
    }
    plan.files.push_back(path);
  }
  CacheClassifier caching(&manifest);
  std::set<std::string> folders{std::string(kAssetsDir)};
  for (const std::string& path : plan.files) {
    (caching.IsImmutable(path) ? plan.immutable : plan.revalidated).push_back(path);
    if (all.count(path + ".br") || all.count(path + ".gz")) {
      plan.precompressed.push_back(path);
    } else if (IsTextLike(path) && !path.ends_with(".map")) {
      plan.compress_on_the_fly.push_back(path);
    }
  }
  for (const std::string& path : plan.immutable) {
    size_t slash = path.rfind('/');
    if (slash != std::string::npos) folders.insert(path.substr(0, slash + 1));
  }
  plan.asset_folders.assign(folders.begin(), folders.end());
  plan.assets_dir_all_immutable = true;
  for (const std::string& path : plan.revalidated) {
    if (path.starts_with(kAssetsDir)) plan.assets_dir_all_immutable = false;
  }

  std::set<std::string> planned;
  std::vector<std::string> html_entries;
  for (const std::string& key : manifest.EntryKeys()) {
    if (key.ends_with(".html")) html_entries.push_back(key);
  }
  // Folder pages claim "/admin" before admin.html would, as in serve.
  std::stable_sort(html_entries.begin(), html_entries.end(), [](const auto& a, const auto& b) {
    return a.ends_with("index.html") > b.ends_with("index.html");
  });
  auto add_page = [&](const std::string& url, const std::string& html, const std::string& entry,
                      const std::string* page, bool route) {
    if (!planned.insert(url).second) return;
    std::string bare = url.size() > 1 && url.back() == '/' ? url.substr(0, url.size() - 1) : url;
    auto it = options.routes.find(bare);
    if (!page && it != options.routes.end()) page = &it->second;
    PreloadHints hints = page ? RoutePreloadLinks(manifest, entry, *page, options.base)
                              : EntryPreloadLinks(manifest, entry, options.base);
    plan.pages.push_back({url, html, std::move(hints.links), hints.dropped, route});
  };
  for (const std::string& key : html_entries) {
    for (const std::string& url : EntryUrls(key)) add_page(url, key, key, nullptr, false);
  }
  for (const auto& [route, page_key] : options.routes) {
    std::string bare =
        route.size() > 1 && route.back() == '/' ? route.substr(0, route.size() - 1) : route;
    std::string html = HtmlForNavigation(manifest, bare);
    if (html.empty()) {
      throw InputError("routes: \"" + route + "\": no index.html entry serves this path");
    }
    std::string entry = EntryKeyForHtml(manifest, html);
    add_page(bare, html, entry, &page_key, true);
    if (bare != "/") add_page(bare + "/", html, entry, &page_key, true);
  }

  for (const std::string& key : html_entries) {
    if (key == "index.html" || key.ends_with("/index.html")) plan.spa_entries.push_back(key);
  }
  std::stable_sort(plan.spa_entries.begin(), plan.spa_entries.end(),
                   [](const std::string& a, const std::string& b) {
                     return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
                   });
  return plan;
}

std::string GeneratedHeader(std::string_view comment, std::string_view target,
                            const DeployOptions& options) {
  std::string c(comment);
  std::string from = options.manifest_display_path.empty()
                         ? std::string()
                         : " from " + options.manifest_display_path;
  return c + "Generated by `npsbundle deploy-config --target " + std::string(target) + "`" + from +
         ".\n" + c + "Regenerate after every build: it names this build's hashed files.\n";
}

}  // namespace npsbundle
