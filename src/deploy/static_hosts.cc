#include "deploy/static_hosts.h"

#include <algorithm>
#include <map>
#include <set>

#include "core/error.h"
#include "core/escape.h"
#include "policy/serving.h"

namespace npsbundle {
namespace {

// The rules of a `_headers` file in the order first named; naming a
// pattern again adds to its rule, so no two rules share a pattern.
class HeaderRules {
 public:
  void Add(const std::string& pattern, const std::string& line) {
    auto [it, added] = index_.emplace(pattern, rules_.size());
    if (added) rules_.push_back({pattern, {}});
    rules_[it->second].second.push_back(line);
  }
  size_t size() const { return rules_.size(); }
  std::string Render(const std::string& header, size_t max_line, std::string_view host) const {
    std::string out = header;
    for (const auto& [pattern, lines] : rules_) {
      out += "\n" + pattern + "\n";
      for (const std::string& line : lines) {
        if (line.size() + 2 > max_line) {
          throw InputError(std::string(host) + " _headers: a line for " + pattern + " has " +
                           std::to_string(line.size() + 2) + " characters, over the limit of " +
                           std::to_string(max_line));
        }
        out += "  " + line + "\n";
      }
    }
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::vector<std::string>>> rules_;
  std::map<std::string, size_t> index_;
};

std::string CacheLine(std::string_view value) { return "Cache-Control: " + std::string(value); }

void SecurityLines(HeaderRules* rules, const std::string& pattern) {
  for (const auto& [name, value] : SecurityHeaders()) {
    rules->Add(pattern, std::string(name) + ": " + std::string(value));
  }
}

void PageLinks(const SitePlan& plan, HeaderRules* rules, std::string* header) {
  for (const PlannedPage& page : plan.pages) {
    if (page.dropped > 0) {
      *header += "# " + std::to_string(page.dropped) + " more hints for " + page.url +
                 " dropped by the caps of policy/preload.\n";
    }
    for (const std::string& link : page.links) {
      rules->Add(plan.base + page.url.substr(1), "Link: " + link);
    }
  }
}

// The 404.html both hosts answer a miss with: serve's error body.
DeployFile NotFoundPage() { return {"404.html", ErrorBody(404), true}; }

// "/app/admin/": the URL of an entry's folder, where a rewrite lands.
std::string FolderUrl(const SitePlan& plan, const std::string& html) {
  return plan.base + EntryFolder(html);
}

bool IsDynamicPattern(std::string_view pattern) {
  return pattern.find('*') != std::string_view::npos || pattern.find(':') != std::string_view::npos;
}

}  // namespace

std::vector<DeployFile> GenerateCloudflare(const SitePlan& plan, const CloudflareOptions& cloudflare,
                                           const DeployOptions& options) {
  std::string header = GeneratedHeader("# ", "cloudflare", options);
  HeaderRules rules;
  std::string all = plan.base + "*";
  SecurityLines(&rules, all);
  rules.Add(all, CacheLine(kCacheRevalidate));
  size_t pages_with_links = 0;
  for (const PlannedPage& page : plan.pages) pages_with_links += page.links.empty() ? 0 : 1;
  // Exact rules keep a 404 under /assets/ revalidated; past the cap, one
  // pattern for the folder (and exact exceptions) takes their place.
  bool per_file = 1 + plan.immutable.size() + pages_with_links <= kCloudflareMaxHeaderRules;
  auto immutable_rule = [&](const std::string& pattern) {
    rules.Add(pattern, "! Cache-Control");
    rules.Add(pattern, CacheLine(kCacheImmutable));
  };
  if (per_file) {
    for (const std::string& file : plan.immutable) immutable_rule(plan.base + file);
  } else {
    immutable_rule(plan.base + std::string(kAssetsDir) + "*");
    for (const std::string& file : plan.immutable) {
      if (!file.starts_with(kAssetsDir)) immutable_rule(plan.base + file);
    }
    for (const std::string& file : plan.revalidated) {
      if (!file.starts_with(kAssetsDir)) continue;
      rules.Add(plan.base + file, "! Cache-Control");
      rules.Add(plan.base + file, CacheLine(kCacheRevalidate));
    }
  }
  std::string headers_note;
  PageLinks(plan, &rules, &headers_note);
  if (rules.size() > kCloudflareMaxHeaderRules) {
    throw InputError("cloudflare _headers: " + std::to_string(rules.size()) +
                     " rules, over Cloudflare Pages' limit of " +
                     std::to_string(kCloudflareMaxHeaderRules));
  }
  std::string headers = rules.Render(header + headers_note, kCloudflareMaxHeaderLine, "cloudflare");

  // Static rewrites first, as Cloudflare asks, then the patterns.
  std::vector<std::string> fixed, dynamic;
  for (const PlannedPage& page : plan.pages) {
    if (!page.route) continue;
    fixed.push_back(plan.base + page.url.substr(1) + " " + FolderUrl(plan, page.html) + " 200");
  }
  for (const std::string& pattern : cloudflare.spa_routes) {
    if (pattern.empty() || pattern.front() != '/' || pattern.find(' ') != std::string::npos) {
      throw InputError("cloudflare spaRoutes: \"" + pattern +
                       "\": a URL pattern starting with '/' (\"/users/*\")");
    }
    std::string url = plan.base + pattern.substr(1);
    (IsDynamicPattern(pattern) ? dynamic : fixed).push_back(url + " " + plan.base + " 200");
  }
  if (fixed.size() > kCloudflareMaxStaticRedirects || dynamic.size() > kCloudflareMaxDynamicRedirects) {
    throw InputError("cloudflare _redirects: " + std::to_string(fixed.size()) + " static and " +
                     std::to_string(dynamic.size()) + " dynamic rules, over Cloudflare Pages' limits of " +
                     std::to_string(kCloudflareMaxStaticRedirects) + " and " +
                     std::to_string(kCloudflareMaxDynamicRedirects));
  }
  std::string redirects = header;
  redirects += "# 404.html turns Pages' SPA mode off, so a missing asset is a 404. Deep links\n";
  redirects += "# reach the app only through these rewrites: the routes the build knows.\n";
  for (const std::vector<std::string>* list : {&fixed, &dynamic}) {
    for (const std::string& line : *list) {
      if (line.size() > kCloudflareMaxRedirectLine) {
        throw InputError("cloudflare _redirects: a rule over " +
                         std::to_string(kCloudflareMaxRedirectLine) + " characters: " + line);
      }
      redirects += line + "\n";
    }
  }
  return {{"_headers", headers, false}, {"_redirects", redirects, false}, NotFoundPage()};
}

std::vector<DeployFile> GenerateNetlify(const SitePlan& plan, const DeployOptions& options) {
  std::string header = GeneratedHeader("# ", "netlify", options);
  HeaderRules rules;
  SecurityLines(&rules, plan.base + "*");
  std::set<std::string> page_urls;
  for (const PlannedPage& page : plan.pages) page_urls.insert(page.url);
  for (const std::string& file : plan.revalidated) {
    rules.Add(plan.base + file, CacheLine(kCacheRevalidate));
  }
  for (const std::string& url : page_urls) {
    if (!std::binary_search(plan.revalidated.begin(), plan.revalidated.end(), url.substr(1))) {
      rules.Add(plan.base + url.substr(1), CacheLine(kCacheRevalidate));
    }
  }
  if (plan.assets_dir_all_immutable && !plan.immutable.empty()) {
    rules.Add(plan.base + std::string(kAssetsDir) + "*", CacheLine(kCacheImmutable));
    for (const std::string& file : plan.immutable) {
      if (!file.starts_with(kAssetsDir)) rules.Add(plan.base + file, CacheLine(kCacheImmutable));
    }
  } else {
    for (const std::string& file : plan.immutable) rules.Add(plan.base + file, CacheLine(kCacheImmutable));
  }
  std::string note;
  PageLinks(plan, &rules, &note);
  // Netlify documents no rule or line limit for _headers; serve's caps on
  // the hints keep each response's Link lines within 2 kB anyway.
  std::string headers = rules.Render(header + note, SIZE_MAX, "netlify");

  std::string redirects = header;
  redirects += "# An existing file is served before any rule. A miss in an asset folder is\n";
  redirects += "# a stale reference: 404, never the app.\n";
  for (const std::string& folder : plan.asset_folders) {
    redirects += plan.base + folder + "*  " + plan.base + "404.html  404\n";
  }
  for (const std::string& html : plan.spa_entries) {
    redirects += FolderUrl(plan, html) + "*  " + plan.base + html + "  200\n";
  }
  return {{"_headers", headers, false}, {"_redirects", redirects, false}, NotFoundPage()};
}

std::string GenerateVercelJson(const SitePlan& plan, const DeployOptions& options) {
  (void)options;  // vercel.json has no comments: the README says where it came from
  auto rule = [](const std::string& source, const std::vector<std::pair<std::string, std::string>>& headers) {
    std::string out = "    {\n      \"source\": \"" + JsonEscape(source) + "\",\n      \"headers\": [\n";
    for (size_t i = 0; i < headers.size(); ++i) {
      out += "        { \"key\": \"" + JsonEscape(headers[i].first) + "\", \"value\": \"" +
             JsonEscape(headers[i].second) + "\" }" + (i + 1 < headers.size() ? "," : "") + "\n";
    }
    return out + "      ]\n    }";
  };
  // Vercel's sources are path-to-regexp patterns: literal parts escaped.
  auto literal = [](std::string_view text) {
    std::string out;
    for (char c : text) {
      if (std::string_view(".+*?()[]{}:^$|\\").find(c) != std::string_view::npos) out += '\\';
      out += c;
    }
    return out;
  };
  std::vector<std::string> immutable_patterns;  // relative to the base, regex
  std::vector<std::string> rules;
  std::vector<std::pair<std::string, std::string>> security;
  for (const auto& [name, value] : SecurityHeaders()) security.emplace_back(name, value);
  rules.push_back(rule(plan.base + "(.*)", security));
  if (plan.assets_dir_all_immutable && !plan.immutable.empty()) {
    immutable_patterns.push_back(literal(kAssetsDir));
  }
  for (const std::string& file : plan.immutable) {
    if (!(plan.assets_dir_all_immutable && file.starts_with(kAssetsDir))) {
      immutable_patterns.push_back(literal(file) + "$");
    }
  }
  std::string excluded;
  for (const std::string& pattern : immutable_patterns) excluded += (excluded.empty() ? "" : "|") + pattern;
  std::string revalidated = plan.base + (excluded.empty() ? "(.*)" : "((?!" + excluded + ").*)");
  rules.push_back(rule(revalidated, {{"Cache-Control", std::string(kCacheRevalidate)}}));
  if (plan.assets_dir_all_immutable && !plan.immutable.empty()) {
    rules.push_back(rule(plan.base + literal(kAssetsDir) + "(.*)",
                         {{"Cache-Control", std::string(kCacheImmutable)}}));
  }
  for (const std::string& file : plan.immutable) {
    if (plan.assets_dir_all_immutable && file.starts_with(kAssetsDir)) continue;
    rules.push_back(rule(plan.base + literal(file), {{"Cache-Control", std::string(kCacheImmutable)}}));
  }
  for (const PlannedPage& page : plan.pages) {
    if (page.links.empty()) continue;
    std::string joined;
    for (const std::string& link : page.links) joined += (joined.empty() ? "" : ", ") + link;
    rules.push_back(rule(plan.base + literal(page.url.substr(1)), {{"Link", joined}}));
  }
  std::string out = "{\n  \"$schema\": \"https://openapi.vercel.sh/vercel.json\",\n  \"headers\": [\n";
  for (size_t i = 0; i < rules.size(); ++i) out += rules[i] + (i + 1 < rules.size() ? ",\n" : "\n");
  out += "  ],\n  \"rewrites\": [\n";
  std::string asset_folders;
  for (const std::string& folder : plan.asset_folders) {
    asset_folders += (asset_folders.empty() ? "" : "|") + literal(folder);
  }
  std::vector<std::string> rewrites;
  std::string claimed;  // deeper entry folders, already rewritten
  for (const std::string& html : plan.spa_entries) {
    std::string folder = EntryFolder(html);
    std::string not_under = asset_folders + (claimed.empty() ? "" : "|" + claimed);
    // Navigations only: no '.' in the last segment, as serve's SPA rule.
    std::string source = plan.base + literal(folder) + "((?!" + not_under + ")(?:[^/]*/)*[^./]*)";
    rewrites.push_back("    { \"source\": \"" + JsonEscape(source) + "\", \"destination\": \"" +
                       JsonEscape(plan.base + html) + "\" }");
    claimed += (claimed.empty() ? "" : "|") + literal(folder);
  }
  for (size_t i = 0; i < rewrites.size(); ++i) out += rewrites[i] + (i + 1 < rewrites.size() ? ",\n" : "\n");
  out += "  ]\n}\n";
  return out;
}

}  // namespace npsbundle
