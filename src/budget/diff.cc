#include "budget/diff.h"

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

}  // namespace npsbundle
