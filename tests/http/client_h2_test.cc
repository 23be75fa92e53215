// The HTTP/2 half of audit's client against an in-memory nghttp2 server
// session: what a browser would see over h2 (a 103 before the 200, the
// body, lower-cased fields without the connection-specific ones), and the
// failures that must be ClientErrors (a reset stream, a body over the
// limit, a server that hangs up).

#include "http/client_h2.h"

#include <nghttp2/nghttp2.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace npsbundle {
namespace {

// What the test server does with a request.
enum class Answer { kHintsThenOk, kReset, kHangUp };

// An nghttp2 server session fed by the client's writes; reads return what
// it has to send.
class MemoryServer {
 public:
  MemoryServer(Answer answer, std::string body) : answer_(answer), body_(std::move(body)) {
    nghttp2_session_callbacks* callbacks = nullptr;
    nghttp2_session_callbacks_new(&callbacks);
    nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
    nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, OnFrame);
    nghttp2_session_server_new(&session_, callbacks, this);
    nghttp2_session_callbacks_del(callbacks);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
  }
  ~MemoryServer() { nghttp2_session_del(session_); }

  Http2Io Io() {
    return Http2Io{[this](char* data, size_t size) -> size_t {
                     if (hung_up_) return 0;
                     while (pending_.empty()) {
                       const uint8_t* out = nullptr;
                       ssize_t n = nghttp2_session_mem_send(session_, &out);
                       REQUIRE(n >= 0);
                       if (n == 0) break;
                       pending_.append(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
                     }
                     size_t take = std::min(size, pending_.size());
                     std::memcpy(data, pending_.data(), take);
                     pending_.erase(0, take);
                     return take;
                   },
                   [this](std::string_view bytes) {
                     REQUIRE(nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes.data()),
                                                      bytes.size()) == static_cast<ssize_t>(bytes.size()));
                   }};
  }
  const std::multimap<std::string, std::string>& received() const { return received_; }

 private:
  static int OnHeader(nghttp2_session*, const nghttp2_frame*, const uint8_t* name, size_t name_length,
                      const uint8_t* value, size_t value_length, uint8_t, void* self) {
    static_cast<MemoryServer*>(self)->received_.emplace(
        std::string(reinterpret_cast<const char*>(name), name_length),
        std::string(reinterpret_cast<const char*>(value), value_length));
    return 0;
  }
  static ssize_t ReadBody(nghttp2_session*, int32_t, uint8_t* buffer, size_t length, uint32_t* flags,
                          nghttp2_data_source*, void* self) {
    MemoryServer& server = *static_cast<MemoryServer*>(self);
    size_t take = std::min(length, server.body_.size() - server.body_sent_);
    std::memcpy(buffer, server.body_.data() + server.body_sent_, take);
    server.body_sent_ += take;
    if (server.body_sent_ == server.body_.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(take);
  }
  static int OnFrame(nghttp2_session* session, const nghttp2_frame* frame, void* self) {
    MemoryServer& server = *static_cast<MemoryServer*>(self);
    if (frame->hd.type != NGHTTP2_HEADERS || !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) return 0;
    int32_t stream = frame->hd.stream_id;
    if (server.answer_ == Answer::kReset) {
      nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream, NGHTTP2_REFUSED_STREAM);
      return 0;
    }
    if (server.answer_ == Answer::kHangUp) {
      server.hung_up_ = true;
      return 0;
    }
    auto nv = [](const char* name, const char* value) {
      return nghttp2_nv{reinterpret_cast<uint8_t*>(const_cast<char*>(name)),
                        reinterpret_cast<uint8_t*>(const_cast<char*>(value)), std::strlen(name),
                        std::strlen(value), NGHTTP2_NV_FLAG_NONE};
    };
    nghttp2_nv hints[] = {nv(":status", "103"), nv("link", "</a.js>; rel=modulepreload; crossorigin"),
                          nv("link", "</b.css>; rel=preload; as=style")};
    nghttp2_submit_headers(session, NGHTTP2_FLAG_NONE, stream, nullptr, hints, 3, nullptr);
    nghttp2_nv final_head[] = {nv(":status", "200"), nv("content-type", "text/html; charset=utf-8"),
                               nv("link", "</a.js>; rel=modulepreload; crossorigin")};
    nghttp2_data_provider provider{};
    provider.read_callback = ReadBody;
    nghttp2_submit_response(session, stream, final_head, 3, &provider);
    return 0;
  }

  Answer answer_;
  std::string body_;
  size_t body_sent_ = 0;
  bool hung_up_ = false;
  nghttp2_session* session_ = nullptr;
  std::string pending_;
  std::multimap<std::string, std::string> received_;
};

const std::vector<std::pair<std::string, std::string>> kHeaders = {
    {"Accept", "text/html"}, {"Host", "ignored"}, {"Connection", "keep-alive"}, {"X-Trace", "1"}};

Http2Request Get(const std::vector<std::pair<std::string, std::string>>* headers = &kHeaders) {
  return Http2Request{"GET", "https", "example.com:8443", "/app/?q=1", headers};
}

TEST_CASE("client h2: a 103 Early Hints before the 200, then the body", "[client_h2]") {
  std::string body(200000, 'x');  // several DATA frames
  MemoryServer server(Answer::kHintsThenOk, body);
  ClientResponse response = Http2Exchange(server.Io(), Get(), 1 << 20);
  CHECK(response.http2);
  CHECK(response.status == 200);
  CHECK(response.body == body);
  CHECK(response.HeaderValues("link") == std::vector<std::string>{"</a.js>; rel=modulepreload; crossorigin"});
  CHECK(response.Header("content-type") == "text/html; charset=utf-8");
  REQUIRE(response.informational.size() == 1);
  CHECK(response.informational[0].status == 103);
  CHECK(response.informational[0].HeaderValues("link") ==
        std::vector<std::string>{"</a.js>; rel=modulepreload; crossorigin", "</b.css>; rel=preload; as=style"});

  // The request as the server saw it: pseudo-fields from the request, the
  // fields lower-cased, Host and Connection left out (HTTP/2 forbids them).
  const auto& got = server.received();
  CHECK(got.find(":authority")->second == "example.com:8443");
  CHECK(got.find(":path")->second == "/app/?q=1");
  CHECK(got.find(":scheme")->second == "https");
  CHECK(got.find("accept")->second == "text/html");
  CHECK(got.find("x-trace")->second == "1");
  CHECK(got.count("host") == 0);
  CHECK(got.count("connection") == 0);
}

TEST_CASE("client h2: resets, oversized bodies and hang-ups are ClientErrors", "[client_h2]") {
  {
    MemoryServer server(Answer::kReset, "");
    try {
      Http2Exchange(server.Io(), Get(), 1 << 20);
      FAIL("no error");
    } catch (const ClientError& e) {
      CHECK(e.kind() == ClientErrorKind::kProtocol);
      CHECK(std::string(e.what()) == "HTTP/2 stream reset: REFUSED_STREAM");
    }
  }
  {
    MemoryServer server(Answer::kHintsThenOk, std::string(5000, 'x'));
    try {
      Http2Exchange(server.Io(), Get(), 4096);
      FAIL("no error");
    } catch (const ClientError& e) {
      CHECK(e.kind() == ClientErrorKind::kTooLarge);
    }
  }
  {
    MemoryServer server(Answer::kHangUp, "");
    try {
      Http2Exchange(server.Io(), Get(nullptr), 1 << 20);
      FAIL("no error");
    } catch (const ClientError& e) {
      CHECK(e.kind() == ClientErrorKind::kProtocol);
      CHECK(std::string(e.what()) == "connection closed before a response");
    }
  }
}

}  // namespace
}  // namespace npsbundle
