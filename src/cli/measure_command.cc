// `npsbundle measure`: argument parsing and output only; the browser is
// driven by browser_measure.cc over cdp.cc, the build served by serve.cc.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <set>

#include <simdjson.h>

#include "browser/browser_measure.h"
#include "browser/browser_process.h"
#include "budget/check.h"
#include "budget/config.h"
#include "cli/cli.h"
#include "core/error.h"
#include "report/report_measure.h"
#include "serve/serve.h"
#include "build/size_cache.h"

namespace npsbundle {
namespace {

constexpr const char* kFallbackProfile = "fast-3g";

struct MeasureFlags {
  std::string path;
  std::string config_path;
  std::string budget_path;
  std::string profile;  // empty: the budget's initialLoad rule's, else fast-3g
  int runs = 5;
  std::string format = "text";
  std::string browser = kDefaultBrowser;
  double timeout_s = 300;
  double page_timeout_s = 30;
  std::string base = "/";
  std::vector<std::string> pages;  // labels or keys; empty: every routed page
  std::string start;               // URL path transitions start from; empty: the default
  unsigned threads = 0;
  bool no_cache = false;
  bool https = false;
  ProxyFlags proxy;
};

// The browser runs in its own process group, out of reach of the
// terminal's Ctrl-C, so an interrupted measure takes it down itself.
std::atomic<pid_t> browser_group{0};

void KillBrowserAndExit(int signal_number) {
  pid_t group = browser_group.load();
  if (group > 0) kill(-group, SIGKILL);
  _exit(signal_number == SIGINT ? ToInt(ExitCode::kInterrupted) : 128 + signal_number);
}

std::string BrowserVersion(CdpConnection& cdp, Deadline deadline) {
  CdpMessage reply = cdp.Call("Browser.getVersion", "{}", "", deadline);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(reply.text);
  std::string_view product;
  if (parser.parse(padded)["result"]["product"].get(product)) return "unknown browser";
  return std::string(product);
}

bool Selected(const MeasuredGroup& group, const std::vector<std::string>& pages) {
  if (group.kind == MeasuredGroup::Kind::kInitialLoad || pages.empty()) return true;
  return std::find(pages.begin(), pages.end(), group.label) != pages.end() ||
         std::find(pages.begin(), pages.end(), group.key) != pages.end();
}

ExitCode RunMeasure(const MeasureFlags& flags) {
  if (flags.format != "text" && flags.format != "json") {
    throw InputError("--format: unknown format \"" + flags.format + "\" (text, json)");
  }
  if (flags.runs < 1 || flags.runs > 1000) throw InputError("--runs: expected 1..1000, got " + std::to_string(flags.runs));
  if (!(flags.timeout_s > 0) || !(flags.page_timeout_s > 0)) throw InputError("--timeout, --page-timeout: expected seconds > 0");
  std::string start_path = flags.start;
  if (start_path.find("://") != std::string::npos || start_path.find_first_of("?#") != std::string::npos) {
    throw InputError("--start: expected a URL path below the base, e.g. /about, got \"" + flags.start + "\"");
  }
  while (!start_path.empty() && start_path.front() == '/') start_path.erase(0, 1);
  auto started = std::chrono::steady_clock::now();
  Deadline deadline = started + std::chrono::milliseconds(static_cast<int64_t>(flags.timeout_s * 1000));

  Config config = ResolveConfig(flags.config_path, flags.budget_path);
  Budget budget = config.budget;
  std::vector<ProxyRule> proxy = ResolveProxyRules(config, flags.proxy);
  int proxy_timeout_ms = ProxyTimeoutMs(flags.proxy);
  MeasureReport report;
  report.input = flags.path;
  report.budget_path = budget.path;
  report.runs = flags.runs;
  std::string profile_name = flags.profile;
  for (const TimingRule& rule : budget.timing) {
    if (rule.kind != TimingRule::Kind::kInitialLoad) continue;
    if (profile_name.empty()) profile_name = rule.profile;
    if (rule.profile == profile_name) {
      report.encoding = rule.encoding;
      break;
    }
  }
  if (profile_name.empty()) profile_name = kFallbackProfile;
  std::optional<NetworkProfile> profile = budget.FindProfile(profile_name);
  if (!profile) {
    std::string known;
    for (const NetworkProfile& p : BuiltinProfiles()) known += (known.empty() ? "" : ", ") + p.name;
    throw InputError("--profile: unknown profile \"" + profile_name + "\" (built-in: " + known +
                     ", or one of the budget's \"profiles\")");
  }
  report.profile = *profile;

  // Sizes first: a broken build is an input error before any browser starts.
  CheckInput input;
  input.path = flags.path;
  input.budget = budget;
  input.threads = flags.threads;
  if (!flags.no_cache) input.cache_directory = SizeCache::DefaultDirectory();
  CheckReport check = RunCheck(input);
  for (const std::string& warning : check.warnings) std::cerr << "npsbundle: warning: " << warning << "\n";
  for (MeasuredGroup& group : PlanMeasurement(check, budget.routes, report.profile, report.encoding, &report.notes)) {
    if (!Selected(group, flags.pages)) continue;
    if (group.kind == MeasuredGroup::Kind::kPageTransition && !flags.start.empty() && group.path == start_path) {
      report.notes.push_back(group.label + ": the start page itself (--start); no transition to it");
      continue;
    }
    report.groups.push_back(std::move(group));
  }
  for (const std::string& page : flags.pages) {
    bool known = std::any_of(report.groups.begin(), report.groups.end(),
                             [&](const MeasuredGroup& g) { return g.label == page || g.key == page; });
    if (!known) throw InputError("--pages: no routed lazy page \"" + page + "\" in " + flags.path);
  }
  if (report.groups.empty()) throw InputError(flags.path + ": nothing to measure: no HTML entry");

  // The same server as `serve`, with its defaults (no route hints: the
  // estimate models a page without them), on a free loopback port.
  ServeOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.base = NormalizeBase(flags.base);
  options.quiet = true;
  options.levels = budget.levels;
  options.proxy = proxy;  // the app's /api answers in the browser as it does under serve
  options.proxy_timeout_ms = proxy_timeout_ms;
  // Every variant made before the first page load, so the bytes timed are
  // the brotli bytes `check` measures, not identity bodies served early.
  options.precompress = Precompress::kWait;
  // --https: serve's development certificate, with h2 offered by ALPN as
  // `serve --https` does. Made before the browser starts, which must be told
  // to trust exactly this certificate's key.
  options.https = flags.https;
  options.http2 = flags.https;
  // No 103 Early Hints either (serve's default under --https): the estimate
  // models a page whose files are found in its HTML, and the tolerance was
  // measured so.
  options.early_hints = false;
  StaticServer server(options, nullptr);
  std::vector<std::string> trusted;
  if (server.https()) trusted.push_back(server.certificate().info.spki_sha256_base64);

  // The server writes to the browser's sockets; a browser that went away
  // must show up as an error, not kill the process with SIGPIPE.
  signal(SIGPIPE, SIG_IGN);
  std::unique_ptr<BrowserProcess> browser = BrowserProcess::Launch(flags.browser, nullptr, trusted);
  browser_group = browser->pid();
  // Declared after `browser`, so destroyed first: no signal can target the
  // group of a browser already reaped.
  struct GroupReset {
    ~GroupReset() { browser_group = 0; }
  } group_reset;
  struct sigaction on_signal {};
  on_signal.sa_handler = KillBrowserAndExit;
  sigaction(SIGINT, &on_signal, nullptr);
  sigaction(SIGTERM, &on_signal, nullptr);

  std::unique_ptr<BundleSource> source = OpenBundle(flags.path);
  IndexReport index_report;
  server.SetIndex(IndexForServe(*source, options, &index_report));
  for (const std::string& warning : index_report.warnings) std::cerr << "npsbundle: warning: " << warning << "\n";
  server.Start();

  report.browser = BrowserVersion(browser->cdp(), std::min(deadline, std::chrono::steady_clock::now() + std::chrono::seconds(30)));
  BrowserMeasureOptions measure;
  measure.base_url = server.url();
  measure.runs = flags.runs;
  measure.navigation_timeout_ms = flags.page_timeout_s * 1000;
  measure.deadline = deadline;
  if (!flags.start.empty()) measure.start_path = start_path;
  MeasureInBrowser(browser->cdp(), measure, check, &report);
  browser_group = 0;
  browser->Shutdown();
  server.Stop();

  std::cout << (flags.format == "json" ? RenderMeasureJson(report) : RenderMeasureText(report)) << std::flush;
  return ExitCode::kOk;
}

}  // namespace

void AddMeasureCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<MeasureFlags>();
  CLI::App* cmd = app.add_subcommand(
      "measure", "Load a build in headless Chromium on a throttled network and compare with the estimate");
  cmd->add_option("PATH", flags->path, "Build folder, or a .tar.gz/.zip of one")->required();
  AddConfigOptions(cmd, &flags->config_path, &flags->budget_path,
                   "its budget's timing profile, routes (pages to visit) and compression levels");
  cmd->add_option("--profile", flags->profile,
                  "Network profile (default: the budget's initialLoad rule's, else fast-3g)");
  cmd->add_option("-n,--runs", flags->runs, "Cold loads per entry and per page")->capture_default_str();
  cmd->add_option("-f,--format", flags->format, "Output format: text, json")->capture_default_str();
  cmd->add_option("--browser", flags->browser, "Chromium executable")->capture_default_str();
  cmd->add_option("--timeout", flags->timeout_s, "Seconds the whole measurement may take")->capture_default_str();
  cmd->add_option("--page-timeout", flags->page_timeout_s, "Seconds one navigation may take")->capture_default_str();
  cmd->add_option("--base", flags->base, "Vite's `base` the build was made with, e.g. /app/")->capture_default_str();
  cmd->add_option("--pages", flags->pages, "Lazy pages to visit, by label or key (default: every routed page)")
      ->delimiter(',');
  cmd->add_option("--start", flags->start,
                  "URL path below the base that page transitions start from (default: "
                  "/npsbundle-measure-start, which no route names)");
  cmd->add_option("-j,--jobs", flags->threads, "Compression threads (default: one per core)");
  cmd->add_flag("--no-cache", flags->no_cache, "Neither read nor write the size cache");
  cmd->add_flag("--https", flags->https,
                "Serve over TLS and HTTP/2 with serve's development certificate, trusted by Chromium by its "
                "SPKI hash (default: plain HTTP/1.1)");
  AddProxyOptions(cmd, &flags->proxy);
  cmd->callback([flags, action] { *action = [flags] { return RunMeasure(*flags); }; });
}

}  // namespace npsbundle
