#ifndef NPSBUNDLE_DEPLOY_NGINX_PROXY_H_
#define NPSBUNDLE_DEPLOY_NGINX_PROXY_H_

#include <string>
#include <vector>

#include "policy/proxy_rules.h"

namespace npsbundle {

// The nginx side of serve's proxy rules (policy/proxy_rules.h), for
// GenerateNginxConfig. Each function returns config lines; a line ending in
// " {" opens a block and "}" closes it, so the caller indents them.

// http-context lines before the server block: the WebSocket Connection map
// ($npsbundle_connection_upgrade: "upgrade" when the client asks for one,
// else empty, which lets upstream connections stay alive) and one upstream
// per target with a keepalive pool, as serve keeps backend connections.
std::vector<std::string> NginxProxyPreamble(const std::vector<ProxyRule>& rules);

// Locations for each rule ("= /api" and "^~ /api/", so no regex location
// such as the SPA fallback can take them): proxy_pass, Host (the client's,
// or the target's with changeOrigin), X-Forwarded-For/-Proto/-Host, the
// Upgrade/Connection pair for ws rules, `timeout_s` as the read, send and
// connect timeouts, buffering off both ways (streams and uploads pass
// through as they come, as in serve), and the rewrite as an nginx rewrite.
std::vector<std::string> NginxProxyLocations(const std::vector<ProxyRule>& rules, int timeout_s);

// "/api(?:/|$)|/ws(?:/|$)": the rules' prefixes as a regex alternation, for
// the base check that must let them through. Empty without rules.
std::string NginxProxyPrefixPattern(const std::vector<ProxyRule>& rules);

// Vite's rewrite (a JavaScript String.replace of the first match) as nginx
// rewrite arguments, regex and replacement, with the target's path in front:
// nginx replaces the whole URI, so the text around the match is captured
// and put back, and the replacement's $N shift by one. Exposed for tests.
std::pair<std::string, std::string> NginxRewrite(const ProxyRule& rule);

}  // namespace npsbundle

#endif  // NPSBUNDLE_DEPLOY_NGINX_PROXY_H_
