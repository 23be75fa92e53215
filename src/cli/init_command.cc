// `npsbundle init`: measures a build and prints a starter budget for it.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "budget/check.h"
#include "cli/cli.h"
#include "core/error.h"
#include "budget/init.h"

namespace npsbundle {
namespace {

struct InitFlags {
  std::string path;
  std::string output;
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
  CheckInput input;
  input.path = flags.path;
  Budget measure_only;  // no limits: every file measured, no rule evaluated
  input.budget = measure_only;
  input.progress = TerminalProgress();
  std::string budget = StarterBudget(RunCheck(input), flags.headroom_percent / 100.0);
  if (flags.output.empty()) {
    std::cout << budget;
    return ExitCode::kOk;
  }
  std::ofstream out(flags.output, std::ios::binary | std::ios::trunc);
  out << budget;
  if (!out) throw InputError(flags.output + ": cannot write file");
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
  cmd->callback([flags, action] { *action = [flags] { return RunInit(*flags); }; });
}

}  // namespace npsbundle
