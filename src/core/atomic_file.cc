#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace npsbundle {

void WriteFileAtomically(const std::string& path, std::string_view data, const std::string& display,
                         WriteDurability durability) {
  const std::string& name = display.empty() ? path : display;
  auto fail = [&](int error) {
    throw InputError(name + ": cannot write file: " + std::strerror(error));
  };
  // PID and a counter: unique across processes and across threads.
  static std::atomic<unsigned> counter{0};
  std::string temp = path + std::string(kAtomicTempInfix) + std::to_string(getpid()) + "-" + std::to_string(counter++);
  int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) fail(errno);
  auto abandon = [&](int error) {
    close(fd);
    unlink(temp.c_str());
    fail(error);
  };
  for (size_t done = 0; done < data.size();) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) abandon(n < 0 ? errno : EIO);
    done += static_cast<size_t>(n);
  }
  // Durable before it becomes visible: a crash after the rename must not
  // leave an empty file under the final name.
  if (durability == WriteDurability::kDurable && fsync(fd) != 0) abandon(errno);
  if (close(fd) != 0) {
    int error = errno;
    unlink(temp.c_str());
    fail(error);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    int error = errno;
    unlink(temp.c_str());
    fail(error);
  }
}

}  // namespace npsbundle
