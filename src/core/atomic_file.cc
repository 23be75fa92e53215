#include "core/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace npsbundle {

void WriteFileAtomically(const std::string& path, std::string_view data, const std::string& display,
                         WriteDurability durability) {
  const std::string& name = display.empty() ? path : display;
  auto fail = [&](int error) {
    throw InputError(name + ": cannot write file: " + std::strerror(error));
  };
  auto write_all = [&](int fd) -> int {
    for (size_t done = 0; done < data.size();) {
      ssize_t n = write(fd, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return n < 0 ? errno : EIO;
      done += static_cast<size_t>(n);
    }
    return 0;
  };
  struct stat existing {};
  const bool exists = stat(path.c_str(), &existing) == 0;
  if (exists && !S_ISREG(existing.st_mode)) {
    // /dev/null, /dev/stdout, a FIFO: renaming over one would replace the
    // device with a plain file, so these are written in place.
    int fd = open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) fail(errno);
    int error = write_all(fd);
    if (close(fd) != 0 && error == 0) error = errno;
    if (error != 0) fail(error);
    return;
  }
  // Through a symlink, the file it points at is replaced, not the link.
  std::string target = path;
  std::error_code ignored;
  if (exists && std::filesystem::is_symlink(path, ignored)) {
    target = std::filesystem::canonical(path, ignored).string();
    if (target.empty()) target = path;
  }
  // PID and a counter: unique across processes and across threads.
  static std::atomic<unsigned> counter{0};
  std::string temp =
      target + std::string(kAtomicTempInfix) + std::to_string(getpid()) + "-" + std::to_string(counter++);
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) fail(errno);
  auto abandon = [&](int error) {
    close(fd);
    unlink(temp.c_str());
    fail(error);
  };
  // A replaced file keeps its permissions (an executable script, a 0600 config).
  if (exists && fchmod(fd, existing.st_mode & 07777) != 0) abandon(errno);
  if (int error = write_all(fd); error != 0) abandon(error);
  // Durable before it becomes visible: a crash after the rename must not
  // leave an empty file under the final name.
  if (durability == WriteDurability::kDurable && fsync(fd) != 0) abandon(errno);
  if (close(fd) != 0) {
    int error = errno;
    unlink(temp.c_str());
    fail(error);
  }
  if (std::rename(temp.c_str(), target.c_str()) != 0) {
    int error = errno;
    unlink(temp.c_str());
    fail(error);
  }
}

}  // namespace npsbundle
