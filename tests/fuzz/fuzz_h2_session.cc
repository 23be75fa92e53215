// Fuzzes the HTTP/2 input path: the input is the client's frames after the
// preface (the target sends the preface and an empty SETTINGS itself, so
// mutations spend no time on them), fed to Http2Session in pieces whose
// sizes the first byte seeds, with the session's output drained between
// pieces in small writes. Requests to "/api/" are deferred and completed
// after each piece, so the proxy path runs too: half at once (Complete),
// half streamed (CompleteHead, then a chunk a piece, ending after three). Checked: no crash, output
// taken in bounded writes, what the session holds stays under its limits,
// and a finished session stays finished.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/h2_session.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

using npsbundle::HttpRequest;
using npsbundle::HttpResponse;

class Handler : public npsbundle::HttpHandler {
 public:
  HttpResponse Handle(const HttpRequest& request) const override {
    HttpResponse response;
    response.body = request.target == "/big" ? std::string_view(big_) : std::string_view("hello");
    response.content_length = response.body.size();
    if (request.target == "/hints") response.early_hints = {"</a.js>; rel=modulepreload"};
    if (request.target == "/304") response.status = 304, response.send_body = false;
    return response;
  }
  HttpResponse Refuse(int status) const override {
    HttpResponse response;
    response.status = status;
    return response;
  }
  bool Claims(const HttpRequest& request) const override { return request.target.rfind("/api/", 0) == 0; }

 private:
  std::string big_ = std::string(100'000, 'b');
};

constexpr size_t kWrite = 4096;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const Handler handler;
  npsbundle::Http2Limits limits;
  npsbundle::ServeLoop::LogFunction log = [](const npsbundle::ServedRequest& served) {
    Check(served.status >= 100 && served.status < 600);
  };
  std::vector<int32_t> deferred;
  npsbundle::Http2Session session(handler, limits, log, [&](int32_t id, HttpRequest, std::string body) {
    Check(body.size() <= limits.max_request_body_bytes);
    deferred.push_back(id);
  });
  int64_t now = 0;
  session.SetClock([&now] { return now; });

  std::string input = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  input.append("\0\0\0\x04\0\0\0\0\0", 9);
  size_t preface = input.size();
  input.append(reinterpret_cast<const char*>(data) + 1, size - 1);
  uint32_t seed = data[0];
  std::vector<std::pair<int32_t, int>> streaming;  // stream, chunks appended
  std::string out;
  auto drain = [&](int max_writes) {
    for (int writes = 0; writes < max_writes && session.WantsWrite(); ++writes) {
      out.clear();
      session.Output(&out, kWrite);
      Check(out.size() <= kWrite);
    }
  };
  // Our SETTINGS go out before the client's frames, so its ACK is valid.
  bool open = session.Receive(std::string_view(input).substr(0, preface));
  drain(64);
  for (size_t at = preface; open && at < input.size();) {
    seed = seed * 1103515245u + 12345u;
    size_t step = 1 + (seed >> 16) % 997;
    open = session.Receive(std::string_view(input).substr(at, step));
    at += step;
    now += 1000;
    Check(session.BufferedBytes() <= limits.max_buffered_body_bytes + 64 * 1024);
    for (int32_t id : deferred) {
      HttpResponse answer;
      if (id % 4 == 3) {
        if (session.CompleteHead(id, std::move(answer))) streaming.emplace_back(id, 0);
        continue;
      }
      answer.owned_body = "proxied";
      answer.content_length = answer.owned_body.size();
      session.Complete(id, std::move(answer));
    }
    deferred.clear();
    std::vector<std::pair<int32_t, int>> still;
    for (auto [id, chunks] : streaming) {
      bool end = chunks == 2;
      if (session.AppendBody(id, "data: chunk\n\n", end) && !end) still.emplace_back(id, chunks + 1);
      Check(session.PendingBody(id) <= 3 * 13);
    }
    streaming.swap(still);
    drain(64);
  }
  session.Shutdown();
  drain(1024);
  if (session.Finished()) {
    Check(!session.Receive(std::string_view("\0\0\x08\x06\0\0\0\0\0\0\0\0\0\0\0\0\0", 17)));
  }
  session.OpenStreams();
  return 0;
}
