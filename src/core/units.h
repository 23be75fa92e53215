#ifndef NPSBUNDLE_CORE_UNITS_H_
#define NPSBUNDLE_CORE_UNITS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace npsbundle {

// How a file's size is counted: its bytes on disk, or the bytes of its gzip,
// brotli or zstd form (what a compressing server sends). zstd is optional:
// files are compressed with it only when a limit or --zstd asks for it.
enum class Measure { kRaw, kGzip, kBrotli, kZstd };

std::string_view MeasureName(Measure measure);  // "raw", "gzip", "brotli", "zstd"

// A size limit with the measure it applies to: "500 kB gzip".
struct SizeLimit {
  uint64_t bytes = 0;
  Measure measure = Measure::kGzip;
};

// Parses a size: a non-negative decimal number with an optional unit, space
// optional. Units: B; kB, MB, GB (powers of 1000); KiB, MiB, GiB (powers of
// 1024). A bare number is bytes. Returns false with a message in *error.
bool ParseSize(std::string_view text, uint64_t* bytes, std::string* error);

// Parses "<size> <measure>", e.g. "500 kB gzip", "250kB raw". The measure is
// required, so a limit never silently means the wrong thing.
bool ParseSizeLimit(std::string_view text, SizeLimit* limit, std::string* error);

// "123.4 kB": bytes / 1000 with one decimal, the way Vite prints sizes.
std::string FormatKb(uint64_t bytes);

// "500.0 kB gzip".
std::string FormatLimit(const SizeLimit& limit);

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_UNITS_H_
