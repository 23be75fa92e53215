#ifndef NPSBUNDLE_DEPLOY_NGINX_H_
#define NPSBUNDLE_DEPLOY_NGINX_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "build/manifest.h"
#include "policy/proxy_rules.h"

namespace npsbundle {

// What `npsbundle nginx` needs besides the manifest. Defaults produce a
// config for a Debian-style nginx with the snippets installed under
// /etc/nginx/snippets/npsbundle.
struct NginxOptions {
  std::string root = "/srv/app";  // folder holding the build on the server (absolute)
  std::string base = "/";         // Vite's `base`; starts and ends with '/'
  std::string server_name = "_";
  std::string listen = "80";  // the `listen` directive's argument
  // Where nginx-snippets/ is installed on the server (absolute, no trailing
  // '/'); the generated server block includes the snippets from there.
  std::string snippets_dir = "/etc/nginx/snippets/npsbundle";
  // URL path relative to nothing ("/oracle", without the base) -> manifest
  // key of the page it shows; the same `routes` map serve reads from the
  // budget file. Each route gets an exact location with the page's hints.
  std::map<std::string, std::string> routes;
  // Written into the header comment ("dist/.vite/manifest.json").
  std::string manifest_display_path;
  // serve's proxy rules: each becomes locations proxying to the backend
  // (deploy/nginx_proxy.h), with an upstream and the WebSocket map before
  // the server block.
  std::vector<ProxyRule> proxy;
  int proxy_timeout_s = kDefaultProxyTimeoutSeconds;
  // The nginx the config is for ("1.22", "1.29.0"; --nginx-version):
  // directives newer than this stay comments. The default is Debian
  // bookworm's nginx, which the tests run.
  std::string nginx_version = "1.22";
};

// nginx 1.29.0 added `early_hints` (ngx_http_core_module).
inline constexpr int kNginxEarlyHintsMinor = 29;

struct NginxVersion {
  int major = 1;
  int minor = 22;
};
// "1.29" or "1.29.3" (the patch is ignored). Throws InputError naming
// --nginx-version otherwise.
NginxVersion ParseNginxVersion(const std::string& text);

// The snippet files the generated config includes, by file name. Their
// content lives in nginx-snippets/ of the source tree.
inline constexpr std::string_view kSnippetCompression = "compression.conf";
inline constexpr std::string_view kSnippetMimeTypes = "mime-types.conf";
inline constexpr std::string_view kSnippetSecurityHeaders = "security-headers.conf";
inline constexpr std::string_view kSnippetHiddenFiles = "hidden-files.conf";

// Generates a complete `server {}` block (meant for the http context, e.g.
// /etc/nginx/conf.d/app.conf) serving the build described by `manifest`
// with the same policy as `npsbundle serve`:
//   - each HTML entry: exact location, `Cache-Control: no-cache`, one
//     `Link` header per hint of EntryPreloadLinks (identical to serve's;
//     hints the caps drop are counted in a comment);
//   - each route: exact location answering with its HTML entry, the entry's
//     hints followed by the page's route-cost hints;
//   - each file CacheClassifier calls immutable (the one serve asks): an
//     exact location, immutable for a year; everything else no-cache;
//   - navigations (no '.' in the last path segment) fall back to the
//     nearest entry index.html; any other missing path is a 404;
//   - every location that adds headers also includes the security headers
//     snippet, because nginx drops outer `add_header`s in such a location.
//   - 103 Early Hints: nginx (1.29+) sends a 103 only by relaying one a
//     proxied backend sent; it makes none from a static file's Link headers
//     (a CDN in front, e.g. Cloudflare, turns those into 103s). From 1.29 on
//     the server block relays them to HTTP/2 and HTTP/3 clients
//     (`early_hints $http2 $http3;`); before, a comment says why not.
// Throws InputError when an option is malformed, a route names an unknown
// manifest key, or a path holds a character nginx cannot carry ('$' in a
// header value, control characters).
std::string GenerateNginxConfig(const Manifest& manifest, const NginxOptions& options);

// `text` as an nginx double-quoted string: '"' and '\' are backslash-escaped.
// Throws InputError for control characters, and for '$' unless
// `allow_dollar` (nginx expands variables in most string arguments and has
// no escape for '$'; location patterns are not expanded).
std::string NginxQuote(std::string_view text, bool allow_dollar = false);

// `text` with PCRE metacharacters backslash-escaped, for a literal part of a
// regex location.
std::string RegexEscape(std::string_view text);

}  // namespace npsbundle

#endif  // NPSBUNDLE_DEPLOY_NGINX_H_
