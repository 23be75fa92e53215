#include "deploy/nginx.h"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "build/asset_names.h"
#include "core/error.h"
#include "policy/serving.h"
#include "build/manifest.h"
#include "policy/preload.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

using testing::ReadFile;

// index.html -> shared vendor chunk (+ css); a lazy page with its own
// chunk and css; one asset whose hash is all lower case (no pattern match).
constexpr const char* kManifest = R"({
  "index.html": {"file": "assets/index-Bl1MOBpP.js", "src": "index.html", "isEntry": true,
                 "imports": ["_vendor-D-9X1o8U.js"], "css": ["assets/index-CNgsl1pN.css"],
                 "dynamicImports": ["src/pages/Oracle.tsx"]},
  "_vendor-D-9X1o8U.js": {"file": "assets/vendor-D-9X1o8U.js", "css": ["assets/vendor-Ab12Cd34.css"]},
  "src/pages/Oracle.tsx": {"file": "assets/Oracle-CHnjyAkH.js", "src": "src/pages/Oracle.tsx",
                           "isDynamicEntry": true, "imports": ["_vendor-D-9X1o8U.js"],
                           "css": ["assets/Oracle-BfJKa0Uu.css"]},
  "src/logo.svg": {"file": "assets/logo-abcdefgh.svg", "src": "src/logo.svg"}
})";

Manifest Parse(const std::string& json) { return ParseManifest(json, "manifest.json"); }

// The lines of the block that starts with `head` ("location = \"/index.html\" {").
std::vector<std::string> Block(const std::string& config, const std::string& head) {
  size_t start = config.find(head + " {\n");
  REQUIRE(start != std::string::npos);
  std::vector<std::string> lines;
  size_t pos = config.find('\n', start) + 1;
  int depth = 1;
  while (depth > 0 && pos < config.size()) {
    size_t end = config.find('\n', pos);
    std::string line = config.substr(pos, end - pos);
    pos = end + 1;
    size_t first = line.find_first_not_of(' ');
    line = first == std::string::npos ? "" : line.substr(first);
    if (line == "}") {
      --depth;
      continue;
    }
    if (!line.empty() && line.back() == '{') ++depth;
    lines.push_back(line);
  }
  return lines;
}

bool Has(const std::vector<std::string>& lines, const std::string& line) {
  for (const std::string& l : lines) {
    if (l == line) return true;
  }
  return false;
}

TEST_CASE("nginx: entry location carries serve's Link values in order", "[nginx]") {
  Manifest manifest = Parse(kManifest);
  std::string config = GenerateNginxConfig(manifest, {});
  std::vector<std::string> block = Block(config, "location = \"/index.html\"");
  std::vector<std::string> expected = {
      "include \"/etc/nginx/snippets/npsbundle/security-headers.conf\";",
      "add_header Cache-Control \"no-cache\";"};
  for (const std::string& link : EntryPreloadLinks(manifest, "index.html", "/").links) {
    expected.push_back("add_header Link \"" + link + "\";");
  }
  expected.push_back("try_files \"/index.html\" =404;");
  CHECK(block == expected);
  CHECK(Has(block,
            "add_header Link \"</assets/vendor-D-9X1o8U.js>; rel=modulepreload; crossorigin\";"));
  CHECK(Has(block, "add_header Link \"</assets/index-CNgsl1pN.css>; rel=preload; as=style\";"));
  CHECK(Has(block, "add_header Link \"</assets/vendor-Ab12Cd34.css>; rel=preload; as=style\";"));
  // The entry script first: it is what Early Hints help most.
  CHECK(block[2] ==
        "add_header Link \"</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin\";");
}

TEST_CASE("nginx: server directives, snippets and 404 handler", "[nginx]") {
  NginxOptions options;
  options.root = "/var/www/my app";
  options.server_name = "example.com www.example.com";
  options.listen = "127.0.0.1:8080";
  options.snippets_dir = "/opt/snippets";
  std::vector<std::string> server = Block(GenerateNginxConfig(Parse(kManifest), options), "server");
  CHECK(server[0] == "listen 127.0.0.1:8080;");
  CHECK(server[1] == "server_name example.com www.example.com;");
  CHECK(server[2] == "root \"/var/www/my app\";");
  CHECK(Has(server, "include mime.types;"));
  for (std::string_view snippet :
       {kSnippetMimeTypes, kSnippetCompression, kSnippetSecurityHeaders, kSnippetHiddenFiles}) {
    CHECK(Has(server, "include \"/opt/snippets/" + std::string(snippet) + "\";"));
  }
  CHECK(Has(server, "error_page 404 @npsbundle_not_found;"));
}

TEST_CASE("nginx: every location that adds a header repeats the security headers", "[nginx]") {
  NginxOptions options;
  options.routes = {{"/oracle", "src/pages/Oracle.tsx"}};
  std::string config = GenerateNginxConfig(Parse(kManifest), options);
  size_t pos = 0;
  int locations = 0;
  while ((pos = config.find("location ", pos)) != std::string::npos) {
    size_t head_end = config.find('\n', pos);
    std::string head = config.substr(pos, head_end - pos - 2);
    std::vector<std::string> block = Block(config, head);
    bool adds = false;
    for (const std::string& line : block) adds |= line.rfind("add_header ", 0) == 0;
    if (adds) {
      INFO(head);
      CHECK(Has(block, "include \"/etc/nginx/snippets/npsbundle/security-headers.conf\";"));
      ++locations;
    }
    pos = head_end;
  }
  // index.html and "/", "/oracle" and "/oracle/", .br/.gz, one per
  // immutable file, the rest of assets/, navigations, everything else.
  Manifest manifest = Parse(kManifest);
  CHECK(locations == 8 + static_cast<int>(CacheClassifier(&manifest).ImmutableFiles().size()));
}

TEST_CASE("nginx: one exact immutable location per file the classifier names", "[nginx]") {
  Manifest manifest = Parse(kManifest);
  std::string config = GenerateNginxConfig(manifest, {});
  CacheClassifier caching(&manifest);
  CHECK(caching.ImmutableFiles() ==
        std::vector<std::string>{"assets/Oracle-BfJKa0Uu.css", "assets/Oracle-CHnjyAkH.js",
                                 "assets/index-Bl1MOBpP.js", "assets/index-CNgsl1pN.css",
                                 "assets/vendor-Ab12Cd34.css", "assets/vendor-D-9X1o8U.js"});
  for (const std::string& file : caching.ImmutableFiles()) {
    std::vector<std::string> block = Block(config, "location = \"/" + file + "\"");
    CHECK(Has(block, "add_header Cache-Control \"public, max-age=31536000, immutable\";"));
    CHECK(Has(block, "try_files $uri =404;"));
  }
  // Named by the manifest, but its name carries no recognisable hash: the
  // next build may reuse it, so it is revalidated like serve does.
  CHECK(config.find("logo-abcdefgh.svg") == std::string::npos);
  std::vector<std::string> rest = Block(config, "location ~ \"^/(?:assets/)\"");
  CHECK(Has(rest, "add_header Cache-Control \"no-cache\";"));
  // No regex location caches for long: only exact ones do.
  size_t pos = 0;
  while ((pos = config.find("location ~", pos)) != std::string::npos) {
    std::string head = config.substr(pos, config.find('\n', pos) - pos - 2);
    INFO(head);
    for (const std::string& line : Block(config, head)) CHECK(line.find("immutable") == std::string::npos);
    ++pos;
  }
}

TEST_CASE("nginx: navigations fall back to index.html, other misses are 404", "[nginx]") {
  std::string config = GenerateNginxConfig(Parse(kManifest), {});
  std::vector<std::string> navigation = Block(config, "location ~ \"/[^./]*$\"");
  CHECK(Has(navigation, "try_files $uri $uri/index.html $uri.html \"/index.html\";"));
  CHECK(Has(navigation, "add_header Cache-Control \"no-cache\";"));
  std::vector<std::string> fallback = Block(config, "location /");
  CHECK(Has(fallback, "try_files $uri @npsbundle_page;"));
  // The navigation regex must come after the hashed one and before "/".
  CHECK(config.find("immutable") < config.find("location ~ \"/[^./]*$\""));
}

TEST_CASE("nginx: route locations carry the route's one list of hints", "[nginx]") {
  Manifest manifest = Parse(kManifest);
  NginxOptions options;
  options.routes = {{"/oracle", "src/pages/Oracle.tsx"}};
  std::vector<std::string> block =
      Block(GenerateNginxConfig(manifest, options), "location = \"/oracle\"");
  std::vector<std::string> links =
      RoutePreloadLinks(manifest, "index.html", "src/pages/Oracle.tsx", "/").links;
  // Critical path first: the entry script, the initial CSS, the entry's
  // static imports, then the page's chunk and CSS.
  CHECK(links == std::vector<std::string>{
                     "</assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin",
                     "</assets/index-CNgsl1pN.css>; rel=preload; as=style",
                     "</assets/vendor-Ab12Cd34.css>; rel=preload; as=style",
                     "</assets/vendor-D-9X1o8U.js>; rel=modulepreload; crossorigin",
                     "</assets/Oracle-CHnjyAkH.js>; rel=modulepreload; crossorigin",
                     "</assets/Oracle-BfJKa0Uu.css>; rel=preload; as=style",
                 });
  CHECK(Block(GenerateNginxConfig(manifest, options), "location = \"/oracle\"").size() ==
        links.size() + 3);
  for (const std::string& link : links) CHECK(Has(block, "add_header Link \"" + link + "\";"));
  // Served in place: a final try_files argument would redirect to the
  // entry's location and drop these headers.
  CHECK(block.back() == "try_files \"/index.html\" =404;");
}

TEST_CASE("nginx: a route on an entry's own URL adds the page's hints there", "[nginx]") {
  Manifest manifest = Parse(kManifest);
  NginxOptions options;
  options.routes = {{"/", "src/pages/Oracle.tsx"}};
  std::string config = GenerateNginxConfig(manifest, options);
  std::vector<std::string> root = Block(config, "location = \"/\"");
  CHECK(Has(root,
            "add_header Link \"</assets/Oracle-CHnjyAkH.js>; rel=modulepreload; crossorigin\";"));
  // "/index.html" is not the route: entry hints only, as in serve.
  std::vector<std::string> index = Block(config, "location = \"/index.html\"");
  CHECK(!Has(index,
             "add_header Link \"</assets/Oracle-CHnjyAkH.js>; rel=modulepreload; crossorigin\";"));
  // One location per URL: nginx refuses duplicates.
  CHECK(config.find("location = \"/\" {") == config.rfind("location = \"/\" {"));
}

TEST_CASE("nginx: base prefix in Links, fallbacks and the stripping rewrite", "[nginx]") {
  NginxOptions options;
  options.base = "/app/";
  options.routes = {{"/oracle", "src/pages/Oracle.tsx"}};
  std::string config = GenerateNginxConfig(Parse(kManifest), options);
  std::vector<std::string> server = Block(config, "server");
  CHECK(Has(server, "rewrite \"^/app$\" \"/app/\" redirect;"));
  CHECK(Has(server, "if ($uri !~ \"^/app/\") {"));
  CHECK(Has(server, "rewrite \"^/app(/.*)$\" $1 break;"));
  std::vector<std::string> entry = Block(config, "location = \"/index.html\"");
  CHECK(
      Has(entry,
          "add_header Link \"</app/assets/vendor-D-9X1o8U.js>; rel=modulepreload; crossorigin\";"));
  CHECK(Has(Block(config, "location ~ \"/[^./]*$\""),
            "try_files $uri $uri/index.html $uri.html \"/app/index.html\";"));
  CHECK(
      Has(Block(config, "location = \"/oracle\""),
          "add_header Link \"</app/assets/Oracle-CHnjyAkH.js>; rel=modulepreload; crossorigin\";"));
  // Regex metacharacters in the base are escaped.
  options.base = "/a.b/";
  CHECK(GenerateNginxConfig(Parse(kManifest), options).find("\"^/a\\\\.b(/.*)$\"") !=
        std::string::npos);
}

TEST_CASE("nginx: quotes and backslashes in paths are escaped", "[nginx]") {
  Manifest manifest = Parse(R"({
    "index.html": {"file": "assets/index-Bl1MOBpP.js", "isEntry": true, "imports": ["_q"]},
    "_q": {"file": "assets/we\"ird\\-D-9X1o8U.js"}
  })");
  std::string config = GenerateNginxConfig(manifest, {});
  CHECK(
      config.find(
          R"(add_header Link "</assets/we\"ird\\-D-9X1o8U.js>; rel=modulepreload; crossorigin";)") !=
      std::string::npos);
}

TEST_CASE("nginx: NginxQuote and RegexEscape", "[nginx]") {
  CHECK(NginxQuote("plain") == "\"plain\"");
  CHECK(NginxQuote("a\"b") == "\"a\\\"b\"");
  CHECK(NginxQuote("a\\b") == "\"a\\\\b\"");
  CHECK(NginxQuote("a;b {c}") == "\"a;b {c}\"");
  CHECK(NginxQuote("x$", true) == "\"x$\"");
  CHECK_THROWS_WITH(NginxQuote("</a$b.js>"),
                    "cannot write \"</a$b.js>\" into an nginx config: nginx would expand '$' as a "
                    "variable");
  CHECK_THROWS_AS(NginxQuote("a\nb"), InputError);
  CHECK(RegexEscape("a.b/c(d)+[e]{f}^$|?*\\") ==
        "a\\.b/c\\(d\\)\\+\\[e\\]\\{f\\}\\^\\$\\|\\?\\*\\\\");
}

TEST_CASE("nginx: errors name the bad input", "[nginx]") {
  Manifest manifest = Parse(kManifest);
  NginxOptions options;
  options.routes = {{"/oracle", "src/pages/Missing.tsx"}};
  CHECK_THROWS_WITH(GenerateNginxConfig(manifest, options),
                    "routes: \"/oracle\": \"src/pages/Missing.tsx\" is not a key of the manifest");
  options.routes = {{"oracle", "src/pages/Oracle.tsx"}};
  CHECK_THROWS_WITH(GenerateNginxConfig(manifest, options),
                    "routes: \"oracle\": a route is a URL path starting with '/'");
  options = {};
  options.base = "app/";
  CHECK_THROWS_WITH(GenerateNginxConfig(manifest, options),
                    "--base: \"app/\": must start and end with '/' (\"/\", \"/app/\")");
  options = {};
  options.root = "dist";
  CHECK_THROWS_WITH(GenerateNginxConfig(manifest, options),
                    "--root: \"dist\": must be an absolute path");
  options = {};
  options.server_name = "x; include /etc/passwd";
  CHECK_THROWS_WITH(GenerateNginxConfig(manifest, options),
                    "--server-name: \"x; include /etc/passwd\": not a valid nginx value");
  Manifest dollar = Parse(R"({
    "index.html": {"file": "assets/index-Bl1MOBpP.js", "isEntry": true, "imports": ["_d"]},
    "_d": {"file": "assets/$x-D-9X1o8U.js"}
  })");
  CHECK_THROWS_AS(GenerateNginxConfig(dollar, {}), InputError);
}

TEST_CASE("nginx: early_hints only for an nginx that has it (1.29)", "[nginx]") {
  Manifest manifest = Parse(kManifest);
  auto server_lines = [&](const std::string& version) {
    NginxOptions options;
    options.nginx_version = version;
    return Block(GenerateNginxConfig(manifest, options), "server");
  };
  // The default is Debian bookworm's 1.22: a comment that says why.
  std::vector<std::string> old_nginx = server_lines("1.22");
  CHECK(Has(old_nginx, "# early_hints $http2 $http3;"));
  CHECK_FALSE(Has(old_nginx, "early_hints $http2 $http3;"));
  CHECK(Has(old_nginx, "# Written for nginx 1.22; `early_hints` needs 1.29 (--nginx-version 1.29):"));
  std::vector<std::string> last_without = server_lines("1.28.9");
  CHECK(Has(last_without, "# early_hints $http2 $http3;"));
  CHECK_FALSE(Has(last_without, "early_hints $http2 $http3;"));
  for (const char* version : {"1.29", "1.29.0", "1.30.1", "2.0"}) {
    INFO(version);
    std::vector<std::string> lines = server_lines(version);
    CHECK(Has(lines, "early_hints $http2 $http3;"));
    CHECK_FALSE(Has(lines, "# early_hints $http2 $http3;"));
  }
}

TEST_CASE("nginx: --nginx-version is MAJOR.MINOR[.PATCH]", "[nginx]") {
  CHECK(ParseNginxVersion("1.29").minor == 29);
  CHECK(ParseNginxVersion("1.22.1").minor == 22);
  CHECK(ParseNginxVersion("2.0").major == 2);
  for (const char* bad : {"", "1", "1.", ".29", "1.29.", "1.2.3.4", "v1.29", "1.29-rc", "1..29",
                          "12345.1"}) {
    INFO(bad);
    CHECK_THROWS_WITH(ParseNginxVersion(bad), "--nginx-version: \"" + std::string(bad) +
                                                  "\": expected MAJOR.MINOR, e.g. 1.29");
  }
  NginxOptions options;
  options.nginx_version = "latest";
  CHECK_THROWS_AS(GenerateNginxConfig(Parse(kManifest), options), InputError);
}

TEST_CASE("nginx: nested entries get their own navigation fallback first", "[nginx]") {
  Manifest manifest = Parse(R"({
    "index.html": {"file": "assets/index-Bl1MOBpP.js", "isEntry": true},
    "admin/index.html": {"file": "assets/admin-DzQS8Eqo.js", "isEntry": true},
    "admin.html": {"file": "assets/adm-DzQS8Eqo.js", "isEntry": true}
  })");
  NginxOptions options;
  options.routes = {{"/admin/users", "admin/index.html"}};
  std::string config = GenerateNginxConfig(manifest, options);
  std::string nested = "location ~ \"^/admin/(?:[^/]*/)*[^./]*$\"";
  CHECK(Has(Block(config, nested),
            "try_files $uri $uri/index.html $uri.html \"/admin/index.html\";"));
  CHECK(config.find(nested) < config.find("location ~ \"/[^./]*$\""));
  CHECK(Has(Block(config, "location = \"/admin.html\""), "add_header Cache-Control \"no-cache\";"));
  CHECK(Block(config, "location = \"/admin/users\"").back() ==
        "try_files \"/admin/index.html\" =404;");
  // Like serve's Resolve: "/admin" and "/admin/" are the folder's page,
  // "/" the root one; admin.html keeps only its own URL.
  CHECK(Block(config, "location = \"/admin\"").back() == "try_files \"/admin/index.html\" =404;");
  CHECK(Block(config, "location = \"/admin/\"").back() == "try_files \"/admin/index.html\" =404;");
  CHECK(Block(config, "location = \"/\"").back() == "try_files \"/index.html\" =404;");
  // The route "/admin/users" and its trailing-slash twin fall back to the
  // folder's entry.
  CHECK(Block(config, "location = \"/admin/users/\"").back() ==
        "try_files \"/admin/index.html\" =404;");
  CHECK(Block(config, "location = \"/admin.html\"").back() == "try_files \"/admin.html\" =404;");
}

TEST_CASE("nginx: asset extensions are the ones serve never treats as pages", "[nginx]") {
  for (std::string_view extension : AssetExtensions()) {
    INFO(extension);
    CHECK(IsAssetExtension("users/x." + std::string(extension)));
  }
  CHECK_FALSE(IsAssetExtension("x.html"));
  CHECK_FALSE(IsAssetExtension("users/ada.lovelace"));
  std::vector<std::string> page =
      Block(GenerateNginxConfig(Parse(kManifest), {}), "location @npsbundle_page");
  CHECK(page.back() == "rewrite ^ /index.html last;");
  CHECK(Has(Block(GenerateNginxConfig(Parse(kManifest), {}), "location /"),
            "try_files $uri @npsbundle_page;"));
}

TEST_CASE("nginx: snippets exist and share the hash pattern", "[nginx]") {
  std::string dir = std::string(NPSBUNDLE_SOURCE_DIR) + "/nginx-snippets/";
  for (std::string_view snippet :
       {kSnippetMimeTypes, kSnippetCompression, kSnippetSecurityHeaders, kSnippetHiddenFiles}) {
    CHECK(std::filesystem::exists(dir + std::string(snippet)));
  }
  std::string hashed = ReadFile(dir + "hashed-assets.conf");
  CHECK(hashed.find("location ~ \"^/assets/(?:[^/]*/)*[^/]*" + std::string(kHashedAssetRegex) +
                    "\" {") != std::string::npos);
  CHECK(hashed.find(std::string(kCacheImmutable)) != std::string::npos);
}

TEST_CASE("nginx: command errors exit 2 with one line", "[nginx]") {
  testing::CommandResult result = testing::RunNpsbundle({"nginx", "/nonexistent/dist"});
  CHECK(result.exit_code == 2);
  CHECK(result.out.empty());
  CHECK(result.err.rfind("npsbundle: error: ", 0) == 0);
  result = testing::RunNpsbundle({"nginx", testing::Fixture("good"), "--base", "app"});
  CHECK(result.exit_code == 2);
  CHECK(result.err ==
        "npsbundle: error: --base: \"app\": must start and end with '/' (\"/\", \"/app/\")\n");
}

}  // namespace
}  // namespace npsbundle
