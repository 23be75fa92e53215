// Package rules: they read the source-map attribution of the report's chunks,
// so they run only when the build has maps (Vite `build.sourcemap`).
#include <algorithm>
#include <map>
#include <set>

#include "budget/analysis.h"

namespace npsbundle {
namespace {

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The build file of vendor chunk `name`, matched as the vendorChunks rule does.
const FileRow* VendorFile(const CheckReport& report, const std::string& name) {
  for (const FileRow& row : report.files) {
    if (row.kind != FileKind::kScript) continue;
    if (row.chunk_name == name || (row.chunk_name.empty() && BaseName(row.size.path).rfind(name + "-", 0) == 0)) {
      return &row;
    }
  }
  return nullptr;
}

// Where a package's bytes are: (chunk, install path) -> raw bytes.
struct Placement {
  std::string chunk, install_path;
  uint64_t raw = 0, gzip = 0;
  const GroupShare* group = nullptr;
};

std::vector<Placement> PlacementsOf(const CheckReport& report, const std::string& package) {
  std::vector<Placement> out;
  for (const ChunkAttribution& chunk : report.attribution) {
    for (const GroupShare& g : chunk.groups) {
      if (g.kind == OriginKind::kPackage && g.name == package) {
        out.push_back({chunk.file, g.install_path, g.raw, g.gzip, &g});
      }
    }
  }
  return out;
}

std::string Where(const Placement& p) { return p.chunk + " (" + FormatKb(p.raw) + " raw)"; }

void AddResult(CheckReport* report, const std::string& rule, const std::string& subject, const std::string& file,
               RuleStatus status, std::string message, std::optional<uint64_t> actual = std::nullopt) {
  RuleResult r;
  r.rule = rule;
  r.subject = subject;
  r.file = file;
  r.status = status;
  r.actual = actual;
  r.message = std::move(message);
  report->rules.push_back(std::move(r));
}

void EvaluateVendorPackages(const Budget& budget, CheckReport* report) {
  for (const auto& [name, packages] : budget.vendor_packages) {
    const FileRow* vendor = VendorFile(*report, name);
    for (const std::string& package : packages) {
      std::vector<Placement> places = PlacementsOf(*report, package);
      std::string subject = name + ": " + package;
      if (places.empty()) {
        // Not a failure: packages that only re-export another one
        // (react-router-dom -> react-router) leave no bytes of their own.
        AddResult(report, "vendorChunks", subject, vendor ? vendor->size.path : "", RuleStatus::kPass,
                  "no chunk holds bytes of " + package +
                      " (it only re-exports other packages or was tree-shaken away): nothing to place");
        continue;
      }
      std::vector<const Placement*> outside;
      uint64_t inside = 0;
      for (const Placement& p : places) {
        if (vendor && p.chunk == vendor->size.path) {
          inside += p.raw;
        } else {
          outside.push_back(&p);
        }
      }
      if (outside.empty()) {
        AddResult(report, "vendorChunks", subject, vendor->size.path, RuleStatus::kPass,
                  package + " is in " + name + " (" + vendor->size.path + ", " + FormatKb(inside) + " raw)");
        continue;
      }
      std::string where;
      for (const Placement* p : outside) where += (where.empty() ? "" : ", ") + Where(*p);
      std::string message = package + " should be in " + name + " but " +
                            (inside ? "part of it is in " : "landed in ") + where;
      if (!vendor) message += "; there is no " + name + " chunk";
      AddResult(report, "vendorChunks", subject, outside.front()->chunk, RuleStatus::kFail, message);
    }
  }
}

bool Ignored(const Budget& budget, const std::string& package) {
  for (const std::string& pattern : budget.duplicates_ignore) {
    if (GlobMatch(pattern, package)) return true;
  }
  return false;
}

// Bytes a load path would not need if the package were there once: every
// copy but the largest, plus modules of the kept copy that appear in more
// than one chunk (all but the largest instance).
uint64_t WastedBytes(const std::vector<Placement>& places) {
  std::map<std::string, uint64_t> per_copy;
  for (const Placement& p : places) per_copy[p.install_path] += p.raw;
  uint64_t total = 0, largest = 0;
  std::string kept;
  for (const auto& [path, raw] : per_copy) {
    total += raw;
    if (raw > largest) {
      largest = raw;
      kept = path;
    }
  }
  uint64_t wasted = total - largest;
  std::map<std::string, std::pair<uint64_t, uint64_t>> modules;  // module -> (sum, max)
  for (const Placement& p : places) {
    if (p.install_path != kept) continue;
    for (const ModuleShare& m : p.group->modules) {
      auto& [sum, max] = modules[m.module];
      sum += m.raw;
      max = std::max(max, m.raw);
    }
  }
  for (const auto& [module, sum_max] : modules) wasted += sum_max.first - sum_max.second;
  return wasted;
}

// True when one module file of one copy is in more than one chunk.
bool SameModuleTwice(const std::vector<Placement>& places) {
  std::map<std::pair<std::string, std::string>, std::string> first_chunk;  // (copy, module) -> chunk
  for (const Placement& p : places) {
    for (const ModuleShare& m : p.group->modules) {
      auto [it, added] = first_chunk.emplace(std::make_pair(p.install_path, m.module), p.chunk);
      if (!added && it->second != p.chunk) return true;
    }
  }
  return false;
}

void EvaluateDuplicates(const Budget& budget, CheckReport* report) {
  if (budget.duplicates_severity == Budget::Severity::kOff) return;
  // Load paths: each entry's initial load, and each lazy page on top of the
  // initial load of its entry.
  struct LoadPath {
    std::string label;
    std::vector<std::string> files;
  };
  std::vector<LoadPath> paths;
  std::map<std::string, const LoadGroup*> entries;
  for (const LoadGroup& e : report->entries) {
    entries[e.key] = &e;
    paths.push_back({"the initial load of " + e.label, e.files});
  }
  for (const LoadGroup& page : report->lazy_pages) {
    LoadPath path{"the route to " + page.label, page.files};
    if (auto it = entries.find(page.entry); it != entries.end()) {
      path.files.insert(path.files.end(), it->second->files.begin(), it->second->files.end());
    }
    paths.push_back(std::move(path));
  }
  if (report->entries.empty()) {
    // No manifest: the whole build is one load path.
    LoadPath all{"the build", {}};
    for (const ChunkAttribution& a : report->attribution) all.files.push_back(a.file);
    paths.push_back(std::move(all));
  }
  std::set<std::string> reported;  // package + places, so one finding per duplication
  std::vector<RuleResult> found;
  for (const LoadPath& path : paths) {
    std::set<std::string> files(path.files.begin(), path.files.end());
    std::map<std::string, std::vector<Placement>> by_package;
    for (const ChunkAttribution& chunk : report->attribution) {
      if (!files.count(chunk.file)) continue;
      for (const GroupShare& g : chunk.groups) {
        if (g.kind == OriginKind::kPackage) by_package[g.name].push_back({chunk.file, g.install_path, g.raw, g.gzip, &g});
      }
    }
    for (auto& [package, places] : by_package) {
      std::set<std::string> chunks, copies;
      for (const Placement& p : places) {
        chunks.insert(p.chunk);
        copies.insert(p.install_path);
      }
      // A package split over chunks (react-dom in two) is no duplicate; one
      // module file in two chunks of one load path is.
      if (copies.size() < 2 && !SameModuleTwice(places)) continue;
      if (Ignored(budget, package)) continue;
      std::sort(places.begin(), places.end(), [](const Placement& a, const Placement& b) { return a.chunk < b.chunk; });
      std::string signature = package;
      for (const Placement& p : places) signature += "|" + p.chunk + "|" + p.install_path;
      if (!reported.insert(signature).second) continue;
      uint64_t wasted = WastedBytes(places);
      std::string where;
      for (const Placement& p : places) {
        where += (where.empty() ? "" : ", ") + p.install_path + " in " + Where(p);
      }
      std::string message = package + (copies.size() > 1 ? " is installed " + std::to_string(copies.size()) + " times"
                                                          : " has modules bundled in " + std::to_string(chunks.size()) +
                                                                " chunks") +
                            " on " + path.label + ": " + where + "; " + FormatKb(wasted) + " raw duplicated";
      RuleResult r;
      r.rule = "duplicates";
      r.subject = package;
      r.file = places.front().chunk;
      r.actual = wasted;
      r.status = budget.duplicates_severity == Budget::Severity::kError ? RuleStatus::kFail : RuleStatus::kWarn;
      r.message = message;
      found.push_back(std::move(r));
    }
  }
  // Two copies anywhere in the build, even on pages no single load path
  // joins: a visitor who opens both downloads the package twice.
  std::map<std::string, std::vector<Placement>> everywhere;
  for (const ChunkAttribution& chunk : report->attribution) {
    for (const GroupShare& g : chunk.groups) {
      if (g.kind == OriginKind::kPackage) everywhere[g.name].push_back({chunk.file, g.install_path, g.raw, g.gzip, &g});
    }
  }
  for (auto& [package, places] : everywhere) {
    std::set<std::string> copies;
    for (const Placement& p : places) copies.insert(p.install_path);
    const std::string& name = package;  // clang 14 cannot capture a structured binding
    bool named = std::any_of(found.begin(), found.end(), [&](const RuleResult& r) { return r.subject == name; });
    if (copies.size() < 2 || named || Ignored(budget, package)) continue;
    std::sort(places.begin(), places.end(), [](const Placement& a, const Placement& b) { return a.chunk < b.chunk; });
    std::map<std::string, uint64_t> per_copy;
    for (const Placement& p : places) per_copy[p.install_path] += p.raw;
    uint64_t total = 0, largest = 0;
    for (const auto& [path, raw] : per_copy) {
      total += raw;
      largest = std::max(largest, raw);
    }
    std::string where;
    for (const Placement& p : places) where += (where.empty() ? "" : ", ") + p.install_path + " in " + Where(p);
    RuleResult r;
    r.rule = "duplicates";
    r.subject = package;
    r.file = places.front().chunk;
    r.actual = total - largest;
    r.status = budget.duplicates_severity == Budget::Severity::kError ? RuleStatus::kFail : RuleStatus::kWarn;
    r.message = package + " is installed " + std::to_string(copies.size()) + " times in the build: " + where +
                "; a visitor who opens both downloads " + FormatKb(total - largest) + " raw twice";
    found.push_back(std::move(r));
  }
  if (found.empty()) {
    AddResult(report, "duplicates", "packages", "", RuleStatus::kPass,
              "no package is installed twice, and no module is in two chunks of one load path");
  }
  for (RuleResult& r : found) report->rules.push_back(std::move(r));
}

}  // namespace

void EvaluatePackageRules(const Budget& budget, CheckReport* report) {
  if (report->attribution.empty()) {
    if (!budget.vendor_packages.empty()) {
      report->notes.push_back(
          "vendorChunks lists packages, but the build has no source maps: package placement was not checked "
          "(set build.sourcemap to true or 'hidden' in vite.config).");
    }
    return;
  }
  EvaluateVendorPackages(budget, report);
  EvaluateDuplicates(budget, report);
}

}  // namespace npsbundle
