// `npsbundle check` and `npsbundle init`: argument parsing and output only;
// the work happens in check.cc, analysis.cc and the renderers.
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "budget/check.h"
#include "budget/config.h"
#include "cli/cli.h"
#include "core/atomic_file.h"
#include "budget/diff.h"
#include "budget/report_reader.h"
#include "core/error.h"
#include "report/report.h"
#include "report/report_diff.h"
#include "build/size_cache.h"

namespace npsbundle {
namespace {

struct CheckFlags {
  std::string path;
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

Budget ResolveBudget(const CheckFlags& flags) {
  Budget budget = ResolveConfig(flags.config_path, flags.budget_path).budget;
  // Flags override the file field by field: one schema for both.
  if (flags.gzip_level) budget.levels.gzip_level = *flags.gzip_level;
  if (flags.brotli_quality) budget.levels.brotli_quality = *flags.brotli_quality;
  ValidateLevels(budget.levels, "compression levels");
  if (!flags.initial.empty()) budget.initial = FlagLimit("--initial", flags.initial);
  if (!flags.chunk.empty()) budget.chunk = FlagLimit("--chunk", flags.chunk);
  if (!flags.route_cost.empty()) budget.route_cost = FlagLimit("--route-cost", flags.route_cost);
  return budget;
}

bool UseColor() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::string(term) == "dumb") return false;
  return isatty(STDOUT_FILENO);
}

ExitCode RunCheckCommand(const CheckFlags& flags) {
  ReportFormat format;
  if (!ParseReportFormat(flags.format, &format)) {
    throw InputError("--format: unknown format \"" + flags.format + "\" (text, json, junit, github, markdown, html)");
  }
  CheckInput input;
  input.path = flags.path;
  input.manifest_path = flags.manifest_path;
  input.budget = ResolveBudget(flags);
  input.threads = flags.threads;
  input.zstd = flags.zstd;
  input.progress = TerminalProgress();
  if (!flags.no_cache) {
    input.cache_directory = flags.cache_directory.empty() ? SizeCache::DefaultDirectory() : flags.cache_directory;
  }
  // Read the baseline first: a wrong path should fail before minutes of brotli.
  std::optional<CheckReport> baseline;
  if (!flags.baseline.empty()) baseline = LoadJsonReport(flags.baseline);
  CheckReport report = RunCheck(input);
  for (const std::string& warning : report.warnings) std::cerr << "npsbundle: warning: " << warning << "\n";
  RenderOptions options;
  // Annotations point at files only when the input is a folder on disk.
  std::error_code ec;
  if (std::filesystem::is_directory(report.input, ec)) options.annotation_folder = report.input;
  std::optional<ReportDiff> diff;
  if (baseline) {
    diff = DiffReports(*baseline, report, flags.baseline);
    EvaluateGrowthRules(input.budget, *diff, &report);
    options.diff = &*diff;
  }
  options.all = flags.all;
  std::string output = flags.output;
  if (output.empty() && format == ReportFormat::kHtml) output = kDefaultHtmlReport;
  if (output == "-") output.clear();  // "--output -": stdout, for any format
  if (output.empty()) {
    options.color = format == ReportFormat::kText && UseColor();
    std::cout << RenderReport(report, format, options) << std::flush;
  } else {
    WriteFileAtomically(output, RenderReport(report, format, options));
    std::cerr << VerdictLine(report) << " (report written to " << output << ")\n";
  }
  return report.passed() ? ExitCode::kOk : ExitCode::kBudgetExceeded;
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
  cmd->add_option("path", flags->path, "Build folder (dist/) or archive of one")->required();
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
