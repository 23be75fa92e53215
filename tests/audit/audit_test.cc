// The audit's checks as a table: a simulated server that does everything
// the policy asks, then one fault per row and the exact set of checks that
// must fail for it.
#include "audit/audit.h"

#include <catch2/catch.hpp>
#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/compression.h"
#include "core/error.h"
#include "policy/cache_control.h"
#include "policy/serving.h"

namespace npsbundle {
namespace {

std::string Text(const std::string& seed) {
  std::string out;
  for (int i = 0; i < 200; ++i) out += "export const " + seed + std::to_string(i) + " = " + std::to_string(i * 7) + ";\n";
  return out;
}

std::map<std::string, std::string> BuildFiles(bool with_sw) {
  std::map<std::string, std::string> files = {
      {".vite/manifest.json", R"({
  "index.html": {"file": "assets/index-Bl1MOBpP.js", "src": "index.html", "isEntry": true,
                 "imports": ["_vendor-D9X1o8Ua.js"], "dynamicImports": ["src/Lazy.tsx"],
                 "css": ["assets/index-CNgsl1pN.css"]},
  "_vendor-D9X1o8Ua.js": {"file": "assets/vendor-D9X1o8Ua.js", "name": "vendor"},
  "src/Lazy.tsx": {"file": "assets/Lazy-B2c3D4e5.js", "src": "src/Lazy.tsx", "isDynamicEntry": true,
                   "imports": ["_vendor-D9X1o8Ua.js"]}
})"},
      {"index.html",
       "<!doctype html><html><head><script type=\"module\" src=\"/assets/index-Bl1MOBpP.js\"></script>"
       "<link rel=\"stylesheet\" href=\"/assets/index-CNgsl1pN.css\"></head><body></body></html>"},
      {"assets/index-Bl1MOBpP.js", Text("entry")},
      {"assets/vendor-D9X1o8Ua.js", Text("vendor")},
      {"assets/Lazy-B2c3D4e5.js", Text("lazy")},
      {"assets/index-CNgsl1pN.css", std::string(2000, ' ') + "body{color:red}"},
      {"robots.txt", "User-agent: *\n"},
  };
  if (with_sw) files["sw.js"] = Text("worker");
  return files;
}

AuditPlan Plan(bool with_sw = true, const std::string& base = "/", size_t max_requests = 1000) {
  std::unique_ptr<BundleSource> build = MakeMemorySource("dist", BuildFiles(with_sw));
  return PlanAudit(*build, base, max_requests);
}

// What a server that follows the policy answers.
AuditExchange Ideal(const AuditPlan& plan, const AuditRequest& request, size_t index) {
  AuditExchange exchange;
  exchange.sent = true;
  ClientResponse& r = exchange.response;
  auto header = [&](const std::string& name) {
    for (const auto& [key, value] : request.headers) if (key == name) return value;
    return std::string();
  };
  switch (request.probe) {
    case Probe::kRevalidate:
      r.status = 304;
      return exchange;
    case Probe::kMissingAsset:
      r.status = 404;
      r.headers = {{"content-type", std::string(kErrorContentType)}};
      exchange.decoded = r.body = ErrorBody(404);
      return exchange;
    case Probe::kHtml:
    case Probe::kDeepLink:
      r.status = 200;
      r.headers = {{"content-type", std::string(ContentTypeFor("index.html"))},
                   {"cache-control", std::string(kCacheRevalidate)},
                   {"etag", "\"h\""}};
      for (const std::string& link : plan.preload_links) r.headers.emplace_back("link", link);
      exchange.decoded = r.body = plan.expected.at("index.html");
      return exchange;
    default:
      break;
  }
  const std::string& bytes = plan.expected.at(request.build_path);
  r.status = 200;
  r.headers = {{"content-type", std::string(ContentTypeFor(request.build_path))},
               {"cache-control", std::string(CacheControlFor(plan.immutable.count(request.build_path) > 0))},
               {"etag", "\"e" + std::to_string(index) + "\""},
               {"vary", "Accept-Encoding"}};
  std::string accept = header("Accept-Encoding");
  if (plan.compressible.count(request.build_path)) {
    bool br = accept.find("br") != std::string::npos;
    r.headers.emplace_back("content-encoding", br ? "br" : "gzip");
    r.body = br ? BrotliCompress(bytes, 5, 22) : GzipCompress(bytes, 6);
  } else {
    r.body = bytes;
  }
  exchange.decoded = bytes;
  return exchange;
}

using Fault = std::function<void(const AuditRequest&, AuditExchange*)>;

void SetHeader(AuditExchange* exchange, const std::string& name, const std::string& value) {
  auto& headers = exchange->response.headers;
  std::erase_if(headers, [&](const auto& field) { return field.first == name; });
  if (!value.empty()) headers.emplace_back(name, value);
}

std::vector<std::string> FailedChecks(const AuditPlan& plan, const Fault& fault) {
  std::vector<AuditExchange> exchanges;
  for (size_t i = 0; i < plan.requests.size(); ++i) {
    exchanges.push_back(Ideal(plan, plan.requests[i], i));
    if (fault) fault(plan.requests[i], &exchanges.back());
  }
  AuditReport report;
  report.checks = EvaluateAudit(plan, exchanges);
  return report.FailedChecks();
}

struct FaultCase {
  const char* name;
  Fault fault;
  std::vector<std::string> failing;
};

TEST_CASE("audit checks: each fault fails exactly its checks", "[audit]") {
  AuditPlan plan = Plan();
  const std::vector<FaultCase> cases = {
      {"none", nullptr, {}},
      {"index.html cached a year",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.probe == Probe::kHtml || r.probe == Probe::kDeepLink) SetHeader(e, "cache-control", std::string(kCacheImmutable));
       },
       {"html-revalidated"}},
      {"HTML without Cache-Control (heuristic caching)",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.probe == Probe::kHtml) SetHeader(e, "cache-control", "");
       },
       {"html-revalidated"}},
      {"SPA rewrite catches assets",
       [&plan](const AuditRequest& r, AuditExchange* e) {
         if (r.probe != Probe::kMissingAsset) return;
         e->response.status = 200;
         e->response.headers = {{"content-type", std::string(ContentTypeFor("index.html"))}};
         e->decoded = plan.expected.at("index.html");
       },
       {"asset-404"}},
      {"no brotli",
       [&plan](const AuditRequest& r, AuditExchange* e) {
         if (r.probe != Probe::kFile || !plan.compressible.count(r.build_path)) return;
         SetHeader(e, "content-encoding", "gzip");
       },
       {"brotli"}},
      {"no compression at all",
       [](const AuditRequest&, AuditExchange* e) { SetHeader(e, "content-encoding", ""); },
       {"brotli", "gzip"}},
      {"no Vary on encoded responses", [](const AuditRequest&, AuditExchange* e) { SetHeader(e, "vary", ""); },
       {"vary"}},
      {"Vary: *", [](const AuditRequest&, AuditExchange* e) { SetHeader(e, "vary", "*"); }, {}},
      {"hashed assets with a day's max-age",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.probe == Probe::kFile && r.build_path.starts_with("assets/")) SetHeader(e, "cache-control", "public, max-age=86400");
       },
       {"hashed-immutable"}},
      {"service worker cached for good",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.build_path == "sw.js") SetHeader(e, "cache-control", std::string(kCacheImmutable));
       },
       {"sw-revalidated"}},
      {"a lazy chunk from another build",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.build_path == "assets/Lazy-B2c3D4e5.js") e->decoded += "// changed";
       },
       {"chunks-identical"}},
      {"a lazy chunk missing (404, so its cache is not judged)",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.build_path != "assets/Lazy-B2c3D4e5.js") return;
         e->response.status = 404;
         e->response.headers = {};
       },
       {"chunks-identical"}},
      {"a timeout on one file",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.build_path == "assets/vendor-D9X1o8Ua.js") e->error = "no complete response within 10000 ms";
       },
       {"chunks-identical"}},
      {"deep link 404",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.probe == Probe::kDeepLink) e->response.status = 404;
       },
       {"deep-link"}},
      {"deep link answered with other HTML",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.probe == Probe::kDeepLink) e->decoded = "<html>welcome to nginx</html>";
       },
       {"deep-link"}},
      {"no Link headers", [](const AuditRequest&, AuditExchange* e) { SetHeader(e, "link", ""); },
       {"preload-hints"}},
      {"hints only in a 103",
       [&plan](const AuditRequest& r, AuditExchange* e) {
         if (r.probe != Probe::kHtml) return;
         SetHeader(e, "link", "");
         ClientResponse early;
         early.status = 103;
         std::string joined;
         for (const std::string& link : plan.preload_links) joined += (joined.empty() ? "" : ", ") + link;
         early.headers = {{"link", joined}};
         e->response.informational.push_back(early);
       },
       {}},
      {"an extra preload hint",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.probe == Probe::kHtml) e->response.headers.emplace_back("link", "</assets/x.js>; rel=modulepreload");
       },
       {"preload-hints"}},
      {"no 304",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.probe == Probe::kRevalidate) e->response.status = 200;
       },
       {"etag-304"}},
      {"no validator (the request was not sent)",
       [](const AuditRequest& r, AuditExchange* e) {
         if (r.probe == Probe::kRevalidate) *e = AuditExchange();
       },
       {"etag-304"}},
  };
  for (const FaultCase& c : cases) {
    INFO(c.name);
    CHECK(FailedChecks(plan, c.fault) == c.failing);
  }
}

TEST_CASE("audit plan: the entry first, every manifest file, the policy's verdicts", "[audit]") {
  AuditPlan plan = Plan(true, "/app/");
  REQUIRE(!plan.requests.empty());
  CHECK(plan.requests[0].probe == Probe::kFile);
  CHECK(plan.requests[0].target == "/app/assets/index-Bl1MOBpP.js");
  CHECK(plan.entry_file == "assets/index-Bl1MOBpP.js");
  std::vector<std::string> targets;
  for (const AuditRequest& r : plan.requests) {
    if (r.probe == Probe::kFile) targets.push_back(r.target);
    if (r.probe == Probe::kMissingAsset) CHECK(r.target == "/app/assets/npsbundle-audit-Zz9Xy8Wq.js");
    if (r.probe == Probe::kHtml) CHECK(r.target == "/app/");
  }
  CHECK(targets == std::vector<std::string>{"/app/assets/index-Bl1MOBpP.js", "/app/assets/Lazy-B2c3D4e5.js",
                                            "/app/assets/index-CNgsl1pN.css", "/app/assets/vendor-D9X1o8Ua.js",
                                            "/app/sw.js"});
  CHECK(plan.immutable == std::set<std::string, std::less<>>{"assets/Lazy-B2c3D4e5.js", "assets/index-Bl1MOBpP.js",
                                                             "assets/index-CNgsl1pN.css", "assets/vendor-D9X1o8Ua.js"});
  CHECK(plan.service_worker.count("sw.js") == 1);
  CHECK(plan.compressible.count("assets/index-CNgsl1pN.css") == 1);
  CHECK(plan.preload_links.front() == "</app/assets/index-Bl1MOBpP.js>; rel=modulepreload; crossorigin");
}

TEST_CASE("audit plan: a route map's page for / gives the base URL's hints", "[audit]") {
  std::unique_ptr<BundleSource> build = MakeMemorySource("dist", BuildFiles(false));
  AuditPlan entry = PlanAudit(*build, "/", 1000);
  AuditPlan routed = PlanAudit(*build, "/", 1000, "src/Lazy.tsx");
  const std::string lazy = "</assets/Lazy-B2c3D4e5.js>; rel=modulepreload; crossorigin";
  CHECK(std::find(entry.preload_links.begin(), entry.preload_links.end(), lazy) == entry.preload_links.end());
  CHECK(std::find(routed.preload_links.begin(), routed.preload_links.end(), lazy) != routed.preload_links.end());
  CHECK_THROWS_WITH(PlanAudit(*build, "/", 1000, "src/Gone.tsx"),
                    "routes: \"/\": \"src/Gone.tsx\" is not a key of the manifest");
}

TEST_CASE("audit plan: the request budget and a build without a service worker", "[audit]") {
  AuditPlan full = Plan(false);
  AuditPlan capped = Plan(false, "/", full.requests.size() - 2);
  CHECK(capped.files_left_out == 2);
  CHECK_THROWS_WITH(Plan(false, "/", 3), "--max-requests 3: the audit needs at least 8");
  std::vector<AuditExchange> exchanges;
  for (size_t i = 0; i < full.requests.size(); ++i) exchanges.push_back(Ideal(full, full.requests[i], i));
  std::vector<AuditCheck> checks = EvaluateAudit(full, exchanges);
  REQUIRE(checks.size() == std::size(kAuditChecks));
  for (size_t i = 0; i < checks.size(); ++i) CHECK(checks[i].name == kAuditChecks[i]);
  CHECK(checks[3].status == AuditStatus::kSkip);
  CHECK(checks[3].summary == "the build has no service worker");
}

TEST_CASE("audit plan: a build with nothing to audit against", "[audit]") {
  std::unique_ptr<BundleSource> build = MakeMemorySource("dist", {{"robots.txt", "x"}});
  CHECK_THROWS_WITH(PlanAudit(*build, "/", 100), Catch::Contains("dist: no Vite manifest and no index.html"));
}

TEST_CASE("audit: Link fields split into links", "[audit]") {
  CHECK(SplitLinks({"</a.js>;rel=modulepreload;  crossorigin, </b,c.css> ; rel=preload; as=style",
                    "</d.js>; rel=\"modulepreload, x\""}) ==
        std::vector<std::string>{"</a.js>; rel=modulepreload; crossorigin", "</b,c.css>; rel=preload; as=style",
                                 "</d.js>; rel=\"modulepreload, x\""});
}

TEST_CASE("cache-control: long-immutable and revalidated, by the policy", "[audit][policy]") {
  struct Row {
    const char* value;
    bool immutable;
    bool revalidated;
  };
  for (const Row& row : std::vector<Row>{
           {kCacheImmutable.data(), true, false},
           {kCacheRevalidate.data(), false, true},
           {"max-age=31536000,immutable", true, false},
           {"public, max-age=86400, immutable", false, false},
           {"public, max-age=31536000", false, false},
           {"No-Store", false, true},
           {"max-age=0, must-revalidate", false, true},
           {"max-age=0, immutable", false, false},
           {"max-age=\"31536000\", immutable", true, false},
           {"max-age=abc, immutable", false, false},
           {"", false, false},
       }) {
    INFO(row.value);
    CHECK(IsLongImmutable(row.value) == row.immutable);
    CHECK(IsRevalidated(row.value) == row.revalidated);
  }
  CHECK(ImmutableMaxAgeSeconds() == 31536000);
}

}  // namespace
}  // namespace npsbundle
