#ifndef NPSBUNDLE_HTTP_CLIENT_H_
#define NPSBUNDLE_HTTP_CLIENT_H_

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace npsbundle {

// A small blocking HTTP client, for `audit`: one connection per object,
// plain or TLS (OpenSSL, certificate verified by default). Over TLS it
// offers "h2" by ALPN, as browsers do, and speaks HTTP/2 when the server
// picks it (http/client_h2: one request per connection); otherwise HTTP/1.1
// with the connection kept alive between requests. 103 Early Hints are
// kept either way.

// "http://host:port/path?query" taken apart. `target` is the path and query
// as sent ("/" when the URL has none); IPv6 hosts are written "[::1]".
struct Url {
  bool tls = false;
  std::string host;  // without brackets
  int port = 0;
  std::string target;
  // "https://example.com" / "http://127.0.0.1:8080": scheme, host and a
  // non-default port, for messages and the Host header's value.
  std::string Origin() const;
  std::string HostHeader() const;
};
// Throws InputError ("URL: ...") for anything but an http(s) URL with a host.
Url ParseUrl(std::string_view url);

// One response as received. Header names are lower-cased, values trimmed,
// in arrival order; `body` is the payload after de-chunking, still in its
// Content-Encoding. `informational` keeps 1xx responses (103 Early Hints)
// that came before it.
struct ClientResponse {
  int status = 0;
  int minor_version = 1;  // HTTP/1.x
  bool http2 = false;     // came over HTTP/2 (then minor_version means nothing)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<ClientResponse> informational;

  // Every field named `name` (lower-case) joined with ", "; nullopt if none.
  std::optional<std::string> Header(std::string_view name) const;
  // Every value of `name`, one per field, in order.
  std::vector<std::string> HeaderValues(std::string_view name) const;
};

// Why a request failed. kConnect and kTls mean the origin cannot be used at
// all; the others are faults of one exchange.
enum class ClientErrorKind { kConnect, kTls, kTimeout, kProtocol, kTooLarge };
class ClientError : public std::runtime_error {
 public:
  ClientError(ClientErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ClientErrorKind kind() const { return kind_; }

 private:
  ClientErrorKind kind_;
};

// Parses one response from bytes fed in pieces (so tests drive it without
// a socket). Framing follows RFC 9112 §6.3: no body for HEAD, 1xx, 204 and
// 304; chunked when Transfer-Encoding ends in "chunked" (chunk extensions
// and trailers skipped); else Content-Length (differing duplicates are an
// error); else the body runs until the connection closes. Bare LF line
// ends are accepted. Throws ClientError kProtocol on malformed input and
// kTooLarge when the head exceeds 64 KiB or the body `max_body_bytes`.
class ResponseParser {
 public:
  ResponseParser(bool head_request, size_t max_body_bytes);

  // Consumes `data`. Bytes after a complete response stay in leftover().
  void Feed(std::string_view data);
  // The peer closed: completes a read-until-close body, else throws
  // kProtocol ("connection closed mid-response") unless nothing came yet.
  void FinishOnClose();
  bool done() const { return state_ == State::kDone; }
  bool started() const { return started_; }
  // After done(): whether the connection may carry the next request.
  bool keep_alive() const { return keep_alive_; }
  ClientResponse Take() { return std::move(response_); }
  const std::string& leftover() const { return buffer_; }

 private:
  enum class State { kHead, kLength, kChunkSize, kChunkData, kChunkEnd, kTrailers, kUntilClose, kDone };
  bool ParseHead();       // false: need more bytes
  bool ParseChunkLine();  // false: need more bytes
  void AppendBody(std::string_view bytes);
  bool TakeLine(std::string* line);

  bool head_request_;
  size_t max_body_bytes_;
  State state_ = State::kHead;
  bool started_ = false;
  bool keep_alive_ = true;
  size_t remaining_ = 0;  // of a Content-Length body or the current chunk
  std::string buffer_;    // received, not yet consumed
  ClientResponse response_;
};

// Decodes `body` by its Content-Encoding (none, identity, gzip, x-gzip,
// br), with the codecs of core/compression. Throws ClientError kProtocol for
// a coding it does not know or bytes that do not decode. Responses without
// content (304, 204, 1xx) come back as they are, whatever their coding.
std::string DecodeBody(const ClientResponse& response);

struct ClientOptions {
  int timeout_ms = 10000;                 // per request: connect, send, whole response
  size_t max_body_bytes = 64ull << 20;    // per response, as received
  bool insecure = false;                  // TLS: skip certificate and name checks
  std::string ca_file;                    // TLS: trust these PEM certificates instead of the system's
  bool http2 = true;                      // TLS: offer h2 by ALPN (audit's --http1.1 turns it off)
};

// One connection to `url`'s origin, opened on first use and reopened when
// the server closed it. Resolution: numeric addresses and "localhost" are
// resolved here (the static release binary has no name service); other
// names use getaddrinfo, except in the static build, which refuses them.
// Not thread-safe: one per thread.
class HttpConnection {
 public:
  HttpConnection(Url origin, ClientOptions options);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends `method target` with Host, the given fields and nothing else, and
  // reads the response. A reused connection that fails before any byte of
  // the response is retried once on a new one (the server may have closed
  // an idle connection). Throws ClientError.
  ClientResponse Request(std::string_view method, std::string_view target,
                         const std::vector<std::pair<std::string, std::string>>& headers);
  // Connections opened so far (keep-alive makes this 1 for many requests).
  int connections_opened() const { return connections_opened_; }

 private:
  struct Transport;
  ClientResponse Exchange(std::string_view method, std::string_view target,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          bool* reused_and_silent);

  Url origin_;
  ClientOptions options_;
  std::unique_ptr<Transport> transport_;
  int connections_opened_ = 0;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_CLIENT_H_
