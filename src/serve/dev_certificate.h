#ifndef NPSBUNDLE_SERVE_DEV_CERTIFICATE_H_
#define NPSBUNDLE_SERVE_DEV_CERTIFICATE_H_

#include <string>
#include <vector>

#include "http/tls_server.h"

namespace npsbundle {

// The development certificate of `serve --https` without --cert/--key: a
// self-signed EC P-256 certificate made once and kept in the cache folder,
// so a browser or a phone told to trust it keeps trusting it across runs.
// The making and reading is http/tls_server's (OpenSSL stays in the http
// layer); this file decides where it lives and when it is made again, next
// to the other caches `serve` keeps.
struct DevCertificate {
  std::string cert_file;  // PEM certificate
  std::string key_file;   // PEM key, mode 0600
  CertificateInfo info;
  bool made = false;      // false: reused from an earlier run
  std::string why_made;   // "none yet", "names changed", "expires soon", "unreadable"
};

// Days a new certificate is valid, and the margin under which it is made
// again: 365 keeps it under the 398 days browsers accept for a leaf.
inline constexpr int kDevCertificateDays = 365;
inline constexpr int kDevCertificateRenewDays = 30;

// "<size cache folder>/tls" (SizeCache::DefaultDirectory).
std::string DevCertificateDirectory();

// The names a certificate for `serve --host HOST` must cover: localhost,
// 127.0.0.1, ::1, and HOST (brackets removed) when it is another address
// or name; for a wildcard host (0.0.0.0, ::) every address of this
// machine's interfaces, so a phone on the LAN can connect by any of them.
std::vector<std::string> DevCertificateNames(const std::string& host);

// The certificate in `directory` when it parses, its key matches, it covers
// `names` and is not within kDevCertificateRenewDays of expiry; otherwise a
// new one covering `names` and the names the old one covered (so switching
// --host does not make a phone re-trust each time), written atomically
// (the folder made 0700, the key 0600). A damaged file is replaced, never
// fatal. Throws InputError when the folder cannot be written.
DevCertificate EnsureDevCertificate(const std::string& directory, const std::vector<std::string>& names);

}  // namespace npsbundle

#endif  // NPSBUNDLE_SERVE_DEV_CERTIFICATE_H_
