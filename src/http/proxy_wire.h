#ifndef NPSBUNDLE_HTTP_PROXY_WIRE_H_
#define NPSBUNDLE_HTTP_PROXY_WIRE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace npsbundle {

// The message framing a reverse proxy reads on both sides: the chunked
// transfer coding (RFC 9112 §7.1) and a response head (§4). Pure and
// incremental, so tests and fuzzers feed bytes in any split.

// Reads one chunked body as it arrives. Each Feed call passes new bytes; the
// decoder reports the data inside (without the framing) through `on_data`
// and says how many of the bytes belonged to the body: after kDone the rest
// is the next message. Chunk extensions and trailer fields are skipped.
class ChunkDecoder {
 public:
  enum class State { kNeedMore, kDone, kError };
  using DataFunction = std::function<void(std::string_view)>;

  // `on_data` may be empty (the caller forwards the raw bytes instead).
  State Feed(std::string_view bytes, size_t* consumed, const DataFunction& on_data);
  State state() const { return state_; }

 private:
  enum class Step { kSize, kExtension, kSizeLf, kData, kDataCr, kDataLf, kTrailerStart, kTrailerLine, kTrailerLf, kDone };
  Step step_ = Step::kSize;
  State state_ = State::kNeedMore;
  uint64_t remaining_ = 0;
  int size_digits_ = 0;
  size_t line_bytes_ = 0;
};

// "1a\r\n" + data + "\r\n": one chunk of a body re-framed as chunked; an
// empty `data` gives nothing (an empty chunk would end the body).
void AppendChunk(std::string_view data, std::string* out);
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

struct ResponseHead {
  int status = 0;
  int minor_version = 1;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // as sent, in order
  size_t size = 0;  // bytes of the head, final empty line included

  // Fields named `name` (case-insensitive) joined with ", "; "" when none.
  std::string Header(std::string_view name) const;
  size_t HeaderCount(std::string_view name) const;
};

enum class HeadParse { kNeedMore, kDone, kError };
// Parses a response head at the start of `bytes` (kNeedMore until the empty
// line). At most `max_bytes` of head; more is kError, as are a malformed
// status line, obs-fold and field lines without a colon.
HeadParse ParseResponseHead(std::string_view bytes, size_t max_bytes, ResponseHead* head);

}  // namespace npsbundle

#endif  // NPSBUNDLE_HTTP_PROXY_WIRE_H_
