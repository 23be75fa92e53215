#include "http/proxy_wire.h"

#include <charconv>

#include "core/ascii.h"

namespace npsbundle {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Bounds on the framing lines, so a peer cannot make us buffer or spin.
constexpr int kMaxSizeDigits = 15;
constexpr size_t kMaxLineBytes = 8 * 1024;

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace

ChunkDecoder::State ChunkDecoder::Feed(std::string_view bytes, size_t* consumed, const DataFunction& on_data) {
  size_t i = 0;
  while (i < bytes.size() && state_ == State::kNeedMore) {
    char c = bytes[i];
    switch (step_) {
      case Step::kSize: {
        int digit = HexDigit(c);
        if (digit >= 0) {
          if (++size_digits_ > kMaxSizeDigits) state_ = State::kError;
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
          ++i;
        } else if (size_digits_ == 0) {
          state_ = State::kError;
        } else if (c == ';' || c == ' ' || c == '\t') {
          step_ = Step::kExtension;
          line_bytes_ = 0;
          ++i;
        } else if (c == '\r') {
          step_ = Step::kSizeLf;
          ++i;
        } else if (c == '\n') {
          step_ = Step::kSizeLf;  // bare LF ends the line too
        } else {
          state_ = State::kError;
        }
        break;
      }
      case Step::kExtension:
        if (c == '\n') {
          step_ = Step::kSizeLf;
        } else {
          if (++line_bytes_ > kMaxLineBytes) state_ = State::kError;
          ++i;
        }
        break;
      case Step::kSizeLf:
        if (c != '\n') {
          state_ = State::kError;
          break;
        }
        ++i;
        size_digits_ = 0;
        step_ = remaining_ == 0 ? Step::kTrailerStart : Step::kData;
        break;
      case Step::kData: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, bytes.size() - i));
        if (on_data) on_data(bytes.substr(i, take));
        i += take;
        remaining_ -= take;
        if (remaining_ == 0) step_ = Step::kDataCr;
        break;
      }
      case Step::kDataCr:
        if (c == '\r') {
          ++i;
          step_ = Step::kDataLf;
        } else {
          step_ = Step::kDataLf;
        }
        break;
      case Step::kDataLf:
        if (c != '\n') {
          state_ = State::kError;
          break;
        }
        ++i;
        step_ = Step::kSize;
        break;
      case Step::kTrailerStart:
        // An empty line ends the body; anything else is a trailer field.
        if (c == '\r') {
          ++i;
        } else if (c == '\n') {
          ++i;
          step_ = Step::kDone;
          state_ = State::kDone;
        } else {
          step_ = Step::kTrailerLine;
          line_bytes_ = 0;
        }
        break;
      case Step::kTrailerLine:
        if (++line_bytes_ > kMaxLineBytes) state_ = State::kError;
        if (c == '\n') step_ = Step::kTrailerStart;
        ++i;
        break;
      case Step::kTrailerLf:
      case Step::kDone:
        state_ = State::kDone;
        break;
    }
  }
  *consumed = i;
  return state_;
}

void AppendChunk(std::string_view data, std::string* out) {
  if (data.empty()) return;
  char digits[20];
  auto end = std::to_chars(digits, digits + sizeof digits, data.size(), 16).ptr;
  out->append(digits, end);
  out->append("\r\n");
  out->append(data);
  out->append("\r\n");
}

std::string ResponseHead::Header(std::string_view name) const {
  std::string out;
  for (const auto& [key, value] : headers) {
    if (!EqualsIgnoreCase(key, name)) continue;
    if (!out.empty()) out += ", ";
    out += value;
  }
  return out;
}

size_t ResponseHead::HeaderCount(std::string_view name) const {
  size_t count = 0;
  for (const auto& field : headers) count += EqualsIgnoreCase(field.first, name) ? 1 : 0;
  return count;
}

HeadParse ParseResponseHead(std::string_view bytes, size_t max_bytes, ResponseHead* head) {
  size_t end = bytes.find("\n\r\n");
  size_t head_size = end == std::string_view::npos ? std::string_view::npos : end + 3;
  size_t bare = bytes.find("\n\n");
  if (bare != std::string_view::npos && (head_size == std::string_view::npos || bare + 2 < head_size)) {
    head_size = bare + 2;
  }
  if (head_size == std::string_view::npos) {
    return bytes.size() > max_bytes ? HeadParse::kError : HeadParse::kNeedMore;
  }
  if (head_size > max_bytes) return HeadParse::kError;
  *head = ResponseHead();
  head->size = head_size;
  std::string_view text = bytes.substr(0, head_size);
  size_t line_end = text.find('\n');
  std::string_view status_line = Trim(text.substr(0, line_end));
  // "HTTP/1.1 200 OK"
  if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") || status_line[8] != ' ' ||
      status_line[7] < '0' || status_line[7] > '9') {
    return HeadParse::kError;
  }
  head->minor_version = status_line[7] - '0';
  std::string_view code = status_line.substr(9, 3);
  auto [ptr, error] = std::from_chars(code.data(), code.data() + 3, head->status);
  if (error != std::errc() || ptr != code.data() + 3 || head->status < 100 || head->status > 999) {
    return HeadParse::kError;
  }
  if (status_line.size() > 12) {
    if (status_line[12] != ' ') return HeadParse::kError;
    head->reason = std::string(status_line.substr(13));
  }
  size_t pos = line_end + 1;
  while (pos < head_size) {
    size_t next = text.find('\n', pos);
    std::string_view line = text.substr(pos, next - pos);
    pos = next + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') return HeadParse::kError;  // obs-fold
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return HeadParse::kError;
    std::string_view name = line.substr(0, colon);
    if (name.find_first_of(" \t") != std::string_view::npos) return HeadParse::kError;
    head->headers.emplace_back(std::string(name), std::string(Trim(line.substr(colon + 1))));
  }
  return HeadParse::kDone;
}

}  // namespace npsbundle
