#include "http/client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>

#include "core/ascii.h"
#include "core/compression.h"
#include "core/error.h"
#include "core/sigpipe_block.h"
#include "http/client_h2.h"
#include "http/resolver.h"
#include "http/tls.h"

namespace npsbundle {
namespace {

constexpr size_t kMaxHeadBytes = 64 << 10;

[[noreturn]] void Malformed(const std::string& what) {
  throw ClientError(ClientErrorKind::kProtocol, "malformed response: " + what);
}

}  // namespace

std::string Url::Origin() const {
  return std::string(tls ? "https://" : "http://") + HostHeader();
}

std::string Url::HostHeader() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

Url ParseUrl(std::string_view text) {
  std::string display(text);
  Url url;
  std::string_view rest = text;
  if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
  } else if (rest.substr(0, 8) == "https://") {
    url.tls = true;
    rest.remove_prefix(8);
  } else {
    throw InputError(display + ": expected an http:// or https:// URL");
  }
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (authority.find('@') != std::string_view::npos) {
    throw InputError(display + ": credentials in the URL are not supported; use --header");
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) throw InputError(display + ": unclosed '[' in the host");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw InputError(display + ": unexpected text after the host");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) throw InputError(display + ": no host");
  url.port = url.tls ? 443 : 80;
  if (!port_text.empty()) {
    int port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      throw InputError(display + ": bad port \"" + std::string(port_text) + "\"");
    }
    url.port = port;
  }
  size_t fragment = rest.find('#');
  url.target = std::string(rest.substr(0, fragment));
  if (url.target.empty() || url.target.front() == '?') url.target = "/" + url.target;
  return url;
}

std::optional<std::string> ClientResponse::Header(std::string_view name) const {
  std::optional<std::string> value;
  for (const auto& [key, v] : headers) {
    if (key != name) continue;
    value = value ? *value + ", " + v : v;
  }
  return value;
}

std::vector<std::string> ClientResponse::HeaderValues(std::string_view name) const {
  std::vector<std::string> values;
  for (const auto& [key, v] : headers) {
    if (key == name) values.push_back(v);
  }
  return values;
}

// ---- ResponseParser ----

ResponseParser::ResponseParser(bool head_request, size_t max_body_bytes)
    : head_request_(head_request), max_body_bytes_(max_body_bytes) {}

bool ResponseParser::TakeLine(std::string* line) {
  size_t lf = buffer_.find('\n');
  if (lf == std::string::npos) {
    if (buffer_.size() > kMaxHeadBytes) throw ClientError(ClientErrorKind::kTooLarge, "response line too long");
    return false;
  }
  size_t end = lf > 0 && buffer_[lf - 1] == '\r' ? lf - 1 : lf;
  *line = buffer_.substr(0, end);
  buffer_.erase(0, lf + 1);
  return true;
}

void ResponseParser::AppendBody(std::string_view bytes) {
  if (response_.body.size() + bytes.size() > max_body_bytes_) {
    throw ClientError(ClientErrorKind::kTooLarge,
                      "response body larger than " + std::to_string(max_body_bytes_) + " bytes");
  }
  response_.body.append(bytes);
}

bool ResponseParser::ParseHead() {
  // The whole head must be buffered before it is parsed, so a head split
  // across reads is parsed once.
  size_t end = std::string::npos;
  for (size_t lf = buffer_.find('\n'); lf != std::string::npos; lf = buffer_.find('\n', lf + 1)) {
    if (lf + 1 < buffer_.size() && buffer_[lf + 1] == '\n') { end = lf + 2; break; }
    if (lf + 2 < buffer_.size() && buffer_[lf + 1] == '\r' && buffer_[lf + 2] == '\n') { end = lf + 3; break; }
  }
  if (end == std::string::npos) {
    if (buffer_.size() > kMaxHeadBytes) throw ClientError(ClientErrorKind::kTooLarge, "response head over 64 KiB");
    return false;
  }
  if (end > kMaxHeadBytes) throw ClientError(ClientErrorKind::kTooLarge, "response head over 64 KiB");
  std::string line;
  TakeLine(&line);
  // "HTTP/1.1 200 OK"
  if (line.size() < 12 || line.compare(0, 7, "HTTP/1.") != 0 || line[8] != ' ' ||
      !std::isdigit(static_cast<unsigned char>(line[7]))) {
    Malformed("bad status line \"" + line.substr(0, 80) + "\"");
  }
  ClientResponse head;
  head.minor_version = line[7] - '0';
  int status = 0;
  auto [ptr, ec] = std::from_chars(line.data() + 9, line.data() + 12, status);
  if (ec != std::errc() || ptr != line.data() + 12 || status < 100 || status > 999) {
    Malformed("bad status code in \"" + line.substr(0, 80) + "\"");
  }
  head.status = status;
  while (TakeLine(&line) && !line.empty()) {
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0 || line[colon - 1] == ' ') {
      Malformed("bad header line \"" + line.substr(0, 80) + "\"");
    }
    head.headers.emplace_back(AsciiLowered(line.substr(0, colon)), std::string(TrimOws(std::string_view(line).substr(colon + 1))));
  }
  if (status >= 100 && status < 200 && status != 101) {
    response_.informational.push_back(std::move(head));
    return true;  // the final response follows; stay in kHead
  }
  std::vector<ClientResponse> informational = std::move(response_.informational);
  response_ = std::move(head);
  response_.informational = std::move(informational);

  std::string connection = AsciiLowered(response_.Header("connection").value_or(""));
  keep_alive_ = response_.minor_version >= 1 && connection.find("close") == std::string::npos;
  if (head_request_ || status == 204 || status == 304) {
    state_ = State::kDone;
    return true;
  }
  if (auto te = response_.Header("transfer-encoding")) {
    std::string coding = AsciiLowered(*te);
    if (TrimOws(coding).ends_with("chunked")) {
      state_ = State::kChunkSize;
      return true;
    }
    keep_alive_ = false;
    state_ = State::kUntilClose;
    return true;
  }
  std::vector<std::string> lengths = response_.HeaderValues("content-length");
  if (!lengths.empty()) {
    uint64_t length = 0;
    for (size_t i = 0; i < lengths.size(); ++i) {
      uint64_t value = 0;
      const std::string& text = lengths[i];
      auto [p, e] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (e != std::errc() || p != text.data() + text.size()) Malformed("bad Content-Length \"" + text + "\"");
      if (i > 0 && value != length) Malformed("two different Content-Length values");
      length = value;
    }
    if (length > max_body_bytes_) {
      throw ClientError(ClientErrorKind::kTooLarge,
                        "response body of " + std::to_string(length) + " bytes is over the limit");
    }
    remaining_ = length;
    state_ = length == 0 ? State::kDone : State::kLength;
    return true;
  }
  keep_alive_ = false;
  state_ = State::kUntilClose;
  return true;
}

bool ResponseParser::ParseChunkLine() {
  std::string line;
  if (!TakeLine(&line)) return false;
  std::string_view size_text = TrimOws(std::string_view(line).substr(0, line.find(';')));
  uint64_t size = 0;
  auto [ptr, ec] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
  if (size_text.empty() || ec != std::errc() || ptr != size_text.data() + size_text.size()) {
    Malformed("bad chunk size \"" + line.substr(0, 40) + "\"");
  }
  if (size > max_body_bytes_) throw ClientError(ClientErrorKind::kTooLarge, "chunk over the body limit");
  remaining_ = size;
  state_ = size == 0 ? State::kTrailers : State::kChunkData;
  return true;
}

void ResponseParser::Feed(std::string_view data) {
  if (!data.empty()) started_ = true;
  buffer_.append(data);
  while (state_ != State::kDone) {
    switch (state_) {
      case State::kHead:
        if (!ParseHead()) return;
        break;
      case State::kLength:
      case State::kChunkData: {
        size_t take = std::min<uint64_t>(remaining_, buffer_.size());
        AppendBody(std::string_view(buffer_).substr(0, take));
        buffer_.erase(0, take);
        remaining_ -= take;
        if (remaining_ > 0) return;
        state_ = state_ == State::kLength ? State::kDone : State::kChunkEnd;
        break;
      }
      case State::kChunkEnd: {
        std::string line;
        if (!TakeLine(&line)) return;
        if (!line.empty()) Malformed("chunk data longer than its size");
        state_ = State::kChunkSize;
        break;
      }
      case State::kChunkSize:
        if (!ParseChunkLine()) return;
        break;
      case State::kTrailers: {
        std::string line;
        if (!TakeLine(&line)) return;
        if (line.empty()) state_ = State::kDone;
        break;
      }
      case State::kUntilClose:
        AppendBody(buffer_);
        buffer_.clear();
        return;
      case State::kDone:
        return;
    }
  }
}

void ResponseParser::FinishOnClose() {
  if (state_ == State::kUntilClose) {
    state_ = State::kDone;
    keep_alive_ = false;
    return;
  }
  if (state_ != State::kDone) {
    throw ClientError(ClientErrorKind::kProtocol, started_ ? "connection closed mid-response"
                                                           : "connection closed before a response");
  }
}

std::string DecodeBody(const ClientResponse& response) {
  // A 304 (or 204, 1xx) has no content: its Content-Encoding names the
  // representation it stands for (RFC 9110 §15.4.5), so there is nothing to
  // decode. Cloudflare's runtime sends `304` + `Content-Encoding: br`.
  if (response.status == 304 || response.status == 204 || (response.status >= 100 && response.status < 200)) {
    return response.body;
  }
  std::string coding = AsciiLowered(TrimOws(response.Header("content-encoding").value_or("")));
  if (coding.empty() || coding == "identity") return response.body;
  try {
    if (coding == "br") return BrotliDecompress(response.body);
    if (coding == "gzip" || coding == "x-gzip") return GzipDecompress(response.body);
  } catch (const std::exception& e) {
    throw ClientError(ClientErrorKind::kProtocol, "body does not decode as " + coding + ": " + e.what());
  }
  throw ClientError(ClientErrorKind::kProtocol, "unknown Content-Encoding \"" + coding + "\"");
}

// ---- HttpConnection ----

namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<int64_t>(left, 0));
}

// Connects with a deadline (non-blocking connect, then poll), trying each
// address in turn; the socket is left blocking.
int ConnectTo(const Url& url, Clock::time_point deadline) {
  std::vector<ResolvedAddress> addresses;
  try {
    addresses = Resolve(url.host, url.port);
  } catch (const ResolveError& error) {
    throw ClientError(ClientErrorKind::kConnect, error.what());
  }
  std::string last_error = "no address";
  for (size_t i = 0; i < addresses.size(); ++i) {
    int fd = socket(addresses[i].address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&addresses[i].address), addresses[i].length);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      rc = poll(&pfd, 1, RemainingMs(deadline));
      if (rc == 0) {
        close(fd);
        throw ClientError(ClientErrorKind::kConnect, "cannot connect: timed out");
      }
      int error = 0;
      socklen_t length = sizeof error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if (rc > 0 && error == 0) rc = 0; else { errno = error; rc = -1; }
    }
    if (rc == 0) {
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    last_error = std::strerror(errno);
    close(fd);
  }
  throw ClientError(ClientErrorKind::kConnect, "cannot connect: " + last_error);
}

void SetSocketTimeout(int fd, Clock::time_point deadline) {
  int ms = std::max(RemainingMs(deadline), 1);
  timeval tv{ms / 1000, (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace

// A socket and, for https, the TLS session over it.
struct HttpConnection::Transport {
  int fd = -1;
  std::unique_ptr<TlsClientContext> ctx;
  SSL* ssl = nullptr;
  bool http2 = false;  // ALPN chose h2
  ~Transport() {
    SigpipeBlock no_sigpipe;  // close_notify to a peer that has gone
    if (ssl) {
      SSL_shutdown(ssl);
      SSL_free(ssl);
    }
    if (fd >= 0) close(fd);
  }
  // Bytes written or read; 0 on orderly close; throws on error/timeout.
  size_t Read(char* data, size_t size, Clock::time_point deadline) {
    SetSocketTimeout(fd, deadline);
    if (!ssl) {
      ssize_t n;
      do n = recv(fd, data, size, 0); while (n < 0 && errno == EINTR);
      if (n >= 0) return static_cast<size_t>(n);
      if (errno == EAGAIN || errno == EWOULDBLOCK) throw ClientError(ClientErrorKind::kTimeout, "timed out");
      throw ClientError(ClientErrorKind::kProtocol, std::string("read failed: ") + std::strerror(errno));
    }
    size_t got = 0;
    if (SSL_read_ex(ssl, data, size, &got) == 1) return got;
    int error = SSL_get_error(ssl, 0);
    if (error == SSL_ERROR_ZERO_RETURN) return 0;
    if (error == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      throw ClientError(ClientErrorKind::kTimeout, "timed out");
    }
    // A peer that closes without close_notify (common) ends the stream too.
    if (error == SSL_ERROR_SYSCALL || error == SSL_ERROR_SSL) {
      ERR_clear_error();
      return 0;
    }
    throw ClientError(ClientErrorKind::kProtocol, "TLS read failed: " + OpenSslErrorText());
  }
  void WriteAll(std::string_view bytes, Clock::time_point deadline) {
    SetSocketTimeout(fd, deadline);
    while (!bytes.empty()) {
      size_t sent = 0;
      if (ssl) {
        if (SSL_write_ex(ssl, bytes.data(), bytes.size(), &sent) != 1) {
          throw ClientError(ClientErrorKind::kProtocol, "TLS write failed: " + OpenSslErrorText());
        }
      } else {
        ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          if (errno == EAGAIN || errno == EWOULDBLOCK) throw ClientError(ClientErrorKind::kTimeout, "timed out");
          throw ClientError(ClientErrorKind::kProtocol, std::string("write failed: ") + std::strerror(errno));
        }
        sent = static_cast<size_t>(n);
      }
      bytes.remove_prefix(sent);
    }
  }
};

namespace {

void StartTls(const Url& url, const ClientOptions& options, std::unique_ptr<TlsClientContext>* ctx_out,
              SSL** ssl_out, int fd, Clock::time_point deadline) {
  *ctx_out = std::make_unique<TlsClientContext>(!options.insecure, options.ca_file);
  SSL* ssl = (*ctx_out)->NewSession(fd, url.host);
  *ssl_out = ssl;
  if (options.http2) {
    // h2 first, as browsers offer it: a server that speaks it answers them so.
    static const unsigned char kAlpn[] = "\x02h2\x08http/1.1";
    SSL_set_alpn_protos(ssl, kAlpn, sizeof kAlpn - 1);
  }
  SetSocketTimeout(fd, deadline);
  if (SSL_connect(ssl) != 1) {
    bool certificate = SSL_get_verify_result(ssl) != X509_V_OK;
    throw ClientError(ClientErrorKind::kTls,
                      "TLS handshake failed: " + TlsHandshakeFailure(ssl) +
                          (certificate ? " (--cacert FILE trusts it, --insecure skips the check)" : ""));
  }
}

}  // namespace

HttpConnection::HttpConnection(Url origin, ClientOptions options)
    : origin_(std::move(origin)), options_(std::move(options)) {}

HttpConnection::~HttpConnection() = default;

ClientResponse HttpConnection::Exchange(std::string_view method, std::string_view target,
                                        const std::vector<std::pair<std::string, std::string>>& headers,
                                        bool* reused_and_silent) {
  // OpenSSL writes with write(2), which has no MSG_NOSIGNAL: a server that
  // closed an idle connection would otherwise kill the process.
  SigpipeBlock no_sigpipe;
  Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(options_.timeout_ms);
  bool reused = transport_ != nullptr;
  if (!transport_) {
    auto transport = std::make_unique<Transport>();
    transport->fd = ConnectTo(origin_, deadline);
    if (origin_.tls) {
      StartTls(origin_, options_, &transport->ctx, &transport->ssl, transport->fd, deadline);
      const unsigned char* protocol = nullptr;
      unsigned int length = 0;
      SSL_get0_alpn_selected(transport->ssl, &protocol, &length);
      transport->http2 = std::string_view(reinterpret_cast<const char*>(protocol), length) == "h2";
    }
    transport_ = std::move(transport);
    ++connections_opened_;
  }
  if (transport_->http2) {
    // One request per connection: the session ends with it.
    std::unique_ptr<Transport> transport = std::move(transport_);
    Http2Io io{[&](char* data, size_t size) {
                 if (RemainingMs(deadline) == 0) throw ClientError(ClientErrorKind::kTimeout, "timed out");
                 return transport->Read(data, size, deadline);
               },
               [&](std::string_view bytes) { transport->WriteAll(bytes, deadline); }};
    std::string authority = origin_.HostHeader();
    try {
      return Http2Exchange(io, {method, "https", authority, target, &headers}, options_.max_body_bytes);
    } catch (const ClientError& e) {
      if (e.kind() != ClientErrorKind::kTimeout) throw;
      throw ClientError(ClientErrorKind::kTimeout,
                        "no complete response within " + std::to_string(options_.timeout_ms) + " ms");
    }
  }
  std::string request = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: " +
                        origin_.HostHeader() + "\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "\r\n";
  ResponseParser parser(method == "HEAD", options_.max_body_bytes);
  try {
    transport_->WriteAll(request, deadline);
    char buffer[64 << 10];
    while (!parser.done()) {
      if (RemainingMs(deadline) == 0) throw ClientError(ClientErrorKind::kTimeout, "timed out");
      size_t n = transport_->Read(buffer, sizeof buffer, deadline);
      if (n == 0) {
        parser.FinishOnClose();
        break;
      }
      parser.Feed(std::string_view(buffer, n));
    }
  } catch (const ClientError& e) {
    transport_.reset();
    *reused_and_silent = reused && !parser.started() && e.kind() != ClientErrorKind::kTimeout;
    if (e.kind() == ClientErrorKind::kTimeout) {
      throw ClientError(ClientErrorKind::kTimeout,
                        "no complete response within " + std::to_string(options_.timeout_ms) + " ms");
    }
    throw;
  }
  if (!parser.keep_alive() || !parser.leftover().empty()) transport_.reset();
  return parser.Take();
}

ClientResponse HttpConnection::Request(std::string_view method, std::string_view target,
                                       const std::vector<std::pair<std::string, std::string>>& headers) {
  bool retry = false;
  try {
    return Exchange(method, target, headers, &retry);
  } catch (const ClientError&) {
    if (!retry) throw;
  }
  return Exchange(method, target, headers, &retry);
}

}  // namespace npsbundle
