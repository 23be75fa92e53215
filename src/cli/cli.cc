#include "cli/cli.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <iostream>
#include <stdexcept>

#include "budget/check.h"
#include "build/html_entry.h"
#include "budget/config.h"
#include "build/size_cache.h"
#include "core/error.h"

namespace npsbundle {
namespace {

// Test-only: NPSBUNDLE_TEST_INTERNAL_ERROR=1 makes the chosen command throw
// an unexpected exception, so the suite can check the exit-70 path end to
// end. Not a user-facing switch; documented here only.
void MaybeThrowTestInternalError() {
  const char* value = std::getenv("NPSBUNDLE_TEST_INTERNAL_ERROR");
  if (value && std::string(value) == "1") throw std::logic_error("test-only failure (NPSBUNDLE_TEST_INTERNAL_ERROR=1)");
}

// A bug, not bad input: its own exit code and a plea to report it.
int ReportInternalError(const std::string& what, int argc, char** argv) {
  std::string command_line;
  for (int i = 0; i < argc; ++i) command_line += (i ? " " : "") + std::string(argv[i]);
  std::cerr << "npsbundle: internal error: " << what << "\n"
            << "npsbundle: this is a bug in npsbundle; please report it with the command line: " << command_line
            << "\n";
  return ToInt(ExitCode::kInternalError);
}

}  // namespace

void AddConfigOptions(CLI::App* cmd, std::string* config_path, std::string* budget_path, const std::string& uses) {
  cmd->add_option("--config", *config_path,
                  "Config file (default: ./npsbundle.config.json if present); " + uses);
  cmd->add_option("-b,--budget", *budget_path,
                  "Budget file or preset (nps, default), replacing the config's budget "
                  "(default: the config's, else ./npsbundle.budget.json, else the built-in app-neutral budget)");
}

void AddProxyOptions(CLI::App* cmd, ProxyFlags* flags) {
  cmd->add_option("--proxy", flags->rules,
                  "PREFIX=URL: send PREFIX and paths under it to an http:// backend, WebSockets "
                  "included (repeatable; adds to the config's serve.proxy)");
  cmd->add_option("--proxy-timeout", flags->timeout_s,
                  "Seconds to wait for a backend's response head, and the longest silence inside "
                  "a proxied stream or WebSocket")
      ->capture_default_str();
}

std::vector<ProxyRule> ResolveProxyRules(const Config& config, const ProxyFlags& flags) {
  std::vector<ProxyRule> rules;
  if (config.serve) rules = ParseProxyConfig(*config.serve, config.path.empty() ? "config" : config.path);
  for (const std::string& value : flags.rules) {
    ProxyRule rule = ParseProxyFlag(value);
    std::erase_if(rules, [&rule](const ProxyRule& old) { return old.prefix == rule.prefix; });
    rules.push_back(std::move(rule));
  }
  ValidateProxyRules(rules);
  return rules;
}

int ProxyTimeoutMs(const ProxyFlags& flags) {
  if (!(flags.timeout_s > 0) || flags.timeout_s > 86400) {
    throw InputError("--proxy-timeout " + std::to_string(flags.timeout_s) + ": expected seconds in (0, 86400]");
  }
  return std::max(1, static_cast<int>(flags.timeout_s * 1000));
}

int ProxyTimeoutSeconds(const ProxyFlags& flags) { return std::max(1, (ProxyTimeoutMs(flags) + 999) / 1000); }

namespace {

// 1544 -> "1,544".
std::string Thousands(size_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

Manifest RequireManifest(const BundleSource& source, const std::string& manifest_path,
                         std::string* display_path) {
  std::vector<std::string> warnings;
  std::optional<Manifest> manifest = FindAndValidateManifest(source, manifest_path, &warnings);
  for (const std::string& warning : warnings) std::cerr << "npsbundle: warning: " << warning << "\n";
  if (!manifest) {
    throw InputError(source.name() + ": no Vite manifest and no module script in index.html (" +
                     std::string(kEnableViteManifest) + ")");
  }
  *display_path = manifest_path.empty() ? source.DisplayPath(manifest->path) : manifest_path;
  return std::move(*manifest);
}

CheckInput MeasureOnlyInput(const std::string& path, const std::string& config_path, const std::string& budget_path,
                            const std::string& cache_directory, bool no_cache) {
  CheckInput input;
  input.path = path;
  Budget measure_only;
  measure_only.levels = ResolveConfig(config_path, budget_path).budget.levels;
  input.budget = measure_only;
  if (!no_cache) input.cache_directory = cache_directory.empty() ? SizeCache::DefaultDirectory() : cache_directory;
  input.progress = TerminalProgress();
  return input;
}

std::function<void(size_t, size_t)> TerminalProgress() {
  if (!isatty(STDERR_FILENO)) return {};
  auto last = std::make_shared<std::chrono::steady_clock::time_point>();
  return [last](size_t done, size_t total) {
    auto now = std::chrono::steady_clock::now();
    if (done == total) {
      std::fprintf(stderr, "\r\033[K");
    } else if (now - *last >= std::chrono::milliseconds(100)) {
      *last = now;
      std::fprintf(stderr, "\rmeasuring %s/%s files", Thousands(done).c_str(), Thousands(total).c_str());
    }
    std::fflush(stderr);
  };
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
  AddDeployConfigCommand(app, &action);
  AddServeCommand(app, &action);
  AddCompressCommand(app, &action);
  AddMeasureCommand(app, &action);
  AddAuditCommand(app, &action);
  AddWhyCommand(app, &action);
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
    MaybeThrowTestInternalError();
    return ToInt(action());
  } catch (const BrowserError& e) {
    std::cerr << "npsbundle: error: " << e.what() << "\n";
    return ToInt(e.code());
  } catch (const InputError& e) {
    std::cerr << "npsbundle: error: " << e.what() << "\n";
    return ToInt(ExitCode::kInputError);
  } catch (const std::exception& e) {
    return ReportInternalError(e.what(), argc, argv);
  } catch (...) {
    return ReportInternalError("an exception of unknown type", argc, argv);
  }
}

}  // namespace npsbundle
