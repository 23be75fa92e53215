#include "browser/browser_measure.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <set>

#include "core/error.h"
#include "core/escape.h"

namespace npsbundle {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

double MonotonicSeconds() {
  // libstdc++'s steady_clock is CLOCK_MONOTONIC, the clock Chromium's
  // protocol timestamps come from on Linux. MeasureInBrowser checks that
  // before relying on it.
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Deadline Earlier(Deadline a, Deadline b) { return a < b ? a : b; }

// "/oracle/" and "/oracle" are one page to a router; "/" stays "/".
std::string_view WithoutTrailingSlash(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

// "a.js, b.css and 3 more", or "nothing".
std::string ShortList(const std::vector<std::string>& items) {
  constexpr size_t kShown = 4;
  if (items.empty()) return "nothing";
  std::string out;
  for (size_t i = 0; i < items.size() && i < kShown; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > kShown) out += " and " + std::to_string(items.size() - kShown) + " more";
  return out;
}

}  // namespace

std::string PathBelowBase(std::string_view href, std::string_view base_url) {
  if (href.substr(0, base_url.size()) != base_url) return std::string(href);
  return "/" + BuildPathOfUrl(href, base_url);
}

std::optional<std::string> ImpossibleTransition(const TransitionOutcome& outcome) {
  std::string arrived = "; arrived after the click: " + ShortList(outcome.arrived);
  if (WithoutTrailingSlash(outcome.target) != WithoutTrailingSlash(outcome.landed)) {
    return outcome.label + ": the transition to " + outcome.target + " ended on " + outcome.landed +
           " (a catch-all route redirecting?)" + arrived;
  }
  bool any = std::any_of(outcome.files.begin(), outcome.files.end(), [&](const std::string& file) {
    return std::find(outcome.arrived.begin(), outcome.arrived.end(), file) != outcome.arrived.end();
  });
  if (!any) {
    return outcome.label + ": the transition to " + outcome.target + " loaded none of the page's " +
           std::to_string(outcome.files.size()) + (outcome.files.size() == 1 ? " file" : " files") +
           " (already loaded before the click?)" + arrived;
  }
  if (!(outcome.arrived_ms > 0)) {
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.1f", outcome.arrived_ms);
    return outcome.label + ": the transition to " + outcome.target + " took " + ms + " ms, not above zero" + arrived;
  }
  return std::nullopt;
}

std::optional<std::string> ImpossibleStart(const std::string& start, const std::string& landed) {
  if (WithoutTrailingSlash(start) == WithoutTrailingSlash(landed)) return std::nullopt;
  return "the start page " + start + " ended on " + landed +
         " before any transition (a catch-all route redirecting?); choose a page that stays with --start PATH";
}

std::string BuildPathOfUrl(std::string_view url, std::string_view base_url) {
  if (url.size() < base_url.size() || url.substr(0, base_url.size()) != base_url) return "";
  std::string_view rest = url.substr(base_url.size());
  rest = rest.substr(0, rest.find_first_of("?#"));
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && HexValue(rest[i + 1]) >= 0 && HexValue(rest[i + 2]) >= 0) {
      path.push_back(static_cast<char>(HexValue(rest[i + 1]) * 16 + HexValue(rest[i + 2])));
      i += 2;
    } else {
      path.push_back(rest[i]);
    }
  }
  return path;
}

std::vector<RequestRecord> RecordRequests(const NetworkLog& log, std::string_view base_url, size_t from) {
  std::vector<RequestRecord> out;
  for (size_t i = from; i < log.requests().size(); ++i) {
    const ObservedRequest& request = log.requests()[i];
    std::string_view url = request.url;
    if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) continue;
    out.push_back(RequestRecord{PathBelowBase(url, base_url), request.protocol, request.status});
  }
  return out;
}

GroupArrival ObserveGroup(const NetworkLog& log, const std::vector<std::string>& files, std::string_view base_url) {
  GroupArrival out;
  std::map<std::string, const ObservedRequest*> first_finished;
  std::set<std::string> wanted(files.begin(), files.end());
  for (const ObservedRequest& request : log.requests()) {
    std::string path = BuildPathOfUrl(request.url, base_url);
    if (!wanted.count(path)) continue;
    out.body_bytes += request.body_bytes();
    if (out.first_request == 0 || request.started < out.first_request) out.first_request = request.started;
    if (!request.failure.empty()) {
      out.failed.push_back(path + ": " + request.failure);
    } else if (request.finished && request.status >= 400) {
      out.failed.push_back(path + ": HTTP " + std::to_string(request.status));
    } else if (request.finished) {
      const ObservedRequest*& first = first_finished[path];
      if (!first || request.arrived < first->arrived) first = &request;
    }
  }
  for (const std::string& file : files) {
    auto it = first_finished.find(file);
    if (it == first_finished.end()) {
      out.missing.push_back(file);
      continue;
    }
    out.arrived = std::max(out.arrived, it->second->arrived);
    out.encodings[file] = it->second->encoding;
  }
  out.complete = out.missing.empty() && out.failed.empty();
  return out;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  double rank = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(values.size() - 1);
  size_t low = static_cast<size_t>(std::floor(rank));
  size_t high = std::min(low + 1, values.size() - 1);
  return values[low] + (values[high] - values[low]) * (rank - static_cast<double>(low));
}

Spread SpreadOf(const std::vector<double>& values) { return Spread{Percentile(values, 50), Percentile(values, 95)}; }

std::optional<std::string> RouteOfPage(const std::map<std::string, std::string>& routes, const std::string& key) {
  for (const auto& [route, page] : routes) {
    if (page == key) return route;
  }
  return std::nullopt;
}

std::vector<MeasuredGroup> PlanMeasurement(const CheckReport& check, const std::map<std::string, std::string>& routes,
                                           const NetworkProfile& profile, Measure encoding,
                                           std::vector<std::string>* notes) {
  auto wire = [&](const std::string& path) -> uint64_t {
    const FileRow* row = check.FindFile(path);
    if (!row) return 0;
    return encoding == Measure::kGzip ? row->size.gzip : row->size.brotli;
  };
  auto sizes = [&](const LoadGroup& group) {
    std::vector<uint64_t> out;
    for (const std::string& file : group.files) out.push_back(wire(file));
    return out;
  };
  std::vector<MeasuredGroup> groups;
  for (const LoadGroup& entry : check.entries) {
    const FileRow* html = check.FindFile(entry.key);
    if (!html || html->kind != FileKind::kHtml) {
      notes->push_back(entry.label + ": a script entry without an HTML page; not loaded");
      continue;
    }
    MeasuredGroup group;
    group.kind = MeasuredGroup::Kind::kInitialLoad;
    group.key = entry.key;
    group.label = entry.label;
    group.path = entry.key == "index.html" ? "" : entry.key;
    group.files = entry.files;
    std::vector<uint64_t> bytes = sizes(entry);
    group.estimate = EstimateInitialLoad(wire(entry.key), bytes, profile);
    for (uint64_t b : bytes) group.estimate_bytes += b;
    groups.push_back(std::move(group));
  }
  std::vector<std::string> unrouted;
  for (const LoadGroup& page : check.lazy_pages) {
    std::optional<std::string> route = RouteOfPage(routes, page.key);
    if (!route) {
      unrouted.push_back(page.label);
      continue;
    }
    if (page.entry != "index.html") {
      notes->push_back(page.label + ": a page of " + page.entry + "; only index.html's pages are visited");
      continue;
    }
    MeasuredGroup group;
    group.kind = MeasuredGroup::Kind::kPageTransition;
    group.key = page.key;
    group.label = page.label;
    group.path = route->empty() || route->front() != '/' ? *route : route->substr(1);
    group.files = page.files;
    std::vector<uint64_t> bytes = sizes(page);
    group.estimate = EstimateTransition(bytes, profile);
    for (uint64_t b : bytes) group.estimate_bytes += b;
    groups.push_back(std::move(group));
  }
  if (!unrouted.empty()) {
    std::string names;
    for (const std::string& name : unrouted) names += (names.empty() ? "" : ", ") + name;
    notes->push_back("not visited, no route in the budget's \"routes\": " + names);
  }
  return groups;
}

namespace {

// Waits until the load event has fired and every file of `files` arrived.
GroupArrival WaitForLoad(DevToolsPage& visit, const std::vector<std::string>& files, const std::string& base_url,
                         bool need_load_event, const std::string& what, Deadline deadline,
                         Deadline overall_deadline) {
  GroupArrival arrival;
  bool done = visit.PumpUntil(
      [&] {
        arrival = ObserveGroup(visit.log(), files, base_url);
        if (!arrival.failed.empty()) {
          throw BrowserError(ExitCode::kBrowserFailed, what + ": " + arrival.failed.front());
        }
        return arrival.complete && (!need_load_event || visit.log().load_event());
      },
      deadline);
  if (!done) {
    bool overall = std::chrono::steady_clock::now() >= overall_deadline;
    std::string missing;
    for (const std::string& file : arrival.missing) missing += (missing.empty() ? "" : ", ") + file;
    if (missing.empty()) missing = "the load event";
    throw BrowserError(ExitCode::kMeasureTimeout,
                       what + ": still waiting for " + missing + " when the " +
                           (overall ? "overall time limit (--timeout) ran out; raise it, or lower --runs or --pages"
                                    : "per-navigation limit (--page-timeout) ran out"));
  }
  return arrival;
}

// The document request of a navigation to `url`: the first one for it.
const ObservedRequest* DocumentRequest(const NetworkLog& log, const std::string& url) {
  for (const ObservedRequest& request : log.requests()) {
    if (request.url == url) return &request;
  }
  return log.requests().empty() ? nullptr : &log.requests().front();
}

uint64_t ExpectedBytes(const FileRow& row, const std::string& encoding) {
  if (encoding == "br") return row.size.brotli;
  if (encoding == "gzip") return row.size.gzip;
  if (encoding == "zstd") return row.size.zstd;
  return row.size.raw;
}

// The files of the build that the log's requests from the `from`-th on
// fetched, each once, in request order (the log appends a request when it
// is sent). A path the build lacks (the browser's favicon.ico) is left out.
std::vector<std::string> RequestedBuildPaths(const NetworkLog& log, const std::string& base_url, size_t from,
                                             const CheckReport& check) {
  std::vector<std::string> out;
  for (size_t i = from; i < log.requests().size(); ++i) {
    std::string path = BuildPathOfUrl(log.requests()[i].url, base_url);
    if (check.FindFile(path) && std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
  }
  return out;
}

// Declares `findLink()`: the page's <a> pointing at `url`, or undefined.
std::string FindLinkJs(const std::string& url) {
  return "const target = new URL(" + JsString(url) +
         "); const findLink = () => [...document.querySelectorAll('a[href]')].find("
         "(a) => a.origin === target.origin && a.pathname === target.pathname);";
}

// Waits up to 5 s for a link to `url` to be rendered (React renders after
// the load event); resolves to "link" or "none".
std::string WaitForLinkScript(const std::string& url) {
  return "new Promise((resolve) => { " + FindLinkJs(url) +
         " const until = performance.now() + 5000;"
         " const poll = () => { const link = findLink();"
         " if (link || performance.now() > until) resolve(link ? 'link' : 'none'); else setTimeout(poll, 10); };"
         " poll(); })";
}

// Clicks the link to `url`, or, when the app has none, pushes the URL and
// fires popstate, which client-side routers listen to.
std::string NavigateScript(const std::string& url) {
  return "(() => { " + FindLinkJs(url) + " const link = findLink();"
         " if (link) { link.click(); return 'link'; }"
         " history.pushState(null, '', target.href); dispatchEvent(new PopStateEvent('popstate', {state: null}));"
         " return 'history'; })()";
}

}  // namespace

void MeasureInBrowser(CdpConnection& cdp, const BrowserMeasureOptions& options, const CheckReport& check,
                      MeasureReport* report) {
  std::string emulation = EmulationParams(report->profile);
  auto navigation_deadline = [&] {
    auto limit = std::chrono::steady_clock::now() +
                 std::chrono::milliseconds(static_cast<int64_t>(options.navigation_timeout_ms));
    return Earlier(limit, options.deadline);
  };
  std::vector<std::string> landing_files;
  for (const LoadGroup& entry : check.entries) {
    if (entry.key == "index.html") landing_files = entry.files;
  }
  bool clocks_agree = true;
  std::set<std::string> noted;
  auto note = [&](const std::string& text) {
    if (noted.insert(text).second) report->notes.push_back(text);
  };

  for (int run = 0; run < options.runs; ++run) {
    for (MeasuredGroup& group : report->groups) {
      Deadline deadline = navigation_deadline();
      DevToolsPage visit(cdp, emulation, deadline);
      GroupArrival arrival;
      double start = 0;
      if (group.kind == MeasuredGroup::Kind::kInitialLoad) {
        std::string url = options.base_url + group.path;
        double sent = MonotonicSeconds();
        visit.Navigate(url, deadline);
        arrival = WaitForLoad(visit, group.files, options.base_url, true, "loading " + url, deadline, options.deadline);
        const ObservedRequest* document = DocumentRequest(visit.log(), url);
        start = document ? document->started : sent;
        // Protocol timestamps are the browser's monotonic clock; on Linux
        // that is ours too, which lets a transition start at the click.
        if (document && (document->started < sent - 1 || document->started > MonotonicSeconds() + 1)) {
          clocks_agree = false;
        }
        group.load_event_ms.push_back((*visit.log().load_event() - start) * 1000);
        if (run == 0) {
          group.arrived_files = RequestedBuildPaths(visit.log(), options.base_url, 0, check);
          group.requests = RecordRequests(visit.log(), options.base_url, 0);
        }
      } else {
        std::string landing = options.base_url + options.start_path;
        visit.Navigate(landing, deadline);
        WaitForLoad(visit, landing_files, options.base_url, true, "loading " + landing, deadline, options.deadline);
        std::string url = options.base_url + group.path;
        if (!ObserveGroup(visit.log(), group.files, options.base_url).encodings.empty()) {
          note(group.label + ": some of its files loaded before the navigation (prefetched?); its figures are low");
        }
        if (visit.Evaluate(WaitForLinkScript(url), deadline) == "none") {
          note(group.label + ": no link to /" + group.path + " in the page; navigated with history.pushState");
        }
        // The app's router has rendered by now (it drew the link, or 5 s
        // passed): a catch-all redirect of the start page shows here.
        if (std::optional<std::string> error = ImpossibleStart(
                "/" + options.start_path, PathBelowBase(visit.Evaluate("location.href", deadline), options.base_url))) {
          throw BrowserError(ExitCode::kMeasureImpossible, *error);
        }
        size_t before_click = visit.log().requests().size();
        TransitionOutcome outcome;
        outcome.label = group.label;
        outcome.target = "/" + group.path;
        outcome.files = group.files;
        auto observe = [&] {
          // Also after a timeout: a few seconds more to read where it went.
          auto read_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
          outcome.landed = PathBelowBase(visit.Evaluate("location.href", read_deadline), options.base_url);
          outcome.arrived = RequestedBuildPaths(visit.log(), options.base_url, before_click, check);
        };
        double clicked = MonotonicSeconds();
        visit.Evaluate(NavigateScript(url), deadline);
        try {
          arrival = WaitForLoad(visit, group.files, options.base_url, false, "navigating to " + url, deadline,
                                options.deadline);
        } catch (const BrowserError& timeout) {
          // A page that never came may be a redirect elsewhere: say so.
          if (timeout.code() != ExitCode::kMeasureTimeout) throw;
          observe();
          if (WithoutTrailingSlash(outcome.landed) != WithoutTrailingSlash(outcome.target)) {
            throw BrowserError(ExitCode::kMeasureImpossible, *ImpossibleTransition(outcome));
          }
          throw;
        }
        start = clicked;
        if (!clocks_agree) {
          // Without a shared clock, the first request of the page starts it.
          start = arrival.first_request;
          note("the browser's clock is not this process's monotonic clock: transitions are timed from their "
               "first request, not from the click");
        }
        observe();
        outcome.arrived_ms = (arrival.arrived - start) * 1000;
        if (std::optional<std::string> error = ImpossibleTransition(outcome)) {
          throw BrowserError(ExitCode::kMeasureImpossible, *error);
        }
        if (run == 0) {
          group.arrived_files = outcome.arrived;
          group.requests = RecordRequests(visit.log(), options.base_url, before_click);
        }
      }
      group.arrived_ms.push_back((arrival.arrived - start) * 1000);
      group.first_request_ms.push_back((arrival.first_request - start) * 1000);
      group.bytes.push_back(static_cast<double>(arrival.body_bytes));
      if (run == 0) {
        std::set<std::string> seen;
        for (const std::string& file : group.files) {
          const std::string& encoding = arrival.encodings[file];
          if (const FileRow* row = check.FindFile(file)) group.expected_bytes += ExpectedBytes(*row, encoding);
          seen.insert(encoding.empty() ? "identity" : encoding);
        }
        group.encodings.assign(seen.begin(), seen.end());
      }
    }
  }
}

}  // namespace npsbundle
