#include "serve/body_store.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace npsbundle {
namespace {

std::runtime_error MemoryError(const char* step, size_t size) {
  return std::runtime_error("cannot hold " + std::to_string(size) + " bytes of responses in memory: " +
                            step + ": " + std::strerror(errno));
}

bool WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// A sealed memory file holding `parts` back to back; -1 when the kernel has
// no memfd (the caller then uses anonymous memory).
int FilledMemoryFile(const std::vector<std::string_view>& parts, size_t total) {
  int fd = memfd_create("npsbundle-bodies", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -1;
  for (std::string_view part : parts) {
    if (!WriteAll(fd, part)) {
      std::runtime_error error = MemoryError("write", total);
      ::close(fd);
      throw error;
    }
  }
  // Nothing may change the bytes behind an ETag, and a file shrunk under
  // its mapping would turn reads into SIGBUS.
  fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
  return fd;
}

}  // namespace

std::shared_ptr<const BodyStore> BodyStore::Pack(const std::vector<std::string_view>& parts,
                                                 std::vector<std::string_view>* views) {
  std::shared_ptr<BodyStore> store(new BodyStore());
  size_t total = 0;
  for (std::string_view part : parts) total += part.size();
  views->clear();
  if (total == 0) {
    views->assign(parts.size(), std::string_view());
    return store;
  }
  store->size_ = total;
  store->fd_ = FilledMemoryFile(parts, total);
  void* mapping;
  if (store->fd_ >= 0) {
    mapping = mmap(nullptr, total, PROT_READ, MAP_SHARED, store->fd_, 0);
    if (mapping == MAP_FAILED) throw MemoryError("mmap", total);
  } else {
    mapping = mmap(nullptr, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED) throw MemoryError("mmap", total);
    char* out = static_cast<char*>(mapping);
    for (std::string_view part : parts) {
      if (!part.empty()) std::memcpy(out, part.data(), part.size());
      out += part.size();
    }
    mprotect(mapping, total, PROT_READ);
  }
  store->base_ = static_cast<const char*>(mapping);
  const char* at = store->base_;
  for (std::string_view part : parts) {
    views->emplace_back(at, part.size());
    at += part.size();
  }
  return store;
}

BodyStore::~BodyStore() {
  if (base_) munmap(const_cast<char*>(base_), size_);
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace npsbundle
