#include "deploy/caddy.h"


#include "build/asset_names.h"
#include "core/error.h"
#include "deploy/block_writer.h"
#include "policy/serving.h"

namespace npsbundle {
namespace {

// "/a /b /c": URL paths (without the base) as matcher arguments.
std::string PathList(const std::vector<std::string>& build_paths) {
  std::string out;
  for (const std::string& path : build_paths) out += " " + CaddyQuote("/" + path);
  return out;
}

class Generator {
 public:
  Generator(const SitePlan& plan, const CaddyOptions& caddy, const DeployOptions& options)
      : plan_(plan), caddy_(caddy), options_(options) {}

  std::string Run() {
    std::string header = GeneratedHeader("# ", "caddy", options_);
    for (size_t start = 0; start < header.size();) {
      size_t end = header.find('\n', start);
      w_.Line(std::string_view(header).substr(start, end - start));
      start = end + 1;
    }
    w_.Line("# A site block for a Caddyfile (Caddy 2.6+); add TLS and logging as usual.");
    w_.Open(CaddyQuote(caddy_.address));
    w_.Line("root * " + CaddyQuote(caddy_.root));
    w_.Line();
    Proxies();
    // On every response, errors and URLs outside the base included; not on
    // proxied ones, which go out as the backend sent them (as in serve).
    w_.Open(caddy_.proxy.empty() ? "header" : "header @npsbundle_not_proxied");
    for (const auto& [name, value] : SecurityHeaders()) {
      w_.Line(std::string(name) + " " + CaddyQuote(value));
    }
    w_.Close();
    w_.Line();
    if (plan_.base == "/") {
      Site();
    } else {
      std::string bare = plan_.base.substr(0, plan_.base.size() - 1);
      w_.Line("# Vite's base is " + plan_.base + ": only URLs under it belong to the build,");
      w_.Line("# and the matchers below see them without it.");
      w_.Line("redir " + CaddyQuote(bare) + " " + CaddyQuote(plan_.base) + " 302");
      w_.Open("handle_path " + CaddyQuote(plan_.base + "*"));
      Site();
      w_.Close();
      w_.Open("handle");
      w_.Line("error 404");
      w_.Close();
    }
    w_.Line();
    Errors();
    w_.Close();
    return w_.str();
  }

 private:
  void Site() {
    // A route runs its directives in the order written, not Caddy's
    // default order, so hidden paths are refused before any rewrite and
    // hints are chosen by the URL asked for.
    w_.Open("route");
    Hidden();
    Caching();
    Pages(false);
    Fallback();
    Pages(true);
    w_.Line("# FILE.br and FILE.gz beside a file are its encodings. Caddy adds Vary only");
    w_.Line("# when the request names an encoding; a cache needs it on every response.");
    std::vector<std::string> negotiated = plan_.precompressed;
    negotiated.insert(negotiated.end(), plan_.compress_on_the_fly.begin(), plan_.compress_on_the_fly.end());
    if (!negotiated.empty()) {
      w_.Line("@npsbundle_negotiated path" + PathList(negotiated));
      w_.Line("header @npsbundle_negotiated ?Vary Accept-Encoding");
    }
    if (!plan_.compress_on_the_fly.empty()) {
      w_.Line("# Text files without them are compressed on the fly.");
      w_.Line("@npsbundle_encode path" + PathList(plan_.compress_on_the_fly));
      w_.Line("encode @npsbundle_encode gzip");
    }
    w_.Open("file_server");
    w_.Line("precompressed br gzip");
    w_.Close();
    w_.Close();
  }

  // serve's proxy rules (policy/proxy_rules.h): one `handle` each, which
  // Caddy runs before the build's routes and the SPA rewrite, so a proxy
  // path never gets index.html or static caching headers. The prefix is
  // kept (`handle`, not `handle_path`), as Vite and nginx keep it. Caddy
  // sets X-Forwarded-For/-Proto/-Host itself and tunnels WebSockets.
  void Proxies() {
    if (caddy_.proxy.empty()) return;
    std::string all_paths;
    for (size_t i = 0; i < caddy_.proxy.size(); ++i) {
      const ProxyRule& rule = caddy_.proxy[i];
      std::string paths = " " + CaddyQuote(rule.prefix) + " " + CaddyQuote(rule.prefix + "/*");
      all_paths += paths;
      std::string name = "@npsbundle_proxy" + std::to_string(i);
      w_.Line("# " + rule.prefix + " and paths under it go to " + rule.target.text + ".");
      w_.Line(name + " path" + paths);
      w_.Open("handle " + name);
      if (!rule.rewrite_from.empty() || !rule.target.path.empty()) {
        // In the order written: the rewrite, then the target's path in front.
        w_.Open("route");
        if (!rule.rewrite_from.empty()) {
          w_.Line("uri path_regexp " + CaddyQuote(rule.rewrite_from) + " " + CaddyQuote(rule.rewrite_to));
        }
        if (!rule.target.path.empty()) w_.Line("rewrite * " + CaddyQuote(rule.target.path + "{uri}"));
        w_.Close();
      }
      w_.Open("reverse_proxy " + CaddyQuote(rule.target.Authority()));
      if (rule.change_origin) w_.Line("header_up Host {upstream_hostport}");
      w_.Line("# Streams (Server-Sent Events, uploads) pass through as they come.");
      w_.Line("flush_interval -1");
      std::string timeout = std::to_string(caddy_.proxy_timeout_s) + "s";
      w_.Open("transport http");
      for (const char* name : {"dial_timeout", "response_header_timeout", "read_timeout", "write_timeout"}) {
        w_.Line(std::string(name) + " " + timeout);
      }
      if (rule.target.tls) {
        w_.Line("tls");
        w_.Line("tls_server_name " + CaddyQuote(rule.target.host));
        if (!rule.secure) w_.Line("tls_insecure_skip_verify");
      }
      w_.Close();
      w_.Close();
      w_.Close();
    }
    w_.Line("@npsbundle_not_proxied not path" + all_paths);
    w_.Line();
  }

  void Hidden() {
    w_.Line("# Dotfiles (but /.well-known/), source maps, the host config files and the");
    w_.Line("# precompressed variants as URLs of their own: 404.");
    w_.Open("@npsbundle_hidden");
    std::string paths = "path */.* *.map";
    for (std::string_view name : HostConfigFileNames()) paths += " " + CaddyQuote("/" + std::string(name));
    paths += PathList(plan_.variant_files);
    w_.Line(paths);
    w_.Line("not path /.well-known/*");
    w_.Close();
    w_.Line("error @npsbundle_hidden 404");
    w_.Line();
  }

  void Caching() {
    w_.Line("# Files the bundler named with a content hash: a new build gives them new");
    w_.Line("# names, so a year is safe. Nothing else is cached for long.");
    if (plan_.immutable.empty()) {
      w_.Line("header Cache-Control " + CaddyQuote(kCacheRevalidate));
    } else {
      std::string list = PathList(plan_.immutable);
      w_.Line("@npsbundle_immutable path" + list);
      w_.Line("header @npsbundle_immutable Cache-Control " + CaddyQuote(kCacheImmutable));
      w_.Line("@npsbundle_revalidated not path" + list);
      w_.Line("header @npsbundle_revalidated Cache-Control " + CaddyQuote(kCacheRevalidate));
    }
    w_.Line();
  }

  // Hints of the page URLs that are not an HTML file's own path ("/",
  // "/admin", routes) are matched on the URL asked for, before the SPA
  // rewrite; those of an HTML file's own path (`after_rewrite`) after it,
  // so a deep link rewritten to index.html gets the entry's hints, as in
  // serve, unless it was a page URL already.
  void Pages(bool after_rewrite) {
    if (!after_rewrite) w_.Line("# Preload hints of each page, as serve sends them (Caddy sends no 103).");
    std::string asked;  // page URLs handled before the rewrite
    for (const PlannedPage& page : plan_.pages) {
      if (page.url != "/" + page.html) asked += " " + CaddyQuote(page.url);
    }
    for (const PlannedPage& page : plan_.pages) {
      if (page.links.empty() || (page.url == "/" + page.html) != after_rewrite) continue;
      std::string name = "@npsbundle_page" + std::to_string(page_index_++);
      if (page.dropped > 0) {
        w_.Line("# " + std::to_string(page.dropped) + " more hints for " + page.url +
                " dropped by the caps of policy/preload.");
      }
      if (after_rewrite && !asked.empty()) {
        w_.Open(name);
        w_.Line("path " + CaddyQuote(page.url));
        w_.Line("not vars {http.request.orig_uri.path}" + asked);
        w_.Close();
      } else {
        w_.Line(name + " path " + CaddyQuote(page.url));
      }
      w_.Open("header " + name);
      for (const std::string& link : page.links) w_.Line("+Link " + CaddyQuote(link));
      w_.Close();
    }
    w_.Line();
  }

  void Fallback() {
    if (plan_.spa_entries.empty()) return;
    w_.Line("# Navigations (no '.' in the last segment) that match no file get the nearest");
    w_.Line("# entry's index.html; never under an asset folder, where a miss is a 404.");
    std::vector<std::string> claimed;  // folders of deeper entries, already handled
    for (const std::string& html : plan_.spa_entries) {
      std::string folder = EntryFolder(html);
      std::string name = "@npsbundle_spa" + (folder.empty() ? std::string() : "_" + std::to_string(claimed.size()));
      w_.Open(name);
      w_.Line("path_regexp " + CaddyQuote("^/" + folder + "(?:[^/]*/)*[^./]*$"));
      std::string excluded;
      for (const std::string& asset_folder : plan_.asset_folders) excluded += " /" + asset_folder + "*";
      for (const std::string& deeper : claimed) excluded += " /" + deeper + "*";
      w_.Line("not path" + excluded);
      w_.Line("file {path} {path}/ {path}.html " + CaddyQuote("/" + html));
      w_.Close();
      w_.Line("rewrite " + name + " {file_match.relative}");
      if (folder.empty()) {
        // "/users/ada.lovelace" typed into the address bar is a route too,
        // unless its extension names an asset type.
        std::string extensions;
        for (std::string_view extension : AssetExtensions()) {
          extensions += (extensions.empty() ? "" : "|") + std::string(extension);
        }
        w_.Open("@npsbundle_spa_page");
        w_.Line("header Accept *text/html*");
        w_.Line("not path_regexp " + CaddyQuote("(?i)\\.(?:" + extensions + ")$"));
        w_.Line("not path" + excluded);
        w_.Line("file {path} {path}/ {path}.html " + CaddyQuote("/" + html));
        w_.Close();
        w_.Line("rewrite @npsbundle_spa_page {file_match.relative}");
      }
      claimed.push_back(folder);
    }
    w_.Line();
  }

  void Errors() {
    w_.Line("# Errors are serve's short plain-text bodies.");
    w_.Open("handle_errors");
    w_.Line("@npsbundle_not_found expression `{err.status_code} == 404`");
    w_.Line("header Content-Type " + CaddyQuote(kErrorContentType));
    // No caching instruction on a miss, as serve: right after a deploy a
    // chunk may 404 until every file is in place.
    w_.Line("header -Cache-Control");
    w_.Line("respond @npsbundle_not_found " + CaddyQuote(ErrorBody(404)) + " 404");
    w_.Close();
  }

  const SitePlan& plan_;
  const CaddyOptions& caddy_;
  const DeployOptions& options_;
  BlockWriter w_{"\t"};
  int page_index_ = 0;
};

}  // namespace

std::string CaddyQuote(std::string_view text) {
  bool bare = !text.empty();
  bool newline = false;
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') newline = true;
    if ((u < 0x20 && c != '\n') || u == 0x7f) {
      throw InputError("cannot write \"" + std::string(text) +
                       "\" into a Caddyfile: it holds a control character");
    }
    if (u <= 0x20 || std::string_view("\"'`{}#\\").find(c) != std::string_view::npos) bare = false;
  }
  if (bare) return std::string(text);
  // A backtick token is taken literally (line breaks and backslashes
  // included); a double-quoted one unescapes only \".
  if (newline || text.find('\\') != std::string_view::npos) {
    if (text.find('`') != std::string_view::npos) {
      throw InputError("cannot write \"" + std::string(text) + "\" into a Caddyfile: it needs '`' quoting and holds '`'");
    }
    return "`" + std::string(text) + "`";
  }
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string GenerateCaddyfile(const SitePlan& plan, const CaddyOptions& caddy,
                              const DeployOptions& options) {
  if (caddy.root.empty() || caddy.root.front() != '/') {
    throw InputError("caddy root: \"" + caddy.root + "\": must be an absolute path");
  }
  if (caddy.address.empty()) throw InputError("caddy address: must not be empty");
  return Generator(plan, caddy, options).Run();
}

}  // namespace npsbundle
