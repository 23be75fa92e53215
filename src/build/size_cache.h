#ifndef NPSBUNDLE_BUILD_SIZE_CACHE_H_
#define NPSBUNDLE_BUILD_SIZE_CACHE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace npsbundle {

// XXH3-128 of a file's bytes: the identity of its content.
struct ContentHash {
  uint64_t high = 0, low = 0;
  bool operator==(const ContentHash& other) const { return high == other.high && low == other.low; }
};
ContentHash HashContent(std::string_view data);

// What a cached figure measures: the algorithm and every setting that
// changes its output. Changing any of them is a different key.
enum class CacheMeasure : uint8_t { kGzip = 1, kBrotli = 2 };

// Compressed sizes remembered across runs, keyed by content hash + measure +
// settings. Vite puts content hashes in file names, so between two builds of
// a project most files are byte-identical and never need compressing again.
//
// The file is advisory: a missing, truncated or corrupt cache (bad header,
// bad line, checksum mismatch) is ignored and rewritten, never trusted and
// never fatal. Concurrent runs are safe: saving takes a lock, merges with
// what is on disk and replaces the file by rename.
class SizeCache {
 public:
  // Opens (or plans to create) the cache in `directory`. Never throws;
  // problems are collected in warnings().
  explicit SizeCache(std::string directory);

  std::optional<uint64_t> Lookup(const ContentHash& hash, CacheMeasure measure, int level, int window);
  void Store(const ContentHash& hash, CacheMeasure measure, int level, int window, uint64_t size);

  // Writes new entries (merged with the file's current content). Returns
  // false and adds a warning when the cache cannot be written.
  bool Save();

  size_t hits() const { return hits_; }
  size_t misses() const { return misses_; }
  const std::vector<std::string>& warnings() const { return warnings_; }
  std::string file_path() const;

  // The default folder: node_modules/.cache/npsbundle when ./node_modules
  // exists (where bundler caches live, and what CI cache steps keep),
  // else $XDG_CACHE_HOME/npsbundle, else ~/.cache/npsbundle.
  static std::string DefaultDirectory();

  // Most entries kept on disk; the ones used most recently survive.
  static constexpr size_t kMaxEntries = 200000;

 private:
  struct Key {
    ContentHash hash;
    CacheMeasure measure;
    int level, window;
    bool operator==(const Key& o) const {
      return hash == o.hash && measure == o.measure && level == o.level && window == o.window;
    }
  };
  struct KeyHash {
    size_t operator()(const Key& k) const { return k.hash.low ^ (k.hash.high * 31) ^ (k.level << 8) ^ k.window; }
  };
  struct Value {
    uint64_t size;
    uint64_t stamp;  // larger = used more recently
  };

  void Load(std::unordered_map<Key, Value, KeyHash>* into, bool note_problems);
  static std::string FormatLine(const Key& key, const Value& value);

  std::string directory_;
  std::mutex mutex_;
  std::unordered_map<Key, Value, KeyHash> entries_;
  std::unordered_map<Key, Value, KeyHash> fresh_;  // stored or used during this run
  uint64_t run_stamp_ = 0;
  size_t hits_ = 0, misses_ = 0;
  std::vector<std::string> warnings_;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUILD_SIZE_CACHE_H_
