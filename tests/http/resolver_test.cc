#include "http/resolver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "support/test_support.h"

namespace npsbundle {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;


std::string U16(uint16_t value) { return {static_cast<char>(value >> 8), static_cast<char>(value & 0xFF)}; }

std::string EncodeName(const std::string& name) {
  std::string out;
  size_t at = 0;
  while (at < name.size()) {
    size_t dot = name.find('.', at);
    if (dot == std::string::npos) dot = name.size();
    out += static_cast<char>(dot - at);
    out += name.substr(at, dot - at);
    at = dot + 1;
  }
  return out + '\0';
}

struct Record {
  std::string owner;  // "@" is a compression pointer to the question name
  uint16_t type;
  std::string data;   // raw rdata (addresses) or a name for CNAME
};

std::string V4(const char* text) {
  std::string out(4, '\0');
  inet_pton(AF_INET, text, out.data());
  return out;
}
std::string V6(const char* text) {
  std::string out(16, '\0');
  inet_pton(AF_INET6, text, out.data());
  return out;
}

std::string Response(uint16_t id, const std::string& name, uint16_t type, uint16_t flags,
                     const std::vector<Record>& records) {
  std::string out = U16(id) + U16(0x8180 | flags) + U16(1) + U16(static_cast<uint16_t>(records.size())) + U16(0) + U16(0);
  out += EncodeName(name) + U16(type) + U16(1);
  for (const Record& record : records) {
    out += record.owner == "@" ? std::string("\xC0\x0C", 2) : EncodeName(record.owner);
    std::string data = record.type == kDnsTypeCname ? EncodeName(record.data) : record.data;
    out += U16(record.type) + U16(1) + U16(0) + U16(60) + U16(static_cast<uint16_t>(data.size())) + data;
  }
  return out;
}

struct Question {
  uint16_t id = 0;
  std::string name;
  uint16_t type = 0;
  bool tcp = false;
};

Question ParseQuestion(const std::string& packet) {
  Question q;
  q.id = static_cast<uint16_t>(static_cast<uint8_t>(packet[0]) << 8 | static_cast<uint8_t>(packet[1]));
  size_t at = 12;
  while (at < packet.size() && packet[at] != 0) {
    size_t length = static_cast<uint8_t>(packet[at]);
    if (!q.name.empty()) q.name += '.';
    q.name += packet.substr(at + 1, length);
    at += 1 + length;
  }
  q.type = static_cast<uint16_t>(static_cast<uint8_t>(packet[at + 1]) << 8 | static_cast<uint8_t>(packet[at + 2]));
  return q;
}

// A tiny DNS server on 127.0.0.1 (UDP and TCP on one ephemeral port): the
// handler returns the datagrams to send back, none for a silent server.
class TestNameserver {
 public:
  using Handler = std::function<std::vector<std::string>(const Question&)>;
  explicit TestNameserver(Handler handler) : handler_(std::move(handler)) {
    udp_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(udp_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t length = sizeof address;
    getsockname(udp_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    tcp_ = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(bind(tcp_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    listen(tcp_, 4);
    thread_ = std::thread([this] { Run(); });
  }
  ~TestNameserver() {
    stop_ = true;
    thread_.join();
    close(udp_);
    close(tcp_);
  }
  int port() const { return port_; }
  std::vector<std::string> asked;  // names in the order they came (read after Resolve returns)

 private:
  void Run() {
    while (!stop_) {
      pollfd fds[2] = {{udp_, POLLIN, 0}, {tcp_, POLLIN, 0}};
      if (poll(fds, 2, 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        char buffer[512];
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        ssize_t n = recvfrom(udp_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&peer), &length);
        if (n < 12) continue;
        Question q = ParseQuestion(std::string(buffer, static_cast<size_t>(n)));
        asked.push_back(q.name);
        for (const std::string& reply : handler_(q)) {
          sendto(udp_, reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&peer), length);
        }
      }
      if (fds[1].revents & POLLIN) {
        int client = accept(tcp_, nullptr, nullptr);
        std::string data;
        char buffer[512];
        ssize_t n;
        while ((data.size() < 2 || data.size() < 2u + (static_cast<uint8_t>(data[0]) << 8 | static_cast<uint8_t>(data[1]))) &&
               (n = recv(client, buffer, sizeof buffer, 0)) > 0) {
          data.append(buffer, static_cast<size_t>(n));
        }
        Question q = ParseQuestion(data.substr(2));
        q.tcp = true;
        for (const std::string& reply : handler_(q)) {
          std::string framed = U16(static_cast<uint16_t>(reply.size())) + reply;
          send(client, framed.data(), framed.size(), MSG_NOSIGNAL);
        }
        close(client);
      }
    }
  }

  Handler handler_;
  int udp_ = -1;
  int tcp_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

struct StubSetup {
  TempDir dir;
  ResolverOptions options;
  StubSetup(int port, const std::string& resolv_conf = "nameserver 127.0.0.1\n") {
    WriteFile(dir / "resolv.conf", resolv_conf);
    options.use_system = false;
    options.hosts_path = dir / "no-hosts";
    options.resolv_conf_path = dir / "resolv.conf";
    options.dns_port = port;
    options.total_timeout_ms = 3000;
  }
};

std::string Text(const ResolvedAddress& address) {
  char buffer[INET6_ADDRSTRLEN] = {};
  if (address.address.ss_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(&address.address);
    inet_ntop(AF_INET, &in->sin_addr, buffer, sizeof buffer);
    return std::string(buffer) + ":" + std::to_string(ntohs(in->sin_port));
  }
  auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address.address);
  inet_ntop(AF_INET6, &in6->sin6_addr, buffer, sizeof buffer);
  return "[" + std::string(buffer) + "]:" + std::to_string(ntohs(in6->sin6_port));
}

std::vector<std::string> Texts(const std::vector<ResolvedAddress>& addresses) {
  std::vector<std::string> out;
  for (const ResolvedAddress& address : addresses) out.push_back(Text(address));
  return out;
}

std::string ResolveFailure(const std::string& host, const ResolverOptions& options) {
  try {
    Resolve(host, 80, options);
  } catch (const ResolveError& error) {
    return error.what();
  }
  return "(resolved)";
}

TEST_CASE("resolver: literals and localhost need no lookup", "[resolver]") {
  ResolverOptions options;
  options.use_system = false;
  options.resolv_conf_path = "/nonexistent/resolv.conf";
  options.dns_port = 1;
  CHECK(Texts(Resolve("192.0.2.4", 8080, options)) == std::vector<std::string>{"192.0.2.4:8080"});
  CHECK(Texts(Resolve("[2001:db8::2]", 443, options)) == std::vector<std::string>{"[2001:db8::2]:443"});
  CHECK(Texts(Resolve("::1", 1, options)) == std::vector<std::string>{"[::1]:1"});
  CHECK(Texts(Resolve("LocalHost", 5173, options)) == std::vector<std::string>{"127.0.0.1:5173", "[::1]:5173"});
}

TEST_CASE("resolver: the hosts file comes before DNS", "[resolver]") {
  TempDir dir;
  WriteFile(dir / "hosts", "# comment\n127.0.0.1 localhost\n10.0.0.5\tbackend backend.local  # api\n"
                           "2001:db8::5 Backend\n\n10.0.0.6 other\n");
  CHECK(HostsFileAddresses(ReadFile(dir / "hosts"), "BACKEND") == std::vector<std::string>{"10.0.0.5", "2001:db8::5"});
  CHECK(HostsFileAddresses(ReadFile(dir / "hosts"), "api").empty());
  ResolverOptions options;
  options.use_system = false;
  options.hosts_path = dir / "hosts";
  options.resolv_conf_path = dir / "none";
  options.dns_port = 1;
  CHECK(Texts(Resolve("backend.local", 80, options)) == std::vector<std::string>{"10.0.0.5:80"});
  CHECK(Texts(Resolve("backend", 81, options)) == std::vector<std::string>{"10.0.0.5:81", "[2001:db8::5]:81"});
}

TEST_CASE("resolver: resolv.conf options", "[resolver]") {
  ResolvConf conf = ParseResolvConf(
      "# generated\nnameserver 10.0.0.2\nnameserver fe80::1 ; trailing\nnameserver not-an-address\n"
      "domain old.example\nsearch corp.example svc.cluster.local\noptions ndots:5 timeout:2 attempts:3 rotate\n"
      "nameserver 10.0.0.3\nnameserver 10.0.0.4\n");
  CHECK(conf.nameservers == std::vector<std::string>{"10.0.0.2", "fe80::1", "10.0.0.3"});
  CHECK(conf.search == std::vector<std::string>{"corp.example", "svc.cluster.local"});
  CHECK(conf.ndots == 5);
  CHECK(conf.timeout_s == 2);
  CHECK(conf.attempts == 3);
  ResolvConf empty = ParseResolvConf("options timeout:999 ndots:x\n");
  CHECK(empty.nameservers == std::vector<std::string>{"127.0.0.1"});
  CHECK(empty.timeout_s == 30);
  CHECK(empty.ndots == 1);
}

TEST_CASE("resolver: A, AAAA and CNAME answers from the stub client", "[resolver]") {
  TestNameserver server([](const Question& q) -> std::vector<std::string> {
    if (q.name == "app.test" && q.type == kDnsTypeA) return {Response(q.id, q.name, q.type, 0, {{"@", kDnsTypeA, V4("192.0.2.1")}})};
    if (q.name == "app.test") return {Response(q.id, q.name, q.type, 0, {{"@", kDnsTypeAaaa, V6("2001:db8::1")}})};
    if (q.name == "www.test" && q.type == kDnsTypeA) {
      return {Response(q.id, q.name, q.type, 0,
                       {{"@", kDnsTypeCname, "edge.test"}, {"other.test", kDnsTypeA, V4("192.0.2.66")},
                        {"edge.test", kDnsTypeCname, "app.test"}, {"app.test", kDnsTypeA, V4("192.0.2.1")}})};
    }
    if (q.name == "www.test") return {Response(q.id, q.name, q.type, 0, {})};  // no AAAA
    return {Response(q.id, q.name, q.type, 3, {})};
  });
  StubSetup setup(server.port());
  CHECK(Texts(Resolve("app.test", 443, setup.options)) == std::vector<std::string>{"192.0.2.1:443", "[2001:db8::1]:443"});
  CHECK(Texts(Resolve("www.test", 80, setup.options)) == std::vector<std::string>{"192.0.2.1:80"});
  CHECK(ResolveFailure("missing.test", setup.options) == "cannot resolve missing.test: no such host");
}

TEST_CASE("resolver: an answer with the wrong ID or question is ignored", "[resolver]") {
  TestNameserver server([](const Question& q) -> std::vector<std::string> {
    if (q.type != kDnsTypeA) return {Response(q.id, q.name, q.type, 0, {})};
    return {Response(q.id ^ 1, q.name, q.type, 0, {{"@", kDnsTypeA, V4("192.0.2.99")}}),
            Response(q.id, "evil.test", q.type, 0, {{"@", kDnsTypeA, V4("192.0.2.98")}}),
            Response(q.id, q.name, q.type, 0, {{"@", kDnsTypeA, V4("192.0.2.1")}})};
  });
  StubSetup setup(server.port());
  CHECK(Texts(Resolve("app.test", 80, setup.options)) == std::vector<std::string>{"192.0.2.1:80"});
}

TEST_CASE("resolver: a truncated answer is asked again over TCP", "[resolver]") {
  TestNameserver server([](const Question& q) -> std::vector<std::string> {
    if (q.type != kDnsTypeA) return {Response(q.id, q.name, q.type, 0, {})};
    if (!q.tcp) return {Response(q.id, q.name, q.type, 0x0200, {})};
    return {Response(q.id, q.name, q.type, 0, {{"@", kDnsTypeA, V4("192.0.2.7")}, {"@", kDnsTypeA, V4("192.0.2.8")}})};
  });
  StubSetup setup(server.port());
  CHECK(Texts(Resolve("big.test", 80, setup.options)) == std::vector<std::string>{"192.0.2.7:80", "192.0.2.8:80"});
}

TEST_CASE("resolver: search domains and ndots order the names asked", "[resolver]") {
  TestNameserver server([](const Question& q) -> std::vector<std::string> {
    if (q.name == "db.corp.test" && q.type == kDnsTypeA) return {Response(q.id, q.name, q.type, 0, {{"@", kDnsTypeA, V4("10.1.1.1")}})};
    if (q.name == "db.corp.test") return {Response(q.id, q.name, q.type, 0, {})};
    return {Response(q.id, q.name, q.type, 3, {})};
  });
  StubSetup setup(server.port(), "nameserver 127.0.0.1\nsearch none.test corp.test\n");
  CHECK(Texts(Resolve("db", 5432, setup.options)) == std::vector<std::string>{"10.1.1.1:5432"});
  CHECK(server.asked.front() == "db.none.test");
  server.asked.clear();
  CHECK(ResolveFailure("db.", setup.options) == "cannot resolve db.: no such host");
  CHECK(server.asked == std::vector<std::string>{"db"});
}

TEST_CASE("resolver: a silent nameserver times out with a one-line error", "[resolver]") {
  TestNameserver server([](const Question&) -> std::vector<std::string> { return {}; });
  StubSetup setup(server.port(), "nameserver 127.0.0.1\noptions timeout:1\n");
  setup.options.total_timeout_ms = 300;
  std::string error = ResolveFailure("quiet.test", setup.options);
  CHECK(error == "cannot resolve quiet.test: no answer from the nameserver in time");
}

TEST_CASE("resolver: the answer parser refuses malformed packets", "[resolver]") {
  std::string good = Response(7, "a.test", kDnsTypeA, 0, {{"@", kDnsTypeA, V4("192.0.2.1")}});
  REQUIRE(ParseDnsAnswer(good));
  CHECK(ParseDnsAnswer(good)->addresses.size() == 1);
  // Every cut of a good packet is refused (none reads past the end).
  for (size_t cut = 0; cut < good.size(); ++cut) CHECK_FALSE(ParseDnsAnswer(good.substr(0, cut)));
  // A query (QR bit clear) is not an answer.
  std::string query = BuildDnsQuery(7, "a.test", kDnsTypeA);
  CHECK_FALSE(ParseDnsAnswer(query));
  // A compression pointer that points at itself, and two that point at each other.
  std::string header = U16(7) + U16(0x8180) + U16(1) + U16(0) + U16(0) + U16(0);
  CHECK_FALSE(ParseDnsAnswer(header + std::string("\xC0\x0C", 2) + U16(1) + U16(1)));
  CHECK_FALSE(ParseDnsAnswer(header + std::string("\xC0\x0E\xC0\x0C", 4) + U16(1) + U16(1)));
  // A label longer than the packet; a reserved label type.
  CHECK_FALSE(ParseDnsAnswer(header + std::string("\x3F" "abc", 4)));
  CHECK_FALSE(ParseDnsAnswer(header + std::string("\x41" "a\0", 3) + U16(1) + U16(1)));
  // An A record whose data is not four bytes.
  std::string bad_length = Response(7, "a.test", kDnsTypeA, 0, {{"@", kDnsTypeA, "\x01\x02\x03"}});
  CHECK_FALSE(ParseDnsAnswer(bad_length));
  // A CNAME loop ends; no address is taken from it.
  auto loop = ParseDnsAnswer(Response(7, "a.test", kDnsTypeA, 0,
                                      {{"@", kDnsTypeCname, "b.test"}, {"b.test", kDnsTypeCname, "a.test"}}));
  REQUIRE(loop);
  CHECK(loop->addresses.empty());
  CHECK_THROWS_AS(BuildDnsQuery(1, "a..test", kDnsTypeA), ResolveError);
  CHECK_THROWS_AS(BuildDnsQuery(1, std::string(64, 'x') + ".test", kDnsTypeA), ResolveError);
}

}  // namespace
}  // namespace npsbundle
