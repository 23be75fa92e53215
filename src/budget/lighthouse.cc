#include "budget/lighthouse.h"

#include <simdjson.h>

#include "core/error.h"

namespace npsbundle {
namespace {

using simdjson::dom::element;

class LighthouseParser {
 public:
  explicit LighthouseParser(const std::string& display_path) : path_(display_path) {}

  [[noreturn]] void Fail(const std::string& location, const std::string& what) const {
    throw InputError(path_ + ": " + (location.empty() ? "" : location + ": ") + what);
  }

  std::string String(element value, const std::string& location) const {
    std::string_view text;
    if (value.get_string().get(text)) Fail(location, "expected a string");
    return std::string(text);
  }

  double Number(element value, const std::string& location, const std::string& what) const {
    double number = 0;
    if (value.get_double().get(number) || number < 0) Fail(location, "expected " + what);
    return number;
  }

  // {resourceType, budget} items of resourceSizes / resourceCounts.
  void Items(element list, const std::string& location, bool sizes, Budget* budget) const {
    simdjson::dom::array items;
    if (list.get_array().get(items)) Fail(location, "expected an array");
    size_t i = 0;
    for (element item : items) {
      std::string at = location + "[" + std::to_string(i++) + "]";
      if (!item.is_object()) Fail(at, "expected an object");
      element type_value, budget_value;
      if (item["resourceType"].get(type_value)) Fail(at, "missing field \"resourceType\"");
      if (item["budget"].get(budget_value)) Fail(at, "missing field \"budget\"");
      std::string type = String(type_value, at + ".resourceType");
      double amount = Number(budget_value, at + ".budget", sizes ? "a number of KiB" : "a count");
      if (sizes) {
        SizeLimit limit{static_cast<uint64_t>(amount * 1024 + 0.5), Measure::kGzip};
        if (type == "script") {
          budget->initial_js = limit;
        } else if (type == "stylesheet") {
          budget->initial_css = limit;
        } else if (type == "total") {
          budget->initial = limit;
        } else {
          budget->notes.push_back(path_ + ": " + at + ": resourceSizes \"" + type +
                                  "\" is not checked (npsbundle maps script, stylesheet and total)");
        }
      } else if (type == "total") {
        budget->max_initial_requests = static_cast<uint64_t>(amount);
      } else {
        budget->notes.push_back(path_ + ": " + at + ": resourceCounts \"" + type +
                                "\" is not checked (npsbundle maps the total count)");
      }
    }
  }

  Budget Parse(std::string_view json) const {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    element root;
    if (auto error = parser.parse(padded).get(root)) {
      Fail("", std::string("invalid JSON (") + simdjson::error_message(error) + ")");
    }
    simdjson::dom::array entries;
    if (root.get_array().get(entries)) Fail("", "expected a Lighthouse budget array");
    if (entries.size() == 0) Fail("", "empty Lighthouse budget array");
    // The entry for the whole site applies to the initial load.
    size_t chosen = 0, index = 0;
    bool found = false;
    for (element entry : entries) {
      std::string at = "[" + std::to_string(index) + "]";
      if (!entry.is_object()) Fail(at, "expected an object");
      std::string_view path;
      if (!found && !entry["path"].get_string().get(path) && (path == "/*" || path == "/")) {
        chosen = index;
        found = true;
      }
      ++index;
    }
    Budget budget;
    budget.path = path_;
    index = 0;
    for (element entry : entries) {
      std::string at = "[" + std::to_string(index) + "]";
      if (index++ != chosen) {
        std::string_view path;
        std::string name = entry["path"].get_string().get(path) ? at : "path \"" + std::string(path) + "\"";
        budget.notes.push_back(path_ + ": " + name + ": only one Lighthouse budget entry is applied (the one for \"/*\")");
        continue;
      }
      for (auto field : entry.get_object()) {
        std::string key(field.key);
        if (key == "path") {
          String(field.value, at + ".path");
        } else if (key == "resourceSizes") {
          Items(field.value, at + ".resourceSizes", true, &budget);
        } else if (key == "resourceCounts") {
          Items(field.value, at + ".resourceCounts", false, &budget);
        } else if (key == "timings") {
          budget.notes.push_back(path_ + ": " + at + ".timings: timing budgets need a browser run and are not checked");
        } else {
          Fail(at + "." + key, "unknown field");
        }
      }
    }
    budget.notes.insert(budget.notes.begin(), path_ + ": read as a Lighthouse budget (sizes in KiB of gzip transfer, "
                                                      "applied to each entry's initial load)");
    return budget;
  }

 private:
  const std::string& path_;
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
