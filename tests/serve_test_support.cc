#include "serve_test_support.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <stdexcept>

#include "test_support.h"

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
  if (raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return response;
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

std::string SendRaw(int port, const std::string& bytes, int timeout_ms) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    throw std::runtime_error("connect failed");
  }
  size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  // No half-close: this library version drops requests from half-closed
  // sockets. Reading stops at the end of the first complete response.
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buffer[65536];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    out.append(buffer, static_cast<size_t>(n));
    if (IsCompleteResponse(out)) break;
  }
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

}  // namespace npsbundle::testing
