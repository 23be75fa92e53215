#include "build/file_sizes.h"

#include <algorithm>
#include <mutex>
#include <optional>

#include "build/asset_names.h"
#include "core/parallel.h"

namespace npsbundle {
namespace {

bool IsSourceMap(const std::string& path) { return path.ends_with(".map"); }

// Fills in compressed sizes for one file.
void MeasureOne(const BundleSource& source, const MeasureOptions& options, FileMeasurement* m) {
  if (!m->compressible) {
    m->gzip = m->brotli = m->raw;
    if (options.zstd) m->zstd = m->raw;
    return;
  }
  if (options.zstd) {
    // Measured apart from gzip/brotli and not cached: it is opt-in and fast.
    m->zstd = ZstdCompress(source.Read(m->path), options.levels.zstd_level).size();
  }
  const SourceFile* gz = options.use_siblings ? source.Find(m->path + ".gz") : nullptr;
  const SourceFile* br = options.use_siblings ? source.Find(m->path + ".br") : nullptr;
  if (gz) {
    m->gzip = gz->size;
    m->gzip_from_sibling = true;
  }
  if (br) {
    m->brotli = br->size;
    m->brotli_from_sibling = true;
  }
  if (gz && br) return;
  std::string data = source.Read(m->path);
  const CompressionLevels& levels = options.levels;
  std::optional<uint64_t> gzip, brotli;
  ContentHash hash;
  if (options.cache) {
    hash = HashContent(data);
    if (!gz) gzip = options.cache->Lookup(hash, CacheMeasure::kGzip, levels.gzip_level, 0);
    if (!br) brotli = options.cache->Lookup(hash, CacheMeasure::kBrotli, levels.brotli_quality, levels.brotli_window);
  }
  if (!gz) {
    if (!gzip) {
      gzip = GzipCompress(data, levels.gzip_level).size();
      if (options.cache) options.cache->Store(hash, CacheMeasure::kGzip, levels.gzip_level, 0, *gzip);
    }
    m->gzip = *gzip;
  }
  if (!br) {
    if (!brotli) {
      brotli = BrotliCompress(data, levels.brotli_quality, levels.brotli_window).size();
      if (options.cache) {
        options.cache->Store(hash, CacheMeasure::kBrotli, levels.brotli_quality, levels.brotli_window, *brotli);
      }
    }
    m->brotli = *brotli;
  }
}

}  // namespace

bool IsPrecompressedSibling(const BundleSource& source, const std::string& path) {
  if (!path.ends_with(".br") && !path.ends_with(".gz")) return false;
  return source.Find(std::string_view(path).substr(0, path.size() - 3)) != nullptr;
}

std::vector<FileMeasurement> MeasureBuild(const BundleSource& source, const MeasureOptions& options) {
  std::vector<FileMeasurement> results;
  for (const SourceFile& file : source.files()) {
    if (IsPrecompressedSibling(source, file.path)) continue;
    // Read by the host, never sent to a browser: not part of the build's weight.
    if (IsHostConfigFile(file.path)) continue;
    FileMeasurement m;
    m.path = file.path;
    m.raw = file.size;
    // Dot-folders (Vite's .vite/manifest.json) are never served, so like
    // source maps they are measured raw only.
    m.compressible = IsTextLike(file.path) && !IsSourceMap(file.path) && !IsHiddenPath(file.path);
    results.push_back(std::move(m));
  }
  // Largest first: the biggest brotli job bounds the wall time, so it must
  // not start last.
  std::vector<size_t> order(results.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return results[a].raw > results[b].raw; });

  std::mutex progress_mutex;
  size_t done = 0;
  ParallelFor(order.size(), options.threads, [&](size_t i) {
    MeasureOne(source, options, &results[order[i]]);
    if (!options.progress) return;
    std::lock_guard<std::mutex> lock(progress_mutex);
    options.progress(++done, order.size());
  });
  return results;
}

}  // namespace npsbundle
