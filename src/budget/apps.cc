#include "budget/apps.h"

#include <glob.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/error.h"
#include "core/json.h"

namespace npsbundle {
namespace {

namespace fs = std::filesystem;

// Folder names that Vite and other tools write a build into: the app is the
// folder above ("apps/web/dist" is the app "web").
const std::set<std::string> kBuildFolderNames = {"dist", "build", "out", "public", "www"};

bool HasGlobCharacter(const std::string& word) { return word.find_first_of("*?[") != std::string::npos; }

std::string JoinToConfig(const std::string& config_path, const std::string& path) {
  fs::path p(path);
  if (p.is_relative()) p = fs::path(config_path).parent_path() / p;
  std::string out = p.lexically_normal().string();
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

std::string AppNameOf(const std::string& path) {
  fs::path p = fs::path(path).lexically_normal();
  // "apps/web/dist/" normalises to "apps/web/dist/" with an empty filename.
  if (p.filename().empty()) p = p.parent_path();
  std::string name = p.filename().string();
  if (kBuildFolderNames.count(name) && !p.parent_path().filename().empty()) {
    std::string parent = p.parent_path().filename().string();
    if (parent != "." && parent != "..") return parent;
  }
  for (const char* ext : {".tar.gz", ".tgz", ".tar", ".zip"}) {
    if (name.size() > std::string(ext).size() && name.ends_with(ext)) {
      name.resize(name.size() - std::string(ext).size());
      break;
    }
  }
  if (name.empty() || name == "." || name == "..") {
    // "." or "..": the folder's own name says more than a dot.
    std::error_code ec;
    fs::path absolute = fs::weakly_canonical(path, ec);
    name = ec ? "" : absolute.filename().string();
  }
  return name.empty() ? "app" : name;
}

std::vector<std::string> UniqueNames(const std::vector<std::string>& names) {
  std::set<std::string> taken(names.begin(), names.end());
  std::map<std::string, int> seen;
  std::vector<std::string> out;
  for (const std::string& name : names) {
    if (seen[name]++ == 0) {
      out.push_back(name);
      continue;
    }
    // "web-2", unless an app is already called that.
    int n = seen[name];
    while (taken.count(name + "-" + std::to_string(n))) ++n;
    std::string unique = name + "-" + std::to_string(n);
    taken.insert(unique);
    out.push_back(unique);
  }
  return out;
}

std::vector<std::string> ExpandBuildPaths(const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (const std::string& word : words) {
    std::error_code ec;
    if (!HasGlobCharacter(word) || fs::exists(word, ec)) {
      out.push_back(word);
      continue;
    }
    glob_t matches{};
    int status = glob(word.c_str(), 0, nullptr, &matches);  // sorted, like a shell
    if (status == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) out.emplace_back(matches.gl_pathv[i]);
    }
    globfree(&matches);
    if (status != 0) throw InputError(word + ": no build matches this pattern");
  }
  return out;
}

std::vector<AppSpec> ParseApps(const Config& config) {
  std::vector<AppSpec> apps;
  if (!config.apps) return apps;
  JsonReader reader(config.path);
  JsonDocument document(*config.apps, config.path);
  std::set<std::string> names, paths;
  size_t index = 0;
  for (JsonValue entry : reader.Array(document.root(), "apps")) {
    std::string at = JsonIndex("apps", index++);
    JsonObject fields = reader.Object(entry, at);
    AppSpec app;
    app.budget = config.budget;
    for (auto field : fields) {
      std::string key(field.key);
      std::string location = JsonMember(at, key);
      if (key == "name") {
        app.name = reader.String(field.value, location);
        if (app.name.empty()) reader.Fail(location, "expected a non-empty name");
      } else if (key == "path") {
        std::string path = reader.String(field.value, location);
        if (path.empty()) reader.Fail(location, "expected the path of a build folder or archive");
        app.path = JoinToConfig(config.path, path);
      } else if (key == "budget") {
        if (field.value.is_string()) {
          std::string budget = reader.String(field.value, location);
          // A preset by name, else a file next to the config file.
          bool preset = IsPresetReference(budget) && PresetJson(budget).has_value();
          app.budget = LoadBudgetFile(preset ? budget : JoinToConfig(config.path, budget));
        } else if (field.value.is_object()) {
          if (reader.OptionalField(field.value, "extends")) {
            reader.Fail(JsonMember(location, "extends"), "name a preset or file as the app's \"budget\" instead");
          }
          std::string base = config.budget_json.empty() ? std::string(DefaultBudgetJson()) : config.budget_json;
          app.budget = ParseBudget(MergeBudgetJson(base, simdjson::minify(field.value)),
                                   config.path + ": " + location);
          app.budget.path = config.path;
        } else {
          reader.Fail(location, "expected a preset name, a budget file or an object of budget fields");
        }
      } else if (key != "$comment") {
        reader.Fail(location, "unknown field (an app has name, path and budget)");
      }
    }
    if (app.path.empty()) reader.Fail(at, "missing field \"path\"");
    if (app.name.empty()) app.name = AppNameOf(app.path);
    if (!names.insert(app.name).second) {
      reader.Fail(at, "two apps are called \"" + app.name + "\" (give each a unique \"name\")");
    }
    if (!paths.insert(app.path).second) reader.Fail(at, "two apps have the path " + app.path);
    apps.push_back(std::move(app));
  }
  if (apps.empty()) reader.Fail("apps", "expected at least one app");
  return apps;
}

}  // namespace npsbundle
