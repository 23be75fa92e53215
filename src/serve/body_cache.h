#ifndef NPSBUNDLE_SERVE_BODY_CACHE_H_
#define NPSBUNDLE_SERVE_BODY_CACHE_H_

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "build/size_cache.h"
#include "http/semantics.h"

namespace npsbundle {

// What a cached body is: the identity's content hash, the coding and every
// setting that changes the coder's output.
struct BodyCacheKey {
  ContentHash identity;
  ContentCoding coding = ContentCoding::kBrotli;
  int level = 0;   // brotli quality or gzip level
  int window = 0;  // brotli lgwin; 0 for gzip
};

// Compressed bodies `serve` made, kept across runs so a second start has
// every encoding at once. One file per body, named by its key, in a folder
// beside the size cache. Each file starts with a one-line header repeating
// the key and giving the body's length and XXH3-128 hash; a file whose
// header, length or hash does not match is ignored (and replaced by the
// next Store), never served.
//
// Written with WriteFileAtomically, so concurrent runs and a killed run
// leave whole files; a hit refreshes the file's mtime so Prune drops the
// bodies used longest ago first. Thread-safe; never throws (problems are
// collected in warnings()).
class BodyCache {
 public:
  // The default cap. A 420-route Vite app (17 MB of JS and CSS) has about
  // 9.5 MB of brotli + gzip bodies, so 256 MB keeps some 25 builds: every
  // branch a developer switches between in a week, small next to the
  // node_modules it sits beside.
  static constexpr uint64_t kDefaultMaxBytes = 256ull << 20;

  explicit BodyCache(std::string directory, uint64_t max_bytes = kDefaultMaxBytes);

  // The body stored for `key`, verified; nullopt when there is none or it
  // is damaged.
  std::optional<std::string> Lookup(const BodyCacheKey& key);
  // Stores `body` for `key`; a failure to write costs a warning only.
  void Store(const BodyCacheKey& key, std::string_view body);
  // Deletes entries, least recently used first, until the folder holds at
  // most max_bytes. Returns how many were deleted.
  size_t Prune();

  // The file holding `key`'s body (it may not exist).
  std::string PathFor(const BodyCacheKey& key) const;
  const std::string& directory() const { return directory_; }
  size_t hits() const { return hits_; }
  size_t damaged() const { return damaged_; }
  std::vector<std::string> warnings() const;

  // "<size cache folder>/bodies" (SizeCache::DefaultDirectory follows
  // XDG_CACHE_HOME and node_modules/.cache).
  static std::string DefaultDirectory();

 private:
  void Warn(std::string warning);

  std::string directory_;
  uint64_t max_bytes_;
  std::atomic<size_t> hits_{0};
  std::atomic<size_t> damaged_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> warnings_;
  bool write_failed_ = false;  // warn once, not per body
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_SERVE_BODY_CACHE_H_
