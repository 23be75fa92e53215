// Fuzzes the DNS answer parser of the static build's stub resolver: any
// datagram must parse or be refused without reading past its end (compression
// pointer loops included), and what it accepts must be self-consistent.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/resolver.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view packet(reinterpret_cast<const char*>(data), size);
  auto answer = npsbundle::ParseDnsAnswer(packet);
  if (!answer) return 0;
  Check(answer->question.size() <= 255);
  for (const auto& address : answer->addresses) {
    Check(address.size() == (answer->question_type == npsbundle::kDnsTypeA ? 4u : 16u));
  }
  return 0;
}
