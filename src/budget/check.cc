#include "budget/check.h"

#include <fstream>

#include "build/attribution.h"
#include "budget/diff.h"
#include "core/error.h"
#include "build/size_cache.h"

namespace npsbundle {

std::optional<Manifest> LoadManifest(const BundleSource& source, const std::string& override_path) {
  if (!override_path.empty()) {
    std::ifstream in(override_path, std::ios::binary);
    if (!in) throw InputError(override_path + ": cannot read manifest");
    std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    Manifest manifest = ParseManifest(json, override_path);
    manifest.path = override_path;
    ValidateManifestFiles(manifest, source, override_path);
    return manifest;
  }
  for (std::string_view candidate : kManifestPaths) {
    if (!source.Find(candidate)) continue;
    std::string display = source.DisplayPath(candidate);
    Manifest manifest = ParseManifest(source.Read(candidate), display);
    manifest.path = std::string(candidate);
    ValidateManifestFiles(manifest, source, display);
    return manifest;
  }
  return std::nullopt;
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
  std::optional<Manifest> manifest = LoadManifest(*source, input.manifest_path);
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
  if (cache) {
    cache->Save();
    report.warnings = cache->warnings();
    report.cache_hits = cache->hits();
    report.cache_misses = cache->misses();
  }
  return report;
}

bool IsJsonReportFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  char c = 0;
  while (in.get(c)) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return c == '{';
  }
  return false;
}

CheckReport LoadJsonReport(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read report");
  std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return ReadJsonReport(json, path);
}

}  // namespace npsbundle
