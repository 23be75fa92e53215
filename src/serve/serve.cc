#include "serve/serve.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/error.h"
#include "http/resolver.h"
#include "http/server_loop.h"
#include "http/tls_server.h"
#include "serve/proxy.h"

namespace npsbundle {
namespace {

std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 2048)) {
    unsigned char byte = static_cast<unsigned char>(c);
    out += byte < 0x21 || byte >= 0x7F ? '?' : c;
  }
  return out;
}

// Names go through http/resolver, which the static binary can use too (its
// own DNS stub client where glibc's name services are missing).
std::vector<ResolvedAddress> ResolveListenHost(const std::string& host, int port, const std::string& address) {
  try {
    return Resolve(host, port);
  } catch (const ResolveError& error) {
    throw InputError(address + ": cannot listen: " + error.what());
  }
}

}  // namespace

std::string NormalizeBase(const std::string& base) {
  std::string trimmed = base;
  if (trimmed.find("://") != std::string::npos || trimmed.find_first_of("?#\\") != std::string::npos) {
    throw InputError("--base " + base + ": expected a path such as /app/");
  }
  std::string out = "/";
  size_t pos = 0;
  while (pos <= trimmed.size()) {
    size_t slash = trimmed.find('/', pos);
    if (slash == std::string::npos) slash = trimmed.size();
    std::string segment = trimmed.substr(pos, slash - pos);
    pos = slash + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") throw InputError("--base " + base + ": \"..\" is not allowed");
    out += segment + "/";
  }
  return out;
}

std::shared_ptr<const StaticIndex> IndexForServe(const BundleSource& source,
                                                 const ServeOptions& options, IndexReport* report) {
  IndexOptions index_options;
  index_options.levels = options.levels;
  index_options.base = options.base;
  index_options.routes = options.routes;
  index_options.serve_maps = options.serve_maps;
  index_options.precompress = options.precompress;
  index_options.body_cache_dir = options.body_cache_dir;
  index_options.compress_after = options.compress_after;
  index_options.on_progress = options.on_progress;
  return StaticIndex::Build(source, index_options, report);
}

bool EarlyHintsEnabled(std::optional<bool> flag, bool https) { return flag.value_or(https); }

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

// The loop's options for `options`: TLS loaded (or the development
// certificate made) into `certificate`.
LoopOptions LoopOptionsFor(const ServeOptions& options, DevCertificate* certificate) {
  LoopOptions loop;
  if (!options.https && options.cert_file.empty() && options.key_file.empty()) return loop;
  if (options.cert_file.empty() != options.key_file.empty()) {
    throw InputError(options.cert_file.empty() ? "--key needs --cert" : "--cert needs --key");
  }
  if (options.cert_file.empty()) {
    std::string directory = options.tls_dir.empty() ? DevCertificateDirectory() : options.tls_dir;
    *certificate = EnsureDevCertificate(directory, DevCertificateNames(options.host));
  } else {
    certificate->cert_file = options.cert_file;
    certificate->key_file = options.key_file;
  }
  auto context = std::make_shared<const TlsServerContext>(certificate->cert_file, certificate->key_file,
                                                          options.http2 && options.proxy.empty());
  if (!options.cert_file.empty()) {
    certificate->info = InspectCertificate(context->certificate_pem(), options.cert_file);
  }
  loop.tls = std::move(context);
  return loop;
}

struct StaticServer::Impl {
  Impl(const ServeOptions& options_in, std::FILE* log_in)
      : options(options_in),
        log(options_in.quiet ? nullptr : log_in),
        log_is_terminal(log != nullptr && isatty(fileno(log))),
        loop(LoopOptionsFor(options_in, &certificate)) {}
  ~Impl() {
    if (listen_fd >= 0) ::close(listen_fd);
  }

  void Log(const ServedRequest& served);

  ServeOptions options;
  std::shared_ptr<const HttpHandler> handler;  // set before Run
  std::shared_ptr<const ProxyingHandler> proxy;  // the handler when proxy rules are given
  std::FILE* log;
  // On a terminal a log line first clears the line, which may hold the
  // compressor's progress line (rewritten in place, without a newline).
  bool log_is_terminal;
  std::mutex log_mutex;
  DevCertificate certificate;  // before loop: LoopOptionsFor fills it
  ServeLoop loop;
  std::thread thread;
  int listen_fd = -1;
};

void StaticServer::Impl::Log(const ServedRequest& served) {
  char line[4300];
  int n = std::snprintf(line, sizeof line, "%s %s %d %s %llu %lldus\n",
                        served.method.empty() ? "-" : Printable(served.method).c_str(),
                        served.target.empty() ? "-" : Printable(served.target).c_str(), served.status,
                        served.encoding.empty() ? "identity" : std::string(served.encoding).c_str(),
                        static_cast<unsigned long long>(served.body_bytes),
                        static_cast<long long>(served.micros));
  std::lock_guard<std::mutex> lock(log_mutex);
  if (log_is_terminal) std::fputs("\r\033[K", log);
  std::fwrite(line, 1, static_cast<size_t>(std::min<int>(n, sizeof line - 1)), log);
  std::fflush(log);
}

StaticServer::StaticServer(const ServeOptions& options, std::FILE* log)
    : impl_(std::make_unique<Impl>(options, log)) {}

StaticServer::StaticServer(std::shared_ptr<const StaticIndex> index, const ServeOptions& options,
                           std::FILE* log)
    : StaticServer(options, log) {
  SetIndex(std::move(index));
}

void StaticServer::SetIndex(std::shared_ptr<const StaticIndex> index) {
  // Plain HTTP until serve --https lands (the tls branch passes its flag).
  impl_->handler = std::make_shared<const RequestHandler>(
      std::move(index),
      HandlerOptions{impl_->options.base, impl_->options.spa,
                     EarlyHintsEnabled(impl_->options.early_hints, impl_->options.https)});
  if (!impl_->options.proxy.empty()) {
    ProxyOptions proxy_options;
    proxy_options.timeout_ms = impl_->options.proxy_timeout_ms;
    ServeLoop::LogFunction log;
    if (impl_->log) log = [impl = impl_.get()](const ServedRequest& served) { impl->Log(served); };
    impl_->proxy = std::make_shared<const ProxyingHandler>(impl_->handler, impl_->options.proxy,
                                                           proxy_options, std::move(log));
    impl_->handler = impl_->proxy;
  }
}

StaticServer::~StaticServer() {
  Stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int StaticServer::Bind() {
  const ServeOptions& options = impl_->options;
  std::string address = options.host + ":" + std::to_string(options.port);
  std::string host = options.host;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int error = 0;
  int fd = -1;
  for (const ResolvedAddress& listen_address : ResolveListenHost(host, options.port, address)) {
    if (fd >= 0) break;
    fd = ::socket(listen_address.address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      error = errno;
      continue;
    }
    // SO_REUSEADDR only: SO_REUSEPORT would let a second server bind a port
    // that is already in use and silently share its traffic.
    int yes = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&listen_address.address), listen_address.length) != 0 ||
        ::listen(fd, SOMAXCONN) != 0) {
      error = errno;
      ::close(fd);
      fd = -1;
    }
  }
  if (fd < 0) {
    std::string why = error == EADDRINUSE ? "address already in use (another server? try --port 0)"
                      : error == EACCES   ? "permission denied (ports below 1024 need privileges)"
                      : error == EADDRNOTAVAIL ? "no such address on this machine"
                                               : "cannot resolve or bind that host";
    throw InputError(address + ": cannot listen: " + why);
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  impl_->listen_fd = fd;
  return port_;
}

void StaticServer::Run() {
  ServeLoop::LogFunction log;
  if (impl_->log) log = [this](const ServedRequest& served) { impl_->Log(served); };
  impl_->loop.Run(impl_->listen_fd, impl_->handler, std::move(log));
  // Proxied exchanges get the loop's drain time too; streams and tunnels
  // still open after it are cut.
  if (impl_->proxy) impl_->proxy->Shutdown(LoopOptions().drain_timeout_ms);
}

int StaticServer::Start() {
  int port = Bind();
  // The socket listens from Bind on: connections wait in the backlog until
  // the loop accepts them, so there is nothing to wait for here.
  impl_->thread = std::thread([this] { Run(); });
  return port;
}

void StaticServer::Stop() { impl_->loop.Stop(); }

bool StaticServer::https() const { return !impl_->certificate.cert_file.empty(); }

const DevCertificate& StaticServer::certificate() const { return impl_->certificate; }

std::string StaticServer::url() const {
  std::string host = impl_->options.host;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return (https() ? "https://" : "http://") + host + ":" + std::to_string(port_) + impl_->options.base;
}

}  // namespace npsbundle
