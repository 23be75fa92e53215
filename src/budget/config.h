#ifndef NPSBUNDLE_BUDGET_CONFIG_H_
#define NPSBUNDLE_BUDGET_CONFIG_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "budget/budget.h"

namespace npsbundle {

// The one configuration of every command (schema/config.schema.json):
//
//   { "version": 1, "extends": "nps", "budget": { ...budget fields... },
//     "serve": {...}, "deploy": {...}, "apps": [...] }
//
// `budget` holds the fields of a budget file (budgets/README.md) and may
// omit "version". A budget-only file (npsbundle.budget.json, or any file
// passed to --budget) is read exactly as before, and may also say "extends".
//
// "extends" names a built-in preset ("default", "nps") or a path relative to
// the file that says it (a budget or a config file). The file's budget is
// merged over the extended one rule by rule: a top-level rule object
// (compression, initial, chunk, lazyPages, duplicates) keeps the extended
// file's fields that it does not set; every other value (vendorChunks,
// routes, timing, profiles, and any list or map inside a rule such as
// lazyPages.pages or chunk.overrides) is replaced whole, never concatenated,
// so `"vendorChunks": []` switches the preset's vendor rule off. Sections
// serve, deploy and apps are inherited whole unless the file gives its own.
struct Config {
  std::string path;  // the file read first; empty when built in
  Budget budget;
  // The budget's fields as merged JSON (the extends chain applied), which an
  // app's inline budget merges over (budget/apps.h); empty when the budget
  // is built in or a Lighthouse budget.
  std::string budget_json;
  // Sections whose schema later commands own, as the JSON text written
  // (validated by those commands, not here). nullopt when absent.
  std::optional<std::string> serve, deploy, apps;
};

inline constexpr const char* kProjectConfigFile = "npsbundle.config.json";

// Names of the built-in presets, in order ("default", "nps"), and their
// JSON (budgets/<name>.json, compiled in). nullopt for an unknown name.
std::vector<std::string> PresetNames();
std::optional<std::string_view> PresetJson(std::string_view name);

// True when `text` is a preset name rather than a path: no '/' and no '.'
// ("nps"; "./nps" or "nps.json" are files).
bool IsPresetReference(std::string_view text);

// Reads a configuration or budget file (told apart by content: a config has
// "budget", "serve", "deploy" or "apps" at the top) and its extends chain.
// Throws InputError naming the file and field at fault; an extends cycle or
// a chain deeper than 8 files is an error too.
Config LoadConfigFile(const std::string& path);

// The configuration a command uses. The lookup order, the one statement of
// it: --config FILE (and/or --budget FILE|PRESET, whose budget replaces the
// config's), else ./npsbundle.config.json, else ./npsbundle.budget.json,
// else the built-in app-neutral default (which then carries a note saying
// how to restore the reference app's rules: --budget nps).
Config ResolveConfig(const std::string& config_path, const std::string& budget_path);

// A --budget value: a preset name ("nps") or a budget file (an npsbundle
// budget, a Lighthouse budget.json, or a config file's budget part), with its
// extends chain. Throws InputError naming the file.
Budget LoadBudgetFile(const std::string& path);

// ResolveConfig("", path).budget: the budget of a command without --config.
inline constexpr const char* kProjectBudgetFile = "npsbundle.budget.json";
Budget ResolveBudgetFile(const std::string& path);

// Merges the budget JSON `child` (an object of budget fields) over `base`
// rule by rule, as described above; returns the merged JSON. Both must be
// valid JSON objects. Exposed for tests.
std::string MergeBudgetJson(std::string_view base, std::string_view child);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_CONFIG_H_
