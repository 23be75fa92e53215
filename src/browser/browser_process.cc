#include "browser/browser_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/error.h"

extern char** environ;

namespace npsbundle {
namespace {

// The browser's ends of the pipes: it reads commands on 3, writes on 4.
constexpr int kBrowserReadFd = 3;
constexpr int kBrowserWriteFd = 4;

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// "chromium" without a slash is looked up on PATH, as a shell would.
std::string ResolveExecutable(const std::string& name) {
  if (name.find('/') != std::string::npos) return IsExecutableFile(name) ? name : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

// Moves a descriptor above the ones the child's file actions overwrite, so
// dup2 onto 3 and 4 never clobbers a pipe end still to be duplicated.
int MoveHigh(int fd) {
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
  close(fd);
  return high;
}

std::string LastLine(const std::string& path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) last = line;
  }
  if (last.size() > 300) last = last.substr(0, 300) + "…";
  return last;
}

}  // namespace

bool IsSpkiHash(const std::string& text) {
  if (text.size() != 44 || text[43] != '=') return false;
  return std::all_of(text.begin(), text.end() - 1, [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/';
  });
}

std::vector<std::string> HeadlessBrowserArguments(const std::string& user_data_dir,
                                                  const std::vector<std::string>& trusted_spki) {
  std::vector<std::string> args = {"--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--no-default-browser-check",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-extensions",
          "--user-data-dir=" + user_data_dir,
          "--remote-debugging-pipe"};
  if (!trusted_spki.empty()) {
    std::string list;
    for (const std::string& hash : trusted_spki) list += (list.empty() ? "" : ",") + hash;
    args.push_back("--ignore-certificate-errors-spki-list=" + list);
  }
  args.push_back("about:blank");
  return args;
}

std::unique_ptr<BrowserProcess> BrowserProcess::Launch(const std::string& path,
                                                       const std::vector<std::string>* arguments,
                                                       const std::vector<std::string>& trusted_spki) {
  std::string executable = ResolveExecutable(path);
  if (executable.empty()) {
    throw BrowserError(ExitCode::kBrowserMissing,
                       "chromium not found: " + path +
                           " is not an executable file; install the chromium package or pass --browser PATH");
  }
  for (const std::string& hash : trusted_spki) {
    // A comma would smuggle a second hash into the list; anything else is a bug upstream.
    if (!IsSpkiHash(hash)) throw BrowserError(ExitCode::kBrowserFailed, "not an SPKI SHA-256 hash: \"" + hash + "\"");
  }
  std::unique_ptr<BrowserProcess> browser(new BrowserProcess());
  std::string temp = (std::filesystem::temp_directory_path() / "npsbundle-browser-XXXXXX").string();
  if (!mkdtemp(temp.data())) {
    throw BrowserError(ExitCode::kBrowserFailed, "cannot create a browser profile folder: " + std::string(std::strerror(errno)));
  }
  browser->profile_dir_ = temp;
  browser->stderr_path_ = temp + "/stderr.log";

  int to_browser[2], from_browser[2];
  if (pipe2(to_browser, O_CLOEXEC) != 0) {
    throw BrowserError(ExitCode::kBrowserFailed, "cannot create a pipe: " + std::string(std::strerror(errno)));
  }
  if (pipe2(from_browser, O_CLOEXEC) != 0) {
    close(to_browser[0]);
    close(to_browser[1]);
    throw BrowserError(ExitCode::kBrowserFailed, "cannot create a pipe: " + std::string(std::strerror(errno)));
  }
  int child_read = MoveHigh(to_browser[0]);
  int child_write = MoveHigh(from_browser[1]);

  std::vector<std::string> args = arguments ? *arguments : HeadlessBrowserArguments(temp + "/profile", trusted_spki);
  std::vector<char*> argv;
  argv.push_back(executable.data());
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  // posix_spawn rather than fork: the process has server threads running.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, browser->stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, child_read, kBrowserReadFd);
  posix_spawn_file_actions_adddup2(&actions, child_write, kBrowserWriteFd);
  // Nothing else of ours (listening sockets above all) leaks into the browser.
  posix_spawn_file_actions_addclosefrom_np(&actions, kBrowserWriteFd + 1);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  // Its own process group, so its helpers (zygote, renderers) die with it.
  posix_spawnattr_setpgroup(&attributes, 0);
  sigset_t no_signals, default_signals;
  sigemptyset(&no_signals);
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  sigaddset(&default_signals, SIGINT);
  sigaddset(&default_signals, SIGTERM);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &default_signals);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  int error = posix_spawn(&browser->pid_, executable.c_str(), &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  close(child_read);
  close(child_write);
  if (error != 0) {
    close(to_browser[1]);
    close(from_browser[0]);
    browser->pid_ = -1;
    throw BrowserError(ExitCode::kBrowserFailed, "cannot start " + executable + ": " + std::strerror(error));
  }
  browser->cdp_ = std::make_unique<CdpConnection>(to_browser[1], from_browser[0], executable);
  BrowserProcess* raw = browser.get();
  browser->cdp_->SetCloseExplainer([raw] { return raw->ExitDescription(); });
  return browser;
}

bool BrowserProcess::Reap(int wait_ms) {
  if (pid_ <= 0 || reaped_) return true;
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (true) {
    // WNOWAIT: the exited process stays a zombie, so its pid (and process
    // group id) cannot be reused until Shutdown has killed the group.
    siginfo_t info{};
    if (waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid_) {
      status_ = info.si_code == CLD_EXITED ? info.si_status : -info.si_status;
      return true;
    }
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string BrowserProcess::ExitDescription() {
  std::string what;
  if (!Reap(1000)) {
    what = "it is still running";
  } else if (status_ >= 0) {
    what = "it exited with status " + std::to_string(status_);
  } else {
    what = "it was killed by signal " + std::to_string(-status_);
  }
  std::string last = LastLine(stderr_path_);
  return last.empty() ? what : what + "; its last message: " + last;
}

void BrowserProcess::Shutdown(int grace_ms) {
  if (pid_ > 0 && !reaped_) {
    bool exited = Reap(0);
    if (!exited && cdp_) {
      try {
        cdp_->Call("Browser.close", "{}", "",
                   std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms));
      } catch (const BrowserError&) {
        // It may close the pipe before answering; the wait below decides.
      }
      Reap(grace_ms);
    }
    kill(-pid_, SIGKILL);  // the group: helpers that outlived the browser
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
  }
  cdp_.reset();
  if (!profile_dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(profile_dir_, ignored);
    profile_dir_.clear();
  }
}

BrowserProcess::~BrowserProcess() { Shutdown(); }

}  // namespace npsbundle
