#ifndef NPSBUNDLE_TESTS_SERVE_TEST_SUPPORT_H_
#define NPSBUNDLE_TESTS_SERVE_TEST_SUPPORT_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "serve.h"

namespace npsbundle::testing {

// A response read off the socket, unparsed body included.
struct RawResponse {
  std::string raw;     // every byte received
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const;  // first value or ""
  bool Has(const std::string& lower_name) const;
  std::vector<std::string> All(const std::string& lower_name) const;
};

// Parses one HTTP/1.1 response (Content-Length framed, or up to EOF).
RawResponse ParseResponse(const std::string& raw);

// Sends `bytes` to 127.0.0.1:`port` exactly as given and reads until the
// first response is complete, the server closes, or `timeout_ms` passes.
std::string SendRaw(int port, const std::string& bytes, int timeout_ms = 5000);

// One request with "Host" and "Connection: close" added; `headers` are sent
// as given, in order.
RawResponse Request(int port, const std::string& method, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

// The good fixture's index, built once per test run (brotli 11 at start-up
// is the slow part).
std::shared_ptr<const StaticIndex> GoodIndex();

// A StaticServer on an ephemeral loopback port for the life of the object.
class ServerScope {
 public:
  explicit ServerScope(std::shared_ptr<const StaticIndex> index, ServeOptions options = {});
  ~ServerScope();
  int port() const { return port_; }

 private:
  std::unique_ptr<StaticServer> server_;
  int port_ = 0;
};

}  // namespace npsbundle::testing

#endif  // NPSBUNDLE_TESTS_SERVE_TEST_SUPPORT_H_
