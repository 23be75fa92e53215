#include "http/request_parser.h"

#include <cstring>

namespace npsbundle {
namespace {

// RFC 9110 §5.6.2 tchar.
bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return c != 0 && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool IsToken(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsTokenChar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// field-vchar, SP and HTAB (RFC 9110 §5.5); obs-text is allowed, as nginx
// allows it, because some clients send Latin-1 or UTF-8 in values.
bool IsFieldValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7F); }

bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c >= 'A' && c <= 'Z' ? c | 0x20 : c) != static_cast<unsigned char>(lower[i])) return false;
  }
  return true;
}

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

HttpRequestParser::HttpRequestParser(RequestLimits limits) : limits_(limits) {}

void HttpRequestParser::Reset() {
  request_.method.clear();
  request_.target.clear();
  request_.headers.clear();
  state_ = State::kNeedMore;
  line_start_ = 0;
  scanned_ = 0;
  in_fields_ = false;
  head_size_ = 0;
  minor_version_ = 1;
  keep_alive_ = true;
  body_follows_ = false;
  error_status_ = 0;
  error_.clear();
}

HttpRequestParser::State HttpRequestParser::Fail(int status, std::string why) {
  error_status_ = status;
  error_ = std::move(why);
  keep_alive_ = false;
  return state_ = State::kError;
}

HttpRequestParser::State HttpRequestParser::Parse(std::string_view buffer) {
  while (state_ == State::kNeedMore) {
    size_t from = line_start_ + scanned_;
    const void* found = from < buffer.size()
                            ? std::memchr(buffer.data() + from, '\n', buffer.size() - from)
                            : nullptr;
    size_t end = found ? static_cast<size_t>(static_cast<const char*>(found) - buffer.data())
                       : buffer.size();
    // Each limit is broken at a byte offset; the earlier offset wins, so the
    // outcome does not depend on how the bytes were split into reads. A CR
    // before the LF is not part of the line's budget.
    size_t raw_length = end - line_start_;
    size_t line_length = found && raw_length > 0 && buffer[end - 1] == '\r' ? raw_length - 1 : raw_length;
    size_t visible = found ? end + 1 : buffer.size();
    size_t line_break = raw_length > limits_.max_line + 1 ? line_start_ + limits_.max_line + 1
                        : found && line_length > limits_.max_line ? end
                                                                  : std::string_view::npos;
    size_t head_break = limits_.max_head < visible ? limits_.max_head : std::string_view::npos;
    if (head_break != std::string_view::npos && head_break <= line_break) {
      return Fail(431, "request head longer than " + std::to_string(limits_.max_head));
    }
    if (line_break != std::string_view::npos) {
      return in_fields_ ? Fail(431, "header field line longer than " + std::to_string(limits_.max_line))
                        : Fail(414, "request line longer than " + std::to_string(limits_.max_line));
    }
    if (!found) {
      scanned_ = end - line_start_;
      return state_;
    }
    std::string_view line = buffer.substr(line_start_, line_length);
    line_start_ = end + 1;
    scanned_ = 0;
    if (!in_fields_) {
      // RFC 9112 §2.2: empty lines before the request line are ignored.
      if (line.empty()) continue;
      ParseRequestLine(line);
    } else if (line.empty()) {
      head_size_ = line_start_;
      Finish();
    } else {
      ParseField(line);
    }
  }
  return state_;
}

HttpRequestParser::State HttpRequestParser::ParseRequestLine(std::string_view line) {
  size_t first_space = line.find(' ');
  size_t last_space = line.rfind(' ');
  if (first_space == std::string_view::npos || first_space == last_space) {
    return Fail(400, "request line is not \"method target version\"");
  }
  std::string_view method = line.substr(0, first_space);
  std::string_view target = line.substr(first_space + 1, last_space - first_space - 1);
  std::string_view version = line.substr(last_space + 1);
  if (!IsToken(method)) return Fail(400, "invalid method");
  request_.method.assign(method);
  if (target.empty()) return Fail(400, "empty request target");
  for (char c : target) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (byte <= 0x20 || byte == 0x7F) return Fail(400, "control byte or space in the request target");
  }
  request_.target.assign(target);
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return Fail(400, "invalid HTTP version");
  }
  if (version[5] != '1') return Fail(505, "HTTP version " + std::string(version.substr(5)) + " not supported");
  minor_version_ = version[7] == '0' ? 0 : 1;
  in_fields_ = true;
  return state_;
}

HttpRequestParser::State HttpRequestParser::ParseField(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') return Fail(400, "obsolete line folding");
  if (request_.headers.size() >= limits_.max_fields) {
    return Fail(431, "more than " + std::to_string(limits_.max_fields) + " header fields");
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return Fail(400, "header field without a colon");
  std::string_view name = line.substr(0, colon);
  if (!IsToken(name)) return Fail(400, "invalid header field name");
  std::string_view value = TrimWhitespace(line.substr(colon + 1));
  for (char c : value) {
    if (!IsFieldValueChar(static_cast<unsigned char>(c))) return Fail(400, "control byte in a header field value");
  }
  request_.headers.emplace_back(name, value);
  return state_;
}

HttpRequestParser::State HttpRequestParser::Finish() {
  size_t hosts = 0;
  size_t lengths = 0;
  bool chunked_or_other = false;
  uint64_t content_length = 0;
  bool close = false;
  bool keep = false;
  for (const auto& [name, value] : request_.headers) {
    if (EqualsLower(name, "host")) {
      ++hosts;
    } else if (EqualsLower(name, "content-length")) {
      // A repeated Content-Length, even with equal values, is refused:
      // front ends that merge or pick one differently are how smuggling works.
      if (++lengths > 1) return Fail(400, "more than one Content-Length");
      if (value.empty() || value.size() > 18) return Fail(400, "invalid Content-Length");
      for (char c : value) {
        if (c < '0' || c > '9') return Fail(400, "invalid Content-Length");
        content_length = content_length * 10 + static_cast<uint64_t>(c - '0');
      }
    } else if (EqualsLower(name, "transfer-encoding")) {
      chunked_or_other = true;
    } else if (EqualsLower(name, "connection")) {
      std::string_view rest = value;
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view option = TrimWhitespace(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        if (EqualsLower(option, "close")) close = true;
        if (EqualsLower(option, "keep-alive")) keep = true;
      }
    }
  }
  if (minor_version_ >= 1 && hosts == 0) return Fail(400, "HTTP/1.1 request without Host");
  if (hosts > 1) return Fail(400, "more than one Host");
  if (chunked_or_other && lengths > 0) return Fail(400, "both Content-Length and Transfer-Encoding");
  bool has_body = chunked_or_other || content_length > 0;
  if (has_body && (request_.method == "GET" || request_.method == "HEAD")) {
    return Fail(400, "a " + request_.method + " request with a body");
  }
  body_follows_ = has_body;
  // "close" wins over a "keep-alive" beside it.
  keep_alive_ = !close && !body_follows_ && (minor_version_ >= 1 || keep);
  return state_ = State::kDone;
}

}  // namespace npsbundle
