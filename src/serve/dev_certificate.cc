#include "serve/dev_certificate.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "build/size_cache.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "core/read_file.h"

namespace npsbundle {
namespace {

void AddName(std::vector<std::string>* names, const std::string& name) {
  if (!name.empty() && std::find(names->begin(), names->end(), name) == names->end()) names->push_back(name);
}

// Why the stored certificate cannot be reused; "" when it can.
std::string WhyNotReusable(const std::string& cert_file, const std::string& key_file,
                           const std::vector<std::string>& names, CertificateInfo* info) {
  std::string pem = ReadSmallFile(cert_file).value_or("");
  if (pem.empty()) return "none yet";
  try {
    *info = InspectCertificate(pem, cert_file);
    TlsServerContext check(cert_file, key_file, false);  // the key is there and matches
  } catch (const InputError&) {
    return "unreadable";
  }
  if (!CertificateCovers(*info, names)) return "names changed";
  if (info->not_after - std::time(nullptr) < int64_t{kDevCertificateRenewDays} * 86400) return "expires soon";
  return "";
}

}  // namespace

std::string DevCertificateDirectory() { return SizeCache::DefaultDirectory() + "/tls"; }

std::vector<std::string> DevCertificateNames(const std::string& host_in) {
  std::vector<std::string> names = {"localhost", "127.0.0.1", "::1"};
  std::string host = host_in;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host != "0.0.0.0" && host != "::") {
    AddName(&names, host);
    return names;
  }
  ifaddrs* addresses = nullptr;
  if (getifaddrs(&addresses) != 0) return names;
  for (ifaddrs* entry = addresses; entry; entry = entry->ifa_next) {
    if (!entry->ifa_addr || (entry->ifa_flags & IFF_LOOPBACK)) continue;
    char printed[INET6_ADDRSTRLEN] = "";
    int family = entry->ifa_addr->sa_family;
    if (family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(entry->ifa_addr)->sin_addr, printed, sizeof printed);
    } else if (family == AF_INET6 && host == "::") {
      const in6_addr& address = reinterpret_cast<sockaddr_in6*>(entry->ifa_addr)->sin6_addr;
      // A link-local address needs a zone (%eth0) no certificate can name.
      if (IN6_IS_ADDR_LINKLOCAL(&address)) continue;
      inet_ntop(AF_INET6, &address, printed, sizeof printed);
    }
    AddName(&names, printed);
  }
  freeifaddrs(addresses);
  return names;
}

DevCertificate EnsureDevCertificate(const std::string& directory, const std::vector<std::string>& names) {
  DevCertificate result;
  result.cert_file = directory + "/dev-cert.pem";
  result.key_file = directory + "/dev-key.pem";
  CertificateInfo old;
  result.why_made = WhyNotReusable(result.cert_file, result.key_file, names, &old);
  if (result.why_made.empty()) {
    result.info = old;
    return result;
  }
  std::vector<std::string> covered = names;
  if (result.why_made == "names changed" || result.why_made == "expires soon") {
    for (const std::string& name : old.dns_names) AddName(&covered, name);
    for (const std::string& name : old.ip_addresses) AddName(&covered, name);
  }
  PemPair pair = MakeSelfSignedCertificate(covered, kDevCertificateDays);
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  // The folder is private, so the key is never readable by others, not even
  // as the temporary file WriteFileAtomically renames.
  if (error || ::chmod(directory.c_str(), 0700) != 0) {
    throw InputError(directory + ": cannot make the certificate folder: " +
                     (error ? error.message() : std::string("cannot set its mode")));
  }
  WriteFileAtomically(result.key_file, pair.key, "", WriteDurability::kDurable);
  ::chmod(result.key_file.c_str(), 0600);
  WriteFileAtomically(result.cert_file, pair.certificate, "", WriteDurability::kDurable);
  result.info = InspectCertificate(pair.certificate, result.cert_file);
  result.made = true;
  return result;
}

}  // namespace npsbundle
