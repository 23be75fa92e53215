#ifndef NPSBUNDLE_HTTP_TLS_H_
#define NPSBUNDLE_HTTP_TLS_H_

#include <cstddef>
#include <string>

// OpenSSL's types, declared so users of this header need not include it.
struct ssl_st;
struct ssl_ctx_st;

namespace npsbundle {

// The TLS client pieces shared by `audit`'s HttpConnection (blocking
// sockets) and serve's proxy (non-blocking sockets): one place decides how
// certificates are trusted, how the server name is sent and checked, and
// how a failed handshake is explained.

// A client SSL_CTX: TLS 1.2 or later; with `verify`, peer verification on
// and trusting `ca_file` (PEM) or, when empty, the system's certificates
// (plus the Debian/RHEL bundle paths, which the static release binary's
// OpenSSL does not know). Thread-safe to share once made. Throws
// ClientError kTls when it cannot be made or the certificates not loaded.
class TlsClientContext {
 public:
  TlsClientContext(bool verify, const std::string& ca_file);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  // A session over connected socket `fd` for `host` (no brackets): SNI when
  // host is a name, ALPN http/1.1, and with verification the certificate
  // must name `host` (or its IP address). The caller frees it (TlsFree).
  ssl_st* NewSession(int fd, const std::string& host) const;
  bool verify() const { return verify_; }

 private:
  ssl_ctx_st* ctx_ = nullptr;
  bool verify_;
};

// Why SSL_connect on `ssl` failed, one line: "certificate verify failed:
// self-signed certificate" or OpenSSL's error text. Clears the error queue.
std::string TlsHandshakeFailure(ssl_st* ssl);
// OpenSSL's latest error text ("TLS error" when none); clears the queue.
std::string OpenSslErrorText();

// Non-blocking steps: what a call needs before it can make progress.
enum class TlsStep { kDone, kWantRead, kWantWrite, kClosed, kFailed };
TlsStep TlsConnectStep(ssl_st* ssl);
// The server's SSL_accept step. A failed handshake is kFailed with the error
// queue cleared: a client that gives up on the certificate (or speaks plain
// HTTP to the TLS port) is routine, nothing to report.
TlsStep TlsAcceptStep(ssl_st* ssl);
// Reads up to `size` bytes into `data` (*got set on kDone). kClosed: the
// peer closed, with or without close_notify.
TlsStep TlsRead(ssl_st* ssl, char* data, size_t size, size_t* got);
// Writes some of `data` (*sent set on kDone). kFailed: the peer is gone.
TlsStep TlsWrite(ssl_st* ssl, const char* data, size_t size, size_t* sent);
// Decrypted bytes already buffered (poll(2) does not see them).
bool TlsPending(ssl_st* ssl);
// Sends close_notify once, best effort, without waiting for the peer's.
void TlsSendClose(ssl_st* ssl);
void TlsFree(ssl_st* ssl);

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_TLS_H_
