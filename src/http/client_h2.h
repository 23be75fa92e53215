#ifndef NPSBUNDLE_HTTP_CLIENT_H2_H_
#define NPSBUNDLE_HTTP_CLIENT_H2_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/client.h"

namespace npsbundle {

// HTTP/2 (RFC 9113) for HttpConnection, over nghttp2's client session: one
// request on a connection whose TLS handshake chose "h2" by ALPN, so audit
// sees what a browser sees there, 103 Early Hints included. The bytes go
// through `Http2Io`, so tests drive it against an in-memory server.

struct Http2Io {
  // Up to `size` bytes into `data`; 0 when the peer closed. Throws ClientError.
  std::function<size_t(char* data, size_t size)> read;
  // All of `bytes`. Throws ClientError.
  std::function<void(std::string_view bytes)> write;
};

struct Http2Request {
  std::string_view method;
  std::string_view scheme;     // "https"
  std::string_view authority;  // Host's value: "example.com", "127.0.0.1:8443"
  std::string_view path;       // "/index.html?x"
  // Extra fields; names are sent lower-cased, and the ones HTTP/2 forbids
  // (Host, Connection, Keep-Alive, Proxy-Connection, TE, Transfer-Encoding,
  // Upgrade) are left out.
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;
};

// Sends the preface, SETTINGS (no server push) and `request`, then reads
// until its stream ends. The response has `http2` set; each 1xx before the
// final response is one entry of `informational`; trailers are dropped.
// Throws ClientError kProtocol for a reset stream, GOAWAY before the
// answer, bad framing or a close mid-response, kTooLarge once the body
// passes `max_body_bytes`.
ClientResponse Http2Exchange(const Http2Io& io, const Http2Request& request, size_t max_body_bytes);

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_CLIENT_H2_H_
