#include "budget/analysis.h"

#include <algorithm>
#include <cctype>
#include <deque>
#include <map>
#include <set>
#include <string_view>
#include <unordered_set>

#include "build/attribution.h"
#include "budget/framework.h"
#include "build/load_sets.h"

namespace npsbundle {
namespace {

std::string_view BaseName(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// "src/pages/Oracle.tsx?x=y" -> "Oracle".
std::string_view SourceStem(std::string_view src) {
  src = src.substr(0, src.find('?'));
  std::string_view base = BaseName(src);
  size_t dot = base.find('.');
  return dot == std::string_view::npos ? base : base.substr(0, dot);
}

// The folder that holds a source: "routes" for "src/routes/index.tsx".
std::string_view ParentName(std::string_view src) {
  src = src.substr(0, src.find('?'));
  size_t slash = src.rfind('/');
  if (slash == std::string_view::npos) return "";
  return BaseName(src.substr(0, slash));
}

std::string GroupLabel(const ManifestChunk& chunk) {
  if (chunk.key.ends_with(".html")) return chunk.key;
  // Rollup and Rolldown name an index module's chunk after its folder: for
  // src/routes/index.tsx (a file router's "/") that is "routes", which
  // names no page. Folders that only hold pages give way to "index";
  // src/pages/Users/index.vue stays "Users".
  static const std::set<std::string_view> kPageFolders = {"routes", "pages", "views", "app", "src"};
  if (!chunk.name.empty() && SourceStem(chunk.src) == "index" && chunk.name == ParentName(chunk.src) &&
      kPageFolders.count(chunk.name)) {
    return "index";
  }
  if (!chunk.name.empty()) return chunk.name;
  if (!chunk.src.empty()) return std::string(SourceStem(chunk.src));
  return chunk.key;
}

// "src/pages/admin/index.vue" -> "pages/admin/index" for `parts` = 3: the
// last `parts` path components without the extension.
std::string KeyTail(std::string_view key, size_t parts) {
  key = key.substr(0, key.find('?'));
  size_t dot = key.rfind('.');
  if (dot != std::string_view::npos && key.find('/', dot) == std::string_view::npos) key = key.substr(0, dot);
  size_t start = key.size();
  for (size_t i = 0; i < parts && start != std::string_view::npos && start > 0; ++i) {
    start = key.rfind('/', start - 1);
  }
  return std::string(start == std::string_view::npos ? key : key.substr(start + 1));
}

// Two pages named "index" (src/pages/a/index.vue, src/pages/b/index.vue)
// become "a/index" and "b/index": the shortest key tail that tells them
// apart, else the whole key.
void MakeLabelsUnique(std::vector<LoadGroup*> groups) {
  std::map<std::string, std::vector<LoadGroup*>> by_label;
  for (LoadGroup* g : groups) by_label[g->label].push_back(g);
  for (auto& [label, same] : by_label) {
    if (same.size() < 2) continue;
    for (size_t parts = 2; parts <= 8; ++parts) {
      std::set<std::string> tails;
      for (LoadGroup* g : same) tails.insert(KeyTail(g->key, parts));
      if (tails.size() == same.size()) {
        for (LoadGroup* g : same) g->label = KeyTail(g->key, parts);
        break;
      }
      if (parts == 8) {
        for (LoadGroup* g : same) g->label = g->key;
      }
    }
  }
}

bool CostlierGroup(const LoadGroup& a, const LoadGroup& b) {
  if (a.total.gzip != b.total.gzip) return a.total.gzip > b.total.gzip;
  return a.label < b.label;
}

std::string Files(uint64_t count) { return std::to_string(count) + (count == 1 ? " file" : " files"); }

// An overshoot too small to show in kB with one decimal is shown in bytes.
std::string FormatExcess(uint64_t bytes) { return bytes < 100 ? std::to_string(bytes) + " B" : FormatKb(bytes); }

bool MatchesPage(const ManifestChunk& chunk, const std::string& page) {
  return page == chunk.name || page == chunk.key || page == chunk.src ||
         (!chunk.src.empty() && SourceStem(chunk.src) == page);
}

class Analyzer {
 public:
  Analyzer(const Manifest* manifest, const Budget& budget, Framework framework, CheckReport* report)
      : manifest_(manifest), budget_(budget), framework_(framework), report_(*report) {}

  void BuildFiles(std::vector<FileMeasurement> measurements) {
    std::map<std::string, const ManifestChunk*> by_file;
    if (manifest_) {
      for (const auto& [key, chunk] : manifest_->chunks) by_file.emplace(chunk.file, &chunk);
    }
    for (FileMeasurement& m : measurements) {
      FileRow row;
      row.kind = KindOfPath(m.path);
      auto it = by_file.find(m.path);
      if (it != by_file.end()) {
        row.manifest_key = it->second->key;
        row.chunk_name = it->second->name;
      }
      row.size = std::move(m);
      report_.files.push_back(std::move(row));
    }
    std::sort(report_.files.begin(), report_.files.end(),
              [](const FileRow& a, const FileRow& b) { return a.size.path < b.size.path; });
  }

  void BuildGroups() {
    if (!manifest_) return;
    std::set<std::string> reached_dynamic;
    for (const std::string& entry_key : manifest_->EntryKeys()) {
      const ManifestChunk& entry = *manifest_->Find(entry_key);
      Reach entry_reach = ReachOf(*manifest_, entry_key, LoadSet{});
      const LoadSet& initial = entry_reach.cost;
      report_.entries.push_back(MakeGroup(entry, initial, ""));
      initial_sets_.push_back(initial);
      // Every dynamic entry reachable from this entry, breadth first. Each
      // record's dynamic imports are queued once: when every page imports
      // the entry chunk, its hundreds of imports recur in every closure.
      std::deque<const std::string*> queue;  // keys owned by the manifest
      std::unordered_set<std::string_view> seen;
      std::unordered_set<const ManifestChunk*> expanded;
      auto enqueue = [&](const Reach& reach) {
        for (const ManifestChunk* chunk : reach.closure) {
          if (!expanded.insert(chunk).second) continue;
          for (const std::string& d : chunk->dynamic_imports) {
            if (seen.insert(d).second) queue.push_back(&d);
          }
        }
      };
      enqueue(entry_reach);
      while (!queue.empty()) {
        const std::string& key = *queue.front();
        queue.pop_front();
        Reach reach = ReachOf(*manifest_, key, initial);
        enqueue(reach);
        const ManifestChunk& page = *manifest_->Find(key);
        // A chunk that is part of the initial load costs nothing to "navigate" to.
        if (initial.Contains(page.file)) continue;
        report_.lazy_pages.push_back(MakeGroup(page, reach.cost, entry.key));
        reached_dynamic.insert(key);
      }
    }
    for (const std::string& key : manifest_->DynamicEntryKeys()) {
      if (reached_dynamic.count(key) || InAnyInitialSet(manifest_->Find(key)->file)) continue;
      report_.lazy_pages.push_back(MakeGroup(*manifest_->Find(key), RouteCost(*manifest_, key, {}), ""));
    }
    SeparateLibraries();
    std::vector<LoadGroup*> labelled;
    for (LoadGroup& g : report_.entries) labelled.push_back(&g);
    for (LoadGroup& g : report_.lazy_pages) labelled.push_back(&g);
    MakeLabelsUnique(std::move(labelled));
    std::stable_sort(report_.lazy_pages.begin(), report_.lazy_pages.end(), CostlierGroup);
    std::stable_sort(report_.lazy_libraries.begin(), report_.lazy_libraries.end(), CostlierGroup);
  }

  void EvaluateRules() {
    if (!manifest_) {
      report_.notes.push_back(
          "No Vite manifest in the build (.vite/manifest.json or manifest.json): initial-load, "
          "vendor-chunk and lazy-page rules need `build: { manifest: true }` in vite.config; "
          "only per-file budgets were checked.");
    } else {
      for (const LoadGroup& entry : report_.entries) EvaluateEntry(entry);
      for (const std::string& name : budget_.vendor_chunks) EvaluateVendorChunk(name);
      for (const std::string& page : budget_.lazy_pages) EvaluateLazyPage(page);
      for (const LoadGroup& page : report_.lazy_pages) EvaluateRouteCost(page);
    }
    for (const FileRow& row : report_.files) EvaluateChunk(row);
  }

 private:
  LoadGroup MakeGroup(const ManifestChunk& chunk, const LoadSet& set, const std::string& entry) const {
    LoadGroup group;
    group.key = chunk.key;
    group.label = GroupLabel(chunk);
    group.entry = entry;
    group.files = set.All();
    for (const std::string& path : group.files) AddFile(path, &group);
    return group;
  }

  // Moves dynamic entries whose source is inside a package out of the lazy
  // pages, one group per package holding all of them.
  void SeparateLibraries() {
    std::vector<LoadGroup> pages;
    std::map<std::string, size_t> library_index;
    for (LoadGroup& page : report_.lazy_pages) {
      const ManifestChunk* chunk = manifest_->Find(page.key);
      std::string_view src = chunk && !chunk->src.empty() ? std::string_view(chunk->src) : std::string_view(page.key);
      SourceOrigin origin = src.find("node_modules/") != std::string_view::npos ? ClassifySource(src) : SourceOrigin{};
      if (origin.kind != OriginKind::kPackage) {
        pages.push_back(std::move(page));
        continue;
      }
      auto [it, added] = library_index.emplace(origin.group, report_.lazy_libraries.size());
      if (added) {
        LoadGroup library;
        library.key = library.label = origin.group;
        library.entry = page.entry;
        library.chunks = 0;
        report_.lazy_libraries.push_back(std::move(library));
      }
      LoadGroup& library = report_.lazy_libraries[it->second];
      ++library.chunks;
      for (std::string& file : page.files) {
        if (std::find(library.files.begin(), library.files.end(), file) != library.files.end()) continue;
        AddFile(file, &library);
        library.files.push_back(std::move(file));
      }
    }
    report_.lazy_pages = std::move(pages);
  }

  void AddFile(const std::string& path, LoadGroup* group) const {
    const FileRow* row = report_.FindFile(path);
    if (!row) return;  // validated earlier: every manifest file exists
    group->total.Add(row->size);
    if (row->kind == FileKind::kScript) group->js.Add(row->size);
    if (row->kind == FileKind::kStyle) group->css.Add(row->size);
  }

  bool InAnyInitialSet(const std::string& path) const {
    for (const LoadSet& set : initial_sets_) {
      if (set.Contains(path)) return true;
    }
    return false;
  }

  const LoadGroup* EntryHolding(const std::string& path) const {
    for (size_t i = 0; i < initial_sets_.size(); ++i) {
      if (initial_sets_[i].Contains(path)) return &report_.entries[i];
    }
    return nullptr;
  }

  void AddSizeRule(const std::string& rule, const std::string& subject, const std::string& file,
                   uint64_t actual, const SizeLimit& limit, const std::string& what) {
    RuleResult result;
    result.rule = rule;
    result.subject = subject;
    result.file = file;
    result.actual = actual;
    result.limit = limit;
    bool pass = actual <= limit.bytes;
    result.status = pass ? RuleStatus::kPass : RuleStatus::kFail;
    std::string measure(MeasureName(limit.measure));
    result.message = what + " is " + FormatKb(actual) + " " + measure +
                     (pass ? ", within " : ", over the limit of ") + FormatLimit(limit);
    if (!pass) result.message += " by " + FormatExcess(actual - limit.bytes);
    report_.rules.push_back(std::move(result));
  }

  void AddFinding(const std::string& rule, const std::string& subject, const std::string& file,
                  bool pass, std::string message) {
    RuleResult result;
    result.rule = rule;
    result.subject = subject;
    result.file = file;
    result.status = pass ? RuleStatus::kPass : RuleStatus::kFail;
    result.message = std::move(message);
    report_.rules.push_back(std::move(result));
  }

  void EvaluateEntry(const LoadGroup& entry) {
    const std::string file = entry.files.empty() ? "" : entry.files.front();
    const std::string what = "initial load of " + entry.label;
    if (budget_.initial) {
      AddSizeRule("initial", entry.label, file, entry.total.Get(budget_.initial->measure), *budget_.initial,
                  what + " (" + Files(entry.total.files) + ")");
    }
    if (budget_.initial_js) {
      AddSizeRule("initial.js", entry.label, file, entry.js.Get(budget_.initial_js->measure),
                  *budget_.initial_js, "JavaScript in the " + what);
    }
    if (budget_.initial_css) {
      AddSizeRule("initial.css", entry.label, file, entry.css.Get(budget_.initial_css->measure),
                  *budget_.initial_css, "CSS in the " + what);
    }
    if (budget_.max_initial_requests) {
      RuleResult result;
      result.rule = "requests";
      result.subject = entry.label;
      result.file = file;
      result.actual = entry.total.files;
      result.max_count = *budget_.max_initial_requests;
      bool pass = entry.total.files <= *budget_.max_initial_requests;
      result.status = pass ? RuleStatus::kPass : RuleStatus::kFail;
      result.message = what + " fetches " + Files(entry.total.files) +
                       (pass ? ", within " : ", over the limit of ") +
                       std::to_string(*budget_.max_initial_requests);
      report_.rules.push_back(std::move(result));
    }
  }

  void EvaluateChunk(const FileRow& row) {
    if (row.kind != FileKind::kScript && row.kind != FileKind::kStyle) return;
    std::optional<SizeLimit> limit = budget_.chunk;
    for (const auto& [pattern, override_limit] : budget_.chunk_overrides) {
      if (ChunkMatches(pattern, row)) {
        limit = override_limit;
        break;
      }
    }
    if (!limit) return;
    Totals one;
    one.Add(row.size);
    uint64_t actual = one.Get(limit->measure);
    AddSizeRule("chunk", row.size.path, row.size.path, actual, *limit, row.size.path);
  }

  void EvaluateVendorChunk(const std::string& name) {
    std::vector<const FileRow*> matches;
    for (const FileRow& row : report_.files) {
      if (row.kind != FileKind::kScript) continue;
      std::string_view base = BaseName(row.size.path);
      if (row.chunk_name == name || (row.chunk_name.empty() && base.rfind(name + "-", 0) == 0)) {
        matches.push_back(&row);
      }
    }
    if (matches.empty()) {
      AddFinding("vendorChunks", name, "", false,
                 "no chunk named " + name + ": its packages are bundled elsewhere (is the vendor split "
                 "configured in vite.config?)");
      return;
    }
    const FileRow& chunk = *matches.front();
    const ManifestChunk* record = manifest_->Find(chunk.manifest_key);
    if (record && record->is_entry) {
      AddFinding("vendorChunks", name, chunk.size.path, false,
                 name + " is the entry chunk itself (" + chunk.size.path + "), not a separate vendor file");
      return;
    }
    const LoadGroup* entry = EntryHolding(chunk.size.path);
    if (!entry) {
      AddFinding("vendorChunks", name, chunk.size.path, false,
                 name + " (" + chunk.size.path + ") is not part of any initial load: only lazy pages fetch it");
      return;
    }
    AddFinding("vendorChunks", name, chunk.size.path, true,
               name + " is a separate file (" + chunk.size.path + ") in the initial load of " + entry->label);
  }

  void EvaluateLazyPage(const std::string& page) {
    const ManifestChunk* found = nullptr;
    for (const auto& [key, chunk] : manifest_->chunks) {
      if (!MatchesPage(chunk, page)) continue;
      if (!found || (chunk.is_dynamic_entry && !found->is_dynamic_entry)) found = &chunk;
    }
    if (!found) {
      AddFinding("lazyPages", page, "", false,
                 page + " has no chunk of its own: it is imported statically and bundled into another "
                        "chunk (" + LazyLoadAdvice(framework_) + ")");
      return;
    }
    if (const LoadGroup* entry = EntryHolding(found->file)) {
      AddFinding("lazyPages", page, found->file, false,
                 page + " (" + found->file + ") is in the initial load of " + entry->label +
                     ": it is imported statically somewhere");
      return;
    }
    if (!found->is_dynamic_entry) {
      AddFinding("lazyPages", page, found->file, false,
                 page + " (" + found->file + ") is not loaded with a dynamic import()");
      return;
    }
    AddFinding("lazyPages", page, found->file, true, page + " is lazy-loaded (" + found->file + ")");
  }

  void EvaluateRouteCost(const LoadGroup& page) {
    std::optional<SizeLimit> limit = budget_.route_cost;
    for (const auto& [pattern, override_limit] : budget_.route_cost_overrides) {
      if (RouteCostMatches(pattern, page)) {
        limit = override_limit;
        break;
      }
    }
    if (!limit) return;
    std::string file = page.files.empty() ? "" : page.files.front();
    AddSizeRule("routeCost", page.label, file, page.total.Get(limit->measure), *limit,
                "route cost of " + page.label + " (" + Files(page.total.files) + ")");
  }

  const Manifest* manifest_;
  const Budget& budget_;
  Framework framework_;  // names the API in advice
  CheckReport& report_;
  std::vector<LoadSet> initial_sets_;  // parallel to report_.entries
};

}  // namespace

bool ChunkMatches(const std::string& pattern, const FileRow& row) {
  return GlobMatch(pattern, row.size.path) || (!row.chunk_name.empty() && GlobMatch(pattern, row.chunk_name)) ||
         (!row.manifest_key.empty() && GlobMatch(pattern, row.manifest_key));
}

bool RouteCostMatches(const std::string& pattern, const LoadGroup& page) {
  return GlobMatch(pattern, page.label) || GlobMatch(pattern, page.key);
}

std::string_view FileKindName(FileKind kind) {
  switch (kind) {
    case FileKind::kScript:
      return "js";
    case FileKind::kStyle:
      return "css";
    case FileKind::kHtml:
      return "html";
    case FileKind::kAsset:
      return "asset";
    case FileKind::kSourceMap:
      return "map";
  }
  return "asset";
}

FileKind KindOfPath(std::string_view raw_path) {
  // Case-insensitive like IsTextLike, so "APP.JS" is both compressed and budgeted.
  std::string path(raw_path);
  for (char& c : path) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (path.ends_with(".map")) return FileKind::kSourceMap;
  if (path.ends_with(".js") || path.ends_with(".mjs") || path.ends_with(".cjs")) return FileKind::kScript;
  if (path.ends_with(".css")) return FileKind::kStyle;
  if (path.ends_with(".html") || path.ends_with(".htm")) return FileKind::kHtml;
  return FileKind::kAsset;
}

std::string_view UnlistedKind(std::string_view raw_path) {
  std::string path(raw_path);
  for (char& c : path) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (path.ends_with(".map")) return "source map";
  for (std::string_view font : {".woff2", ".woff", ".ttf", ".otf", ".eot"}) {
    if (path.ends_with(font)) return "font";
  }
  std::string_view base = BaseName(path);
  if (path.ends_with(".webmanifest") || base == "manifest.json" || base == "ssr-manifest.json") return "manifest";
  return "";
}

uint64_t Totals::Get(Measure measure) const {
  switch (measure) {
    case Measure::kRaw:
      return raw;
    case Measure::kGzip:
      return gzip;
    case Measure::kBrotli:
      return brotli;
    case Measure::kZstd:
      return zstd;
  }
  return raw;
}

void Totals::Add(const FileMeasurement& m) {
  raw += m.raw;
  gzip += m.gzip;
  brotli += m.brotli;
  zstd += m.zstd;
  ++files;
}

size_t CheckReport::failures() const {
  return static_cast<size_t>(std::count_if(rules.begin(), rules.end(),
                                           [](const RuleResult& r) { return r.status == RuleStatus::kFail; }));
}

const FileRow* CheckReport::FindFile(const std::string& path) const {
  auto it = std::lower_bound(files.begin(), files.end(), path,
                             [](const FileRow& row, const std::string& p) { return row.size.path < p; });
  return it != files.end() && it->size.path == path ? &*it : nullptr;
}

std::string_view RuleStatusName(RuleStatus status) {
  switch (status) {
    case RuleStatus::kPass:
      return "pass";
    case RuleStatus::kFail:
      return "fail";
    case RuleStatus::kWarn:
      return "warn";
  }
  return "fail";
}

size_t CheckReport::warning_count() const {
  return static_cast<size_t>(std::count_if(rules.begin(), rules.end(),
                                           [](const RuleResult& r) { return r.status == RuleStatus::kWarn; }));
}

const ChunkAttribution* CheckReport::FindAttribution(const std::string& path) const {
  for (const ChunkAttribution& a : attribution) {
    if (a.file == path) return &a;
  }
  return nullptr;
}

CheckReport Analyze(const std::string& input, const Manifest* manifest,
                    std::vector<FileMeasurement> measurements, const Budget& budget,
                    std::vector<ChunkAttribution> attribution) {
  CheckReport report;
  report.input = input;
  report.manifest_path = manifest ? manifest->path : "";
  report.budget_path = budget.path;
  report.levels = budget.levels;
  report.notes = budget.notes;
  Analyzer analyzer(manifest, budget, DetectFramework(manifest, attribution), &report);
  analyzer.BuildFiles(std::move(measurements));
  analyzer.BuildGroups();
  analyzer.EvaluateRules();
  std::sort(attribution.begin(), attribution.end(),
            [](const ChunkAttribution& a, const ChunkAttribution& b) { return a.file < b.file; });
  report.attribution = std::move(attribution);
  EvaluatePackageRules(budget, &report);
  if (manifest) EvaluateTimingRules(budget, &report);
  return report;
}

}  // namespace npsbundle
