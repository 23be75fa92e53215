#ifndef NPSBUNDLE_SERVE_PROXY_H_
#define NPSBUNDLE_SERVE_PROXY_H_

#include <functional>
#include <memory>
#include <vector>

#include "http/message.h"
#include "http/server_loop.h"
#include "policy/proxy_rules.h"

namespace npsbundle {

struct ProxyOptions {
  // The longest wait for a backend's response head, and the longest silence
  // inside a response body, stream or WebSocket tunnel (nginx's
  // proxy_read_timeout; also bounds connecting and sending to the backend).
  int timeout_ms = kDefaultProxyTimeoutSeconds * 1000;
  // The client side keeps the loop's limits: no progress for this long while
  // reading a head or body or writing to the client closes the connection.
  int client_timeout_ms = 10'000;
  int idle_timeout_ms = 5'000;  // keep-alive wait for the next request
  size_t max_requests_per_connection = 1000;
  size_t max_connections = 512;  // adopted client connections at once; beyond it 503
  size_t max_idle_backend = 16;  // kept-alive backend connections per target
};

// The handler `serve` runs when proxy rules are given: requests whose path
// matches a rule are claimed from the loop and served on a thread of their
// own (one per client connection while it lasts: proxied exchanges block on
// a backend, stream for minutes, or become WebSocket tunnels); every other
// request goes to `inner`, the static handler, so proxy paths never reach
// the SPA fallback or static caching. Later requests on a claimed
// connection are served on that thread too, static ones by `inner`.
class ProxyingHandler : public HttpHandler {
 public:
  ProxyingHandler(std::shared_ptr<const HttpHandler> inner, std::vector<ProxyRule> rules,
                  ProxyOptions options, ServeLoop::LogFunction log);
  ~ProxyingHandler() override;  // Shutdown(0)

  HttpResponse Handle(const HttpRequest& request) const override { return inner_->Handle(request); }
  HttpResponse Refuse(int status) const override { return inner_->Refuse(status); }
  bool Claims(const HttpRequest& request) const override;
  void Adopt(AdoptedConnection connection) const override;

  // Stops taking requests on claimed connections, lets exchanges in flight
  // run for `drain_ms`, then cuts what is left (streams, tunnels) and
  // returns once every connection thread has ended.
  void Shutdown(int drain_ms) const;

 private:
  struct Hub;
  std::shared_ptr<const HttpHandler> inner_;
  std::unique_ptr<Hub> hub_;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_SERVE_PROXY_H_
