#include "budget/lighthouse.h"

#include "core/json.h"

namespace npsbundle {
namespace {

// Lighthouse's budget.json schema over core/json's typed reads.
class LighthouseParser : public JsonReader {
 public:
  using JsonReader::JsonReader;

  double Amount(JsonValue value, const std::string& location, const std::string& what) const {
    double number = Number(value, location, what);
    if (number < 0) Fail(location, "expected " + what);
    return number;
  }

  // {resourceType, budget} items of resourceSizes / resourceCounts.
  void Items(JsonValue list, const std::string& location, bool sizes, Budget* budget) const {
    size_t i = 0;
    for (JsonValue item : Array(list, location)) {
      std::string at = JsonIndex(location, i++);
      Object(item, at);
      std::string type = String(Field(item, "resourceType", at), at + ".resourceType");
      double amount = Amount(Field(item, "budget", at), at + ".budget", sizes ? "a number of KiB" : "a count");
      if (sizes) {
        SizeLimit limit{static_cast<uint64_t>(amount * 1024 + 0.5), Measure::kGzip};
        if (type == "script") {
          budget->initial_js = limit;
        } else if (type == "stylesheet") {
          budget->initial_css = limit;
        } else if (type == "total") {
          budget->initial = limit;
        } else {
          budget->notes.push_back(display_path() + ": " + at + ": resourceSizes \"" + type +
                                  "\" is not checked (npsbundle maps script, stylesheet and total)");
        }
      } else if (type == "total") {
        budget->max_initial_requests = static_cast<uint64_t>(amount);
      } else {
        budget->notes.push_back(display_path() + ": " + at + ": resourceCounts \"" + type +
                                "\" is not checked (npsbundle maps the total count)");
      }
    }
  }

  Budget Parse(std::string_view json) const {
    JsonDocument document(json, display_path());
    JsonArray entries = Array(document.root(), "", "expected a Lighthouse budget array");
    if (entries.size() == 0) Fail("", "empty Lighthouse budget array");
    // The entry for the whole site applies to the initial load.
    size_t chosen = 0, index = 0;
    bool found = false;
    for (JsonValue entry : entries) {
      std::string at = JsonIndex("", index);
      Object(entry, at);
      std::string_view path;
      if (!found && !entry["path"].get_string().get(path) && (path == "/*" || path == "/")) {
        chosen = index;
        found = true;
      }
      ++index;
    }
    Budget budget;
    budget.path = display_path();
    index = 0;
    for (JsonValue entry : entries) {
      std::string at = JsonIndex("", index);
      if (index++ != chosen) {
        std::string_view path;
        std::string name = entry["path"].get_string().get(path) ? at : "path \"" + std::string(path) + "\"";
        budget.notes.push_back(display_path() + ": " + name + ": only one Lighthouse budget entry is applied (the one for \"/*\")");
        continue;
      }
      for (auto field : Object(entry, at)) {
        std::string key(field.key);
        if (key == "path") {
          String(field.value, at + ".path");
        } else if (key == "resourceSizes") {
          Items(field.value, at + ".resourceSizes", true, &budget);
        } else if (key == "resourceCounts") {
          Items(field.value, at + ".resourceCounts", false, &budget);
        } else if (key == "timings") {
          budget.notes.push_back(display_path() + ": " + at + ".timings: timing budgets need a browser run and are not checked");
        } else {
          Fail(at + "." + key, "unknown field");
        }
      }
    }
    budget.notes.insert(budget.notes.begin(), display_path() + ": read as a Lighthouse budget (sizes in KiB of gzip transfer, "
                                                      "applied to each entry's initial load)");
    return budget;
  }
};

}  // namespace

bool LooksLikeLighthouseBudget(std::string_view json) {
  for (char c : json) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    return c == '[';
  }
  return false;
}

Budget ParseLighthouseBudget(std::string_view json, const std::string& display_path) {
  return LighthouseParser(display_path).Parse(json);
}

}  // namespace npsbundle
