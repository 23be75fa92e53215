#include "support/serve_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>

namespace npsbundle::testing {

std::string RawResponse::Header(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return "";
}

bool RawResponse::Has(const std::string& lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return true;
  }
  return false;
}

std::vector<std::string> RawResponse::All(const std::string& lower_name) const {
  std::vector<std::string> values;
  for (const auto& [name, value] : headers) {
    if (name == lower_name) values.push_back(value);
  }
  return values;
}

RawResponse ParseResponse(const std::string& raw) {
  RawResponse response;
  response.raw = raw;
  size_t end = raw.find("\r\n\r\n");
  if ((raw.rfind("HTTP/1.1 ", 0) != 0 && raw.rfind("HTTP/1.0 ", 0) != 0) || end == std::string::npos) {
    return response;
  }
  response.status = std::stoi(raw.substr(9, 3));
  size_t pos = raw.find("\r\n") + 2;
  while (pos < end) {
    size_t line_end = raw.find("\r\n", pos);
    std::string line = raw.substr(pos, line_end - pos);
    pos = line_end + 2;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    response.headers.emplace_back(name, value);
  }
  response.body = raw.substr(end + 4);
  return response;
}

namespace {

// True once `data` holds a status line, headers and the Content-Length body
// (a response to HEAD is cut at its headers by the caller's close instead).
bool IsCompleteResponse(const std::string& data) {
  size_t end = data.find("\r\n\r\n");
  if (end == std::string::npos) return false;
  RawResponse head = ParseResponse(data.substr(0, end + 4));
  if (head.status == 304 || !head.Has("content-length")) return head.status == 304;
  return data.size() >= end + 4 + std::stoull(head.Header("content-length"));
}

}  // namespace

std::vector<FramedResponse> SplitResponses(const std::string& raw) {
  std::vector<FramedResponse> responses;
  size_t pos = 0;
  while (pos < raw.size()) {
    FramedResponse framed;
    size_t end = raw.find("\r\n\r\n", pos);
    if (end == std::string::npos) {
      framed.response = ParseResponse(raw.substr(pos));
      responses.push_back(std::move(framed));
      break;
    }
    RawResponse head = ParseResponse(raw.substr(pos, end + 4 - pos));
    uint64_t length = 0;
    if (head.status != 304 && head.Has("content-length")) {
      try {
        length = std::stoull(head.Header("content-length"));
      } catch (const std::exception&) {
        length = raw.size();  // unparsable: take the rest, marked incomplete below
      }
    }
    size_t body_start = end + 4;
    framed.complete = head.status != 0 && raw.size() - body_start >= length;
    size_t next = framed.complete ? body_start + static_cast<size_t>(length) : raw.size();
    framed.response = ParseResponse(raw.substr(pos, next - pos));
    responses.push_back(std::move(framed));
    pos = next;
  }
  return responses;
}

int ConnectLoopback(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int ListenLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot listen on a loopback port");
  }
  *port = ntohs(address.sin_port);
  return fd;
}

std::string ReadRequestHead(int fd) {
  std::string head;
  char buffer[4096];
  ssize_t n;
  while (head.find("\r\n\r\n") == std::string::npos && (n = recv(fd, buffer, sizeof buffer, 0)) > 0) {
    head.append(buffer, static_cast<size_t>(n));
  }
  return head;
}

namespace {

int ConnectOrThrow(int port) {
  int fd = ConnectLoopback(port);
  if (fd < 0) throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + " failed");
  return fd;
}

void SendAll(int fd, const std::string& bytes) {
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may close early on a request it refuses
    sent += static_cast<size_t>(n);
  }
}

}  // namespace

namespace {

// Appends what arrives on `fd` to `out` until `done(out)`, EOF (returns
// true), `idle_ms` without data or `total_ms` in all (returns false).
bool ReadUntil(int fd, std::string* out, int idle_ms, int total_ms,
               const std::function<bool(const std::string&)>& done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(total_ms);
  char buffer[65536];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(std::min<long long>(left, idle_ms))) <= 0) return false;
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return true;
    out->append(buffer, static_cast<size_t>(n));
    if (done(*out)) return false;
  }
}

}  // namespace

Drained SendAndDrain(int port, const std::string& bytes, int idle_ms, int total_ms) {
  int fd = ConnectOrThrow(port);
  SendAll(fd, bytes);
  Drained drained;
  drained.closed = ReadUntil(fd, &drained.raw, idle_ms, total_ms, [](const std::string&) { return false; });
  close(fd);
  return drained;
}

std::string SendRaw(int port, const std::string& bytes, int timeout_ms) {
  int fd = ConnectOrThrow(port);
  SendAll(fd, bytes);
  // No half-close: this library version drops requests from half-closed
  // sockets. Reading stops at the end of the first complete response.
  std::string out;
  ReadUntil(fd, &out, timeout_ms, timeout_ms, IsCompleteResponse);
  close(fd);
  return out;
}

RawResponse Request(int port, const std::string& method, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "Connection: close\r\n\r\n";
  return ParseResponse(SendRaw(port, request));
}

std::shared_ptr<const StaticIndex> GoodIndex() {
  static std::once_flag once;
  static std::shared_ptr<const StaticIndex> index;
  std::call_once(once, [] {
    auto source = OpenBundle(Fixture("good"));
    IndexReport report;
    index = IndexForServe(*source, ServeOptions{}, &report);
  });
  return index;
}

ServerScope::ServerScope(std::shared_ptr<const StaticIndex> index, ServeOptions options) {
  options.host = "127.0.0.1";
  options.port = 0;
  options.quiet = true;
  server_ = std::make_unique<StaticServer>(std::move(index), options, nullptr);
  port_ = server_->Start();
}

ServerScope::~ServerScope() { server_->Stop(); }

TrapBuild::TrapBuild() {
  dist = temp / "dist";
  CopyTree(Fixture("good"), dist);
  WriteFile(temp / "secret.txt", kOutsideSecret);
  WriteFile(temp / "secret.js", kOutsideSecret);
  std::filesystem::create_symlink(temp / "secret.txt", dist + "/leak.txt");
  std::filesystem::create_symlink(temp / "secret.js", dist + "/assets/leak-AbCd1234.js");
  std::filesystem::create_directory_symlink(temp.path(), dist + "/up");
  WriteFile(dist + "/.env", kHiddenSecret);
  WriteFile(dist + "/.git/config", kHiddenSecret);
  WriteFile(dist + "/assets/.hidden.js", kHiddenSecret);
  WriteFile(dist + "/assets/extra.js", std::string(2000, 'x'));
  WriteFile(dist + "/assets/extra.js.br", kHiddenSecret);  // stale: must not leak either
}

ServeOptions TrapBuild::Options(const std::string& base) {
  ServeOptions options;
  options.levels.brotli_quality = 5;
  options.base = base;
  return options;
}

std::shared_ptr<const StaticIndex> TrapBuild::Index(const ServeOptions& options) const {
  auto source = OpenBundle(dist);
  IndexReport report;
  return IndexForServe(*source, options, &report);
}

bool Leaks(const std::string& raw) {
  return raw.find(kOutsideSecret) != std::string::npos || raw.find(kHiddenSecret) != std::string::npos;
}

ServeProcess::ServeProcess(std::vector<std::string> args)
    : NpsbundleProcess([&] {
        args.insert(args.begin(), "serve");
        return args;
      }()) {}

int ServeProcess::WaitForPort(std::chrono::milliseconds timeout) {
  std::string port = WaitFor(std::regex(R"(http://127\.0\.0\.1:(\d+)/)"), timeout);
  return port.empty() ? 0 : std::stoi(port);
}

}  // namespace npsbundle::testing
