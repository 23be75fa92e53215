// The deploy-config renderers on a small manifest: what each host file says
// for hashed and unhashed files, pages, routes and Vite's base, and the
// limits and errors. Real servers: caddy_server_test.cc.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "build/asset_names.h"
#include "core/error.h"
#include "deploy/deploy_config.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

constexpr const char* kManifest = R"({
  "index.html": {"file": "assets/index-Bl1MOBpP.js", "src": "index.html", "isEntry": true,
                 "css": ["assets/index-CNgsl1pN.css"], "dynamicImports": ["src/Oracle.tsx"]},
  "src/Oracle.tsx": {"file": "assets/Oracle-CHnjyAkH.js", "src": "src/Oracle.tsx",
                     "isDynamicEntry": true}
})";

const std::vector<std::string> kFiles = {
    "index.html",          "assets/index-Bl1MOBpP.js", "assets/index-Bl1MOBpP.js.br",
    "assets/index-CNgsl1pN.css", "assets/Oracle-CHnjyAkH.js", "favicon.svg",
    "sw.js",               ".vite/manifest.json",      "_headers"};

std::vector<DeployFile> Generate(DeployTarget target, DeploySettings settings = {}) {
  return GenerateDeployConfig(target, ParseManifest(kManifest, "manifest.json"), kFiles, settings);
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST_CASE("host config files are a build fact: root only", "[deploy]") {
  for (const char* path : {"_headers", "_redirects", "vercel.json", "_worker.js", "_worker.js/index.js",
                           "_routes.json", "netlify.toml", "Caddyfile"}) {
    INFO(path);
    CHECK(IsHostConfigFile(path));
  }
  for (const char* path : {"docs/_headers", "headers", "assets/vercel.json", "_headers.txt", "index.html"}) {
    INFO(path);
    CHECK_FALSE(IsHostConfigFile(path));
  }
}

TEST_CASE("the plan follows the one classifier", "[deploy]") {
  SitePlan plan = PlanSite(ParseManifest(kManifest, "m.json"), kFiles, {});
  CHECK(plan.immutable == std::vector<std::string>{"assets/Oracle-CHnjyAkH.js", "assets/index-Bl1MOBpP.js",
                                                   "assets/index-CNgsl1pN.css"});
  CHECK(plan.revalidated == std::vector<std::string>{"favicon.svg", "index.html", "sw.js"});
  CHECK(plan.variant_files == std::vector<std::string>{"assets/index-Bl1MOBpP.js.br"});
  CHECK(plan.precompressed == std::vector<std::string>{"assets/index-Bl1MOBpP.js"});
  CHECK(plan.assets_dir_all_immutable);
  REQUIRE(plan.pages.size() == 2);
  CHECK(plan.pages[0].url == "/");
  CHECK(plan.pages[0].links.front() == "</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin");
}

TEST_CASE("cloudflare: exact immutable rules, no-cache elsewhere, 404.html, route rewrites",
          "[deploy]") {
  DeploySettings settings;
  settings.common.routes = {{"/oracle", "src/Oracle.tsx"}};
  settings.cloudflare.spa_routes = {"/users/*"};
  std::vector<DeployFile> files = Generate(DeployTarget::kCloudflare, settings);
  REQUIRE(files.size() == 3);
  const std::string& headers = files[0].text;
  CHECK(headers.find("/*\n  X-Content-Type-Options: nosniff\n  Cache-Control: no-cache\n") != std::string::npos);
  CHECK(headers.find("/assets/index-Bl1MOBpP.js\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable\n") !=
        std::string::npos);
  CHECK(Count(headers, "immutable") == 3);
  CHECK(headers.find("/sw.js") == std::string::npos);  // revalidated by /*
  CHECK(headers.find("/oracle\n  Link: </assets/index-Bl1MOBpP.js>") != std::string::npos);
  const std::string& redirects = files[1].text;
  CHECK(redirects.find("/oracle / 200\n/oracle/ / 200\n/users/* / 200\n") != std::string::npos);
  CHECK(redirects.find("/assets") == std::string::npos);  // a missing asset stays a 404
  CHECK(files[2].name == "404.html");
  CHECK(files[2].only_if_missing);
}

TEST_CASE("cloudflare: past 100 rules, one pattern for the assets folder", "[deploy]") {
  std::string manifest = "{";
  std::vector<std::string> files{"index.html"};
  for (int i = 0; i < 120; ++i) {
    std::string file = "assets/c" + std::to_string(i) + "-Bx3kf9Q" + std::to_string(i % 10) + ".js";
    manifest += "\"c" + std::to_string(i) + "\": {\"file\": \"" + file + "\", \"isDynamicEntry\": true},";
    files.push_back(file);
  }
  manifest += "\"index.html\": {\"file\": \"assets/index-Bl1MOBpP.js\", \"isEntry\": true}}";
  files.push_back("assets/index-Bl1MOBpP.js");
  SitePlan plan = PlanSite(ParseManifest(manifest, "m.json"), files, {});
  REQUIRE(plan.immutable.size() == 121);
  std::string headers = GenerateCloudflare(plan, {}, {})[0].text;
  CHECK(headers.find("/assets/*\n  ! Cache-Control\n") != std::string::npos);
  CHECK(Count(headers, "immutable") == 1);
}

TEST_CASE("cloudflare: a spaRoutes pattern must be a path", "[deploy]") {
  DeploySettings settings;
  settings.cloudflare.spa_routes = {"users/*"};
  CHECK_THROWS_WITH(Generate(DeployTarget::kCloudflare, settings),
                    Catch::Contains("cloudflare spaRoutes: \"users/*\""));
}

TEST_CASE("netlify: Cache-Control rules never overlap; assets 404, SPA 200", "[deploy]") {
  DeploySettings settings;
  settings.common.base = "/app/";
  std::vector<DeployFile> files = Generate(DeployTarget::kNetlify, settings);
  const std::string& headers = files[0].text;
  CHECK(headers.find("/app/*\n  X-Content-Type-Options: nosniff\n\n") != std::string::npos);
  CHECK(headers.find("/app/assets/*\n  Cache-Control: public, max-age=31536000, immutable\n") != std::string::npos);
  CHECK(headers.find("/app/sw.js\n  Cache-Control: no-cache\n") != std::string::npos);
  CHECK(headers.find("/app/\n  Cache-Control: no-cache\n  Link: </app/assets/index-Bl1MOBpP.js>") != std::string::npos);
  CHECK(Count(headers, "Cache-Control") == Count(headers, "\n/app/") - 1);  // one per rule but /app/*
  CHECK(files[1].text.find("/app/assets/*  /app/404.html  404\n/app/*  /app/index.html  200\n") !=
        std::string::npos);
}

TEST_CASE("vercel: the revalidating pattern excludes the immutable one", "[deploy]") {
  std::string json = Generate(DeployTarget::kVercel)[0].text;
  CHECK(json.find("\"source\": \"/((?!assets/).*)\"") != std::string::npos);
  CHECK(json.find("\"source\": \"/assets/(.*)\"") != std::string::npos);
  CHECK(json.find("\"source\": \"/((?!assets/)(?:[^/]*/)*[^./]*)\", \"destination\": \"/index.html\"") !=
        std::string::npos);
  CHECK(json.find("\"value\": \"</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin, "
                  "</assets/index-CNgsl1pN.css>; rel=preload; as=style\"") != std::string::npos);
}

TEST_CASE("caddy: exact matchers, precompressed, hidden files, errors", "[deploy]") {
  DeploySettings settings;
  settings.caddy.address = "example.com";
  std::string caddy = Generate(DeployTarget::kCaddy, settings)[0].text;
  CHECK(caddy.find("example.com {\n\troot * /srv/app\n") != std::string::npos);
  CHECK(caddy.find("@npsbundle_immutable path /assets/Oracle-CHnjyAkH.js /assets/index-Bl1MOBpP.js "
                   "/assets/index-CNgsl1pN.css\n") != std::string::npos);
  CHECK(caddy.find("precompressed br gzip") != std::string::npos);
  CHECK(caddy.find("/_headers") != std::string::npos);
  CHECK(caddy.find(" /assets/index-Bl1MOBpP.js.br\n") != std::string::npos);  // hidden variant
  // Only the text files without a variant are compressed on the fly.
  CHECK(caddy.find("@npsbundle_encode path /assets/Oracle-CHnjyAkH.js /assets/index-CNgsl1pN.css "
                   "/favicon.svg /index.html /sw.js\n") != std::string::npos);
  CHECK(caddy.find("respond @npsbundle_not_found `404 not found\n` 404") != std::string::npos);
  settings.caddy.root = "srv";
  CHECK_THROWS_AS(Generate(DeployTarget::kCaddy, settings), InputError);
}

TEST_CASE("caddy: reverse_proxy per proxy rule, before the build's routes", "[deploy]") {
  DeploySettings settings;
  ProxyRule api;
  api.prefix = "/api";
  api.target = ParseProxyTarget("http://127.0.0.1:8000/v1", "test");
  api.change_origin = true;
  api.rewrite_from = "^/api";
  ProxyRule ws;
  ws.prefix = "/ws";
  ws.target = ParseProxyTarget("ws://[::1]:8001", "test");
  settings.caddy.proxy = {api, ws};
  settings.caddy.proxy_timeout_s = 7;
  std::string caddy = Generate(DeployTarget::kCaddy, settings)[0].text;
  // handle, not handle_path: the prefix stays, as in Vite and nginx.
  CHECK(caddy.find("\t@npsbundle_proxy0 path /api /api/*\n\thandle @npsbundle_proxy0 {\n\t\troute {\n"
                   "\t\t\turi path_regexp ^/api \"\"\n\t\t\trewrite * \"/v1{uri}\"\n") != std::string::npos);
  CHECK(caddy.find("reverse_proxy 127.0.0.1:8000 {\n\t\t\theader_up Host {upstream_hostport}\n") !=
        std::string::npos);
  CHECK(caddy.find("reverse_proxy [::1]:8001 {\n\t\t\t# Streams") != std::string::npos);  // Host kept
  CHECK(Count(caddy, "response_header_timeout 7s") == 2);
  // Before the SPA rewrite and the static headers, which skip proxy paths.
  CHECK(caddy.find("reverse_proxy") < caddy.find("rewrite @npsbundle_spa"));
  CHECK(caddy.find("header @npsbundle_not_proxied {") != std::string::npos);
  CHECK(caddy.find("@npsbundle_not_proxied not path /api /api/* /ws /ws/*\n") != std::string::npos);
  CHECK(Generate(DeployTarget::kCaddy)[0].text.find("reverse_proxy") == std::string::npos);
}

TEST_CASE("CaddyQuote", "[deploy]") {
  CHECK(CaddyQuote("/assets/x.js") == "/assets/x.js");
  CHECK(CaddyQuote("a b") == "\"a b\"");
  CHECK(CaddyQuote("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(CaddyQuote("\\.js$") == "`\\.js$`");
  CHECK_THROWS_AS(CaddyQuote(std::string("a\x01")), InputError);
}

TEST_CASE("the deploy section of the config file, with located errors", "[deploy]") {
  DeploySettings settings;
  ApplyDeploySection(R"({"base": "/app/", "caddy": {"address": ":8080"},
                        "cloudflare": {"spaRoutes": ["/u/*"]}, "nginx": {"serverName": "x"}})",
                     "npsbundle.config.json", &settings);
  CHECK(settings.common.base == "/app/");
  CHECK(settings.caddy.address == ":8080");
  CHECK(settings.cloudflare.spa_routes == std::vector<std::string>{"/u/*"});
  CHECK(settings.nginx.server_name == "x");
  CHECK_THROWS_WITH(ApplyDeploySection(R"({"caddy": {"root": 3}})", "c.json", &settings),
                    "c.json: deploy.caddy.root: expected a string");
  CHECK_THROWS_WITH(ApplyDeploySection(R"({"apache": {}})", "c.json", &settings),
                    "c.json: deploy.apache: unknown field");
  ApplyDeploySection(R"({"nginx": {"nginxVersion": "1.29"}})", "c.json", &settings);
  CHECK(settings.nginx.nginx_version == "1.29");
  CHECK_THROWS_WITH(ApplyDeploySection(R"({"nginx": {"nginxVersion": "latest"}})", "c.json", &settings),
                    "c.json: deploy.nginx.nginxVersion: expected MAJOR.MINOR, e.g. \"1.29\"");
  CHECK_THROWS_WITH(ParseRoutesFile(R"({"oracle": "x"})", "r.json"),
                    "r.json: routes.oracle: a route must start with '/'");
}

TEST_CASE("deploy-config nginx is npsbundle nginx's config", "[deploy]") {
  DeploySettings settings;
  std::string config = Generate(DeployTarget::kNginx, settings)[0].text;
  NginxOptions nginx;
  CHECK(config == GenerateNginxConfig(ParseManifest(kManifest, "manifest.json"), nginx));
}

}  // namespace
}  // namespace npsbundle

namespace npsbundle {
namespace {

TEST_CASE("deploy-config nginx takes npsbundle nginx's proxy rules and prints its config", "[deploy][e2e]") {
  testing::TempDir dir;
  std::string config = (dir.path() / "npsbundle.config.json").string();
  testing::WriteFile(config, R"({"version": 1, "serve": {"proxy": {
      "/api": {"target": "http://127.0.0.1:8000/v1", "rewrite": {"^/api": ""}}}}})");
  std::string build = testing::Fixture("good");
  std::vector<std::string> proxy{"--config", config, "--proxy", "/ws=ws://127.0.0.1:8001", "--proxy-timeout", "5"};
  std::vector<std::string> nginx_args{"nginx", build}, deploy_args{"deploy-config", build, "--target", "nginx"};
  nginx_args.insert(nginx_args.end(), proxy.begin(), proxy.end());
  deploy_args.insert(deploy_args.end(), proxy.begin(), proxy.end());
  testing::CommandResult nginx = testing::RunNpsbundle(nginx_args);
  testing::CommandResult deploy = testing::RunNpsbundle(deploy_args);
  INFO(nginx.err << deploy.err);
  REQUIRE(nginx.exit_code == 0);
  CHECK(deploy.exit_code == 0);
  CHECK(deploy.out == nginx.out);
  CHECK(Count(deploy.out, "proxy_pass ") == 4);  // "= /api", "^~ /api/", the same for /ws
  CHECK(deploy.out.find("proxy_read_timeout 5s;") != std::string::npos);
  testing::CommandResult bad = testing::RunNpsbundle({"deploy-config", build, "--target", "caddy", "--proxy", "api"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("check does not count the host config files deploy-config writes", "[deploy][e2e]") {
  testing::TempDir dir;
  std::string root = (dir.path() / "dist").string();
  testing::CopyTree(testing::Fixture("good"), root);
  testing::CommandResult written = testing::RunNpsbundle({"deploy-config", root, "--target", "netlify"});
  INFO(written.err);
  REQUIRE(written.exit_code == 0);
  CHECK(testing::ReadFile(root + "/_redirects").find("/*  /index.html  200") != std::string::npos);
  testing::CommandResult report = testing::RunNpsbundle({"check", root, "--format", "json"});
  CHECK(report.out.find("\"_headers\"") == std::string::npos);
  CHECK(report.out.find("\"_redirects\"") == std::string::npos);
  CHECK(report.out.find("\"404.html\"") != std::string::npos);  // a page, counted
}

}  // namespace
}  // namespace npsbundle
