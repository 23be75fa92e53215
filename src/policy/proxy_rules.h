#ifndef NPSBUNDLE_POLICY_PROXY_RULES_H_
#define NPSBUNDLE_POLICY_PROXY_RULES_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace npsbundle {

// Which request paths `serve` hands to a backend instead of the build, and
// how: the one statement of it, read by `serve`, `measure` and `npsbundle
// nginx` alike. Shaped like Vite's `server.proxy` / `preview.proxy`.

// A backend base URL: http:// or https:// (ws:// and wss:// are the same
// connections; WebSocket upgrades travel over HTTP/1.1).
struct ProxyTarget {
  bool tls = false;  // https:// or wss://: TLS to the backend, SNI = host
  std::string host;  // "127.0.0.1", "api.internal", "::1" (no brackets)
  int port = 80;     // 443 when tls and none is written
  std::string path;  // prefix put before every forwarded path: "" or "/v1" (no trailing '/')
  std::string text;  // as written, for messages: "http://127.0.0.1:8000"
  // "127.0.0.1:8000", "[::1]:8000": the Host a changeOrigin request carries
  // and the address nginx's proxy_pass names.
  std::string Authority() const;
  // The Host a changeOrigin request carries: Authority() without a
  // default port (80, or 443 for TLS).
  std::string HostHeader() const;
};

struct ProxyRule {
  std::string prefix;  // "/api": matches "/api", "/api/..." and "/api?..." (whole segments)
  ProxyTarget target;
  bool change_origin = false;  // send Host: <target authority> instead of the client's
  bool ws = false;             // tunnel `Upgrade: websocket` requests
  // TLS targets: verify the backend's certificate and name (Vite's
  // `secure`, true by default); false accepts any certificate.
  bool secure = true;
  // Vite's rewrite function as one regex -> replacement pair applied to the
  // path and query (ECMAScript syntax, first match only, $1 in the
  // replacement): {"^/api": ""} strips the prefix. Empty: no rewrite.
  std::string rewrite_from;
  std::string rewrite_to;
};

// Parses "http://host[:port][/path]" (also ws://, https://, wss://).
// Throws InputError "<where>: ..." for anything else.
ProxyTarget ParseProxyTarget(const std::string& url, const std::string& where);

// One --proxy flag: "/api=http://127.0.0.1:8000". A flag rule tunnels
// WebSockets and rewrites Host (Vite's string shorthand sets changeOrigin
// too). Throws InputError "--proxy <value>: ..." when malformed.
ProxyRule ParseProxyFlag(const std::string& value);

// The `proxy` member of a config file's `serve` section (its JSON text, as
// Config keeps it), or nothing when there is none:
//   "proxy": { "/api": "http://127.0.0.1:8000",
//              "/ws": { "target": "ws://127.0.0.1:8000", "ws": true,
//                       "changeOrigin": false, "rewrite": { "^/ws": "" } },
//              "/ext": { "target": "https://10.0.0.5", "secure": false } }
// Throws InputError "<display_path>: serve.proxy.\"/ws\".target: ..." on a
// bad value. Other members of `serve` are left to their readers.
std::vector<ProxyRule> ParseProxyConfig(std::string_view serve_json, const std::string& display_path);

// Checks a rule list as a whole (no prefix twice); throws InputError naming
// the prefix.
void ValidateProxyRules(const std::vector<ProxyRule>& rules);

// The rule whose prefix matches the raw request-target's path (longest
// prefix first), or nullptr. Targets that are not origin-form never match.
const ProxyRule* MatchProxyRule(const std::vector<ProxyRule>& rules, std::string_view target);

// The request-target sent to the backend: the rewrite applied, then the
// target's path put in front.
std::string ProxiedTarget(const ProxyRule& rule, std::string_view target);

// Hop-by-hop fields (RFC 9110 §7.6.1) a proxy never forwards, plus the ones
// the proxy frames itself; fields the Connection header lists are dropped
// too (see IsHopByHopField).
bool IsHopByHopField(std::string_view name, std::string_view connection_value);

// The proxy's own answers: one line naming the target.
std::string ProxyErrorBody(int status, const ProxyTarget& target, std::string_view why);

// --proxy-timeout's default, nginx's proxy_read_timeout: the longest wait
// for a response head and the longest silence inside a stream or tunnel
// (never a limit on a stream's total length).
inline constexpr int kDefaultProxyTimeoutSeconds = 60;

}  // namespace npsbundle

#endif  // NPSBUNDLE_POLICY_PROXY_RULES_H_
