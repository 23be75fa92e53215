#include "serve/body_cache.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <tuple>

#include "core/atomic_file.h"

namespace fs = std::filesystem;

namespace npsbundle {
namespace {

constexpr std::string_view kMagic = "npsbundle-body-1";

std::string Hex(const ContentHash& hash) {
  char out[33];
  std::snprintf(out, sizeof out, "%016" PRIx64 "%016" PRIx64, hash.high, hash.low);
  return out;
}

// "<magic> <identity> br 11 22 <length> <body hash>\n"
std::string Header(const BodyCacheKey& key, std::string_view body) {
  return std::string(kMagic) + " " + Hex(key.identity) + " " + std::string(CodingName(key.coding)) + " " +
         std::to_string(key.level) + " " + std::to_string(key.window) + " " + std::to_string(body.size()) +
         " " + Hex(HashContent(body)) + "\n";
}

}  // namespace

BodyCache::BodyCache(std::string directory, uint64_t max_bytes)
    : directory_(std::move(directory)), max_bytes_(max_bytes) {}

std::string BodyCache::DefaultDirectory() { return SizeCache::DefaultDirectory() + "/bodies"; }

std::string BodyCache::PathFor(const BodyCacheKey& key) const {
  return directory_ + "/" + Hex(key.identity) + "-" + std::string(CodingName(key.coding)) + "-" +
         std::to_string(key.level) + "-" + std::to_string(key.window);
}

std::optional<std::string> BodyCache::Lookup(const BodyCacheKey& key) {
  std::string path = PathFor(key);
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t newline = data.find('\n');
  // The header names the length and hash, so a truncated, padded or
  // bit-flipped body, or a file renamed under another key, fails here.
  if (newline != std::string::npos) {
    std::string_view body = std::string_view(data).substr(newline + 1);
    if (data.compare(0, newline + 1, Header(key, body)) == 0) {
      ++hits_;
      // Recently used: Prune keeps it longest.
      utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
      return std::string(body);
    }
  }
  ++damaged_;
  return std::nullopt;
}

void BodyCache::Store(const BodyCacheKey& key, std::string_view body) {
  std::error_code ec;
  fs::create_directories(directory_, ec);
  std::string header = Header(key, body);
  std::string data;
  data.reserve(header.size() + body.size());
  data.append(header).append(body);
  try {
    WriteFileAtomically(PathFor(key), data, "", WriteDurability::kCache);
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (write_failed_) return;
    write_failed_ = true;
    warnings_.push_back(std::string(e.what()) + " (body cache not written)");
  }
}

size_t BodyCache::Prune() {
  struct Entry {
    fs::file_time_type used;
    uint64_t bytes;
    fs::path path;
  };
  std::vector<Entry> entries;
  uint64_t total = 0;
  std::error_code ec;
  for (fs::directory_iterator it(directory_, ec), end; !ec && it != end; it.increment(ec)) {
    // Another run's temporary file is its to rename or remove.
    if (it->path().filename().string().find(kAtomicTempInfix) != std::string::npos) continue;
    std::error_code entry_ec;
    if (!it->is_regular_file(entry_ec)) continue;
    uint64_t bytes = it->file_size(entry_ec);
    fs::file_time_type used = it->last_write_time(entry_ec);
    if (entry_ec) continue;
    entries.push_back({used, bytes, it->path()});
    total += bytes;
  }
  if (total <= max_bytes_) return 0;
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.used, a.path) < std::tie(b.used, b.path);
  });
  size_t removed = 0;
  for (const Entry& entry : entries) {
    if (total <= max_bytes_) break;
    if (fs::remove(entry.path, ec)) {
      total -= entry.bytes;
      ++removed;
    }
  }
  return removed;
}

std::vector<std::string> BodyCache::warnings() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return warnings_;
}

}  // namespace npsbundle
