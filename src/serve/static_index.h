#ifndef NPSBUNDLE_SERVE_STATIC_INDEX_H_
#define NPSBUNDLE_SERVE_STATIC_INDEX_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "build/manifest.h"
#include "serve/body_cache.h"
#include "serve/body_store.h"
#include "core/bundle_source.h"
#include "core/compression.h"
#include "http/semantics.h"

namespace npsbundle {

// One representation of a file: the bytes sent on the wire and their strong
// entity-tag. Each coding has its own tag (RFC 9110 §8.8.3.3), so a cache
// never mixes a brotli body with a gzip one.
struct Representation {
  std::string_view bytes;  // in `store`, valid while the index lives
  std::string etag;        // "\"<hash>-<length>\"" with a coding suffix for br/gzip
  const BodyStore* store = nullptr;  // owned by the index; nullptr for an empty body
};

// The representations a file has at one moment. Immutable once published:
// the background compressor gives a file a whole new set, so a reader that
// took one set sees identity, variants and `pending` that belong together.
struct RepresentationSet {
  // Indexed by ContentCoding; identity is always present.
  std::array<std::optional<Representation>, kContentCodingCount> representations;
  // Compressed variants are still being made in the background.
  bool pending = false;

  const Representation& identity() const { return *representations[0]; }
  const std::optional<Representation>& Get(ContentCoding coding) const {
    return representations[static_cast<int>(coding)];
  }
  AvailableCodings available() const { return {Get(ContentCoding::kBrotli).has_value(),
                                               Get(ContentCoding::kGzip).has_value()}; }
  // True when several representations exist, so responses carry Vary.
  bool negotiable() const { return available().br || available().gzip; }
  // Vary is sent from the first response on when variants are coming: a
  // cache must not keep the identity body as the answer for everyone.
  bool vary() const { return negotiable() || pending; }
};

// A servable file of the build with everything a response needs, computed
// once at start-up except its representations, which the background
// compressor may replace (atomically, as a whole set) while it is served.
struct StaticFile {
  std::string path;          // build path, "assets/x.js"
  std::string content_type;  // "text/javascript; charset=utf-8"
  bool immutable = false;    // hashed asset: cached for a year
  int64_t last_modified = 0; // seconds since the epoch
  std::string last_modified_text;  // the same as an HTTP-date, formatted at indexing
  // `Link` values for an HTML entry's initial set; empty for other files.
  std::vector<std::string> preload_links;

  StaticFile() = default;
  // Only while the index is being built (the set pointer is copied).
  StaticFile(StaticFile&& other) noexcept;
  StaticFile& operator=(StaticFile&&) = delete;

  // The current set; one load, so take it once per response. It lives as
  // long as the index.
  const RepresentationSet& current() const { return *set_.load(std::memory_order_acquire); }
  const Representation& identity() const { return current().identity(); }
  const std::optional<Representation>& Get(ContentCoding coding) const { return current().Get(coding); }
  AvailableCodings available() const { return current().available(); }
  bool negotiable() const { return current().negotiable(); }

 private:
  friend class StaticIndex;
  std::atomic<const RepresentationSet*> set_{nullptr};
};

// When text files without .br/.gz siblings get their compressed variants.
enum class Precompress {
  kBackground,  // serve at once (identity, siblings, body cache); compress behind
  kWait,        // compress everything before serving (what `measure` times)
};

// How far background compression has come, for a progress line.
struct CompressProgress {
  size_t done = 0;          // files compressed (both codings)
  size_t total = 0;         // files queued at start
  uint64_t saved_bytes = 0; // identity bytes minus brotli bytes of the done files
  bool finished = false;    // the last report (also after cancellation)
};

struct IndexOptions {
  // Levels for text files that have no precompressed variant on disk.
  CompressionLevels levels;
  bool compress_in_memory = true;
  Precompress precompress = Precompress::kWait;
  // Folder of the body cache (BodyCache); empty: none.
  std::string body_cache_dir;
  uint64_t body_cache_max_bytes = BodyCache::kDefaultMaxBytes;
  // Test hook: background compression starts only once this is ready (an
  // empty future: at once). Lets tests see the server before any variant.
  std::shared_future<void> compress_after;
  // Called from the compressor's thread after each batch of files is
  // published, and once with finished set. Must not block.
  std::function<void(const CompressProgress&)> on_progress;
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
  size_t compressed_in_memory = 0;  // files compressed at start-up (kWait)
  size_t from_cache = 0;            // files whose variants came from the body cache
  size_t compress_queued = 0;       // files left to the background compressor
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

// Every file of a build, held in memory with its representations. Built
// once; afterwards only the background compressor changes it (a file's
// representation set, by one atomic pointer store), so one index can serve
// any number of threads.
//
// Variants "X.br" / "X.gz" next to a file X become X's brotli / gzip
// representations (and are not servable under their own names); a variant
// that does not decode to X is stale and is replaced by an in-memory one,
// with a warning. A variant without X serves X by decompressing it. Text-like
// files (IsTextLike) without variants get them from the body cache, else
// are compressed in memory when that makes them smaller: before Build
// returns (kWait) or behind it (kBackground: the HTML entries and their
// initial sets first, on every core at a lower CPU priority than serving).
class StaticIndex {
 public:
  // Indexes in named steps: find the manifest, pair each file with its
  // variants (PairVariants), read each servable file with its variants and
  // cache class (ReadFiles), add the preload hints of entries and routes
  // (AddPreloadHints), take what the body cache has (FillFromCache),
  // compress the rest now (kWait), pack every body into one store
  // (PackBodies), and start the background compressor (kBackground).
  static std::shared_ptr<StaticIndex> Build(const BundleSource& source, const IndexOptions& options,
                                            IndexReport* report);
  // Cancels background compression (the files in flight finish) and joins it.
  ~StaticIndex();
  StaticIndex(const StaticIndex&) = delete;
  StaticIndex& operator=(const StaticIndex&) = delete;

  // The file at build path `path`, or nullptr.
  const StaticFile* Find(std::string_view path) const;
  // The `Link` values for a navigation to `route` ("/oracle"): the entry's
  // and the page's hints in one capped list, sent instead of the HTML's
  // own; empty if the route map does not name it.
  const std::vector<std::string>& RouteLinks(std::string_view route) const;

  size_t size() const { return files_.size(); }

  // Blocks until background compression has finished (at once when there is
  // none); false if `timeout` passed first.
  bool WaitForCompression(std::chrono::milliseconds timeout) const;
  CompressProgress progress() const;

 private:
  struct Job;
  struct Background;
  StaticIndex();

  std::unordered_map<const StaticFile*, StagedBytes> ReadFiles(
      const BundleSource& source, const VariantIndex& variants, const IndexOptions& options,
      const std::optional<Manifest>& manifest, IndexReport* report);
  void AddPreloadHints(const Manifest& manifest, const IndexOptions& options, IndexReport* report);
  // The text files still missing a variant after the body cache was asked,
  // entries and initial sets first.
  std::vector<Job> FillFromCache(std::unordered_map<const StaticFile*, StagedBytes>* staged,
                                 const std::set<std::string>& first, const IndexOptions& options,
                                 IndexReport* report);
  // Compresses every job before returning; returns how many files got a variant.
  size_t CompressNow(std::vector<Job>* jobs, std::unordered_map<const StaticFile*, StagedBytes>* staged,
                     const IndexOptions& options);
  void PackBodies(std::unordered_map<const StaticFile*, StagedBytes>* staged,
                  const std::vector<Job>& pending);
  // Makes the job's missing variants from `identity`, remembers each in the
  // body cache, and keeps in job->made those worth sending. Returns how many.
  static size_t MakeVariants(Job* job, std::string_view identity, const CompressionLevels& levels,
                             BodyCache* cache);
  void RunBackground(std::vector<Job> jobs, IndexOptions options);
  // Packs a batch's variants into one new store and gives each of its
  // files a new representation set.
  void PublishBatch(std::vector<Job>* batch, CompressProgress* progress);

  std::map<std::string, StaticFile, std::less<>> files_;
  std::map<std::string, std::vector<std::string>, std::less<>> route_links_;
  std::unique_ptr<BodyCache> body_cache_;
  // Every store and set ever published: a reader may still hold one, so
  // nothing is freed before the index.
  std::mutex keep_mutex_;
  std::vector<std::shared_ptr<const BodyStore>> stores_;
  std::vector<std::unique_ptr<RepresentationSet>> sets_;
  std::unique_ptr<Background> background_;
};

// Strong entity-tag for bytes in a given coding: a 64-bit FNV-1a hash and the
// length. Not cryptographic; it only has to change when the bytes change.
std::string MakeEtag(std::string_view bytes, ContentCoding coding);

}  // namespace npsbundle

#endif  // NPSBUNDLE_SERVE_STATIC_INDEX_H_
