#include "serve/proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include "core/ascii.h"
#include "core/sigpipe_block.h"
#include "http/client.h"
#include "http/proxy_wire.h"
#include "http/request_parser.h"
#include "http/resolver.h"
#include "http/semantics.h"
#include "http/tls.h"

namespace npsbundle {
namespace {

int64_t NowMs() { return MonotonicMicros() / 1000; }
int64_t MicrosNow() { return MonotonicMicros(); }

// How a wait or transfer ended.
enum class Io {
  kOk,
  kTimeout,  // no progress for the allowed time
  kEof,      // the socket's peer closed (or reset) it
  kGone,     // the watched socket (the client, while we wait on the backend) hung up
  kCut,      // the server is shutting down
};

// Polls wait in slices this long, so a shutdown cuts in without signals.
constexpr int kSliceMs = 200;
constexpr size_t kMaxResponseHead = 64 * 1024;

bool HasToken(std::string_view list, std::string_view token) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(start, comma - start);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (EqualsIgnoreCase(item, token)) return true;
    start = comma + 1;
  }
  return false;
}

// The last transfer coding is chunked: the only request framing by
// Transfer-Encoding a server can delimit (RFC 9112 §6.3).
bool EndsChunked(std::string_view codings) {
  size_t comma = codings.rfind(',');
  std::string_view last = comma == std::string_view::npos ? codings : codings.substr(comma + 1);
  while (!last.empty() && (last.front() == ' ' || last.front() == '\t')) last.remove_prefix(1);
  while (!last.empty() && (last.back() == ' ' || last.back() == '\t')) last.remove_suffix(1);
  return EqualsIgnoreCase(last, "chunked");
}

std::string ClientAddress(int fd) {
  sockaddr_storage peer{};
  socklen_t length = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) != 0) return "unknown";
  char text[INET6_ADDRSTRLEN] = "unknown";
  if (peer.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&peer)->sin_addr, text, sizeof text);
  } else if (peer.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr, text, sizeof text);
  }
  return text;
}

}  // namespace

struct ProxyingHandler::Hub {
  // One end of an exchange: a socket and, when it speaks TLS, the session
  // over it. A backend (https:// targets) or the client (`serve --https`);
  // every read and write of either goes through SendTo and RecvFrom.
  struct Transport {
    int fd = -1;
    ssl_st* ssl = nullptr;
  };
  struct Client {
    Transport link;
    std::string in;  // bytes received (decrypted) and not yet used
  };

  std::vector<ProxyRule> rules;
  ProxyOptions options;
  ServeLoop::LogFunction log;
  const HttpHandler* inner = nullptr;

  std::mutex mutex;
  std::condition_variable idle;
  size_t active = 0;
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> cut_at{INT64_MAX};

  std::mutex pool_mutex;
  std::map<std::string, std::vector<Transport>> pool;  // PoolKey -> idle connections
  // Made on first use (loading the CA bundle takes a while): one verifying,
  // one for `secure: false` rules. Guarded by pool_mutex.
  std::unique_ptr<TlsClientContext> tls_verify;
  std::unique_ptr<TlsClientContext> tls_insecure;

  bool Cut() const { return stopping && NowMs() >= cut_at; }

  // Waits until `fd` has `events` or `timeout_ms` pass. `watch`, when not
  // -1, is the client: its hang-up ends the wait. `idle_wait`: a shutdown
  // ends it at once (no exchange in flight).
  Io Wait(int fd, short events, int timeout_ms, int watch = -1, bool idle_wait = false) {
    int64_t deadline = NowMs() + timeout_ms;
    while (true) {
      if (Cut() || (idle_wait && stopping)) return Io::kCut;
      int64_t left = deadline - NowMs();
      if (left <= 0) return Io::kTimeout;
      pollfd fds[2] = {{fd, events, 0}, {watch, POLLRDHUP, 0}};
      int n = ::poll(fds, watch >= 0 ? 2 : 1, static_cast<int>(std::min<int64_t>(left, kSliceMs)));
      if (n < 0 && errno != EINTR) return Io::kEof;
      if (n <= 0) continue;
      if (watch >= 0 && (fds[1].revents & (POLLRDHUP | POLLHUP | POLLERR))) return Io::kGone;
      if (fds[0].revents) return Io::kOk;
    }
  }

  // Sends all of `data`; `timeout_ms` bounds each wait for progress.
  Io SendAll(int fd, std::string_view data, int timeout_ms) {
    while (!data.empty()) {
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (Io io = Wait(fd, POLLOUT, timeout_ms); io != Io::kOk) return io;
        continue;
      }
      return Io::kEof;
    }
    return Io::kOk;
  }

  // Appends what `fd` has (waiting for at least one byte) to `out`.
  Io RecvSome(int fd, std::string* out, int timeout_ms, int watch = -1, bool idle_wait = false) {
    char buffer[16 * 1024];
    while (true) {
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        out->append(buffer, static_cast<size_t>(n));
        return Io::kOk;
      }
      if (n == 0) return Io::kEof;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return Io::kEof;
      if (Io io = Wait(fd, POLLIN, timeout_ms, watch, idle_wait); io != Io::kOk) return io;
    }
  }

  // SendAll and RecvSome for either end, through TLS when it has a session.
  // Whether a TLS step waits for readable or writable depends on the step.
  Io SendTo(const Transport& backend, std::string_view data, int timeout_ms) {
    if (!backend.ssl) return SendAll(backend.fd, data, timeout_ms);
    while (!data.empty()) {
      size_t sent = 0;
      TlsStep step = TlsWrite(backend.ssl, data.data(), data.size(), &sent);
      if (step == TlsStep::kDone) {
        data.remove_prefix(sent);
      } else if (step == TlsStep::kWantRead || step == TlsStep::kWantWrite) {
        Io io = Wait(backend.fd, step == TlsStep::kWantRead ? POLLIN : POLLOUT, timeout_ms);
        if (io != Io::kOk) return io;
      } else {
        return Io::kEof;
      }
    }
    return Io::kOk;
  }

  Io RecvFrom(const Transport& backend, std::string* out, int timeout_ms, int watch = -1, bool idle_wait = false) {
    if (!backend.ssl) return RecvSome(backend.fd, out, timeout_ms, watch, idle_wait);
    char buffer[16 * 1024];
    while (true) {
      size_t got = 0;
      TlsStep step = TlsRead(backend.ssl, buffer, sizeof buffer, &got);
      if (step == TlsStep::kDone) {
        out->append(buffer, got);
        return Io::kOk;
      }
      if (step != TlsStep::kWantRead && step != TlsStep::kWantWrite) return Io::kEof;
      Io io = Wait(backend.fd, step == TlsStep::kWantRead ? POLLIN : POLLOUT, timeout_ms, watch, idle_wait);
      if (io != Io::kOk) return io;
    }
  }

  // close_notify (under TLS), then the socket.
  static void CloseTransport(const Transport& backend) {
    if (backend.ssl) {
      TlsSendClose(backend.ssl);
      TlsFree(backend.ssl);
    }
    if (backend.fd >= 0) ::close(backend.fd);
  }

  // Idle connections are shared only by rules with the same backend and
  // the same TLS settings.
  static std::string PoolKey(const ProxyRule& rule) {
    return rule.target.Authority() + (rule.target.tls ? (rule.secure ? " tls" : " tls-insecure") : "");
  }

  Transport TakeIdle(const ProxyRule& rule) {
    std::lock_guard<std::mutex> lock(pool_mutex);
    std::vector<Transport>& idle = pool[PoolKey(rule)];
    while (!idle.empty()) {
      Transport backend = idle.back();
      idle.pop_back();
      // A kept-alive connection the backend has closed (or that has stray
      // bytes, such as a TLS close_notify) is readable: never reuse it.
      pollfd check{backend.fd, POLLIN | POLLRDHUP, 0};
      if (::poll(&check, 1, 0) == 0 && !(backend.ssl && TlsPending(backend.ssl))) return backend;
      CloseTransport(backend);
    }
    return Transport();
  }

  void GiveBack(const ProxyRule& rule, const Transport& backend) {
    std::lock_guard<std::mutex> lock(pool_mutex);
    std::vector<Transport>& idle = pool[PoolKey(rule)];
    if (stopping || idle.size() >= options.max_idle_backend) {
      CloseTransport(backend);
      return;
    }
    idle.push_back(backend);
  }

  void ClosePool() {
    SigpipeBlock no_sigpipe;  // close_notify to a backend that has gone
    std::lock_guard<std::mutex> lock(pool_mutex);
    for (auto& [key, backends] : pool) {
      for (const Transport& backend : backends) CloseTransport(backend);
      backends.clear();
    }
  }

  // A new connection to `rule`'s target (TLS handshake done for https://),
  // or fd -1 with the status (502 refused, unreachable or a failed
  // handshake, 504 no answer within the timeout) and why.
  Transport Connect(const ProxyRule& rule, int* status, std::string* why);
  int ConnectSocket(const ProxyTarget& target, int* status, std::string* why);
  bool Handshake(const ProxyRule& rule, Transport* backend, int* status, std::string* why);

  void Serve(AdoptedConnection adopted);
  bool ServeStatic(Client& client, const HttpRequest& request, int minor, bool keep);
  bool Exchange(Client& client, const HttpRequest& request, int minor, const ProxyRule& rule, bool keep);
  bool Answer(Client& client, int status, std::string_view body, const HttpRequest& request, bool keep);
  void Tunnel(const Transport& client, const Transport& backend);
  void Log(const HttpRequest& request, int status, const ResponseHead* head, uint64_t bytes, int64_t started);
};

int ProxyingHandler::Hub::ConnectSocket(const ProxyTarget& target, int* status, std::string* why) {
  // The first address only: a backend is one server, usually a loopback
  // address or a docker compose service name.
  ResolvedAddress resolved;
  try {
    resolved = Resolve(target.host, target.port).front();
  } catch (const ResolveError& error) {
    *status = 502;
    *why = std::string("cannot be resolved (") + error.what() + ")";
    return -1;
  }
  const sockaddr_storage& address = resolved.address;
  socklen_t length = resolved.length;
  int fd = ::socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *status = 502;
    *why = "cannot be reached (no socket)";
    return -1;
  }
  int yes = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  int error = 0;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      Io io = Wait(fd, POLLOUT, options.timeout_ms);
      if (io != Io::kOk) {
        ::close(fd);
        *status = io == Io::kTimeout ? 504 : 502;
        *why = io == Io::kTimeout ? "did not accept the connection in time" : "was not reached (server stopping)";
        return -1;
      }
      socklen_t size = sizeof error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
    }
  }
  if (error != 0) {
    ::close(fd);
    *status = 502;
    *why = error == ECONNREFUSED ? "refused the connection" : std::string("cannot be reached (") + std::strerror(error) + ")";
    return -1;
  }
  return fd;
}

bool ProxyingHandler::Hub::Handshake(const ProxyRule& rule, Transport* backend, int* status, std::string* why) {
  *status = 502;
  try {
    std::lock_guard<std::mutex> lock(pool_mutex);
    std::unique_ptr<TlsClientContext>& context = rule.secure ? tls_verify : tls_insecure;
    if (!context) context = std::make_unique<TlsClientContext>(rule.secure, "");
    backend->ssl = context->NewSession(backend->fd, rule.target.host);
  } catch (const ClientError& error) {
    *why = std::string("cannot be used: ") + error.what();
    return false;
  }
  int64_t deadline = NowMs() + options.timeout_ms;
  while (true) {
    TlsStep step = TlsConnectStep(backend->ssl);
    if (step == TlsStep::kDone) return true;
    if (step != TlsStep::kWantRead && step != TlsStep::kWantWrite) {
      *why = "TLS handshake failed: " + TlsHandshakeFailure(backend->ssl);
      return false;
    }
    int left = static_cast<int>(std::max<int64_t>(deadline - NowMs(), 1));
    Io io = Wait(backend->fd, step == TlsStep::kWantRead ? POLLIN : POLLOUT, left);
    if (io != Io::kOk) {
      *status = io == Io::kTimeout ? 504 : 502;
      *why = io == Io::kTimeout ? "did not complete the TLS handshake in time" : "was not reached (server stopping)";
      return false;
    }
  }
}

ProxyingHandler::Hub::Transport ProxyingHandler::Hub::Connect(const ProxyRule& rule, int* status, std::string* why) {
  Transport backend;
  backend.fd = ConnectSocket(rule.target, status, why);
  if (backend.fd < 0 || !rule.target.tls) return backend;
  if (!Handshake(rule, &backend, status, why)) {
    if (backend.ssl) TlsFree(backend.ssl);  // no close_notify after a failed handshake
    ::close(backend.fd);
    return Transport();
  }
  return backend;
}

void ProxyingHandler::Hub::Log(const HttpRequest& request, int status, const ResponseHead* head,
                               uint64_t bytes, int64_t started) {
  if (!log) return;
  std::string encoding = head ? head->Header("Content-Encoding") : "";
  ServedRequest served;
  served.method = request.method;
  served.target = request.target;
  served.status = status;
  served.encoding = encoding;
  served.body_bytes = bytes;
  served.micros = MicrosNow() - started;
  log(served);
}

bool ProxyingHandler::Hub::Answer(Client& client, int status, std::string_view body,
                                  const HttpRequest& request, bool keep) {
  HttpResponse response = inner->Refuse(status);
  response.owned_body = std::string(body);
  response.content_length = body.size();
  std::string out;
  AppendResponseHead(response, FormatHttpDate(std::time(nullptr)), keep, 1, &out);
  if (request.method != "HEAD") out += body;
  return SendTo(client.link, out, options.client_timeout_ms) == Io::kOk && keep;
}

bool ProxyingHandler::Hub::ServeStatic(Client& client, const HttpRequest& request, int minor, bool keep) {
  // A request with a body the static handler will not read: answer, then
  // close rather than parse the body as the next request.
  if (request.HeaderCount("Transfer-Encoding") > 0 || request.Header("Content-Length").value_or("0") != "0") {
    keep = false;
  }
  int64_t started = MicrosNow();
  HttpResponse response = inner->Handle(request);
  std::string out;
  AppendResponseHead(response, FormatHttpDate(std::time(nullptr)), keep, minor, &out);
  bool body = response.send_body && request.method != "HEAD";
  if (body) out += response.payload();
  bool sent = SendTo(client.link, out, options.client_timeout_ms) == Io::kOk;
  Log(request, response.status, nullptr, body ? response.payload().size() : 0, started);
  return sent && keep;
}

void ProxyingHandler::Hub::Tunnel(const Transport& client, const Transport& backend) {
  // Raw bytes both ways until both sides are done; an EOF on one side is
  // passed on as a half-close (a TLS close_notify to a TLS end), so a
  // WebSocket close handshake completes.
  bool open[2] = {true, true};
  const Transport* ends[2] = {&client, &backend};
  int64_t last = NowMs();
  char buffer[16 * 1024];
  while ((open[0] || open[1]) && !Cut()) {
    if (NowMs() - last > options.timeout_ms) return;
    // Bytes OpenSSL has decrypted already are not on the socket for poll.
    bool buffered[2];
    for (int side = 0; side < 2; ++side) buffered[side] = open[side] && ends[side]->ssl && TlsPending(ends[side]->ssl);
    pollfd polled[2] = {{open[0] ? client.fd : -1, POLLIN, 0}, {open[1] ? backend.fd : -1, POLLIN, 0}};
    int n = ::poll(polled, 2, buffered[0] || buffered[1] ? 0 : kSliceMs);
    if (n < 0 && errno != EINTR) return;
    for (int side = 0; side < 2; ++side) {
      if (buffered[side]) {
        polled[side].revents |= POLLIN;
        n = std::max(n, 0) + 1;
      }
    }
    for (int side = 0; side < 2 && n > 0; ++side) {
      if (!open[side] || !polled[side].revents) continue;
      const Transport& from = *ends[side];
      const Transport& to = *ends[1 - side];
      ssize_t got;
      if (from.ssl) {
        size_t size = 0;
        TlsStep step = TlsRead(from.ssl, buffer, sizeof buffer, &size);
        if (step == TlsStep::kWantRead || step == TlsStep::kWantWrite) continue;  // a partial record
        got = step == TlsStep::kDone ? static_cast<ssize_t>(size) : 0;
      } else {
        got = ::recv(from.fd, buffer, sizeof buffer, 0);
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      }
      last = NowMs();
      if (got <= 0) {
        open[side] = false;
        if (to.ssl) {
          TlsSendClose(to.ssl);
        } else {
          ::shutdown(to.fd, SHUT_WR);
        }
        if (got < 0) return;
        continue;
      }
      if (SendTo(to, std::string_view(buffer, static_cast<size_t>(got)), options.timeout_ms) != Io::kOk) return;
    }
  }
}

void ProxyingHandler::Hub::Serve(AdoptedConnection adopted) {
  // OpenSSL writes to a TLS backend with write(2), which has no
  // MSG_NOSIGNAL: a backend that has gone must not kill the server.
  SigpipeBlock no_sigpipe;
  Client client{{adopted.fd, adopted.ssl}, std::move(adopted.pending)};
  HttpRequest request = std::move(adopted.request);
  int minor = adopted.minor_version;
  size_t requests = adopted.requests;
  HttpRequestParser parser;
  while (true) {
    std::string connection = request.Header("Connection").value_or("");
    bool keep = (minor >= 1 ? !HasToken(connection, "close") : HasToken(connection, "keep-alive")) &&
                requests < options.max_requests_per_connection && !stopping;
    const ProxyRule* rule = MatchProxyRule(rules, request.target);
    keep = rule ? Exchange(client, request, minor, *rule, keep) : ServeStatic(client, request, minor, keep);
    if (!keep || stopping) break;
    // The next request on this connection, with the loop's limits: the
    // idle wait for its first byte, the head timeout for the rest.
    parser.Reset();
    bool done = false;
    while (!done) {
      HttpRequestParser::State state = client.in.empty() ? HttpRequestParser::State::kNeedMore : parser.Parse(client.in);
      if (state == HttpRequestParser::State::kDone) {
        request = parser.request();
        minor = parser.minor_version();
        client.in.erase(0, parser.head_size());
        ++requests;
        done = true;
      } else if (state == HttpRequestParser::State::kError) {
        HttpResponse refusal = inner->Refuse(parser.error_status());
        Answer(client, refusal.status, std::string(refusal.payload()), parser.request(), false);
        break;
      } else {
        Io io = RecvFrom(client.link, &client.in, client.in.empty() ? options.idle_timeout_ms : options.client_timeout_ms,
                         -1, client.in.empty());
        if (io != Io::kOk) break;
      }
    }
    if (!done) break;
  }
  CloseTransport(client.link);
}

bool ProxyingHandler::Hub::Exchange(Client& client, const HttpRequest& request, int minor,
                                    const ProxyRule& rule, bool keep) {
  int64_t started = MicrosNow();
  const ProxyTarget& target = rule.target;
  auto fail = [&](int status, const std::string& why, bool keep_client) {
    bool kept = Answer(client, status, ProxyErrorBody(status, target, why), request, keep_client);
    Log(request, status, nullptr, 0, started);
    return kept;
  };

  // Request framing. The parser has refused ambiguous framing already
  // (both fields, repeated or malformed Content-Length).
  std::string codings = request.Header("Transfer-Encoding").value_or("");
  bool chunked = !codings.empty();
  if (chunked && !EndsChunked(codings)) return fail(400, "cannot forward a body not framed by chunked", false);
  uint64_t length = 0;
  if (!chunked) {
    std::string text = request.Header("Content-Length").value_or("0");
    std::from_chars(text.data(), text.data() + text.size(), length);
  }
  bool has_body = chunked || length > 0;
  std::string connection = request.Header("Connection").value_or("");
  bool upgrade = rule.ws && HasToken(connection, "upgrade") &&
                 EqualsIgnoreCase(request.Header("Upgrade").value_or(""), "websocket");

  // The head the backend gets: hop-by-hop fields dropped, Host kept unless
  // changeOrigin, the X-Forwarded trio, our own framing.
  std::string head = request.method + " " + ProxiedTarget(rule, request.target) + " HTTP/1.1\r\n";
  std::string host = request.Header("Host").value_or("");
  std::string forwarded_for;
  for (const auto& [name, value] : request.headers) {
    if (IsHopByHopField(name, connection) || EqualsIgnoreCase(name, "Content-Length") ||
        EqualsIgnoreCase(name, "Expect") || EqualsIgnoreCase(name, "X-Forwarded-Proto") ||
        EqualsIgnoreCase(name, "X-Forwarded-Host") || (rule.change_origin && EqualsIgnoreCase(name, "Host"))) {
      continue;
    }
    if (EqualsIgnoreCase(name, "X-Forwarded-For")) {
      forwarded_for += value + ", ";
      continue;
    }
    head += name + ": " + value + "\r\n";
  }
  // HTTP/1.1 needs a Host: an HTTP/1.0 client may have sent none.
  if (rule.change_origin || host.empty()) {
    head += "Host: " + target.HostHeader() + "\r\n";
  }
  head += "X-Forwarded-For: " + forwarded_for + ClientAddress(client.link.fd) + "\r\n";
  head += client.link.ssl ? "X-Forwarded-Proto: https\r\n" : "X-Forwarded-Proto: http\r\n";
  if (!host.empty()) head += "X-Forwarded-Host: " + host + "\r\n";
  if (chunked) head += "Transfer-Encoding: " + codings + "\r\n";  // the body is passed on as framed
  if (!chunked && request.HeaderCount("Content-Length") > 0) head += "Content-Length: " + std::to_string(length) + "\r\n";
  head += upgrade ? "Connection: upgrade\r\nUpgrade: websocket\r\n\r\n" : "Connection: keep-alive\r\n\r\n";

  // A client that waits for 100 Continue gets it from us, as nginx does:
  // the body then streams to the backend as it arrives.
  if (has_body && HasToken(request.Header("Expect").value_or(""), "100-continue")) {
    if (SendTo(client.link, "HTTP/1.1 100 Continue\r\n\r\n", options.client_timeout_ms) != Io::kOk) return false;
  }

  Transport backend;
  std::string from_backend;
  ResponseHead response;
  // A kept-alive connection the backend closed just as we reused it is
  // retried once on a fresh one, when no body has been consumed.
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    if (attempt == 0) {
      backend = TakeIdle(rule);
      reused = backend.fd >= 0;
    }
    if (backend.fd < 0) {
      int status = 502;
      std::string why;
      backend = Connect(rule, &status, &why);
      if (backend.fd < 0) return fail(status, why, keep && !has_body);
    }
    if (SendTo(backend, head, options.timeout_ms) != Io::kOk) {
      CloseTransport(backend);
      backend = Transport();
      if (reused && !has_body) continue;
      return fail(502, "closed the connection", false);
    }
    // The body, streamed as it arrives: bytes already read first.
    bool body_ok = true;
    if (length > 0) {
      uint64_t left = length;
      while (left > 0 && body_ok) {
        if (client.in.empty()) {
          Io io = RecvFrom(client.link, &client.in, options.client_timeout_ms);
          if (io != Io::kOk) {
            CloseTransport(backend);
            return false;  // the client stopped sending its body: nothing to answer
          }
        }
        size_t take = static_cast<size_t>(std::min<uint64_t>(left, client.in.size()));
        body_ok = SendTo(backend, std::string_view(client.in).substr(0, take), options.timeout_ms) == Io::kOk;
        client.in.erase(0, take);
        left -= take;
      }
    } else if (chunked) {
      ChunkDecoder decoder;
      while (body_ok) {
        size_t used = 0;
        ChunkDecoder::State state = client.in.empty() ? decoder.state() : decoder.Feed(client.in, &used, {});
        if (state == ChunkDecoder::State::kError) {
          CloseTransport(backend);
          return fail(400, "was not sent a malformed chunked body", false);
        }
        body_ok = SendTo(backend, std::string_view(client.in).substr(0, used), options.timeout_ms) == Io::kOk;
        client.in.erase(0, used);
        if (state == ChunkDecoder::State::kDone) break;
        if (body_ok && RecvFrom(client.link, &client.in, options.client_timeout_ms) != Io::kOk) {
          CloseTransport(backend);
          return false;
        }
      }
    }
    if (!body_ok) {
      CloseTransport(backend);
      return fail(502, "closed the connection while receiving the request body", false);
    }
    // The response head: 504 when none comes within the timeout.
    from_backend.clear();
    bool retry = false;
    while (true) {
      HeadParse parsed = ParseResponseHead(from_backend, kMaxResponseHead, &response);
      if (parsed == HeadParse::kDone) {
        if (response.status >= 100 && response.status < 200 && response.status != 101) {
          from_backend.erase(0, response.size);  // 100 Continue, 103 Early Hints: ours to drop
          continue;
        }
        break;
      }
      if (parsed == HeadParse::kError) {
        CloseTransport(backend);
        return fail(502, "sent a malformed response head", false);
      }
      Io io = RecvFrom(backend, &from_backend, options.timeout_ms, client.link.fd);
      if (io == Io::kOk) continue;
      CloseTransport(backend);
      if (io == Io::kGone || io == Io::kCut) return false;  // the client went away: so does the backend side
      if (io == Io::kTimeout) {
        return fail(504, "sent no response headers within " + std::to_string(options.timeout_ms / 1000) + " s",
                    false);
      }
      if (from_backend.empty() && reused && !has_body) {
        retry = true;
        break;
      }
      return fail(502, "closed the connection without a complete response", false);
    }
    if (retry) {
      backend = Transport();
      continue;
    }
    break;
  }
  from_backend.erase(0, response.size);

  std::string backend_connection = response.Header("Connection");
  if (response.status == 101) {
    if (!upgrade) {
      CloseTransport(backend);
      return fail(502, "switched protocols without an upgrade request", false);
    }
    std::string out = "HTTP/1.1 101 Switching Protocols\r\n";
    for (const auto& [name, value] : response.headers) {
      if (!IsHopByHopField(name, backend_connection)) out += name + ": " + value + "\r\n";
    }
    out += "Connection: upgrade\r\nUpgrade: " + response.Header("Upgrade") + "\r\n\r\n" + from_backend;
    Log(request, 101, &response, 0, started);
    if (SendTo(client.link, out, options.client_timeout_ms) == Io::kOk &&
        SendTo(backend, client.in, options.timeout_ms) == Io::kOk) {
      Tunnel(client.link, backend);
    }
    CloseTransport(backend);
    return false;
  }

  // Response framing in, and out to this client.
  enum class Framing { kNone, kLength, kChunked, kClose };
  Framing in = Framing::kClose;
  uint64_t body_length = 0;
  std::string response_codings = response.Header("Transfer-Encoding");
  if (request.method == "HEAD" || response.status == 204 || response.status == 304) {
    in = Framing::kNone;
  } else if (!response_codings.empty()) {
    in = EndsChunked(response_codings) ? Framing::kChunked : Framing::kClose;
  } else if (response.HeaderCount("Content-Length") == 1) {
    std::string text = response.Header("Content-Length");
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), body_length);
    if (error != std::errc() || end != text.data() + text.size()) {
      CloseTransport(backend);
      return fail(502, "sent a malformed Content-Length", false);
    }
    in = Framing::kLength;
  } else if (response.HeaderCount("Content-Length") > 1) {
    CloseTransport(backend);
    return fail(502, "sent Content-Length twice", false);
  }
  bool rechunk = (in == Framing::kChunked || in == Framing::kClose) && minor >= 1;
  if ((in == Framing::kChunked || in == Framing::kClose) && !rechunk) keep = false;
  if (in == Framing::kClose) keep = keep && rechunk;

  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                    (response.reason.empty() ? std::string(ReasonPhrase(response.status)) : response.reason) + "\r\n";
  for (const auto& [name, value] : response.headers) {
    if (IsHopByHopField(name, backend_connection)) continue;
    if (in != Framing::kNone && EqualsIgnoreCase(name, "Content-Length")) continue;
    out += name + ": " + value + "\r\n";
  }
  if (in == Framing::kLength) out += "Content-Length: " + std::to_string(body_length) + "\r\n";
  if (rechunk) out += "Transfer-Encoding: chunked\r\n";
  if (!keep) {
    out += "Connection: close\r\n";
  } else if (minor == 0) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  if (SendTo(client.link, out, options.client_timeout_ms) != Io::kOk) {
    CloseTransport(backend);
    return false;
  }

  // The body, each read passed on at once (Server-Sent Events arrive event
  // by event). A silence longer than the timeout ends the stream; there is
  // no limit on its total length.
  uint64_t sent = 0;
  bool complete = in == Framing::kNone || (in == Framing::kLength && body_length == 0);
  bool client_ok = true;
  auto forward = [&](std::string_view data) {
    if (data.empty() || !client_ok) return;
    std::string framed;
    if (rechunk) AppendChunk(data, &framed);
    client_ok = SendTo(client.link, rechunk ? std::string_view(framed) : data, options.client_timeout_ms) == Io::kOk;
    sent += data.size();
  };
  ChunkDecoder decoder;
  uint64_t left = body_length;
  while (!complete && client_ok) {
    if (!from_backend.empty()) {
      if (in == Framing::kLength) {
        size_t take = static_cast<size_t>(std::min<uint64_t>(left, from_backend.size()));
        forward(std::string_view(from_backend).substr(0, take));
        from_backend.erase(0, take);
        left -= take;
      } else if (in == Framing::kChunked) {
        size_t used = 0;
        ChunkDecoder::State state = decoder.Feed(from_backend, &used, forward);
        from_backend.erase(0, used);
        if (state == ChunkDecoder::State::kError) break;
        complete = state == ChunkDecoder::State::kDone;
      } else {
        forward(from_backend);
        from_backend.clear();
      }
      if (in == Framing::kLength && left == 0) complete = true;
      if (complete || !client_ok) break;
    }
    Io io = RecvFrom(backend, &from_backend, options.timeout_ms, client.link.fd);
    if (io == Io::kEof && in == Framing::kClose) {
      complete = true;
      break;
    }
    if (io != Io::kOk) break;  // timeout, backend gone early, client gone, shutdown
  }
  if (complete && client_ok && rechunk) client_ok = SendTo(client.link, kLastChunk, options.client_timeout_ms) == Io::kOk;
  Log(request, response.status, &response, sent, started);
  bool reusable = complete && in != Framing::kClose && from_backend.empty() && response.minor_version >= 1 &&
                  !HasToken(backend_connection, "close") && !stopping;
  if (reusable) {
    GiveBack(rule, backend);
  } else {
    CloseTransport(backend);
  }
  return complete && client_ok && keep;
}

ProxyingHandler::ProxyingHandler(std::shared_ptr<const HttpHandler> inner, std::vector<ProxyRule> rules,
                                 ProxyOptions options, ServeLoop::LogFunction log)
    : inner_(std::move(inner)), hub_(std::make_unique<Hub>()) {
  hub_->rules = std::move(rules);
  hub_->options = options;
  hub_->log = std::move(log);
  hub_->inner = inner_.get();
}

ProxyingHandler::~ProxyingHandler() { Shutdown(0); }

bool ProxyingHandler::Claims(const HttpRequest& request) const {
  return MatchProxyRule(hub_->rules, request.target) != nullptr;
}

void ProxyingHandler::Adopt(AdoptedConnection connection) const {
  Hub* hub = hub_.get();
  {
    std::lock_guard<std::mutex> lock(hub->mutex);
    if (!hub->stopping && hub->active < hub->options.max_connections) {
      ++hub->active;
      std::thread([hub, connection = std::move(connection)]() mutable {
        hub->Serve(std::move(connection));
        std::lock_guard<std::mutex> done(hub->mutex);
        if (--hub->active == 0) hub->idle.notify_all();
      }).detach();
      return;
    }
  }
  // Over the cap or stopping: one short answer, best effort, then close.
  HttpResponse busy = inner_->Refuse(503);
  std::string out;
  AppendResponseHead(busy, FormatHttpDate(std::time(nullptr)), false, 1, &out);
  out += busy.payload();
  if (connection.ssl) {
    SigpipeBlock no_sigpipe;  // OpenSSL writes with write(2)
    size_t sent = 0;
    TlsWrite(connection.ssl, out.data(), out.size(), &sent);
    TlsSendClose(connection.ssl);
    TlsFree(connection.ssl);
  } else {
    [[maybe_unused]] ssize_t n = ::send(connection.fd, out.data(), out.size(), MSG_NOSIGNAL);
  }
  ::close(connection.fd);
}

void ProxyingHandler::Shutdown(int drain_ms) const {
  Hub* hub = hub_.get();
  hub->cut_at = std::min<int64_t>(hub->cut_at, NowMs() + drain_ms);
  hub->stopping = true;
  {
    std::unique_lock<std::mutex> lock(hub->mutex);
    hub->idle.wait(lock, [hub] { return hub->active == 0; });
  }
  hub->ClosePool();
}

}  // namespace npsbundle
