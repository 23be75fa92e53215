#include "policy/serving.h"

#include <algorithm>

#include "build/asset_names.h"
#include "core/ascii.h"

namespace npsbundle {
namespace {

std::string_view Extension(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return {};
  return name.substr(dot + 1);
}

struct TypeEntry {
  std::string_view extension;
  std::string_view type;
};
constexpr TypeEntry kTypes[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"cjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"wasm", "application/wasm"},
    {"svg", "image/svg+xml"},
    {"txt", "text/plain; charset=utf-8"},
    {"xml", "application/xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"avif", "image/avif"},
    {"ico", "image/x-icon"},
    {"bmp", "image/bmp"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
    {"ttf", "font/ttf"},
    {"otf", "font/otf"},
    {"eot", "application/vnd.ms-fontobject"},
    {"mp4", "video/mp4"},
    {"webm", "video/webm"},
    {"mp3", "audio/mpeg"},
    {"ogg", "audio/ogg"},
    {"wav", "audio/wav"},
    {"pdf", "application/pdf"},
    {"zip", "application/zip"},
    {"gz", "application/gzip"},
    {"br", "application/octet-stream"},
};

const TypeEntry* FindType(std::string_view path) {
  std::string_view extension = Extension(path);
  for (const TypeEntry& entry : kTypes) {
    if (EqualsIgnoreCase(entry.extension, extension)) return &entry;
  }
  return nullptr;
}
}  // namespace

bool IsServiceWorkerFile(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  for (std::string_view fixed : {"sw.js", "service-worker.js", "registerSW.js"}) {
    if (EqualsIgnoreCase(name, fixed)) return true;
  }
  return EqualsIgnoreCase(Extension(name), "webmanifest");
}

bool IsServiceWorkerPart(std::string_view path) {
  if (IsServiceWorkerFile(path)) return true;
  size_t slash = path.rfind('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return name.starts_with("workbox-") && name.ends_with(".js");
}

CacheClassifier::CacheClassifier(const Manifest* manifest) {
  if (!manifest) return;
  auto consider = [this](const std::string& path) {
    if (IsHashedAssetName(path) && !IsServiceWorkerFile(path) &&
        !IsHtmlContentType(ContentTypeFor(path))) {
      immutable_.push_back(path);
    }
  };
  for (const auto& [key, chunk] : manifest->chunks) {
    consider(chunk.file);
    for (const std::string& css : chunk.css) consider(css);
    for (const std::string& asset : chunk.assets) consider(asset);
  }
  std::sort(immutable_.begin(), immutable_.end());
  immutable_.erase(std::unique(immutable_.begin(), immutable_.end()), immutable_.end());
}

bool CacheClassifier::IsImmutable(std::string_view path) const {
  return std::binary_search(immutable_.begin(), immutable_.end(), path);
}

const std::vector<std::pair<std::string_view, std::string_view>>& SecurityHeaders() {
  static const std::vector<std::pair<std::string_view, std::string_view>> kHeaders = {
      {"X-Content-Type-Options", "nosniff"}};
  return kHeaders;
}

std::string_view ContentTypeFor(std::string_view path) {
  const TypeEntry* entry = FindType(path);
  return entry ? entry->type : "application/octet-stream";
}

bool IsHtmlContentType(std::string_view content_type) { return content_type.rfind("text/html", 0) == 0; }

bool IsAssetExtension(std::string_view path) {
  const TypeEntry* entry = FindType(path);
  return entry && !IsHtmlContentType(entry->type);
}

std::vector<std::string_view> AssetExtensions() {
  std::vector<std::string_view> extensions;
  for (const TypeEntry& entry : kTypes) {
    if (!IsHtmlContentType(entry.type)) extensions.push_back(entry.extension);
  }
  return extensions;
}

bool IsSpaNavigation(std::string_view path, std::string_view accept) {
  if (path.rfind(kAssetsDir, 0) == 0) return false;
  size_t slash = path.rfind('/');
  std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  if (last.find('.') == std::string_view::npos) return true;
  return ContainsIgnoreCase(accept, "text/html") && !IsAssetExtension(path);
}

std::string ErrorBody(int status) {
  switch (status) {
    case 302: return "302 found\n";
    case 400: return "400 bad request\n";
    case 404: return "404 not found\n";
    case 405: return "405 method not allowed\n";
    case 408: return "408 request timeout\n";
    case 414: return "414 uri too long\n";
    case 416: return "416 range not satisfiable\n";
    case 431: return "431 request header fields too large\n";
    case 505: return "505 http version not supported\n";
    default: return std::to_string(status) + " error\n";
  }
}

bool WorthCompressing(size_t original_bytes, size_t compressed_bytes, double min_saving_percent) {
  return static_cast<double>(compressed_bytes) <=
         static_cast<double>(original_bytes) * (100.0 - min_saving_percent) / 100.0;
}

}  // namespace npsbundle
