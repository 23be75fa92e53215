#ifndef NPSBUNDLE_SERVE_HANDLER_H_
#define NPSBUNDLE_SERVE_HANDLER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "static_index.h"

namespace npsbundle {

// A request as the handler sees it, independent of the HTTP library: the raw
// request-target (not decoded) and the header fields in arrival order.
struct HttpRequest {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;

  // All fields named `name` (case-insensitive) joined with ", ", the way
  // RFC 9110 §5.3 combines list fields; nullopt when there is none.
  std::optional<std::string> Header(std::string_view name) const;
  size_t HeaderCount(std::string_view name) const;
};

// What to send. `body` points into the StaticIndex (or into `owned_body`);
// it is what goes on the wire after the headers, already sliced for a 206.
// `content_length` is the Content-Length value, which for HEAD and 304
// describes a body that is not sent.
struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type among them
  std::string_view body;
  std::string owned_body;
  // When `body` is also readable from a file (the index's BodyStore): the
  // file and the offset of body's first byte, so the loop may sendfile it.
  int body_fd = -1;
  uint64_t body_offset = 0;
  uint64_t content_length = 0;
  bool send_body = true;
  ContentCoding coding = ContentCoding::kIdentity;

  std::optional<std::string> Header(std::string_view name) const;
  // The bytes to send: `owned_body` when set, else `body`.
  std::string_view payload() const { return owned_body.empty() ? body : std::string_view(owned_body); }
};

struct HandlerOptions {
  std::string base = "/";  // Vite's base: "/" or "/app/"
  bool spa = true;         // fall back to the nearest index.html for navigations
};

// The whole request policy of `serve`: methods, path safety, base, lookup,
// SPA fallback, negotiation, conditionals, ranges and headers. Thread-safe
// (const); the HTTP library adapter only copies its result onto the socket.
class RequestHandler {
 public:
  RequestHandler(std::shared_ptr<const StaticIndex> index, HandlerOptions options);
  HttpResponse Handle(const HttpRequest& request) const;

 private:
  const StaticFile* Resolve(const std::string& path, bool trailing_slash) const;
  const StaticFile* Fallback(const std::string& path) const;
  HttpResponse Serve(const HttpRequest& request, const StaticFile& file,
                     const std::vector<std::string>& extra_links) const;

  std::shared_ptr<const StaticIndex> index_;
  HandlerOptions options_;
};

// A short plain-text response ("404 not found\n") with the headers every
// response carries.
HttpResponse TextResponse(int status, std::string_view text);

}  // namespace npsbundle

#endif  // NPSBUNDLE_SERVE_HANDLER_H_
