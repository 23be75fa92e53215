// The abuse budgets of Http2Session, each against the attack it stops, sent
// as hand-built frames: the connection ends with GOAWAY ENHANCE_YOUR_CALM
// (nghttp2's own backstops would say INTERNAL_ERROR or just fail), and what
// the session holds and queues stays bounded meanwhile. The clock is held
// still so the token buckets do not refill mid-test, and stepped to show
// that they do.

#include <catch2/catch.hpp>

#include "http/h2_session.h"
#include "support/h2_test_support.h"

namespace npsbundle::testing {
namespace {

constexpr int64_t kCalm = NGHTTP2_ENHANCE_YOUR_CALM;

// A session past the preface, its SETTINGS sent and acknowledged, on a
// clock that moves only when told.
struct Attacked {
  explicit Attacked(const Http2Limits& limits = {}) : fixture(limits) {
    fixture.session.SetClock([this] { return now; });
    REQUIRE(fixture.session.Receive(H2ClientStart()));
    fixture.DrainFrames();
    REQUIRE(fixture.session.Receive(H2Frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, "")));
  }
  int64_t now = 1'000'000;
  H2Fixture fixture;
};

std::string Get(uint32_t stream_id, std::string_view path = "/") {
  return H2Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, stream_id, HpackGet(path));
}

TEST_CASE("h2 defences: rapid reset (CVE-2023-44487) ends in GOAWAY ENHANCE_YOUR_CALM", "[h2]") {
  Attacked attacked;
  std::string flood;
  for (uint32_t i = 0; i < 1000; ++i) flood += Get(2 * i + 1) + H2RstStream(2 * i + 1, NGHTTP2_CANCEL);
  CHECK_FALSE(attacked.fixture.session.Receive(flood));
  std::vector<H2FrameSeen> seen = attacked.fixture.DrainFrames();
  CHECK(H2GoawayCode(seen) == kCalm);
  CHECK(attacked.fixture.session.error().find("rapid reset") != std::string::npos);
  CHECK(attacked.fixture.session.Finished());
  // Stopped at the budget (200), not at the library's 1000 resets.
  CHECK(attacked.fixture.session.OpenStreams() <= 1);
  CHECK(attacked.fixture.session.BufferedBytes() < 1000);
  CHECK_FALSE(attacked.fixture.session.Receive(Get(5001)));
}

TEST_CASE("h2 defences: the reset budget refills with time, at its rate", "[h2]") {
  Http2Limits limits;
  limits.reset_burst = 10;
  limits.resets_per_second = 5;
  Attacked attacked(limits);
  uint32_t id = 1;
  auto reset_one = [&] {
    bool ok = attacked.fixture.session.Receive(Get(id) + H2RstStream(id, NGHTTP2_CANCEL));
    id += 2;
    attacked.fixture.DrainFrames();
    return ok;
  };
  for (int i = 0; i < 10; ++i) REQUIRE(reset_one());
  attacked.now += 1'000'000;  // one second: five more
  for (int i = 0; i < 5; ++i) REQUIRE(reset_one());
  CHECK_FALSE(reset_one());
  CHECK(attacked.fixture.session.error().find("rapid reset") != std::string::npos);
}

TEST_CASE("h2 defences: a CONTINUATION flood (CVE-2024-28182) ends at the frame count", "[h2]") {
  Attacked attacked;
  std::string flood = H2Frame(NGHTTP2_HEADERS, 0, 1, HpackGet("/"));
  for (int i = 0; i < 100; ++i) flood += H2Frame(NGHTTP2_CONTINUATION, 0, 1, HpackLiteral("x-a", "b"));
  CHECK_FALSE(attacked.fixture.session.Receive(flood));
  CHECK(H2GoawayCode(attacked.fixture.DrainFrames()) == kCalm);
  CHECK(attacked.fixture.session.error().find("CONTINUATION flood: over 4 frames") != std::string::npos);
  CHECK(attacked.fixture.handler.last_request().method.empty());  // never reached the handler
}

TEST_CASE("h2 defences: a CONTINUATION flood of large frames ends at the encoded size", "[h2]") {
  Attacked attacked;
  std::string block = HpackGet("/");
  while (block.size() < 48'000) block += HpackLiteral("x-pad", std::string(1000, 'p'));
  std::string flood = H2Frame(NGHTTP2_HEADERS, 0, 1, block.substr(0, 16'000));
  flood += H2Frame(NGHTTP2_CONTINUATION, 0, 1, block.substr(16'000, 16'000));
  flood += H2Frame(NGHTTP2_CONTINUATION, 0, 1, block.substr(32'000, 16'000));
  CHECK_FALSE(attacked.fixture.session.Receive(flood));
  CHECK(H2GoawayCode(attacked.fixture.DrainFrames()) == kCalm);
  CHECK(attacked.fixture.session.error().find("encoded bytes") != std::string::npos);
  CHECK(attacked.fixture.session.BufferedBytes() <= 16 * 1024);
}

TEST_CASE("h2 defences: an HPACK bomb ends in GOAWAY before it is decoded, holding no more than the header cap",
          "[h2]") {
  Attacked attacked;
  // One 4000-byte field in the dynamic table, then referenced by a single
  // byte 3000 times: 9 kB on the wire, 12 MB decoded.
  std::string bomb = HpackGet("/") + HpackLiteral("x-bomb", std::string(4000, 'b'), /*index=*/true);
  for (int i = 0; i < 3000; ++i) bomb += HpackIndexed(62);
  REQUIRE(bomb.size() < 16 * 1024);
  std::string frames = H2Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS | NGHTTP2_FLAG_END_STREAM, 1, bomb);
  bool open = true;
  size_t most_held = 0;
  for (size_t at = 0; open && at < frames.size(); at += 1024) {
    open = attacked.fixture.session.Receive(std::string_view(frames).substr(at, 1024));
    most_held = std::max(most_held, attacked.fixture.session.BufferedBytes());
  }
  CHECK_FALSE(open);
  CHECK(most_held <= 16 * 1024);
  CHECK(H2GoawayCode(attacked.fixture.DrainFrames()) == kCalm);
  CHECK(attacked.fixture.session.error().find("HPACK bomb: a header list decoding past 65536 bytes") !=
        std::string::npos);
  CHECK(attacked.fixture.log.empty());
}

TEST_CASE("h2 defences: a header list over the cap, short of a bomb, gets 431 and the connection serves on", "[h2]") {
  Attacked attacked;
  // 20 fields of 1000 bytes: 20.6 kB against the 16 KiB cap.
  std::string block = HpackGet("/");
  for (int i = 0; i < 20; ++i) block += HpackLiteral("x-big-" + std::to_string(i), std::string(1000, 'v'));
  std::string frames;
  for (uint32_t id = 1; id <= 19; id += 2) {
    frames += H2Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_STREAM, id, block.substr(0, 16'000));
    frames += H2Frame(NGHTTP2_CONTINUATION, NGHTTP2_FLAG_END_HEADERS, id, block.substr(16'000));
  }
  size_t most_held = 0;
  for (size_t at = 0; at < frames.size(); at += 4096) {
    REQUIRE(attacked.fixture.session.Receive(std::string_view(frames).substr(at, 4096)));
    most_held = std::max(most_held, attacked.fixture.session.BufferedBytes());
  }
  CHECK(most_held <= 16 * 1024);
  REQUIRE(attacked.fixture.session.Receive(Get(21)));
  attacked.fixture.DrainFrames();
  REQUIRE(attacked.fixture.log.size() == 11);
  for (size_t i = 0; i < 10; ++i) CHECK(attacked.fixture.log[i].status == 431);
  CHECK(attacked.fixture.log[10].status == 200);
  CHECK(attacked.fixture.session.error().empty());
}

TEST_CASE("h2 defences: a SETTINGS flood to a client that does not read ends at the unsent ACKs", "[h2]") {
  Attacked attacked;
  std::string flood;
  for (int i = 0; i < 1000; ++i) flood += H2Settings({{NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, 4096}});
  CHECK_FALSE(attacked.fixture.session.Receive(flood));
  std::string out;
  attacked.fixture.session.Output(&out, 1 << 20);
  std::vector<H2FrameSeen> seen = H2ParseFrames(out);
  CHECK(H2GoawayCode(seen) == kCalm);
  CHECK(attacked.fixture.session.error().find("ACK flood") != std::string::npos);
  // At most the 32 ACKs owed, and the GOAWAY: the queue stayed bounded.
  CHECK(seen.size() <= 34);
  CHECK(out.size() < 34 * 9 + 64);
}

TEST_CASE("h2 defences: a PING flood to a client that does not read ends at the unsent ACKs", "[h2]") {
  Attacked attacked;
  std::string flood;
  for (uint64_t i = 0; i < 1000; ++i) flood += H2Ping(i);
  CHECK_FALSE(attacked.fixture.session.Receive(flood));
  std::string out;
  attacked.fixture.session.Output(&out, 1 << 20);
  CHECK(H2GoawayCode(H2ParseFrames(out)) == kCalm);
  CHECK(out.size() < 34 * 17 + 64);
}

// Frames of unknown types are not counted: nghttp2 skips them without a
// callback, as cheaply as the bytes of any frame are read.
TEST_CASE("h2 defences: PING, SETTINGS, PRIORITY and empty DATA floods to a reading client end at the control budget",
          "[h2]") {
  std::string priority_payload("\0\0\0\0\x10", 5);
  struct Flood {
    const char* name;
    std::string frame;
  };
  std::vector<Flood> floods = {
      {"PING", H2Ping(7)},
      {"SETTINGS", H2Settings({{NGHTTP2_SETTINGS_ENABLE_PUSH, 0}})},
      {"PRIORITY", H2Frame(NGHTTP2_PRIORITY, 0, 3, priority_payload)},
  };
  for (const Flood& flood : floods) {
    SECTION(flood.name) {
      Attacked attacked;
      int accepted = 0;
      while (accepted < 1000 && attacked.fixture.session.Receive(flood.frame)) {
        ++accepted;
        attacked.fixture.DrainFrames();  // the client reads every ACK
      }
      CHECK(accepted == 99);  // 100 tokens, one spent by the opening SETTINGS
      std::vector<H2FrameSeen> seen = attacked.fixture.DrainFrames();
      CHECK(H2GoawayCode(seen) == kCalm);
      CHECK(attacked.fixture.session.error().find("control frame flood") != std::string::npos);
    }
  }
  SECTION("empty DATA") {
    Attacked attacked;
    // A proxied request whose body never ends, fed empty DATA frames.
    REQUIRE(attacked.fixture.session.Receive(
        H2Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, 1,
                HpackIndexed(3) + HpackIndexed(7) + HpackLiteral(":path", "/api/x") +
                    HpackLiteral(":authority", "localhost"))));
    int accepted = 0;
    while (accepted < 1000 && attacked.fixture.session.Receive(H2Frame(NGHTTP2_DATA, 0, 1, ""))) ++accepted;
    CHECK(accepted == 99);
    CHECK(H2GoawayCode(attacked.fixture.DrainFrames()) == kCalm);
  }
}

TEST_CASE("h2 defences: a browser-like load stays within every budget", "[h2]") {
  H2Fixture fixture;
  std::vector<int32_t> ids;
  // A page with 300 lazy chunks in waves of 100, a few of them cancelled.
  for (int wave = 0; wave < 3; ++wave) {
    for (int i = 0; i < 100; ++i) ids.push_back(fixture.client.Request("GET", i % 10 == 0 ? "/hints" : "/"));
    for (int i = 0; i < 5; ++i) fixture.client.Reset(ids[ids.size() - 1 - i]);
    fixture.Pump(8192);
  }
  CHECK_FALSE(fixture.client.goaway());
  CHECK(fixture.session.error().empty());
  CHECK(fixture.log.size() >= 285);
  CHECK(fixture.session.OpenStreams() == 0);
}

}  // namespace
}  // namespace npsbundle::testing
