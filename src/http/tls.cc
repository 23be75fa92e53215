#include "http/tls.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "http/client.h"

namespace npsbundle {

std::string OpenSslErrorText() {
  unsigned long code = ERR_get_error();
  if (code == 0) return "TLS error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  ERR_clear_error();
  return text;
}

TlsClientContext::TlsClientContext(bool verify, const std::string& ca_file) : verify_(verify) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_) throw ClientError(ClientErrorKind::kTls, "TLS setup failed: " + OpenSslErrorText());
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  if (!verify) return;
  bool loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_) == 1
                                : SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) == 1;
  if (loaded && ca_file.empty()) {
    // The static release binary's OpenSSL looks where Debian keeps
    // certificates; other distributions keep the bundle elsewhere.
    for (const char* bundle : {"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                               "/etc/ssl/cert.pem"}) {
      if (access(bundle, R_OK) == 0) {
        SSL_CTX_load_verify_locations(ctx_, bundle, nullptr);
        break;
      }
    }
  }
  if (!loaded) {
    std::string what = (ca_file.empty() ? std::string("system certificates") : ca_file) +
                       ": cannot load CA certificates: " + OpenSslErrorText();
    SSL_CTX_free(ctx_);
    throw ClientError(ClientErrorKind::kTls, what);
  }
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
}

TlsClientContext::~TlsClientContext() { SSL_CTX_free(ctx_); }

SSL* TlsClientContext::NewSession(int fd, const std::string& host) const {
  SSL* ssl = SSL_new(ctx_);
  if (!ssl) throw ClientError(ClientErrorKind::kTls, "TLS setup failed: " + OpenSslErrorText());
  SSL_set_fd(ssl, fd);
  static const unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_set_alpn_protos(ssl, kAlpn, sizeof kAlpn);
  in6_addr ignored;
  bool is_ip = inet_pton(AF_INET, host.c_str(), &ignored) == 1 || inet_pton(AF_INET6, host.c_str(), &ignored) == 1;
  // SNI carries names only (RFC 6066 §3).
  if (!is_ip) SSL_set_tlsext_host_name(ssl, host.c_str());
  if (verify_) {
    if (is_ip) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str());
    } else {
      SSL_set1_host(ssl, host.c_str());
    }
  }
  return ssl;
}

std::string TlsHandshakeFailure(SSL* ssl) {
  long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    ERR_clear_error();
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  }
  return OpenSslErrorText();
}

namespace {

TlsStep StepOf(SSL* ssl, int result) {
  switch (SSL_get_error(ssl, result)) {
    case SSL_ERROR_WANT_READ:
      return TlsStep::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return TlsStep::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return TlsStep::kClosed;
    default:
      return TlsStep::kFailed;
  }
}

}  // namespace

TlsStep TlsConnectStep(SSL* ssl) {
  int result = SSL_connect(ssl);
  return result == 1 ? TlsStep::kDone : StepOf(ssl, result);
}

TlsStep TlsAcceptStep(SSL* ssl) {
  int result = SSL_accept(ssl);
  if (result == 1) return TlsStep::kDone;
  TlsStep step = StepOf(ssl, result);
  if (step == TlsStep::kWantRead || step == TlsStep::kWantWrite) return step;
  ERR_clear_error();
  return TlsStep::kFailed;
}

TlsStep TlsRead(SSL* ssl, char* data, size_t size, size_t* got) {
  if (SSL_read_ex(ssl, data, size, got) == 1) return TlsStep::kDone;
  TlsStep step = StepOf(ssl, 0);
  if (step == TlsStep::kFailed) {
    // A peer that closes without close_notify (common) ends the stream too.
    ERR_clear_error();
    return TlsStep::kClosed;
  }
  return step;
}

TlsStep TlsWrite(SSL* ssl, const char* data, size_t size, size_t* sent) {
  if (SSL_write_ex(ssl, data, size, sent) == 1) return TlsStep::kDone;
  TlsStep step = StepOf(ssl, 0);
  if (step == TlsStep::kFailed || step == TlsStep::kClosed) ERR_clear_error();
  return step == TlsStep::kClosed ? TlsStep::kFailed : step;
}

bool TlsPending(SSL* ssl) { return SSL_pending(ssl) > 0; }

void TlsSendClose(SSL* ssl) {
  // A second SSL_shutdown would wait for the peer's close_notify instead.
  if (SSL_get_shutdown(ssl) & SSL_SENT_SHUTDOWN) return;
  SSL_shutdown(ssl);
  ERR_clear_error();
}

void TlsFree(SSL* ssl) { SSL_free(ssl); }

}  // namespace npsbundle
