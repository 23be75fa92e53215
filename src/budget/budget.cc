#include "budget/budget.h"

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/json.h"
#include "budget/lighthouse.h"

namespace npsbundle {
namespace {

constexpr int64_t kSchemaVersion = 1;

// The budget schema over core/json's typed reads.
class BudgetParser : public JsonReader {
 public:
  using JsonReader::JsonReader;

  SizeLimit Limit(JsonValue value, const std::string& location) const {
    std::string text = String(value, location);
    SizeLimit limit;
    std::string error;
    if (!ParseSizeLimit(text, &limit, &error)) Fail(location, error);
    return limit;
  }

  GrowthLimit Growth(JsonValue value, const std::string& location) const {
    std::string text = String(value, location);
    GrowthLimit limit;
    std::string error;
    if (!ParseGrowthLimit(text, &limit, &error)) Fail(location, error);
    return limit;
  }

  std::vector<std::pair<std::string, SizeLimit>> Overrides(JsonValue value,
                                                           const std::string& location) const {
    std::vector<std::pair<std::string, SizeLimit>> out;
    for (auto field : Object(value, location)) {
      std::string key(field.key);
      out.emplace_back(key, Limit(field.value, location + "." + key));
    }
    return out;
  }

  void Compression(JsonValue value, Budget* budget) const {
    for (auto field : Object(value, "compression")) {
      std::string location = "compression." + std::string(field.key);
      if (field.key == "gzipLevel") {
        budget->levels.gzip_level = static_cast<int>(Integer(field.value, location, 1, 9));
      } else if (field.key == "brotliQuality") {
        budget->levels.brotli_quality = static_cast<int>(Integer(field.value, location, 0, 11));
      } else if (field.key == "zstdLevel") {
        budget->levels.zstd_level = static_cast<int>(Integer(field.value, location, 1, 22));
      } else if (field.key == "brotliWindow") {
        budget->levels.brotli_window = static_cast<int>(Integer(field.value, location, 10, 24));
      } else {
        Unknown(location);
      }
    }
  }

  void Initial(JsonValue value, Budget* budget) const {
    for (auto field : Object(value, "initial")) {
      std::string location = "initial." + std::string(field.key);
      if (field.key == "max") {
        budget->initial = Limit(field.value, location);
      } else if (field.key == "js") {
        budget->initial_js = Limit(field.value, location);
      } else if (field.key == "css") {
        budget->initial_css = Limit(field.value, location);
      } else if (field.key == "maxGrowth") {
        budget->initial_growth = Growth(field.value, location);
      } else if (field.key == "requests") {
        budget->max_initial_requests = static_cast<uint64_t>(Integer(field.value, location, 1, 100000));
      } else {
        Unknown(location);
      }
    }
  }

  void Chunk(JsonValue value, Budget* budget) const {
    for (auto field : Object(value, "chunk")) {
      std::string location = "chunk." + std::string(field.key);
      if (field.key == "max") {
        budget->chunk = Limit(field.value, location);
      } else if (field.key == "overrides") {
        budget->chunk_overrides = Overrides(field.value, location);
      } else if (field.key == "maxGrowth") {
        budget->chunk_growth = Growth(field.value, location);
      } else {
        Unknown(location);
      }
    }
  }

  void VendorChunks(JsonValue value, Budget* budget) const {
    // Either ["vendor-react", ...] or {"vendor-react": ["react", ...], ...}.
    if (value.is_array()) {
      budget->vendor_chunks = StringArray(value, "vendorChunks");
      return;
    }
    for (auto field : Object(value, "vendorChunks")) {
      std::string name(field.key);
      budget->vendor_chunks.push_back(name);
      budget->vendor_packages[name] = StringArray(field.value, "vendorChunks." + name);
    }
  }

  Budget::Severity Severity(JsonValue value, const std::string& location) const {
    std::string text = String(value, location);
    if (text == "error") return Budget::Severity::kError;
    if (text == "warning") return Budget::Severity::kWarning;
    if (text == "off") return Budget::Severity::kOff;
    Fail(location, "\"" + text + "\": expected \"error\", \"warning\" or \"off\"");
  }

  void Duplicates(JsonValue value, Budget* budget) const {
    // Either "error" | "warning" | "off", or {"severity": ..., "ignore": [...]}.
    if (value.is_string()) {
      budget->duplicates_severity = Severity(value, "duplicates");
      return;
    }
    for (auto field : Object(value, "duplicates")) {
      std::string location = "duplicates." + std::string(field.key);
      if (field.key == "severity") {
        budget->duplicates_severity = Severity(field.value, location);
      } else if (field.key == "ignore") {
        budget->duplicates_ignore = StringArray(field.value, location);
      } else {
        Unknown(location);
      }
    }
  }

  void LazyPages(JsonValue value, Budget* budget) const {
    if (value.is_array()) {
      budget->lazy_pages = StringArray(value, "lazyPages");
      return;
    }
    for (auto field : Object(value, "lazyPages")) {
      std::string location = "lazyPages." + std::string(field.key);
      if (field.key == "pages") {
        budget->lazy_pages = StringArray(field.value, location);
      } else if (field.key == "routeCost") {
        budget->route_cost = Limit(field.value, location);
      } else if (field.key == "overrides") {
        budget->route_cost_overrides = Overrides(field.value, location);
      } else if (field.key == "maxGrowth") {
        budget->route_growth = Growth(field.value, location);
      } else {
        Unknown(location);
      }
    }
  }

  double Duration(JsonValue value, const std::string& location) const {
    std::string text = String(value, location);
    double ms = 0;
    std::string error;
    if (!ParseDuration(text, &ms, &error)) Fail(location, error);
    return ms;
  }

  double Number(JsonValue value, const std::string& location, double min, double max) const {
    double number = JsonReader::Number(value, location);
    if (!(number >= min && number <= max)) Fail(location, "out of range");
    return number;
  }

  void Timing(JsonValue value, Budget* budget) const {
    size_t index = 0;
    for (JsonValue item : Array(value, "timing", "expected an array of rules")) {
      std::string at = "timing[" + std::to_string(index++) + "]";
      TimingRule rule;
      bool has_limit = false, has_profile = false;
      for (auto field : Object(item, at)) {
        std::string location = at + "." + std::string(field.key);
        if (field.key == "initialLoad" || field.key == "pageTransition") {
          if (has_limit) Fail(location, "a rule has either initialLoad or pageTransition");
          rule.kind = field.key == "initialLoad" ? TimingRule::Kind::kInitialLoad : TimingRule::Kind::kPageTransition;
          rule.limit_ms = Duration(field.value, location);
          has_limit = true;
        } else if (field.key == "profile") {
          rule.profile = String(field.value, location);
          has_profile = true;
        } else if (field.key == "encoding") {
          std::string encoding = String(field.value, location);
          if (encoding == "brotli") {
            rule.encoding = Measure::kBrotli;
          } else if (encoding == "gzip") {
            rule.encoding = Measure::kGzip;
          } else {
            Fail(location, "expected \"brotli\" or \"gzip\"");
          }
        } else if (field.key == "overrides") {
          for (auto o : Object(field.value, location)) {
            rule.overrides.emplace_back(std::string(o.key), Duration(o.value, location + "." + std::string(o.key)));
          }
        } else {
          Unknown(location);
        }
      }
      if (!has_limit) Fail(at, "missing \"initialLoad\" or \"pageTransition\"");
      if (!has_profile) Fail(at, "missing \"profile\" (e.g. \"fast-3g\")");
      budget->timing.push_back(std::move(rule));
    }
  }

  void Profiles(JsonValue value, Budget* budget) const {
    for (auto field : Object(value, "profiles")) {
      std::string at = "profiles." + std::string(field.key);
      NetworkProfile profile;
      profile.name = std::string(field.key);
      profile.source = "budget file";
      bool has_speed = false, has_rtt = false;
      for (auto f : Object(field.value, at)) {
        std::string location = at + "." + std::string(f.key);
        if (f.key == "downMbps") {
          profile.down_mbps = Number(f.value, location, 0.001, 1e6);
          has_speed = true;
        } else if (f.key == "rttMs") {
          profile.rtt_ms = Number(f.value, location, 0, 1e5);
          has_rtt = true;
        } else if (f.key == "http") {
          int64_t version = Integer(f.value, location, 1, 2);
          profile.http2 = version == 2;
        } else if (f.key == "connections") {
          profile.connections = static_cast<int>(Integer(f.value, location, 1, 100));
        } else {
          Unknown(location);
        }
      }
      if (!has_speed || !has_rtt) Fail(at, "needs \"downMbps\" and \"rttMs\"");
      budget->profiles.push_back(profile);
    }
  }

  void CheckProfiles(const Budget& budget) const {
    for (size_t i = 0; i < budget.timing.size(); ++i) {
      if (!budget.FindProfile(budget.timing[i].profile)) {
        std::string known;
        for (const NetworkProfile& p : BuiltinProfiles()) known += (known.empty() ? "" : ", ") + p.name;
        Fail("timing[" + std::to_string(i) + "].profile",
             "unknown profile \"" + budget.timing[i].profile + "\" (built-in: " + known + ", or define it under \"profiles\")");
      }
    }
  }

  void Routes(JsonValue value, Budget* budget) const {
    for (auto field : Object(value, "routes")) {
      std::string path(field.key);
      std::string location = "routes." + path;
      if (path.empty() || path.front() != '/') Fail(location, "a route must start with '/'");
      budget->routes[path] = String(field.value, location);
    }
  }

 private:
};

}  // namespace

Budget ParseBudget(std::string_view json, const std::string& display_path) {
  BudgetParser parser(display_path);
  JsonDocument document(json, display_path);
  JsonValue root = document.root();
  Budget budget;
  budget.path = display_path;
  bool has_version = false;
  for (auto field : parser.Object(root, "")) {
    std::string key(field.key);
    if (key == "$schema" || key == "$comment") {
      parser.String(field.value, key);
    } else if (key == "version") {
      int64_t version = parser.Integer(field.value, key, 0, 1000);
      if (version != kSchemaVersion) {
        parser.Fail(key, "unsupported budget version " + std::to_string(version) + " (this npsbundle reads version 1)");
      }
      has_version = true;
    } else if (key == "compression") {
      parser.Compression(field.value, &budget);
    } else if (key == "initial") {
      parser.Initial(field.value, &budget);
    } else if (key == "chunk") {
      parser.Chunk(field.value, &budget);
    } else if (key == "vendorChunks") {
      parser.VendorChunks(field.value, &budget);
    } else if (key == "lazyPages") {
      parser.LazyPages(field.value, &budget);
    } else if (key == "routes") {
      parser.Routes(field.value, &budget);
    } else if (key == "duplicates") {
      parser.Duplicates(field.value, &budget);
    } else if (key == "timing") {
      parser.Timing(field.value, &budget);
    } else if (key == "profiles") {
      parser.Profiles(field.value, &budget);
    } else {
      parser.Unknown(key);
    }
  }
  if (!has_version) parser.Fail("", "missing field \"version\" (use \"version\": 1)");
  parser.CheckProfiles(budget);
  return budget;
}

std::optional<NetworkProfile> Budget::FindProfile(const std::string& name) const {
  for (const NetworkProfile& profile : profiles) {
    if (profile.name == name) return profile;
  }
  return FindBuiltinProfile(name);
}

Budget DefaultBudget() {
  Budget budget = ParseBudget(DefaultBudgetJson(), "budgets/default.json");
  budget.path.clear();
  return budget;
}

bool NeedsZstd(const Budget& b) {
  auto zstd = [](const std::optional<SizeLimit>& l) { return l && l->measure == Measure::kZstd; };
  auto growth = [](const std::optional<GrowthLimit>& g) {
    return g && !g->all_measures && g->measure == Measure::kZstd;
  };
  bool any = zstd(b.initial) || zstd(b.initial_js) || zstd(b.initial_css) || zstd(b.chunk) || zstd(b.route_cost) ||
             growth(b.initial_growth) || growth(b.route_growth) || growth(b.chunk_growth);
  for (const auto& [name, limit] : b.chunk_overrides) any |= limit.measure == Measure::kZstd;
  for (const auto& [name, limit] : b.route_cost_overrides) any |= limit.measure == Measure::kZstd;
  return any;
}

bool ParseGrowthLimit(std::string_view text, GrowthLimit* limit, std::string* error) {
  std::string_view rest = text;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.empty() || rest.front() != '+') {
    *error = "\"" + std::string(text) + "\": a growth limit starts with '+' (\"+5 kB gzip\" or \"+2%\")";
    return false;
  }
  rest.remove_prefix(1);
  size_t percent = rest.find('%');
  if (percent == std::string_view::npos) {
    SizeLimit size;
    std::string inner;
    if (!ParseSizeLimit(rest, &size, &inner)) {
      *error = inner;
      return false;
    }
    *limit = GrowthLimit{};
    limit->bytes = size.bytes;
    limit->measure = size.measure;
    return true;
  }
  std::string number(rest.substr(0, percent));
  char* end = nullptr;
  double value = std::strtod(number.c_str(), &end);
  if (number.empty() || end != number.c_str() + number.size() || !(value >= 0)) {
    *error = "\"" + std::string(text) + "\": expected a percentage like \"+2%\"";
    return false;
  }
  std::string_view measure = rest.substr(percent + 1);
  while (!measure.empty() && measure.front() == ' ') measure.remove_prefix(1);
  *limit = GrowthLimit{};
  limit->is_percent = true;
  limit->percent = value;
  if (measure.empty()) {
    limit->all_measures = true;
    return true;
  }
  // Reuse the size parser's measure names: "0 gzip" -> Measure::kGzip.
  SizeLimit probe;
  std::string inner;
  if (!ParseSizeLimit("0 " + std::string(measure), &probe, &inner)) {
    *error = "\"" + std::string(text) + "\": unknown measure \"" + std::string(measure) + "\" (raw, gzip or brotli)";
    return false;
  }
  limit->measure = probe.measure;
  return true;
}

std::string FormatGrowthLimit(const GrowthLimit& limit) {
  if (!limit.is_percent) return "+" + FormatLimit(SizeLimit{limit.bytes, limit.measure});
  char buf[32];
  std::snprintf(buf, sizeof buf, "+%g%%", limit.percent);
  return buf + (limit.all_measures ? std::string() : " " + std::string(MeasureName(limit.measure)));
}

bool GlobMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace npsbundle
