#ifndef NPSBUNDLE_BROWSER_BROWSER_MEASURE_H_
#define NPSBUNDLE_BROWSER_BROWSER_MEASURE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "budget/analysis.h"
#include "browser/cdp.h"
#include "browser/devtools_session.h"
#include "budget/load_time.h"
#include "core/units.h"

namespace npsbundle {

// `npsbundle measure`: loads a served build in a real browser under DevTools
// network throttling and sets the timings beside the estimate of
// budget/load_time.h. What to load and how to read the result is here; the
// DevTools session that does the loading is devtools_session.h.

// The build path a URL fetches from the server at `base_url`
// ("http://127.0.0.1:4173/app/"): "assets/x.js" for
// "http://127.0.0.1:4173/app/assets/x.js?v=1". Empty for other origins or
// paths outside the base. Percent-escapes are decoded.
std::string BuildPathOfUrl(std::string_view url, std::string_view base_url);

// What arrived of one load group (an initial set or a route cost).
struct GroupArrival {
  bool complete = false;              // every file finished loading
  double arrived = 0;                 // when the last file finished (monotonic s)
  double first_request = 0;           // when the first file was requested; 0: none was
  uint64_t body_bytes = 0;            // sum over the files' requests
  std::vector<std::string> missing;   // files not (yet) loaded, in group order
  std::vector<std::string> failed;    // "assets/x.js: net::ERR_…"
  // file -> the Content-Encoding it came with ("br", "gzip", "")
  std::map<std::string, std::string> encodings;
};

// Matches the log's requests to `files` (build paths). A file fetched twice
// (a stylesheet link and its preload) arrived when its first copy finished;
// the bytes of every copy count, as they all crossed the network.
GroupArrival ObserveGroup(const NetworkLog& log, const std::vector<std::string>& files,
                          std::string_view base_url);

// The p-th percentile (0..100) of `values`, interpolating linearly between
// the closest ranks (numpy's default). 0 for no values.
double Percentile(std::vector<double> values, double p);

// p50 and p95 of a sample.
struct Spread {
  double p50 = 0, p95 = 0;
};
Spread SpreadOf(const std::vector<double>& values);

// One request of a measured navigation, as the report lists it.
struct RequestRecord {
  // The URL path below the base with a leading "/" ("/" for the document,
  // "/assets/x.js"); the whole URL for another origin.
  std::string path;
  // What the response came over, as the browser names it ("h2",
  // "http/1.1"); "" when no response came (a failed request).
  std::string protocol;
  int status = 0;  // 0: no response
};

// The requests of `log` from the `from`-th on, in the order they were sent:
// http and https URLs only (data: and blob: URLs never reach a server).
std::vector<RequestRecord> RecordRequests(const NetworkLog& log, std::string_view base_url, size_t from);

// One group measured: an entry's initial load or a lazy page's transition.
struct MeasuredGroup {
  enum class Kind { kInitialLoad, kPageTransition };
  Kind kind = Kind::kInitialLoad;
  std::string key;    // manifest key
  std::string label;  // "index.html", "Oracle"
  std::string path;   // URL path below the base it is reached by: "", "oracle"
  std::vector<std::string> files;  // the group's build paths
  TimeEstimate estimate;           // on the measured profile
  uint64_t estimate_bytes = 0;     // the wire bytes the estimate assumed
  // Per run. Times in ms from the navigation's start (initial load: the
  // document request; transition: the click) to the load event and to the
  // last file of the group arriving. Bytes: the files' bodies on the wire.
  std::vector<double> load_event_ms;  // initial loads only
  std::vector<double> arrived_ms;
  // From the same start to the first request of a group file: for a
  // transition, the script work between the click and the network.
  std::vector<double> first_request_ms;
  std::vector<double> bytes;
  // What `check` reports for those files in the encodings the server sent,
  // to compare `bytes` with; and the encodings seen ("br", "gzip", "identity").
  uint64_t expected_bytes = 0;
  std::vector<std::string> encodings;
  // What the first run actually fetched from the build, in request order:
  // every build path of an initial load; for a transition, those requested
  // after the click (which may hold files outside `files`).
  std::vector<std::string> arrived_files;
  // Every request of the first run: for an initial load, from the document
  // on; for a transition, those sent after the click.
  std::vector<RequestRecord> requests;
};

// What one page transition did, read from the browser after it. Paths are
// URL paths below the base with a leading "/" ("/oracle"); a URL outside
// the base stays whole.
struct TransitionOutcome {
  std::string label;                  // the page: "Oracle"
  std::string target;                 // where it navigated: "/oracle"
  std::string landed;                 // location when its files had arrived: "/404"
  std::vector<std::string> files;     // the page's files (its route cost)
  std::vector<std::string> arrived;   // build paths requested after the click
  double arrived_ms = 0;              // click -> the last of `files` arrived
};

// Why `outcome` cannot be a real transition, in one line that names the
// page, what went wrong and what arrived; nullopt when it can be. A
// transition is impossible when it ended on another URL than its target
// (an app's catch-all redirecting to /404), when none of the page's files
// was requested after the click (they came before it, or never), or when
// its time is not above zero. Trailing slashes do not count.
std::optional<std::string> ImpossibleTransition(const TransitionOutcome& outcome);

// Why transitions cannot start from the start page `start` ("/x") when,
// just before the click, the browser shows `landed`; nullopt when both
// are the same page.
std::optional<std::string> ImpossibleStart(const std::string& start, const std::string& landed);

// The URL path of `href` below `base_url` with a leading "/" ("/oracle"),
// or `href` itself when it is outside the base.
std::string PathBelowBase(std::string_view href, std::string_view base_url);

// The result model of `measure`, rendered by report_measure.cc.
struct MeasureReport {
  std::string input;
  std::string budget_path;  // empty: built-in default
  std::string browser;      // "Chrome/156.0.8078.79"
  NetworkProfile profile;
  Measure encoding = Measure::kBrotli;  // what the estimate assumed
  int runs = 0;
  std::vector<MeasuredGroup> groups;
  std::vector<std::string> notes;
};

// Where a page is reached, for `routes` (URL path below the base -> manifest
// key, as in the budget): the first route naming the page's key.
std::optional<std::string> RouteOfPage(const std::map<std::string, std::string>& routes,
                                       const std::string& key);

// The groups to measure, with their estimates on `profile`: each HTML
// entry's initial load, and each lazy page of index.html that `routes`
// names. What cannot be measured is explained in *notes.
std::vector<MeasuredGroup> PlanMeasurement(const CheckReport& check, const std::map<std::string, std::string>& routes,
                                           const NetworkProfile& profile, Measure encoding,
                                           std::vector<std::string>* notes);

struct BrowserMeasureOptions {
  std::string base_url;  // the server's URL of the build: "http://127.0.0.1:41234/"
  // URL path below the base that transitions start from, without a leading
  // "/". The default names no route, so the SPA fallback answers with
  // index.html; an app whose catch-all redirects needs a real page here.
  std::string start_path = "npsbundle-measure-start";
  int runs = 5;
  double navigation_timeout_ms = 30000;
  Deadline deadline;  // of the whole measurement
};

// Runs every group `runs` times, each in a fresh browser context (cold
// cache, new connections), and fills in the groups' samples. Throws
// BrowserError: kMeasureTimeout when a navigation or the deadline runs out,
// kMeasureImpossible when the start page or a transition fails
// ImpossibleStart / ImpossibleTransition.
void MeasureInBrowser(CdpConnection& cdp, const BrowserMeasureOptions& options, const CheckReport& check,
                      MeasureReport* report);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BROWSER_BROWSER_MEASURE_H_
