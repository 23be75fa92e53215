#include "policy/proxy_rules.h"

#include <catch2/catch.hpp>
#include <string>

#include "core/error.h"

namespace npsbundle {
namespace {

std::string ErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

TEST_CASE("proxy rules: --proxy values", "[proxy]") {
  ProxyRule rule = ParseProxyFlag("/api/=http://127.0.0.1:8000/v1/");
  CHECK(rule.prefix == "/api");
  CHECK(rule.target.host == "127.0.0.1");
  CHECK(rule.target.port == 8000);
  CHECK(rule.target.path == "/v1");
  CHECK(rule.change_origin);
  CHECK(rule.ws);
  CHECK(ParseProxyFlag("/ws=ws://[::1]:9000").target.Authority() == "[::1]:9000");
  CHECK(ParseProxyFlag("/x=http://backend").target.port == 80);

  CHECK(ErrorOf([] { ParseProxyFlag("/api"); }) == "--proxy /api: expected PREFIX=URL, e.g. /api=http://127.0.0.1:8000");
  CHECK(ErrorOf([] { ParseProxyFlag("api=http://a"); }) == "--proxy api=http://a: a path prefix starts with '/'");
  CHECK(ErrorOf([] { ParseProxyFlag("/=http://a"); }).find("whole build") != std::string::npos);
  CHECK(ErrorOf([] { ParseProxyFlag("/api=ftp://a"); }) ==
        "--proxy /api=ftp://a: ftp://a: expected an http:// or https:// URL such as http://127.0.0.1:8000");
  ProxyRule tls = ParseProxyFlag("/api=https://api.example");
  CHECK(tls.target.tls);
  CHECK(tls.target.port == 443);
  CHECK(tls.target.HostHeader() == "api.example");
  CHECK(tls.secure);  // verified unless the config says secure: false
  CHECK(ParseProxyFlag("/ws=wss://[::1]:8443").target.HostHeader() == "[::1]:8443");
  CHECK_FALSE(ParseProxyFlag("/x=http://backend").target.tls);
  CHECK(ParseProxyFlag("/x=http://backend").target.HostHeader() == "backend");
  CHECK(ParseProxyFlag("/x=http://backend:443").target.HostHeader() == "backend:443");
  CHECK(ErrorOf([] { ParseProxyFlag("/api=http://a:99999"); }).ends_with("expected a port 1..65535"));
  CHECK(ErrorOf([] { ParseProxyFlag("/api=http://a:"); }).ends_with("expected a port 1..65535"));
  CHECK(ErrorOf([] { ParseProxyFlag("/api=http://a/x?y"); }).ends_with("a target has no query or fragment"));
}

TEST_CASE("proxy rules: serve.proxy in the config file", "[proxy]") {
  std::vector<ProxyRule> rules = ParseProxyConfig(
      R"({"port": 1, "proxy": {"/api": "http://127.0.0.1:8000",
          "/ws": {"target": "ws://127.0.0.1:8001", "ws": true, "rewrite": {"^/ws": "/socket"}}}})",
      "npsbundle.config.json");
  REQUIRE(rules.size() == 2);
  CHECK(rules[0].change_origin);  // Vite's string shorthand
  CHECK_FALSE(rules[0].ws);
  CHECK(rules[1].ws);
  CHECK_FALSE(rules[1].change_origin);
  CHECK(rules[1].rewrite_from == "^/ws");
  CHECK(ParseProxyConfig(R"({})", "c.json").empty());

  CHECK(ErrorOf([] { ParseProxyConfig(R"({"proxy": {"/api": {"ws": true}}})", "c.json"); }) ==
        "c.json: serve.proxy.\"/api\": missing field \"target\"");
  CHECK_FALSE(ParseProxyConfig(R"({"proxy": {"/api": {"target": "https://a", "secure": false}}})", "c.json")[0].secure);
  CHECK(ParseProxyConfig(R"({"proxy": {"/api": {"target": "https://a"}}})", "c.json")[0].secure);
  CHECK(ErrorOf([] { ParseProxyConfig(R"({"proxy": {"/api": {"target": "http://a", "verify": false}}})", "c.json"); }) ==
        "c.json: serve.proxy.\"/api\".verify: unknown field (a proxy rule has target, changeOrigin, ws, secure and rewrite)");
  CHECK(ErrorOf([] { ParseProxyConfig(R"({"proxy": {"/api": {"target": "http://a", "ws": "yes"}}})", "c.json"); }) ==
        "c.json: serve.proxy.\"/api\".ws: expected true or false");
  CHECK(ErrorOf([] { ParseProxyConfig(R"({"proxy": {"^/api": "http://a"}})", "c.json"); })
            .starts_with("c.json: serve.proxy.\"^/api\": expected a path prefix"));
  CHECK(ErrorOf([] { ParseProxyConfig(R"({"proxy": {"/api": {"target": "http://a", "rewrite": {"(": ""}}}})", "c.json"); })
            .starts_with("c.json: serve.proxy.\"/api\".rewrite: invalid regular expression \"(\""));
  CHECK(ErrorOf([] { ParseProxyConfig(R"({"proxy": {"/api": {"target": "http://a", "rewrite": {"a": "", "b": ""}}}})", "c.json"); })
            .ends_with("expected one {\"regex\": \"replacement\"} pair"));
  CHECK(ErrorOf([] { ParseProxyConfig(R"({"proxy": {"/api": {"target": 8000}}})", "c.json"); }) ==
        "c.json: serve.proxy.\"/api\".target: expected a string");
  CHECK(ErrorOf([] {
          ValidateProxyRules({ParseProxyFlag("/api=http://a"), ParseProxyFlag("/api/=http://b")});
        }) == "proxy /api: given twice (http://a, http://b)");
}

TEST_CASE("proxy rules: matching whole segments, longest prefix first", "[proxy]") {
  std::vector<ProxyRule> rules = {ParseProxyFlag("/api=http://a"), ParseProxyFlag("/api/admin=http://b")};
  CHECK(MatchProxyRule(rules, "/api") == &rules[0]);
  CHECK(MatchProxyRule(rules, "/api?x=1") == &rules[0]);
  CHECK(MatchProxyRule(rules, "/api/users/1") == &rules[0]);
  CHECK(MatchProxyRule(rules, "/api/admin/x") == &rules[1]);
  CHECK(MatchProxyRule(rules, "/apix") == nullptr);
  CHECK(MatchProxyRule(rules, "/") == nullptr);
  CHECK(MatchProxyRule(rules, "http://host/api") == nullptr);
  CHECK(MatchProxyRule(rules, "*") == nullptr);
}

TEST_CASE("proxy rules: the target sent to the backend", "[proxy]") {
  ProxyRule rule = ParseProxyFlag("/api=http://a");
  CHECK(ProxiedTarget(rule, "/api/x?y=1") == "/api/x?y=1");
  rule.rewrite_from = "^/api";
  rule.rewrite_to = "";
  CHECK(ProxiedTarget(rule, "/api/x?y=1") == "/x?y=1");
  CHECK(ProxiedTarget(rule, "/api") == "/");
  rule.target.path = "/v2";
  CHECK(ProxiedTarget(rule, "/api/x") == "/v2/x");
  rule.rewrite_from = "^/api/(\\w+)";
  rule.rewrite_to = "/$1/items";
  rule.target.path.clear();
  CHECK(ProxiedTarget(rule, "/api/users?x") == "/users/items?x");
}

TEST_CASE("proxy rules: hop-by-hop fields", "[proxy]") {
  CHECK(IsHopByHopField("connection", ""));
  CHECK(IsHopByHopField("Keep-Alive", ""));
  CHECK(IsHopByHopField("transfer-encoding", ""));
  CHECK(IsHopByHopField("Upgrade", ""));
  CHECK(IsHopByHopField("X-Trace", "keep-alive, x-trace"));
  CHECK_FALSE(IsHopByHopField("X-Trace", "keep-alive"));
  CHECK_FALSE(IsHopByHopField("Content-Type", "close"));
  CHECK(ProxyErrorBody(502, ParseProxyFlag("/a=http://127.0.0.1:9").target, "refused the connection") ==
        "502 bad gateway: http://127.0.0.1:9 refused the connection\n");
}

}  // namespace
}  // namespace npsbundle
