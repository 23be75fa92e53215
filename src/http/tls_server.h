#ifndef NPSBUNDLE_HTTP_TLS_SERVER_H_
#define NPSBUNDLE_HTTP_TLS_SERVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.h"
#include "http/tls.h"

namespace npsbundle {

// The server side of TLS for ServeLoop (`serve --https`): one SSL_CTX made
// from a PEM certificate chain and key, shared by every loop thread, and the
// pure certificate work behind the development certificate (making one,
// reading what it covers). OpenSSL lives in this layer only; the serve layer
// decides where the development certificate is kept.

// Thrown for a certificate or key that cannot be used; what() is one line
// naming the file: "cert.pem: no certificate", "key.pem: key does not match
// certificate cert.pem". Bad input: the CLI exits with kInputError.
class TlsConfigError : public InputError {
 public:
  using InputError::InputError;
};

// A server SSL_CTX: TLS 1.2 and 1.3, forward-secret AEAD ciphers only for
// 1.2, server cipher preference, session tickets and a session cache for
// cheap resumption. ALPN: "h2" when the client offers it and `http2` is
// set, else "http/1.1" (a client offering neither gets no ALPN and speaks
// HTTP/1.1). Thread-safe once made.
class TlsServerContext {
 public:
  // Reads `cert_file` (the leaf first, then intermediates) and `key_file`.
  // Throws TlsConfigError.
  TlsServerContext(const std::string& cert_file, const std::string& key_file, bool http2);
  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  // A session for accepted socket `fd` (non-blocking); nullptr when
  // OpenSSL is out of memory. The caller frees it (TlsFree).
  ssl_st* NewSession(int fd) const;
  bool http2() const { return http2_; }
  // The leaf certificate's PEM, as read.
  const std::string& certificate_pem() const { return certificate_pem_; }

 private:
  ssl_ctx_st* ctx_ = nullptr;
  bool http2_;
  std::string certificate_pem_;
};

// The protocol ALPN chose ("h2", "http/1.1"); "" when none was negotiated.
std::string TlsAlpnProtocol(ssl_st* ssl);

// What a certificate covers and how a person recognises it.
struct CertificateInfo {
  std::vector<std::string> dns_names;  // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries, printed ("127.0.0.1", "::1")
  int64_t not_after = 0;  // Unix seconds
  // SHA-256 of the DER certificate, upper-case hex bytes joined by ':' (how
  // browsers show it).
  std::string sha256_fingerprint;
  // base64 of the SHA-256 of the DER SubjectPublicKeyInfo: the value of
  // Chromium's --ignore-certificate-errors-spki-list and of HPKP pins.
  std::string spki_sha256_base64;
};

// Reads the first certificate of `pem`. Throws TlsConfigError "<display>:
// no certificate" when there is none.
CertificateInfo InspectCertificate(const std::string& pem, const std::string& display);

// True when `names` (DNS names or IP literals, no brackets) are all in the
// certificate's SANs.
bool CertificateCovers(const CertificateInfo& info, const std::vector<std::string>& names);

// A new self-signed certificate and its key (EC P-256), as PEM. Its SANs are
// `names` (IP literals as IP entries, others as DNS entries); it is valid
// from an hour ago (clock skew between a laptop and a phone) for
// `valid_days`, marked as a CA-less end-entity for serverAuth. Throws
// TlsConfigError when OpenSSL fails.
struct PemPair {
  std::string certificate;
  std::string key;
};
PemPair MakeSelfSignedCertificate(const std::vector<std::string>& names, int valid_days);

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_TLS_SERVER_H_
