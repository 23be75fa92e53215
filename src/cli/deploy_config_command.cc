// `npsbundle deploy-config`: argument parsing and output only; the files are
// written by GenerateDeployConfig (deploy/deploy_config.cc).
#include <filesystem>
#include <iostream>
#include <optional>
#include <utility>

#include "budget/config.h"
#include "cli/cli.h"
#include "core/atomic_file.h"
#include "core/bundle_source.h"
#include "core/error.h"
#include "core/read_file.h"
#include "deploy/deploy_config.h"

namespace npsbundle {
namespace {

struct DeployFlags {
  std::string path;
  std::string target;
  std::string manifest_path;
  std::string config_path;
  std::string budget_path;
  std::string routes_path;
  std::string output;
  // Given flags override the configuration file's `deploy` section.
  std::string base, root, listen, server_name, snippets, nginx_version;
  // The config's serve.proxy rules and --proxy flags, as `npsbundle nginx`
  // takes them (nginx and caddy targets).
  ProxyFlags proxy;
};

std::string ReadRoutesFile(const std::string& path) {
  std::optional<std::string> text = ReadSmallFile(path);
  if (!text) throw InputError(path + ": cannot read the routes file");
  return std::move(*text);
}

DeploySettings Settings(const DeployFlags& flags) {
  DeploySettings settings;
  Config config = ResolveConfig(flags.config_path, flags.budget_path);
  if (config.deploy) ApplyDeploySection(*config.deploy, config.path, &settings);
  settings.common.routes = flags.routes_path.empty()
                               ? config.budget.routes
                               : ParseRoutesFile(ReadRoutesFile(flags.routes_path), flags.routes_path);
  if (!flags.base.empty()) settings.common.base = flags.base;
  if (!flags.root.empty()) settings.nginx.root = settings.caddy.root = flags.root;
  if (!flags.listen.empty()) settings.nginx.listen = settings.caddy.address = flags.listen;
  if (!flags.server_name.empty()) settings.nginx.server_name = flags.server_name;
  if (!flags.snippets.empty()) settings.nginx.snippets_dir = flags.snippets;
  if (!flags.nginx_version.empty()) settings.nginx.nginx_version = flags.nginx_version;
  settings.nginx.proxy = settings.caddy.proxy = ResolveProxyRules(config, flags.proxy);
  settings.nginx.proxy_timeout_s = settings.caddy.proxy_timeout_s = ProxyTimeoutSeconds(flags.proxy);
  return settings;
}

ExitCode RunDeployConfig(const DeployFlags& flags) {
  std::optional<DeployTarget> target = ParseDeployTarget(flags.target);
  if (!target) throw InputError("--target: \"" + flags.target + "\": not a known target");
  std::unique_ptr<BundleSource> source = OpenBundle(flags.path);
  std::string display_path;
  Manifest manifest = RequireManifest(*source, flags.manifest_path, &display_path);
  DeploySettings settings = Settings(flags);
  settings.common.manifest_display_path = display_path;
  std::vector<std::string> build_files;
  for (const SourceFile& file : source->files()) build_files.push_back(file.path);
  std::vector<DeployFile> files = GenerateDeployConfig(*target, manifest, build_files, settings);

  if (flags.output == "-" || (flags.output.empty() && !WritesIntoBuild(*target))) {
    for (const DeployFile& file : files) {
      // Several files to one stream: each after a line naming it.
      if (files.size() > 1) std::cout << "==> " << file.name << " <==\n";
      std::cout << file.text;
    }
    return ExitCode::kOk;
  }
  if (files.size() == 1) {
    // Atomic, so a server reloading meanwhile never reads half a file.
    WriteFileAtomically(flags.output, files[0].text);
    std::cerr << "npsbundle: wrote " << flags.output << "\n";
    return ExitCode::kOk;
  }
  std::string folder = flags.output;
  if (folder.empty()) {
    if (!source->on_disk()) {
      throw InputError(source->name() + ": an archive: give --output FOLDER for the " + flags.target +
                       " files");
    }
    folder = source->root_directory();
  }
  if (!std::filesystem::is_directory(folder)) {
    throw InputError("--output: \"" + folder + "\": not a folder");
  }
  for (const DeployFile& file : files) {
    std::string path = folder + "/" + file.name;
    if (file.only_if_missing && std::filesystem::exists(path)) {
      std::cerr << "npsbundle: kept " << path << " (the build's own)\n";
      continue;
    }
    WriteFileAtomically(path, file.text);
    std::cerr << "npsbundle: wrote " << path << "\n";
  }
  return ExitCode::kOk;
}

}  // namespace

void AddDeployConfigCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<DeployFlags>();
  CLI::App* cmd = app.add_subcommand(
      "deploy-config",
      "Write a host's config (nginx, Caddy, Cloudflare Pages, Netlify, Vercel) serving a build "
      "like `npsbundle serve` does");
  cmd->add_option("path", flags->path, "Build folder (dist/) or archive of one")->required();
  std::string targets;
  for (std::string_view name : DeployTargetNames()) targets += (targets.empty() ? "" : "|") + std::string(name);
  cmd->add_option("--target", flags->target, targets)->required();
  cmd->add_option("-o,--output", flags->output,
                  "File to write (nginx, caddy, vercel; default stdout), or folder for the "
                  "cloudflare/netlify files (default: the build folder); - for stdout");
  cmd->add_option("--base", flags->base, "Vite's `base` (\"/app/\" for a build made with it)");
  cmd->add_option("--routes", flags->routes_path,
                  "JSON file of routes to manifest keys (default: the budget's `routes`)");
  cmd->add_option("--root", flags->root, "nginx, caddy: folder holding the build on the server");
  cmd->add_option("--listen", flags->listen, "nginx: the listen directive; caddy: the site address");
  cmd->add_option("--server-name", flags->server_name, "nginx: the server_name directive");
  cmd->add_option("--snippets", flags->snippets, "nginx: where nginx-snippets/ is installed");
  cmd->add_option("--nginx-version", flags->nginx_version,
                  "nginx: the server's version (1.22); 1.29 or later also relays 103 Early Hints");
  AddConfigOptions(cmd, &flags->config_path, &flags->budget_path,
                   "its `deploy` section holds each target's options, its budget's `routes` the "
                   "per-route hints");
  cmd->add_option("--manifest", flags->manifest_path, "Manifest file, if not inside the build");
  AddProxyOptions(cmd, &flags->proxy);
  cmd->callback([flags, action] { *action = [flags] { return RunDeployConfig(*flags); }; });
}

}  // namespace npsbundle
