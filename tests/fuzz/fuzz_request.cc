// Fuzzes the request-head parser of `serve` the way a socket feeds it: the
// bytes arrive in pieces of random size, requests may be pipelined, and the
// outcome must not depend on where the pieces were cut. The first byte seeds
// the piece sizes and picks the default or tiny limits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/request_parser.h"

namespace {

using npsbundle::HttpRequestParser;
using State = HttpRequestParser::State;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool IsTokenChar(unsigned char c) {
  return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ||
         (c != 0 && std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos);
}

void CheckDone(const HttpRequestParser& parser, size_t available, const npsbundle::RequestLimits& limits) {
  const npsbundle::HttpRequest& request = parser.request();
  Check(parser.head_size() > 0 && parser.head_size() <= available && parser.head_size() <= limits.max_head);
  Check(!request.method.empty() && !request.target.empty());
  for (char c : request.method) Check(IsTokenChar(static_cast<unsigned char>(c)));
  for (char c : request.target) Check(static_cast<unsigned char>(c) > 0x20 && c != 0x7F);
  Check(request.headers.size() <= limits.max_fields);
  for (const auto& [name, value] : request.headers) {
    Check(!name.empty());
    for (char c : name) Check(IsTokenChar(static_cast<unsigned char>(c)));
    for (char c : value) Check(c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F));
    Check(value.empty() || (value.front() != ' ' && value.back() != ' '));
  }
  if (request.method == "GET" || request.method == "HEAD") Check(!parser.body_follows());
  if (parser.body_follows()) Check(!parser.keep_alive());
  Check(parser.minor_version() == 0 || parser.minor_version() == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint32_t seed = data[0];
  npsbundle::RequestLimits limits;
  if (seed & 1) limits = {64, 4, 256};
  std::string_view stream(reinterpret_cast<const char*>(data) + 1, size - 1);

  HttpRequestParser pieces(limits);
  HttpRequestParser whole(limits);
  size_t start = 0;  // the current request's first byte in `stream`
  for (int request = 0; request < 64 && start < stream.size(); ++request) {
    std::string_view rest = stream.substr(start);
    State state = State::kNeedMore;
    size_t end = 0;
    while (state == State::kNeedMore && end < rest.size()) {
      seed = seed * 1103515245u + 12345u;
      end = std::min(rest.size(), end + 1 + (seed >> 16) % 97);
      state = pieces.Parse(rest.substr(0, end));
    }
    // The same bytes in one piece give the same outcome.
    State at_once = whole.Parse(rest);
    if (state == State::kNeedMore) {
      Check(at_once == State::kNeedMore);
      break;
    }
    Check(at_once == state);
    if (state == State::kError) {
      int status = pieces.error_status();
      Check(status == 400 || status == 414 || status == 431 || status == 505);
      Check(status == whole.error_status() && pieces.error() == whole.error());
      Check(!pieces.keep_alive());
      break;
    }
    CheckDone(pieces, rest.size(), limits);
    Check(pieces.head_size() == whole.head_size());
    Check(pieces.request().method == whole.request().method);
    Check(pieces.request().target == whole.request().target);
    Check(pieces.request().headers == whole.request().headers);
    Check(pieces.keep_alive() == whole.keep_alive());
    start += pieces.head_size();
    pieces.Reset();
    whole.Reset();
  }
  return 0;
}
