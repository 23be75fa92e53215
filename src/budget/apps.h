#ifndef NPSBUNDLE_BUDGET_APPS_H_
#define NPSBUNDLE_BUDGET_APPS_H_

#include <string>
#include <vector>

#include "budget/budget.h"
#include "budget/config.h"

namespace npsbundle {

// Monorepos: the builds one `check` run measures, each an app with a name
// and a budget of its own (README "Monorepos").
struct AppSpec {
  std::string name;  // unique within the run
  std::string path;  // build folder or archive, as given (config paths joined to the config's folder)
  Budget budget;
};

// The apps of a config's `apps` section (schema/config.schema.json):
//
//   "apps": [ { "name": "web", "path": "apps/web/dist", "budget": "nps" } ]
//
// `path` is relative to the config file's folder. `name` defaults to
// AppNameOf(path). `budget` is a preset name or a budget file (relative to
// the config file), or an object of budget fields merged over the config's
// own budget rule by rule (as "extends" merges); without it the app takes the
// config's budget. Throws InputError "<config>: apps[1].path: ..." for a bad
// entry, a duplicate name or path. Empty when the config has no `apps`.
std::vector<AppSpec> ParseApps(const Config& config);

// The name of an app from its build path: the build folder's parent when
// the folder has a build-output name ("apps/web/dist" → "web"; also build,
// out, public, www), else the folder or archive itself without its extension
// ("builds/good" → "good", "web.tar.gz" → "web").
std::string AppNameOf(const std::string& path);

// Names made unique in order: a repeated name gets "-2", "-3", ...
std::vector<std::string> UniqueNames(const std::vector<std::string>& names);

// Build paths from the command line: a word holding *, ? or [ that is not
// an existing path is a glob (quoted in a CI yaml or a Windows shell) and is
// expanded here, sorted; a glob that matches nothing is an InputError. Other
// words pass through unchanged.
std::vector<std::string> ExpandBuildPaths(const std::vector<std::string>& words);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_APPS_H_
