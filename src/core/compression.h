#ifndef NPSBUNDLE_CORE_COMPRESSION_H_
#define NPSBUNDLE_CORE_COMPRESSION_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace npsbundle {

// Compression settings shared by check, compress and serve. The defaults
// match what a careful server sends: gzip level 9 and brotli quality 11 with
// a 4 MiB window (brotli's own CLI default, `brotli -q 11 -w 22`).
struct CompressionLevels {
  int gzip_level = 9;       // zlib 1..9
  int brotli_quality = 11;  // 0..11
  int brotli_window = 22;   // lgwin 10..24
  int zstd_level = 19;      // 1..22; 19 is what precompressing tools use
};

// One zlib deflate stream with the gzip wrapper (windowBits 15+16, memLevel
// 8): byte for byte what Python's zlib.compressobj(level, DEFLATED, 31)
// produces. The header carries mtime 0, so output is reproducible.
std::string GzipCompress(std::string_view data, int level);

// Brotli in generic mode; `brotli -q Q -w W -c` produces the same bytes.
std::string BrotliCompress(std::string_view data, int quality, int window);

// One zstd frame (content size in the header, no checksum): byte for byte
// what `zstd -LEVEL --no-check -c` produces for the same input.
std::string ZstdCompress(std::string_view data, int level);

// Inverse operations, for tests and for serving identity bodies from
// compressed-only archives. Throw std::runtime_error on corrupt input.
std::string GzipDecompress(std::string_view data);
std::string BrotliDecompress(std::string_view data);

// True for files worth compressing and measuring compressed: js, mjs, cjs,
// css, html, htm, svg, json, webmanifest, txt, xml, wasm, map (maps are
// measured but excluded from budgets).
bool IsTextLike(std::string_view path);

// Throws InputError when a level is out of range; `origin` names where the
// value came from ("--gzip-level", "budgets/x.json: compression.gzip").
void ValidateLevels(const CompressionLevels& levels, const std::string& origin);

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_COMPRESSION_H_
