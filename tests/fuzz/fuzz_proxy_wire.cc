// Fuzzes the framing the proxy reads from clients and backends: a chunked
// body fed in pieces of random size must decode to the same data and end at
// the same byte as when fed whole; a response head must parse or fail
// without reading past its bound. The first byte seeds the piece sizes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/proxy_wire.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

using npsbundle::ChunkDecoder;

ChunkDecoder::State Decode(std::string_view bytes, uint32_t seed, bool whole, std::string* data, size_t* used) {
  ChunkDecoder decoder;
  std::string pending;
  size_t at = 0;
  *used = 0;
  ChunkDecoder::State state = ChunkDecoder::State::kNeedMore;
  while (state == ChunkDecoder::State::kNeedMore && at < bytes.size()) {
    seed = seed * 1103515245u + 12345u;
    size_t step = whole ? bytes.size() : 1 + (seed >> 16) % 61;
    pending.append(bytes.substr(at, step));
    at += step;
    size_t consumed = 0;
    state = decoder.Feed(pending, &consumed, [data](std::string_view part) { data->append(part); });
    Check(consumed <= pending.size());
    *used += consumed;
    pending.erase(0, consumed);
  }
  return state;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string pieces_data, whole_data;
  size_t pieces_used = 0, whole_used = 0;
  ChunkDecoder::State pieces = Decode(bytes, data[0], false, &pieces_data, &pieces_used);
  ChunkDecoder::State whole = Decode(bytes, data[0], true, &whole_data, &whole_used);
  Check(pieces == whole);
  if (whole == ChunkDecoder::State::kDone) {
    Check(pieces_used == whole_used && pieces_data == whole_data);
    Check(whole_used <= bytes.size() && whole_data.size() < whole_used);
  }

  npsbundle::ResponseHead head;
  npsbundle::HeadParse parsed = npsbundle::ParseResponseHead(bytes, 4096, &head);
  if (parsed == npsbundle::HeadParse::kDone) {
    Check(head.size > 0 && head.size <= bytes.size() && head.size <= 4096);
    Check(head.status >= 100 && head.status <= 999);
    for (const auto& [name, value] : head.headers) Check(!name.empty());
  }
  return 0;
}
