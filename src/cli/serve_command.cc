#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <thread>

#include "budget/config.h"
#include "core/bundle_source.h"
#include "cli/cli.h"
#include "core/error.h"
#include "policy/preload.h"
#include "serve/serve.h"

namespace npsbundle {
namespace {

struct ServeFlags {
  std::string path;
  ServeOptions options;
  bool no_spa = false;
  std::string config;
  std::string budget;
  std::optional<int> gzip_level;
  std::optional<int> brotli_quality;
  ProxyFlags proxy;
  std::string precompress = "background";
  bool no_cache = false;
  bool no_http2 = false;
};

// "1,544"
std::string WithThousands(size_t n) {
  std::string digits = std::to_string(n);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(at, ",");
  return digits;
}

// The progress line for a terminal, rewritten in place:
// "compressing 812/1,544 · 6.1 MB saved"; a final line when done.
void PrintProgress(const CompressProgress& progress) {
  char saved[32];
  std::snprintf(saved, sizeof saved, "%.1f MB", static_cast<double>(progress.saved_bytes) / 1e6);
  if (progress.finished) {
    std::fprintf(stderr, "\r\033[Knpsbundle: compressed %s/%s text files in the background \u00b7 %s saved\n",
                 WithThousands(progress.done).c_str(), WithThousands(progress.total).c_str(), saved);
  } else {
    std::fprintf(stderr, "\r\033[Kcompressing %s/%s \u00b7 %s saved", WithThousands(progress.done).c_str(),
                 WithThousands(progress.total).c_str(), saved);
  }
  std::fflush(stderr);
}

// Stops `server` on SIGINT or SIGTERM. The signals are blocked in every
// thread (the mask is inherited by the server's workers) and taken here
// synchronously, so no work happens in a signal handler.
class SignalStopper {
 public:
  explicit SignalStopper(StaticServer* server) {
    sigemptyset(&signals_);
    sigaddset(&signals_, SIGINT);
    sigaddset(&signals_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals_, &previous_);
    thread_ = std::thread([this, server] {
      timespec tick{0, 100 * 1000 * 1000};
      while (!done_) {
        if (sigtimedwait(&signals_, nullptr, &tick) > 0) {
          // Repeated until Run returns: a stop that lands before the accept
          // loop has started would otherwise be lost.
          while (!done_) {
            server->Stop();
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          }
        }
      }
    });
  }
  ~SignalStopper() {
    done_ = true;
    thread_.join();
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }

 private:
  sigset_t signals_;
  sigset_t previous_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

// Once per start, under TLS: which certificate, and the two hashes a person
// needs to trust it (a browser's certificate viewer shows the fingerprint;
// Chromium takes the SPKI hash on its command line).
void PrintCertificate(const DevCertificate& certificate, bool given) {
  const CertificateInfo& info = certificate.info;
  std::string names;
  for (const auto* list : {&info.dns_names, &info.ip_addresses}) {
    for (const std::string& name : *list) names += (names.empty() ? "" : ", ") + name;
  }
  std::string origin = given ? "given" : certificate.made ? "self-signed, made now: " + certificate.why_made
                                                          : "self-signed, reused";
  std::printf("npsbundle serve: certificate %s (%s; names %s)\n", certificate.cert_file.c_str(), origin.c_str(),
              names.c_str());
  std::printf("npsbundle serve: certificate SHA-256 %s\n", info.sha256_fingerprint.c_str());
  std::printf("npsbundle serve: certificate SPKI SHA-256 %s (chromium --ignore-certificate-errors-spki-list=%s)\n",
              info.spki_sha256_base64.c_str(), info.spki_sha256_base64.c_str());
}

ExitCode RunServe(ServeFlags flags) {
  ServeOptions& options = flags.options;
  options.base = NormalizeBase(options.base);
  options.spa = !flags.no_spa;
  options.http2 = !flags.no_http2;
  if (options.port < 0 || options.port > 65535) {
    throw InputError("--port " + std::to_string(options.port) + ": expected 0..65535");
  }
  {
    Config config = ResolveConfig(flags.config, flags.budget);
    options.routes = config.budget.routes;
    options.levels = config.budget.levels;
    options.proxy = ResolveProxyRules(config, flags.proxy);
    options.proxy_timeout_ms = ProxyTimeoutMs(flags.proxy);
  }
  if (flags.gzip_level) options.levels.gzip_level = *flags.gzip_level;
  if (flags.brotli_quality) options.levels.brotli_quality = *flags.brotli_quality;
  ValidateLevels(options.levels, "serve");
  options.precompress = flags.precompress == "wait" ? Precompress::kWait : Precompress::kBackground;
  if (!flags.no_cache) options.body_cache_dir = BodyCache::DefaultDirectory();
  // Only a person watching wants the progress line; a log file or pipe
  // gets nothing.
  if (options.precompress == Precompress::kBackground && isatty(STDERR_FILENO)) {
    options.on_progress = PrintProgress;
  }

  std::unique_ptr<BundleSource> source = OpenBundle(flags.path);
  StaticServer server(options, stdout);
  server.Bind();
  if (!IsLoopbackHost(options.host)) {
    std::fprintf(stderr,
                 "npsbundle: warning: listening on %s: serve is meant for local testing; "
                 "production belongs behind nginx (see `npsbundle nginx`)\n",
                 options.host.c_str());
  }
  auto started = std::chrono::steady_clock::now();
  IndexReport report;
  server.SetIndex(IndexForServe(*source, options, &report));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  for (const std::string& warning : report.warnings) {
    std::fprintf(stderr, "npsbundle: warning: %s\n", warning.c_str());
  }
  if (report.hints_dropped > 0) {
    std::fprintf(stderr,
                 "npsbundle: %zu preload hints left out (at most %zu Link headers and %zu bytes "
                 "of them per response, most critical first)\n",
                 report.hints_dropped, kMaxPreloadHints, kMaxPreloadHeaderBytes);
  }
  if (report.compress_queued > 0) {
    std::fprintf(stderr,
                 "npsbundle: compressing %zu text files in the background, serving them uncompressed "
                 "until then (no .br/.gz beside them; `npsbundle compress %s` writes them)\n",
                 report.compress_queued, flags.path.c_str());
  }
  if (report.compressed_in_memory > 0) {
    std::fprintf(stderr,
                 "npsbundle: compressed %zu text files in memory in %.1f s (no .br/.gz beside "
                 "them; `npsbundle compress %s` writes them)\n",
                 report.compressed_in_memory, seconds, flags.path.c_str());
  }
  std::printf("npsbundle serve: %s (%zu files from %s)\n", server.url().c_str(), report.files,
              flags.path.c_str());
  if (server.https()) PrintCertificate(server.certificate(), !options.cert_file.empty());
  for (const ProxyRule& rule : options.proxy) {
    std::printf("npsbundle serve: proxy %s -> %s%s\n", rule.prefix.c_str(), rule.target.text.c_str(),
                rule.ws ? " (WebSockets too)" : "");
  }
  std::fflush(stdout);
  {
    SignalStopper signals(&server);
    server.Run();
  }
  return ExitCode::kOk;
}

}  // namespace

void AddServeCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve", "Serve a Vite build the way a careful production server would");
  cmd->add_option("PATH", flags->path, "Build folder, or a .tar.gz/.zip of one")->required();
  cmd->add_option("--host", flags->options.host, "Address to listen on")->capture_default_str();
  cmd->add_option("--port", flags->options.port, "Port; 0 picks a free one and prints it")
      ->capture_default_str();
  cmd->add_option("--base", flags->options.base, "Vite's `base` the build was made with, e.g. /app/")
      ->capture_default_str();
  cmd->add_flag("--no-spa", flags->no_spa, "No index.html fallback for client-side routes");
  cmd->add_flag("--serve-maps", flags->options.serve_maps, "Serve *.map source maps (404 otherwise)");
  cmd->add_flag("--quiet", flags->options.quiet, "No access log");
  cmd->add_flag_function(
      "--early-hints,!--no-early-hints",
      [flags](int64_t count) { flags->options.early_hints = count > 0; },
      "Send 103 Early Hints with a page's preload Links before its HTML (default: on with "
      "--https, off on plain HTTP, where browsers ignore them)");
  AddConfigOptions(cmd, &flags->config, &flags->budget,
                   "its budget's `routes` add preload hints, its levels compress in memory");
  cmd->add_option("--gzip-level", flags->gzip_level, "gzip level 1..9 for in-memory compression (9)");
  cmd->add_option("--brotli-quality", flags->brotli_quality,
                  "brotli quality 0..11 for in-memory compression (11)");
  AddProxyOptions(cmd, &flags->proxy);
  cmd->add_option("--precompress", flags->precompress,
                  "background: answer at once and compress text files without .br/.gz behind; "
                  "wait: compress them all before the first response")
      ->check(CLI::IsMember({"background", "wait"}))
      ->capture_default_str();
  cmd->add_flag("--https", flags->options.https,
                "Serve TLS; without --cert/--key with a self-signed certificate kept in the cache folder "
                "(names localhost, 127.0.0.1, ::1 and --host)");
  cmd->add_option("--cert", flags->options.cert_file, "PEM certificate chain to serve (implies --https; needs --key)");
  cmd->add_option("--key", flags->options.key_file, "PEM private key of --cert");
  cmd->add_flag("--no-http2", flags->no_http2, "Under TLS, offer HTTP/1.1 only (ALPN)");
  cmd->add_flag("--no-cache", flags->no_cache,
                "Neither read nor write the cache of compressed bodies (beside the size cache)");
  cmd->callback([flags, action] { *action = [flags] { return RunServe(*flags); }; });
}

}  // namespace npsbundle
