#include "http/tls_server.h"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <utility>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "core/read_file.h"

namespace npsbundle {
namespace {

struct BioFree { void operator()(BIO* bio) const { BIO_free(bio); } };
struct X509Free { void operator()(X509* x509) const { X509_free(x509); } };
struct KeyFree { void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); } };
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

std::string ReadPemFile(const std::string& path) {
  std::optional<std::string> text = ReadSmallFile(path);
  if (!text) throw TlsConfigError(path + ": cannot read: " + std::strerror(errno));
  return std::move(*text);
}

BioPtr MemoryBio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

// HTTP/2 first: a client offering both gets it (RFC 7301 server preference).
constexpr unsigned char kAlpnH2[] = {2, 'h', '2', 8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
constexpr unsigned char kAlpnHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

int SelectAlpn(SSL* /*ssl*/, const unsigned char** out, unsigned char* out_size, const unsigned char* in,
               unsigned int in_size, void* arg) {
  bool http2 = arg != nullptr;
  const unsigned char* ours = http2 ? kAlpnH2 : kAlpnHttp11;
  unsigned int ours_size = http2 ? sizeof kAlpnH2 : sizeof kAlpnHttp11;
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, out_size, ours, ours_size, in, in_size) != OPENSSL_NPN_NEGOTIATED) {
    // No protocol in common: go on without ALPN (the client then speaks
    // HTTP/1.1) rather than fail a handshake curl or an old client starts.
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

std::string Hex(const unsigned char* data, size_t size) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    if (i) out += ':';
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 15];
  }
  return out;
}

GENERAL_NAME* NameEntry(const std::string& name) {
  GENERAL_NAME* entry = GENERAL_NAME_new();
  if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(name.c_str())) {
    GENERAL_NAME_set0_value(entry, GEN_IPADD, ip);
    return entry;
  }
  ERR_clear_error();
  ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
  ASN1_STRING_set(dns, name.data(), static_cast<int>(name.size()));
  GENERAL_NAME_set0_value(entry, GEN_DNS, dns);
  return entry;
}

void AddExtension(X509* certificate, int nid, const char* value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, certificate, certificate, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
  if (!extension) throw TlsConfigError("cannot make a certificate: " + OpenSslErrorText());
  X509_add_ext(certificate, extension, -1);
  X509_EXTENSION_free(extension);
}

}  // namespace

TlsServerContext::TlsServerContext(const std::string& cert_file, const std::string& key_file, bool http2)
    : http2_(http2) {
  certificate_pem_ = ReadPemFile(cert_file);
  std::string key_pem = ReadPemFile(key_file);
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (!ctx_) throw TlsConfigError("TLS setup failed: " + OpenSslErrorText());
  std::unique_ptr<SSL_CTX, void (*)(SSL_CTX*)> guard(ctx_, SSL_CTX_free);

  BioPtr chain = MemoryBio(certificate_pem_);
  X509Ptr leaf(PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr));
  if (!leaf) {
    ERR_clear_error();
    throw TlsConfigError(cert_file + ": no certificate");
  }
  if (SSL_CTX_use_certificate(ctx_, leaf.get()) != 1) {
    throw TlsConfigError(cert_file + ": unusable certificate: " + OpenSslErrorText());
  }
  while (X509* intermediate = PEM_read_bio_X509(chain.get(), nullptr, nullptr, nullptr)) {
    SSL_CTX_add0_chain_cert(ctx_, intermediate);  // takes ownership
  }
  ERR_clear_error();  // the end of the chain reads as an error

  BioPtr key_bio = MemoryBio(key_pem);
  KeyPtr key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    throw TlsConfigError(key_file + ": no private key (an unencrypted PEM key is needed)");
  }
  if (SSL_CTX_use_PrivateKey(ctx_, key.get()) != 1 || SSL_CTX_check_private_key(ctx_) != 1) {
    ERR_clear_error();
    throw TlsConfigError(key_file + ": key does not match certificate " + cert_file);
  }

  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  // TLS 1.2: ECDHE with AEAD only (also what RFC 9113 §9.2.2 asks of h2);
  // TLS 1.3's suites are all fine as OpenSSL orders them.
  SSL_CTX_set_cipher_list(ctx_, "ECDHE+AESGCM:ECDHE+CHACHA20");
  SSL_CTX_set_options(ctx_, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION |
                                SSL_OP_NO_COMPRESSION);
  // Partial writes: the loop resumes a large body where the socket filled
  // up, from a pointer that moves. Released buffers: an idle keep-alive
  // connection holds no 34 kB of record buffers.
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                             SSL_MODE_RELEASE_BUFFERS);
  // Resumption (a browser opens several connections): tickets (OpenSSL's
  // default, keys per context) and a server-side cache for TLS 1.2 ids.
  static const unsigned char kSessionContext[] = "npsbundle serve";
  SSL_CTX_set_session_id_context(ctx_, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_SERVER);
  SSL_CTX_sess_set_cache_size(ctx_, 4096);
  // A non-null argument means "h2 allowed"; the callback needs no more.
  SSL_CTX_set_alpn_select_cb(ctx_, SelectAlpn, http2 ? this : nullptr);
  guard.release();
}

TlsServerContext::~TlsServerContext() { SSL_CTX_free(ctx_); }

SSL* TlsServerContext::NewSession(int fd) const {
  SSL* ssl = SSL_new(ctx_);
  if (!ssl) {
    ERR_clear_error();
    return nullptr;
  }
  SSL_set_fd(ssl, fd);
  SSL_set_accept_state(ssl);
  return ssl;
}

std::string TlsAlpnProtocol(SSL* ssl) {
  const unsigned char* data = nullptr;
  unsigned int size = 0;
  SSL_get0_alpn_selected(ssl, &data, &size);
  return std::string(reinterpret_cast<const char*>(data), data ? size : 0);
}

CertificateInfo InspectCertificate(const std::string& pem, const std::string& display) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr certificate(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!certificate) {
    ERR_clear_error();
    throw TlsConfigError(display + ": no certificate");
  }
  CertificateInfo info;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate.get(), NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      const ASN1_STRING* text = name->d.dNSName;
      info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                                  static_cast<size_t>(ASN1_STRING_length(text)));
    } else if (name->type == GEN_IPADD) {
      const ASN1_STRING* bytes = name->d.iPAddress;
      int length = ASN1_STRING_length(bytes);
      char printed[INET6_ADDRSTRLEN] = "";
      if (length == 4 || length == 16) {
        inet_ntop(length == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(bytes), printed, sizeof printed);
        info.ip_addresses.push_back(printed);
      }
    }
  }
  GENERAL_NAMES_free(names);
  tm expiry{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(certificate.get()), &expiry) == 1) info.not_after = timegm(&expiry);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  X509_digest(certificate.get(), EVP_sha256(), digest, &digest_size);
  info.sha256_fingerprint = Hex(digest, digest_size);
  unsigned char* spki = nullptr;
  int spki_size = i2d_PUBKEY(X509_get0_pubkey(certificate.get()), &spki);
  if (spki_size > 0) {
    EVP_Digest(spki, static_cast<size_t>(spki_size), digest, &digest_size, EVP_sha256(), nullptr);
    unsigned char encoded[64];
    int encoded_size = EVP_EncodeBlock(encoded, digest, static_cast<int>(digest_size));
    info.spki_sha256_base64.assign(reinterpret_cast<char*>(encoded), static_cast<size_t>(encoded_size));
  }
  OPENSSL_free(spki);
  ERR_clear_error();
  return info;
}

bool CertificateCovers(const CertificateInfo& info, const std::vector<std::string>& names) {
  for (const std::string& name : names) {
    unsigned char address[16];
    bool is_ip = inet_pton(AF_INET, name.c_str(), address) == 1 || inet_pton(AF_INET6, name.c_str(), address) == 1;
    bool found = false;
    if (is_ip) {
      // Compare in one printed form ("::1", not "0:0:...:1").
      int family = name.find(':') != std::string::npos ? AF_INET6 : AF_INET;
      char printed[INET6_ADDRSTRLEN] = "";
      inet_ntop(family, address, printed, sizeof printed);
      for (const std::string& ip : info.ip_addresses) found = found || ip == printed;
    } else {
      for (const std::string& dns : info.dns_names) found = found || strcasecmp(dns.c_str(), name.c_str()) == 0;
    }
    if (!found) return false;
  }
  return true;
}

PemPair MakeSelfSignedCertificate(const std::vector<std::string>& names, int valid_days) {
  auto fail = [] { return TlsConfigError("cannot make a certificate: " + OpenSslErrorText()); };
  KeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr certificate(X509_new());
  if (!key || !certificate) throw fail();
  X509* x = certificate.get();
  X509_set_version(x, X509_VERSION_3);
  // A random serial: a browser that saw an earlier certificate with the
  // same issuer and serial would reject this one.
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) throw fail();
  serial[0] &= 0x7F;  // positive
  BIGNUM* number = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(number, X509_get_serialNumber(x));
  BN_free(number);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_time_adj_ex(X509_getm_notAfter(x), valid_days, 0, nullptr);
  X509_NAME* subject = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(subject, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("npsbundle"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("npsbundle serve development certificate"),
                             -1, -1, 0);
  X509_set_issuer_name(x, subject);
  X509_set_pubkey(x, key.get());
  AddExtension(x, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(x, NID_key_usage, "critical,digitalSignature");
  AddExtension(x, NID_ext_key_usage, "serverAuth");
  AddExtension(x, NID_subject_key_identifier, "hash");
  GENERAL_NAMES* alt_names = sk_GENERAL_NAME_new_null();
  for (const std::string& name : names) sk_GENERAL_NAME_push(alt_names, NameEntry(name));
  int added = X509_add1_ext_i2d(x, NID_subject_alt_name, alt_names, 0, X509V3_ADD_DEFAULT);
  GENERAL_NAMES_free(alt_names);
  if (added != 1 || X509_sign(x, key.get(), EVP_sha256()) == 0) throw fail();

  BioPtr certificate_out(BIO_new(BIO_s_mem()));
  BioPtr key_out(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(certificate_out.get(), x) != 1 ||
      PEM_write_bio_PrivateKey(key_out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw fail();
  }
  return {BioText(certificate_out.get()), BioText(key_out.get())};
}

}  // namespace npsbundle
