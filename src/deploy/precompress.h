#ifndef NPSBUNDLE_DEPLOY_PRECOMPRESS_H_
#define NPSBUNDLE_DEPLOY_PRECOMPRESS_H_

#include <cstdint>
#include <functional>
#include <string>

#include "core/compression.h"
#include "policy/serving.h"

namespace npsbundle {

// The margin below which a compressed variant is not worth a second body.
// serve applies the same margin to what it compresses in memory, so a
// build served by `serve` and by nginx after `compress` has the same variants.
// Options of `npsbundle compress`.
struct CompressOptions {
  CompressionLevels levels;
  // See kMinSavingPercent; `compress --min-saving` changes it.
  double min_saving_percent = kMinSavingPercent;
  // Rewrite variants even when they are up to date (after changing levels).
  bool force = false;
  // Source maps are fetched only by devtools, and are the largest text files
  // of many builds: compressing them tripled the run on a real app. Off
  // unless `compress --maps` asks for them.
  bool include_maps = false;
  unsigned threads = 0;  // 0 = one per core
};

// Counts after a run. Sizes are bytes; `*_bytes` sum over the text files
// that have a current variant of that kind after the run.
struct CompressResult {
  size_t files = 0;       // text-like files considered
  size_t maps_skipped = 0;  // source maps left alone (include_maps off)
  size_t written = 0;     // variants written (new or replacing a stale one)
  size_t stale = 0;       // of `written`: replaced a variant that no longer matched
  size_t up_to_date = 0;  // variants left alone: they decode to the current file
  size_t below_margin = 0;  // variants not written: saving under the margin
  size_t removed = 0;       // stale variants deleted because no longer worth it
  size_t leftovers_removed = 0;  // temporary files of an earlier run that was killed
  uint64_t original_bytes = 0;  // all considered files, raw
  uint64_t br_saved = 0;        // raw - brotli, over files with a .br
  uint64_t gzip_saved = 0;      // raw - gzip, over files with a .gz
};

// Progress after each file: files done of total, brotli bytes saved so far.
using CompressProgress = std::function<void(size_t done, size_t total, uint64_t br_saved)>;

// Writes FILE.br and FILE.gz beside every text-like file (IsTextLike, the
// list `check` measures) of the build folder `path`, skipping dot-folders
// (never served) and, unless `include_maps`, source maps ("*.map"; variants
// an earlier run wrote beside them are left alone). Originals are never
// modified. A variant is up to date when it decodes to the file's current
// bytes; then it is left alone (so a second run writes nothing and changes
// no mtime). Each variant is written to a
// temporary name in the same folder ("x.js.br.tmp-PID-N") and renamed into
// place, so a server never sees half a file; temporary files that a killed
// run left behind (their PID no longer runs) are deleted first. Runs on
// `threads` threads. Throws InputError when
// `path` is not a folder or a file cannot be read or written.
CompressResult CompressFolder(const std::string& path, const CompressOptions& options,
                              const CompressProgress& progress = nullptr);

// "10", "10%", "2.5" -> percent in [0, 100). Throws InputError naming the flag.
double ParsePercent(const std::string& text, const std::string& origin);

}  // namespace npsbundle

#endif  // NPSBUNDLE_DEPLOY_PRECOMPRESS_H_
