// `npsbundle check` and `npsbundle init`: argument parsing and output only;
// the work happens in check.cc, analysis.cc and the renderers.
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>

#include "budget/apps.h"
#include "budget/check.h"
#include "budget/config.h"
#include "cli/cli.h"
#include "core/atomic_file.h"
#include "budget/diff.h"
#include "budget/report_reader.h"
#include "core/error.h"
#include "report/report.h"
#include "report/report_apps.h"
#include "report/report_diff.h"
#include "build/size_cache.h"

namespace npsbundle {
namespace {

struct CheckFlags {
  std::vector<std::string> paths;  // builds; globs expanded (budget/apps.h); empty: the config's apps
  std::string config_path;
  std::string budget_path;
  std::string manifest_path;
  std::string format = "text";
  std::string output;
  std::optional<int> gzip_level, brotli_quality;
  std::string initial, chunk, route_cost;
  unsigned threads = 0;
  std::string cache_directory;
  bool no_cache = false;
  std::string baseline;  // JSON report to compare with (check --baseline)
  bool zstd = false;
  bool all = false;  // every row and finding, not one screen
};

// Where `check --format html` writes without --output: an HTML page on a
// terminal (or in a CI log) helps nobody.
constexpr const char* kDefaultHtmlReport = "npsbundle-report.html";

SizeLimit FlagLimit(const std::string& flag, const std::string& text) {
  SizeLimit limit;
  std::string error;
  if (!ParseSizeLimit(text, &limit, &error)) throw InputError(flag + ": " + error);
  return limit;
}

// The budget flags applied over `budget`.
Budget ApplyBudgetFlags(Budget budget, const CheckFlags& flags) {
  // Flags override the file field by field: one schema for both.
  if (flags.gzip_level) budget.levels.gzip_level = *flags.gzip_level;
  if (flags.brotli_quality) budget.levels.brotli_quality = *flags.brotli_quality;
  ValidateLevels(budget.levels, "compression levels");
  if (!flags.initial.empty()) budget.initial = FlagLimit("--initial", flags.initial);
  if (!flags.chunk.empty()) budget.chunk = FlagLimit("--chunk", flags.chunk);
  if (!flags.route_cost.empty()) budget.route_cost = FlagLimit("--route-cost", flags.route_cost);
  return budget;
}

Budget ResolveBudget(const CheckFlags& flags) {
  return ApplyBudgetFlags(ResolveConfig(flags.config_path, flags.budget_path).budget, flags);
}

// The apps to check: the paths given (each matched to the config's app of
// the same path for its name and budget), else the config's `apps`. The
// budget flags apply to every app; --budget replaces every app's budget.
std::vector<AppSpec> ResolveApps(const CheckFlags& flags) {
  Config config = ResolveConfig(flags.config_path, flags.budget_path);
  std::vector<AppSpec> configured = ParseApps(config);
  std::vector<AppSpec> apps;
  if (flags.paths.empty()) {
    if (configured.empty()) {
      throw InputError("check: name a build folder or archive (or list \"apps\" in " + std::string(kProjectConfigFile) +
                       ")");
    }
    apps = configured;
  } else {
    std::vector<std::string> names;
    for (const std::string& path : ExpandBuildPaths(flags.paths)) {
      AppSpec app{AppNameOf(path), path, config.budget};
      std::string normal = std::filesystem::path(path).lexically_normal().string();
      while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
      for (const AppSpec& known : configured) {
        if (known.path == normal) app = AppSpec{known.name, path, known.budget};
      }
      names.push_back(app.name);
      apps.push_back(std::move(app));
    }
    names = UniqueNames(names);
    for (size_t i = 0; i < apps.size(); ++i) apps[i].name = names[i];
  }
  for (AppSpec& app : apps) {
    if (!flags.budget_path.empty()) app.budget = config.budget;
    app.budget = ApplyBudgetFlags(std::move(app.budget), flags);
  }
  return apps;
}

bool UseColor() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string(term) == "dumb") return false;
  return isatty(STDOUT_FILENO);
}

CheckInput MakeCheckInput(const CheckFlags& flags, const AppSpec& app) {
  CheckInput input;
  input.path = app.path;
  input.manifest_path = flags.manifest_path;
  input.budget = app.budget;
  input.threads = flags.threads;
  input.zstd = flags.zstd;
  input.progress = TerminalProgress();
  if (!flags.no_cache) {
    input.cache_directory = flags.cache_directory.empty() ? SizeCache::DefaultDirectory() : flags.cache_directory;
  }
  return input;
}

// The baseline of each app, paired by name: a report of one build pairs
// with a run of one app; a monorepo report's apps pair with the apps of the
// same name (an app it lacks is compared with nothing, with a warning).
std::vector<std::optional<CheckReport>> LoadBaselines(const std::string& path, const std::vector<AppSpec>& apps) {
  std::vector<std::optional<CheckReport>> out(apps.size());
  if (path.empty()) return out;
  std::vector<NamedReport> reports = LoadJsonReports(path);
  if (reports.size() == 1 && reports.front().name.empty()) {
    if (apps.size() > 1) {
      throw InputError(path + ": a report of one build; with several apps, --baseline takes a report of them all "
                       "(check with the same apps --format json)");
    }
    out.front() = std::move(reports.front().report);
    return out;
  }
  for (size_t i = 0; i < apps.size(); ++i) {
    for (NamedReport& named : reports) {
      if (named.name == apps[i].name) out[i] = std::move(named.report);
    }
    if (!out[i]) {
      if (apps.size() == 1) throw InputError(path + ": no app named \"" + apps[i].name + "\" in this report");
      std::cerr << "npsbundle: warning: " << path << " has no app \"" << apps[i].name << "\": it is not compared\n";
    }
  }
  return out;
}

// The folder annotations point into, when the input is a folder on disk.
std::string AnnotationFolder(const CheckReport& report) {
  std::error_code ec;
  return std::filesystem::is_directory(report.input, ec) ? report.input : "";
}

// Prints the report, or writes it to --output with the verdict on stderr.
void Emit(const CheckFlags& flags, ReportFormat format, const std::function<std::string(bool color)>& render,
          const std::string& verdict) {
  std::string output = flags.output;
  if (output.empty() && format == ReportFormat::kHtml) output = kDefaultHtmlReport;
  if (output == "-") output.clear();  // "--output -": stdout, for any format
  if (output.empty()) {
    std::cout << render(format == ReportFormat::kText && UseColor()) << std::flush;
  } else {
    WriteFileAtomically(output, render(false));
    std::cerr << verdict << " (report written to " << output << ")\n";
  }
}

ExitCode RunCheckCommand(const CheckFlags& flags) {
  ReportFormat format;
  if (!ParseReportFormat(flags.format, &format)) {
    throw InputError("--format: unknown format \"" + flags.format + "\" (text, json, junit, github, markdown, html)");
  }
  std::vector<AppSpec> apps = ResolveApps(flags);
  bool several = apps.size() > 1;
  if (several && !flags.manifest_path.empty()) throw InputError("--manifest: names one build's manifest; give one build");
  // Read the baseline first: a wrong path should fail before minutes of brotli.
  std::vector<std::optional<CheckReport>> baselines = LoadBaselines(flags.baseline, apps);
  std::vector<CheckReport> reports;
  std::vector<std::optional<ReportDiff>> diffs(apps.size());
  for (size_t i = 0; i < apps.size(); ++i) {
    CheckReport report;
    try {
      report = RunCheck(MakeCheckInput(flags, apps[i]));
    } catch (const InputError& e) {
      // With several apps, say which one; the message names the file.
      if (!several) throw;
      throw InputError("app " + apps[i].name + ": " + e.what());
    }
    for (const std::string& warning : report.warnings) {
      std::cerr << "npsbundle: warning: " << (several ? apps[i].name + ": " : "") << warning << "\n";
    }
    if (baselines[i]) {
      diffs[i] = DiffReports(*baselines[i], report, flags.baseline);
      EvaluateGrowthRules(apps[i].budget, *diffs[i], &report);
    }
    reports.push_back(std::move(report));
  }
  RenderOptions options;
  options.all = flags.all;
  if (!several) {
    const CheckReport& report = reports.front();
    options.annotation_folder = AnnotationFolder(report);
    if (diffs.front()) options.diff = &*diffs.front();
    Emit(flags, format, [&](bool color) {
      options.color = color;
      return RenderReport(report, format, options);
    }, VerdictLine(report));
    return report.passed() ? ExitCode::kOk : ExitCode::kBudgetExceeded;
  }
  std::vector<AppReport> views;
  for (size_t i = 0; i < apps.size(); ++i) {
    views.push_back({apps[i].name, apps[i].path, &reports[i], diffs[i] ? &*diffs[i] : nullptr,
                     AnnotationFolder(reports[i])});
  }
  Emit(flags, format, [&](bool color) {
    options.color = color;
    return RenderAppsReport(views, format, options);
  }, AppsVerdictLine(views));
  return AppsPassed(views) ? ExitCode::kOk : ExitCode::kBudgetExceeded;
}

}  // namespace

namespace {

struct DiffFlags {
  std::string before, after;
  std::string config_path;
  std::string budget_path;
  std::string format = "text";
  std::string output;
  unsigned threads = 0;
  bool no_cache = false;
};

// One side of a diff: a saved JSON report, or a build measured now.
CheckReport LoadSide(const std::string& path, const Budget& budget, const DiffFlags& flags) {
  if (IsJsonReportFile(path)) return LoadJsonReport(path);
  CheckInput input;
  input.path = path;
  input.budget = budget;
  input.threads = flags.threads;
  if (!flags.no_cache) input.cache_directory = SizeCache::DefaultDirectory();
  return RunCheck(input);
}

ExitCode RunDiffCommand(const DiffFlags& flags) {
  ReportFormat format;
  if (!ParseReportFormat(flags.format, &format) ||
      (format != ReportFormat::kText && format != ReportFormat::kJson && format != ReportFormat::kMarkdown)) {
    throw InputError("--format: unknown format \"" + flags.format + "\" (text, json, markdown)");
  }
  CheckFlags check_flags;
  check_flags.config_path = flags.config_path;
  check_flags.budget_path = flags.budget_path;
  Budget budget = ResolveBudget(check_flags);
  CheckReport before = LoadSide(flags.before, budget, flags);
  CheckReport after = LoadSide(flags.after, budget, flags);
  ReportDiff diff = DiffReports(before, after, flags.before);
  CheckReport growth;  // holds only the maxGrowth results
  EvaluateGrowthRules(budget, diff, &growth);
  std::string text = RenderDiffReport(diff, flags.after, growth.rules, format);
  if (flags.output.empty()) {
    std::cout << text << std::flush;
  } else {
    WriteFileAtomically(flags.output, text);
    std::cerr << "npsbundle: " << DiffSummary(diff) << " (report written to " << flags.output << ")\n";
  }
  return growth.passed() ? ExitCode::kOk : ExitCode::kBudgetExceeded;
}

}  // namespace

void AddDiffCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<DiffFlags>();
  CLI::App* cmd = app.add_subcommand(
      "diff", "Compare two builds or JSON reports: per entry, lazy page, chunk and package");
  cmd->add_option("old", flags->before, "Baseline: build folder, archive or JSON report")->required();
  cmd->add_option("new", flags->after, "Current: build folder, archive or JSON report")->required();
  AddConfigOptions(cmd, &flags->config_path, &flags->budget_path,
                   "its budget's maxGrowth limits apply (and levels for builds)");
  cmd->add_option("-f,--format", flags->format, "Output format: text, json, markdown")->capture_default_str();
  cmd->add_option("-o,--output", flags->output, "Write the output to FILE");
  cmd->add_option("-j,--jobs", flags->threads, "Compression threads (default: one per core)");
  cmd->add_flag("--no-cache", flags->no_cache, "Neither read nor write the size cache");
  cmd->callback([flags, action] { *action = [flags] { return RunDiffCommand(*flags); }; });
}

void AddCheckCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<CheckFlags>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Measure a Vite build (folder, .tar.gz or .zip) and check it against a budget");
  cmd->add_option("path", flags->paths,
                  "Build folders (dist/) or archives; several (apps/*/dist, a quoted glob too) make one report with a "
                  "section per app; none: the config's \"apps\"");
  AddConfigOptions(cmd, &flags->config_path, &flags->budget_path, "its budget is checked");
  cmd->add_option("--manifest", flags->manifest_path, "Vite manifest to use instead of the build's own");
  cmd->add_option("-f,--format", flags->format, "Report format: text, json, junit, github, markdown, html")
      ->capture_default_str();
  cmd->add_option("-o,--output", flags->output, "Write the report to FILE (\"-\": stdout); the verdict line goes to stderr (html: default " +
                      std::string(kDefaultHtmlReport) + ")");
  cmd->add_option("--gzip-level", flags->gzip_level, "gzip level 1-9 (overrides the budget's compression)");
  cmd->add_option("--brotli-quality", flags->brotli_quality, "brotli quality 0-11 (overrides the budget)");
  cmd->add_option("--initial", flags->initial, "Initial-load limit, e.g. \"500 kB gzip\" (overrides the budget)");
  cmd->add_option("--chunk", flags->chunk, "Per-chunk limit, e.g. \"250 kB raw\" (overrides the budget)");
  cmd->add_option("--route-cost", flags->route_cost, "Lazy-page limit, e.g. \"100 kB gzip\" (overrides the budget)");
  cmd->add_option("--cache", flags->cache_directory,
                  "Size cache folder (default: node_modules/.cache/npsbundle, else $XDG_CACHE_HOME/npsbundle)");
  cmd->add_flag("--no-cache", flags->no_cache, "Compress every file; neither read nor write the size cache");
  cmd->add_option("-j,--jobs", flags->threads, "Compression threads (default: one per core)");
  cmd->add_flag("--all", flags->all,
                "List every file, page and finding (by default the text report fits one screen and the Markdown "
                "one comment)");
  cmd->add_flag("--zstd", flags->zstd, "Also measure zstd (automatic when a limit is in zstd bytes)");
  cmd->add_option("--baseline", flags->baseline,
                  "JSON report of a previous build (check --format json) to compare with; enables maxGrowth rules");
  cmd->callback([flags, action] { *action = [flags] { return RunCheckCommand(*flags); }; });
}

}  // namespace npsbundle
