#include "deploy/nginx_proxy.h"

#include <cctype>
#include <map>

#include "deploy/nginx.h"

namespace npsbundle {
namespace {

std::string UpstreamName(const std::vector<ProxyRule>& rules, const ProxyRule& rule) {
  // One upstream per distinct target authority, named by its first rule's
  // position so the output is stable.
  std::map<std::string, size_t> first;
  for (const ProxyRule& each : rules) first.emplace(each.target.Authority(), first.size() + 1);
  return "npsbundle_backend_" + std::to_string(first[rule.target.Authority()]);
}

// Capture groups the pattern opens: '(' not escaped, not in a class, not "(?".
int CountGroups(const std::string& pattern) {
  int groups = 0;
  bool in_class = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
    } else if (c == '(' && (i + 1 >= pattern.size() || pattern[i + 1] != '?')) {
      ++groups;
    }
  }
  return groups;
}

}  // namespace

std::pair<std::string, std::string> NginxRewrite(const ProxyRule& rule) {
  if (rule.rewrite_from.empty()) return {"^(.*)$", rule.target.path + "$1"};
  int groups = CountGroups(rule.rewrite_from);
  std::string replacement = rule.target.path + "$1";
  for (size_t i = 0; i < rule.rewrite_to.size(); ++i) {
    char c = rule.rewrite_to[i];
    if (c == '$' && i + 1 < rule.rewrite_to.size() && std::isdigit(static_cast<unsigned char>(rule.rewrite_to[i + 1]))) {
      replacement += "$" + std::to_string(rule.rewrite_to[i + 1] - '0' + 1);
      ++i;
    } else {
      replacement += c;
    }
  }
  replacement += "$" + std::to_string(groups + 2);
  return {"^(.*?)(?:" + rule.rewrite_from + ")(.*)$", replacement};
}

std::vector<std::string> NginxProxyPreamble(const std::vector<ProxyRule>& rules) {
  std::vector<std::string> out;
  if (rules.empty()) return out;
  out.push_back("# Proxy rules (serve.proxy / --proxy): WebSocket upgrades pass Connection: upgrade,");
  out.push_back("# other requests an empty Connection, so upstream connections stay alive.");
  out.push_back("map $http_upgrade $npsbundle_connection_upgrade {");
  out.push_back("default upgrade;");
  out.push_back("\"\" \"\";");
  out.push_back("}");
  std::map<std::string, bool> written;
  for (const ProxyRule& rule : rules) {
    std::string name = UpstreamName(rules, rule);
    if (written[name]) continue;
    written[name] = true;
    out.push_back("upstream " + name + " {");
    out.push_back("server " + rule.target.Authority() + ";");
    out.push_back("keepalive 16;");
    out.push_back("}");
  }
  out.push_back("");
  return out;
}

std::vector<std::string> NginxProxyLocations(const std::vector<ProxyRule>& rules, int timeout_s) {
  std::vector<std::string> out;
  for (const ProxyRule& rule : rules) {
    out.push_back("# Proxy " + rule.prefix + " -> " + rule.target.text + (rule.ws ? " (WebSockets too)" : "") +
                  ": never the SPA fallback, no static caching headers.");
    for (const std::string& location : {"= " + NginxQuote(rule.prefix, true), "^~ " + NginxQuote(rule.prefix + "/", true)}) {
      out.push_back("location " + location + " {");
      if (!rule.rewrite_from.empty() || !rule.target.path.empty()) {
        auto [pattern, replacement] = NginxRewrite(rule);
        out.push_back("rewrite " + NginxQuote(pattern, true) + " " + NginxQuote(replacement, true) + " break;");
      }
      out.push_back(std::string("proxy_pass ") + (rule.target.tls ? "https://" : "http://") + UpstreamName(rules, rule) + ";");
      out.push_back("proxy_http_version 1.1;");
      if (rule.target.tls) {
        // SNI and the name checked are the target's host, not the upstream
        // block's name; serve verifies unless the rule says secure: false.
        out.push_back("proxy_ssl_server_name on;");
        out.push_back("proxy_ssl_name " + NginxQuote(rule.target.host) + ";");
        if (rule.secure) {
          out.push_back("proxy_ssl_verify on;");
          out.push_back("proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;");
        } else {
          out.push_back("proxy_ssl_verify off;");
        }
      }
      out.push_back(rule.change_origin ? "proxy_set_header Host " + NginxQuote(rule.target.HostHeader()) + ";"
                                       : "proxy_set_header Host $http_host;");
      out.push_back("proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;");
      out.push_back("proxy_set_header X-Forwarded-Proto $scheme;");
      out.push_back("proxy_set_header X-Forwarded-Host $http_host;");
      if (rule.ws) {
        out.push_back("proxy_set_header Upgrade $http_upgrade;");
        out.push_back("proxy_set_header Connection $npsbundle_connection_upgrade;");
      } else {
        out.push_back("proxy_set_header Connection \"\";");
      }
      std::string seconds = std::to_string(timeout_s) + "s";
      out.push_back("proxy_connect_timeout " + seconds + ";");
      out.push_back("proxy_send_timeout " + seconds + ";");
      out.push_back("proxy_read_timeout " + seconds + ";");
      out.push_back("# Streams (Server-Sent Events) and uploads pass through as they come, as in serve;");
      out.push_back("# the body size is the backend's to limit.");
      out.push_back("proxy_buffering off;");
      out.push_back("proxy_request_buffering off;");
      out.push_back("client_max_body_size 0;");
      out.push_back("}");
    }
  }
  if (!rules.empty()) out.push_back("");
  return out;
}

std::string NginxProxyPrefixPattern(const std::vector<ProxyRule>& rules) {
  std::string out;
  for (const ProxyRule& rule : rules) {
    if (!out.empty()) out += "|";
    out += RegexEscape(rule.prefix) + "(?:/|$)";
  }
  return out;
}

}  // namespace npsbundle
