#ifndef NPSBUNDLE_BUILD_FILE_SIZES_H_
#define NPSBUNDLE_BUILD_FILE_SIZES_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/bundle_source.h"
#include "core/compression.h"
#include "build/size_cache.h"

namespace npsbundle {

// Sizes of one file of a build, in bytes.
struct FileMeasurement {
  std::string path;  // build path
  uint64_t raw = 0;
  // Text-like files (see IsTextLike) are measured compressed; for others
  // (images, fonts) a server sends the raw bytes, so gzip == brotli == raw.
  bool compressible = false;
  uint64_t gzip = 0;
  uint64_t brotli = 0;
  // True when the figure is the size of a precompressed sibling in the
  // build ("x.js.gz", "x.js.br"): the bytes a gzip_static server sends.
  bool gzip_from_sibling = false;
  bool brotli_from_sibling = false;
  // zstd bytes, only when MeasureOptions::zstd (else 0). Always compressed
  // here: "x.js.zst" files are not treated as precompressed siblings.
  uint64_t zstd = 0;
};

struct MeasureOptions {
  CompressionLevels levels;
  unsigned threads = 0;       // 0: one per core
  bool use_siblings = true;   // take sizes of x.js.br / x.js.gz when present
  bool zstd = false;          // also measure zstd (levels.zstd_level; not cached)
  SizeCache* cache = nullptr; // remembered sizes by content hash; optional
  // Called after each file with (files measured, files in all), from the
  // measuring threads one call at a time; optional (progress on a terminal).
  std::function<void(size_t done, size_t total)> progress;
};

// Measures every file of the build except precompressed siblings, which are
// never counted as assets of their own. Source maps are measured raw only:
// browsers fetch them only with devtools open. Files are read once and
// compressed in parallel, largest first so the longest job starts early.
// Result order follows source.files().
std::vector<FileMeasurement> MeasureBuild(const BundleSource& source, const MeasureOptions& options);

// True for "x.br" / "x.gz" when "x" is also in the build.
bool IsPrecompressedSibling(const BundleSource& source, const std::string& path);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUILD_FILE_SIZES_H_
