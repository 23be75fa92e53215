#ifndef NPSBUNDLE_SERVE_SERVE_H_
#define NPSBUNDLE_SERVE_SERVE_H_

#include <cstdio>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/bundle_source.h"
#include "core/compression.h"
#include "policy/proxy_rules.h"
#include "serve/dev_certificate.h"
#include "serve/serve_handler.h"
#include "serve/static_index.h"

namespace npsbundle {

// Options of `npsbundle serve`; the flags fill this struct.
struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 4173;         // vite preview's default; 0 picks a free port
  std::string base = "/";  // Vite's base; normalised to start and end with '/'
  bool spa = true;
  bool serve_maps = false;
  bool quiet = false;  // no access log
  // --early-hints (true) / --no-early-hints (false); unset: the default of
  // EarlyHintsEnabled.
  std::optional<bool> early_hints;
  CompressionLevels levels;
  std::map<std::string, std::string> routes;  // URL path -> manifest key
  // Paths answered by a backend (--proxy, serve.proxy), never by the build.
  std::vector<ProxyRule> proxy;
  int proxy_timeout_ms = kDefaultProxyTimeoutSeconds * 1000;
  // kBackground is `serve`'s default; kWait (`--precompress=wait`, and
  // `measure`) compresses everything before the first response.
  Precompress precompress = Precompress::kWait;
  // The body cache's folder (BodyCache::DefaultDirectory() for `serve`);
  // empty: no body cache (`--no-cache`).
  std::string body_cache_dir;
  // TLS (`--https`, `--cert`, `--key`): with both files given they are
  // served; with https and neither, the development certificate
  // (serve/dev_certificate) from `tls_dir`, made there when needed.
  bool https = false;
  std::string cert_file;
  std::string key_file;
  std::string tls_dir;  // empty: DevCertificateDirectory()
  // Offer HTTP/2 by ALPN under TLS (`--no-http2` turns it off). Not with
  // proxy rules: a multiplexed connection cannot be handed to the proxy the
  // way an HTTP/1.1 one is, so browsers are kept on HTTP/1.1 there.
  bool http2 = true;
  // Test hook and progress line: see IndexOptions.
  std::shared_future<void> compress_after;
  std::function<void(const CompressProgress&)> on_progress;
};

// "/app/" from "app", "/app", "app/" or "/app/"; "/" from "" or "/". Throws
// InputError for a base that is a URL or holds "..", "?", "#" or "\".
std::string NormalizeBase(const std::string& base);

// Indexes a build for serving with the options' levels, base and routes.
std::shared_ptr<const StaticIndex> IndexForServe(const BundleSource& source,
                                                 const ServeOptions& options, IndexReport* report);

// Whether serve sends 103 Early Hints: `flag` when given, else exactly when
// serving HTTPS. Browsers act on a 103 only over HTTP/2 and later (which
// they speak only over TLS), and some older HTTP/1.1 clients take a 1xx for
// the final answer, so plain HTTP gets none unless asked.
bool EarlyHintsEnabled(std::optional<bool> flag, bool https);

// True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost).
bool IsLoopbackHost(const std::string& host);

// An HTTP/1.1 server for one indexed build, on ServeLoop (epoll, one thread
// per core). Usable in process (tests bind port 0, Start, then Stop) and from
// the CLI (Bind, Run).
class StaticServer {
 public:
  // `log` gets one access-log line per request unless options.quiet; it may
  // be nullptr. It must outlive the server. With options.https, loads the
  // certificate (or finds or makes the development one) here: throws
  // InputError naming the file when it cannot be used.
  StaticServer(std::shared_ptr<const StaticIndex> index, const ServeOptions& options,
               std::FILE* log);
  // Without an index yet: Bind first (a busy port fails before seconds of
  // start-up compression), then SetIndex, then Run.
  StaticServer(const ServeOptions& options, std::FILE* log);
  void SetIndex(std::shared_ptr<const StaticIndex> index);
  ~StaticServer();  // stops and joins a server started with Start
  StaticServer(const StaticServer&) = delete;
  StaticServer& operator=(const StaticServer&) = delete;

  // Binds options.host:options.port (0 = any free port) and returns the
  // port. Throws InputError naming the address when binding fails ("address
  // already in use").
  int Bind();
  // Accepts connections until Stop, then lets responses in flight finish
  // (at most 2 s) and returns; call after Bind and SetIndex.
  void Run();
  // Bind, then Run on a background thread; returns the port once the server
  // accepts connections.
  int Start();
  // Stops accepting (the listening socket refuses new connections) and
  // makes Run return once responses in flight are sent; safe from any
  // thread, before or during Run.
  void Stop();

  int port() const { return port_; }
  // "http://127.0.0.1:4173/app/" ("https://" under TLS)
  std::string url() const;
  bool https() const;
  // Under TLS: the certificate served, what it covers and its hashes
  // (spki_sha256_base64 is what `measure` gives Chromium's
  // --ignore-certificate-errors-spki-list). Empty fields without TLS.
  const DevCertificate& certificate() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = -1;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_SERVE_SERVE_H_
