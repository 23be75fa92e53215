#include "budget/config.h"

#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "budget/lighthouse.h"
#include "core/error.h"
#include "core/escape.h"

namespace npsbundle {

std::string_view NpsPresetJson();  // generated from budgets/nps.json

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr int kMaxChain = 8;
constexpr int64_t kVersion = 1;

// Rules whose fields merge one by one; every other budget value is replaced whole.
const std::set<std::string> kFieldMergedRules = {"compression", "initial", "chunk", "lazyPages", "duplicates"};
// Top-level keys that make a file a config file (none is a budget field).
const std::set<std::string> kConfigSections = {"budget", "serve", "deploy", "apps"};

[[noreturn]] void Fail(const std::string& display, const std::string& location, const std::string& what) {
  throw InputError(display + ": " + (location.empty() ? "" : location + ": ") + what);
}

std::string Quoted(std::string_view text) { return "\"" + JsonEscape(text) + "\""; }

object ParseObject(simdjson::dom::parser& parser, const simdjson::padded_string& text, const std::string& display) {
  element root;
  if (auto error = parser.parse(text).get(root)) {
    Fail(display, "", std::string("invalid JSON (") + simdjson::error_message(error) + ")");
  }
  object result;
  if (root.get_object().get(result)) Fail(display, "", "expected an object");
  return result;
}

void CheckVersion(element value, const std::string& display, const std::string& location, const char* what) {
  int64_t version = 0;
  if (value.get_int64().get(version)) Fail(display, location, "expected a whole number");
  if (version != kVersion) {
    Fail(display, location,
         std::string("unsupported ") + what + " version " + std::to_string(version) + " (this npsbundle reads version 1)");
  }
}

// A budget as mergeable pieces, each value kept as JSON text.
struct BudgetFields {
  std::map<std::string, std::string> whole;                         // replaced whole
  std::map<std::string, std::map<std::string, std::string>> rules;  // merged field by field

  void Add(const std::string& key, element value) {
    if (kFieldMergedRules.count(key)) {
      // The short forms are spelled out so that they merge like the long ones.
      if (key == "lazyPages" && value.is_array()) {
        rules[key]["pages"] = simdjson::minify(value);
      } else if (key == "duplicates" && value.is_string()) {
        rules[key]["severity"] = simdjson::minify(value);
      } else if (value.is_object()) {
        std::map<std::string, std::string>& fields = rules[key];
        object given;
        if (value.get_object().get(given)) return;  // is_object() held
        for (auto field : given) fields[std::string(field.key)] = simdjson::minify(field.value);
      } else {
        whole[key] = simdjson::minify(value);  // a wrong type: ParseBudget names it
      }
      return;
    }
    whole[key] = simdjson::minify(value);
  }

  // Fields of `this` win; fields only `base` has are kept.
  void MergeOver(const BudgetFields& base) {
    for (const auto& [key, value] : base.whole) {
      if (!whole.count(key) && !rules.count(key)) whole[key] = value;
    }
    for (const auto& [key, fields] : base.rules) {
      if (whole.count(key)) continue;
      std::map<std::string, std::string>& mine = rules[key];
      for (const auto& [field, value] : fields) mine.emplace(field, value);
    }
  }

  std::string ToJson() const {
    std::string out = "{\"version\":" + std::to_string(kVersion);
    for (const auto& [key, value] : whole) out += "," + Quoted(key) + ":" + value;
    for (const auto& [key, fields] : rules) {
      out += "," + Quoted(key) + ":{";
      bool first = true;
      for (const auto& [field, value] : fields) {
        out += (first ? "" : ",") + Quoted(field) + ":" + value;
        first = false;
      }
      out += "}";
    }
    return out + "}";
  }
};

// One file of an extends chain, merged with the files it extends.
struct Layer {
  std::string display;
  bool has_budget = false;
  BudgetFields budget;
  std::optional<std::string> serve, deploy, apps;
  std::optional<Budget> lighthouse;  // a Lighthouse budget.json: taken as is
};

std::string ReadFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read " + what);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string PresetDisplay(std::string_view name) { return "preset " + std::string(name); }

class ChainLoader {
 public:
  // `what` names the first file in errors: "budget file", "config file".
  explicit ChainLoader(std::string what) : what_(std::move(what)) {}

  // `path` is a file, or a preset when `preset` is set.
  Layer Load(const std::string& path, bool preset, int depth) {
    if (depth >= kMaxChain) Fail(path, "extends", "more than " + std::to_string(kMaxChain) + " files extend each other");
    std::string display = preset ? PresetDisplay(path) : path;
    std::string text;
    if (preset) {
      std::optional<std::string_view> json = PresetJson(path);
      if (!json) Fail(path, "", "unknown preset");
      text = std::string(*json);
    } else {
      std::error_code ec;
      std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
      if (!visited_.insert(ec ? path : canonical.string()).second) {
        Fail(path, "extends", "extends itself (a cycle of extends)");
      }
      text = ReadFile(path, depth == 0 ? what_ : "file named by \"extends\"");
    }
    Layer layer;
    layer.display = display;
    if (LooksLikeLighthouseBudget(text)) {
      if (depth > 0) Fail(path, "", "a Lighthouse budget cannot be extended");
      layer.lighthouse = ParseLighthouseBudget(text, path);
      layer.has_budget = true;
      return layer;
    }
    simdjson::dom::parser parser;
    simdjson::padded_string padded(text);
    object root = ParseObject(parser, padded, display);
    bool is_config = false;
    for (auto field : root) is_config |= kConfigSections.count(std::string(field.key)) > 0;
    std::string extends;
    bool has_version = false;
    element version_at;
    for (auto field : root) {
      std::string key(field.key);
      if (key == "$schema" || key == "$comment") {
        if (!field.value.is_string()) Fail(display, key, "expected a string");
      } else if (key == "version") {
        has_version = true;
        version_at = field.value;
      } else if (key == "extends") {
        std::string_view value;
        if (field.value.get_string().get(value) || value.empty()) {
          Fail(display, key, "expected a preset name or a relative path to a .json file");
        }
        extends = std::string(value);
      } else if (key == "budget") {
        AddBudgetPart(field.value, display, &layer);
      } else if (key == "apps") {
        // A list of {name, path, budget}; budget/apps.cc reads the entries.
        if (!field.value.is_array()) Fail(display, key, "expected a list of apps ({\"name\", \"path\", \"budget\"})");
        layer.apps = simdjson::minify(field.value);
      } else if (key == "serve" || key == "deploy") {
        if (!field.value.is_object()) Fail(display, key, "expected an object");
        std::optional<std::string>& section = key == "serve" ? layer.serve : layer.deploy;
        section = simdjson::minify(field.value);
      } else if (is_config) {
        Fail(display, key,
             "unknown field (a config file has version, extends, budget, serve, deploy and apps; "
             "budget rules go under \"budget\")");
      } else {
        layer.budget.Add(key, field.value);
        layer.has_budget = true;
      }
    }
    if (!has_version) Fail(display, "", "missing field \"version\" (use \"version\": 1)");
    CheckVersion(version_at, display, "version", is_config ? "config" : "budget");
    if (!extends.empty()) Extend(extends, display, preset ? "" : path, depth, &layer);
    return layer;
  }

 private:
  void AddBudgetPart(element value, const std::string& display, Layer* layer) {
    object part;
    if (value.get_object().get(part)) Fail(display, "budget", "expected an object");
    for (auto field : part) {
      std::string key(field.key);
      if (key == "$comment") continue;
      if (key == "version") {
        CheckVersion(field.value, display, "budget.version", "budget");
      } else if (key == "extends") {
        Fail(display, "budget.extends", "\"extends\" goes at the top of the config file");
      } else {
        layer->budget.Add(key, field.value);
      }
    }
    layer->has_budget = true;
  }

  void Extend(const std::string& target, const std::string& display, const std::string& from_file, int depth,
              Layer* layer) {
    Layer base;
    if (IsPresetReference(target)) {
      if (!PresetJson(target)) {
        std::string names;
        for (const std::string& n : PresetNames()) names += (names.empty() ? "" : ", ") + n;
        Fail(display, "extends", "unknown preset \"" + target + "\" (presets: " + names +
                                     "; or a path like \"./base.json\")");
      }
      base = Load(target, /*preset=*/true, depth + 1);
    } else {
      std::filesystem::path resolved = std::filesystem::path(target);
      if (resolved.is_relative() && !from_file.empty()) {
        resolved = std::filesystem::path(from_file).parent_path() / resolved;
      }
      base = Load(resolved.lexically_normal().string(), /*preset=*/false, depth + 1);
    }
    if (base.lighthouse) Fail(display, "extends", "\"" + target + "\" is a Lighthouse budget and cannot be extended");
    // An error inside the extended file is reported against that file.
    if (base.has_budget) ParseBudget(base.budget.ToJson(), base.display);
    layer->budget.MergeOver(base.budget);
    layer->has_budget |= base.has_budget;
    if (!layer->serve) layer->serve = base.serve;
    if (!layer->deploy) layer->deploy = base.deploy;
    if (!layer->apps) layer->apps = base.apps;
  }

  std::string what_;
  std::set<std::string> visited_;
};

Budget BudgetOf(const Layer& layer, const std::string& display) {
  if (layer.lighthouse) return *layer.lighthouse;
  return ParseBudget(layer.budget.ToJson(), display);
}

Config ConfigOf(const Layer& layer, const std::string& path) {
  Config config;
  config.path = path;
  if (layer.has_budget) config.budget = BudgetOf(layer, layer.display);
  if (layer.has_budget && !layer.lighthouse) config.budget_json = layer.budget.ToJson();
  config.serve = layer.serve;
  config.deploy = layer.deploy;
  config.apps = layer.apps;
  return config;
}

Budget BuiltinDefault() {
  Budget budget = DefaultBudget();
  budget.notes.push_back(
      "no budget file: checked against the built-in app-neutral budget; --budget nps (or \"extends\": \"nps\") "
      "restores the former default, the reference app's rules");
  return budget;
}

}  // namespace

std::vector<std::string> PresetNames() { return {"default", "nps"}; }

std::optional<std::string_view> PresetJson(std::string_view name) {
  if (name == "default") return DefaultBudgetJson();
  if (name == "nps") return NpsPresetJson();
  return std::nullopt;
}

bool IsPresetReference(std::string_view text) {
  return !text.empty() && text.find('/') == std::string_view::npos && text.find('.') == std::string_view::npos &&
         text.find('\\') == std::string_view::npos;
}

std::string MergeBudgetJson(std::string_view base, std::string_view child) {
  simdjson::dom::parser base_parser, child_parser;
  simdjson::padded_string base_text(base), child_text(child);
  BudgetFields merged, under;
  for (auto field : ParseObject(base_parser, base_text, "base")) under.Add(std::string(field.key), field.value);
  for (auto field : ParseObject(child_parser, child_text, "child")) merged.Add(std::string(field.key), field.value);
  merged.MergeOver(under);
  return merged.ToJson();
}

Config LoadConfigFile(const std::string& path) {
  ChainLoader loader("config file");
  Layer layer = loader.Load(path, /*preset=*/false, 0);
  Config config = ConfigOf(layer, path);
  if (!layer.has_budget) config.budget = BuiltinDefault();
  config.budget.path = path;
  return config;
}

// A --budget value: a preset name or a budget (or config) file.
Budget LoadBudgetFile(const std::string& path) {
  ChainLoader loader("budget file");
  bool preset = IsPresetReference(path) && PresetJson(path).has_value();
  Layer layer = loader.Load(path, preset, 0);
  if (!layer.has_budget) Fail(layer.display, "", "no budget in this file (add a \"budget\" part)");
  Budget budget = BudgetOf(layer, layer.display);
  budget.path = layer.display;
  return budget;
}

Config ResolveConfig(const std::string& config_path, const std::string& budget_path) {
  namespace fs = std::filesystem;
  Config config;
  bool have_budget = false;
  std::string file = !config_path.empty() ? config_path : fs::exists(kProjectConfigFile) ? kProjectConfigFile : "";
  if (!file.empty()) {
    ChainLoader loader("config file");
    Layer layer = loader.Load(file, /*preset=*/false, 0);
    config = ConfigOf(layer, file);
    config.budget.path = file;
    have_budget = layer.has_budget;
  }
  if (!budget_path.empty()) {
    config.budget = LoadBudgetFile(budget_path);
  } else if (!have_budget) {
    config.budget = fs::exists(kProjectBudgetFile) ? LoadBudgetFile(kProjectBudgetFile) : BuiltinDefault();
  }
  return config;
}

Budget ResolveBudgetFile(const std::string& path) { return ResolveConfig("", path).budget; }

}  // namespace npsbundle
