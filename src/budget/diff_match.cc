// Pairing the chunks of two builds by identity rather than by position: a
// build with four chunks named `index` must not show phantom changes when
// one unrelated page changes and every hash moves.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "budget/diff.h"

namespace npsbundle {
namespace {

// A chunk with what identifies it.
struct Side {
  const FileRow* row = nullptr;
  std::string name;                          // ChunkIdentity
  std::map<std::string, uint64_t> modules;   // module -> raw bytes (source maps)
  uint64_t mapped = 0;                       // sum of modules
  int partner = -1;                          // index on the other side
};

std::vector<Side> Sides(const CheckReport& report) {
  std::vector<Side> out;
  for (const FileRow& row : report.files) {
    if (row.kind != FileKind::kScript && row.kind != FileKind::kStyle) continue;
    Side side;
    side.row = &row;
    side.name = ChunkIdentity(row);
    if (const ChunkAttribution* a = report.FindAttribution(row.size.path)) {
      for (const GroupShare& g : a->groups) {
        for (const ModuleShare& m : g.modules) side.modules[m.module] += m.raw;
      }
      for (const auto& [module, raw] : side.modules) side.mapped += raw;
    }
    out.push_back(std::move(side));
  }
  return out;
}

std::string_view Extension(std::string_view path) {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : path.substr(dot);
}

bool StableKey(const FileRow& row) { return !row.manifest_key.empty() && row.manifest_key.front() != '_'; }

bool SameBytes(const FileRow& a, const FileRow& b) {
  return a.size.raw == b.size.raw && a.size.gzip == b.size.gzip && a.size.brotli == b.size.brotli &&
         Extension(a.size.path) == Extension(b.size.path);
}

uint64_t SharedBytes(const Side& a, const Side& b) {
  uint64_t shared = 0;
  for (const auto& [module, raw] : a.modules) {
    auto it = b.modules.find(module);
    if (it != b.modules.end()) shared += std::min(raw, it->second);
  }
  return shared;
}

void Pair(std::vector<Side>& old_sides, size_t o, std::vector<Side>& new_sides, size_t n) {
  old_sides[o].partner = static_cast<int>(n);
  new_sides[n].partner = static_cast<int>(o);
}

// Pairs unpaired chunks in order of `score` (higher first) among candidate
// pairs with a positive score.
template <typename Score>
void PairGreedily(std::vector<Side>& old_sides, std::vector<Side>& new_sides, Score score) {
  struct Candidate {
    double score;
    size_t o, n;
  };
  std::vector<Candidate> candidates;
  for (size_t o = 0; o < old_sides.size(); ++o) {
    if (old_sides[o].partner >= 0) continue;
    for (size_t n = 0; n < new_sides.size(); ++n) {
      if (new_sides[n].partner >= 0) continue;
      double s = score(old_sides[o], new_sides[n]);
      if (s > 0) candidates.push_back({s, o, n});
    }
  }
  std::stable_sort(candidates.begin(), candidates.end(),
                   [](const Candidate& a, const Candidate& b) { return a.score > b.score; });
  for (const Candidate& c : candidates) {
    if (old_sides[c.o].partner < 0 && new_sides[c.n].partner < 0) Pair(old_sides, c.o, new_sides, c.n);
  }
}

SizeTriple Sizes(const FileRow& row) { return {row.size.raw, row.size.gzip, row.size.brotli, row.size.zstd}; }

// "assets/vendor-react-D-9X1o8U.js" -> "assets/vendor-react.js".
std::string Label(const Side& side) { return WithoutHash(side.row->size.path); }

// The chunks of `others` that hold at least a tenth of `side`'s mapped bytes.
std::vector<const Side*> Destinations(const Side& side, const std::vector<Side>& others) {
  std::vector<const Side*> out;
  if (side.mapped == 0) return out;
  for (const Side& other : others) {
    if (SharedBytes(side, other) * 10 >= side.mapped) out.push_back(&other);
  }
  return out;
}

}  // namespace

std::string_view ChunkChangeName(ChunkChange change) {
  switch (change) {
    case ChunkChange::kNone:
      return "";
    case ChunkChange::kRenamed:
      return "renamed";
    case ChunkChange::kMerged:
      return "merged";
    case ChunkChange::kSplit:
      return "split";
  }
  return "";
}

std::vector<DiffRow> MatchChunks(const CheckReport& before, const CheckReport& after) {
  std::vector<Side> old_sides = Sides(before), new_sides = Sides(after);
  // 1. The same source path as manifest key (entries and pages).
  std::map<std::string, size_t> old_by_key;
  for (size_t o = 0; o < old_sides.size(); ++o) {
    if (StableKey(*old_sides[o].row)) old_by_key.emplace(old_sides[o].row->manifest_key, o);
  }
  for (size_t n = 0; n < new_sides.size(); ++n) {
    if (!StableKey(*new_sides[n].row)) continue;
    auto it = old_by_key.find(new_sides[n].row->manifest_key);
    if (it != old_by_key.end() && old_sides[it->second].partner < 0) Pair(old_sides, it->second, new_sides, n);
  }
  // 2. The same bytes, a chunk of the same name first.
  PairGreedily(old_sides, new_sides, [](const Side& o, const Side& n) {
    if (!SameBytes(*o.row, *n.row)) return 0.0;
    return o.name == n.name ? 2.0 : 1.0;
  });
  // 3. Mostly the same modules.
  PairGreedily(old_sides, new_sides, [](const Side& o, const Side& n) {
    uint64_t larger = std::max(o.mapped, n.mapped);
    if (larger == 0 || Extension(o.row->size.path) != Extension(n.row->size.path)) return 0.0;
    uint64_t shared = SharedBytes(o, n);
    return shared * 2 >= larger ? static_cast<double>(shared) / static_cast<double>(larger) : 0.0;
  });
  // 4. The same name, closest size first.
  PairGreedily(old_sides, new_sides, [](const Side& o, const Side& n) {
    if (o.name != n.name) return 0.0;
    double gap = std::abs(static_cast<double>(o.row->size.raw) - static_cast<double>(n.row->size.raw));
    return 1.0 / (1.0 + gap);
  });

  std::vector<DiffRow> rows;
  std::set<std::string> ids;
  auto add = [&](const Side* o, const Side* n) {
    DiffRow row;
    row.kind = DiffKind::kChunk;
    std::string id = (n ? n : o)->name;
    row.id = id;
    for (int k = 2; !ids.insert(row.id).second; ++k) row.id = id + "#" + std::to_string(k);
    row.label = Label(n ? *n : *o);
    if (o) {
      row.in_old = true;
      row.old_file = o->row->size.path;
      row.before = Sizes(*o->row);
    }
    if (n) {
      row.in_new = true;
      row.new_file = n->row->size.path;
      row.after = Sizes(*n->row);
    }
    if (o && n && o->name != n->name) {
      row.change = ChunkChange::kRenamed;
      row.related = {Label(*o)};
    } else if (!n) {
      // Removed: did its modules go into one chunk with others, or several?
      std::vector<const Side*> to = Destinations(*o, new_sides);
      if (!to.empty()) row.change = to.size() == 1 ? ChunkChange::kMerged : ChunkChange::kSplit;
      for (const Side* d : to) row.related.push_back(Label(*d));
    } else if (!o) {
      std::vector<const Side*> from = Destinations(*n, old_sides);
      if (!from.empty()) row.change = from.size() == 1 ? ChunkChange::kSplit : ChunkChange::kMerged;
      for (const Side* s : from) row.related.push_back(Label(*s));
    }
    rows.push_back(std::move(row));
  };
  for (size_t n = 0; n < new_sides.size(); ++n) {
    int o = new_sides[n].partner;
    add(o >= 0 ? &old_sides[o] : nullptr, &new_sides[n]);
  }
  for (const Side& o : old_sides) {
    if (o.partner < 0) add(&o, nullptr);
  }
  std::sort(rows.begin(), rows.end(), [](const DiffRow& a, const DiffRow& b) { return a.id < b.id; });
  return rows;
}

}  // namespace npsbundle
