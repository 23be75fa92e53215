#ifndef NPSBUNDLE_TESTS_SUPPORT_H2_TEST_SUPPORT_H_
#define NPSBUNDLE_TESTS_SUPPORT_H2_TEST_SUPPORT_H_

// HTTP/2 from the client side, for tests of Http2Session: raw frames built
// by hand (what an attacker sends: no library would produce a flood) and a
// real nghttp2 client session (what a browser sends), both as bytes.

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/h2_session.h"

namespace npsbundle::testing {

inline constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

// One frame: 9-byte header (RFC 9113 §4.1) and payload.
std::string H2Frame(uint8_t type, uint8_t flags, uint32_t stream_id, std::string_view payload);
// The client preface and an empty SETTINGS frame.
std::string H2ClientStart();
std::string H2RstStream(uint32_t stream_id, uint32_t error_code);
std::string H2Ping(uint64_t data = 0);
std::string H2Settings(const std::vector<std::pair<uint16_t, uint32_t>>& entries = {});

// HPACK (RFC 7541) pieces, without Huffman coding.
std::string HpackInteger(uint64_t value, int prefix_bits, uint8_t first_byte_flags);
// A literal field, not indexed (0x00) or with incremental indexing (0x40).
std::string HpackLiteral(std::string_view name, std::string_view value, bool index = false);
// A field from the static or dynamic table (dynamic entries from 62).
std::string HpackIndexed(uint64_t index);
// :method GET, :scheme https, :path `path`, :authority localhost.
std::string HpackGet(std::string_view path);

// A frame of the server's output.
struct H2FrameSeen {
  uint8_t type = 0;
  uint8_t flags = 0;
  uint32_t stream_id = 0;
  std::string payload;
};
// Splits the server's output (no preface on that side) into frames; a
// trailing partial frame is left out.
std::vector<H2FrameSeen> H2ParseFrames(std::string_view bytes);
// The error code of the first GOAWAY in `frames`, or -1 when there is none.
int64_t H2GoawayCode(const std::vector<H2FrameSeen>& frames);

// A response as the nghttp2 client session saw it.
struct H2Response {
  std::vector<int> statuses;  // every :status in order: 103 then the final
  std::vector<std::pair<std::string, std::string>> headers;  // the final response's, no pseudo-fields
  std::vector<std::string> hint_links;  // `link` fields of 1xx responses
  std::string body;
  bool closed = false;
  uint32_t close_error = 0;  // RST_STREAM code, 0 when the stream ended well

  std::string Header(std::string_view name) const;  // first value or ""
  size_t Count(std::string_view name) const;
};

// A real client (nghttp2) over the memory API.
class H2Client {
 public:
  H2Client();
  ~H2Client();
  H2Client(const H2Client&) = delete;
  H2Client& operator=(const H2Client&) = delete;

  // Queues a request; returns its stream id. `body` non-empty: sent as DATA.
  int32_t Request(std::string_view method, std::string_view path,
                  const std::vector<std::pair<std::string, std::string>>& fields = {}, std::string body = "");
  void Reset(int32_t stream_id);
  // Everything the client has to send now.
  std::string Output();
  // False when nghttp2 refused the bytes (a protocol error by the server).
  bool Receive(std::string_view bytes);

  const std::map<int32_t, H2Response>& responses() const { return responses_; }
  const H2Response& response(int32_t stream_id) { return responses_[stream_id]; }
  uint32_t goaway_code() const { return goaway_code_; }
  bool goaway() const { return goaway_; }
  // The server's SETTINGS as received.
  const std::map<uint16_t, uint32_t>& settings() const { return settings_; }

 private:
  struct Body {
    std::string data;
    size_t sent = 0;
  };
  static void Install(nghttp2_session_callbacks* callbacks);

  nghttp2_session* session_ = nullptr;
  std::map<int32_t, H2Response> responses_;
  std::map<int32_t, std::unique_ptr<Body>> bodies_;
  std::map<uint16_t, uint32_t> settings_;
  bool goaway_ = false;
  uint32_t goaway_code_ = 0;
};

// A handler with one behaviour per path: "/" 200 "hello" (br, with
// hop-by-hop fields an HTTP/1.1 response may carry), "/hints" the same with
// two Early Hints, "/304", "/big" 200 KiB, POST 405, and "/api/..." claimed
// (the proxy's share).
class H2TestHandler : public HttpHandler {
 public:
  H2TestHandler();
  HttpResponse Handle(const HttpRequest& request) const override;
  HttpResponse Refuse(int status) const override;
  bool Claims(const HttpRequest& request) const override;
  HttpRequest last_request() const { return last_request_; }
  const std::string& big() const { return big_; }

 private:
  std::string big_;
  mutable HttpRequest last_request_;  // tests drive one thread
};

// A ServedRequest kept past the log call.
struct H2Logged {
  std::string method;
  std::string target;
  int status = 0;
  std::string encoding;
  uint64_t body_bytes = 0;
};

struct H2Deferred {
  int32_t stream_id = 0;
  HttpRequest request;
  std::string body;
};

// A session over H2TestHandler, its log and deferred requests, and a client.
struct H2Fixture {
  explicit H2Fixture(const Http2Limits& limits = {}, bool with_defer = true);
  // Moves bytes both ways, the server's in writes of at most `chunk`,
  // until neither side has any to send.
  void Pump(size_t chunk = 1 << 20);
  // Takes everything the session has to send, as frames.
  std::vector<H2FrameSeen> DrainFrames();

  H2TestHandler handler;
  std::vector<H2Logged> log;
  std::vector<H2Deferred> deferred;
  ServeLoop::LogFunction log_function;
  Http2Session session;
  H2Client client;
  size_t max_buffered = 0;  // the most BufferedBytes seen by Pump
};

}  // namespace npsbundle::testing

#endif  // NPSBUNDLE_TESTS_SUPPORT_H2_TEST_SUPPORT_H_
