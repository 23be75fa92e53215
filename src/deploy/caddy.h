#ifndef NPSBUNDLE_DEPLOY_CADDY_H_
#define NPSBUNDLE_DEPLOY_CADDY_H_

#include <string>
#include <vector>

#include "policy/proxy_rules.h"

#include "deploy/site_plan.h"

namespace npsbundle {

struct CaddyOptions {
  std::string address = ":80";    // the site address ("example.com", ":8080")
  std::string root = "/srv/app";  // folder holding the build on the server (absolute)
  // serve's proxy rules, as `reverse_proxy` before the build's routes.
  std::vector<ProxyRule> proxy;
  int proxy_timeout_s = kDefaultProxyTimeoutSeconds;
};

// A Caddyfile site block (Caddy 2.6+) serving the planned build as `serve`
// does:
//   - `file_server { precompressed br gzip }`: FILE.br / FILE.gz beside a
//     file are its encodings (Caddy sends Vary: Accept-Encoding), and are
//     404 as URLs of their own; `encode gzip` only for the text files that
//     have no precompressed variant;
//   - Cache-Control from CacheClassifier: immutable for the exact paths of
//     hashed files, no-cache for everything else;
//   - `Link` preload headers on each planned page URL;
//   - `try_files` to the nearest entry index.html for navigations (no '.'
//     in the last segment), never under an asset folder, so a missing chunk
//     is a 404;
//   - dotfiles (but /.well-known/), source maps and host config files 404;
//     404s carry serve's plain-text body;
//   - with Vite's base, only URLs under it belong to the build.
// Throws InputError for an address or root Caddy cannot carry.
std::string GenerateCaddyfile(const SitePlan& plan, const CaddyOptions& caddy,
                              const DeployOptions& options);

// `text` as a Caddyfile token: bare when it holds no space, quote, brace or
// control character, else double-quoted with '"' and '\' escaped.
std::string CaddyQuote(std::string_view text);

}  // namespace npsbundle

#endif  // NPSBUNDLE_DEPLOY_CADDY_H_
