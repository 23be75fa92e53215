#include "deploy/nginx.h"

#include "deploy/nginx_proxy.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "core/error.h"
#include "build/load_sets.h"
#include "policy/preload.h"
#include "policy/serving.h"

namespace npsbundle {
namespace {

std::string Directory(std::string_view build_path) {
  size_t slash = build_path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(build_path.substr(0, slash));
}

void ValidateOptions(const NginxOptions& options) {
  const std::string& base = options.base;
  if (base.empty() || base.front() != '/' || base.back() != '/') {
    throw InputError("--base: \"" + base + "\": must start and end with '/' (\"/\", \"/app/\")");
  }
  if (options.root.empty() || options.root.front() != '/') {
    throw InputError("--root: \"" + options.root + "\": must be an absolute path");
  }
  if (options.snippets_dir.empty() || options.snippets_dir.front() != '/') {
    throw InputError("--snippets: \"" + options.snippets_dir + "\": must be an absolute path");
  }
  // These two are written as bare words (they may hold several), so they
  // must not be able to end the directive or open a block.
  for (const auto& [flag, value] :
       {std::pair<std::string, const std::string*>{"--listen", &options.listen},
        {"--server-name", &options.server_name}}) {
    bool bad = value->empty();
    for (char c : *value) {
      if (static_cast<unsigned char>(c) < 0x20 ||
          std::string_view(";{}\"'$\\#").find(c) != std::string_view::npos)
        bad = true;
    }
    if (bad) throw InputError(flag + ": \"" + *value + "\": not a valid nginx value");
  }
  for (const auto& [route, key] : options.routes) {
    if (route.empty() || route.front() != '/') {
      throw InputError("routes: \"" + route + "\": a route is a URL path starting with '/'");
    }
  }
}

// Writes one block level at a time; every line is indented by depth.
class ConfigWriter {
 public:
  void Line(std::string_view text = {}) {
    if (!text.empty()) out_ << std::string(depth_ * 4, ' ') << text;
    out_ << '\n';
  }
  void Open(std::string_view head) {
    Line(std::string(head) + " {");
    ++depth_;
  }
  void Close() {
    --depth_;
    Line("}");
  }
  std::string str() const { return out_.str(); }

 private:
  std::ostringstream out_;
  int depth_ = 0;
};

// Where a request path leads in serve (RequestHandler::Resolve): the file
// itself, "DIR/index.html" for "/DIR" and "/DIR/", "NAME.html" for "/NAME".
// These are the URLs of an entry HTML other than its own.
std::vector<std::string> EntryAliases(const std::string& html) {
  if (html == "index.html") return {"/"};
  if (html.ends_with("/index.html")) {
    std::string dir = html.substr(0, html.size() - std::string_view("/index.html").size());
    return {"/" + dir, "/" + dir + "/"};
  }
  return {"/" + html.substr(0, html.size() - std::string_view(".html").size())};
}

class Generator {
 public:
  Generator(const Manifest& manifest, const NginxOptions& options)
      : manifest_(manifest), options_(options) {}

  std::string Run() {
    Header();
    Lines(NginxProxyPreamble(options_.proxy));
    w_.Open("server");
    ServerDirectives();
    Lines(NginxProxyLocations(options_.proxy, options_.proxy_timeout_s));
    EntryLocations();
    RouteLocations();
    VariantLocation();
    AssetLocations();
    NavigationLocations();
    DefaultLocation();
    w_.Close();
    return w_.str();
  }

 private:
  // Lines from nginx_proxy: " {" opens a block, "}" closes one.
  void Lines(const std::vector<std::string>& lines) {
    for (const std::string& line : lines) {
      if (line == "}") {
        w_.Close();
      } else if (line.ends_with(" {")) {
        w_.Open(line.substr(0, line.size() - 2));
      } else {
        w_.Line(line);
      }
    }
  }

  std::string Snippet(std::string_view name) const {
    return "include " + NginxQuote(options_.snippets_dir + "/" + std::string(name)) + ";";
  }

  // URL (with the base) of a build path, for try_files fallbacks.
  std::string Url(std::string_view build_path) const {
    return options_.base + std::string(build_path);
  }

  // Headers of a location that sets its own: nginx drops every outer
  // add_header there, so the security headers come back in each one.
  void LocationHeaders(std::string_view cache_control, const std::vector<std::string>& links) {
    w_.Line(Snippet(kSnippetSecurityHeaders));
    w_.Line("add_header Cache-Control " + NginxQuote(cache_control) + ";");
    for (const std::string& link : links) w_.Line("add_header Link " + NginxQuote(link) + ";");
  }

  // An exact location answering with `html` in place: a non-final try_files
  // argument is served inside this location, so its headers stay (a final
  // one would redirect to another location and take that one's headers).
  void HtmlLocation(const std::string& path, const std::string& html,
                    const std::vector<std::string>& links) {
    w_.Open("location = " + NginxQuote(path, true));
    LocationHeaders(kCacheRevalidate, links);
    w_.Line("try_files " + NginxQuote("/" + html) + " =404;");
    w_.Close();
  }

  void Header() {
    w_.Line("# Generated by `npsbundle nginx`" +
            (options_.manifest_display_path.empty() ? std::string()
                                                    : " from " + options_.manifest_display_path) +
            ".");
    w_.Line("# Regenerate after every build: the Link hints name this build's hashed files.");
    w_.Line("# Include it in the http {} context (e.g. /etc/nginx/conf.d/app.conf) with the");
    w_.Line("# snippets from nginx-snippets/ installed in " + options_.snippets_dir + ".");
  }

  void ServerDirectives() {
    w_.Line("listen " + options_.listen + ";");
    w_.Line("server_name " + options_.server_name + ";");
    w_.Line("root " + NginxQuote(options_.root) + ";");
    // Redirects name a path, not this server's own host and port, which a
    // proxy or CDN in front may not share.
    w_.Line("absolute_redirect off;");
    w_.Line();
    // A `types` block replaces the inherited map unless the standard one is
    // loaded in the same block; the snippet only adds what Vite emits.
    w_.Line("include mime.types;");
    w_.Line(Snippet(kSnippetMimeTypes));
    w_.Line(Snippet(kSnippetCompression));
    w_.Line(Snippet(kSnippetSecurityHeaders));
    w_.Line();
    w_.Line("# Missing files get a short plain-text 404 (serve's), never index.html.");
    w_.Line("error_page 404 @npsbundle_not_found;");
    w_.Open("location @npsbundle_not_found");
    // An empty types map: the type comes from default_type, not from the
    // extension of the missing file's URI.
    w_.Line("types {}");
    w_.Line("default_type " + NginxQuote(kErrorContentType) + ";");
    // NginxQuote refuses control characters; nginx turns "\\n" into one.
    std::string not_found = ErrorBody(404);
    std::string body = NginxQuote(std::string_view(not_found).substr(0, not_found.size() - 1));
    w_.Line("return 404 " + body.insert(body.size() - 1, "\\n") + ";");
    w_.Close();
    if (options_.base != "/") {
      std::string bare = options_.base.substr(0, options_.base.size() - 1);
      w_.Line();
      w_.Line("# Vite's base is " + options_.base + ": only URLs under it belong to the build,");
      w_.Line("# and the locations below see them without it.");
      w_.Line("rewrite " + NginxQuote("^" + RegexEscape(bare) + "$", true) + " " +
              NginxQuote(options_.base) + " redirect;");
      // Proxy prefixes are outside the base and keep their URIs.
      std::string proxied = NginxProxyPrefixPattern(options_.proxy);
      std::string allowed = proxied.empty() ? "^" + RegexEscape(options_.base)
                                            : "^(?:" + RegexEscape(options_.base) + "|" + proxied + ")";
      w_.Open("if ($uri !~ " + NginxQuote(allowed, true) + ")");
      w_.Line("return 404;");
      w_.Close();
      w_.Line("rewrite " + NginxQuote("^" + RegexEscape(bare) + "(/.*)$", true) + " $1 break;");
    }
    w_.Line();
    w_.Line("# Dotfiles (but /.well-known/) and source maps: 404.");
    w_.Line(Snippet(kSnippetHiddenFiles));
    w_.Line();
  }

  std::vector<std::string> HtmlEntries() const {
    std::vector<std::string> entries;
    for (const std::string& key : manifest_.EntryKeys()) {
      if (key.ends_with(".html")) entries.push_back(key);
    }
    return entries;
  }

  // The page a route names for `url`, or nullptr. Like serve, "/oracle/"
  // is the route "/oracle".
  const std::string* RoutePage(std::string url) const {
    if (url.size() > 1 && url.back() == '/') url.pop_back();
    auto it = options_.routes.find(url);
    return it == options_.routes.end() ? nullptr : &it->second;
  }

  // Every HTML response to `url` carries its entry's hints, and a route's
  // page hints after them when `url` is a route (serve does the same).
  // The caps of policy/preload apply; what they drop is said in a comment.
  std::vector<std::string> LinksFor(const std::string& url, const std::string& entry_key) {
    const std::string* page = RoutePage(url);
    PreloadHints hints = page ? RoutePreloadLinks(manifest_, entry_key, *page, options_.base)
                              : EntryPreloadLinks(manifest_, entry_key, options_.base);
    if (hints.dropped > 0) {
      w_.Line("# " + std::to_string(hints.dropped) + " more hints for " + url +
              " dropped: at most " + std::to_string(kMaxPreloadHints) + " hints and " +
              std::to_string(kMaxPreloadHeaderBytes) + " bytes of Link headers.");
    }
    return std::move(hints.links);
  }

  void EntryLocations() {
    // "/admin" is admin/index.html when both it and admin.html exist, as
    // in serve: folder pages claim their aliases first.
    std::map<std::string, std::string> alias_owner;
    for (bool folder_pages : {true, false}) {
      for (const std::string& key : HtmlEntries()) {
        bool folder_page = key == "index.html" || key.ends_with("/index.html");
        if (folder_page != folder_pages) continue;
        for (const std::string& alias : EntryAliases(key)) alias_owner.emplace(alias, key);
      }
    }
    for (const std::string& key : HtmlEntries()) {
      w_.Line("# Entry " + key + ": revalidated, with preload hints for its initial set.");
      HtmlLocation("/" + key, key, LinksFor("/" + key, key));
      for (const auto& [alias, owner] : alias_owner) {
        if (owner == key) HtmlLocation(alias, key, LinksFor(alias, key));
      }
      w_.Line();
    }
    for (const auto& [alias, owner] : alias_owner) aliases_.insert(alias);
  }

  // Routes that are not an entry's own URL: exact locations answering with
  // the HTML a navigation there falls back to.
  void RouteLocations() {
    for (const auto& [route, page_key] : options_.routes) {
      std::string bare =
          route.size() > 1 && route.back() == '/' ? route.substr(0, route.size() - 1) : route;
      std::vector<std::string> urls;
      for (const std::string& url : {bare, bare == "/" ? bare : bare + "/"}) {
        if (!aliases_.count(url) && (urls.empty() || urls.back() != url)) urls.push_back(url);
      }
      if (urls.empty()) continue;
      std::string html = HtmlForNavigation(manifest_, bare);
      if (html.empty()) {
        throw InputError("routes: \"" + route + "\": no index.html entry serves this path");
      }
      std::string entry_key = EntryKeyForHtml(manifest_, html);
      w_.Line("# Route " + bare + " shows " + page_key + ": the entry's hints, then the page's.");
      for (const std::string& url : urls) HtmlLocation(url, html, LinksFor(url, entry_key));
      w_.Line();
    }
  }

  void VariantLocation() {
    w_.Line("# FILE.br and FILE.gz are FILE's encodings, chosen by Accept-Encoding, not files.");
    w_.Open("location ~ " + NginxQuote("^(?<npsbundle_encoded>.+)\\.(?:br|gz)$", true));
    w_.Open("if (-f $document_root$npsbundle_encoded)");
    w_.Line("return 404;");
    w_.Close();
    LocationHeaders(kCacheRevalidate, {});
    w_.Line("try_files $uri =404;");
    w_.Close();
    w_.Line();
  }

  // Cache-Control per file comes from the one classifier serve uses: one
  // exact location per immutable file (exact locations win over every
  // regex one, and nginx finds them by hash, so a large build costs no
  // per-request scan). Everything else falls through to a revalidating
  // location, so no pattern can mistake an unhashed file for a hashed one.
  void AssetLocations() {
    CacheClassifier caching(&manifest_);
    w_.Line("# Files the bundler named with a content hash: a new build gives them new");
    w_.Line("# names, so a year is safe. Nothing else is cached for long.");
    for (const std::string& file : caching.ImmutableFiles()) {
      w_.Open("location = " + NginxQuote("/" + file, true));
      LocationHeaders(kCacheImmutable, {});
      w_.Line("try_files $uri =404;");
      w_.Close();
    }
    w_.Line();
    std::set<std::string> folders{std::string(kAssetsDir)};  // as serve's SPA rule assumes
    for (const std::string& file : caching.ImmutableFiles()) {
      std::string dir = Directory(file);
      if (!dir.empty()) folders.insert(dir + "/");
    }
    std::string alternatives;
    for (const std::string& folder : folders) {
      if (!alternatives.empty()) alternatives += "|";
      alternatives += RegexEscape(folder);
    }
    w_.Line("# Anything else in the asset folders: a miss is a stale reference, never a page.");
    w_.Open("location ~ " + NginxQuote("^/(?:" + alternatives + ")", true));
    LocationHeaders(kCacheRevalidate, {});
    w_.Line("try_files $uri =404;");
    w_.Close();
    w_.Line();
  }

  // try_files arguments that find what serve's Resolve finds for a path:
  // the file, "DIR/index.html", "NAME.html" (public pages without hints).
  static constexpr std::string_view kResolve = "$uri $uri/index.html $uri.html";

  void NavigationLocations() {
    // Deeper entries first: regex locations match in the order written.
    std::vector<std::string> nested;
    for (const std::string& key : HtmlEntries()) {
      if (key.ends_with("/index.html")) nested.push_back(key);
    }
    std::stable_sort(nested.begin(), nested.end(), [](const std::string& a, const std::string& b) {
      return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
    });
    for (const std::string& key : nested) {
      std::string dir = key.substr(0, key.size() - std::string_view("index.html").size());
      w_.Line("# Navigations under /" + dir + " fall back to its own entry.");
      w_.Open("location ~ " + NginxQuote("^/" + RegexEscape(dir) + "(?:[^/]*/)*[^./]*$", true));
      LocationHeaders(kCacheRevalidate, {});
      w_.Line("try_files " + std::string(kResolve) + " " + NginxQuote(Url(key)) + ";");
      w_.Close();
      w_.Line();
    }
    bool root_entry = !EntryKeyForHtml(manifest_, "index.html").empty();
    w_.Line("# Navigations (no '.' in the last segment): client routes get index.html.");
    w_.Open("location ~ " + NginxQuote("/[^./]*$", true));
    LocationHeaders(kCacheRevalidate, {});
    w_.Line("try_files " + std::string(kResolve) + " " +
            (root_entry ? NginxQuote(Url("index.html")) : std::string("=404")) + ";");
    w_.Close();
    w_.Line();
  }

  void DefaultLocation() {
    bool root_entry = !EntryKeyForHtml(manifest_, "index.html").empty();
    w_.Line("# Everything else (unhashed files): revalidated; missing means 404.");
    w_.Open("location /");
    LocationHeaders(kCacheRevalidate, {});
    w_.Line(root_entry ? "try_files $uri @npsbundle_page;" : "try_files $uri =404;");
    w_.Close();
    if (!root_entry) return;
    std::string extensions;
    for (std::string_view extension : AssetExtensions()) {
      extensions += (extensions.empty() ? "" : "|") + std::string(extension);
    }
    w_.Line();
    w_.Line("# A miss asked for as a page (\"/users/ada.lovelace\" from the address bar)");
    w_.Line("# is a client route too, unless its extension names an asset type.");
    w_.Open("location @npsbundle_page");
    w_.Open("if ($http_accept !~* \"text/html\")");
    w_.Line("return 404;");
    w_.Close();
    w_.Open("if ($uri ~* " + NginxQuote("\\.(?:" + extensions + ")$", true) + ")");
    w_.Line("return 404;");
    w_.Close();
    // Named locations skip the server-level base rewrite: no base here.
    w_.Line("rewrite ^ /index.html last;");
    w_.Close();
  }

  const Manifest& manifest_;
  const NginxOptions& options_;
  std::set<std::string> aliases_;  // URLs already answered by an entry location
  ConfigWriter w_;
};

}  // namespace

std::string NginxQuote(std::string_view text, bool allow_dollar) {
  std::string out = "\"";
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      throw InputError("cannot write \"" + std::string(text) +
                       "\" into an nginx config: it holds a control character");
    }
    if (c == '$' && !allow_dollar) {
      throw InputError("cannot write \"" + std::string(text) +
                       "\" into an nginx config: nginx would expand '$' as a variable");
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

std::string RegexEscape(std::string_view text) {
  static constexpr std::string_view kSpecial = R"(\^$.|?*+()[]{})";
  std::string out;
  for (char c : text) {
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string GenerateNginxConfig(const Manifest& manifest, const NginxOptions& options) {
  ValidateOptions(options);
  for (const auto& [route, page_key] : options.routes) {
    if (!manifest.Find(page_key)) {
      throw InputError("routes: \"" + route + "\": \"" + page_key +
                       "\" is not a key of the manifest");
    }
  }
  return Generator(manifest, options).Run();
}

}  // namespace npsbundle
