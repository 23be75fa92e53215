#include "http/message.h"

#include <algorithm>

#include "core/ascii.h"

namespace npsbundle {

std::optional<std::string> HttpRequest::Header(std::string_view name) const {
  std::optional<std::string> value;
  for (const auto& [key, field] : headers) {
    if (!EqualsIgnoreCase(key, name)) continue;
    value = value ? *value + ", " + field : field;
  }
  return value;
}

size_t HttpRequest::HeaderCount(std::string_view name) const {
  return static_cast<size_t>(std::count_if(headers.begin(), headers.end(), [&](const auto& field) {
    return EqualsIgnoreCase(field.first, name);
  }));
}

std::optional<std::string> HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

}  // namespace npsbundle
