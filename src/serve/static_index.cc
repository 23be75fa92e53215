#include "serve/static_index.h"


#include <malloc.h>
#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <exception>
#include <mutex>
#include <set>
#include <unordered_map>

#include "build/asset_names.h"
#include "build/load_sets.h"
#include "build/manifest.h"
#include "core/parallel.h"
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

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
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

using StagedBytes = std::array<std::optional<std::string>, kContentCodingCount>;

struct VariantPaths {
  std::string br;
  std::string gzip;
  const std::string& For(ContentCoding coding) const {
    return coding == ContentCoding::kBrotli ? br : gzip;
  }
};

// The build's manifest, read only for preload hints and hashed names: a
// malformed one is a warning (serving goes on without hints), not an error.
std::optional<Manifest> ManifestForPreloadHints(const BundleSource& source, IndexReport* report) {
  for (std::string_view path : kManifestPaths) {
    if (!source.Find(path)) continue;
    try {
      return ParseManifest(source.Read(path), source.DisplayPath(path));
    } catch (const std::exception& e) {
      report->warnings.push_back(std::string(e.what()) + " (serving without preload hints)");
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// Build paths the manifest names (chunks, their css and assets): Vite writes
// those with a content hash in the name.
std::set<std::string, std::less<>> ManifestFiles(const Manifest& manifest) {
  std::set<std::string, std::less<>> files;
  for (const auto& [key, chunk] : manifest.chunks) {
    files.insert(chunk.file);
    files.insert(chunk.css.begin(), chunk.css.end());
    files.insert(chunk.assets.begin(), chunk.assets.end());
  }
  return files;
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
  std::optional<Manifest> manifest = ManifestForPreloadHints(source, report);
  std::set<std::string, std::less<>> manifest_files;
  if (manifest) manifest_files = ManifestFiles(*manifest);

  // Pair variants with the file they encode.
  std::map<std::string, VariantPaths, std::less<>> variants;
  std::set<std::string, std::less<>> variant_paths;
  for (const SourceFile& file : source.files()) {
    for (ContentCoding coding : {ContentCoding::kBrotli, ContentCoding::kGzip}) {
      std::string_view suffix = coding == ContentCoding::kBrotli ? ".br" : ".gz";
      if (!EndsWith(file.path, suffix)) continue;
      std::string base = file.path.substr(0, file.path.size() - suffix.size());
      // "data.tar.gz" is a file of its own; "app.js.gz" is a variant even
      // when app.js itself is missing (a compressed-only build).
      if (!source.Find(base) && !IsTextLike(base)) continue;
      (coding == ContentCoding::kBrotli ? variants[base].br : variants[base].gzip) = file.path;
      variant_paths.insert(file.path);
    }
  }
  std::vector<std::string> servable;
  for (const SourceFile& file : source.files()) {
    if (!variant_paths.count(file.path)) servable.push_back(file.path);
  }
  for (const auto& [base, paths] : variants) {
    if (!source.Find(base)) servable.push_back(base);
  }

  // The bytes of each file's representations while indexing, by coding;
  // packed into one BodyStore, and made representations, at the end.
  std::unordered_map<const StaticFile*, StagedBytes> staged;
  int64_t fallback_mtime = FileMtime(source.name()).value_or(static_cast<int64_t>(std::time(nullptr)));
  std::string root = source.root_directory();
  for (const std::string& path : servable) {
    // Never served, so never read or compressed.
    if (IsHiddenPath(path)) continue;
    if (!options.serve_maps && EndsWith(path, ".map")) continue;
    StaticFile file;
    file.path = path;
    file.content_type = std::string(ContentTypeFor(path));
    file.immutable = IsImmutable(path, manifest_files.count(path) > 0);
    file.last_modified = source.on_disk() ? FileMtime(root + "/" + path).value_or(fallback_mtime)
                                          : fallback_mtime;
    file.last_modified_text = FormatHttpDate(file.last_modified);
    auto found = variants.find(path);
    StagedBytes bytes_of;
    std::optional<std::string> identity;
    if (source.Find(path)) identity = source.Read(path);
    if (found != variants.end()) {
      for (ContentCoding coding : {ContentCoding::kBrotli, ContentCoding::kGzip}) {
        const std::string& variant_path = found->second.For(coding);
        if (variant_path.empty()) continue;
        std::string bytes = source.Read(variant_path);
        std::optional<std::string> decoded = Decode(bytes, coding);
        if (decoded && !identity) identity = *decoded;
        if (!decoded || *decoded != *identity) {
          report->warnings.push_back(source.DisplayPath(variant_path) +
                                     ": stale or corrupt (does not decode to " + path +
                                     "); ignored");
          continue;
        }
        bytes_of[static_cast<int>(coding)] = std::move(bytes);
        ++report->precompressed;
      }
    }
    if (!identity) continue;  // every variant of a compressed-only file was corrupt
    bytes_of[0] = std::move(*identity);
    const StaticFile& indexed = index.files_.emplace(path, std::move(file)).first->second;
    staged[&indexed] = std::move(bytes_of);
  }

  if (manifest) {
    for (auto& [path, file] : index.files_) {
      if (!IsHtmlContentType(file.content_type)) continue;
      std::string key = EntryKeyForHtml(*manifest, path);
      if (!key.empty()) file.preload_links = EntryPreloadLinks(*manifest, key, options.base);
    }
    std::string main_entry = EntryKeyForHtml(*manifest, "index.html");
    if (main_entry.empty() && !manifest->EntryKeys().empty()) main_entry = manifest->EntryKeys()[0];
    LoadSet initial = main_entry.empty() ? LoadSet{} : InitialSet(*manifest, main_entry);
    for (const auto& [route, key] : options.routes) {
      if (!manifest->Find(key)) {
        report->warnings.push_back("route " + route + ": no manifest key \"" + key + "\"; no hints");
        continue;
      }
      index.route_links_[route] = PreloadLinks(RouteCost(*manifest, key, initial), options.base,
                                               /*skip_first_script=*/false);
    }
  } else if (!options.routes.empty()) {
    report->warnings.push_back("the build has no manifest; route hints are off");
  }

  // Compress text files that came without variants, on every core: brotli at
  // quality 11 is the slow part of start-up.
  struct Job {
    StagedBytes* bytes;
    ContentCoding coding;
  };
  std::vector<Job> jobs;
  std::set<StagedBytes*> compressed_files;
  if (options.compress_in_memory) {
    for (auto& [path, file] : index.files_) {
      if (!IsTextLike(path)) continue;
      StagedBytes& bytes_of = staged[&file];
      for (ContentCoding coding : {ContentCoding::kBrotli, ContentCoding::kGzip}) {
        if (!bytes_of[static_cast<int>(coding)]) jobs.push_back({&bytes_of, coding});
      }
    }
  }
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
  report->compressed_in_memory = compressed_files.size();

  // One copy of every body, in one memory file the serve loop can sendfile
  // from; the staged strings go when this function returns.
  std::vector<std::string_view> parts;
  std::vector<Representation*> targets;
  for (auto& [path, file] : index.files_) {
    const StagedBytes& bytes_of = staged[&file];
    for (int i = 0; i < kContentCodingCount; ++i) {
      if (!bytes_of[i]) continue;
      file.representations[i] = Representation{{}, MakeEtag(*bytes_of[i], static_cast<ContentCoding>(i))};
      parts.push_back(*bytes_of[i]);
      targets.push_back(&*file.representations[i]);
    }
  }
  std::vector<std::string_view> views;
  index.bodies_ = BodyStore::Pack(parts, &views);
  for (size_t i = 0; i < targets.size(); ++i) targets[i]->bytes = views[i];
  staged.clear();
  // The staged copies were many heap blocks below malloc's mmap threshold:
  // hand their pages back, or the build would be held twice.
  malloc_trim(0);
  report->files = index.files_.size();
  return index;
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
