#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>

#include "budget/budget.h"
#include "budget/config.h"
#include "cli/cli.h"
#include "deploy/precompress.h"
#include "core/units.h"

namespace npsbundle {
namespace {

struct CompressFlags {
  std::string path;
  std::string min_saving = "5%";
  std::string budget;
  std::optional<int> gzip_level;
  std::optional<int> brotli_quality;
  bool force = false;
  bool maps = false;
};

ExitCode RunCompress(const CompressFlags& flags) {
  CompressOptions options;
  if (!flags.budget.empty()) options.levels = LoadBudgetFile(flags.budget).levels;
  if (flags.gzip_level) options.levels.gzip_level = *flags.gzip_level;
  if (flags.brotli_quality) options.levels.brotli_quality = *flags.brotli_quality;
  options.min_saving_percent = ParsePercent(flags.min_saving, "--min-saving");
  options.force = flags.force;
  options.include_maps = flags.maps;
  bool tty = isatty(STDERR_FILENO);
  CompressProgress progress;
  if (tty) {
    progress = [](size_t done, size_t total, uint64_t saved) {
      constexpr int kWidth = 30;
      int filled = total ? static_cast<int>(done * kWidth / total) : kWidth;
      std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu files, %s saved (br)", filled,
                   "##############################", kWidth - filled, "", done, total,
                   FormatKb(saved).c_str());
      std::fflush(stderr);
    };
  }
  CompressResult result = CompressFolder(flags.path, options, progress);
  if (tty && result.files > 0) std::fprintf(stderr, "\n");
  std::printf(
      "compress %s: %zu text files: wrote %zu variants (%zu replaced stale ones), %zu up to "
      "date, %zu below the %g%% margin, %zu stale removed; br saves %s and gzip %s of %s\n",
      flags.path.c_str(), result.files, result.written, result.stale, result.up_to_date,
      result.below_margin, options.min_saving_percent, result.removed,
      FormatKb(result.br_saved).c_str(), FormatKb(result.gzip_saved).c_str(),
      FormatKb(result.original_bytes).c_str());
  if (result.maps_skipped > 0) {
    std::printf("compress %s: left %zu source maps alone (--maps compresses them too)\n",
                flags.path.c_str(), result.maps_skipped);
  }
  if (result.leftovers_removed > 0) {
    std::fprintf(stderr, "npsbundle: warning: %s: removed %zu temporary files left by an interrupted run\n",
                 flags.path.c_str(), result.leftovers_removed);
  }
  return ExitCode::kOk;
}

}  // namespace

void AddCompressCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<CompressFlags>();
  CLI::App* cmd = app.add_subcommand(
      "compress", "Write .br and .gz beside every text file of a build folder");
  cmd->add_option("PATH", flags->path, "Build folder (e.g. dist)")->required();
  cmd->add_option("--min-saving", flags->min_saving,
                  "Write a variant only when it is at least this much smaller")
      ->capture_default_str();
  cmd->add_option("--gzip-level", flags->gzip_level, "gzip level 1..9 (default 9)");
  cmd->add_option("--brotli-quality", flags->brotli_quality, "brotli quality 0..11 (default 11)");
  cmd->add_option("--budget", flags->budget, "Take the levels from this budget file's `compression`");
  cmd->add_flag("--force", flags->force, "Rewrite variants that are already up to date");
  cmd->add_flag("--maps", flags->maps, "Compress source maps (*.map) too; off by default");
  cmd->callback([flags, action] { *action = [flags] { return RunCompress(*flags); }; });
}

}  // namespace npsbundle
