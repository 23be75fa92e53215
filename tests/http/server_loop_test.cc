// ServeLoop with small limits, so the timeout and cap paths run in
// milliseconds: a slow head gets 408, the connection cap closes new
// connections at once, keep-alive stops after the request limit, and Stop
// returns with an idle connection open. Large bodies (sent by sendfile)
// arrive whole to a slow reader, and a reader that resets mid-body is only
// a closed connection.

#include "http/server_loop.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include <openssl/ssl.h>

#include "core/bundle_source.h"
#include "core/compression.h"
#include "http/tls_server.h"
#include "support/h2_test_support.h"
#include "support/serve_test_support.h"

namespace npsbundle::testing {
namespace {

// A loop on an ephemeral loopback port, stopped and joined on destruction.
class LoopScope {
 public:
  explicit LoopScope(LoopOptions options, std::shared_ptr<const StaticIndex> index = GoodIndex())
      : loop_(options) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    REQUIRE(bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(listen(listen_fd_, 64) == 0);
    socklen_t length = sizeof address;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    auto handler = std::make_shared<const RequestHandler>(std::move(index), HandlerOptions{});
    thread_ = std::thread([this, handler] { loop_.Run(listen_fd_, handler, {}); });
  }
  ~LoopScope() {
    loop_.Stop();
    thread_.join();
    close(listen_fd_);
  }
  int port() const { return port_; }

 private:
  ServeLoop loop_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

// `receive_buffer` > 0 shrinks the client's receive window, so the server's
// writes stall and resume on EPOLLOUT.
int Connect(int port, int receive_buffer = 0) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (receive_buffer > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

// Everything the server sends until it closes (bounded by `timeout_ms`).
// `slowly` pauses between reads, so the server's send buffer fills and
// drains many times.
std::string ReadUntilClose(int fd, int timeout_ms = 5000, bool slowly = false) {
  std::string out;
  char buffer[65536];
  size_t chunk = slowly ? 16384 : sizeof buffer;
  pollfd p{fd, POLLIN, 0};
  for (int reads = 0; poll(&p, 1, timeout_ms) > 0; ++reads) {
    ssize_t n = recv(fd, buffer, chunk, 0);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
    if (slowly && reads % 16 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return out;
}

void Send(int fd, const std::string& bytes) {
  REQUIRE(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
}

TEST_CASE("serve loop: a head that does not arrive in time gets 408 and a close", "[serve_loop]") {
  LoopOptions options;
  options.threads = 1;
  options.header_timeout_ms = 200;
  LoopScope loop(options);
  int fd = Connect(loop.port());
  Send(fd, "GET / HTTP/1.1\r\nHost: x\r\n");  // never finished
  RawResponse r = ParseResponse(ReadUntilClose(fd));
  close(fd);
  CHECK(r.status == 408);
  CHECK(r.Header("connection") == "close");
  CHECK(r.Header("x-content-type-options") == "nosniff");
}

TEST_CASE("serve loop: over the connection cap, new connections are closed at once", "[serve_loop]") {
  LoopOptions options;
  options.threads = 1;
  options.max_connections = 2;
  LoopScope loop(options);
  int first = Connect(loop.port());
  int second = Connect(loop.port());
  // Both held: a request on each is answered, so both were accepted.
  for (int fd : {first, second}) {
    Send(fd, "GET /favicon.svg HTTP/1.1\r\nHost: x\r\n\r\n");
    char buffer[16];
    pollfd p{fd, POLLIN, 0};
    REQUIRE(poll(&p, 1, 5000) == 1);
    CHECK(recv(fd, buffer, sizeof buffer, 0) > 0);
  }
  int third = Connect(loop.port());
  CHECK(ReadUntilClose(third).empty());  // closed without a response
  close(third);
  close(first);
  close(second);
}

TEST_CASE("serve loop: keep-alive ends after the request limit; pipelined answers in order",
          "[serve_loop]") {
  LoopOptions options;
  options.threads = 1;
  options.max_requests_per_connection = 3;
  LoopScope loop(options);
  int fd = Connect(loop.port());
  std::string request = "GET /favicon.svg HTTP/1.1\r\nHost: x\r\n\r\n";
  Send(fd, request + "HEAD /nope.js HTTP/1.1\r\nHost: x\r\n\r\n" + request + request);
  std::string raw = ReadUntilClose(fd);
  close(fd);
  std::vector<RawResponse> responses;
  for (size_t pos = 0; pos < raw.size();) {
    size_t end = raw.find("\r\n\r\n", pos);
    REQUIRE(end != std::string::npos);
    RawResponse head = ParseResponse(raw.substr(pos, end + 4 - pos));
    size_t body = responses.size() == 1 ? 0 : std::stoul(head.Header("content-length"));  // [1] is HEAD
    responses.push_back(head);
    pos = end + 4 + body;
  }
  REQUIRE(responses.size() == 3);  // the fourth request is never answered
  CHECK(responses[0].status == 200);
  CHECK_FALSE(responses[0].Has("connection"));
  CHECK(responses[1].status == 404);
  CHECK(responses[2].status == 200);
  CHECK(responses[2].Header("connection") == "close");
}

TEST_CASE("serve loop: Stop returns with idle and half-sent connections open", "[serve_loop]") {
  LoopOptions options;
  options.threads = 2;
  int idle = -1;
  int partial = -1;
  {
    LoopScope loop(options);
    idle = Connect(loop.port());
    partial = Connect(loop.port());
    Send(partial, "GET / HTT");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }  // ~LoopScope stops and joins: reaching here is the check
  CHECK(ReadUntilClose(idle).empty());
  CHECK(ReadUntilClose(partial).empty());
  close(idle);
  close(partial);
}

TEST_CASE("serve loop: response heads", "[serve_loop]") {
  HttpResponse response = ErrorResponse(404);
  std::string head;
  AppendResponseHead(response, "Sun, 06 Nov 1994 08:49:37 GMT", true, 1, &head);
  CHECK(head ==
        "HTTP/1.1 404 Not Found\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n"
        "Content-Length: 14\r\n\r\n");
  head.clear();
  AppendResponseHead(response, "D", true, 0, &head);
  CHECK(head.find("\r\nConnection: keep-alive\r\n") != std::string::npos);
  head.clear();
  AppendResponseHead(response, "D", false, 1, &head);
  CHECK(head.find("\r\nConnection: close\r\n") != std::string::npos);
  CHECK(ReasonPhrase(431) == "Request Header Fields Too Large");
}

TEST_CASE("serve loop: a 103 Early Hints head before the final one, HTTP/1.1 only", "[serve_loop]") {
  HttpResponse response;
  response.status = 200;
  std::string head;
  AppendEarlyHints(response, 1, &head);
  CHECK(head.empty());  // no hints, no 103
  response.early_hints = {"</a.js>; rel=modulepreload; crossorigin", "</b.css>; rel=preload; as=style"};
  AppendEarlyHints(response, 1, &head);
  CHECK(head ==
        "HTTP/1.1 103 Early Hints\r\nLink: </a.js>; rel=modulepreload; crossorigin\r\n"
        "Link: </b.css>; rel=preload; as=style\r\n\r\n");
  head.clear();
  AppendEarlyHints(response, 0, &head);  // HTTP/1.0 knows no 1xx
  CHECK(head.empty());
}

// The good fixture's largest file: its identity (177 kB) and brotli (51 kB)
// bodies are large enough to leave by sendfile.
const std::string kVendor = "assets/vendor-react-D-9X1o8U.js";
// The bloated fixture's entry chunk (1.66 MB): more than a loopback socket's
// send buffer takes at once, so sendfile stops part-way and resumes.
const std::string kBloatedEntry = "assets/index-MhFqJ6Zt.js";

TEST_CASE("serve loop: large bodies arrive whole to a slow reader, pipelined, in ranges",
          "[serve_loop]") {
  LoopOptions options;
  options.threads = 1;
  SECTION("good: identity, brotli, a range and a small file between them") {
    LoopScope loop(options);
    std::string vendor = ReadFile(Fixture("good") + "/" + kVendor);
    int fd = Connect(loop.port(), 4096);
    std::string get = "GET /" + kVendor + " HTTP/1.1\r\nHost: x\r\n";
    Send(fd, get + "\r\n" + get + "Accept-Encoding: br\r\n\r\n" + get + "Range: bytes=100000-150000\r\n\r\n" +
                 "GET /favicon.svg HTTP/1.1\r\nHost: x\r\n\r\n" + get + "Connection: close\r\n\r\n");
    std::vector<FramedResponse> responses = SplitResponses(ReadUntilClose(fd, 5000, /*slowly=*/true));
    close(fd);
    REQUIRE(responses.size() == 5);
    for (const FramedResponse& framed : responses) CHECK(framed.complete);
    CHECK(responses[0].response.status == 200);
    CHECK(responses[0].response.body == vendor);
    CHECK(responses[1].response.Header("content-encoding") == "br");
    CHECK(BrotliDecompress(responses[1].response.body) == vendor);
    CHECK(responses[2].response.status == 206);
    CHECK(responses[2].response.body == vendor.substr(100000, 50001));
    CHECK(responses[3].response.body == ReadFile(Fixture("good") + "/favicon.svg"));
    CHECK(responses[4].response.body == vendor);
  }
  SECTION("bloated: a body larger than the send buffer, whole and from an offset") {
    auto source = OpenBundle(Fixture("bloated"));
    IndexOptions index_options;
    index_options.compress_in_memory = false;
    IndexReport report;
    std::shared_ptr<const StaticIndex> index = StaticIndex::Build(*source, index_options, &report);
    LoopScope loop(options, index);
    std::string entry = ReadFile(Fixture("bloated") + "/" + kBloatedEntry);
    REQUIRE(entry.size() > 1'000'000);
    int fd = Connect(loop.port(), 4096);
    std::string get = "GET /" + kBloatedEntry + " HTTP/1.1\r\nHost: x\r\n";
    Send(fd, get + "\r\n" + get + "Range: bytes=1000-\r\nConnection: close\r\n\r\n");
    std::vector<FramedResponse> responses = SplitResponses(ReadUntilClose(fd, 5000, /*slowly=*/true));
    close(fd);
    REQUIRE(responses.size() == 2);
    CHECK(responses[0].complete);
    CHECK(responses[0].response.body == entry);
    CHECK(responses[1].complete);
    CHECK(responses[1].response.status == 206);
    CHECK(responses[1].response.body == entry.substr(1000));
  }
}

TEST_CASE("serve loop: a client that resets mid-body closes only its connection", "[serve_loop]") {
  LoopOptions options;
  options.threads = 2;
  LoopScope loop(options);
  for (int i = 0; i < 10; ++i) {
    int fd = Connect(loop.port(), 4096);
    Send(fd, "GET /" + kVendor + " HTTP/1.1\r\nHost: x\r\n\r\n");
    char buffer[1024];
    pollfd p{fd, POLLIN, 0};
    REQUIRE(poll(&p, 1, 5000) == 1);
    CHECK(recv(fd, buffer, sizeof buffer, 0) > 0);
    // Reset, not FIN: the server's next write to it fails with EPIPE or
    // ECONNRESET, which must not raise SIGPIPE and end this process.
    linger reset{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
    close(fd);
  }
  int fd = Connect(loop.port());
  Send(fd, "GET /favicon.svg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(ParseResponse(ReadUntilClose(fd)).status == 200);
  close(fd);
}

// A TLS server context over a fresh self-signed certificate for localhost.
std::shared_ptr<const TlsServerContext> TestTlsContext(const TempDir& dir, bool http2) {
  PemPair pair = MakeSelfSignedCertificate({"localhost", "127.0.0.1"}, 2);
  WriteFile(dir / "cert.pem", pair.certificate);
  WriteFile(dir / "key.pem", pair.key);
  return std::make_shared<const TlsServerContext>(dir / "cert.pem", dir / "key.pem", http2);
}

// One loop thread serving TLS with that context.
LoopOptions TlsLoopOptions(const TempDir& dir, bool http2) {
  LoopOptions options;
  options.threads = 1;
  options.tls = TestTlsContext(dir, http2);
  return options;
}

// A blocking TLS client on a new connection offering `alpn` (wire format);
// no verification (the test trusts what it just made).
struct TlsClient {
  TlsClient(int port, std::string_view alpn, int receive_buffer = 0) {
    ctx = SSL_CTX_new(TLS_client_method());
    fd = Connect(port, receive_buffer);
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char*>(alpn.data()), static_cast<unsigned>(alpn.size()));
    handshake_ok = SSL_connect(ssl) == 1;
  }
  ~TlsClient() {
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
  }
  void Write(const std::string& bytes) {
    REQUIRE(SSL_write(ssl, bytes.data(), static_cast<int>(bytes.size())) == static_cast<int>(bytes.size()));
  }
  // Everything until the server closes; *clean: it ended with close_notify.
  std::string ReadAll(bool* clean, bool slowly = false) {
    std::string out;
    char buffer[16384];
    while (true) {
      int n = SSL_read(ssl, buffer, slowly ? 4096 : sizeof buffer);
      if (n <= 0) {
        *clean = SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN;
        return out;
      }
      out.append(buffer, static_cast<size_t>(n));
    }
  }
  std::string Alpn() const { return TlsAlpnProtocol(ssl); }

  SSL_CTX* ctx;
  SSL* ssl;
  int fd;
  bool handshake_ok;
};

constexpr std::string_view kOfferBoth("\x02h2\x08http/1.1", 12);

TEST_CASE("serve loop over TLS: HTTP/1.1 keep-alive and pipelining, small and large bodies, close_notify",
          "[serve_loop][tls]") {
  TempDir dir;
  LoopOptions options = TlsLoopOptions(dir, /*http2=*/false);
  LoopScope loop(options);
  std::string vendor = ReadFile(Fixture("good") + "/" + kVendor);
  // A small receive window: SSL_write stops on a full socket and resumes.
  TlsClient client(loop.port(), kOfferBoth, 4096);
  REQUIRE(client.handshake_ok);
  CHECK(client.Alpn() == "http/1.1");  // h2 is offered but off
  std::string get = "GET /" + kVendor + " HTTP/1.1\r\nHost: x\r\n";
  // All in one write: OpenSSL decrypts the later requests while the first
  // answers go out, where epoll cannot see them.
  client.Write(get + "\r\n" + "GET /favicon.svg HTTP/1.1\r\nHost: x\r\n\r\n" + get +
               "Range: bytes=100000-150000\r\n\r\n" + "GET /assets/missing.js HTTP/1.1\r\nHost: x\r\n\r\n" + get +
               "Accept-Encoding: br\r\nConnection: close\r\n\r\n");
  bool clean = false;
  std::vector<FramedResponse> responses = SplitResponses(client.ReadAll(&clean, /*slowly=*/true));
  REQUIRE(responses.size() == 5);
  for (const FramedResponse& framed : responses) CHECK(framed.complete);
  CHECK(responses[0].response.body == vendor);
  CHECK(responses[1].response.body == ReadFile(Fixture("good") + "/favicon.svg"));
  CHECK(responses[2].response.status == 206);
  CHECK(responses[2].response.body == vendor.substr(100000, 50001));
  CHECK(responses[3].response.status == 404);
  CHECK(BrotliDecompress(responses[4].response.body) == vendor);
  CHECK(clean);
}

TEST_CASE("serve loop over TLS: ALPN chooses h2 only when HTTP/2 is on", "[serve_loop][tls]") {
  TempDir dir;
  LoopOptions options = TlsLoopOptions(dir, /*http2=*/true);
  LoopScope loop(options);
  TlsClient both(loop.port(), kOfferBoth);
  REQUIRE(both.handshake_ok);
  CHECK(both.Alpn() == "h2");
  TlsClient http11(loop.port(), std::string_view("\x08http/1.1", 9));
  REQUIRE(http11.handshake_ok);
  CHECK(http11.Alpn() == "http/1.1");
  TlsClient none(loop.port(), "");
  REQUIRE(none.handshake_ok);
  CHECK(none.Alpn().empty());
  none.Write("GET /favicon.svg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  bool clean = false;
  CHECK(ParseResponse(none.ReadAll(&clean)).status == 200);
}

TEST_CASE("serve loop over TLS: ALPN h2 connections are served by Http2Session, idle ones end with GOAWAY",
          "[serve_loop][tls][h2]") {
  TempDir dir;
  LoopOptions options = TlsLoopOptions(dir, /*http2=*/true);
  options.idle_timeout_ms = 300;
  LoopScope loop(options);
  // A small receive window: the session's output waits on EPOLLOUT.
  TlsClient client(loop.port(), kOfferBoth, 4096);
  REQUIRE(client.handshake_ok);
  REQUIRE(client.Alpn() == "h2");
  timeval bound{5, 0};  // a hang guard for the blocking reads below
  setsockopt(client.fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  H2Client h2;
  int32_t vendor_id = h2.Request("GET", "/" + kVendor);
  int32_t icon_id = h2.Request("GET", "/favicon.svg");
  int32_t missing_id = h2.Request("GET", "/assets/missing.js");
  bool ended = false;
  char buffer[16384];
  while (!ended) {
    std::string out = h2.Output();
    if (!out.empty()) client.Write(out);
    int n = SSL_read(client.ssl, buffer, sizeof buffer);
    if (n <= 0) {
      ended = true;
    } else {
      REQUIRE(h2.Receive(std::string_view(buffer, static_cast<size_t>(n))));
    }
  }
  CHECK(h2.response(vendor_id).statuses.back() == 200);
  CHECK(h2.response(vendor_id).body == ReadFile(Fixture("good") + "/" + kVendor));
  CHECK(h2.response(icon_id).body == ReadFile(Fixture("good") + "/favicon.svg"));
  CHECK(h2.response(missing_id).statuses.back() == 404);
  // Then nothing more was asked: after the idle timeout, GOAWAY (NO_ERROR)
  // and close_notify, not a read timeout.
  CHECK(h2.goaway());
  CHECK(h2.goaway_code() == 0);
  CHECK((SSL_get_shutdown(client.ssl) & SSL_RECEIVED_SHUTDOWN) != 0);
}

TEST_CASE("serve loop over TLS: a stalled or plain-text handshake ends only its connection",
          "[serve_loop][tls]") {
  TempDir dir;
  LoopOptions options = TlsLoopOptions(dir, false);
  options.header_timeout_ms = 200;
  LoopScope loop(options);
  // Nothing sent: closed after the header timeout, without an answer.
  int silent = Connect(loop.port());
  CHECK(ReadUntilClose(silent, 5000).empty());
  close(silent);
  // Plain HTTP to the TLS port: the handshake fails, the connection closes.
  int plain = Connect(loop.port());
  Send(plain, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  ReadUntilClose(plain, 5000);
  close(plain);
  TlsClient client(loop.port(), kOfferBoth);
  REQUIRE(client.handshake_ok);
  client.Write("GET /favicon.svg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  bool clean = false;
  CHECK(ParseResponse(client.ReadAll(&clean)).status == 200);
}

}  // namespace
}  // namespace npsbundle::testing
