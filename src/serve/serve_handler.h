#ifndef NPSBUNDLE_SERVE_SERVE_HANDLER_H_
#define NPSBUNDLE_SERVE_SERVE_HANDLER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.h"
#include "serve/static_index.h"

namespace npsbundle {

struct HandlerOptions {
  std::string base = "/";  // Vite's base: "/" or "/app/"
  bool spa = true;         // fall back to the nearest index.html for navigations
  // Precede a navigation's HTML with a 103 Early Hints of the page's preload
  // Links (policy's WantsEarlyHints decides which requests); serve's
  // --early-hints, resolved by EarlyHintsEnabled (serve/serve.h).
  bool early_hints = false;
};

// `serve`'s adapter of a built folder to HTTP: methods, path safety, base,
// lookup, SPA fallback, negotiation, conditionals, ranges and headers, each
// decided by the serving policy (policy/) and the HTTP rules (http/).
// Thread-safe (const); the loop only copies its result onto the socket.
class RequestHandler : public HttpHandler {
 public:
  RequestHandler(std::shared_ptr<const StaticIndex> index, HandlerOptions options);
  HttpResponse Handle(const HttpRequest& request) const override;
  HttpResponse Refuse(int status) const override;

 private:
  const StaticFile* Resolve(const std::string& path, bool trailing_slash) const;
  const StaticFile* Fallback(const std::string& path) const;
  HttpResponse Serve(const HttpRequest& request, const StaticFile& file,
                     const std::vector<std::string>& links) const;

  std::shared_ptr<const StaticIndex> index_;
  HandlerOptions options_;
};

// A short plain-text response (policy's ErrorBody) with the headers every
// response carries.
HttpResponse TextResponse(int status, std::string_view text);
HttpResponse ErrorResponse(int status);

}  // namespace npsbundle

#endif  // NPSBUNDLE_SERVE_SERVE_HANDLER_H_
