#ifndef NPSBUNDLE_CLI_CLI_H_
#define NPSBUNDLE_CLI_CLI_H_

#include <functional>

#include <CLI/CLI.hpp>

#include "budget/check.h"
#include "core/exit_codes.h"

namespace npsbundle {

// What a subcommand does once its arguments are parsed. Each Add*Command
// registers a subcommand on `app` and, when CLI11 selects it, stores its
// action in `*action`. Actions throw InputError for bad input; RunCli is the
// one place that catches it.
using CommandAction = std::function<ExitCode()>;

void AddCheckCommand(CLI::App& app, CommandAction* action);     // check_command.cc
void AddDiffCommand(CLI::App& app, CommandAction* action);      // check_command.cc
void AddInitCommand(CLI::App& app, CommandAction* action);      // init_command.cc
void AddCompressCommand(CLI::App& app, CommandAction* action);  // compress_command.cc
void AddServeCommand(CLI::App& app, CommandAction* action);     // serve_command.cc
void AddNginxCommand(CLI::App& app, CommandAction* action);     // nginx_command.cc
void AddMeasureCommand(CLI::App& app, CommandAction* action);   // measure_command.cc
void AddWhyCommand(CLI::App& app, CommandAction* action);       // why_command.cc

// Adds --config FILE and -b,--budget FILE|PRESET to a command that reads the
// configuration (check, diff, init, measure, serve, nginx), with one help
// text for the lookup order of budget/config.h (ResolveConfig). `uses` says
// what the command takes from it.
void AddConfigOptions(CLI::App* cmd, std::string* config_path, std::string* budget_path, const std::string& uses);

// Progress for MeasureOptions::progress: "measuring 812/1,544 files" on
// stderr, rewritten in place, when stderr is a terminal; an empty function
// (no output at all) when it is not, as in CI logs and pipes. The line is
// erased once every file is measured.
std::function<void(size_t done, size_t total)> TerminalProgress();

// The CheckInput of a command that needs the build's sizes but no verdict
// (init, why): no rules, so every file is measured; the configured
// compression levels, so the bytes are those `check` counts; the size cache
// in `cache_directory` (empty: the default) unless `no_cache`; terminal
// progress.
CheckInput MeasureOnlyInput(const std::string& path, const std::string& config_path, const std::string& budget_path,
                            const std::string& cache_directory, bool no_cache);

// Parses argv, runs the chosen subcommand and returns the process exit code.
// Errors go to stderr as one line: "npsbundle: error: <message>" (exit 2, or
// the BrowserError's code). Any other exception is a bug: exit 70 with
// "npsbundle: internal error: <what>" and a line asking for a report.
int RunCli(int argc, char** argv);

}  // namespace npsbundle

#endif  // NPSBUNDLE_CLI_CLI_H_
