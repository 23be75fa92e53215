#ifndef NPSBUNDLE_SERVE_BODY_STORE_H_
#define NPSBUNDLE_SERVE_BODY_STORE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace npsbundle {

// The bytes of many response bodies, packed once into one sealed memory file
// (memfd) and mapped read-only until the store is destroyed. Handlers read
// them as string_views; the serve loop can also hand a body to a socket with
// sendfile(2) from fd(), so the kernel sends the file's pages instead of a
// copy that send(2) would make. Where memfd is unavailable the bytes live in
// anonymous read-only memory and fd() is -1.
class BodyStore {
 public:
  // Copies `parts` into a new store; `views` receives one view per part, in
  // order, valid for the life of the store (the memory never moves). Throws
  // std::runtime_error when the memory cannot be had.
  static std::shared_ptr<const BodyStore> Pack(const std::vector<std::string_view>& parts,
                                               std::vector<std::string_view>* views);

  ~BodyStore();
  BodyStore(const BodyStore&) = delete;
  BodyStore& operator=(const BodyStore&) = delete;

  // The memory file, readable with sendfile/pread; -1 when there is none.
  int fd() const { return fd_; }
  // Offset in fd() of the first byte of `view`, a view into this store.
  uint64_t OffsetOf(std::string_view view) const {
    return static_cast<uint64_t>(view.data() - base_);
  }
  // Total bytes held.
  size_t size() const { return size_; }

 private:
  BodyStore() = default;

  int fd_ = -1;
  const char* base_ = nullptr;  // mapping of size_ bytes; nullptr when empty
  size_t size_ = 0;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_SERVE_BODY_STORE_H_
