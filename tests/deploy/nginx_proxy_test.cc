#include "deploy/nginx_proxy.h"

#include <catch2/catch.hpp>
#include <regex>
#include <string>

namespace npsbundle {
namespace {

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

TEST_CASE("nginx proxy: locations, map and upstreams from the rules", "[nginx_proxy]") {
  ProxyRule api = ParseProxyFlag("/api=http://127.0.0.1:8000");
  api.ws = false;
  ProxyRule ws = ParseProxyFlag("/ws=ws://127.0.0.1:8000");
  ws.change_origin = false;
  std::vector<ProxyRule> rules = {api, ws};
  std::string preamble = Joined(NginxProxyPreamble(rules));
  CHECK(preamble.find("map $http_upgrade $npsbundle_connection_upgrade {\ndefault upgrade;\n\"\" \"\";\n}") != std::string::npos);
  // One upstream for the one backend both rules name, with a keepalive pool.
  CHECK(preamble.find("upstream npsbundle_backend_1 {\nserver 127.0.0.1:8000;\nkeepalive 16;\n}") != std::string::npos);
  CHECK(preamble.find("npsbundle_backend_2") == std::string::npos);

  std::string locations = Joined(NginxProxyLocations(rules, 30));
  CHECK(locations.find("location = \"/api\" {") != std::string::npos);
  CHECK(locations.find("location ^~ \"/api/\" {") != std::string::npos);
  CHECK(locations.find("proxy_set_header Host \"127.0.0.1:8000\";") != std::string::npos);  // changeOrigin
  CHECK(locations.find("proxy_set_header Host $http_host;") != std::string::npos);          // the ws rule keeps it
  CHECK(locations.find("proxy_set_header Connection $npsbundle_connection_upgrade;") != std::string::npos);
  CHECK(locations.find("proxy_set_header Connection \"\";") != std::string::npos);
  CHECK(locations.find("proxy_read_timeout 30s;") != std::string::npos);
  CHECK(locations.find("proxy_buffering off;") != std::string::npos);
  CHECK(locations.find("X-Forwarded-For $proxy_add_x_forwarded_for;") != std::string::npos);
  CHECK(NginxProxyPrefixPattern(rules) == "/api(?:/|$)|/ws(?:/|$)");
  CHECK(NginxProxyPreamble({}).empty());
  CHECK(NginxProxyLocations({}, 60).empty());
}

// nginx replaces the whole URI; the generated rewrite must give what Vite's
// String.replace gives (checked here with std::regex, ECMAScript like Vite).
TEST_CASE("nginx proxy: rewrite keeps the text around the match", "[nginx_proxy]") {
  ProxyRule rule = ParseProxyFlag("/api=http://a/v1");
  rule.rewrite_from = "^/api/(\\w+)";
  rule.rewrite_to = "/$1/items";
  auto [pattern, replacement] = NginxRewrite(rule);
  CHECK(pattern == "^(.*?)(?:^/api/(\\w+))(.*)$");
  CHECK(replacement == "/v1$1/$2/items$3");
  std::string rewritten = std::regex_replace(std::string("/api/users/7"), std::regex(pattern), replacement);
  CHECK(rewritten == "/v1" + std::string("/users/items/7"));
  CHECK(rewritten == ProxiedTarget(rule, "/api/users/7"));

  ProxyRule plain = ParseProxyFlag("/api=http://a/v1");
  auto [plain_pattern, plain_replacement] = NginxRewrite(plain);
  CHECK(std::regex_replace(std::string("/api/x"), std::regex(plain_pattern), plain_replacement) ==
        ProxiedTarget(plain, "/api/x"));
}

}  // namespace
}  // namespace npsbundle
