#ifndef NPSBUNDLE_HTTP_H2_SESSION_H_
#define NPSBUNDLE_HTTP_H2_SESSION_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/message.h"
#include "http/server_loop.h"

namespace npsbundle {

// One HTTP/2 connection (RFC 9113) as bytes in and bytes out, over
// nghttp2: the server loop owns the socket and TLS; this class owns frames,
// streams, HPACK and flow control, and hands each complete request to the
// same HttpHandler the HTTP/1.1 path uses (one policy path, two protocol
// adapters). Doing no I/O also makes it the unit the h2 fuzz target drives.
// Not thread-safe: one loop thread drives a session.
class Http2Session {
 public:
  // `handler` and `log` outlive the session; `log` may hold no function.
  Http2Session(const HttpHandler& handler, const Http2Limits& limits,
               const ServeLoop::LogFunction& log);
  ~Http2Session();
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // Feeds bytes read from the client (its preface first). Returns false
  // when the connection must end: a protocol error or an abuse limit (a
  // GOAWAY is queued; send Output, then close).
  bool Receive(std::string_view bytes);
  // Appends up to `max` bytes of frames ready to send to `out`.
  void Output(std::string* out, size_t max);
  bool WantsWrite() const;
  // Nothing more to do on either side: close once Output is sent.
  bool Finished() const;
  // Graceful end (server stop, idle connection): GOAWAY naming the last
  // stream accepted; streams in flight complete.
  void Shutdown();
  // Streams open now; the loop's idle timeout applies only at zero.
  size_t OpenStreams() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_H2_SESSION_H_
