#include "cli/cli.h"

#include <iostream>

#include "core/error.h"

namespace npsbundle {

void AddConfigOptions(CLI::App* cmd, std::string* config_path, std::string* budget_path, const std::string& uses) {
  cmd->add_option("--config", *config_path,
                  "Config file (default: ./npsbundle.config.json if present); " + uses);
  cmd->add_option("-b,--budget", *budget_path,
                  "Budget file or preset (nps, default), replacing the config's budget "
                  "(default: the config's, else ./npsbundle.budget.json, else the built-in app-neutral budget)");
}

int RunCli(int argc, char** argv) {
  CLI::App app{"npsbundle: performance budgets and production-like serving for Vite builds"};
  app.set_version_flag("--version", std::string("npsbundle ") + NPSBUNDLE_VERSION);
  app.require_subcommand(1);
  CommandAction action;
  AddCheckCommand(app, &action);
  AddDiffCommand(app, &action);
  AddInitCommand(app, &action);
  AddNginxCommand(app, &action);
  AddServeCommand(app, &action);
  AddCompressCommand(app, &action);
  AddMeasureCommand(app, &action);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "npsbundle: error: " << e.what() << " (see npsbundle --help)\n";
    return ToInt(ExitCode::kInputError);
  }
  try {
    return ToInt(action());
  } catch (const BrowserError& e) {
    std::cerr << "npsbundle: error: " << e.what() << "\n";
    return ToInt(e.code());
  } catch (const InputError& e) {
    std::cerr << "npsbundle: error: " << e.what() << "\n";
    return ToInt(ExitCode::kInputError);
  } catch (const std::exception& e) {
    std::cerr << "npsbundle: error: " << e.what() << "\n";
    return ToInt(ExitCode::kInputError);
  }
}

}  // namespace npsbundle
