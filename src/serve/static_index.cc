#include "serve/static_index.h"


#include <malloc.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
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

}  // namespace

std::string MakeEtag(std::string_view bytes, ContentCoding coding) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "\"%016llx-%llx", static_cast<unsigned long long>(Fnv1a64(bytes)),
                static_cast<unsigned long long>(bytes.size()));
  std::string etag = buffer;
  if (coding != ContentCoding::kIdentity) etag += "-" + std::string(CodingName(coding));
  return etag + "\"";
}

StaticIndex StaticIndex::Build(const BundleSource& source, const IndexOptions& options,
                               IndexReport* report) {
  StaticIndex index;
  std::optional<Manifest> manifest = FindManifest(source, report);
  std::unordered_map<const StaticFile*, StagedBytes> staged =
      index.ReadFiles(source, PairVariants(source), options, manifest, report);
  if (manifest) {
    index.AddPreloadHints(*manifest, options, report);
  } else if (!options.routes.empty()) {
    report->warnings.push_back("the build has no manifest; route hints are off");
  }
  if (options.compress_in_memory) {
    report->compressed_in_memory = index.CompressInMemory(&staged, options);
  }
  index.PackBodies(&staged);
  report->files = index.files_.size();
  return index;
}

std::unordered_map<const StaticFile*, StagedBytes> StaticIndex::ReadFiles(
    const BundleSource& source, const VariantIndex& variants, const IndexOptions& options,
    const std::optional<Manifest>& manifest, IndexReport* report) {
  const CacheClassifier caching(manifest ? &*manifest : nullptr);
  std::unordered_map<const StaticFile*, StagedBytes> staged;
  int64_t fallback_mtime = FileMtime(source.name()).value_or(static_cast<int64_t>(std::time(nullptr)));
  std::string root = source.root_directory();
  for (const std::string& path : variants.servable) {
    // Never served, so never read or compressed.
    if (IsHiddenPath(path) || IsHostConfigFile(path)) continue;
    if (!options.serve_maps && path.ends_with(".map")) continue;
    StaticFile file;
    file.path = path;
    file.content_type = std::string(ContentTypeFor(path));
    file.immutable = caching.IsImmutable(path);
    file.last_modified = source.on_disk() ? FileMtime(root + "/" + path).value_or(fallback_mtime)
                                          : fallback_mtime;
    file.last_modified_text = FormatHttpDate(file.last_modified);
    std::optional<StagedBytes> bytes_of = ReadRepresentations(source, variants, path, report);
    if (!bytes_of) continue;  // every variant of a compressed-only file was corrupt
    const StaticFile& indexed = files_.emplace(path, std::move(file)).first->second;
    staged[&indexed] = std::move(*bytes_of);
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

size_t StaticIndex::CompressInMemory(std::unordered_map<const StaticFile*, StagedBytes>* staged,
                                     const IndexOptions& options) {
  // Text files that came without variants, on every core: brotli at quality
  // 11 is the slow part of start-up.
  struct Job {
    StagedBytes* bytes;
    ContentCoding coding;
  };
  std::vector<Job> jobs;
  for (auto& [path, file] : files_) {
    if (!IsTextLike(path)) continue;
    StagedBytes& bytes_of = (*staged)[&file];
    for (ContentCoding coding : {ContentCoding::kBrotli, ContentCoding::kGzip}) {
      if (!bytes_of[static_cast<int>(coding)]) jobs.push_back({&bytes_of, coding});
    }
  }
  std::set<StagedBytes*> compressed_files;
  std::mutex mutex;
  ParallelFor(jobs.size(), options.threads, [&](size_t i) {
    const std::string& bytes = *(*jobs[i].bytes)[0];
    std::string encoded = jobs[i].coding == ContentCoding::kBrotli
                              ? BrotliCompress(bytes, options.levels.brotli_quality, options.levels.brotli_window)
                              : GzipCompress(bytes, options.levels.gzip_level);
    if (!WorthCompressing(bytes.size(), encoded.size())) return;
    std::lock_guard<std::mutex> lock(mutex);
    (*jobs[i].bytes)[static_cast<int>(jobs[i].coding)] = std::move(encoded);
    compressed_files.insert(jobs[i].bytes);
  });
  return compressed_files.size();
}

void StaticIndex::PackBodies(std::unordered_map<const StaticFile*, StagedBytes>* staged) {
  // One copy of every body, in one memory file the serve loop can sendfile
  // from; the staged strings go when this returns.
  std::vector<std::string_view> parts;
  std::vector<Representation*> targets;
  for (auto& [path, file] : files_) {
    const StagedBytes& bytes_of = (*staged)[&file];
    for (int i = 0; i < kContentCodingCount; ++i) {
      if (!bytes_of[i]) continue;
      file.representations[i] = Representation{{}, MakeEtag(*bytes_of[i], static_cast<ContentCoding>(i))};
      parts.push_back(*bytes_of[i]);
      targets.push_back(&*file.representations[i]);
    }
  }
  std::vector<std::string_view> views;
  bodies_ = BodyStore::Pack(parts, &views);
  for (size_t i = 0; i < targets.size(); ++i) targets[i]->bytes = views[i];
  staged->clear();
  // The staged copies were many heap blocks below malloc's mmap threshold:
  // hand their pages back, or the build would be held twice.
  malloc_trim(0);
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
