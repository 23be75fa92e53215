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
//
// Budgets are token buckets: `*_burst` tokens at first and at most,
// refilled at `*_per_second`; each counted frame takes one. nghttp2 1.52
// (Debian, with the CVE-2023-44487 and CVE-2024-28182 fixes) has its own
// limits for resets, CONTINUATIONs and queued ACKs; ours are set tighter so
// they act first, with a GOAWAY the tests can assert, and hold should the
// library's change.
struct Http2Limits {
  uint32_t max_concurrent_streams = 128;     // SETTINGS_MAX_CONCURRENT_STREAMS (nginx: 128)
  uint32_t max_header_list_bytes = 16 * 1024;  // SETTINGS_MAX_HEADER_LIST_SIZE, decoded
                                             // (name + value + 32 a field, RFC 9113 §6.5.2); beyond: 431,
                                             // beyond 4 times: GOAWAY (an HPACK bomb)
  uint32_t initial_window_bytes = 1 << 20;   // per stream, for request bodies
  // One header block: CONTINUATION frames after its HEADERS, and encoded
  // bytes (twice the decoded cap: Huffman and padding may inflate honest
  // blocks). Beyond either: GOAWAY (CVE-2024-28182).
  uint32_t max_continuations = 4;
  // Request bodies are read only for requests the handler Claims (the
  // proxy); others are answered at their HEADERS. Beyond: 413 for that
  // stream, and 503 once all bodies held on the connection pass the second.
  uint32_t max_request_body_bytes = 1 << 20;
  uint32_t max_buffered_body_bytes = 8 << 20;
  // RST_STREAM frames from the client (rapid reset, CVE-2023-44487). nghttp2's
  // own: 1000 burst, 33 a second. A browser cancels a handful per navigation.
  uint32_t reset_burst = 200;
  uint32_t resets_per_second = 50;
  // Frames that cost us work but carry no request: SETTINGS and PING (not
  // ACKs), PRIORITY, empty DATA and CONTINUATION without END_*
  // (CVE-2019-9512/9515/9516/9518).
  uint32_t control_burst = 100;
  uint32_t control_per_second = 20;
  // SETTINGS and PING ACKs owed to a client that does not read them: the
  // queue a PING flood grows when the socket is not writable.
  uint32_t max_pending_acks = 32;
  uint32_t max_settings_entries = 16;        // entries in one SETTINGS frame (nghttp2: 32)
  uint32_t max_hpack_table_bytes = 4096;     // our encoder's dynamic table, whatever the client allows
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

// The Date field value for now, formatted at most once a second per thread
// (every response carries one; both protocol adapters share it).
std::string_view CachedHttpDate();

// The status line's reason phrase ("Not Found"); "Unknown" for others.
std::string_view ReasonPhrase(int status);

// Appends the response head (status line, Date, the response's fields,
// Content-Length, Connection when needed, empty line) to `out`.
void AppendResponseHead(const HttpResponse& response, std::string_view date, bool keep_alive,
                        int minor_version, std::string* out);

// Appends "HTTP/1.1 103 Early Hints" with one Link field per value of
// response.early_hints, when there are any and the client speaks HTTP/1.1
// (`minor_version` 1): an HTTP/1.0 client has no 1xx responses (RFC 9110
// §15.2) and would take it for the answer. Goes right before the head, in
// the same write.
void AppendEarlyHints(const HttpResponse& response, int minor_version, std::string* out);

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_SERVER_LOOP_H_
