#ifndef NPSBUNDLE_TESTS_SUPPORT_TEST_SUPPORT_H_
#define NPSBUNDLE_TESTS_SUPPORT_TEST_SUPPORT_H_

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <regex>
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

// The built npsbundle binary running in the background with `args`, its
// stdout and stderr piped (stdin is /dev/null).
class NpsbundleProcess {
 public:
  explicit NpsbundleProcess(std::vector<std::string> args);
  ~NpsbundleProcess();  // SIGKILLs and reaps a child that is still running
  NpsbundleProcess(const NpsbundleProcess&) = delete;
  NpsbundleProcess& operator=(const NpsbundleProcess&) = delete;

  // Reads stdout until `pattern` matches (bounded by `timeout`); returns the
  // first capture group, or "" on timeout or EOF.
  std::string WaitFor(const std::regex& pattern, std::chrono::milliseconds timeout);

  // Sends `signal` (none when 0) and waits at most `timeout` for the exit
  // status: the exit code, 128 + signal when killed, -1 when still running
  // (then the destructor kills it).
  int Stop(int signal, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  pid_t pid() const { return pid_; }  // -1 once reaped
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
};

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

#endif  // NPSBUNDLE_TESTS_SUPPORT_TEST_SUPPORT_H_
