#include "http/client.h"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>
#include <optional>
#include <string>
#include <vector>

#include "core/compression.h"
#include "core/error.h"
#include "support/serve_test_support.h"

namespace npsbundle {
namespace {

// Feeds `wire` in pieces of `step` bytes until the parser is done; `close`
// then tells it the peer closed.
ResponseParser ParseWire(const std::string& wire, size_t step, bool head = false, bool close = false,
                         size_t max_body = 1 << 20) {
  ResponseParser parser(head, max_body);
  for (size_t at = 0; at < wire.size() && !parser.done(); at += step) {
    parser.Feed(std::string_view(wire).substr(at, step));
  }
  if (close) parser.FinishOnClose();
  return parser;
}

struct FramingCase {
  const char* name;
  std::string wire;
  bool head;
  bool close;  // the peer closes after `wire`
  int status;
  std::string body;
  bool keep_alive;
  std::string leftover;
};

TEST_CASE("client: response framing, whole and byte by byte", "[client]") {
  const std::vector<FramingCase> cases = {
      {"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", false, false, 200, "hello", true, ""},
      {"chunked with extension and trailer",
       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\n",
       false, false, 200, "hello world", true, ""},
      {"chunked, upper-case hex size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\nA\r\n0123456789\r\n0\r\n\r\n",
       false, false, 200, "0123456789", true, ""},
      {"keep-alive: the next response stays in leftover",
       "HTTP/1.1 304 Not Modified\r\nETag: \"a\"\r\nContent-Length: 9\r\n\r\nHTTP/1.1 200 OK\r\n", false, false,
       304, "", true, "HTTP/1.1 200 OK\r\n"},
      {"Connection: close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", false, false, 200,
       "ok", false, ""},
      {"HTTP/1.0 closes", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok", false, false, 200, "ok", false, ""},
      {"no length: until close", "HTTP/1.1 200 OK\r\n\r\nall of it", false, true, 200, "all of it", false, ""},
      {"HEAD: Content-Length describes no body", "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n", true, false, 200,
       "", true, ""},
      {"204 has no body", "HTTP/1.1 204 No Content\r\n\r\n", false, false, 204, "", true, ""},
      {"bare LF line ends", "HTTP/1.1 404 Not Found\nContent-Length: 3\n\nnot", false, false, 404, "not", true, ""},
      {"103 Early Hints before the answer",
       "HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=modulepreload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
       false, false, 200, "x", true, ""},
      {"identical duplicate Content-Length", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx",
       false, false, 200, "x", true, ""},
  };
  for (const FramingCase& c : cases) {
    for (size_t step : {c.wire.size(), size_t{1}, size_t{5}}) {
      INFO(c.name << ", step " << step);
      ResponseParser parser = ParseWire(c.wire, step, c.head, c.close);
      REQUIRE(parser.done());
      CHECK(parser.keep_alive() == c.keep_alive);
      // Byte by byte, nothing is fed past the end of the first response.
      if (step == c.wire.size()) CHECK(parser.leftover() == c.leftover);
      ClientResponse response = parser.Take();
      CHECK(response.status == c.status);
      CHECK(response.body == c.body);
    }
  }
}

TEST_CASE("client: 1xx responses are kept with their fields", "[client]") {
  ResponseParser parser = ParseWire(
      "HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=modulepreload\r\n\r\n"
      "HTTP/1.1 200 OK\r\nLINK: </b.css>; rel=preload; as=style\r\nContent-Length: 0\r\n\r\n",
      3);
  REQUIRE(parser.done());
  ClientResponse response = parser.Take();
  REQUIRE(response.informational.size() == 1);
  CHECK(response.informational[0].status == 103);
  CHECK(response.informational[0].Header("link") == "</a.js>; rel=modulepreload");
  CHECK(response.Header("link") == "</b.css>; rel=preload; as=style");  // names lower-cased
}

struct BadCase {
  const char* name;
  std::string wire;
  bool close;
  ClientErrorKind kind;
  std::string message_part;
};

TEST_CASE("client: malformed and oversized responses are errors", "[client]") {
  const std::vector<BadCase> cases = {
      {"not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", false, ClientErrorKind::kProtocol, "bad status line"},
      {"status not a number", "HTTP/1.1 2x0 OK\r\n\r\n", false, ClientErrorKind::kProtocol, "bad status code"},
      {"header without colon", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n", false, ClientErrorKind::kProtocol,
       "bad header line"},
      {"two Content-Lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx", false,
       ClientErrorKind::kProtocol, "two different Content-Length"},
      {"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", false,
       ClientErrorKind::kProtocol, "bad chunk size"},
      {"chunk longer than said", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n", false,
       ClientErrorKind::kProtocol, "longer than its size"},
      {"closed mid-body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true, ClientErrorKind::kProtocol,
       "closed mid-response"},
      {"closed before anything", "", true, ClientErrorKind::kProtocol, "closed before a response"},
      {"body over the limit", "HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", false, ClientErrorKind::kTooLarge,
       "over the limit"},
      {"chunks over the limit", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n" + std::string(512, 'x') +
       "\r\n200\r\n" + std::string(512, 'x') + "\r\n200\r\n" + std::string(512, 'x'), false,
       ClientErrorKind::kTooLarge, "larger than 1000 bytes"},
      {"endless head", "HTTP/1.1 200 OK\r\nX: " + std::string(70000, 'a'), false, ClientErrorKind::kTooLarge,
       "64 KiB"},
  };
  for (const BadCase& c : cases) {
    INFO(c.name);
    try {
      ParseWire(c.wire, 7, false, c.close, 1000);
      FAIL("no error");
    } catch (const ClientError& e) {
      CHECK(e.kind() == c.kind);
      CHECK_THAT(e.what(), Catch::Contains(c.message_part));
    }
  }
}

TEST_CASE("client: bodies decode by Content-Encoding", "[client]") {
  std::string text(3000, 'a');
  ClientResponse response;
  response.body = BrotliCompress(text, 5, 22);
  response.headers = {{"content-encoding", "br"}};
  CHECK(DecodeBody(response) == text);
  response.body = GzipCompress(text, 6);
  response.headers = {{"content-encoding", "gzip"}};
  CHECK(DecodeBody(response) == text);
  response.headers = {{"content-encoding", "zstd"}};
  CHECK_THROWS_WITH(DecodeBody(response), Catch::Contains("unknown Content-Encoding \"zstd\""));
  response.headers = {{"content-encoding", "br"}};
  CHECK_THROWS_WITH(DecodeBody(response), Catch::Contains("does not decode as br"));
  response.headers = {};
  CHECK(DecodeBody(response) == response.body);
  // A 304 names the representation's coding but has no body to decode.
  response.headers = {{"content-encoding", "br"}};
  response.status = 304;
  response.body.clear();
  CHECK(DecodeBody(response).empty());
}

// Answers each connection's first request with a keep-alive response, then
// closes it without saying so: what a server does to an idle connection
// when its keep-alive timeout ends.
class OneShotServer {
 public:
  explicit OneShotServer(int connections) : fd_(testing::ListenLoopback(&port_)) {
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) {
        int client = accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        testing::ReadRequestHead(client);
        std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
        close(client);
      }
    });
  }
  ~OneShotServer() {
    shutdown(fd_, SHUT_RDWR);
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }

 private:
  int port_ = 0;  // before fd_: set while fd_ is initialised
  int fd_ = -1;
  std::thread thread_;
};

TEST_CASE("client: a kept-alive connection the server closed is reopened once", "[client]") {
  OneShotServer server(3);
  HttpConnection connection(ParseUrl("http://127.0.0.1:" + std::to_string(server.port()) + "/"), ClientOptions{});
  for (int i = 0; i < 3; ++i) {
    ClientResponse response = connection.Request("GET", "/", {});
    CHECK(response.status == 200);
    CHECK(response.body == "ok");
  }
  CHECK(connection.connections_opened() == 3);
}

TEST_CASE("client: URLs", "[client]") {
  Url url = ParseUrl("https://example.com/app/?x=1#top");
  CHECK(url.tls);
  CHECK(url.host == "example.com");
  CHECK(url.port == 443);
  CHECK(url.target == "/app/?x=1");
  CHECK(url.Origin() == "https://example.com");
  url = ParseUrl("http://[::1]:8080");
  CHECK(url.host == "::1");
  CHECK(url.port == 8080);
  CHECK(url.target == "/");
  CHECK(url.HostHeader() == "[::1]:8080");
  CHECK(ParseUrl("http://127.0.0.1:80?q").target == "/?q");
  CHECK_THROWS_WITH(ParseUrl("ftp://x/"), "ftp://x/: expected an http:// or https:// URL");
  CHECK_THROWS_WITH(ParseUrl("http://:80/"), "http://:80/: no host");
  CHECK_THROWS_WITH(ParseUrl("http://h:99999/"), "http://h:99999/: bad port \"99999\"");
  CHECK_THROWS_WITH(ParseUrl("http://u:p@h/"), Catch::Contains("use --header"));
}

}  // namespace
}  // namespace npsbundle
