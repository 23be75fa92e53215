// The pure certificate work behind `serve --https`: a made certificate
// covers exactly its names, its hashes have the printed shapes, and the
// errors name the file.

#include "http/tls_server.h"

#include <catch2/catch.hpp>
#include <ctime>

#include "support/test_support.h"

namespace npsbundle::testing {
namespace {

TEST_CASE("tls: a self-signed certificate covers its names, IPs in one printed form", "[tls]") {
  PemPair pair = MakeSelfSignedCertificate({"localhost", "127.0.0.1", "::1", "devbox.lan", "192.168.1.20"}, 365);
  CHECK(pair.certificate.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  CHECK(pair.key.rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  CertificateInfo info = InspectCertificate(pair.certificate, "cert.pem");
  CHECK(info.dns_names == std::vector<std::string>{"localhost", "devbox.lan"});
  CHECK(info.ip_addresses == std::vector<std::string>{"127.0.0.1", "::1", "192.168.1.20"});
  CHECK(CertificateCovers(info, {"localhost", "LOCALHOST", "0:0:0:0:0:0:0:1", "192.168.1.20"}));
  CHECK_FALSE(CertificateCovers(info, {"localhost", "192.168.1.21"}));
  CHECK_FALSE(CertificateCovers(info, {"127.0.0.2"}));
  CHECK_FALSE(CertificateCovers(info, {"other.lan"}));
  int64_t days = (info.not_after - std::time(nullptr)) / 86400;
  CHECK((days == 364 || days == 365));
  // "AB:CD:..." (32 bytes) and base64 of 32 bytes.
  CHECK(info.sha256_fingerprint.size() == 32 * 3 - 1);
  CHECK(info.sha256_fingerprint[2] == ':');
  CHECK(info.spki_sha256_base64.size() == 44);
  CHECK(info.spki_sha256_base64.back() == '=');
  // Two certificates: two keys, two fingerprints.
  CertificateInfo other = InspectCertificate(MakeSelfSignedCertificate({"localhost"}, 1).certificate, "x");
  CHECK(other.sha256_fingerprint != info.sha256_fingerprint);
  CHECK(other.spki_sha256_base64 != info.spki_sha256_base64);
}

TEST_CASE("tls: unusable certificate and key files are one line naming the file", "[tls]") {
  TempDir dir;
  PemPair pair = MakeSelfSignedCertificate({"localhost"}, 30);
  PemPair other = MakeSelfSignedCertificate({"localhost"}, 30);
  WriteFile(dir / "cert.pem", pair.certificate);
  WriteFile(dir / "key.pem", pair.key);
  WriteFile(dir / "other-key.pem", other.key);
  WriteFile(dir / "garbage.pem", "not pem\n");
  auto message = [](const std::string& cert, const std::string& key) {
    try {
      TlsServerContext context(cert, key, false);
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("(no error)");
  };
  CHECK(message(dir / "cert.pem", dir / "key.pem") == "(no error)");
  CHECK(message(dir / "garbage.pem", dir / "key.pem") == dir / "garbage.pem" + ": no certificate");
  CHECK(message(dir / "cert.pem", dir / "garbage.pem") ==
        dir / "garbage.pem" + ": no private key (an unencrypted PEM key is needed)");
  CHECK(message(dir / "cert.pem", dir / "other-key.pem") ==
        dir / "other-key.pem" + ": key does not match certificate " + dir / "cert.pem");
  CHECK(message(dir / "missing.pem", dir / "key.pem") ==
        dir / "missing.pem" + ": cannot read: No such file or directory");
  CHECK_THROWS_WITH(InspectCertificate("junk", "cert.pem"), "cert.pem: no certificate");
}

}  // namespace
}  // namespace npsbundle::testing
