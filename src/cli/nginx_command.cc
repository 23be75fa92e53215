// `npsbundle nginx`: argument parsing and output only; the config is
// written by GenerateNginxConfig (nginx.cc).
#include <algorithm>
#include <iostream>

#include "budget/config.h"
#include "core/bundle_source.h"
#include "budget/check.h"
#include "build/html_entry.h"
#include "cli/cli.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "deploy/nginx.h"

namespace npsbundle {
namespace {

struct NginxFlags {
  std::string path;
  std::string manifest_path;
  std::string config_path;
  std::string budget_path;
  std::string output;
  NginxOptions options;
  ProxyFlags proxy;
};

ExitCode RunNginx(NginxFlags flags) {
  std::unique_ptr<BundleSource> source = OpenBundle(flags.path);
  Manifest manifest =
      RequireManifest(*source, flags.manifest_path, &flags.options.manifest_display_path);
  Config project = ResolveConfig(flags.config_path, flags.budget_path);
  flags.options.routes = project.budget.routes;
  flags.options.proxy = ResolveProxyRules(project, flags.proxy);
  flags.options.proxy_timeout_s = ProxyTimeoutSeconds(flags.proxy);
  std::string config = GenerateNginxConfig(manifest, flags.options);
  if (flags.output.empty() || flags.output == "-") {
    std::cout << config;
    return ExitCode::kOk;
  }
  // Atomic, so a running nginx reloading meanwhile never reads half a file.
  WriteFileAtomically(flags.output, config);
  std::cerr << "npsbundle: wrote " << flags.output << "\n";
  return ExitCode::kOk;
}

}  // namespace

void AddNginxCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<NginxFlags>();
  NginxOptions& options = flags->options;
  CLI::App* cmd = app.add_subcommand(
      "nginx", "Print an nginx server block serving a build like `npsbundle serve` does");
  cmd->add_option("path", flags->path, "Build folder (dist/) or archive of one")->required();
  cmd->add_option("--root", options.root, "Folder holding the build on the server")
      ->capture_default_str();
  cmd->add_option("--base", options.base, "Vite's `base` (\"/app/\" for a build made with it)")
      ->capture_default_str();
  cmd->add_option("--server-name", options.server_name, "The server_name directive's names")
      ->capture_default_str();
  cmd->add_option("--listen", options.listen, "The listen directive's argument")
      ->capture_default_str();
  cmd->add_option("--snippets", options.snippets_dir,
                  "Where nginx-snippets/ is installed on the server")
      ->capture_default_str();
  cmd->add_option("--nginx-version", options.nginx_version,
                  "The server's nginx version: 1.29 or later also relays 103 Early Hints")
      ->capture_default_str();
  AddConfigOptions(cmd, &flags->config_path, &flags->budget_path,
                   "its budget's `routes` map adds per-route preload hints");
  cmd->add_option("--manifest", flags->manifest_path, "Manifest file, if not inside the build");
  cmd->add_option("-o,--output", flags->output, "Write the config to FILE instead of stdout");
  AddProxyOptions(cmd, &flags->proxy);
  cmd->callback([flags, action] { *action = [flags] { return RunNginx(*flags); }; });
}

}  // namespace npsbundle
