#include "budget/check.h"

#include <fstream>

#include "build/attribution.h"
#include "build/html_entry.h"
#include "budget/diff.h"
#include "core/error.h"
#include "build/size_cache.h"

namespace npsbundle {

std::optional<Manifest> FindAndValidateManifest(const BundleSource& source, const std::string& override_path,
                                                std::vector<std::string>* warnings) {
  if (!override_path.empty()) {
    std::ifstream in(override_path, std::ios::binary);
    if (!in) throw InputError(override_path + ": cannot read manifest");
    std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Manifest manifest = ParseManifest(json, override_path);
    manifest.path = override_path;
    ValidateManifestFiles(manifest, source, override_path);
    return manifest;
  }
  // Vite's manifest, else the entry read from index.html (with a warning).
  FoundManifest found = LoadBuildManifest(source);
  if (warnings) warnings->insert(warnings->end(), found.warnings.begin(), found.warnings.end());
  if (found.manifest) ValidateManifestFiles(*found.manifest, source, source.DisplayPath(found.manifest->path));
  return std::move(found.manifest);
}

void ValidateManifestFiles(const Manifest& manifest, const BundleSource& source,
                           const std::string& manifest_display_path) {
  auto require = [&](const std::string& path, const std::string& location) {
    if (!source.Find(path)) {
      throw InputError(manifest_display_path + ": " + location + ": " + path + " is not in the build " +
                       source.name());
    }
  };
  for (const auto& [key, chunk] : manifest.chunks) {
    std::string at = "\"" + key + "\"";
    require(chunk.file, at + ".file");
    for (size_t i = 0; i < chunk.css.size(); ++i) require(chunk.css[i], at + ".css[" + std::to_string(i) + "]");
    for (size_t i = 0; i < chunk.assets.size(); ++i) {
      require(chunk.assets[i], at + ".assets[" + std::to_string(i) + "]");
    }
  }
}

CheckReport RunCheck(const CheckInput& input) {
  std::unique_ptr<BundleSource> source = OpenBundle(input.path);
  std::vector<std::string> manifest_warnings;
  std::optional<Manifest> manifest = FindAndValidateManifest(*source, input.manifest_path, &manifest_warnings);
  MeasureOptions options;
  options.levels = input.budget.levels;
  options.threads = input.threads;
  options.zstd = input.zstd || NeedsZstd(input.budget);
  options.progress = input.progress;
  std::optional<SizeCache> cache;
  if (!input.cache_directory.empty()) {
    cache.emplace(input.cache_directory);
    options.cache = &*cache;
  }
  std::vector<FileMeasurement> measurements = MeasureBuild(*source, options);
  // Source maps, when the build has them, say what each chunk is made of.
  std::vector<MeasuredSize> chunks;
  for (const FileMeasurement& m : measurements) {
    FileKind kind = KindOfPath(m.path);
    if (kind == FileKind::kScript || kind == FileKind::kStyle) chunks.push_back({m.path, m.gzip, m.brotli});
  }
  std::vector<ChunkAttribution> attribution = AttributeBuild(*source, chunks);
  CheckReport report = Analyze(input.path, manifest ? &*manifest : nullptr, std::move(measurements), input.budget,
                               std::move(attribution));
  report.zstd = options.zstd;
  report.warnings.insert(report.warnings.end(), manifest_warnings.begin(), manifest_warnings.end());
  if (cache) {
    cache->Save();
    report.warnings.insert(report.warnings.end(), cache->warnings().begin(), cache->warnings().end());
    report.cache_hits = cache->hits();
    report.cache_misses = cache->misses();
  }
  return report;
}

}  // namespace npsbundle
