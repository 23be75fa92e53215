#ifndef NPSBUNDLE_HTTP_SEMANTICS_H_
#define NPSBUNDLE_HTTP_SEMANTICS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace npsbundle {

// Pure HTTP decisions (RFC 9110), kept apart from the socket code so each
// rule is a table-driven test. What a server chooses to send (caching,
// content types, error bodies) is the serving policy's, not this file's.
// Nothing here allocates per byte of content or touches the network.

// The content codings serve can send. Values index representation arrays.
enum class ContentCoding { kIdentity = 0, kBrotli = 1, kGzip = 2 };
inline constexpr int kContentCodingCount = 3;

// "identity", "br", "gzip": the Content-Encoding token (identity is never sent).
std::string_view CodingName(ContentCoding coding);

// Which encoded representations of a file exist. Identity always exists.
struct AvailableCodings {
  bool br = false;
  bool gzip = false;
};

// Picks the representation for an Accept-Encoding field (RFC 9110 §12.5.3).
// `accept_encoding` is nullopt when the request has no such field; several
// fields are joined with ", " by the caller.
//  - Tokens and the `q` parameter are case-insensitive; "x-gzip" means gzip.
//  - q=0 means "not acceptable"; an element with a malformed q is ignored.
//  - "*" gives its q to every coding the field does not name, identity too.
//  - Identity is acceptable unless "identity;q=0", or "*;q=0" without an
//    identity entry, excludes it; when the field does not rate it, it ranks
//    below every rated coding. A coding named twice keeps its lowest q.
//  - An empty field means identity only.
//  - A missing field gets identity, as nginx does: clients that send no
//    Accept-Encoding (scripts, health checks) expect a plain body.
//  - Among acceptable codings the highest q wins; ties go br, gzip, identity.
//  - When nothing is acceptable (identity refused and no variant allowed),
//    identity is sent anyway rather than 406: RFC 9110 allows disregarding
//    the field, and an error page helps no one.
ContentCoding ChooseEncoding(std::optional<std::string_view> accept_encoding,
                             AvailableCodings available);

// A Range field resolved against a representation of `length` bytes.
enum class RangeOutcome {
  kIgnore,         // no usable range: answer 200 with the whole body
  kPartial,        // answer 206 with bytes [first, first + length)
  kUnsatisfiable,  // answer 416 with "Content-Range: bytes */<length>"
};
struct RangeDecision {
  RangeOutcome outcome = RangeOutcome::kIgnore;
  uint64_t first = 0;
  uint64_t length = 0;
};

// Resolves a Range field (RFC 9110 §14.1-14.2): "bytes=a-b", "bytes=a-",
// "bytes=-n". The unit is case-insensitive; a syntactically invalid field
// (other unit, "5-1", junk) is ignored, as the RFC allows. A request for more
// than one range is answered with the whole body (200) instead of a
// multipart/byteranges response: browsers never ask for several ranges of a
// script, and it closes the many-small-ranges amplification hole. A range
// whose first byte is past the end, or "-0", is unsatisfiable; a last byte
// past the end is clamped.
RangeDecision ParseRange(std::string_view range, uint64_t length);

// If-None-Match (RFC 9110 §13.1.2): true when the field is "*" or lists an
// entity-tag that matches `etag` by weak comparison (W/ prefixes ignored).
// `etag` is a full entity-tag including quotes: "\"abc\"".
bool IfNoneMatchMatches(std::string_view if_none_match, std::string_view etag);

// If-Range (RFC 9110 §13.1.5): true when the range may be applied, i.e. the
// field holds a strong entity-tag equal to `etag`, or an HTTP-date exactly
// equal to `last_modified` (seconds since the epoch). A weak tag, a
// malformed value or a different validator yields false (send 200).
bool IfRangeHolds(std::string_view if_range, std::string_view etag, int64_t last_modified);

// If-Modified-Since (RFC 9110 §13.1.3): true when the field holds a valid
// HTTP-date and the representation was not modified after it. The caller
// ignores this field when If-None-Match is present.
bool NotModifiedSince(std::string_view if_modified_since, int64_t last_modified);

// HTTP-date in any of the three forms RFC 9110 §5.6.7 requires recipients to
// accept ("Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
// "Sun Nov  6 08:49:37 1994"), as seconds since the epoch.
std::optional<int64_t> ParseHttpDate(std::string_view text);
// IMF-fixdate, the only form a server sends.
std::string FormatHttpDate(int64_t seconds_since_epoch);

// The outcome of normalising a request-target (see NormalizeRequestPath).
enum class PathVerdict {
  kOk,
  kBadRequest,  // 400: bad escape, NUL, control byte, backslash, invalid
                // UTF-8, or ".." climbing above the root
};
struct RequestPath {
  PathVerdict verdict = PathVerdict::kBadRequest;
  std::string path;             // "assets/x.js"; "" for the root; no leading '/'
  bool trailing_slash = false;  // the target named a folder ("/admin/", "/")
};

// Turns a raw request-target ("/assets/x.js?v=1", or absolute-form
// "http://host/x") into a build-relative path: drops the query, decodes
// percent-escapes exactly once (so "%252e" stays "%2e", a literal name),
// then resolves "." and ".." segments and merges repeated slashes. Decoding
// happens before segment splitting, so "..%2f" is a ".." segment. Overlong
// UTF-8 ("%c0%ae") and surrogates are invalid UTF-8.
RequestPath NormalizeRequestPath(std::string_view target);

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_SEMANTICS_H_
