#include "http/resolver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

#include "core/ascii.h"
#include "core/read_file.h"

namespace npsbundle {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (at < line.size()) {
    size_t start = line.find_first_not_of(" \t\r", at);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t\r", start);
    if (end == std::string_view::npos) end = line.size();
    out.push_back(line.substr(start, end - start));
    at = end;
  }
  return out;
}

// Lines of `text` with comments (from '#' or ';') removed.
template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  size_t at = 0;
  while (at <= text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    line = line.substr(0, std::min(line.find('#'), line.find(';')));
    fn(Words(line));
    at = end + 1;
  }
}

int BoundedInt(std::string_view text, int low, int high, int fallback) {
  if (text.empty() || text.size() > 6) return fallback;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return fallback;
    value = value * 10 + (c - '0');
  }
  return std::clamp(value, low, high);
}

// ---- DNS wire format (RFC 1035 section 4) ----

struct Reader {
  std::string_view packet;
  size_t at = 0;
  bool ok = true;

  uint16_t U16() {
    if (at + 2 > packet.size()) { ok = false; return 0; }
    uint16_t value = static_cast<uint16_t>(static_cast<uint8_t>(packet[at]) << 8 | static_cast<uint8_t>(packet[at + 1]));
    at += 2;
    return value;
  }
  // A possibly compressed name starting at `at`; `at` moves past its
  // in-place part. Pointers are followed at most kMaxJumps times, so a loop ends.
  std::string Name() {
    static constexpr int kMaxJumps = 32;
    std::string name;
    size_t pos = at;
    bool jumped = false;
    for (int jumps = 0;;) {
      if (pos >= packet.size()) { ok = false; return {}; }
      uint8_t length = static_cast<uint8_t>(packet[pos]);
      if ((length & 0xC0) == 0xC0) {
        if (pos + 2 > packet.size() || ++jumps > kMaxJumps) { ok = false; return {}; }
        if (!jumped) at = pos + 2;
        jumped = true;
        pos = static_cast<size_t>(length & 0x3F) << 8 | static_cast<uint8_t>(packet[pos + 1]);
        continue;
      }
      if (length & 0xC0) { ok = false; return {}; }  // the reserved label types
      if (length == 0) {
        if (!jumped) at = pos + 1;
        return AsciiLowered(name);
      }
      if (pos + 1 + length > packet.size() || name.size() + length + 1 > 255) { ok = false; return {}; }
      if (!name.empty()) name += '.';
      name.append(packet.substr(pos + 1, length));
      pos += 1 + length;
    }
  }
};

void PutU16(std::string* out, uint16_t value) {
  out->push_back(static_cast<char>(value >> 8));
  out->push_back(static_cast<char>(value & 0xFF));
}

uint16_t RandomId() {
  static thread_local std::mt19937 generator{std::random_device{}()};
  return static_cast<uint16_t>(generator());
}

// ---- the stub client ----

enum class QueryOutcome { kAnswer, kNoName, kRetry };

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<int64_t>(left, 0));
}

// Waits for `events` on `fd` until `deadline`; false on timeout or error.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd pfd{fd, events, 0};
    int rc = poll(&pfd, 1, RemainingMs(deadline));
    if (rc > 0) return true;
    if (rc == 0 || errno != EINTR) return false;
  }
}

struct Socket {
  int fd = -1;
  explicit Socket(int value) : fd(value) {}
  ~Socket() { if (fd >= 0) close(fd); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
};

// The same question in the answer as in the query: a stray or spoofed
// datagram with a guessed ID but another name does not count.
bool Matches(const DnsAnswer& answer, uint16_t id, const std::string& name, uint16_t type) {
  return answer.id == id && answer.question == AsciiLowered(name) && answer.question_type == type;
}

// RFC 7766: a truncated UDP answer is asked again over TCP, length-prefixed.
std::optional<DnsAnswer> QueryTcp(const ResolvedAddress& server, const std::string& query, Clock::time_point deadline) {
  Socket socket_fd(socket(server.address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (socket_fd.fd < 0) return std::nullopt;
  int fd = socket_fd.fd;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&server.address), server.length) != 0) {
    if (errno != EINPROGRESS || !WaitFor(fd, POLLOUT, deadline)) return std::nullopt;
    int error = 0;
    socklen_t length = sizeof error;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    if (error != 0) return std::nullopt;
  }
  std::string framed;
  PutU16(&framed, static_cast<uint16_t>(query.size()));
  framed += query;
  for (size_t sent = 0; sent < framed.size();) {
    if (!WaitFor(fd, POLLOUT, deadline)) return std::nullopt;
    ssize_t n = send(fd, framed.data() + sent, framed.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return std::nullopt;
    if (n > 0) sent += static_cast<size_t>(n);
  }
  std::string received;
  size_t wanted = 2;
  char buffer[4096];
  while (received.size() < wanted) {
    if (!WaitFor(fd, POLLIN, deadline)) return std::nullopt;
    ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) return std::nullopt;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return std::nullopt;
    }
    received.append(buffer, static_cast<size_t>(n));
    if (received.size() >= 2) {
      wanted = 2 + (static_cast<uint8_t>(received[0]) << 8 | static_cast<uint8_t>(received[1]));
    }
  }
  return ParseDnsAnswer(std::string_view(received).substr(2, wanted - 2));
}

QueryOutcome Query(const ResolvedAddress& server, const std::string& name, uint16_t type, int attempt_ms,
                   Clock::time_point deadline, std::vector<std::string>* addresses, std::string* why) {
  uint16_t id = RandomId();
  std::string query = BuildDnsQuery(id, name, type);
  Socket socket_fd(socket(server.address.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  // connect() makes the kernel drop datagrams from any other source address.
  if (socket_fd.fd < 0 ||
      connect(socket_fd.fd, reinterpret_cast<const sockaddr*>(&server.address), server.length) != 0 ||
      send(socket_fd.fd, query.data(), query.size(), 0) != static_cast<ssize_t>(query.size())) {
    *why = std::string("cannot query the nameserver: ") + std::strerror(errno);
    return QueryOutcome::kRetry;
  }
  auto attempt_end = std::min(deadline, Clock::now() + std::chrono::milliseconds(attempt_ms));
  char buffer[4096];
  for (;;) {
    if (!WaitFor(socket_fd.fd, POLLIN, attempt_end)) {
      *why = "no answer from the nameserver in time";
      return QueryOutcome::kRetry;
    }
    ssize_t n = recv(socket_fd.fd, buffer, sizeof buffer, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      *why = std::string("nameserver unreachable: ") + std::strerror(errno);
      return QueryOutcome::kRetry;
    }
    std::optional<DnsAnswer> answer = ParseDnsAnswer(std::string_view(buffer, static_cast<size_t>(n)));
    if (!answer || !Matches(*answer, id, name, type)) continue;  // not ours: keep waiting
    if (answer->truncated) {
      answer = QueryTcp(server, query, deadline);
      if (!answer || !Matches(*answer, id, name, type)) {
        *why = "the answer was truncated and the nameserver gave none over TCP";
        return QueryOutcome::kRetry;
      }
    }
    if (answer->rcode == 3) return QueryOutcome::kNoName;
    if (answer->rcode != 0) {
      *why = "the nameserver failed (DNS rcode " + std::to_string(answer->rcode) + ")";
      return QueryOutcome::kRetry;
    }
    *addresses = std::move(answer->addresses);
    return QueryOutcome::kAnswer;
  }
}

// The names to ask for, in order, following resolv.conf(5): a name with at
// least `ndots` dots (or a trailing dot) is tried as given first.
std::vector<std::string> Candidates(const std::string& host, const ResolvConf& conf) {
  if (!host.empty() && host.back() == '.') return {host.substr(0, host.size() - 1)};
  std::vector<std::string> out;
  bool absolute_first = std::count(host.begin(), host.end(), '.') >= conf.ndots;
  if (absolute_first) out.push_back(host);
  for (const std::string& domain : conf.search) out.push_back(host + "." + domain);
  if (!absolute_first) out.push_back(host);
  return out;
}

std::vector<ResolvedAddress> StubResolve(const std::string& host, int port, const ResolverOptions& options) {
  ResolvConf conf = ParseResolvConf(ReadSmallFile(options.resolv_conf_path).value_or(""));
  std::vector<ResolvedAddress> servers;
  for (const std::string& server : conf.nameservers) {
    if (auto address = NumericAddress(server, options.dns_port)) servers.push_back(*address);
  }
  if (servers.empty()) throw ResolveError("cannot resolve " + host + ": no usable nameserver in " + options.resolv_conf_path);
  auto deadline = Clock::now() + std::chrono::milliseconds(std::max(options.total_timeout_ms, 1));
  int attempt_ms = conf.timeout_s * 1000;
  std::string why = "no such host";
  for (const std::string& name : Candidates(host, conf)) {
    std::vector<ResolvedAddress> out;
    bool no_name = false;
    for (uint16_t type : {kDnsTypeA, kDnsTypeAaaa}) {
      std::vector<std::string> raw;
      QueryOutcome outcome = QueryOutcome::kRetry;
      for (int attempt = 0; attempt < conf.attempts && outcome == QueryOutcome::kRetry; ++attempt) {
        for (const ResolvedAddress& server : servers) {
          if (RemainingMs(deadline) == 0) throw ResolveError("cannot resolve " + host + ": " + why);
          outcome = Query(server, name, type, attempt_ms, deadline, &raw, &why);
          if (outcome != QueryOutcome::kRetry) break;
        }
      }
      if (outcome == QueryOutcome::kRetry) throw ResolveError("cannot resolve " + host + ": " + why);
      if (outcome == QueryOutcome::kNoName) {
        no_name = true;
        break;
      }
      for (const std::string& bytes : raw) {
        ResolvedAddress address;
        if (bytes.size() == 4) {
          auto* in = reinterpret_cast<sockaddr_in*>(&address.address);
          in->sin_family = AF_INET;
          in->sin_port = htons(static_cast<uint16_t>(port));
          std::memcpy(&in->sin_addr, bytes.data(), 4);
          address.length = sizeof(sockaddr_in);
        } else {
          auto* in6 = reinterpret_cast<sockaddr_in6*>(&address.address);
          in6->sin6_family = AF_INET6;
          in6->sin6_port = htons(static_cast<uint16_t>(port));
          std::memcpy(&in6->sin6_addr, bytes.data(), 16);
          address.length = sizeof(sockaddr_in6);
        }
        out.push_back(address);
      }
    }
    if (!out.empty()) return out;
    why = no_name ? "no such host" : "the name has no address";
  }
  throw ResolveError("cannot resolve " + host + ": " + why);
}

std::vector<ResolvedAddress> SystemResolve(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* results = nullptr;
  int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &results);
  if (rc != 0) throw ResolveError("cannot resolve " + host + ": " + gai_strerror(rc));
  std::vector<ResolvedAddress> out;
  for (addrinfo* ai = results; ai; ai = ai->ai_next) {
    ResolvedAddress address;
    std::memcpy(&address.address, ai->ai_addr, ai->ai_addrlen);
    address.length = ai->ai_addrlen;
    out.push_back(address);
  }
  freeaddrinfo(results);
  if (out.empty()) throw ResolveError("cannot resolve " + host + ": no address");
  return out;
}

}  // namespace

std::optional<ResolvedAddress> NumericAddress(std::string_view host, int port) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  std::string text(host);
  ResolvedAddress out;
  auto* in = reinterpret_cast<sockaddr_in*>(&out.address);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.address);
  if (inet_pton(AF_INET, text.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(port));
    out.length = sizeof(sockaddr_in);
    return out;
  }
  if (inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(port));
    out.length = sizeof(sockaddr_in6);
    return out;
  }
  return std::nullopt;
}

std::vector<ResolvedAddress> Resolve(const std::string& host, int port, const ResolverOptions& options) {
  if (auto numeric = NumericAddress(host, port)) return {*numeric};
  if (host.empty()) throw ResolveError("cannot resolve an empty host name");
  std::string name = AsciiLowered(host);
  if (name == "localhost" || name == "localhost.") {
    return {*NumericAddress("127.0.0.1", port), *NumericAddress("::1", port)};
  }
  if (auto hosts = ReadSmallFile(options.hosts_path)) {
    std::vector<ResolvedAddress> out;
    for (const std::string& text : HostsFileAddresses(*hosts, name)) {
      if (auto address = NumericAddress(text, port)) out.push_back(*address);
    }
    if (!out.empty()) return out;
  }
  return options.use_system ? SystemResolve(host, port) : StubResolve(name, port, options);
}

ResolvConf ParseResolvConf(std::string_view text) {
  ResolvConf conf;
  ForEachLine(text, [&](const std::vector<std::string_view>& words) {
    if (words.size() < 2) return;
    if (words[0] == "nameserver") {
      // glibc uses at most three (MAXNS).
      if (conf.nameservers.size() < 3 && NumericAddress(words[1], 53)) conf.nameservers.emplace_back(words[1]);
    } else if (words[0] == "search" || words[0] == "domain") {
      conf.search.clear();  // the last search/domain line wins, as in glibc
      for (size_t i = 1; i < words.size(); ++i) conf.search.emplace_back(words[i]);
    } else if (words[0] == "options") {
      for (size_t i = 1; i < words.size(); ++i) {
        std::string_view option = words[i];
        if (option.rfind("ndots:", 0) == 0) conf.ndots = BoundedInt(option.substr(6), 0, 15, conf.ndots);
        if (option.rfind("timeout:", 0) == 0) conf.timeout_s = BoundedInt(option.substr(8), 1, 30, conf.timeout_s);
        if (option.rfind("attempts:", 0) == 0) conf.attempts = BoundedInt(option.substr(9), 1, 5, conf.attempts);
      }
    }
  });
  if (conf.nameservers.empty()) conf.nameservers.push_back("127.0.0.1");
  return conf;
}

std::vector<std::string> HostsFileAddresses(std::string_view text, std::string_view host) {
  std::vector<std::string> out;
  std::string wanted = AsciiLowered(host);
  ForEachLine(text, [&](const std::vector<std::string_view>& words) {
    for (size_t i = 1; i < words.size(); ++i) {
      if (AsciiLowered(words[i]) == wanted) {
        out.emplace_back(words[0]);
        return;
      }
    }
  });
  return out;
}

std::string BuildDnsQuery(uint16_t id, std::string_view name, uint16_t type) {
  if (name.empty() || name.size() > 253) throw ResolveError("cannot resolve " + std::string(name) + ": not a valid host name");
  std::string out;
  PutU16(&out, id);
  PutU16(&out, 0x0100);  // standard query, recursion desired
  PutU16(&out, 1);       // one question
  PutU16(&out, 0);
  PutU16(&out, 0);
  PutU16(&out, 0);
  size_t at = 0;
  while (at <= name.size()) {
    size_t dot = name.find('.', at);
    if (dot == std::string_view::npos) dot = name.size();
    size_t length = dot - at;
    if (length == 0 || length > 63) {
      throw ResolveError("cannot resolve " + std::string(name) + ": not a valid host name");
    }
    out.push_back(static_cast<char>(length));
    out.append(name.substr(at, length));
    at = dot + 1;
  }
  out.push_back('\0');
  PutU16(&out, type);
  PutU16(&out, 1);  // class IN
  return out;
}

std::optional<DnsAnswer> ParseDnsAnswer(std::string_view packet) {
  Reader reader{packet};
  DnsAnswer answer;
  answer.id = reader.U16();
  uint16_t flags = reader.U16();
  uint16_t questions = reader.U16();
  uint16_t answers = reader.U16();
  reader.U16();  // authority and additional records are not needed
  reader.U16();
  if (!reader.ok || !(flags & 0x8000) || questions != 1) return std::nullopt;
  answer.truncated = flags & 0x0200;
  answer.rcode = flags & 0x000F;
  answer.question = reader.Name();
  answer.question_type = reader.U16();
  reader.U16();
  if (!reader.ok) return std::nullopt;
  struct Record {
    std::string owner;
    uint16_t type;
    std::string data;  // an address, or the CNAME target
  };
  std::vector<Record> records;
  for (uint16_t i = 0; i < answers; ++i) {
    Record record;
    record.owner = reader.Name();
    record.type = reader.U16();
    uint16_t record_class = reader.U16();
    reader.U16();  // TTL: every lookup is fresh, nothing is cached
    reader.U16();
    uint16_t length = reader.U16();
    if (!reader.ok || reader.at + length > packet.size()) {
      // A truncated answer may end mid-record; what came before still counts.
      if (answer.truncated) break;
      return std::nullopt;
    }
    size_t end = reader.at + length;
    if (record_class == 1 && record.type == kDnsTypeCname) {
      record.data = reader.Name();
      if (!reader.ok || reader.at > end) return std::nullopt;
    } else if (record_class == 1 && (record.type == kDnsTypeA || record.type == kDnsTypeAaaa)) {
      if (length != (record.type == kDnsTypeA ? 4 : 16)) return std::nullopt;
      record.data = std::string(packet.substr(reader.at, length));
    }
    reader.at = end;
    records.push_back(std::move(record));
  }
  // Follow the CNAME chain from the question, a bounded number of links.
  std::string name = answer.question;
  for (int hop = 0; hop < 16; ++hop) {
    auto link = std::find_if(records.begin(), records.end(),
                             [&](const Record& r) { return r.type == kDnsTypeCname && r.owner == name; });
    if (link == records.end()) break;
    name = link->data;
  }
  for (const Record& record : records) {
    if (record.type == answer.question_type && record.owner == name && !record.data.empty() &&
        (record.type == kDnsTypeA || record.type == kDnsTypeAaaa)) {
      answer.addresses.push_back(record.data);
    }
  }
  return answer;
}

}  // namespace npsbundle
