#ifndef NPSBUNDLE_TESTS_SUPPORT_SERVE_TEST_SUPPORT_H_
#define NPSBUNDLE_TESTS_SUPPORT_SERVE_TEST_SUPPORT_H_

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "serve/serve.h"
#include "support/test_support.h"

namespace npsbundle::testing {

// A response read off the socket, unparsed body included.
struct RawResponse {
  std::string raw;     // every byte received
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const;  // first value or ""
  bool Has(const std::string& lower_name) const;
  std::vector<std::string> All(const std::string& lower_name) const;
};

// Parses one HTTP/1.x response (Content-Length framed, or up to EOF).
RawResponse ParseResponse(const std::string& raw);

// Splits the bytes of one connection into its responses in order, framed by
// Content-Length (304 has no body). A trailing incomplete response is
// returned with `complete` false.
struct FramedResponse {
  RawResponse response;
  bool complete = false;
};
std::vector<FramedResponse> SplitResponses(const std::string& raw);

// Sends `bytes` to 127.0.0.1:`port` exactly as given and reads until the
// first response is complete, the server closes, or `timeout_ms` passes.
std::string SendRaw(int port, const std::string& bytes, int timeout_ms = 5000);

// Everything received on one connection after sending `bytes`: reading
// stops at EOF, after `idle_ms` without data, or at `total_ms`.
struct Drained {
  std::string raw;
  bool closed = false;  // the server closed (EOF or reset) before the time limits
};
Drained SendAndDrain(int port, const std::string& bytes, int idle_ms, int total_ms);

// A loopback TCP connection to `port`; -1 when connect fails. Caller closes.
int ConnectLoopback(int port);

// A socket listening on an ephemeral loopback port, for fake servers that
// misbehave on purpose; sets *port. Throws when it cannot. Caller closes.
int ListenLoopback(int* port);
// Reads from `fd` until the end of a request head ("\r\n\r\n") or EOF.
std::string ReadRequestHead(int fd);

// One request with "Host" and "Connection: close" added; `headers` are sent
// as given, in order.
RawResponse Request(int port, const std::string& method, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

// The good fixture's index, built once per test run (brotli 11 at start-up
// is the slow part).
std::shared_ptr<const StaticIndex> GoodIndex();

// A StaticServer on an ephemeral loopback port for the life of the object.
class ServerScope {
 public:
  explicit ServerScope(std::shared_ptr<const StaticIndex> index, ServeOptions options = {});
  ~ServerScope();
  int port() const { return port_; }

 private:
  std::unique_ptr<StaticServer> server_;
  int port_ = 0;
};

// Marker strings planted outside the served root and in hidden files inside
// it; no response may ever contain them.
inline constexpr char kOutsideSecret[] = "OUTSIDE-SECRET-7f3a9c";
inline constexpr char kHiddenSecret[] = "HIDDEN-SECRET-41be02";

// A copy of the good build inside a folder that also holds a secret file,
// with symlinks pointing out of the build and dotfiles inside it.
struct TrapBuild {
  TrapBuild();
  // Options quick to index (brotli 5) with Vite's `base`, and the index of
  // this build made with them.
  static ServeOptions Options(const std::string& base = "/");
  std::shared_ptr<const StaticIndex> Index(const ServeOptions& options) const;
  TempDir temp;
  std::string dist;  // temp/dist, the folder to serve
};

// True when `raw` holds either secret.
bool Leaks(const std::string& raw);

// A `npsbundle serve` child process with its stdout and stderr piped.
class ServeProcess : public NpsbundleProcess {
 public:
  explicit ServeProcess(std::vector<std::string> args);
  // The port from the start-up line of `serve --port 0`; 0 on timeout.
  int WaitForPort(std::chrono::milliseconds timeout);
};

}  // namespace npsbundle::testing

#endif  // NPSBUNDLE_TESTS_SUPPORT_SERVE_TEST_SUPPORT_H_
