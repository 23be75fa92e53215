#ifndef NPSBUNDLE_HTTP_H2_FIELDS_H_
#define NPSBUNDLE_HTTP_H2_FIELDS_H_

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <string_view>

namespace npsbundle {

// What the HTTP/2 server session and client share about header fields.

// HTTP/1.1's connection-specific fields: malformed in HTTP/2 (RFC 9113
// §8.2.2), so a message carrying one is refused by the peer.
constexpr bool IsConnectionSpecificField(std::string_view lower_name) {
  return lower_name == "connection" || lower_name == "keep-alive" || lower_name == "transfer-encoding" ||
         lower_name == "upgrade" || lower_name == "proxy-connection";
}

// An nghttp2 field pointing at `name` and `value`, which must outlive the
// submit call.
inline nghttp2_nv Http2Field(std::string_view name, std::string_view value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_H2_FIELDS_H_
