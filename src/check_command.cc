#include <iostream>

#include "cli.h"

namespace npsbundle {

void AddCheckCommand(CLI::App& app, CommandAction* action) {
  CLI::App* cmd = app.add_subcommand("check", "Measure a Vite build and check it against a budget");
  cmd->callback([action] { *action = [] { return ExitCode::kOk; }; });
}

void AddInitCommand(CLI::App& app, CommandAction* action) {
  CLI::App* cmd = app.add_subcommand("init", "Write a starter budget file for a build");
  cmd->callback([action] { *action = [] { return ExitCode::kOk; }; });
}

}  // namespace npsbundle
