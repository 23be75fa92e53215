#ifndef NPSBUNDLE_AUDIT_AUDIT_H_
#define NPSBUNDLE_AUDIT_AUDIT_H_

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bundle_source.h"
#include "http/client.h"

namespace npsbundle {

// `npsbundle audit URL --build DIST`: does a running deployment serve the
// build the way the serving policy (policy/serving, policy/preload) says it
// must? Three steps, the middle one the only one with a network:
//   PlanAudit     what to request and what each answer must be, from the
//                 build and the policy (pure);
//   RunAudit      sends the requests (audit_run.cc);
//   EvaluateAudit one named check per rule over the recorded answers (pure).

// The check names, stable identifiers (README "audit"), in report order.
inline constexpr std::string_view kAuditChecks[] = {
    "chunks-identical", "hashed-immutable", "html-revalidated", "sw-revalidated",
    "brotli",           "gzip",             "vary",             "asset-404",
    "deep-link",        "preload-hints",    "etag-304"};

enum class AuditStatus { kPass, kFail, kSkip };

struct AuditCheck {
  std::string name;                   // one of kAuditChecks
  AuditStatus status = AuditStatus::kPass;
  std::string summary;                // one line: what was checked, or why skipped
  std::vector<std::string> problems;  // one line per failing request
};

struct AuditReport {
  std::string url;    // as given
  std::string build;  // as given (folder or archive)
  std::string base;   // Vite's base used, "/" or "/app/"
  size_t requests = 0;
  size_t connections = 0;
  std::vector<AuditCheck> checks;  // kAuditChecks order
  std::vector<std::string> notes;  // what was not checked, and why
  bool passed() const;
  // Names of the failed checks, in report order.
  std::vector<std::string> FailedChecks() const;
};

// What one request probes.
enum class Probe {
  kFile,          // a build file as a browser asks for it (Accept-Encoding: br, gzip)
  kGzipFile,      // the same for a gzip-only client
  kHtml,          // the base URL, as a navigation
  kDeepLink,      // a client-side route the build does not hold, as a navigation
  kMissingAsset,  // a made-up hashed name under assets/
  kRevalidate,    // request `depends_on` again with its validator
};

struct AuditRequest {
  Probe probe = Probe::kFile;
  std::string build_path;  // the build file expected in the answer ("" when none)
  std::string target;      // request-target, base included: "/app/assets/x.js"
  std::vector<std::pair<std::string, std::string>> headers;
  size_t depends_on = 0;   // kRevalidate only: index of the request repeated
};

// One request's outcome; `error` is set when no response came (timeout,
// reset, malformed) or its body did not decode.
struct AuditExchange {
  bool sent = false;  // false: left out (no validator to revalidate with)
  std::string error;
  ClientResponse response;
  std::string decoded;  // body after Content-Encoding
};

struct AuditPlan {
  std::string base;
  std::string html_path;   // "index.html"
  std::string entry_file;  // the HTML entry's script, e.g. "assets/index-Bl1MOBpP.js"
  std::vector<AuditRequest> requests;  // requests[0] probes entry_file
  std::map<std::string, std::string, std::less<>> expected;  // build path -> bytes
  std::set<std::string, std::less<>> immutable;     // per policy's CacheClassifier
  std::set<std::string, std::less<>> compressible;  // expected in br and gzip
  std::set<std::string, std::less<>> service_worker;
  std::vector<std::string> preload_links;  // EntryPreloadLinks of html_path
  size_t files_left_out = 0;               // by the request budget
};

// Builds the plan for `build` served under `base` ("/" or "/app/"): the
// entry chunk first (a site without it serves another build), the base
// URL, a deep link, a made-up asset, two revalidations, gzip-only requests
// for the entry script and the first initial CSS, then every file the
// manifest names (chunks, CSS, assets) and the service-worker files, until
// `max_requests`. Throws InputError when the build has no HTML entry with a
// module script, or `max_requests` is below the fixed requests.
// `root_page` is the manifest key the route map gives "/" (the budget's
// `routes`): the base URL then carries that route's hints, as serve and the
// generated configs send them; empty: the entry's.
AuditPlan PlanAudit(const BundleSource& build, std::string_view base, size_t max_requests,
                    const std::string& root_page = "");

// The checks over `exchanges` (one per plan request, same order). Pure.
std::vector<AuditCheck> EvaluateAudit(const AuditPlan& plan,
                                      const std::vector<AuditExchange>& exchanges);

// The notes on how the deployment answered a navigation, from the base
// URL's HTML exchange: the protocol the requests used (over https, HTTP/2
// when the server picked h2 by ALPN and `http2_offered`), and whether a
// 103 Early Hints came before the HTML, with how many links. Pure.
std::vector<std::string> AuditProtocolNotes(const AuditPlan& plan,
                                            const std::vector<AuditExchange>& exchanges, bool tls,
                                            bool http2_offered);

// The links of Link fields, one per link, whitespace around ';' removed:
// "</a.js>; rel=modulepreload; crossorigin" (exposed for tests).
std::vector<std::string> SplitLinks(const std::vector<std::string>& link_fields);

struct AuditOptions {
  std::string url;
  std::string build;
  std::string base;  // empty: the URL's path
  std::string root_page;  // the route map's page for "/" (PlanAudit)
  int concurrency = 6;
  size_t max_requests = 1000;
  std::vector<std::pair<std::string, std::string>> headers;  // added to every request
  ClientOptions client;
};

// Plans, requests and evaluates. Throws InputError (exit 2) with one line
// when the build cannot be read, the URL cannot be reached (connection or
// TLS failure) or it serves a different build (the entry chunk is missing
// or differs): then no check is meaningful.
AuditReport RunAudit(const AuditOptions& options);

}  // namespace npsbundle

#endif  // NPSBUNDLE_AUDIT_AUDIT_H_
