#include "serve/static_index.h"


#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <ctime>
#include <exception>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "build/asset_names.h"
#include "core/parallel.h"
#include "build/html_entry.h"
#include "build/load_sets.h"
#include "build/manifest.h"
#include "policy/preload.h"
#include "policy/serving.h"

namespace npsbundle {

struct StaticIndex::Job {
  StaticFile* file = nullptr;
  ContentHash hash;  // of the identity bytes; set only with a body cache
  bool first = false;  // an entry or in an initial set
  // By ContentCoding: the variants to make, and those made and worth sending.
  std::array<bool, kContentCodingCount> missing{};
  StagedBytes made;
};

struct StaticIndex::Background {
  std::thread thread;
  std::atomic<bool> cancel{false};
  mutable std::mutex mutex;
  std::condition_variable finished_cv;
  CompressProgress progress{0, 0, 0, true};  // under `mutex`
};

namespace {

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

std::optional<int64_t> FileMtime(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  return static_cast<int64_t>(st.st_mtim.tv_sec);
}

// Decodes a variant; nullopt when it is corrupt.
std::optional<std::string> Decode(std::string_view bytes, ContentCoding coding) {
  try {
    return coding == ContentCoding::kBrotli ? BrotliDecompress(bytes) : GzipDecompress(bytes);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// The build's manifest (Vite's, or the one read from index.html); a
// malformed one costs the hints and long caching, not the server.
std::optional<Manifest> FindManifest(const BundleSource& source, IndexReport* report) {
  try {
    FoundManifest found = LoadBuildManifest(source);
    report->warnings.insert(report->warnings.end(), found.warnings.begin(), found.warnings.end());
    return std::move(found.manifest);
  } catch (const std::exception& e) {
    report->warnings.push_back(std::string(e.what()) + " (serving without preload hints)");
    return std::nullopt;
  }
}

// Pairs variants "X.br" / "X.gz" with the file X they encode; the rest is
// servable under its own name, and so is X when only its variants exist.
VariantIndex PairVariants(const BundleSource& source) {
  VariantIndex index;
  std::set<std::string, std::less<>> variant_paths;
  for (const SourceFile& file : source.files()) {
    for (ContentCoding coding : {ContentCoding::kBrotli, ContentCoding::kGzip}) {
      std::string_view suffix = coding == ContentCoding::kBrotli ? ".br" : ".gz";
      if (!file.path.ends_with(suffix)) continue;
      std::string base = file.path.substr(0, file.path.size() - suffix.size());
      // "data.tar.gz" is a file of its own; "app.js.gz" is a variant even
      // when app.js itself is missing (a compressed-only build).
      if (!source.Find(base) && !IsTextLike(base)) continue;
      (coding == ContentCoding::kBrotli ? index.variants[base].br : index.variants[base].gzip) =
          file.path;
      variant_paths.insert(file.path);
    }
  }
  for (const SourceFile& file : source.files()) {
    if (!variant_paths.count(file.path)) index.servable.push_back(file.path);
  }
  for (const auto& [base, paths] : index.variants) {
    if (!source.Find(base)) index.servable.push_back(base);
  }
  return index;
}

// The identity bytes of `path` and those of its variants that decode to
// them; a stale or corrupt variant is dropped with a warning. nullopt when
// nothing usable is left.
std::optional<StagedBytes> ReadRepresentations(const BundleSource& source,
                                               const VariantIndex& variants,
                                               const std::string& path, IndexReport* report) {
  StagedBytes bytes_of;
  std::optional<std::string> identity;
  if (source.Find(path)) identity = source.Read(path);
  auto found = variants.variants.find(path);
  if (found != variants.variants.end()) {
    for (ContentCoding coding : {ContentCoding::kBrotli, ContentCoding::kGzip}) {
      const std::string& variant_path = found->second.For(coding);
      if (variant_path.empty()) continue;
      std::string bytes = source.Read(variant_path);
      std::optional<std::string> decoded = Decode(bytes, coding);
      if (decoded && !identity) identity = *decoded;
      if (!decoded || *decoded != *identity) {
        report->warnings.push_back(source.DisplayPath(variant_path) +
                                   ": stale or corrupt (does not decode to " + path + "); ignored");
        continue;
      }
      bytes_of[static_cast<int>(coding)] = std::move(bytes);
      ++report->precompressed;
    }
  }
  if (!identity) return std::nullopt;
  bytes_of[0] = std::move(*identity);
  return bytes_of;
}


BodyCacheKey KeyFor(const ContentHash& hash, ContentCoding coding, const CompressionLevels& levels) {
  return coding == ContentCoding::kBrotli
             ? BodyCacheKey{hash, coding, levels.brotli_quality, levels.brotli_window}
             : BodyCacheKey{hash, coding, levels.gzip_level, 0};
}

// The HTML entries and the initial set of each: what the first page load
// asks for, so what gets compressed first.
std::set<std::string> FirstToCompress(const Manifest& manifest,
                                      const std::map<std::string, StaticFile, std::less<>>& files) {
  std::set<std::string> first;
  for (const auto& [path, file] : files) {
    if (!IsHtmlContentType(file.content_type)) continue;
    first.insert(path);
    std::string key = EntryKeyForHtml(manifest, path);
    if (key.empty()) continue;
    for (std::string& member : InitialSet(manifest, key).All()) first.insert(std::move(member));
  }
  return first;
}

// Background compression yields the cores to serving: its threads run at a
// lower priority (Linux applies the nice value per thread). Mildly: at nice
// 4 a request's thread weighs 2.4 times a compressor's, while on a busy
// machine (a bundler, a browser) the compressor keeps a fair share; at nice
// 10 it got a tenth and took minutes under other load.
constexpr int kCompressorNice = 4;
void LowerThisThreadsPriority() {
  thread_local bool lowered = false;
  if (lowered) return;
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kCompressorNice);
  lowered = true;
}

}  // namespace

std::string MakeEtag(std::string_view bytes, ContentCoding coding) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "\"%016llx-%llx", static_cast<unsigned long long>(Fnv1a64(bytes)),
                static_cast<unsigned long long>(bytes.size()));
  std::string etag = buffer;
  if (coding != ContentCoding::kIdentity) etag += "-" + std::string(CodingName(coding));
  return etag + "\"";
}

StaticFile::StaticFile(StaticFile&& other) noexcept
    : path(std::move(other.path)),
      content_type(std::move(other.content_type)),
      immutable(other.immutable),
      last_modified(other.last_modified),
      last_modified_text(std::move(other.last_modified_text)),
      preload_links(std::move(other.preload_links)),
      set_(other.set_.load()) {}

std::shared_ptr<StaticIndex> StaticIndex::Build(const BundleSource& source, const IndexOptions& options,
                                                IndexReport* report) {
  // Built in place: the background compressor keeps pointers to its files.
  std::shared_ptr<StaticIndex> index(new StaticIndex());
  std::optional<Manifest> manifest = FindManifest(source, report);
  std::unordered_map<const StaticFile*, StagedBytes> staged =
      index->ReadFiles(source, PairVariants(source), options, manifest, report);
  if (manifest) {
    index->AddPreloadHints(*manifest, options, report);
  } else if (!options.routes.empty()) {
    report->warnings.push_back("the build has no manifest; route hints are off");
  }
  std::vector<Job> jobs;
  if (options.compress_in_memory) {
    if (!options.body_cache_dir.empty()) {
      index->body_cache_ = std::make_unique<BodyCache>(options.body_cache_dir, options.body_cache_max_bytes);
    }
    jobs = index->FillFromCache(&staged, manifest ? FirstToCompress(*manifest, index->files_) : std::set<std::string>(),
                                options, report);
    if (options.precompress == Precompress::kWait) {
      report->compressed_in_memory = index->CompressNow(&jobs, &staged, options);
      jobs.clear();
    }
  }
  index->PackBodies(&staged, jobs);
  report->files = index->files_.size();
  report->compress_queued = jobs.size();
  if (!jobs.empty()) {
    index->background_->progress = CompressProgress{0, jobs.size(), 0, false};
    // Process signals (SIGINT, SIGTERM) are for the threads that wait for
    // them: the compressor's threads start with every signal blocked (a new
    // thread inherits its creator's mask, so there is no window).
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    index->background_->thread = std::thread(&StaticIndex::RunBackground, index.get(), std::move(jobs), options);
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  } else if (index->body_cache_) {
    index->body_cache_->Prune();
  }
  if (index->body_cache_) {
    for (std::string& warning : index->body_cache_->warnings()) report->warnings.push_back(std::move(warning));
  }
  return index;
}

std::unordered_map<const StaticFile*, StagedBytes> StaticIndex::ReadFiles(
    const BundleSource& source, const VariantIndex& variants, const IndexOptions& options,
    const std::optional<Manifest>& manifest, IndexReport* report) {
  const CacheClassifier caching(manifest ? &*manifest : nullptr);
  std::unordered_map<const StaticFile*, StagedBytes> staged;
  int64_t fallback_mtime = FileMtime(source.name()).value_or(static_cast<int64_t>(std::time(nullptr)));
  std::string root = source.root_directory();
  std::vector<const std::string*> paths;
  for (const std::string& path : variants.servable) {
    // Never served, so never read or compressed.
    if (IsHiddenPath(path) || IsHostConfigFile(path)) continue;
    if (!options.serve_maps && path.ends_with(".map")) continue;
    paths.push_back(&path);
  }
  // Reading, and decoding every sibling to check it is not stale, on every
  // core: with siblings this is most of the time to the first response.
  std::vector<std::optional<StagedBytes>> read(paths.size());
  std::vector<IndexReport> reports(paths.size());
  ParallelFor(paths.size(), options.threads, [&](size_t i) {
    read[i] = ReadRepresentations(source, variants, *paths[i], &reports[i]);
  });
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = *paths[i];
    report->precompressed += reports[i].precompressed;
    for (std::string& warning : reports[i].warnings) report->warnings.push_back(std::move(warning));
    if (!read[i]) continue;  // every variant of a compressed-only file was corrupt
    StaticFile file;
    file.path = path;
    file.content_type = std::string(ContentTypeFor(path));
    file.immutable = caching.IsImmutable(path);
    file.last_modified = source.on_disk() ? FileMtime(root + "/" + path).value_or(fallback_mtime)
                                          : fallback_mtime;
    file.last_modified_text = FormatHttpDate(file.last_modified);
    const StaticFile& indexed = files_.emplace(path, std::move(file)).first->second;
    staged[&indexed] = std::move(*read[i]);
  }
  return staged;
}

void StaticIndex::AddPreloadHints(const Manifest& manifest, const IndexOptions& options,
                                  IndexReport* report) {
  for (auto& [path, file] : files_) {
    if (!IsHtmlContentType(file.content_type)) continue;
    std::string key = EntryKeyForHtml(manifest, path);
    if (key.empty()) continue;
    PreloadHints hints = EntryPreloadLinks(manifest, key, options.base);
    file.preload_links = std::move(hints.links);
    report->hints_dropped += hints.dropped;
  }
  for (const auto& [route, page] : options.routes) {
    if (!manifest.Find(page)) {
      report->warnings.push_back("route " + route + ": no manifest key \"" + page + "\"; no hints");
      continue;
    }
    // The entry a navigation there falls back to, as nginx picks it.
    std::string entry = EntryKeyForHtml(manifest, HtmlForNavigation(manifest, route));
    if (entry.empty()) continue;
    PreloadHints hints = RoutePreloadLinks(manifest, entry, page, options.base);
    route_links_[route] = std::move(hints.links);
    report->hints_dropped += hints.dropped;
  }
}

std::vector<StaticIndex::Job> StaticIndex::FillFromCache(
    std::unordered_map<const StaticFile*, StagedBytes>* staged, const std::set<std::string>& first,
    const IndexOptions& options, IndexReport* report) {
  std::vector<Job> jobs;
  for (auto& [path, file] : files_) {
    if (!IsTextLike(path)) continue;
    const StagedBytes& bytes_of = (*staged)[&file];
    Job job;
    job.file = &file;
    job.first = first.count(path) > 0;
    for (ContentCoding coding : {ContentCoding::kBrotli, ContentCoding::kGzip}) {
      job.missing[static_cast<int>(coding)] = !bytes_of[static_cast<int>(coding)];
    }
    if (job.missing[1] || job.missing[2]) jobs.push_back(std::move(job));
  }
  // Entries and their initial sets first: the first page load wants them.
  std::stable_partition(jobs.begin(), jobs.end(), [](const Job& job) { return job.first; });
  if (!body_cache_) return jobs;
  std::atomic<size_t> from_cache{0};
  ParallelFor(jobs.size(), options.threads, [&](size_t i) {
    Job& job = jobs[i];
    StagedBytes& bytes_of = staged->find(job.file)->second;
    job.hash = HashContent(*bytes_of[0]);
    bool hit = false;
    for (ContentCoding coding : {ContentCoding::kBrotli, ContentCoding::kGzip}) {
      int c = static_cast<int>(coding);
      if (!job.missing[c]) continue;
      std::optional<std::string> body = body_cache_->Lookup(KeyFor(job.hash, coding, options.levels));
      if (!body) continue;
      job.missing[c] = false;
      hit = true;
      if (WorthCompressing(bytes_of[0]->size(), body->size())) bytes_of[c] = std::move(*body);
    }
    if (hit) ++from_cache;
  });
  report->from_cache = from_cache;
  std::erase_if(jobs, [](const Job& job) { return !job.missing[1] && !job.missing[2]; });
  return jobs;
}

size_t StaticIndex::CompressNow(std::vector<Job>* jobs, std::unordered_map<const StaticFile*, StagedBytes>* staged,
                                const IndexOptions& options) {
  // Brotli at quality 11 is the slow part of start-up: on every core.
  std::atomic<size_t> compressed{0};
  ParallelFor(jobs->size(), options.threads, [&](size_t i) {
    Job& job = (*jobs)[i];
    StagedBytes& bytes_of = staged->find(job.file)->second;
    if (MakeVariants(&job, *bytes_of[0], options.levels, body_cache_.get()) == 0) return;
    for (int c = 1; c < kContentCodingCount; ++c) {
      if (job.made[c]) bytes_of[c] = std::move(*job.made[c]);
    }
    ++compressed;
  });
  return compressed;
}

void StaticIndex::PackBodies(std::unordered_map<const StaticFile*, StagedBytes>* staged,
                             const std::vector<Job>& pending) {
  // One copy of every body, in one memory file the serve loop can sendfile
  // from; the staged strings go when this returns.
  std::set<const StaticFile*> queued;
  for (const Job& job : pending) queued.insert(job.file);
  std::vector<std::string_view> parts;
  std::vector<Representation*> targets;
  for (auto& [path, file] : files_) {
    const StagedBytes& bytes_of = (*staged)[&file];
    auto set = std::make_unique<RepresentationSet>();
    set->pending = queued.count(&file) > 0;
    for (int i = 0; i < kContentCodingCount; ++i) {
      if (!bytes_of[i]) continue;
      set->representations[i] = Representation{{}, MakeEtag(*bytes_of[i], static_cast<ContentCoding>(i))};
      parts.push_back(*bytes_of[i]);
      targets.push_back(&*set->representations[i]);
    }
    file.set_.store(set.get(), std::memory_order_relaxed);
    sets_.push_back(std::move(set));
  }
  std::vector<std::string_view> views;
  std::shared_ptr<const BodyStore> store = BodyStore::Pack(parts, &views);
  for (size_t i = 0; i < targets.size(); ++i) {
    targets[i]->bytes = views[i];
    targets[i]->store = store.get();
  }
  stores_.push_back(std::move(store));
  staged->clear();
  // The staged copies were many heap blocks below malloc's mmap threshold:
  // hand their pages back, or the build would be held twice.
  malloc_trim(0);
}

StaticIndex::StaticIndex() : background_(std::make_unique<Background>()) {}

StaticIndex::~StaticIndex() {
  if (background_->thread.joinable()) {
    background_->cancel = true;
    background_->thread.join();
  }
}

size_t StaticIndex::MakeVariants(Job* job, std::string_view identity, const CompressionLevels& levels,
                                 BodyCache* cache) {
  size_t made = 0;
  for (ContentCoding coding : {ContentCoding::kBrotli, ContentCoding::kGzip}) {
    int c = static_cast<int>(coding);
    if (!job->missing[c]) continue;
    std::string encoded = coding == ContentCoding::kBrotli
                              ? BrotliCompress(identity, levels.brotli_quality, levels.brotli_window)
                              : GzipCompress(identity, levels.gzip_level);
    // Cached even when not worth sending, so the next start need not find
    // that out again.
    if (cache) cache->Store(KeyFor(job->hash, coding, levels), encoded);
    if (!WorthCompressing(identity.size(), encoded.size())) continue;
    job->made[c] = std::move(encoded);
    ++made;
  }
  return made;
}

void StaticIndex::RunBackground(std::vector<Job> jobs, IndexOptions options) {
  Background& background = *background_;
  if (options.compress_after.valid()) {
    while (!background.cancel &&
           options.compress_after.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
    }
  }
  // Finished files are published in batches: one memory file per batch
  // keeps the descriptors few (32 files each), and a batch also goes out
  // after 0.5 s, or at once for an entry file, so variants appear early.
  constexpr size_t kBatchFiles = 32;
  std::mutex ready_mutex;
  std::vector<Job> ready;
  size_t completed = 0;
  auto last_flush = std::chrono::steady_clock::now();
  std::mutex publish_mutex;
  ParallelFor(jobs.size(), options.threads, [&](size_t i) {
    if (background.cancel) return;
    LowerThisThreadsPriority();
    Job& job = jobs[i];
    MakeVariants(&job, job.file->identity().bytes, options.levels, body_cache_.get());
    std::vector<Job> batch;
    {
      std::lock_guard<std::mutex> lock(ready_mutex);
      bool first = job.first;
      ready.push_back(std::move(job));
      ++completed;
      auto now = std::chrono::steady_clock::now();
      if (first || ready.size() >= kBatchFiles || completed == jobs.size() ||
          now - last_flush > std::chrono::milliseconds(500)) {
        batch.swap(ready);
        last_flush = now;
      }
    }
    if (batch.empty()) return;
    std::lock_guard<std::mutex> lock(publish_mutex);
    CompressProgress progress;
    PublishBatch(&batch, &progress);
    if (options.on_progress) options.on_progress(progress);
  });
  if (body_cache_ && !background.cancel) body_cache_->Prune();
  CompressProgress progress;
  {
    std::lock_guard<std::mutex> lock(background.mutex);
    background.progress.finished = true;
    progress = background.progress;
  }
  background.finished_cv.notify_all();
  if (options.on_progress) options.on_progress(progress);
}

void StaticIndex::PublishBatch(std::vector<Job>* batch, CompressProgress* progress) {
  std::vector<std::string_view> parts;
  for (const Job& job : *batch) {
    for (int c = 1; c < kContentCodingCount; ++c) {
      if (job.made[c]) parts.push_back(*job.made[c]);
    }
  }
  std::vector<std::string_view> views;
  std::shared_ptr<const BodyStore> store = BodyStore::Pack(parts, &views);
  size_t next = 0;
  uint64_t saved = 0;
  std::lock_guard<std::mutex> keep(keep_mutex_);
  for (Job& job : *batch) {
    // Only this thread replaces sets, so the copy is of the latest one.
    auto set = std::make_unique<RepresentationSet>(job.file->current());
    set->pending = false;
    for (int c = 1; c < kContentCodingCount; ++c) {
      if (!job.made[c]) continue;
      set->representations[c] =
          Representation{views[next++], MakeEtag(*job.made[c], static_cast<ContentCoding>(c)), store.get()};
    }
    if (const auto& br = set->Get(ContentCoding::kBrotli)) saved += set->identity().bytes.size() - br->bytes.size();
    // Release: a reader that loads the pointer sees the whole set.
    job.file->set_.store(set.get(), std::memory_order_release);
    sets_.push_back(std::move(set));
  }
  stores_.push_back(std::move(store));
  std::lock_guard<std::mutex> lock(background_->mutex);
  background_->progress.done += batch->size();
  background_->progress.saved_bytes += saved;
  *progress = background_->progress;
}

bool StaticIndex::WaitForCompression(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(background_->mutex);
  return background_->finished_cv.wait_for(lock, timeout, [this] { return background_->progress.finished; });
}

CompressProgress StaticIndex::progress() const {
  std::lock_guard<std::mutex> lock(background_->mutex);
  return background_->progress;
}

const StaticFile* StaticIndex::Find(std::string_view path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

const std::vector<std::string>& StaticIndex::RouteLinks(std::string_view route) const {
  static const std::vector<std::string> kNone;
  if (route.size() > 1 && route.back() == '/') route.remove_suffix(1);
  auto it = route_links_.find(route);
  return it == route_links_.end() ? kNone : it->second;
}

}  // namespace npsbundle
