#include "build/asset_names.h"

#include <cctype>

namespace npsbundle {

namespace {

// True when `stem` ends in "-<hash>" or ".<hash>".
bool EndsWithHash(std::string_view stem) {
  constexpr size_t kHashLength = 8;
  if (stem.size() < kHashLength + 2) return false;
  char separator = stem[stem.size() - kHashLength - 1];
  if (separator != '-' && separator != '.') return false;
  bool has_digit_or_upper = false;
  for (char c : stem.substr(stem.size() - kHashLength)) {
    bool word = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    if (!word) return false;
    if (std::isdigit(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c))) {
      has_digit_or_upper = true;
    }
  }
  return has_digit_or_upper;
}

bool IsExtension(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

bool IsHashedAssetName(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  // One or two extensions: "x-HASH.js", and its "x-HASH.js.map" / ".js.br".
  for (int extensions = 1; extensions <= 2; ++extensions) {
    size_t dot = base.rfind('.');
    if (dot == std::string_view::npos || !IsExtension(base.substr(dot + 1))) return false;
    base = base.substr(0, dot);
    if (EndsWithHash(base)) return true;
  }
  return false;
}

bool IsHiddenPath(std::string_view path) {
  size_t pos = 0;
  bool first = true;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view segment = path.substr(pos, slash - pos);
    if (!segment.empty() && segment[0] == '.' && !(first && segment == ".well-known")) return true;
    first = false;
    pos = slash + 1;
  }
  return false;
}

const std::vector<std::string_view>& HostConfigFileNames() {
  static const std::vector<std::string_view> kNames = {
      "_headers", "_redirects", "_routes.json", "_worker.js", "vercel.json", "netlify.toml",
      "Caddyfile"};
  return kNames;
}

bool IsHostConfigFile(std::string_view path) {
  if (path.starts_with("_worker.js/")) return true;
  for (std::string_view name : HostConfigFileNames()) {
    if (path == name) return true;
  }
  return false;
}

}  // namespace npsbundle
