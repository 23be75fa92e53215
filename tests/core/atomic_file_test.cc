#include "core/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "core/error.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

std::vector<std::string> Names(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

// Lowers the file-size limit for this process (root included), so a write
// fails part-way with EFBIG; restored on destruction.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    signal(SIGXFSZ, SIG_IGN);
    getrlimit(RLIMIT_FSIZE, &saved_);
    rlimit lowered = saved_;
    lowered.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &lowered);
  }
  ~FileSizeLimit() { setrlimit(RLIMIT_FSIZE, &saved_); }

 private:
  rlimit saved_{};
};

}  // namespace

TEST_CASE("atomic file: creates and replaces a file, leaving no temporary", "[atomic_file]") {
  TempDir dir;
  WriteFileAtomically(dir / "out.txt", "first");
  CHECK(ReadFile(dir / "out.txt") == "first");
  WriteFileAtomically(dir / "out.txt", "second, longer");
  CHECK(ReadFile(dir / "out.txt") == "second, longer");
  WriteFileAtomically(dir / "empty.txt", "");
  CHECK(ReadFile(dir / "empty.txt").empty());
  WriteFileAtomically(dir / "cache.txt", "cached", "", WriteDurability::kCache);  // no fsync, same result
  CHECK(ReadFile(dir / "cache.txt") == "cached");
  CHECK(Names(dir.path()) == std::vector<std::string>{"cache.txt", "empty.txt", "out.txt"});
}

TEST_CASE("atomic file: a failed write leaves the old file whole and no temporary", "[atomic_file]") {
  TempDir dir;
  std::string old_content = "{\"version\": 1}\n";
  WriteFile(dir / "budget.json", old_content);
  std::string big(1 << 20, 'x');
  {
    FileSizeLimit limit(4096);
    try {
      WriteFileAtomically(dir / "budget.json", big);
      FAIL("expected an InputError");
    } catch (const InputError& e) {
      CHECK_THAT(e.what(), Catch::StartsWith(dir / "budget.json" + ": cannot write file: "));
    }
  }
  CHECK(ReadFile(dir / "budget.json") == old_content);
  CHECK(Names(dir.path()) == std::vector<std::string>{"budget.json"});
}

TEST_CASE("atomic file: errors name the file (or its display name)", "[atomic_file]") {
  TempDir dir;
  CHECK_THROWS_WITH(WriteFileAtomically(dir / "no/such/folder/out.txt", "x"),
                    dir / "no/such/folder/out.txt" + ": cannot write file: No such file or directory");
  CHECK_THROWS_WITH(WriteFileAtomically(dir / "no/out.txt", "x", "dist/out.txt"),
                    "dist/out.txt: cannot write file: No such file or directory");
}

TEST_CASE("atomic file: concurrent writers of one path each leave a whole file", "[atomic_file]") {
  TempDir dir;
  std::vector<std::thread> writers;
  std::vector<std::string> contents;
  for (int i = 0; i < 8; ++i) contents.push_back(std::string(10000 + i, static_cast<char>('a' + i)));
  for (const std::string& content : contents) {
    writers.emplace_back([&dir, &content] { WriteFileAtomically(dir / "shared.txt", content); });
  }
  for (std::thread& writer : writers) writer.join();
  CHECK(std::find(contents.begin(), contents.end(), ReadFile(dir / "shared.txt")) != contents.end());
  CHECK(Names(dir.path()) == std::vector<std::string>{"shared.txt"});
}

TEST_CASE("atomic file: a device or FIFO is written in place, never replaced", "[atomic_file]") {
  // Renaming over /dev/null once turned it into a plain file for the whole
  // machine; a copy of the device in a temporary folder (root may make one)
  // keeps a regression from doing that again.
  TempDir dir;
  const std::string null_device = dir / "null";
  if (mknod(null_device.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
    WriteFileAtomically(null_device, "report");
    struct stat null_stat {};
    REQUIRE(stat(null_device.c_str(), &null_stat) == 0);
    CHECK(S_ISCHR(null_stat.st_mode));
    std::filesystem::remove(null_device);
  }

  const std::string fifo = dir / "pipe";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // The read end opened first and non-blocking, so a writer that wrongly
  // renamed over the FIFO fails the checks below instead of hanging.
  int read_end = open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(read_end >= 0);
  WriteFileAtomically(fifo, "through the pipe");
  char buffer[64] = {};
  ssize_t n = read(read_end, buffer, sizeof buffer);
  close(read_end);
  CHECK(std::string(buffer, n > 0 ? static_cast<size_t>(n) : 0) == "through the pipe");
  struct stat fifo_stat {};
  REQUIRE(stat(fifo.c_str(), &fifo_stat) == 0);
  CHECK(S_ISFIFO(fifo_stat.st_mode));
}

TEST_CASE("atomic file: a symlink keeps its target, and a replaced file its mode", "[atomic_file]") {
  TempDir dir;
  WriteFile(dir / "real.json", "old");
  std::filesystem::create_symlink("real.json", dir / "link.json");
  WriteFileAtomically(dir / "link.json", "new");
  CHECK(std::filesystem::is_symlink(dir / "link.json"));
  CHECK(ReadFile(dir / "real.json") == "new");
  CHECK(Names(dir.path()) == std::vector<std::string>{"link.json", "real.json"});

  REQUIRE(chmod((dir / "real.json").c_str(), 0750) == 0);
  WriteFileAtomically(dir / "real.json", "newer");
  struct stat real_stat {};
  REQUIRE(stat((dir / "real.json").c_str(), &real_stat) == 0);
  CHECK((real_stat.st_mode & 07777) == 0750);
}

}  // namespace npsbundle
