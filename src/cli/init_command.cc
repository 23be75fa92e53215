// `npsbundle init`: measures a build and prints a starter budget for it.
#include <filesystem>
#include <iostream>

#include "budget/check.h"
#include "cli/cli.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "budget/init.h"

namespace npsbundle {
namespace {

struct InitFlags {
  std::string path;
  std::string output;
  std::string config_path, budget_path;
  std::string cache_directory;
  bool no_cache = false;
  double headroom_percent = 10;
  bool force = false;
};

ExitCode RunInit(const InitFlags& flags) {
  if (flags.headroom_percent < 0 || flags.headroom_percent > 1000) {
    throw InputError("--headroom: expected a percentage from 0 to 1000");
  }
  if (!flags.output.empty() && !flags.force && std::filesystem::exists(flags.output)) {
    throw InputError(flags.output + ": already exists (use --force to replace it)");
  }
  // The limits it writes are in the bytes `check` counts.
  CheckInput input =
      MeasureOnlyInput(flags.path, flags.config_path, flags.budget_path, flags.cache_directory, flags.no_cache);
  std::string budget = StarterBudget(RunCheck(input), flags.headroom_percent / 100.0);
  if (flags.output.empty()) {
    std::cout << budget;
    return ExitCode::kOk;
  }
  // Atomic: an existing budget is replaced whole or left as it was.
  WriteFileAtomically(flags.output, budget);
  std::cerr << "npsbundle: wrote " << flags.output << "\n";
  return ExitCode::kOk;
}

}  // namespace

void AddInitCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<InitFlags>();
  CLI::App* cmd = app.add_subcommand("init", "Print a starter budget file for a build (today's sizes + headroom)");
  cmd->add_option("path", flags->path, "Build folder (dist/) or archive of one")->required();
  cmd->add_option("-o,--output", flags->output, "Write the budget to FILE instead of stdout");
  cmd->add_option("--headroom", flags->headroom_percent, "Headroom above today's sizes, in percent")
      ->capture_default_str();
  cmd->add_flag("--force", flags->force, "Replace FILE if it exists");
  AddConfigOptions(cmd, &flags->config_path, &flags->budget_path, "its budget's compression levels are used");
  cmd->add_option("--cache", flags->cache_directory, "Size cache folder (as for check)");
  cmd->add_flag("--no-cache", flags->no_cache, "Compress every file; neither read nor write the size cache");
  cmd->callback([flags, action] { *action = [flags] { return RunInit(*flags); }; });
}

}  // namespace npsbundle
