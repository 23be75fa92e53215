#include "core/compression.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>

#include <array>
#include <stdexcept>

#include "core/error.h"

namespace npsbundle {

std::string ZstdCompress(std::string_view data, int level) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), level);
  if (ZSTD_isError(size)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(size));
  out.resize(size);
  return out;
}

std::string GzipCompress(std::string_view data, int level) {
  z_stream stream{};
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  int status = deflate(&stream, Z_FINISH);
  deflateEnd(&stream);
  if (status != Z_STREAM_END) throw std::runtime_error("zlib: deflate failed");
  out.resize(stream.total_out);
  return out;
}

std::string BrotliCompress(std::string_view data, int quality, int window) {
  size_t size = BrotliEncoderMaxCompressedSize(data.size());
  if (size == 0) size = data.size() + 1024;
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(quality, window, BROTLI_MODE_GENERIC, data.size(),
                             reinterpret_cast<const uint8_t*>(data.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    throw std::runtime_error("brotli: compression failed");
  }
  out.resize(size);
  return out;
}

std::string GzipDecompress(std::string_view data) {
  z_stream stream{};
  if (inflateInit2(&stream, 15 + 32) != Z_OK) throw std::runtime_error("zlib: inflateInit2 failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  std::array<char, 64 * 1024> buffer;
  int status = Z_OK;
  while (status != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer.data());
    stream.avail_out = buffer.size();
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) {
      inflateEnd(&stream);
      throw std::runtime_error("gzip: corrupt data");
    }
    out.append(buffer.data(), buffer.size() - stream.avail_out);
    if (status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) {
      inflateEnd(&stream);
      throw std::runtime_error("gzip: truncated data");
    }
  }
  inflateEnd(&stream);
  return out;
}

std::string BrotliDecompress(std::string_view data) {
  BrotliDecoderState* state = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (!state) throw std::runtime_error("brotli: out of memory");
  const uint8_t* next_in = reinterpret_cast<const uint8_t*>(data.data());
  size_t avail_in = data.size();
  std::string out;
  std::array<uint8_t, 64 * 1024> buffer;
  BrotliDecoderResult result = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (result == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    uint8_t* next_out = buffer.data();
    size_t avail_out = buffer.size();
    result = BrotliDecoderDecompressStream(state, &avail_in, &next_in, &avail_out, &next_out, nullptr);
    out.append(reinterpret_cast<char*>(buffer.data()), buffer.size() - avail_out);
  }
  BrotliDecoderDestroyInstance(state);
  if (result != BROTLI_DECODER_RESULT_SUCCESS) throw std::runtime_error("brotli: corrupt or truncated data");
  return out;
}

bool IsTextLike(std::string_view path) {
  static constexpr std::string_view kExtensions[] = {
      ".js", ".mjs", ".cjs", ".css", ".html", ".htm", ".svg", ".json",
      ".webmanifest", ".txt", ".xml", ".wasm", ".map"};
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  std::string extension;
  for (char c : base.substr(dot)) extension += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (std::string_view known : kExtensions) {
    if (extension == known) return true;
  }
  return false;
}

void ValidateLevels(const CompressionLevels& levels, const std::string& origin) {
  if (levels.gzip_level < 1 || levels.gzip_level > 9) {
    throw InputError(origin + ": gzip level must be 1..9, got " + std::to_string(levels.gzip_level));
  }
  if (levels.brotli_quality < 0 || levels.brotli_quality > 11) {
    throw InputError(origin + ": brotli quality must be 0..11, got " +
                     std::to_string(levels.brotli_quality));
  }
  if (levels.zstd_level < 1 || levels.zstd_level > 22) {
    throw InputError(origin + ": zstd level must be 1..22, got " + std::to_string(levels.zstd_level));
  }
  if (levels.brotli_window < 10 || levels.brotli_window > 24) {
    throw InputError(origin + ": brotli window must be 10..24, got " +
                     std::to_string(levels.brotli_window));
  }
}

}  // namespace npsbundle
