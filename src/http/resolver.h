#pragma once

// Host name resolution shared by the audit client, the serve proxy's backends
// and `serve --host`. The static release binary cannot use glibc's NSS, so it
// carries its own DNS stub client; the dynamic build keeps getaddrinfo (and
// with it nsswitch, mDNS, systemd-resolved...).
//
// Order: a numeric IPv4/IPv6 literal (brackets allowed), `localhost`
// (127.0.0.1 then ::1, RFC 6761), the hosts file, then the system resolver or
// the stub client. The stub client is always compiled so tests exercise it in
// every build; only the default of ResolverOptions::use_system depends on
// NPSBUNDLE_STATIC_BUILD.

#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace npsbundle {

struct ResolvedAddress {
  sockaddr_storage address{};
  socklen_t length = 0;
};

struct ResolverOptions {
#ifdef NPSBUNDLE_STATIC_BUILD
  bool use_system = false;
#else
  bool use_system = true;
#endif
  std::string hosts_path = "/etc/hosts";
  std::string resolv_conf_path = "/etc/resolv.conf";
  // Port the nameservers are queried on; tests point it at their own server.
  int dns_port = 53;
  // Bound on the whole stub lookup, every name, nameserver and retry included.
  int total_timeout_ms = 10000;
};

// One line naming the host: "cannot resolve HOST: why".
class ResolveError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Every address of `host` with `port` set, in preference order (IPv4 first
// from DNS, as from the hosts file). Throws ResolveError, never returns empty.
std::vector<ResolvedAddress> Resolve(const std::string& host, int port, const ResolverOptions& options = {});

// Only the numeric literal (brackets allowed); no lookup at all.
std::optional<ResolvedAddress> NumericAddress(std::string_view host, int port);

// The parts below are exposed for tests and the fuzz target.

struct ResolvConf {
  std::vector<std::string> nameservers;  // numeric addresses; 127.0.0.1 if the file names none
  std::vector<std::string> search;
  int ndots = 1;
  int timeout_s = 5;  // per query attempt (glibc's default)
  int attempts = 2;
};
ResolvConf ParseResolvConf(std::string_view text);

// The addresses the hosts file text gives `host` (case-insensitive), in file order.
std::vector<std::string> HostsFileAddresses(std::string_view text, std::string_view host);

inline constexpr uint16_t kDnsTypeA = 1;
inline constexpr uint16_t kDnsTypeCname = 5;
inline constexpr uint16_t kDnsTypeAaaa = 28;

// A recursion-desired query for `name` (no trailing dot). Throws ResolveError on
// a name DNS cannot carry (empty label, label over 63 bytes, name over 253).
std::string BuildDnsQuery(uint16_t id, std::string_view name, uint16_t type);

struct DnsAnswer {
  uint16_t id = 0;
  bool truncated = false;
  int rcode = 0;
  std::string question;  // lower case, no trailing dot
  uint16_t question_type = 0;
  // Raw 4-byte (A) or 16-byte (AAAA) addresses of the question's type, found
  // at the end of the CNAME chain that starts at the question name.
  std::vector<std::string> addresses;
};
// nullopt for anything that is not a well-formed response: every read is
// bounds-checked and name compression pointers are followed a bounded number of times.
std::optional<DnsAnswer> ParseDnsAnswer(std::string_view packet);

}  // namespace npsbundle
