#ifndef NPSBUNDLE_CLI_CLI_H_
#define NPSBUNDLE_CLI_CLI_H_

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "budget/config.h"
#include "build/manifest.h"
#include "core/bundle_source.h"
#include "budget/check.h"
#include "core/exit_codes.h"
#include "policy/proxy_rules.h"

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
void AddDeployConfigCommand(CLI::App& app, CommandAction* action);  // deploy_config_command.cc
void AddMeasureCommand(CLI::App& app, CommandAction* action);   // measure_command.cc
void AddAuditCommand(CLI::App& app, CommandAction* action);     // audit_command.cc
void AddWhyCommand(CLI::App& app, CommandAction* action);       // why_command.cc

// Adds --config FILE and -b,--budget FILE|PRESET to a command that reads the
// configuration (check, diff, init, measure, serve, nginx), with one help
// text for the lookup order of budget/config.h (ResolveConfig). `uses` says
// what the command takes from it.
void AddConfigOptions(CLI::App* cmd, std::string* config_path, std::string* budget_path, const std::string& uses);

// --proxy PREFIX=URL (repeatable) and --proxy-timeout SECONDS, for serve,
// measure, nginx and deploy-config.
struct ProxyFlags {
  std::vector<std::string> rules;
  double timeout_s = kDefaultProxyTimeoutSeconds;
};
void AddProxyOptions(CLI::App* cmd, ProxyFlags* flags);
// The config file's serve.proxy rules, then the flags' (a flag replaces the
// config's rule for the same prefix). Throws InputError naming the flag or
// the file and field.
std::vector<ProxyRule> ResolveProxyRules(const Config& config, const ProxyFlags& flags);
// --proxy-timeout in milliseconds; InputError unless 0 < seconds <= 1 day.
int ProxyTimeoutMs(const ProxyFlags& flags);
// The same rounded up to whole seconds, for the generated host configs
// (nginx, Caddy), whose timeouts are written in seconds.
int ProxyTimeoutSeconds(const ProxyFlags& flags);
// The manifest of `source` (Vite's, or read from index.html) for a command
// that cannot work without one (nginx, deploy-config): warnings go to
// stderr; InputError when there is none. Sets `*display_path` to the
// manifest's path as the user should read it.
Manifest RequireManifest(const BundleSource& source, const std::string& manifest_path,
                         std::string* display_path);

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
