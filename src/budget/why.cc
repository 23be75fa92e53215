#include "budget/why.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "build/attribution.h"

namespace npsbundle {
namespace {

// The manifest record that loads build file `path`: the one whose `file`
// it is, else the first whose `css` lists it.
const ManifestChunk* RecordOf(const Manifest& manifest, const std::string& path) {
  if (const ManifestChunk* chunk = manifest.FindByFile(path)) return chunk;
  for (const auto& [key, chunk] : manifest.chunks) {
    if (std::find(chunk.css.begin(), chunk.css.end(), path) != chunk.css.end()) return &chunk;
  }
  return nullptr;
}

// The shortest chain from `entry` to `target` over imports and dynamic
// imports (static edges tried first at each step), or empty when there is none.
std::vector<WhyStep> ChainTo(const Manifest& manifest, const std::string& entry, const std::string& target) {
  struct Via {
    std::string from;
    bool dynamic = false;
  };
  std::map<std::string, Via> seen{{entry, {}}};
  std::deque<std::string> queue{entry};
  while (!queue.empty() && !seen.count(target)) {
    const ManifestChunk* chunk = manifest.Find(queue.front());
    queue.pop_front();
    if (!chunk) continue;
    for (int pass = 0; pass < 2; ++pass) {
      for (const std::string& next : pass == 0 ? chunk->imports : chunk->dynamic_imports) {
        if (seen.emplace(next, Via{chunk->key, pass == 1}).second) queue.push_back(next);
      }
    }
  }
  if (!seen.count(target)) return {};
  std::vector<WhyStep> chain;
  for (std::string key = target;; key = seen[key].from) {
    const ManifestChunk* chunk = manifest.Find(key);
    chain.push_back(WhyStep{key, chunk ? chunk->file : "", seen[key].dynamic});
    if (key == entry) break;
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

// The package a manifest record's `src` lies in, or "".
std::string PackageOfSrc(const ManifestChunk& chunk) {
  if (chunk.src.empty()) return "";
  SourceOrigin origin = ClassifySource(chunk.src);
  return origin.kind == OriginKind::kPackage ? origin.group : "";
}

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

WhyResult ExplainPackage(const CheckReport& report, const Manifest* manifest, const std::string& package) {
  WhyResult result;
  result.package = package;
  result.from_source_maps = !report.attribution.empty();
  std::map<std::string, WhyChunk> by_file;
  if (result.from_source_maps) {
    for (const ChunkAttribution& chunk : report.attribution) {
      for (const GroupShare& group : chunk.groups) {
        if (group.kind != OriginKind::kPackage || group.name != package) continue;
        WhyChunk& out = by_file[chunk.file];
        out.file = chunk.file;
        out.raw += group.raw;
        for (const ModuleShare& module : group.modules) out.modules.push_back(module.module);
      }
    }
    for (const FileRow& row : report.files) {
      // Stylesheets rarely carry maps and hold no package's script: only JS.
      if (row.kind == FileKind::kScript && !report.FindAttribution(row.size.path)) {
        result.unmapped_files.push_back(row.size.path);
      }
    }
  } else if (manifest) {
    for (const auto& [key, chunk] : manifest->chunks) {
      // A manualChunks name ("react-dom", "vendor-react") is a weaker sign
      // than a source path, but the manifest has nothing better.
      if (PackageOfSrc(chunk) == package || chunk.name == package || chunk.name == "vendor-" + package) {
        by_file[chunk.file].file = chunk.file;
      }
    }
  }
  auto add_sets = [&](const std::vector<LoadGroup>& groups, const std::string& prefix, WhyChunk* chunk) {
    for (const LoadGroup& group : groups) {
      if (std::find(group.files.begin(), group.files.end(), chunk->file) != group.files.end()) {
        chunk->sets.push_back(prefix + group.label);
      }
    }
  };
  for (auto& [file, chunk] : by_file) {
    add_sets(report.entries, "initial ", &chunk);
    add_sets(report.lazy_pages, "page ", &chunk);
    add_sets(report.lazy_libraries, "library ", &chunk);
    const ManifestChunk* record = manifest ? RecordOf(*manifest, file) : nullptr;
    if (record) {
      for (const std::string& entry : manifest->EntryKeys()) {
        std::vector<WhyStep> chain = ChainTo(*manifest, entry, record->key);
        if (!chain.empty()) chunk.chains.push_back(std::move(chain));
      }
    }
    result.raw += chunk.raw;
    result.chunks.push_back(std::move(chunk));
  }
  std::stable_sort(result.chunks.begin(), result.chunks.end(),
                   [](const WhyChunk& a, const WhyChunk& b) { return a.raw > b.raw; });
  return result;
}

std::vector<std::string> KnownPackages(const CheckReport& report, const Manifest* manifest) {
  std::set<std::string> names;
  for (const ChunkAttribution& chunk : report.attribution) {
    for (const GroupShare& group : chunk.groups) {
      if (group.kind == OriginKind::kPackage) names.insert(group.name);
    }
  }
  if (report.attribution.empty() && manifest) {
    for (const auto& [key, chunk] : manifest->chunks) {
      std::string package = PackageOfSrc(chunk);
      if (!package.empty()) names.insert(package);
    }
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> NearNames(const std::vector<std::string>& known, const std::string& name, size_t limit) {
  std::vector<std::pair<size_t, std::string>> ranked;  // (edit distance, name)
  size_t allowed = std::max<size_t>(2, name.size() / 3);
  for (const std::string& candidate : known) {
    size_t distance = EditDistance(candidate, name);
    bool contains = !name.empty() && (candidate.find(name) != std::string::npos || name.find(candidate) != std::string::npos);
    if (contains || distance <= allowed) ranked.emplace_back(distance, candidate);
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < ranked.size() && i < limit; ++i) out.push_back(ranked[i].second);
  return out;
}

}  // namespace npsbundle
