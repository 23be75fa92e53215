#ifndef NPSBUNDLE_HTTP_SERVER_LOOP_H_
#define NPSBUNDLE_HTTP_SERVER_LOOP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/request_parser.h"
#include "http/message.h"

namespace npsbundle {

class TlsServerContext;

// Limits of one HTTP/2 connection (h2_session). Each abuse budget, once
// spent, ends the connection with GOAWAY (ENHANCE_YOUR_CALM) while other
// connections keep being served. Defaults follow nginx and h2o where they
// have an equivalent.
struct Http2Limits {
  uint32_t max_concurrent_streams = 128;     // SETTINGS_MAX_CONCURRENT_STREAMS (nginx: 128)
  uint32_t max_header_list_bytes = 16 * 1024;  // SETTINGS_MAX_HEADER_LIST_SIZE, decoded
  uint32_t initial_window_bytes = 1 << 20;   // per stream, for request bodies
};

// Limits and timeouts of the event loop. The defaults follow nginx where it
// has an equivalent (client_header_timeout, keepalive_requests), shortened
// for a local server.
struct LoopOptions {
  int threads = 0;                         // event-loop threads; 0 = one per CPU we may run on
  int header_timeout_ms = 10'000;          // from a request's first byte to its complete head
  int idle_timeout_ms = 5'000;             // keep-alive: between a response and the next request
  int send_timeout_ms = 10'000;            // a response making no progress is abandoned
  int linger_timeout_ms = 2'000;           // after our last response, reading what the client still sends
  int drain_timeout_ms = 2'000;            // after Stop, for responses being written
  size_t max_connections = 1024;           // beyond it new connections are accepted and closed at once
  size_t max_requests_per_connection = 1000;
  RequestLimits limits;
  Http2Limits http2;
  // TLS for every connection (handshake within header_timeout_ms, then
  // HTTP/1.1 or, when ALPN chose it, HTTP/2); null: plain HTTP/1.1.
  std::shared_ptr<const TlsServerContext> tls;
};

// One answered request, for the access log. Views are valid during the call.
struct ServedRequest {
  std::string_view method;    // "" when the request line was unreadable
  std::string_view target;    // raw, as sent; "" when unreadable
  int status = 0;
  std::string_view encoding;  // Content-Encoding sent, "" for none
  uint64_t body_bytes = 0;    // body bytes sent (0 for HEAD and 304)
  int64_t micros = 0;         // from the complete head to the last byte handed to the kernel
};

// An HTTP/1.1 server loop over a listening socket: one epoll thread per
// core sharing the listener (EPOLLEXCLUSIVE), non-blocking sockets, no
// thread per connection. A response is one sendmsg of head and body, or,
// for a large body that HttpResponse places in a file (body_fd), the head
// by sendmsg and the body by sendfile. Every request goes to
// RequestHandler; malformed ones get a TextResponse with the parser's status
// and the connection is closed. Under TLS (options.tls) a connection first
// completes its handshake, then reads and writes through OpenSSL (head and
// body in one SSL_write where small; never sendfile) and ends with
// close_notify.
class ServeLoop {
 public:
  using LogFunction = std::function<void(const ServedRequest&)>;

  explicit ServeLoop(LoopOptions options = {});
  ~ServeLoop();
  ServeLoop(const ServeLoop&) = delete;
  ServeLoop& operator=(const ServeLoop&) = delete;

  // Serves `listen_fd` (bound, listening, non-blocking) until Stop, then lets
  // responses in flight finish (at most drain_timeout_ms) and returns. Shuts
  // the listener down on Stop but does not close it. `handler` must not be
  // null; `log` may be empty. Call once.
  void Run(int listen_fd, std::shared_ptr<const HttpHandler> handler, LogFunction log);
  // Safe from any thread, before, during or after Run; idempotent.
  void Stop();

 private:
  class Worker;
  LoopOptions options_;
  int stop_fd_ = -1;  // eventfd, readable once stopped
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listener_shut_{false};
  std::atomic<size_t> open_connections_{0};
};

// Microseconds on the steady clock: the timing base of the loop and of
// handlers that serve adopted connections.
int64_t MonotonicMicros();

// The status line's reason phrase ("Not Found"); "Unknown" for others.
std::string_view ReasonPhrase(int status);

// Appends the response head (status line, Date, the response's fields,
// Content-Length, Connection when needed, empty line) to `out`.
void AppendResponseHead(const HttpResponse& response, std::string_view date, bool keep_alive,
                        int minor_version, std::string* out);

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_SERVER_LOOP_H_
