// RunAudit: the network half of `audit`. Requests go out on at most
// `concurrency` keep-alive connections (a browser opens six per origin over
// HTTP/1.1), each worker thread owning one; over HTTP/2 each request has a
// connection of its own (http/client_h2), at most `concurrency` at once.
#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "audit/audit.h"
#include "core/error.h"

namespace npsbundle {
namespace {

// Vite's base from the URL's path: "/app/" from "/app/" or "/app/index.html".
std::string BaseFromTarget(const std::string& target) {
  std::string path = target.substr(0, target.find('?'));
  return path.substr(0, path.rfind('/') + 1);
}

std::string NormalizedBase(const std::string& base) {
  std::string out = base;
  if (out.empty() || out.front() != '/') out = "/" + out;
  if (out.back() != '/') out += '/';
  return out;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

// The plan's fields, who asks, then the user's (--header) and conditionals.
Headers RequestHeaders(const AuditRequest& request, const Headers& extra) {
  Headers headers = request.headers;
  headers.emplace_back("User-Agent", std::string("npsbundle-audit/") + NPSBUNDLE_VERSION);
  headers.insert(headers.end(), extra.begin(), extra.end());
  return headers;
}

AuditExchange Perform(HttpConnection* connection, const AuditRequest& request, const Headers& extra) {
  AuditExchange exchange;
  exchange.sent = true;
  try {
    exchange.response = connection->Request("GET", request.target, RequestHeaders(request, extra));
    exchange.decoded = DecodeBody(exchange.response);
  } catch (const ClientError& e) {
    exchange.error = e.what();
  }
  return exchange;
}

}  // namespace

AuditReport RunAudit(const AuditOptions& options) {
  Url url = ParseUrl(options.url);
  if (options.concurrency < 1 || options.concurrency > 64) {
    throw InputError("--concurrency " + std::to_string(options.concurrency) + ": expected 1 to 64");
  }
  if (options.client.timeout_ms < 1) throw InputError("--timeout: expected a positive number of seconds");
  AuditReport report;
  report.url = options.url;
  report.build = options.build;
  report.base = NormalizedBase(options.base.empty() ? BaseFromTarget(url.target) : options.base);
  std::unique_ptr<BundleSource> build = OpenBundle(options.build);
  AuditPlan plan = PlanAudit(*build, report.base, options.max_requests, options.root_page);
  std::vector<AuditExchange> exchanges(plan.requests.size());

  // The entry chunk first, alone: an origin that cannot be reached, or that
  // serves another build, makes every check meaningless.
  // One keep-alive connection per worker, kept across both phases: at most
  // `concurrency` connections in all, as a browser would open.
  std::vector<std::unique_ptr<HttpConnection>> pool;
  for (int i = 0; i < options.concurrency; ++i) pool.push_back(std::make_unique<HttpConnection>(url, options.client));
  {
    HttpConnection& first = *pool[0];
    AuditExchange& exchange = exchanges[0];
    exchange.sent = true;
    try {
      exchange.response =
          first.Request("GET", plan.requests[0].target, RequestHeaders(plan.requests[0], options.headers));
    } catch (const ClientError& e) {
      throw InputError(options.url + ": " + e.what());
    }
    const std::string& target = plan.requests[0].target;
    if (exchange.response.status != 200) {
      // Redirects are not followed: every check is about this origin's answers.
      std::string location = exchange.response.Header("location").value_or("");
      throw InputError(options.url + ": serves a different build: " + target + " (the entry chunk of " +
                       options.build + ") answered " + std::to_string(exchange.response.status) +
                       (location.empty() ? "" : " to " + location + " (audit the URL it redirects to)"));
    }
    try {
      exchange.decoded = DecodeBody(exchange.response);
    } catch (const ClientError& e) {
      exchange.error = e.what();
    }
    if (exchange.error.empty() && exchange.decoded != plan.expected.at(plan.entry_file)) {
      throw InputError(options.url + ": serves a different build: " + target + " (the entry chunk of " +
                       options.build + ") has other bytes");
    }
  }

  auto run_phase = [&](const std::vector<size_t>& indexes) {
    std::atomic<size_t> next = 0;
    unsigned workers = std::min<size_t>(options.concurrency, indexes.size());
    std::vector<std::thread> threads;
    for (unsigned w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        HttpConnection& connection = *pool[w];
        for (size_t i = next++; i < indexes.size(); i = next++) {
          const AuditRequest& request = plan.requests[indexes[i]];
          Headers extra = options.headers;
          if (request.probe == Probe::kRevalidate) {
            const ClientResponse& original = exchanges[request.depends_on].response;
            if (auto etag = original.Header("etag")) {
              extra.emplace_back("If-None-Match", *etag);
            } else if (auto modified = original.Header("last-modified")) {
              extra.emplace_back("If-Modified-Since", *modified);
            } else {
              continue;  // left unsent: the check reports the missing validator
            }
          }
          exchanges[indexes[i]] = Perform(&connection, request, extra);
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
  };
  // Revalidations need the first answers' validators.
  std::vector<size_t> first_phase, second_phase;
  for (size_t i = 1; i < plan.requests.size(); ++i) {
    (plan.requests[i].probe == Probe::kRevalidate ? second_phase : first_phase).push_back(i);
  }
  run_phase(first_phase);
  run_phase(second_phase);

  for (const AuditExchange& exchange : exchanges) report.requests += exchange.sent ? 1 : 0;
  for (const auto& connection : pool) report.connections += connection->connections_opened();
  report.checks = EvaluateAudit(plan, exchanges);
  report.notes = AuditProtocolNotes(plan, exchanges, url.tls, options.client.http2);
  return report;
}

}  // namespace npsbundle
