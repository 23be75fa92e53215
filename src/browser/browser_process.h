#ifndef NPSBUNDLE_BROWSER_BROWSER_PROCESS_H_
#define NPSBUNDLE_BROWSER_BROWSER_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "browser/cdp.h"

namespace npsbundle {

// Debian's chromium package; --browser overrides it.
inline constexpr const char* kDefaultBrowser = "/usr/bin/chromium";

// The headless flags `measure` starts the browser with: no sandbox (it runs
// in containers and CI), no background traffic that would share the
// throttled link, no QUIC, a fresh profile in `user_data_dir`, and the
// DevTools protocol on fds 3 and 4. `trusted_spki` (base64 SHA-256 hashes
// of certificates' public keys, as `serve --https` prints them) become
// --ignore-certificate-errors-spki-list: the browser accepts exactly those
// self-signed certificates, never any other one.
std::vector<std::string> HeadlessBrowserArguments(const std::string& user_data_dir,
                                                  const std::vector<std::string>& trusted_spki = {});

// True for a base64 SHA-256 hash (44 characters, one '=' of padding): what
// --ignore-certificate-errors-spki-list takes.
bool IsSpkiHash(const std::string& text);

// A browser started with --remote-debugging-pipe, in its own process group,
// with a throwaway profile folder and its stderr in a file there.
//
// The destructor closes the pipe, gives the browser a moment to exit, then
// kills the process group and reaps the process, and removes the profile
// folder: on every exit path, including exceptions.
class BrowserProcess {
 public:
  // Throws BrowserError(kBrowserMissing) when `path` is not an executable
  // file, BrowserError(kBrowserFailed) when it cannot be started or a
  // `trusted_spki` entry is not IsSpkiHash.
  // `arguments` replaces HeadlessBrowserArguments (for tests with a fake);
  // without it, the browser gets HeadlessBrowserArguments(…, trusted_spki).
  static std::unique_ptr<BrowserProcess> Launch(const std::string& path,
                                                const std::vector<std::string>* arguments = nullptr,
                                                const std::vector<std::string>& trusted_spki = {});
  ~BrowserProcess();
  BrowserProcess(const BrowserProcess&) = delete;
  BrowserProcess& operator=(const BrowserProcess&) = delete;

  CdpConnection& cdp() { return *cdp_; }
  pid_t pid() const { return pid_; }

  // Why the browser is gone: "exited with status 1", "killed by signal 9",
  // plus the last line it wrote to stderr. Reaps it if it has exited.
  std::string ExitDescription();

  // Asks the browser to close (Browser.close), waits up to `grace_ms`, then
  // kills what is left. Idempotent; the destructor calls it.
  void Shutdown(int grace_ms = 2000);

 private:
  BrowserProcess() = default;
  bool Reap(int wait_ms);  // true once the process is reaped

  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string profile_dir_;
  std::string stderr_path_;
  std::unique_ptr<CdpConnection> cdp_;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_BROWSER_BROWSER_PROCESS_H_
