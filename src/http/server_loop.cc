#include "http/server_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/sigpipe_block.h"
#include "http/h2_session.h"
#include "http/semantics.h"
#include "http/tls.h"
#include "http/tls_server.h"

namespace npsbundle {
namespace {

using Millis = int64_t;

// Bodies from this size on are sent with sendfile (head by sendmsg, then the
// body: two calls); smaller ones go with the head in one sendmsg, whose copy
// costs less than the second call. Measured with bench/run: see ANALYSIS.md.
constexpr size_t kSendfileMinBytes = 16 * 1024;

Millis NowMillis() { return MonotonicMicros() / 1000; }
int64_t MicrosNow() { return MonotonicMicros(); }

int DefaultThreads() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  return std::clamp(cpus, 1, 16);
}

// The Date field value, formatted once a second per thread.
std::string_view CachedDate() {
  thread_local time_t second = -1;
  thread_local std::string text;
  time_t now = std::time(nullptr);
  if (now != second) {
    second = now;
    text = FormatHttpDate(static_cast<int64_t>(now));
  }
  return text;
}

// Tags that tell the listener and the stop eventfd apart from connections in
// epoll_event.data.ptr.
char kListenTag;
char kStopTag;

constexpr size_t kReadChunk = 16 * 1024;
constexpr int kMaxEvents = 256;

}  // namespace

int64_t MonotonicMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string_view CachedHttpDate() { return CachedDate(); }

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

void AppendResponseHead(const HttpResponse& response, std::string_view date, bool keep_alive,
                        int minor_version, std::string* out) {
  char number[24];
  out->append("HTTP/1.1 ");
  out->append(number, std::to_chars(number, number + sizeof number, response.status).ptr);
  out->push_back(' ');
  out->append(ReasonPhrase(response.status));
  out->append("\r\nDate: ");
  out->append(date);
  out->append("\r\n");
  for (const auto& [name, value] : response.headers) {
    out->append(name);
    out->append(": ");
    out->append(value);
    out->append("\r\n");
  }
  // For HEAD and 304 this is the length a GET would get (RFC 9110 §8.6).
  out->append("Content-Length: ");
  out->append(number, std::to_chars(number, number + sizeof number, response.content_length).ptr);
  out->append("\r\n");
  if (!keep_alive) {
    out->append("Connection: close\r\n");
  } else if (minor_version == 0) {
    out->append("Connection: keep-alive\r\n");
  }
  out->append("\r\n");
}

void AppendEarlyHints(const HttpResponse& response, int minor_version, std::string* out) {
  if (response.early_hints.empty() || minor_version < 1) return;
  out->append("HTTP/1.1 103 Early Hints\r\n");
  for (const std::string& link : response.early_hints) {
    out->append("Link: ");
    out->append(link);
    out->append("\r\n");
  }
  out->append("\r\n");
}

// One event-loop thread: its own epoll set, the shared listener, and the
// connections it accepted.
class ServeLoop::Worker {
 public:
  Worker(ServeLoop* loop, int listen_fd, const HttpHandler* handler, const LogFunction* log)
      : loop_(loop), options_(loop->options_), listen_fd_(listen_fd), handler_(handler), log_(log) {}
  ~Worker() {
    while (!connections_.empty()) CloseNow(connections_.back().get());
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
  }

  void Run();

 private:
  enum class Phase {
    kHandshake,  // TLS: the handshake is not complete yet
    kIdle,       // waiting for the first byte of a request
    kReading,    // some bytes of a head received
    kWriting,    // a response partly sent; reading paused
    kLingering,  // our side shut down; discarding input until EOF
    kHttp2,      // TLS with ALPN h2: frames go through `h2`, not the phases above
  };
  struct Connection {
    int fd = -1;
    ssl_st* ssl = nullptr;  // the TLS session; null on plain connections
    size_t slot = 0;  // index in connections_
    Phase phase = Phase::kIdle;
    Millis deadline = 0;
    std::string in;
    size_t in_start = 0;
    HttpRequestParser parser;
    size_t requests = 0;
    bool close_after = false;
    bool waiting_to_write = false;  // epoll interest switched to what a write waits for
    // The response being written.
    HttpResponse response;
    std::string head;
    std::string_view body;
    bool body_in_head = false;  // TLS: a small body copied after the head, one record
    size_t sent = 0;
    int64_t started_micros = 0;
    // HTTP/2: the session, and frames it produced that the socket has not
    // taken yet (reading pauses while there are any: backpressure).
    std::unique_ptr<Http2Session> h2;
    std::string h2_out;
    size_t h2_sent = 0;
  };

  void Accept();
  void Register(int fd);
  void Handshake(Connection* connection);
  // recv, or SSL_read: > 0 bytes, 0 end of stream, -1 error, -2 would block.
  ssize_t Receive(Connection* connection, char* data, size_t size);
  bool WriteTls(Connection* connection);
  // One SSL_write of `part`: the bytes OpenSSL took, or 0 when the
  // connection now waits for its socket (interest switched) or was closed.
  size_t WriteTlsPart(Connection* connection, std::string_view part);
  void ReadHttp2(Connection* connection);
  void WriteHttp2(Connection* connection);
  void OnEvent(Connection* connection, uint32_t events);
  void OnReadable(Connection* connection);
  void ProcessBuffered(Connection* connection);
  void Respond(Connection* connection, HttpResponse response, bool keep_alive, int minor_version);
  void Write(Connection* connection);
  void Finished(Connection* connection);
  void Linger(Connection* connection);
  void CloseNow(Connection* connection);
  void Forget(Connection* connection);
  void Detach(Connection* connection);
  void Sweep();
  void BeginStop();
  void SetInterest(Connection* connection, uint32_t events);
  // Back to reading after a write that waited for EPOLLOUT.
  void ResumeReading(Connection* connection);

  ServeLoop* loop_;
  const LoopOptions& options_;
  int listen_fd_;
  const HttpHandler* handler_;
  const LogFunction* log_;
  int epoll_fd_ = -1;
  Millis now_ = 0;
  Millis next_sweep_ = 0;
  Millis accept_paused_until_ = 0;  // after EMFILE: the listener is out of the set until then
  bool listening_ = false;
  bool stopping_ = false;
  Millis drain_deadline_ = 0;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> closed_;  // freed after each batch of events
  char scratch_[kReadChunk];
};

void ServeLoop::Worker::Run() {
  // sendfile has no MSG_NOSIGNAL: a client gone mid-body must be an EPIPE.
  SigpipeBlock no_sigpipe;
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) return;
  now_ = NowMillis();
  next_sweep_ = now_ + 1000;
  epoll_event stop_event{};
  stop_event.events = EPOLLIN;
  stop_event.data.ptr = &kStopTag;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, loop_->stop_fd_, &stop_event);
  epoll_event listen_event{};
  // One listener shared by every worker; EPOLLEXCLUSIVE wakes one of them
  // per new connection instead of all.
  listen_event.events = EPOLLIN | EPOLLEXCLUSIVE;
  listen_event.data.ptr = &kListenTag;
  listening_ = epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listen_event) == 0;
  if (loop_->stopping_) BeginStop();

  epoll_event events[kMaxEvents];
  while (true) {
    int timeout = stopping_ || accept_paused_until_ ? 100 : 1000;
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, timeout);
    if (n < 0 && errno != EINTR) break;
    now_ = NowMillis();
    for (int i = 0; i < n; ++i) {
      void* tag = events[i].data.ptr;
      if (tag == &kListenTag) {
        Accept();
      } else if (tag == &kStopTag) {
        BeginStop();
      } else {
        OnEvent(static_cast<Connection*>(tag), events[i].events);
      }
    }
    closed_.clear();
    if (now_ >= next_sweep_ || stopping_ || accept_paused_until_) Sweep();
    closed_.clear();
    if (stopping_ && connections_.empty()) break;
  }
}

void ServeLoop::Worker::BeginStop() {
  if (stopping_) return;
  stopping_ = true;
  drain_deadline_ = now_ + options_.drain_timeout_ms;
  // The eventfd stays readable; leaving it in the set would spin the loop.
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, loop_->stop_fd_, nullptr);
  if (listening_) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  listening_ = false;
  // Shutting the listener down (not closing it: other workers still hold it
  // in their sets) refuses new connections at once instead of leaving them
  // in the backlog until exit.
  if (!loop_->listener_shut_.exchange(true)) ::shutdown(listen_fd_, SHUT_RDWR);
  // Connections between requests are closed now; those writing finish.
  for (size_t i = connections_.size(); i-- > 0;) {
    Connection* connection = connections_[i].get();
    if (connection->phase == Phase::kWriting) {
      connection->close_after = true;
    } else if (connection->phase == Phase::kHttp2) {
      // GOAWAY: streams in flight finish within the drain time.
      connection->h2->Shutdown();
      WriteHttp2(connection);
    } else {
      CloseNow(connection);
    }
  }
}

void ServeLoop::Worker::Accept() {
  // A bounded batch, so one worker does not take a burst of connections
  // that others could share.
  for (int i = 0; i < 64 && listening_; ++i) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: the listener would stay readable and spin the
        // loop. Leave it out of the set for a moment; the backlog waits.
        epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
        listening_ = false;
        accept_paused_until_ = now_ + 100;
      }
      return;  // EAGAIN, or the listener was shut down by Stop
    }
    if (loop_->open_connections_.fetch_add(1) >= options_.max_connections) {
      // Over the cap: closing at once tells the client to retry, which a
      // backlog that silently fills would not.
      loop_->open_connections_.fetch_sub(1);
      ::close(fd);
      continue;
    }
    Register(fd);
  }
}

void ServeLoop::Worker::Register(int fd) {
  int yes = 1;
  // Each response is one sendmsg, but its tail must not wait for an ACK.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  auto connection = std::make_unique<Connection>();
  connection->parser = HttpRequestParser(options_.limits);
  connection->fd = fd;
  connection->slot = connections_.size();
  connection->phase = Phase::kIdle;
  connection->deadline = now_ + options_.header_timeout_ms;
  if (options_.tls) {
    connection->ssl = options_.tls->NewSession(fd);
    if (!connection->ssl) {
      ::close(fd);
      loop_->open_connections_.fetch_sub(1);
      return;
    }
    connection->phase = Phase::kHandshake;
  }
  epoll_event event{};
  event.events = EPOLLIN | EPOLLRDHUP;
  event.data.ptr = connection.get();
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    ::close(fd);
    loop_->open_connections_.fetch_sub(1);
    return;
  }
  connections_.push_back(std::move(connection));
}

void ServeLoop::Worker::SetInterest(Connection* connection, uint32_t events) {
  epoll_event event{};
  event.events = events;
  event.data.ptr = connection;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection->fd, &event) != 0) CloseNow(connection);
}

void ServeLoop::Worker::ResumeReading(Connection* connection) {
  if (!connection->waiting_to_write) return;
  connection->waiting_to_write = false;
  SetInterest(connection, EPOLLIN | EPOLLRDHUP);
}

void ServeLoop::Worker::OnEvent(Connection* connection, uint32_t events) {
  if (connection->fd < 0) return;  // closed earlier in this batch
  if (connection->phase == Phase::kHandshake) {
    if (events & (EPOLLERR | EPOLLHUP)) {
      CloseNow(connection);
    } else {
      Handshake(connection);
    }
    return;
  }
  if (connection->phase == Phase::kHttp2) {
    if (events & EPOLLERR) {
      CloseNow(connection);
      return;
    }
    if (connection->h2_out.empty() && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP))) ReadHttp2(connection);
    if (connection->fd >= 0) WriteHttp2(connection);
    return;
  }
  if (connection->phase == Phase::kWriting) {
    if (events & (EPOLLERR | EPOLLHUP)) {
      CloseNow(connection);
    } else if (events & (connection->ssl ? EPOLLOUT | EPOLLIN : EPOLLOUT)) {
      Write(connection);
    }
    return;
  }
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) OnReadable(connection);
}

void ServeLoop::Worker::OnReadable(Connection* connection) {
  size_t max_buffered = options_.limits.max_head + 1;  // one byte over tells "too long"
  while (connection->fd >= 0 && connection->phase != Phase::kWriting) {
    size_t pending = connection->in.size() - connection->in_start;
    size_t room = connection->phase == Phase::kLingering ? sizeof scratch_
                                                          : std::min(sizeof scratch_, max_buffered - pending);
    if (room == 0) return;  // unreachable: the parser fails before the buffer fills
    ssize_t n = Receive(connection, scratch_, room);
    if (n == -2) return;
    if (n < 0) {
      CloseNow(connection);
      return;
    }
    if (n == 0) {
      // The client closed (or half-closed) its side: nothing more can
      // arrive, and a request cut short is not answered.
      CloseNow(connection);
      return;
    }
    if (connection->phase == Phase::kLingering) continue;
    connection->in.append(scratch_, static_cast<size_t>(n));
    ProcessBuffered(connection);
    // Drained: level-triggered epoll reports more. Not so for bytes OpenSSL
    // has decrypted and holds: those are read on, whatever n was.
    if (static_cast<size_t>(n) < room && !(connection->ssl && TlsPending(connection->ssl))) return;
  }
}

ssize_t ServeLoop::Worker::Receive(Connection* connection, char* data, size_t size) {
  // Lingering discards what arrives: no need to decrypt it.
  if (connection->ssl && connection->phase != Phase::kLingering) {
    size_t got = 0;
    switch (TlsRead(connection->ssl, data, size, &got)) {
      case TlsStep::kDone:
        return static_cast<ssize_t>(got);
      case TlsStep::kWantRead:
        return -2;
      case TlsStep::kClosed:
        return 0;
      default:
        // kWantWrite (a TLS 1.3 key update answered on a full socket): rare
        // enough to end the connection rather than track it.
        return -1;
    }
  }
  while (true) {
    ssize_t n = ::recv(connection->fd, data, size, 0);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
  }
}

void ServeLoop::Worker::Handshake(Connection* connection) {
  switch (TlsAcceptStep(connection->ssl)) {
    case TlsStep::kDone:
      break;
    case TlsStep::kWantRead:
      ResumeReading(connection);
      return;
    case TlsStep::kWantWrite:
      if (!connection->waiting_to_write) {
        connection->waiting_to_write = true;
        SetInterest(connection, EPOLLOUT);
      }
      return;
    default:
      // No close_notify after a failed handshake.
      TlsFree(connection->ssl);
      connection->ssl = nullptr;
      CloseNow(connection);
      return;
  }
  connection->phase = Phase::kIdle;
  connection->deadline = now_ + options_.header_timeout_ms;
  ResumeReading(connection);
  if (TlsAlpnProtocol(connection->ssl) == "h2") {
    // The same transport, another protocol adapter: the session parses
    // frames and calls the same handler.
    connection->phase = Phase::kHttp2;
    connection->h2 = std::make_unique<Http2Session>(*handler_, options_.http2, *log_);
    if (stopping_) {
      connection->h2->Shutdown();
      connection->close_after = true;
    }
    ReadHttp2(connection);  // the preface may be buffered already
    if (connection->fd >= 0) WriteHttp2(connection);  // our SETTINGS
    return;
  }
  // The request may have come with the handshake's last flight and already
  // sit decrypted in OpenSSL's buffer, where epoll cannot see it.
  if (connection->fd >= 0) OnReadable(connection);
}

void ServeLoop::Worker::ProcessBuffered(Connection* connection) {
  while (connection->fd >= 0 && connection->phase != Phase::kWriting &&
         connection->phase != Phase::kLingering) {
    std::string_view pending = std::string_view(connection->in).substr(connection->in_start);
    if (pending.empty()) {
      connection->in.clear();
      connection->in_start = 0;
      return;
    }
    if (connection->phase == Phase::kIdle) {
      connection->phase = Phase::kReading;
      connection->deadline = now_ + options_.header_timeout_ms;
    }
    HttpRequestParser& parser = connection->parser;
    HttpRequestParser::State state = parser.Parse(pending);
    if (state == HttpRequestParser::State::kNeedMore) {
      // Keep the partial head at the front so the buffer stays bounded.
      if (connection->in_start > 0) {
        connection->in.erase(0, connection->in_start);
        connection->in_start = 0;
      }
      return;
    }
    connection->started_micros = MicrosNow();
    if (state == HttpRequestParser::State::kError) {
      HttpResponse error = handler_->Refuse(parser.error_status());
      if (parser.method() == "HEAD") error.send_body = false;
      Respond(connection, std::move(error), false, 1);
      return;
    }
    connection->in_start += parser.head_size();
    ++connection->requests;
    if (!stopping_ && handler_->Claims(parser.request())) {
      Detach(connection);
      return;
    }
    bool keep_alive = parser.keep_alive() && !stopping_ &&
                      connection->requests < options_.max_requests_per_connection;
    HttpResponse response = handler_->Handle(parser.request());
    // Every answer to HEAD goes without a body, errors included (RFC 9110
    // §9.3.2): a body here would be read as the next response.
    if (parser.request().method == "HEAD") response.send_body = false;
    Respond(connection, std::move(response), keep_alive, parser.minor_version());
  }
}

void ServeLoop::Worker::Respond(Connection* connection, HttpResponse response, bool keep_alive,
                                int minor_version) {
  connection->close_after = !keep_alive;
  connection->response = std::move(response);
  connection->body = connection->response.send_body ? connection->response.payload() : std::string_view();
  connection->head.clear();
  AppendEarlyHints(connection->response, minor_version, &connection->head);
  AppendResponseHead(connection->response, CachedDate(), keep_alive, minor_version, &connection->head);
  // Under TLS every byte is copied into a record anyway: a small body joins
  // the head so both go in one SSL_write (one record, one packet).
  connection->body_in_head = connection->ssl && connection->body.size() < kSendfileMinBytes;
  if (connection->body_in_head) connection->head.append(connection->body);
  connection->sent = 0;
  connection->phase = Phase::kWriting;
  Write(connection);
}

void ServeLoop::Worker::Write(Connection* connection) {
  if (connection->ssl) {
    if (WriteTls(connection)) Finished(connection);
    return;
  }
  const std::string& head = connection->head;
  std::string_view body = connection->body;
  const HttpResponse& response = connection->response;
  size_t total = head.size() + body.size();
  // A large body goes from the index's memory file by sendfile, so the
  // kernel queues its pages instead of copying them (nginx does the same
  // from the page cache); a small one rides in the head's sendmsg.
  bool from_file = response.body_fd >= 0 && body.size() >= kSendfileMinBytes;
  while (connection->sent < total) {
    size_t sent = connection->sent;
    ssize_t n;
    if (from_file && sent >= head.size()) {
      off_t offset = static_cast<off_t>(response.body_offset + (sent - head.size()));
      n = ::sendfile(connection->fd, response.body_fd, &offset, total - sent);
    } else {
      iovec parts[2];
      int count = 0;
      if (sent < head.size()) {
        parts[count++] = {const_cast<char*>(head.data()) + sent, head.size() - sent};
        sent = 0;
      } else {
        sent -= head.size();
      }
      if (!from_file && !body.empty()) {
        parts[count++] = {const_cast<char*>(body.data()) + sent, body.size() - sent};
      }
      msghdr message{};
      message.msg_iov = parts;
      message.msg_iovlen = static_cast<size_t>(count);
      // sendmsg rather than writev: MSG_NOSIGNAL, so a client that went away
      // is an EPIPE here instead of SIGPIPE for the process. MSG_MORE holds
      // a head back until sendfile adds the body to it.
      n = ::sendmsg(connection->fd, &message, MSG_NOSIGNAL | (from_file ? MSG_MORE : 0));
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        // Resume on EPOLLOUT; reading pauses so pipelined requests wait.
        connection->deadline = now_ + options_.send_timeout_ms;
        if (!connection->waiting_to_write) {
          connection->waiting_to_write = true;
          SetInterest(connection, EPOLLOUT);
        }
        return;
      }
      CloseNow(connection);
      return;
    }
    if (n == 0) {  // no progress and no error: never spin on it
      CloseNow(connection);
      return;
    }
    connection->sent += static_cast<size_t>(n);
    connection->deadline = now_ + options_.send_timeout_ms;
  }
  Finished(connection);
}

bool ServeLoop::Worker::WriteTls(Connection* connection) {
  const std::string& head = connection->head;
  std::string_view body = connection->body_in_head ? std::string_view() : connection->body;
  size_t total = head.size() + body.size();
  while (connection->sent < total) {
    size_t sent = connection->sent;
    std::string_view part = sent < head.size() ? std::string_view(head).substr(sent) : body.substr(sent - head.size());
    size_t n = WriteTlsPart(connection, part);
    if (n == 0) return false;
    connection->sent += n;
  }
  return true;
}

size_t ServeLoop::Worker::WriteTlsPart(Connection* connection, std::string_view part) {
  size_t n = 0;
  TlsStep step = TlsWrite(connection->ssl, part.data(), part.size(), &n);
  connection->deadline = now_ + options_.send_timeout_ms;
  if (step == TlsStep::kWantWrite || step == TlsStep::kWantRead) {
    // Resume when the socket allows what OpenSSL waits for (a write that
    // wants to read: practically never, renegotiation being off).
    connection->waiting_to_write = true;
    SetInterest(connection, step == TlsStep::kWantWrite ? EPOLLOUT : EPOLLIN);
    return 0;
  }
  if (step != TlsStep::kDone || n == 0) {
    CloseNow(connection);
    return 0;
  }
  return n;
}

void ServeLoop::Worker::ReadHttp2(Connection* connection) {
  // A bounded batch, so one client cannot hold the thread; level-triggered
  // epoll reports the rest. Each read takes a whole TLS record at most
  // (kReadChunk is the largest), so OpenSSL holds nothing epoll cannot see.
  for (int reads = 0; reads < 8 && connection->fd >= 0 && !connection->close_after; ++reads) {
    ssize_t n = Receive(connection, scratch_, sizeof scratch_);
    if (n == -2) return;
    if (n <= 0) {
      CloseNow(connection);
      return;
    }
    if (!connection->h2->Receive(std::string_view(scratch_, static_cast<size_t>(n)))) {
      connection->close_after = true;  // its GOAWAY goes out, then the close
      return;
    }
    if (connection->h2->WantsWrite()) return;  // answer before reading on
  }
}

void ServeLoop::Worker::WriteHttp2(Connection* connection) {
  Http2Session& session = *connection->h2;
  while (true) {
    if (connection->h2_sent == connection->h2_out.size()) {
      connection->h2_out.clear();
      connection->h2_sent = 0;
      if (!session.WantsWrite()) break;
      session.Output(&connection->h2_out, 64 * 1024);
      if (connection->h2_out.empty()) break;
    }
    size_t n = WriteTlsPart(connection, std::string_view(connection->h2_out).substr(connection->h2_sent));
    if (n == 0) return;
    connection->h2_sent += n;
  }
  if (connection->close_after || session.Finished()) {
    CloseNow(connection);  // close_notify, then the socket
    return;
  }
  ResumeReading(connection);
  // The idle timeout runs only while no stream is open; a stream that
  // waits on the client's flow control is bounded by the send timeout.
  connection->deadline = now_ + (session.OpenStreams() == 0 ? options_.idle_timeout_ms : options_.send_timeout_ms);
}

void ServeLoop::Worker::Finished(Connection* connection) {
  if (*log_) {
    const HttpResponse& response = connection->response;
    std::optional<std::string> encoding = response.Header("Content-Encoding");
    ServedRequest served;
    served.method = connection->parser.method();
    served.target = connection->parser.target();
    served.status = response.status;
    served.encoding = encoding ? std::string_view(*encoding) : std::string_view();
    served.body_bytes = connection->body.size();
    served.micros = MicrosNow() - connection->started_micros;
    (*log_)(served);
  }
  connection->response.owned_body.clear();
  connection->body = {};
  connection->parser.Reset();
  if (connection->close_after || stopping_) {
    Linger(connection);
    return;
  }
  connection->phase = Phase::kIdle;
  connection->deadline = now_ + options_.idle_timeout_ms;
  ResumeReading(connection);
  ProcessBuffered(connection);
  // Pipelined requests OpenSSL decrypted while this response was written
  // wait in its buffer, invisible to epoll.
  if (connection->ssl && connection->fd >= 0 && connection->phase != Phase::kWriting &&
      TlsPending(connection->ssl)) {
    OnReadable(connection);
  }
}

void ServeLoop::Worker::Linger(Connection* connection) {
  if (stopping_) {
    CloseNow(connection);
    return;
  }
  // Closing with unread input makes the kernel send RST, which can destroy
  // the response before the client reads it. Half-close and drain instead,
  // as nginx's lingering_close does, for a bounded time.
  if (connection->ssl) TlsSendClose(connection->ssl);
  ::shutdown(connection->fd, SHUT_WR);
  connection->phase = Phase::kLingering;
  connection->deadline = now_ + options_.linger_timeout_ms;
  connection->in.clear();
  connection->in_start = 0;
  ResumeReading(connection);
}

void ServeLoop::Worker::CloseNow(Connection* connection) {
  if (connection->fd < 0) return;
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection->fd, nullptr);
  if (connection->ssl) {
    // After Linger, close_notify went already; SSL_shutdown sends it once.
    if (connection->phase != Phase::kHandshake) TlsSendClose(connection->ssl);
    TlsFree(connection->ssl);
    connection->ssl = nullptr;
  }
  ::close(connection->fd);
  Forget(connection);
}

void ServeLoop::Worker::Detach(Connection* connection) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection->fd, nullptr);
  AdoptedConnection adopted;
  adopted.fd = connection->fd;
  adopted.ssl = connection->ssl;
  connection->ssl = nullptr;
  adopted.request = connection->parser.request();
  adopted.pending = connection->in.substr(connection->in_start);
  adopted.minor_version = connection->parser.minor_version();
  adopted.requests = connection->requests;
  Forget(connection);
  handler_->Adopt(std::move(adopted));
}

void ServeLoop::Worker::Forget(Connection* connection) {
  connection->fd = -1;
  loop_->open_connections_.fetch_sub(1);
  // Swap-remove; the object itself lives until the end of the event batch,
  // since later events of the batch may still point at it.
  size_t slot = connection->slot;
  std::unique_ptr<Connection> owned = std::move(connections_[slot]);
  if (slot + 1 != connections_.size()) {
    connections_[slot] = std::move(connections_.back());
    connections_[slot]->slot = slot;
  }
  connections_.pop_back();
  closed_.push_back(std::move(owned));
}

void ServeLoop::Worker::Sweep() {
  next_sweep_ = now_ + 1000;
  if (accept_paused_until_ && now_ >= accept_paused_until_ && !stopping_) {
    accept_paused_until_ = 0;
    epoll_event event{};
    event.events = EPOLLIN | EPOLLEXCLUSIVE;
    event.data.ptr = &kListenTag;
    listening_ = epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &event) == 0;
  }
  bool drained = stopping_ && now_ >= drain_deadline_;
  for (size_t i = connections_.size(); i-- > 0;) {
    Connection* connection = connections_[i].get();
    if (drained) {
      CloseNow(connection);
      continue;
    }
    if (now_ < connection->deadline) continue;
    if (connection->phase == Phase::kHttp2 && connection->h2->OpenStreams() == 0 && connection->h2_out.empty()) {
      // Idle: GOAWAY, then close once it is written.
      connection->h2->Shutdown();
      connection->close_after = true;
      WriteHttp2(connection);
    } else if (connection->phase == Phase::kReading) {
      // A head that takes too long (slow loris): say so, then close.
      connection->started_micros = MicrosNow();
      Respond(connection, handler_->Refuse(408), false, 1);
    } else {
      CloseNow(connection);
    }
  }
}

ServeLoop::ServeLoop(LoopOptions options) : options_(options) {
  if (options_.threads <= 0) options_.threads = DefaultThreads();
  // Leave descriptors for the process itself; past the cap connections are
  // closed at once rather than failing accept.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY && files.rlim_cur > 64) {
    options_.max_connections = std::min<size_t>(options_.max_connections, files.rlim_cur - 64);
  }
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
}

ServeLoop::~ServeLoop() {
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void ServeLoop::Stop() {
  stopping_ = true;
  uint64_t one = 1;
  // A full counter (never, in practice) is still readable, which is all
  // the workers need.
  [[maybe_unused]] ssize_t n = ::write(stop_fd_, &one, sizeof one);
}

void ServeLoop::Run(int listen_fd, std::shared_ptr<const HttpHandler> handler, LogFunction log) {
  if (!handler) throw std::invalid_argument("ServeLoop::Run needs a handler");
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < options_.threads; ++i) {
    workers.push_back(std::make_unique<Worker>(this, listen_fd, handler.get(), &log));
  }
  std::vector<std::thread> threads;
  for (size_t i = 1; i < workers.size(); ++i) {
    threads.emplace_back([&workers, i] { workers[i]->Run(); });
  }
  workers[0]->Run();
  for (std::thread& thread : threads) thread.join();
}

}  // namespace npsbundle
