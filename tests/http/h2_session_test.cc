// Http2Session driven as bytes: a real nghttp2 client for legitimate
// traffic (GET, HEAD, 304, 103 Early Hints, large bodies, proxied requests
// answered later), and hand-built frames for the floods the abuse budgets
// stop (tests/http/h2_defences_test.cc).

#include "http/h2_session.h"

#include <catch2/catch.hpp>

#include "support/h2_test_support.h"

namespace npsbundle::testing {
namespace {

TEST_CASE("h2 session: a GET gets status, fields lower-cased, Date, Content-Length and body", "[h2]") {
  H2Fixture fixture;
  int32_t id = fixture.client.Request("GET", "/", {{"cookie", "a=1"}, {"cookie", "b=2"}, {"accept", "*/*"}});
  fixture.Pump();
  const H2Response& response = fixture.client.response(id);
  REQUIRE(response.statuses == std::vector<int>{200});
  CHECK(response.body == "hello");
  CHECK(response.Header("x-test") == "yes");
  CHECK(response.Header("content-length") == "5");
  CHECK(response.Count("content-length") == 1);
  CHECK(!response.Header("date").empty());
  // Hop-by-hop fields are malformed in HTTP/2: dropped, or nghttp2's client
  // would have reset the stream.
  CHECK(response.Count("connection") == 0);
  CHECK(response.Count("transfer-encoding") == 0);
  CHECK(response.close_error == 0);

  // The handler saw an HTTP/1.1-shaped request: Host from :authority first,
  // the split Cookie joined with "; " (RFC 9113 §8.2.3).
  HttpRequest seen = fixture.handler.last_request();
  CHECK(seen.method == "GET");
  CHECK(seen.target == "/");
  REQUIRE(!seen.headers.empty());
  CHECK(seen.headers.front() == std::pair<std::string, std::string>{"Host", "localhost"});
  CHECK(seen.Header("Cookie") == "a=1; b=2");
  CHECK(seen.HeaderCount("Cookie") == 1);
  CHECK(seen.Header("accept") == "*/*");

  REQUIRE(fixture.log.size() == 1);
  CHECK(fixture.log[0].method == "GET");
  CHECK(fixture.log[0].target == "/");
  CHECK(fixture.log[0].status == 200);
  CHECK(fixture.log[0].body_bytes == 5);
  CHECK(fixture.log[0].encoding == "br");
  CHECK(fixture.session.OpenStreams() == 0);
  CHECK(fixture.session.BufferedBytes() == 0);
}

TEST_CASE("h2 session: HEAD and 304 carry no body but the GET's length", "[h2]") {
  H2Fixture fixture;
  int32_t head = fixture.client.Request("HEAD", "/");
  int32_t not_modified = fixture.client.Request("GET", "/304");
  fixture.Pump();
  const H2Response& head_response = fixture.client.response(head);
  CHECK(head_response.statuses == std::vector<int>{200});
  CHECK(head_response.body.empty());
  CHECK(head_response.Header("content-length") == "5");
  CHECK(head_response.close_error == 0);
  const H2Response& cached = fixture.client.response(not_modified);
  CHECK(cached.statuses == std::vector<int>{304});
  CHECK(cached.body.empty());
  CHECK(cached.close_error == 0);
  REQUIRE(fixture.log.size() == 2);
  CHECK(fixture.log[0].body_bytes == 0);
  CHECK(fixture.log[1].body_bytes == 0);
}

TEST_CASE("h2 session: 103 Early Hints with the Link fields come before the final response", "[h2]") {
  H2Fixture fixture;
  int32_t id = fixture.client.Request("GET", "/hints");
  fixture.Pump();
  const H2Response& response = fixture.client.response(id);
  CHECK(response.statuses == std::vector<int>{103, 200});
  CHECK(response.hint_links ==
        std::vector<std::string>{"</a.js>; rel=modulepreload; crossorigin", "</b.css>; rel=preload; as=style"});
  CHECK(response.body == "hello");
  // The 103 is not logged: one entry per stream, with the final status.
  REQUIRE(fixture.log.size() == 1);
  CHECK(fixture.log[0].status == 200);
}

TEST_CASE("h2 session: a large body crosses flow control in small writes", "[h2]") {
  H2Fixture fixture;
  int32_t first = fixture.client.Request("GET", "/big");
  int32_t second = fixture.client.Request("GET", "/big");
  fixture.Pump(/*chunk=*/1000);
  CHECK(fixture.client.response(first).body == fixture.handler.big());
  CHECK(fixture.client.response(second).body == fixture.handler.big());
  CHECK(fixture.client.response(first).Header("content-length") == std::to_string(fixture.handler.big().size()));
  // Output never holds more than one frame it could not hand out.
  CHECK(fixture.max_buffered <= 16 * 1024 + 9);
  REQUIRE(fixture.log.size() == 2);
  CHECK(fixture.log[1].body_bytes == fixture.handler.big().size());
}

TEST_CASE("h2 session: a request with a body is answered at once, then told to stop sending", "[h2]") {
  H2Fixture fixture;
  int32_t id = fixture.client.Request("POST", "/", {}, std::string(100'000, 'x'));
  fixture.Pump();
  const H2Response& response = fixture.client.response(id);
  CHECK(response.statuses == std::vector<int>{405});
  CHECK(response.closed);
  // RST_STREAM NO_ERROR after a complete response (RFC 9113 §8.1).
  CHECK(response.close_error == NGHTTP2_NO_ERROR);
  CHECK(fixture.session.BufferedBytes() == 0);
}

TEST_CASE("h2 session: the SETTINGS carry the limits and no extended CONNECT", "[h2]") {
  Http2Limits limits;
  limits.max_concurrent_streams = 7;
  limits.max_header_list_bytes = 9000;
  limits.initial_window_bytes = 100'000;
  H2Fixture fixture(limits);
  fixture.client.Request("GET", "/");
  fixture.Pump();
  const auto& settings = fixture.client.settings();
  CHECK(settings.at(NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS) == 7);
  CHECK(settings.at(NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE) == 9000);
  CHECK(settings.at(NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE) == 100'000);
  // No RFC 8441: browsers take WebSockets to HTTP/1.1, where the proxy
  // carries them.
  CHECK(settings.count(NGHTTP2_SETTINGS_ENABLE_CONNECT_PROTOCOL) == 0);
}

TEST_CASE("h2 session: streams beyond the concurrency limit are refused", "[h2]") {
  Http2Limits limits;
  limits.max_concurrent_streams = 2;
  // Three requests whose bodies never end: the third is one too many.
  std::string requests;
  for (uint32_t id : {1u, 3u, 5u}) {
    requests += H2Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, id,
                        HpackIndexed(3) + HpackIndexed(7) + HpackLiteral(":path", "/api/x") +
                            HpackLiteral(":authority", "localhost"));
  }
  SECTION("before the client acknowledged the limit: REFUSED_STREAM, which it may retry") {
    H2Fixture raw(limits);
    REQUIRE(raw.session.Receive(H2ClientStart()));
    raw.DrainFrames();
    REQUIRE(raw.session.Receive(requests));
    bool refused = false;
    for (const H2FrameSeen& frame : raw.DrainFrames()) {
      if (frame.type == NGHTTP2_RST_STREAM && frame.stream_id == 5) refused = frame.payload == std::string("\0\0\0\x07", 4);
    }
    CHECK(refused);
    CHECK(raw.session.OpenStreams() == 2);
  }
  SECTION("after: nghttp2 ends the connection (PROTOCOL_ERROR)") {
    H2Fixture raw(limits);
    REQUIRE(raw.session.Receive(H2ClientStart()));
    raw.DrainFrames();
    REQUIRE(raw.session.Receive(H2Frame(NGHTTP2_SETTINGS, NGHTTP2_FLAG_ACK, 0, "")));
    raw.session.Receive(requests);
    CHECK(H2GoawayCode(raw.DrainFrames()) == NGHTTP2_PROTOCOL_ERROR);
    CHECK(raw.session.Finished());
    INFO(raw.session.error());
    CHECK(raw.session.error().find("max concurrent streams exceeded") != std::string::npos);
  }
}

TEST_CASE("h2 session: a Host naming another origin than :authority is malformed", "[h2]") {
  H2Fixture fixture;
  int32_t id = fixture.client.Request("GET", "/", {{"host", "evil.example"}});
  fixture.Pump();
  CHECK(fixture.client.response(id).statuses.empty());
  CHECK(fixture.client.response(id).close_error == NGHTTP2_PROTOCOL_ERROR);
  CHECK(fixture.log.empty());
}

TEST_CASE("h2 session: proxied requests are deferred with their body and completed later", "[h2]") {
  H2Fixture fixture;
  int32_t post = fixture.client.Request("POST", "/api/items", {{"content-type", "x"}}, "payload bytes");
  int32_t get = fixture.client.Request("GET", "/api/list");
  int32_t plain = fixture.client.Request("GET", "/");
  fixture.Pump();
  REQUIRE(fixture.deferred.size() == 2);
  CHECK(fixture.deferred[0].stream_id == get);  // no body: deferred at its HEADERS
  CHECK(fixture.deferred[1].stream_id == post);
  CHECK(fixture.deferred[1].request.method == "POST");
  CHECK(fixture.deferred[1].request.target == "/api/items");
  CHECK(fixture.deferred[1].request.Header("Host") == "localhost");
  CHECK(fixture.deferred[1].body == "payload bytes");
  // The static request went on meanwhile; the proxied ones wait.
  CHECK(fixture.client.response(plain).body == "hello");
  CHECK(fixture.client.response(post).statuses.empty());
  CHECK(fixture.session.OpenStreams() == 2);

  HttpResponse answer;
  answer.status = 201;
  answer.owned_body = "created";
  answer.content_length = 7;
  answer.headers = {{"Location", "/api/items/1"}};
  CHECK(fixture.session.Complete(post, std::move(answer)));
  fixture.Pump();
  const H2Response& created = fixture.client.response(post);
  CHECK(created.statuses == std::vector<int>{201});
  CHECK(created.body == "created");
  CHECK(created.Header("location") == "/api/items/1");
  // Twice, or a stream never deferred: ignored.
  CHECK_FALSE(fixture.session.Complete(post, HttpResponse{}));
  CHECK_FALSE(fixture.session.Complete(plain, HttpResponse{}));
  CHECK_FALSE(fixture.session.Complete(99, HttpResponse{}));

  // The client gives up on the other one: its answer is dropped.
  fixture.client.Reset(get);
  fixture.Pump();
  CHECK(fixture.session.OpenStreams() == 0);
  CHECK_FALSE(fixture.session.Complete(get, HttpResponse{}));
  fixture.Pump();
  CHECK(fixture.client.response(get).statuses.empty());
  CHECK(fixture.log.size() == 2);
}

TEST_CASE("h2 session: a streamed answer sends its head first, then each chunk as it is appended", "[h2]") {
  H2Fixture fixture;
  int32_t id = fixture.client.Request("GET", "/api/events");
  fixture.Pump();
  REQUIRE(fixture.deferred.size() == 1);
  HttpResponse head;
  head.status = 200;
  head.owned_body = "ignored";
  head.content_length = 7;
  head.headers = {{"Content-Type", "text/event-stream"}, {"Connection", "keep-alive"}};
  CHECK(fixture.session.CompleteHead(id, std::move(head)));
  CHECK_FALSE(fixture.session.Complete(id, HttpResponse{}));  // answered already
  CHECK_FALSE(fixture.session.CompleteHead(id, HttpResponse{}));
  fixture.Pump();
  const H2Response& events = fixture.client.response(id);
  CHECK(events.statuses == std::vector<int>{200});
  CHECK(events.Header("content-type") == "text/event-stream");
  CHECK(events.Count("content-length") == 0);  // the length is not known
  CHECK(events.Count("connection") == 0);
  CHECK(events.body.empty());
  CHECK_FALSE(events.closed);
  CHECK_FALSE(fixture.session.WantsWrite());  // nothing to send until a chunk comes

  // Event by event: each append reaches the client before the next exists.
  CHECK(fixture.session.AppendBody(id, "data: 1\n\n", false));
  CHECK(fixture.session.PendingBody(id) == 9);
  CHECK(fixture.session.BufferedBytes() >= 9);
  CHECK(fixture.session.WantsWrite());
  fixture.Pump();
  CHECK(fixture.session.PendingBody(id) == 0);
  CHECK(events.body == "data: 1\n\n");
  CHECK_FALSE(events.closed);
  CHECK(fixture.session.AppendBody(id, "data: 2\n\n", false));
  fixture.Pump();
  CHECK(events.body == "data: 1\n\ndata: 2\n\n");
  CHECK(fixture.log.empty());  // logged at the end, as other answers
  CHECK(fixture.session.AppendBody(id, "", true));
  fixture.Pump();
  CHECK(events.closed);
  CHECK(events.close_error == 0);
  CHECK_FALSE(fixture.session.AppendBody(id, "late", false));
  CHECK(fixture.session.OpenStreams() == 0);
  CHECK(fixture.session.BufferedBytes() == 0);
  REQUIRE(fixture.log.size() == 1);
  CHECK(fixture.log[0].status == 200);
  CHECK(fixture.log[0].body_bytes == 18);
}

TEST_CASE("h2 session: a streamed body larger than the client's window waits for it", "[h2]") {
  H2Fixture fixture;
  int32_t id = fixture.client.Request("GET", "/api/download");
  fixture.Pump();
  HttpResponse head;
  head.headers = {{"Content-Length", "200000"}};
  REQUIRE(fixture.session.CompleteHead(id, std::move(head)));
  std::string body(200000, 'x');
  body[123456] = 'y';
  // More than the default 65535-byte window: only part is framed until the
  // client's WINDOW_UPDATE comes back (Pump carries it).
  CHECK(fixture.session.AppendBody(id, body.substr(0, 150000), false));
  std::vector<H2FrameSeen> frames = fixture.DrainFrames();
  size_t data_bytes = 0;
  for (const H2FrameSeen& frame : frames) {
    if (frame.type == NGHTTP2_DATA) data_bytes += frame.payload.size();
  }
  CHECK(data_bytes > 0);
  CHECK(data_bytes <= 65535);
  CHECK(fixture.session.PendingBody(id) == 150000 - data_bytes);
  // Hand those frames to the client: its WINDOW_UPDATEs let the rest go.
  std::string seen;
  for (const H2FrameSeen& frame : frames) seen += H2Frame(frame.type, frame.flags, frame.stream_id, frame.payload);
  REQUIRE(fixture.client.Receive(seen));
  fixture.Pump(16 * 1024);
  CHECK(fixture.session.PendingBody(id) == 0);
  CHECK(fixture.session.AppendBody(id, body.substr(150000), true));
  fixture.Pump(16 * 1024);
  const H2Response& got = fixture.client.response(id);
  CHECK(got.Header("content-length") == "200000");
  CHECK(got.closed);
  CHECK(got.close_error == 0);
  CHECK(got.body == body);
}

TEST_CASE("h2 session: a streamed answer ends when the client resets its stream", "[h2]") {
  H2Fixture fixture;
  int32_t id = fixture.client.Request("GET", "/api/events");
  fixture.Pump();
  REQUIRE(fixture.session.CompleteHead(id, HttpResponse{}));
  CHECK(fixture.session.AppendBody(id, "data: 1\n\n", false));
  fixture.Pump();
  CHECK(fixture.session.AppendBody(id, "queued, never sent", false));
  fixture.client.Reset(id);
  fixture.Pump();
  // The source learns at its next append that nobody reads any more.
  CHECK_FALSE(fixture.session.AppendBody(id, "data: 2\n\n", false));
  CHECK(fixture.session.PendingBody(id) == 0);
  CHECK(fixture.session.OpenStreams() == 0);
  CHECK(fixture.session.BufferedBytes() == 0);
  CHECK(fixture.client.response(id).body == "data: 1\n\n");
}

TEST_CASE("h2 session: a streamed answer without a body ends with its head", "[h2]") {
  H2Fixture fixture;
  int32_t head_request = fixture.client.Request("HEAD", "/api/file");
  int32_t not_modified = fixture.client.Request("GET", "/api/file");
  int32_t plain = fixture.client.Request("GET", "/");
  fixture.Pump();
  REQUIRE(fixture.deferred.size() == 2);
  HttpResponse head;
  head.headers = {{"Content-Length", "42"}};
  CHECK(fixture.session.CompleteHead(head_request, head));
  HttpResponse unchanged;
  unchanged.status = 304;
  CHECK(fixture.session.CompleteHead(not_modified, unchanged));
  CHECK_FALSE(fixture.session.CompleteHead(plain, HttpResponse{}));  // never deferred
  CHECK_FALSE(fixture.session.CompleteHead(99, HttpResponse{}));
  fixture.Pump();
  CHECK(fixture.client.response(head_request).statuses == std::vector<int>{200});
  CHECK(fixture.client.response(head_request).Header("content-length") == "42");
  CHECK(fixture.client.response(head_request).closed);
  CHECK(fixture.client.response(not_modified).statuses == std::vector<int>{304});
  CHECK(fixture.client.response(not_modified).closed);
  CHECK_FALSE(fixture.session.AppendBody(head_request, "body", true));
  CHECK_FALSE(fixture.session.AppendBody(plain, "body", true));
  CHECK(fixture.session.OpenStreams() == 0);
  CHECK(fixture.log.size() == 3);
}

TEST_CASE("h2 session: proxied bodies are bounded per stream and per connection", "[h2]") {
  Http2Limits limits;
  limits.max_request_body_bytes = 1000;
  limits.max_buffered_body_bytes = 1500;
  H2Fixture fixture(limits);
  int32_t too_big = fixture.client.Request("POST", "/api/a", {}, std::string(1001, 'a'));
  fixture.Pump();
  CHECK(fixture.client.response(too_big).statuses == std::vector<int>{413});
  CHECK(fixture.deferred.empty());
  CHECK(fixture.session.BufferedBytes() == 0);

  // Two bodies of 900 held at once (neither ends): the second passes the
  // connection's 1500.
  H2Fixture held(limits);
  REQUIRE(held.session.Receive(H2ClientStart()));
  std::string frames;
  for (uint32_t id : {1u, 3u}) {
    frames += H2Frame(NGHTTP2_HEADERS, NGHTTP2_FLAG_END_HEADERS, id,
                      HpackIndexed(3) + HpackIndexed(7) + HpackLiteral(":path", "/api/b") +
                          HpackLiteral(":authority", "localhost"));
    frames += H2Frame(NGHTTP2_DATA, 0, id, std::string(900, 'b'));
  }
  REQUIRE(held.session.Receive(frames));
  CHECK(held.session.BufferedBytes() <= 1500 + 200);
  std::vector<H2FrameSeen> seen = held.DrainFrames();
  CHECK(held.log.size() == 1);
  REQUIRE(!held.log.empty());
  CHECK(held.log[0].status == 503);
  CHECK(held.log[0].target == "/api/b");
}

TEST_CASE("h2 session: without a defer function a claimed request gets 502", "[h2]") {
  H2Fixture fixture(Http2Limits{}, /*with_defer=*/false);
  int32_t id = fixture.client.Request("GET", "/api/x");
  fixture.Pump();
  CHECK(fixture.client.response(id).statuses == std::vector<int>{502});
}

TEST_CASE("h2 session: Shutdown sends GOAWAY NO_ERROR and lets streams in flight finish", "[h2]") {
  H2Fixture fixture;
  int32_t id = fixture.client.Request("GET", "/api/slow");
  fixture.Pump();
  REQUIRE(fixture.deferred.size() == 1);
  fixture.session.Shutdown();
  fixture.Pump();
  CHECK(fixture.client.goaway());
  CHECK(fixture.client.goaway_code() == NGHTTP2_NO_ERROR);
  CHECK_FALSE(fixture.session.Finished());  // the deferred stream is owed its answer
  HttpResponse answer;
  answer.owned_body = "late";
  answer.content_length = 4;
  CHECK(fixture.session.Complete(id, std::move(answer)));
  fixture.Pump();
  CHECK(fixture.client.response(id).body == "late");
  CHECK(fixture.session.Finished());
  CHECK(fixture.session.error().empty());
}

TEST_CASE("h2 session: no preface, or a malformed frame, ends the connection", "[h2]") {
  H2Fixture http1;
  CHECK_FALSE(http1.session.Receive("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK_FALSE(http1.session.Receive("more"));
  CHECK(!http1.session.error().empty());

  // A PING on a stream is a connection error nghttp2 finds itself.
  H2Fixture bad;
  bad.session.Receive(H2ClientStart() + H2Frame(NGHTTP2_PING, 0, 1, std::string(8, '\0')));
  std::vector<H2FrameSeen> seen = bad.DrainFrames();
  CHECK(H2GoawayCode(seen) == NGHTTP2_PROTOCOL_ERROR);
  CHECK(bad.session.Finished());
  CHECK(!bad.session.error().empty());
}

}  // namespace
}  // namespace npsbundle::testing
