#ifndef NPSBUNDLE_SERVE_STATIC_INDEX_H_
#define NPSBUNDLE_SERVE_STATIC_INDEX_H_

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "build/manifest.h"
#include "serve/body_store.h"
#include "core/bundle_source.h"
#include "core/compression.h"
#include "http/semantics.h"

namespace npsbundle {

// One representation of a file: the bytes sent on the wire and their strong
// entity-tag. Each coding has its own tag (RFC 9110 §8.8.3.3), so a cache
// never mixes a brotli body with a gzip one.
struct Representation {
  std::string_view bytes;  // in the index's BodyStore, valid while the index lives
  std::string etag;        // "\"<hash>-<length>\"" with a coding suffix for br/gzip
};

// A servable file of the build with everything a response needs, computed
// once at start-up.
struct StaticFile {
  std::string path;          // build path, "assets/x.js"
  std::string content_type;  // "text/javascript; charset=utf-8"
  bool immutable = false;    // hashed asset: cached for a year
  int64_t last_modified = 0; // seconds since the epoch
  std::string last_modified_text;  // the same as an HTTP-date, formatted at indexing
  // Indexed by ContentCoding; identity is always present.
  std::array<std::optional<Representation>, kContentCodingCount> representations;
  // `Link` values for an HTML entry's initial set; empty for other files.
  std::vector<std::string> preload_links;

  const Representation& identity() const { return *representations[0]; }
  const std::optional<Representation>& Get(ContentCoding coding) const {
    return representations[static_cast<int>(coding)];
  }
  AvailableCodings available() const { return {Get(ContentCoding::kBrotli).has_value(),
                                               Get(ContentCoding::kGzip).has_value()}; }
  // True when several representations exist, so responses carry Vary.
  bool negotiable() const { return available().br || available().gzip; }
};

struct IndexOptions {
  // Levels for text files that have no precompressed variant on disk.
  CompressionLevels levels;
  bool compress_in_memory = true;
  // Vite's `base` ("/" or "/app/"): prefixes the URLs in preload links.
  std::string base = "/";
  // URL path relative to `base` ("/oracle") -> manifest key of the page it
  // shows; navigations there get the page's route-cost chunks as hints.
  std::map<std::string, std::string> routes;
  // Source maps are left out of the index (and so answered 404) unless set.
  bool serve_maps = false;
  // Threads for start-up compression; 0 = one per core.
  unsigned threads = 0;
};

// What indexing did, for the start-up log.
struct IndexReport {
  size_t files = 0;                 // servable files
  size_t precompressed = 0;         // .br/.gz variants taken from the build
  size_t compressed_in_memory = 0;  // files compressed at start-up
  size_t hints_dropped = 0;          // preload hints left out by policy/preload's caps
  std::vector<std::string> warnings;  // stale variants ignored, and the like
};

// The bytes of one file's representations while indexing, by coding.
using StagedBytes = std::array<std::optional<std::string>, kContentCodingCount>;

// A build's files split into what is servable and the precompressed
// variants ("X.br", "X.gz") of each file X.
struct VariantIndex {
  struct Paths {
    std::string br;
    std::string gzip;
    const std::string& For(ContentCoding coding) const {
      return coding == ContentCoding::kBrotli ? br : gzip;
    }
  };
  std::map<std::string, Paths, std::less<>> variants;  // by X
  std::vector<std::string> servable;                   // build paths
};

// Every file of a build, held in memory with its representations (their
// bytes packed into one BodyStore). Built once and then only read, so one
// index can serve any number of threads.
//
// Variants "X.br" / "X.gz" next to a file X become X's brotli / gzip
// representations (and are not servable under their own names); a variant
// that does not decode to X is stale and is replaced by an in-memory one,
// with a warning. A variant without X serves X by decompressing it. Text-like
// files (IsTextLike) without variants are compressed in memory when that
// makes them smaller.
class StaticIndex {
 public:
  // Indexes in named steps: find the manifest, pair each file with its
  // variants (PairVariants), read each servable file with its variants and cache class (ReadFiles), add the
  // preload hints of entries and routes (AddPreloadHints), compress text
  // files that came without variants (CompressInMemory), and pack every
  // body into one store (PackBodies).
  static StaticIndex Build(const BundleSource& source, const IndexOptions& options,
                           IndexReport* report);

  // The file at build path `path`, or nullptr.
  const StaticFile* Find(std::string_view path) const;
  // The `Link` values for a navigation to `route` ("/oracle"): the entry's
  // and the page's hints in one capped list, sent instead of the HTML's
  // own; empty if the route map does not name it.
  const std::vector<std::string>& RouteLinks(std::string_view route) const;

  size_t size() const { return files_.size(); }
  // Where every representation's bytes are held (one memory file).
  const BodyStore& bodies() const { return *bodies_; }

 private:
  std::unordered_map<const StaticFile*, StagedBytes> ReadFiles(
      const BundleSource& source, const VariantIndex& variants, const IndexOptions& options,
      const std::optional<Manifest>& manifest, IndexReport* report);
  void AddPreloadHints(const Manifest& manifest, const IndexOptions& options, IndexReport* report);
  // Returns how many files got an in-memory variant.
  size_t CompressInMemory(std::unordered_map<const StaticFile*, StagedBytes>* staged,
                          const IndexOptions& options);
  void PackBodies(std::unordered_map<const StaticFile*, StagedBytes>* staged);

  std::map<std::string, StaticFile, std::less<>> files_;
  std::shared_ptr<const BodyStore> bodies_;
  std::map<std::string, std::vector<std::string>, std::less<>> route_links_;
};

// Strong entity-tag for bytes in a given coding: a 64-bit FNV-1a hash and the
// length. Not cryptographic; it only has to change when the bytes change.
std::string MakeEtag(std::string_view bytes, ContentCoding coding);

}  // namespace npsbundle

#endif  // NPSBUNDLE_SERVE_STATIC_INDEX_H_
