#ifndef NPSBUNDLE_BUILD_SOURCEMAP_H_
#define NPSBUNDLE_BUILD_SOURCEMAP_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace npsbundle {

// A source map (revision 3, https://tc39.es/source-map/) reduced to what
// byte attribution needs: the list of sources and the encoded mappings.
// Names, source positions and sourcesContent are ignored.
struct SourceMap {
  std::vector<std::string> sources;  // as written, with sourceRoot prefixed; "" for null
  std::string mappings;              // the VLQ string, decoded lazily by MappingsDecoder
};

// Parses source map JSON. Throws InputError naming `display_path` and the
// JSON location of the problem ("dist/a.js.map: sources[3]: expected a string").
// Index maps ("sections") are reported as unsupported.
SourceMap ParseSourceMap(std::string_view json, const std::string& display_path);

// One mapping segment. Lines and columns are 0-based; columns count UTF-16
// code units, as the source map format defines them.
struct MappingSegment {
  uint32_t line = 0;
  uint32_t column = 0;
  int32_t source = -1;  // index into SourceMap::sources; -1 for a 1-field segment
};

// Streams the segments of a `mappings` string in order without allocating:
// the decoder keeps only the running VLQ state, so a multi-megabyte map costs
// one pass over its characters. `mappings` must outlive the decoder.
class MappingsDecoder {
 public:
  MappingsDecoder(std::string_view mappings, uint32_t source_count)
      : text_(mappings), source_count_(source_count) {}

  // Stores the next segment in *out and returns true, or returns false at the
  // end. Returns false and sets *error ("offset 12: invalid base64 character
  // '!'") on malformed input; *error stays empty at a clean end.
  bool Next(MappingSegment* out, std::string* error);

 private:
  bool ReadVlq(int64_t* value, std::string* error);

  std::string_view text_;
  uint32_t source_count_;
  size_t pos_ = 0;
  uint32_t line_ = 0;
  int64_t column_ = 0, source_ = 0, source_line_ = 0, source_column_ = 0, name_ = 0;
};

// Raw bytes of a generated file attributed to its sources.
struct ByteAttribution {
  std::vector<uint64_t> per_source;  // parallel to SourceMap::sources
  uint64_t unmapped = 0;             // bytes no segment with a source covers
};

// Attributes every byte of `code` (the generated file) to a source: on each
// generated line, the bytes from a segment's column up to the next segment
// (or the end of the line, its '\n' included) belong to that segment's
// source. Bytes before a line's first segment, bytes under 1-field segments
// and lines without segments are unmapped. The sum of all counts is always
// code.size(). Throws InputError (prefixed with `display_path`) when the
// mappings are malformed or name a source index out of range.
ByteAttribution AttributeBytes(std::string_view code, const SourceMap& map, const std::string& display_path);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUILD_SOURCEMAP_H_
