#include "policy/proxy_rules.h"

#include <algorithm>
#include <charconv>
#include <regex>

#include "core/ascii.h"
#include "core/error.h"
#include "core/json.h"

namespace npsbundle {
namespace {

// A prefix is a path of whole segments: "/api", "/api/v1"; "/" would take
// the whole build.
void CheckPrefix(const std::string& prefix, const std::string& where) {
  if (prefix.empty() || prefix.front() != '/') throw InputError(where + ": a path prefix starts with '/'");
  if (prefix == "/") throw InputError(where + ": \"/\" would proxy the whole build; name a prefix such as /api");
  if (prefix.find_first_of("?#*\\ ") != std::string::npos || prefix.find("//") != std::string::npos ||
      prefix.find("/../") != std::string::npos || prefix.ends_with("/..")) {
    throw InputError(where + ": expected a plain path prefix such as /api");
  }
}

std::string TrimSlash(std::string prefix) {
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  return prefix;
}

void CheckRewrite(const std::string& from, const std::string& where) {
  try {
    std::regex compiled(from, std::regex::ECMAScript);
  } catch (const std::regex_error& error) {
    throw InputError(where + ": invalid regular expression \"" + from + "\" (" + error.what() + ")");
  }
}

}  // namespace

std::string ProxyTarget::Authority() const {
  std::string name = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return name + ":" + std::to_string(port);
}

std::string ProxyTarget::HostHeader() const {
  if (port != (tls ? 443 : 80)) return Authority();
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

ProxyTarget ParseProxyTarget(const std::string& url, const std::string& where) {
  ProxyTarget target;
  target.text = url;
  std::string_view rest = url;
  for (std::string_view scheme : {"http://", "ws://", "https://", "wss://"}) {
    if (rest.starts_with(scheme)) {
      target.tls = scheme == "https://" || scheme == "wss://";
      rest.remove_prefix(scheme.size());
      break;
    }
  }
  if (rest.size() == url.size()) {
    throw InputError(where + ": " + url + ": expected an http:// or https:// URL such as http://127.0.0.1:8000");
  }
  if (target.tls) target.port = 443;
  size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (path.find_first_of("?#") != std::string_view::npos) {
    throw InputError(where + ": " + url + ": a target has no query or fragment");
  }
  if (authority.find('@') != std::string_view::npos) {
    throw InputError(where + ": " + url + ": credentials in a target URL are not supported");
  }
  std::string_view port_text;
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) throw InputError(where + ": " + url + ": unclosed '[' in the host");
    target.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') throw InputError(where + ": " + url + ": expected ':port' after ']'");
    if (!after.empty()) port_text = after.substr(1);
  } else {
    size_t colon = authority.rfind(':');
    target.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (target.host.empty() || target.host.find_first_of(" \t\"'$;{}") != std::string::npos) {
    throw InputError(where + ": " + url + ": expected a host name or address");
  }
  if (!port_text.empty() || authority.ends_with(":")) {
    auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), target.port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || target.port < 1 ||
        target.port > 65535) {
      throw InputError(where + ": " + url + ": expected a port 1..65535");
    }
  }
  target.path = TrimSlash(std::string(path));
  if (target.path == "/") target.path.clear();
  if (target.path.find_first_of(" \t\"'$;{}\\") != std::string::npos) {
    throw InputError(where + ": " + url + ": unexpected character in the path");
  }
  return target;
}

ProxyRule ParseProxyFlag(const std::string& value) {
  std::string where = "--proxy " + value;
  size_t equals = value.find('=');
  if (equals == std::string::npos) throw InputError(where + ": expected PREFIX=URL, e.g. /api=http://127.0.0.1:8000");
  ProxyRule rule;
  rule.prefix = TrimSlash(value.substr(0, equals));
  CheckPrefix(rule.prefix, where);
  rule.target = ParseProxyTarget(value.substr(equals + 1), where);
  rule.change_origin = true;
  rule.ws = true;
  return rule;
}

std::vector<ProxyRule> ParseProxyConfig(std::string_view serve_json, const std::string& display_path) {
  std::vector<ProxyRule> rules;
  if (serve_json.empty()) return rules;
  JsonDocument document(serve_json, display_path);
  JsonReader reader(display_path);
  std::optional<JsonValue> proxy = JsonReader::OptionalField(document.root(), "proxy");
  if (!proxy) return rules;
  const std::string base = "serve.proxy";
  for (auto [key, value] : reader.Object(*proxy, base)) {
    std::string location = JsonMember(base, JsonQuote(key));
    ProxyRule rule;
    rule.prefix = TrimSlash(std::string(key));
    try {
      CheckPrefix(rule.prefix, display_path + ": " + location);
    } catch (const InputError&) {
      reader.Fail(location, "expected a path prefix such as \"/api\" (not \"/\", no regex)");
    }
    auto target_of = [&](JsonValue text, const std::string& at) {
      return ParseProxyTarget(reader.String(text, at), display_path + ": " + at);
    };
    if (value.is_string()) {
      // Vite's string shorthand: { target, changeOrigin: true }.
      rule.target = target_of(value, location);
      rule.change_origin = true;
    } else {
      for (auto [field, item] : reader.Object(value, location)) {
        std::string at = JsonMember(location, field);
        if (field == "target") {
          rule.target = target_of(item, at);
        } else if (field == "changeOrigin") {
          rule.change_origin = reader.Bool(item, at);
        } else if (field == "ws") {
          rule.ws = reader.Bool(item, at);
        } else if (field == "secure") {
          rule.secure = reader.Bool(item, at);
        } else if (field == "rewrite") {
          JsonObject pair = reader.Object(item, at);
          if (pair.size() != 1) reader.Fail(at, "expected one {\"regex\": \"replacement\"} pair");
          for (auto [from, to] : pair) {
            rule.rewrite_from = std::string(from);
            rule.rewrite_to = reader.String(to, JsonMember(at, JsonQuote(from)));
          }
          try {
            CheckRewrite(rule.rewrite_from, display_path + ": " + at);
          } catch (const InputError&) {
            reader.Fail(at, "invalid regular expression \"" + rule.rewrite_from + "\"");
          }
        } else {
          reader.Fail(at, "unknown field (a proxy rule has target, changeOrigin, ws, secure and rewrite)");
        }
      }
      if (rule.target.text.empty()) reader.Fail(location, "missing field \"target\"");
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

void ValidateProxyRules(const std::vector<ProxyRule>& rules) {
  for (size_t i = 0; i < rules.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (rules[i].prefix == rules[j].prefix) {
        throw InputError("proxy " + rules[i].prefix + ": given twice (" + rules[j].target.text + ", " +
                         rules[i].target.text + ")");
      }
    }
  }
}

const ProxyRule* MatchProxyRule(const std::vector<ProxyRule>& rules, std::string_view target) {
  if (target.empty() || target.front() != '/') return nullptr;
  std::string_view path = target.substr(0, target.find_first_of("?#"));
  const ProxyRule* best = nullptr;
  for (const ProxyRule& rule : rules) {
    if (!path.starts_with(rule.prefix)) continue;
    if (path.size() != rule.prefix.size() && path[rule.prefix.size()] != '/') continue;
    if (!best || rule.prefix.size() > best->prefix.size()) best = &rule;
  }
  return best;
}

std::string ProxiedTarget(const ProxyRule& rule, std::string_view target) {
  std::string out(target);
  if (!rule.rewrite_from.empty()) {
    // Compiled per call: rewrite is for development routing, and a
    // std::regex is not safe to share between threads' match state anyway.
    std::regex pattern(rule.rewrite_from, std::regex::ECMAScript);
    out = std::regex_replace(out, pattern, rule.rewrite_to, std::regex_constants::format_first_only);
  }
  if (out.empty() || out.front() != '/') out.insert(0, "/");
  return rule.target.path + out;
}

bool IsHopByHopField(std::string_view name, std::string_view connection_value) {
  static constexpr std::string_view kHopByHop[] = {
      "Connection", "Keep-Alive", "Proxy-Connection", "TE",  "Trailer", "Transfer-Encoding",
      "Upgrade",    "Proxy-Authenticate", "Proxy-Authorization"};
  for (std::string_view hop : kHopByHop) {
    if (EqualsIgnoreCase(name, hop)) return true;
  }
  // Connection lists further per-hop fields ("Connection: close, X-Trace").
  size_t start = 0;
  while (start < connection_value.size()) {
    size_t comma = connection_value.find(',', start);
    if (comma == std::string_view::npos) comma = connection_value.size();
    std::string_view token = connection_value.substr(start, comma - start);
    while (!token.empty() && (token.front() == ' ' || token.front() == '\t')) token.remove_prefix(1);
    while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
    if (!token.empty() && EqualsIgnoreCase(token, name)) return true;
    start = comma + 1;
  }
  return false;
}

std::string ProxyErrorBody(int status, const ProxyTarget& target, std::string_view why) {
  std::string text = status == 502 ? "502 bad gateway: " : status == 504 ? "504 gateway timeout: " : std::to_string(status) + " error: ";
  return text + target.text + " " + std::string(why) + "\n";
}

}  // namespace npsbundle
