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
  // A request the handler Claims (the proxy), with its whole body (at most
  // Http2Limits::max_request_body_bytes): the callee answers it later, from
  // the loop thread, with Complete. The session never blocks on it.
  using DeferFunction = std::function<void(int32_t stream_id, HttpRequest request, std::string body)>;

  // `handler` and `log` outlive the session; `log` may hold no function.
  // Without `defer`, claimed requests get handler.Refuse(502): a
  // multiplexed connection cannot be handed over the way Adopt takes an
  // HTTP/1.1 one. The server's SETTINGS are queued at once (Output).
  Http2Session(const HttpHandler& handler, const Http2Limits& limits,
               const ServeLoop::LogFunction& log, DeferFunction defer = {});
  ~Http2Session();
  Http2Session(const Http2Session&) = delete;
  Http2Session& operator=(const Http2Session&) = delete;

  // Feeds bytes read from the client (its preface first). Returns false
  // when the connection must end: an abuse limit, input nghttp2 cannot
  // take, or the client's GOAWAY with nothing left to answer (a GOAWAY is
  // queued; send Output, then close). A protocol error nghttp2 finds by
  // itself queues its GOAWAY too: Finished turns true once Output took it.
  bool Receive(std::string_view bytes);
  // Appends up to `max` bytes of frames ready to send to `out`.
  void Output(std::string* out, size_t max);
  bool WantsWrite() const;
  // Nothing more to do on either side: close once Output is sent.
  bool Finished() const;
  // Graceful end (server stop, idle connection): GOAWAY naming the last
  // stream accepted; streams in flight complete.
  void Shutdown();
  // Streams open now (deferred ones included); the loop's idle timeout
  // applies only at zero.
  size_t OpenStreams() const;

  // Answers a stream handed to DeferFunction: the same path as a handled
  // request (103, headers, body, log). False, and nothing sent, when the
  // stream is gone (reset by the client, connection ended) or not deferred.
  bool Complete(int32_t stream_id, HttpResponse response);

  // Answers a deferred stream whose body is not known yet (a proxied
  // response, Server-Sent Events): `head`'s status and fields go now, its
  // body (if any) is ignored; the body follows by AppendBody. A
  // Content-Length among head.headers is passed on and must match what is
  // appended. A response that has no body (HEAD, 204, 304, send_body
  // false) ends with the head. False, and nothing sent, as for Complete.
  bool CompleteHead(int32_t stream_id, HttpResponse head);
  // Queues the next bytes of a stream answered by CompleteHead; `end`
  // closes it. DATA frames go as the client's flow control allows: the
  // caller bounds what it queues by PendingBody (backpressure). False when
  // the stream is gone (reset by the client, connection ended) or has no
  // body to take: the caller abandons its source.
  bool AppendBody(int32_t stream_id, std::string_view bytes, bool end);
  // Bytes queued by AppendBody and not yet framed; 0 for a stream gone.
  size_t PendingBody(int32_t stream_id) const;

  // Bytes the session holds for requests (fields and bodies) and output
  // taken from nghttp2 but not yet handed out: what the abuse limits keep
  // bounded. nghttp2's own queues are bounded by the limits, not counted.
  size_t BufferedBytes() const;
  // Why the connection ended early ("rapid reset budget spent"), for the
  // log; empty while it has not, and after a graceful end.
  const std::string& error() const;
  // The clock the budgets refill by (MonotonicMicros unless set): tests
  // step it instead of sleeping.
  void SetClock(std::function<int64_t()> micros);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_H2_SESSION_H_
