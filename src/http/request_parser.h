#ifndef NPSBUNDLE_HTTP_REQUEST_PARSER_H_
#define NPSBUNDLE_HTTP_REQUEST_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"

namespace npsbundle {

// Bounds on one request head, as nginx sets them by default
// (large_client_header_buffers 4 8k).
struct RequestLimits {
  size_t max_line = 8 * 1024;   // request line (else 414) or one field line (else 431)
  size_t max_fields = 100;      // header fields (else 431)
  size_t max_head = 32 * 1024;  // the whole head, empty lines included (else 431)
};

// An incremental, bounded parser of one HTTP/1.1 request head (RFC 9112).
// It never reads a body: `serve` answers GET and HEAD only, so a request
// that announces a body is either refused (GET/HEAD: 400) or answered and
// followed by a close (body_follows()).
//
// Strict where leniency enables smuggling or confusion, as nginx is: bare CR,
// NUL and other control bytes, obs-fold, whitespace before the colon,
// non-token field names, Content-Length with Transfer-Encoding, repeated or
// malformed Content-Length, and a missing or repeated Host in HTTP/1.1 are
// all 400. Bare LF ends a line (RFC 9112 §2.2 allows it), and empty lines
// before the request line are skipped.
class HttpRequestParser {
 public:
  enum class State { kNeedMore, kDone, kError };

  explicit HttpRequestParser(RequestLimits limits = {});

  // Parses the head at the start of `buffer`. Each call passes every byte
  // received for this request so far: the bytes of the previous call, in the
  // same order, plus any new ones (bytes past the head, such as a pipelined
  // next request, are left alone). Work already done is kept, so each byte
  // is examined once. After kDone or kError the result stays until Reset.
  State Parse(std::string_view buffer);
  // Forgets the request, keeping allocations, for the next one on the
  // connection.
  void Reset();

  // After kDone: the request (method, raw target, fields in arrival order,
  // names and values as sent, values without surrounding whitespace).
  const HttpRequest& request() const { return request_; }
  // After kDone: bytes of `buffer` the head took, its final empty line
  // included. The next request starts there.
  size_t head_size() const { return head_size_; }
  // After kDone: 0 for HTTP/1.0, 1 for HTTP/1.1 (and any later 1.x).
  int minor_version() const { return minor_version_; }
  // After kDone: whether the client lets the connection stay open: HTTP/1.1
  // unless "Connection: close", HTTP/1.0 only with "Connection: keep-alive".
  bool keep_alive() const { return keep_alive_; }
  // After kDone: a body follows the head (a non-GET/HEAD method with a
  // positive Content-Length or a Transfer-Encoding). The server answers and
  // closes instead of reading it.
  bool body_follows() const { return body_follows_; }

  // After kError: the status to answer with (400, 414, 431, 505) before
  // closing, and why, for tests and logs ("bare CR in the request line").
  int error_status() const { return error_status_; }
  const std::string& error() const { return error_; }
  // The method and target once the request line has been read (they may be
  // set after kError, for the access log), else empty.
  const std::string& method() const { return request_.method; }
  const std::string& target() const { return request_.target; }

 private:
  State Fail(int status, std::string why);
  State ParseRequestLine(std::string_view line);
  State ParseField(std::string_view line);
  State Finish();

  RequestLimits limits_;
  HttpRequest request_;
  State state_ = State::kNeedMore;
  size_t line_start_ = 0;  // start of the line being scanned
  size_t scanned_ = 0;     // bytes of the current line already scanned
  bool in_fields_ = false;
  size_t head_size_ = 0;
  int minor_version_ = 1;
  bool keep_alive_ = true;
  bool body_follows_ = false;
  int error_status_ = 0;
  std::string error_;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_REQUEST_PARSER_H_
