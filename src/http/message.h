#ifndef NPSBUNDLE_HTTP_MESSAGE_H_
#define NPSBUNDLE_HTTP_MESSAGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct ssl_st;  // OpenSSL's session type (http/tls.h has the helpers)

namespace npsbundle {

// A request as a handler sees it, independent of the protocol adapter: the
// raw request-target (not decoded) and the header fields in arrival order.
struct HttpRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;

  // All fields named `name` (case-insensitive) joined with ", ", the way
  // RFC 9110 §5.3 combines list fields; nullopt when there is none.
  std::optional<std::string> Header(std::string_view name) const;
  size_t HeaderCount(std::string_view name) const;
};

// What to send. `body` points into memory the handler keeps alive for the
// server's lifetime (or into `owned_body`); it is what goes on the wire after
// the headers, already sliced for a 206. `content_length` is the
// Content-Length value, which for HEAD and 304 describes a body not sent.
struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type among them
  std::string_view body;
  std::string owned_body;
  // When `body` is also readable from a file: the file and the offset of
  // body's first byte, so the loop may sendfile it.
  int body_fd = -1;
  uint64_t body_offset = 0;
  uint64_t content_length = 0;
  bool send_body = true;
  // Link field values to announce in a 103 Early Hints (RFC 8297) before
  // this response; empty: no 103. The protocol adapter decides whether the
  // client can take one (HTTP/1.1 and HTTP/2; never HTTP/1.0).
  std::vector<std::string> early_hints;

  std::optional<std::string> Header(std::string_view name) const;
  // The bytes to send: `owned_body` when set, else `body`.
  std::string_view payload() const { return owned_body.empty() ? body : std::string_view(owned_body); }
};

// A client connection a handler takes over from the loop after one request
// head (the proxy's exchanges: bodies, streams and tunnels that the loop's
// one-response-per-request model does not carry).
struct AdoptedConnection {
  int fd = -1;             // non-blocking; the handler closes it
  ssl_st* ssl = nullptr;   // its TLS session (handshake done) or null; the handler frees it (TlsFree)
  HttpRequest request;     // the head just read
  std::string pending;     // bytes received after that head (decrypted, under TLS) (a body's start, later requests)
  int minor_version = 1;
  size_t requests = 0;     // requests read on the connection, this one included
};

// What a server loop asks for each answer. Implementations are thread-safe
// (called from every loop thread at once) and never throw.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual HttpResponse Handle(const HttpRequest& request) const = 0;
  // The answer to a request the loop refuses before it reaches Handle
  // (400 malformed, 408 too slow, 414/431 too large, 505 version): the
  // handler decides its body and headers.
  virtual HttpResponse Refuse(int status) const = 0;
  // True when the handler serves `request` (and the rest of its connection)
  // itself: the loop then removes the connection from its set, stops
  // counting it, and calls Adopt with it instead of Handle.
  virtual bool Claims(const HttpRequest& /*request*/) const { return false; }
  virtual void Adopt(AdoptedConnection /*connection*/) const {}
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_MESSAGE_H_
