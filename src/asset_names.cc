#include "asset_names.h"

#include <cctype>

namespace npsbundle {

bool IsHashedAssetName(std::string_view path) {
  size_t slash = path.rfind('/');
  std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t extension_dot = base.rfind('.');
  if (extension_dot == std::string_view::npos || extension_dot + 1 == base.size()) return false;
  for (char c : base.substr(extension_dot + 1)) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  std::string_view stem = base.substr(0, extension_dot);
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

}  // namespace npsbundle
