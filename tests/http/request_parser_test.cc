#include "http/request_parser.h"

#include <catch2/catch.hpp>
#include <string>

namespace npsbundle {
namespace {

using State = HttpRequestParser::State;

// Parses `bytes` growing by `step` bytes a call, as a socket delivers them.
State ParseInSteps(HttpRequestParser& parser, const std::string& bytes, size_t step) {
  State state = State::kNeedMore;
  for (size_t end = step; state == State::kNeedMore; end += step) {
    state = parser.Parse(std::string_view(bytes).substr(0, std::min(end, bytes.size())));
    if (end >= bytes.size()) break;
  }
  return state;
}

TEST_CASE("request parser: a GET head, whole and byte by byte", "[request_parser]") {
  const std::string bytes =
      "GET /assets/x.js?v=1 HTTP/1.1\r\nHost: 127.0.0.1:4173\r\nAccept-Encoding:  br, gzip \r\n"
      "X-Empty:\r\n\r\nGET /next";
  for (size_t step : {bytes.size(), size_t{1}, size_t{7}}) {
    INFO("step " << step);
    HttpRequestParser parser;
    REQUIRE(ParseInSteps(parser, bytes, step) == State::kDone);
    const HttpRequest& request = parser.request();
    CHECK(request.method == "GET");
    CHECK(request.target == "/assets/x.js?v=1");
    REQUIRE(request.headers.size() == 3);
    CHECK(request.headers[0] == std::pair<std::string, std::string>("Host", "127.0.0.1:4173"));
    CHECK(request.headers[1] == std::pair<std::string, std::string>("Accept-Encoding", "br, gzip"));
    CHECK(request.headers[2] == std::pair<std::string, std::string>("X-Empty", ""));
    CHECK(parser.head_size() == bytes.find("GET /next"));
    CHECK(parser.minor_version() == 1);
    CHECK(parser.keep_alive());
    CHECK_FALSE(parser.body_follows());
  }
}

TEST_CASE("request parser: incomplete heads need more", "[request_parser]") {
  for (const std::string bytes : {"", "GET", "GET / HTTP/1.1", "GET / HTTP/1.1\r", "GET / HTTP/1.1\r\nHost: x\r\n",
                                  "GET / HTTP/1.1\r\nHost: x\r\n\r", "\r\n"}) {
    INFO(bytes);
    HttpRequestParser parser;
    CHECK(parser.Parse(bytes) == State::kNeedMore);
  }
}

TEST_CASE("request parser: bare LF ends lines; empty lines before the request are skipped",
          "[request_parser]") {
  HttpRequestParser parser;
  std::string bytes = "\r\n\nHEAD /a HTTP/1.1\nHost: x\n\n";
  REQUIRE(parser.Parse(bytes) == State::kDone);
  CHECK(parser.request().method == "HEAD");
  CHECK(parser.request().target == "/a");
  CHECK(parser.head_size() == bytes.size());
}

TEST_CASE("request parser: Reset parses pipelined requests in order", "[request_parser]") {
  std::string bytes = "GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  HttpRequestParser parser;
  REQUIRE(parser.Parse(bytes) == State::kDone);
  CHECK(parser.request().target == "/1");
  CHECK(parser.keep_alive());
  size_t first = parser.head_size();
  parser.Reset();
  REQUIRE(parser.Parse(std::string_view(bytes).substr(first)) == State::kDone);
  CHECK(parser.request().target == "/2");
  CHECK(parser.request().headers.size() == 2);
  CHECK_FALSE(parser.keep_alive());
  CHECK(first + parser.head_size() == bytes.size());
}

TEST_CASE("request parser: keep-alive by version and Connection", "[request_parser]") {
  struct Case {
    std::string version;
    std::string connection;  // "" = no field
    bool keep_alive;
    int minor;
  };
  const Case cases[] = {
      {"HTTP/1.1", "", true, 1},
      {"HTTP/1.1", "close", false, 1},
      {"HTTP/1.1", "Keep-Alive, CLOSE", false, 1},
      {"HTTP/1.1", "keep-alive", true, 1},
      {"HTTP/1.1", "upgrade", true, 1},
      {"HTTP/1.0", "", false, 0},
      {"HTTP/1.0", "keep-alive", true, 0},
      {"HTTP/1.0", "Keep-Alive", true, 0},
      {"HTTP/1.0", "keep-alive, close", false, 0},
      {"HTTP/1.9", "", true, 1},  // a later 1.x minor is answered as 1.1
  };
  for (const Case& c : cases) {
    INFO(c.version << " Connection: " << c.connection);
    std::string bytes = "GET / " + c.version + "\r\nHost: x\r\n";
    if (!c.connection.empty()) bytes += "Connection: " + c.connection + "\r\n";
    HttpRequestParser parser;
    REQUIRE(parser.Parse(bytes + "\r\n") == State::kDone);
    CHECK(parser.keep_alive() == c.keep_alive);
    CHECK(parser.minor_version() == c.minor);
  }
  // "close" in a second Connection field still closes.
  HttpRequestParser parser;
  REQUIRE(parser.Parse("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nConnection: keep-alive\r\n\r\n") ==
          State::kDone);
  CHECK_FALSE(parser.keep_alive());
  // HTTP/1.0 needs no Host.
  HttpRequestParser old;
  CHECK(old.Parse("GET / HTTP/1.0\r\n\r\n") == State::kDone);
}

TEST_CASE("request parser: malformed and hostile heads", "[request_parser]") {
  struct Case {
    std::string name;
    std::string bytes;
    int status;
    std::string error;
  };
  const std::string host = "Host: x\r\n";
  const Case cases[] = {
      {"no version", "GET /\r\n\r\n", 400, "request line is not \"method target version\""},
      {"two spaces", "GET  / HTTP/1.1\r\n" + host + "\r\n", 400, "control byte or space in the request target"},
      {"space in target", "GET /a b HTTP/1.1\r\n" + host + "\r\n", 400, "control byte or space in the request target"},
      {"tab in target", "GET /a\tb HTTP/1.1\r\n" + host + "\r\n", 400, "control byte or space in the request target"},
      {"NUL in target", std::string("GET /a\0b HTTP/1.1\r\n", 19) + host + "\r\n", 400,
       "control byte or space in the request target"},
      {"bad method", "G(T / HTTP/1.1\r\n" + host + "\r\n", 400, "invalid method"},
      {"lower-case version", "GET / http/1.1\r\n" + host + "\r\n", 400, "invalid HTTP version"},
      {"version junk", "GET / HTTP/1.1x\r\n" + host + "\r\n", 400, "invalid HTTP version"},
      {"HTTP/2.0", "GET / HTTP/2.0\r\n" + host + "\r\n", 505, "HTTP version 2.0 not supported"},
      {"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", 505, "HTTP version 0.9 not supported"},
      {"bare CR in request line", "GET / HTTP/1.1\rHost: x\r\n\r\n", 400,
       "control byte or space in the request target"},
      {"CR CR LF", "GET / HTTP/1.1\r\r\n" + host + "\r\n", 400, "invalid HTTP version"},
      {"bare CR in value", "GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n", 400, "control byte in a header field value"},
      {"NUL in value", std::string("GET / HTTP/1.1\r\nHost: x\0y\r\n\r\n", 29), 400,
       "control byte in a header field value"},
      {"DEL in value", "GET / HTTP/1.1\r\nHost: x\x7fy\r\n\r\n", 400, "control byte in a header field value"},
      {"obs-fold", "GET / HTTP/1.1\r\n" + host + "X-A: b\r\n c\r\n\r\n", 400, "obsolete line folding"},
      {"space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "invalid header field name"},
      {"empty name", "GET / HTTP/1.1\r\n" + host + ": x\r\n\r\n", 400, "invalid header field name"},
      {"bad name", "GET / HTTP/1.1\r\n" + host + "X(A): x\r\n\r\n", 400, "invalid header field name"},
      {"no colon", "GET / HTTP/1.1\r\n" + host + "garbage\r\n\r\n", 400, "header field without a colon"},
      {"no Host", "GET / HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 request without Host"},
      {"two Hosts", "GET / HTTP/1.1\r\n" + host + host + "\r\n", 400, "more than one Host"},
      {"CL and TE", "GET / HTTP/1.1\r\n" + host + "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n", 400,
       "both Content-Length and Transfer-Encoding"},
      {"TE and CL on POST", "POST / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n",
       400, "both Content-Length and Transfer-Encoding"},
      {"duplicate CL", "GET / HTTP/1.1\r\n" + host + "Content-Length: 0\r\nContent-Length: 5\r\n\r\n", 400,
       "more than one Content-Length"},
      {"equal CLs", "POST / HTTP/1.1\r\n" + host + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n", 400,
       "more than one Content-Length"},
      {"CL list", "POST / HTTP/1.1\r\n" + host + "Content-Length: 5, 5\r\n\r\n", 400, "invalid Content-Length"},
      {"CL sign", "POST / HTTP/1.1\r\n" + host + "Content-Length: +5\r\n\r\n", 400, "invalid Content-Length"},
      {"CL empty", "POST / HTTP/1.1\r\n" + host + "Content-Length:\r\n\r\n", 400, "invalid Content-Length"},
      {"CL huge", "POST / HTTP/1.1\r\n" + host + "Content-Length: 99999999999999999999\r\n\r\n", 400,
       "invalid Content-Length"},
      {"GET with body", "GET / HTTP/1.1\r\n" + host + "Content-Length: 5\r\n\r\nhello", 400, "a GET request with a body"},
      {"HEAD chunked", "HEAD / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400,
       "a HEAD request with a body"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    for (size_t step : {c.bytes.size(), size_t{1}}) {
      HttpRequestParser parser;
      REQUIRE(ParseInSteps(parser, c.bytes, step) == State::kError);
      CHECK(parser.error_status() == c.status);
      CHECK(parser.error() == c.error);
      CHECK_FALSE(parser.keep_alive());
    }
  }
}

TEST_CASE("request parser: GET with Content-Length 0 is fine; a POST body is not read",
          "[request_parser]") {
  HttpRequestParser get;
  REQUIRE(get.Parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n") == State::kDone);
  CHECK_FALSE(get.body_follows());
  CHECK(get.keep_alive());

  HttpRequestParser post;
  REQUIRE(post.Parse("POST /f HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello") == State::kDone);
  CHECK(post.request().method == "POST");
  CHECK(post.body_follows());
  CHECK_FALSE(post.keep_alive());  // the server answers and closes
  HttpRequestParser chunked;
  REQUIRE(chunked.Parse("PUT /f HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n") == State::kDone);
  CHECK(chunked.body_follows());
}

TEST_CASE("request parser: limits give 414 and 431 without waiting for the line's end",
          "[request_parser]") {
  RequestLimits limits;
  limits.max_line = 64;
  limits.max_fields = 3;
  limits.max_head = 200;

  HttpRequestParser at_limit(limits);
  std::string target(64 - std::string("GET  HTTP/1.1").size(), 'a');
  target[0] = '/';
  REQUIRE(at_limit.Parse("GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n") == State::kDone);

  // One byte over, with no line end yet: the parser does not wait for more.
  HttpRequestParser uri(limits);
  CHECK(uri.Parse("GET /" + std::string(64, 'a')) == State::kError);
  CHECK(uri.error_status() == 414);
  CHECK(uri.error() == "request line longer than 64");

  HttpRequestParser field(limits);
  CHECK(field.Parse("GET / HTTP/1.1\r\nX-Long: " + std::string(60, 'b')) == State::kError);
  CHECK(field.error_status() == 431);
  CHECK(field.error() == "header field line longer than 64");

  HttpRequestParser fields(limits);
  CHECK(fields.Parse("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n") == State::kError);
  CHECK(fields.error_status() == 431);
  CHECK(fields.error() == "more than 3 header fields");

  HttpRequestParser blank(limits);
  CHECK(blank.Parse(std::string(250, '\n')) == State::kError);  // empty lines count too
  CHECK(blank.error_status() == 431);
  CHECK(blank.error() == "request head longer than 200");

  HttpRequestParser total(limits);
  std::string bytes = "GET / HTTP/1.1\r\nHost: x\r\nA: " + std::string(55, 'a') + "\r\nB: " + std::string(55, 'b') +
                      "\r\n";
  REQUIRE(bytes.size() < 200);
  CHECK(total.Parse(bytes + "C: " + std::string(55, 'c')) == State::kError);
  CHECK(total.error_status() == 431);
}

TEST_CASE("request parser: the defaults are nginx's", "[request_parser]") {
  HttpRequestParser long_uri;
  CHECK(long_uri.Parse("GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n") == State::kError);
  CHECK(long_uri.error_status() == 414);
  std::string fields;
  for (int i = 0; i < 100; ++i) fields += "X-" + std::to_string(i) + ": y\r\n";
  HttpRequestParser hundred;
  CHECK(hundred.Parse("GET / HTTP/1.0\r\n" + fields + "\r\n") == State::kDone);
  HttpRequestParser too_many;
  CHECK(too_many.Parse("GET / HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n") == State::kError);
  CHECK(too_many.error_status() == 431);
}

TEST_CASE("request parser: obs-text in values and raw UTF-8 in the target pass to the policy",
          "[request_parser]") {
  HttpRequestParser parser;
  REQUIRE(parser.Parse("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\nX-Name: caf\xe9\t\r\n\r\n") == State::kDone);
  CHECK(parser.request().target == "/caf\xc3\xa9");
  CHECK(parser.request().headers[1].second == "caf\xe9");
}

}  // namespace
}  // namespace npsbundle
