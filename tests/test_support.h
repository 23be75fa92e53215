#ifndef NPSBUNDLE_TESTS_TEST_SUPPORT_H_
#define NPSBUNDLE_TESTS_TEST_SUPPORT_H_

#include <filesystem>
#include <string>
#include <vector>

namespace npsbundle::testing {

// Result of running a program to completion.
struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs `argv` (argv[0] is looked up on PATH unless it holds a '/'), with
// stdin from /dev/null, and captures stdout and stderr.
CommandResult Run(const std::vector<std::string>& argv);

// Runs the built npsbundle binary with `args`.
CommandResult RunNpsbundle(const std::vector<std::string>& args);

// The source tree's path of a committed fixture build, e.g. Fixture("good").
std::string Fixture(const std::string& name);

// A fresh empty folder, removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& data);

// Copies a folder recursively (used to make damaged copies of fixtures).
void CopyTree(const std::string& from, const std::string& to);

}  // namespace npsbundle::testing

#endif  // NPSBUNDLE_TESTS_TEST_SUPPORT_H_
