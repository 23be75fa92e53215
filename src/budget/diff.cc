#include "budget/diff.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "build/asset_names.h"
#include "core/error.h"

namespace npsbundle {
namespace {

SizeTriple FromTotals(const Totals& t) { return {t.raw, t.gzip, t.brotli, t.zstd}; }

std::string_view Extension(std::string_view path) {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : path.substr(dot);
}

template <typename Key, typename Row>
void Merge(const std::map<std::string, Row>& before, const std::map<std::string, Row>& after,
           std::vector<DiffRow>* out, Key fill) {
  std::map<std::string, DiffRow> rows;
  for (const auto& [id, row] : before) {
    DiffRow& d = rows[id];
    d.id = id;
    d.in_old = true;
    fill(row, &d, /*is_new=*/false);
  }
  for (const auto& [id, row] : after) {
    DiffRow& d = rows[id];
    d.id = id;
    d.in_new = true;
    fill(row, &d, /*is_new=*/true);
  }
  for (auto& [id, row] : rows) out->push_back(std::move(row));
}

std::map<std::string, const LoadGroup*> GroupsById(const std::vector<LoadGroup>& groups) {
  std::map<std::string, const LoadGroup*> out;
  for (const LoadGroup& g : groups) out.emplace(g.key, &g);
  return out;
}

std::map<std::string, std::pair<bool, uint64_t>> PackageTotals(const CheckReport& report) {
  std::map<std::string, std::pair<bool, uint64_t>> out;
  for (const ChunkAttribution& chunk : report.attribution) {
    for (const GroupShare& g : chunk.groups) {
      auto& [is_package, raw] = out[g.name];
      is_package = g.kind == OriginKind::kPackage;
      raw += g.raw;
    }
  }
  return out;
}

}  // namespace

std::string WithoutHash(const std::string& path) {
  if (!IsHashedAssetName(path)) return path;
  size_t dot = path.rfind('.');
  return path.substr(0, dot - 9) + path.substr(dot);
}

uint64_t SizeTriple::Get(Measure measure) const {
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

std::string_view DiffKindName(DiffKind kind) {
  switch (kind) {
    case DiffKind::kEntry:
      return "entry";
    case DiffKind::kLazyPage:
      return "lazyPage";
    case DiffKind::kChunk:
      return "chunk";
  }
  return "chunk";
}

int64_t DiffRow::Delta(Measure measure) const {
  return static_cast<int64_t>(after.Get(measure)) - static_cast<int64_t>(before.Get(measure));
}

double DiffRow::Percent(Measure measure) const {
  uint64_t base = before.Get(measure);
  if (base == 0) return 0;
  return 100.0 * static_cast<double>(Delta(measure)) / static_cast<double>(base);
}

std::string ChunkIdentity(const FileRow& row) {
  // Entry and page keys are source paths, stable across builds; shared
  // chunks' keys ("_vendor-react-HASH.js") are not, their names are.
  if (!row.manifest_key.empty() && row.manifest_key.front() != '_') return row.manifest_key;
  if (!row.chunk_name.empty()) return row.chunk_name + std::string(Extension(row.size.path));
  return WithoutHash(row.size.path);
}

std::vector<const DiffRow*> ReportDiff::Changes() const {
  std::vector<const DiffRow*> out;
  for (const auto* list : {&entries, &lazy_pages, &chunks}) {
    for (const DiffRow& row : *list) {
      if (row.added() || row.removed() || row.change != ChunkChange::kNone || row.Delta(Measure::kGzip) != 0 ||
          row.Delta(Measure::kRaw) != 0) {
        out.push_back(&row);
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const DiffRow* a, const DiffRow* b) {
    return std::llabs(a->Delta(Measure::kGzip)) > std::llabs(b->Delta(Measure::kGzip));
  });
  return out;
}

ReportDiff DiffReports(const CheckReport& before, const CheckReport& after, const std::string& baseline_name) {
  ReportDiff diff;
  diff.baseline = baseline_name;
  auto fill_group = [](DiffKind kind) {
    return [kind](const LoadGroup* g, DiffRow* d, bool is_new) {
      d->kind = kind;
      d->label = g->label;
      (is_new ? d->after : d->before) = FromTotals(g->total);
    };
  };
  Merge(GroupsById(before.entries), GroupsById(after.entries), &diff.entries, fill_group(DiffKind::kEntry));
  Merge(GroupsById(before.lazy_pages), GroupsById(after.lazy_pages), &diff.lazy_pages, fill_group(DiffKind::kLazyPage));
  diff.chunks = MatchChunks(before, after);
  diff.has_packages = !before.attribution.empty() && !after.attribution.empty();
  if (diff.has_packages) {
    auto old_totals = PackageTotals(before), new_totals = PackageTotals(after);
    std::map<std::string, PackageDelta> merged;
    for (const auto& [name, v] : old_totals) merged[name] = {name, v.first, v.second, 0};
    for (const auto& [name, v] : new_totals) {
      PackageDelta& p = merged[name];
      p.name = name;
      p.is_package = v.first;
      p.after = v.second;
    }
    for (const auto& [name, p] : merged) {
      if (p.delta() != 0) diff.packages.push_back(p);
    }
    std::stable_sort(diff.packages.begin(), diff.packages.end(), [](const PackageDelta& a, const PackageDelta& b) {
      return std::llabs(a.delta()) > std::llabs(b.delta());
    });
  }
  return diff;
}

void EvaluateGrowthRules(const Budget& budget, const ReportDiff& diff, CheckReport* report) {
  auto check = [&](const DiffRow& row, const GrowthLimit& limit, const std::string& what) {
    if (!row.in_new) return;
    if (limit.is_percent && !row.in_old) return;
    RuleResult r;
    r.rule = "maxGrowth";
    r.subject = row.label;
    r.file = row.kind == DiffKind::kChunk ? row.new_file : "";
    std::vector<Measure> measures;
    if (limit.is_percent && limit.all_measures) {
      measures = {Measure::kGzip, Measure::kRaw, Measure::kBrotli};
    } else {
      measures = {limit.measure};
    }
    std::string worst;
    bool pass = true;
    for (Measure m : measures) {
      int64_t delta = row.Delta(m);
      bool over = limit.is_percent ? row.Percent(m) > limit.percent + 1e-9
                                   : delta > static_cast<int64_t>(limit.bytes);
      if (measures.size() == 1 || over || worst.empty()) {
        worst = FormatDelta(delta) + " " + std::string(MeasureName(m)) +
                (row.in_old ? " (" + FormatPercent(row.Percent(m)) + ")" : " (new)");
      }
      if (over) {
        pass = false;
        r.actual = static_cast<uint64_t>(std::max<int64_t>(delta, 0));
        break;
      }
    }
    if (pass && !r.actual) r.actual = static_cast<uint64_t>(std::max<int64_t>(row.Delta(measures.front()), 0));
    r.status = pass ? RuleStatus::kPass : RuleStatus::kFail;
    r.message = what + " changed by " + worst + " against " + diff.baseline + (pass ? ", within " : ", over ") +
                FormatGrowthLimit(limit);
    report->rules.push_back(std::move(r));
  };
  if (budget.initial_growth) {
    for (const DiffRow& row : diff.entries) check(row, *budget.initial_growth, "initial load of " + row.label);
  }
  if (budget.route_growth) {
    for (const DiffRow& row : diff.lazy_pages) check(row, *budget.route_growth, "route cost of " + row.label);
  }
  if (budget.chunk_growth) {
    for (const DiffRow& row : diff.chunks) check(row, *budget.chunk_growth, row.label);
  }
}

std::string FormatDelta(int64_t bytes) {
  if (bytes == 0) return "±0 B";
  std::string sign = bytes > 0 ? "+" : "-";
  uint64_t magnitude = static_cast<uint64_t>(bytes > 0 ? bytes : -bytes);
  // Small changes in bytes: "+12 B" says more than "+0.0 kB".
  if (magnitude < 100) return sign + std::to_string(magnitude) + " B";
  return sign + FormatKb(magnitude);
}

std::string FormatPercent(double percent) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%+.1f%%", percent);
  return buf;
}

// ---- reading a JSON report back ------------------------------------------

namespace {

class ReportReader {
 public:
  explicit ReportReader(const std::string& display_path) : path_(display_path) {}

  [[noreturn]] void Fail(const std::string& location, const std::string& what) const {
    throw InputError(path_ + ": " + (location.empty() ? "" : location + ": ") + what);
  }

  simdjson::dom::element Field(simdjson::dom::element object, const char* key, const std::string& location) const {
    simdjson::dom::element value;
    if (object[key].get(value)) Fail(location, std::string("missing field \"") + key + "\"");
    return value;
  }

  std::string String(simdjson::dom::element object, const char* key, const std::string& location,
                     bool optional = false) const {
    simdjson::dom::element value;
    if (object[key].get(value)) {
      if (optional) return "";
      Fail(location, std::string("missing field \"") + key + "\"");
    }
    std::string_view text;
    if (value.get_string().get(text)) Fail(location + "." + key, "expected a string");
    return std::string(text);
  }

  uint64_t Number(simdjson::dom::element object, const char* key, const std::string& location) const {
    uint64_t n = 0;
    if (Field(object, key, location).get_uint64().get(n)) Fail(location + "." + key, "expected a byte count");
    return n;
  }

  simdjson::dom::array Array(simdjson::dom::element object, const char* key, const std::string& location) const {
    simdjson::dom::array array;
    if (Field(object, key, location).get_array().get(array)) {
      Fail(location.empty() ? key : location + "." + key, "expected an array");
    }
    return array;
  }

  Totals ReadTotals(simdjson::dom::element value, const std::string& location) const {
    Totals t;
    t.raw = Number(value, "raw", location);
    t.gzip = Number(value, "gzip", location);
    t.brotli = Number(value, "brotli", location);
    t.files = Number(value, "files", location);
    if (value["zstd"].error() == simdjson::SUCCESS) t.zstd = Number(value, "zstd", location);
    return t;
  }

  std::vector<LoadGroup> Groups(simdjson::dom::element root, const char* key) const {
    std::vector<LoadGroup> out;
    size_t i = 0;
    for (simdjson::dom::element g : Array(root, key, "")) {
      std::string at = std::string(key) + "[" + std::to_string(i++) + "]";
      LoadGroup group;
      group.key = String(g, "key", at);
      group.label = String(g, "label", at);
      group.entry = String(g, "entry", at, /*optional=*/true);
      group.total = ReadTotals(Field(g, "total", at), at + ".total");
      out.push_back(std::move(group));
    }
    return out;
  }

  CheckReport Read(std::string_view json) const {
    simdjson::dom::parser parser;
    simdjson::padded_string padded(json);
    simdjson::dom::element root;
    if (auto error = parser.parse(padded).get(root)) {
      Fail("", std::string("invalid JSON (") + simdjson::error_message(error) + ")");
    }
    if (!root.is_object()) Fail("", "expected a JSON report object (npsbundle check --format json)");
    int64_t version = 0;
    if (root["schemaVersion"].get_int64().get(version)) {
      Fail("", "not an npsbundle JSON report (no \"schemaVersion\"; write one with --format json)");
    }
    if (version != CheckReport::kSchemaVersion) {
      Fail("schemaVersion", "unsupported report schema version " + std::to_string(version));
    }
    CheckReport report;
    report.input = String(root, "input", "");
    report.entries = Groups(root, "entries");
    report.lazy_pages = Groups(root, "lazyPages");
    size_t i = 0;
    for (simdjson::dom::element f : Array(root, "files", "")) {
      std::string at = "files[" + std::to_string(i++) + "]";
      FileRow row;
      row.size.path = String(f, "path", at);
      row.kind = KindOfPath(row.size.path);
      row.size.raw = Number(f, "raw", at);
      row.size.gzip = Number(f, "gzip", at);
      row.size.brotli = Number(f, "brotli", at);
      if (f["zstd"].error() == simdjson::SUCCESS) row.size.zstd = Number(f, "zstd", at);
      row.manifest_key = String(f, "manifestKey", at, true);
      row.chunk_name = String(f, "chunkName", at, true);
      simdjson::dom::array packages;
      if (!f["packages"].get_array().get(packages)) {
        ChunkAttribution chunk;
        chunk.file = row.size.path;
        chunk.raw = row.size.raw;
        size_t j = 0;
        for (simdjson::dom::element p : packages) {
          std::string pat = at + ".packages[" + std::to_string(j++) + "]";
          GroupShare g;
          g.name = String(p, "name", pat);
          std::string kind = String(p, "kind", pat);
          g.kind = kind == "package" ? OriginKind::kPackage : kind == "app" ? OriginKind::kApp : OriginKind::kGenerated;
          g.install_path = String(p, "path", pat, true);
          g.raw = Number(p, "raw", pat);
          g.gzip = Number(p, "gzip", pat);
          g.brotli = Number(p, "brotli", pat);
          chunk.groups.push_back(std::move(g));
        }
        report.attribution.push_back(std::move(chunk));
      }
      report.files.push_back(std::move(row));
    }
    std::sort(report.files.begin(), report.files.end(),
              [](const FileRow& a, const FileRow& b) { return a.size.path < b.size.path; });
    return report;
  }

 private:
  const std::string& path_;
};

}  // namespace

CheckReport ReadJsonReport(std::string_view json, const std::string& display_path) {
  return ReportReader(display_path).Read(json);
}

}  // namespace npsbundle
