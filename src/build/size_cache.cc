#include "build/size_cache.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/atomic_file.h"
#include "core/error.h"

namespace npsbundle {
namespace fs = std::filesystem;
namespace {

constexpr const char* kHeader = "npsbundle-size-cache 1";
constexpr const char* kFileName = "sizes-v1.txt";

// The text up to the next space of `*rest`, which moves past it.
std::string_view NextField(std::string_view* rest) {
  size_t space = rest->find(' ');
  std::string_view field = rest->substr(0, space);
  rest->remove_prefix(space == std::string_view::npos ? rest->size() : space + 1);
  return field;
}

// The whole of `text` as a number; sscanf was a quarter of a warm check's
// cache load, and it also took a prefix.
template <typename T>
bool ParseNumber(std::string_view text, T* out, int base = 10) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out, base);
  return !text.empty() && error == std::errc() && end == text.data() + text.size();
}

// A lock file held for the read-merge-write of Save.
class FileLock {
 public:
  explicit FileLock(const std::string& path) : fd_(open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (fd_ >= 0) locked_ = flock(fd_, LOCK_EX) == 0;
  }
  ~FileLock() {
    if (fd_ >= 0) close(fd_);  // closing releases the lock
  }
  bool locked() const { return locked_; }

 private:
  int fd_;
  bool locked_ = false;
};

uint64_t Checksum(std::string_view line) { return XXH3_64bits(line.data(), line.size()); }

}  // namespace

ContentHash HashContent(std::string_view data) {
  XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  return {h.high64, h.low64};
}

SizeCache::SizeCache(std::string directory) : directory_(std::move(directory)) {
  run_stamp_ = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  Load(&entries_, /*note_problems=*/true);
}

std::string SizeCache::file_path() const { return (fs::path(directory_) / kFileName).string(); }

std::string SizeCache::DefaultDirectory() {
  std::error_code ec;
  if (fs::is_directory("node_modules", ec)) return "node_modules/.cache/npsbundle";
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg == '/') return std::string(xdg) + "/npsbundle";
  const char* home = std::getenv("HOME");
  if (home && *home) return std::string(home) + "/.cache/npsbundle";
  return ".npsbundle-cache";
}

std::string SizeCache::FormatLine(const Key& key, const Value& value) {
  char body[160];
  std::snprintf(body, sizeof body, "%016" PRIx64 "%016" PRIx64 " %d %d %d %" PRIu64 " %" PRIu64, key.hash.high,
                key.hash.low, static_cast<int>(key.measure), key.level, key.window, value.size, value.stamp);
  char line[200];
  std::snprintf(line, sizeof line, "%s %016" PRIx64 "\n", body, Checksum(body));
  return line;
}

void SizeCache::Load(std::unordered_map<Key, Value, KeyHash>* into, bool note_problems) {
  std::ifstream in(file_path());
  if (!in) return;  // no cache yet
  std::string line;
  if (!std::getline(in, line) || line != kHeader) {
    if (note_problems) warnings_.push_back(file_path() + ": not a size cache of this version; it will be rebuilt");
    return;
  }
  size_t bad = 0;
  while (std::getline(in, line)) {
    size_t last_space = line.rfind(' ');
    if (last_space == std::string::npos) {
      ++bad;
      continue;
    }
    std::string_view body(line.data(), last_space);
    std::string_view rest = body;
    std::string_view hex = NextField(&rest);
    uint64_t checksum = 0;
    int measure = 0;
    Key key;
    Value value{};
    if (!ParseNumber(std::string_view(line).substr(last_space + 1), &checksum, 16) || checksum != Checksum(body) ||
        hex.size() != 32 || !ParseNumber(hex.substr(0, 16), &key.hash.high, 16) ||
        !ParseNumber(hex.substr(16), &key.hash.low, 16) || !ParseNumber(NextField(&rest), &measure) ||
        !ParseNumber(NextField(&rest), &key.level) || !ParseNumber(NextField(&rest), &key.window) ||
        !ParseNumber(NextField(&rest), &value.size) || !ParseNumber(NextField(&rest), &value.stamp) ||
        !rest.empty() || (measure != 1 && measure != 2)) {
      ++bad;
      continue;
    }
    key.measure = static_cast<CacheMeasure>(measure);
    (*into)[key] = value;
  }
  if (bad && note_problems) {
    warnings_.push_back(file_path() + ": ignored " + std::to_string(bad) + " damaged entries");
  }
}

std::optional<uint64_t> SizeCache::Lookup(const ContentHash& hash, CacheMeasure measure, int level, int window) {
  std::lock_guard<std::mutex> lock(mutex_);
  Key key{hash, measure, level, window};
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  fresh_[key] = {it->second.size, run_stamp_};
  return it->second.size;
}

void SizeCache::Store(const ContentHash& hash, CacheMeasure measure, int level, int window, uint64_t size) {
  std::lock_guard<std::mutex> lock(mutex_);
  Key key{hash, measure, level, window};
  entries_[key] = {size, run_stamp_};
  fresh_[key] = {size, run_stamp_};
}

bool SizeCache::Save() {
  std::lock_guard<std::mutex> guard(mutex_);
  if (fresh_.empty()) return true;
  std::error_code ec;
  fs::create_directories(directory_, ec);
  if (ec) {
    warnings_.push_back(directory_ + ": cannot create cache folder: " + ec.message());
    return false;
  }
  FileLock lock((fs::path(directory_) / "lock").string());
  // Merge with what other runs saved since we loaded.
  std::unordered_map<Key, Value, KeyHash> merged;
  Load(&merged, /*note_problems=*/false);
  for (const auto& [key, value] : fresh_) merged[key] = value;
  std::vector<std::pair<Key, Value>> ordered(merged.begin(), merged.end());
  if (ordered.size() > kMaxEntries) {
    std::nth_element(ordered.begin(), ordered.begin() + kMaxEntries, ordered.end(),
                     [](const auto& a, const auto& b) { return a.second.stamp > b.second.stamp; });
    ordered.resize(kMaxEntries);
  }
  std::string text = std::string(kHeader) + "\n";
  for (const auto& [key, value] : ordered) text += FormatLine(key, value);
  try {
    WriteFileAtomically(file_path(), text, "", WriteDurability::kCache);
  } catch (const InputError& e) {
    warnings_.push_back(e.what());  // a cache that cannot be saved is no reason to fail
    return false;
  }
  fresh_.clear();
  return true;
}

}  // namespace npsbundle
