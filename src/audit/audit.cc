#include "audit/audit.h"

#include <algorithm>

#include "build/html_entry.h"
#include "build/manifest.h"
#include "core/ascii.h"
#include "core/compression.h"
#include "core/error.h"
#include "policy/cache_control.h"
#include "policy/preload.h"
#include "policy/serving.h"

namespace npsbundle {
namespace {

// A name shaped like Vite's "[name]-[hash].js" that no build holds.
constexpr std::string_view kMadeUpAsset = "npsbundle-audit-Zz9Xy8Wq.js";
// A client-side route: no dot in the last segment, so a navigation.
constexpr std::string_view kDeepLink = "npsbundle-audit/deep/link";

// What a browser sends; the encodings are the two every server knows and
// core/compression decodes.
constexpr std::string_view kBrowserEncodings = "br, gzip";
constexpr std::string_view kNavigationAccept = "text/html,application/xhtml+xml,*/*;q=0.8";

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers FileHeaders(std::string_view accept_encoding) {
  return {{"Accept", "*/*"}, {"Accept-Encoding", std::string(accept_encoding)}};
}
Headers NavigationHeaders() {
  return {{"Accept", std::string(kNavigationAccept)}, {"Accept-Encoding", std::string(kBrowserEncodings)}};
}

// The files a check is about, one problem line each; the request target
// names them, as a browser's network tab would.
struct CheckBuilder {
  AuditCheck check;
  size_t checked = 0;                  // responses judged
  std::set<const AuditRequest*> failed;  // responses with a problem
  explicit CheckBuilder(std::string name) { check.name = std::move(name); }
  void Problem(const AuditRequest& request, const std::string& text) {
    check.problems.push_back(request.target + ": " + text);
    failed.insert(&request);
  }
  // "12 compressible files sent as brotli" when all pass; "3 of 12
  // compressible files fail" (the problems say how) when not.
  AuditCheck Finish(const std::string& noun, const std::string& rule) {
    if (!check.problems.empty()) {
      check.status = AuditStatus::kFail;
      check.summary = std::to_string(failed.size()) + " of " + std::to_string(checked) + " " + noun + " fail";
    } else if (checked == 0) {
      check.status = AuditStatus::kSkip;
    } else {
      check.status = AuditStatus::kPass;
      check.summary = std::to_string(checked) + " " + noun + " " + rule;
    }
    return std::move(check);
  }
};

std::string StatusText(const AuditExchange& exchange) {
  if (!exchange.error.empty()) return exchange.error;
  std::string text = std::to_string(exchange.response.status);
  if (auto type = exchange.response.Header("content-type")) text += " " + *type;
  return text;
}

bool Answered(const AuditExchange& exchange) { return exchange.sent && exchange.error.empty(); }

std::string CacheControlOf(const AuditExchange& exchange) {
  return exchange.response.Header("cache-control").value_or("");
}

std::string DescribeCacheControl(const AuditExchange& exchange) {
  auto value = exchange.response.Header("cache-control");
  return value ? "Cache-Control: " + *value : "no Cache-Control (browsers cache it heuristically)";
}

std::string Encoding(const AuditExchange& exchange) {
  return AsciiLowered(TrimOws(exchange.response.Header("content-encoding").value_or("")));
}

bool IsHtmlResponse(const AuditExchange& exchange) {
  return IsHtmlContentType(exchange.response.Header("content-type").value_or(""));
}

}  // namespace

bool AuditReport::passed() const {
  return std::none_of(checks.begin(), checks.end(),
                      [](const AuditCheck& c) { return c.status == AuditStatus::kFail; });
}

std::vector<std::string> AuditReport::FailedChecks() const {
  std::vector<std::string> names;
  for (const AuditCheck& c : checks) {
    if (c.status == AuditStatus::kFail) names.push_back(c.name);
  }
  return names;
}

std::vector<std::string> SplitLinks(const std::vector<std::string>& link_fields) {
  std::vector<std::string> links;
  for (const std::string& field : link_fields) {
    // Commas separate links except inside <…> or quotes.
    bool in_uri = false, in_quotes = false;
    std::string current;
    auto flush = [&] {
      std::string normalised;
      size_t start = 0;
      while (start <= current.size()) {
        size_t semi = current.find(';', start);
        if (semi == std::string::npos) semi = current.size();
        std::string part(TrimOws(std::string_view(current).substr(start, semi - start)));
        if (!part.empty()) normalised += (normalised.empty() ? "" : "; ") + part;
        start = semi + 1;
      }
      if (!normalised.empty()) links.push_back(normalised);
      current.clear();
    };
    for (char c : field) {
      if (c == '<' && !in_quotes) in_uri = true;
      if (c == '>' && !in_quotes) in_uri = false;
      if (c == '"' && !in_uri) in_quotes = !in_quotes;
      if (c == ',' && !in_uri && !in_quotes) {
        flush();
        continue;
      }
      current += c;
    }
    flush();
  }
  return links;
}

AuditPlan PlanAudit(const BundleSource& build, std::string_view base, size_t max_requests,
                    const std::string& root_page) {
  AuditPlan plan;
  plan.base = std::string(base);
  FoundManifest found = LoadBuildManifest(build);
  if (!found.manifest) {
    throw InputError(build.name() + ": no Vite manifest and no index.html with a module script: "
                     "nothing to audit against");
  }
  const Manifest& manifest = *found.manifest;
  plan.html_path = "index.html";
  std::string entry_key = EntryKeyForHtml(manifest, plan.html_path);
  const ManifestChunk* entry = entry_key.empty() ? nullptr : manifest.Find(entry_key);
  if (!entry || !build.Find(entry->file) || !build.Find(plan.html_path)) {
    throw InputError(build.name() + ": no index.html entry with its script in the build: nothing to audit against");
  }
  plan.entry_file = entry->file;
  CacheClassifier classifier(&manifest);
  if (!root_page.empty() && !manifest.Find(root_page)) {
    throw InputError("routes: \"/\": \"" + root_page + "\" is not a key of the manifest");
  }
  PreloadHints hints = root_page.empty() ? EntryPreloadLinks(manifest, entry_key, plan.base)
                                         : RoutePreloadLinks(manifest, entry_key, root_page, plan.base);
  plan.preload_links = SplitLinks(hints.links);

  auto target = [&](std::string_view path) { return plan.base + std::string(path); };
  auto add = [&](Probe probe, std::string path, std::string url_target, Headers headers, size_t depends_on = 0) {
    plan.requests.push_back({probe, std::move(path), std::move(url_target), std::move(headers), depends_on});
    return plan.requests.size() - 1;
  };
  size_t entry_request = add(Probe::kFile, plan.entry_file, target(plan.entry_file), FileHeaders(kBrowserEncodings));
  size_t html_request = add(Probe::kHtml, plan.html_path, plan.base, NavigationHeaders());
  add(Probe::kDeepLink, HtmlForNavigation(manifest, "/" + std::string(kDeepLink)), target(kDeepLink),
      NavigationHeaders());
  add(Probe::kMissingAsset, "", target(std::string(kAssetsDir) + std::string(kMadeUpAsset)),
      FileHeaders(kBrowserEncodings));
  add(Probe::kRevalidate, plan.entry_file, target(plan.entry_file), FileHeaders(kBrowserEncodings), entry_request);
  add(Probe::kRevalidate, plan.html_path, plan.base, NavigationHeaders(), html_request);
  add(Probe::kGzipFile, plan.entry_file, target(plan.entry_file), FileHeaders("gzip"));
  if (!entry->css.empty()) add(Probe::kGzipFile, entry->css.front(), target(entry->css.front()), FileHeaders("gzip"));

  // Every file the manifest names, then the service worker's files.
  std::set<std::string, std::less<>> files;
  for (const auto& [key, chunk] : manifest.chunks) {
    if (build.Find(chunk.file)) files.insert(chunk.file);
    for (const std::string& path : chunk.css) if (build.Find(path)) files.insert(path);
    for (const std::string& path : chunk.assets) if (build.Find(path)) files.insert(path);
  }
  files.erase(plan.entry_file);
  std::vector<std::string> queue(files.begin(), files.end());
  for (const SourceFile& file : build.files()) {
    if (IsServiceWorkerFile(file.path) && !files.count(file.path)) queue.push_back(file.path);
  }
  if (max_requests < plan.requests.size()) {
    throw InputError("--max-requests " + std::to_string(max_requests) + ": the audit needs at least " +
                     std::to_string(plan.requests.size()));
  }
  for (const std::string& path : queue) {
    if (plan.requests.size() >= max_requests) {
      ++plan.files_left_out;
      continue;
    }
    add(Probe::kFile, path, target(path), FileHeaders(kBrowserEncodings));
  }

  // What each requested file must be, by the policy.
  for (const AuditRequest& request : plan.requests) {
    const std::string& path = request.build_path;
    if (path.empty() || plan.expected.count(path)) continue;
    std::string bytes = build.Read(path);
    if (classifier.IsImmutable(path)) plan.immutable.insert(path);
    if (IsServiceWorkerFile(path)) plan.service_worker.insert(path);
    // A server keeps a compressed variant only when it pays (the policy's
    // margin); brotli at a fast quality decides it here without seconds of
    // quality 11. Tiny files may be sent plain by any server.
    if (IsTextLike(path) && bytes.size() >= 1024 &&
        WorthCompressing(bytes.size(), BrotliCompress(bytes, 5, 22).size())) {
      plan.compressible.insert(path);
    }
    plan.expected.emplace(path, std::move(bytes));
  }
  return plan;
}

std::vector<AuditCheck> EvaluateAudit(const AuditPlan& plan, const std::vector<AuditExchange>& exchanges) {
  CheckBuilder identical("chunks-identical"), immutable("hashed-immutable"), html("html-revalidated"),
      sw("sw-revalidated"), brotli("brotli"), gzip("gzip"), vary("vary"), missing("asset-404"),
      deep("deep-link"), hints("preload-hints"), etag("etag-304");
  for (size_t i = 0; i < plan.requests.size() && i < exchanges.size(); ++i) {
    const AuditRequest& request = plan.requests[i];
    const AuditExchange& exchange = exchanges[i];
    const ClientResponse& response = exchange.response;
    const std::string& path = request.build_path;
    bool answered = Answered(exchange);
    bool file_probe = request.probe == Probe::kFile || request.probe == Probe::kGzipFile;

    if (answered && !Encoding(exchange).empty() && Encoding(exchange) != "identity") {
      ++vary.checked;
      std::string value = AsciiLowered(response.Header("vary").value_or(""));
      if (value.find("accept-encoding") == std::string::npos && TrimOws(value) != "*") {
        vary.Problem(request, "Content-Encoding: " + Encoding(exchange) + " without Vary: Accept-Encoding");
      }
    }
    if (file_probe) {
      ++identical.checked;
      auto expected = plan.expected.find(path);
      if (!answered || response.status != 200) {
        identical.Problem(request, StatusText(exchange));
      } else if (expected != plan.expected.end() && exchange.decoded != expected->second) {
        identical.Problem(request, "body differs from the build (" + std::to_string(exchange.decoded.size()) +
                                       " bytes after decoding, the build has " +
                                       std::to_string(expected->second.size()) + ")");
      }
    }
    if (request.probe == Probe::kFile && answered && response.status == 200) {
      if (plan.immutable.count(path)) {
        ++immutable.checked;
        if (!IsLongImmutable(CacheControlOf(exchange))) immutable.Problem(request, DescribeCacheControl(exchange));
      }
      if (plan.service_worker.count(path)) {
        ++sw.checked;
        if (!IsRevalidated(CacheControlOf(exchange))) sw.Problem(request, DescribeCacheControl(exchange));
      }
      if (plan.compressible.count(path)) {
        ++brotli.checked;
        if (Encoding(exchange) != "br") {
          brotli.Problem(request, "Accept-Encoding: br, gzip answered with " +
                                      (Encoding(exchange).empty() ? std::string("no encoding") : Encoding(exchange)));
        }
      }
    }
    if (request.probe == Probe::kGzipFile && answered && response.status == 200 && plan.compressible.count(path)) {
      ++gzip.checked;
      if (Encoding(exchange) != "gzip") {
        gzip.Problem(request, "Accept-Encoding: gzip answered with " +
                                  (Encoding(exchange).empty() ? std::string("no encoding") : Encoding(exchange)));
      }
    }
    switch (request.probe) {
      case Probe::kHtml:
      case Probe::kDeepLink: {
        CheckBuilder& builder = request.probe == Probe::kHtml ? html : deep;
        ++html.checked;
        if (request.probe == Probe::kDeepLink) ++deep.checked;
        if (!answered || response.status != 200 || !IsHtmlResponse(exchange)) {
          builder.Problem(request, StatusText(exchange) + ", expected 200 with the app's HTML");
          break;
        }
        if (request.probe == Probe::kDeepLink && exchange.decoded.find(plan.entry_file) == std::string::npos) {
          deep.Problem(request, "HTML that does not load " + plan.entry_file);
        }
        if (!IsRevalidated(CacheControlOf(exchange))) html.Problem(request, DescribeCacheControl(exchange));
        if (request.probe == Probe::kHtml && !plan.preload_links.empty()) {
          ++hints.checked;
          std::vector<std::string> fields = response.HeaderValues("link");
          for (const ClientResponse& early : response.informational) {
            for (const std::string& value : early.HeaderValues("link")) fields.push_back(value);
          }
          std::vector<std::string> got = SplitLinks(fields);
          std::set<std::string> got_set(got.begin(), got.end());
          std::set<std::string> want(plan.preload_links.begin(), plan.preload_links.end());
          for (const std::string& link : want) {
            if (!got_set.count(link)) hints.Problem(request, "missing Link " + link);
          }
          for (const std::string& link : got_set) {
            if (!want.count(link) && (link.find("preload") != std::string::npos)) {
              hints.Problem(request, "Link not in the build's list: " + link);
            }
          }
        }
        break;
      }
      case Probe::kMissingAsset:
        ++missing.checked;
        if (!answered || response.status != 404) {
          std::string what = StatusText(exchange);
          if (answered && IsHtmlResponse(exchange)) what += " (the SPA fallback answers a missing asset)";
          missing.Problem(request, what + ", expected 404");
        }
        break;
      case Probe::kRevalidate:
        ++etag.checked;
        if (!exchange.sent) {
          etag.Problem(request, exchange.error.empty() ? "no ETag or Last-Modified to revalidate with" : exchange.error);
        } else if (!answered || response.status != 304) {
          etag.Problem(request, StatusText(exchange) + " to a conditional request, expected 304");
        }
        break;
      default:
        break;
    }
  }
  std::vector<AuditCheck> checks;
  checks.push_back(identical.Finish("files", "byte-identical to the build after decoding"));
  if (plan.files_left_out > 0) {
    checks.back().summary += " (" + std::to_string(plan.files_left_out) + " not requested: --max-requests)";
  }
  checks.push_back(immutable.Finish("hashed files", "cached for a year, immutable"));
  checks.push_back(html.Finish("HTML responses", "revalidated"));
  checks.push_back(sw.Finish("service-worker files", "revalidated"));
  if (checks.back().status == AuditStatus::kSkip) checks.back().summary = "the build has no service worker";
  checks.push_back(brotli.Finish("compressible files", "sent as brotli"));
  checks.push_back(gzip.Finish("compressible files", "sent as gzip to a gzip-only client"));
  checks.push_back(vary.Finish("encoded responses", "with Vary: Accept-Encoding"));
  if (checks.back().status == AuditStatus::kSkip) checks.back().summary = "no encoded response to check";
  checks.push_back(missing.Finish("made-up asset", "answered 404"));
  checks.push_back(deep.Finish("deep link", "answered with the app"));
  checks.push_back(hints.Finish("HTML response", "with the build's preload hints"));
  if (checks.back().status == AuditStatus::kSkip && plan.preload_links.empty()) {
    checks.back().summary = "the build has no preload hints";
  }
  checks.push_back(etag.Finish("conditional requests", "answered 304"));
  for (AuditCheck& check : checks) {
    if (check.status == AuditStatus::kSkip && check.summary.empty()) check.summary = "nothing to check";
  }
  return checks;
}

std::vector<std::string> AuditProtocolNotes(const AuditPlan& plan,
                                            const std::vector<AuditExchange>& exchanges, bool tls,
                                            bool http2_offered) {
  const AuditExchange* html = nullptr;
  for (size_t i = 0; i < plan.requests.size() && i < exchanges.size(); ++i) {
    if (plan.requests[i].probe == Probe::kHtml && exchanges[i].sent && exchanges[i].error.empty()) {
      html = &exchanges[i];
    }
  }
  if (!html) return {"103 Early Hints: not checked (the base URL gave no answer)"};
  const ClientResponse& response = html->response;
  std::vector<std::string> notes;
  if (response.http2) {
    notes.push_back("protocol: HTTP/2 (the server chose h2 by ALPN, as it would for a browser)");
  } else if (!tls) {
    notes.push_back("protocol: HTTP/1.1 (plain http: browsers speak HTTP/2 only over TLS)");
  } else {
    notes.push_back(http2_offered ? "protocol: HTTP/1.1 (h2 offered by ALPN, the server chose http/1.1)"
                                  : "protocol: HTTP/1.1 (--http1.1)");
  }
  size_t links = 0;
  size_t hints = 0;
  for (const ClientResponse& early : response.informational) {
    if (early.status != 103) continue;
    ++hints;
    links += SplitLinks(early.HeaderValues("link")).size();
  }
  std::string over = response.http2 ? "over HTTP/2" : "over HTTP/1.1";
  if (hints > 0) {
    notes.push_back("103 Early Hints: sent " + over + " before the base URL's HTML, " +
                    std::to_string(links) + " links (checked with its Link headers)");
  } else {
    notes.push_back("103 Early Hints: none " + over + " before the base URL's HTML" +
                    (response.http2 ? "" : " (browsers act on them over HTTP/2 only)"));
  }
  return notes;
}

}  // namespace npsbundle
