#include "http/proxy_wire.h"

#include <catch2/catch.hpp>
#include <string>

namespace npsbundle {
namespace {

// Feeds `bytes` `step` bytes at a time, as a socket delivers them; returns
// the decoded data and sets `used` to the bytes the body took.
ChunkDecoder::State Decode(const std::string& bytes, size_t step, std::string* data, size_t* used) {
  ChunkDecoder decoder;
  std::string pending;
  *used = 0;
  ChunkDecoder::State state = ChunkDecoder::State::kNeedMore;
  for (size_t at = 0; at < bytes.size() && state == ChunkDecoder::State::kNeedMore; at += step) {
    pending += bytes.substr(at, step);
    size_t consumed = 0;
    state = decoder.Feed(pending, &consumed, [data](std::string_view part) { data->append(part); });
    *used += consumed;
    pending.erase(0, consumed);
  }
  return state;
}

TEST_CASE("chunk decoder: any split gives the same data and end", "[proxy_wire]") {
  const std::string body = "5\r\nhello\r\n1;ext=1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\nNEXT";
  for (size_t step : {body.size(), size_t{1}, size_t{3}}) {
    INFO("step " << step);
    std::string data;
    size_t used = 0;
    REQUIRE(Decode(body, step, &data, &used) == ChunkDecoder::State::kDone);
    CHECK(data == "hello 0123456789");
    CHECK(used == body.size() - 4);
  }
}

TEST_CASE("chunk decoder: malformed framing is an error", "[proxy_wire]") {
  for (const std::string bad : {"x\r\n", "5\r\nhelloXX", "\r\n", "ffffffffffffffff\r\n", "5\rx"}) {
    INFO(bad);
    std::string data;
    size_t used = 0;
    CHECK(Decode(bad, 1, &data, &used) == ChunkDecoder::State::kError);
  }
}

TEST_CASE("chunk re-framing", "[proxy_wire]") {
  std::string out;
  AppendChunk("", &out);
  CHECK(out.empty());  // an empty chunk would end the body
  AppendChunk(std::string(26, 'a'), &out);
  CHECK(out == "1a\r\n" + std::string(26, 'a') + "\r\n");
}

TEST_CASE("response head parser", "[proxy_wire]") {
  ResponseHead head;
  std::string bytes = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nset-cookie: b=2\r\n\r\nbody";
  CHECK(ParseResponseHead(bytes.substr(0, 20), 1024, &head) == HeadParse::kNeedMore);
  REQUIRE(ParseResponseHead(bytes, 1024, &head) == HeadParse::kDone);
  CHECK(head.status == 200);
  CHECK(head.reason == "OK");
  CHECK(head.size == bytes.size() - 4);
  CHECK(head.Header("set-cookie") == "a=1, b=2");
  CHECK(head.HeaderCount("Set-Cookie") == 2);
  REQUIRE(ParseResponseHead("HTTP/1.0 204\n\n", 1024, &head) == HeadParse::kDone);
  CHECK(head.status == 204);
  CHECK(head.minor_version == 0);
  for (const std::string bad : {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
                                "HTTP/1.1 200 OK\r\nA: b\r\n folded\r\n\r\n", "HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n"}) {
    INFO(bad);
    CHECK(ParseResponseHead(bad, 1024, &head) == HeadParse::kError);
  }
  CHECK(ParseResponseHead(std::string(2000, 'x'), 1024, &head) == HeadParse::kError);
}

}  // namespace
}  // namespace npsbundle
