// `npsbundle why PACKAGE`: where a package is in the build and what pulls
// it in; computed by budget/why.cc, rendered by report/report_why.cc.
#include <iostream>

#include "budget/check.h"
#include "budget/why.h"
#include "cli/cli.h"
#include "core/error.h"
#include "report/report_why.h"

namespace npsbundle {
namespace {

struct WhyFlags {
  std::string package;
  std::string path;
  std::string format = "text";
  std::string config_path, budget_path;
  std::string cache_directory;
  bool no_cache = false;
};

ExitCode RunWhy(const WhyFlags& flags) {
  if (flags.format != "text" && flags.format != "json") {
    throw InputError("--format: unknown format \"" + flags.format + "\" (text, json)");
  }
  CheckInput input =
      MeasureOnlyInput(flags.path, flags.config_path, flags.budget_path, flags.cache_directory, flags.no_cache);
  CheckReport report = RunCheck(input);
  std::unique_ptr<BundleSource> source = OpenBundle(flags.path);
  std::optional<Manifest> manifest = FindAndValidateManifest(*source, "");
  const Manifest* graph = manifest ? &*manifest : nullptr;

  WhyResult result = ExplainPackage(report, graph, flags.package);
  if (result.chunks.empty()) {
    std::vector<std::string> near = NearNames(KnownPackages(report, graph), flags.package);
    std::string hint;
    for (const std::string& name : near) hint += (hint.empty() ? "" : ", ") + name;
    if (report.attribution.empty()) {
      throw InputError(flags.path + ": no chunk of package \"" + flags.package +
                       "\" in the manifest, and no source maps to look inside chunks (build with "
                       "build.sourcemap: 'hidden')" + (hint.empty() ? "" : "; near names: " + hint));
    }
    throw InputError(flags.path + ": no package \"" + flags.package + "\" in the source maps" +
                     (hint.empty() ? "" : "; did you mean " + hint + "?"));
  }
  std::cout << (flags.format == "json" ? RenderWhyJson(result, flags.path) : RenderWhyText(result, flags.path))
            << std::flush;
  return ExitCode::kOk;
}

}  // namespace

void AddWhyCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<WhyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "why", "Show which chunks hold a package, which loads pull them in, and the import chain from each entry");
  cmd->add_option("PACKAGE", flags->package, "npm package name, e.g. react-dom or @tanstack/query-core")->required();
  cmd->add_option("PATH", flags->path, "Build folder (dist/) or archive of one")->required();
  cmd->add_option("-f,--format", flags->format, "Output format: text, json")->capture_default_str();
  AddConfigOptions(cmd, &flags->config_path, &flags->budget_path, "its budget's compression levels are used");
  cmd->add_option("--cache", flags->cache_directory, "Size cache folder (as for check)");
  cmd->add_flag("--no-cache", flags->no_cache, "Neither read nor write the size cache");
  cmd->callback([flags, action] { *action = [flags] { return RunWhy(*flags); }; });
}

}  // namespace npsbundle
