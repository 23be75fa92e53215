// Fuzzes the budget-file parser (and through it the size and glob parsers).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "budget/budget.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  try {
    npsbundle::Budget budget = npsbundle::ParseBudget(json, "fuzz.json");
    for (const auto& [pattern, limit] : budget.chunk_overrides) npsbundle::GlobMatch(pattern, "assets/index-Bl1MOBpP.js");
  } catch (const npsbundle::InputError&) {
  }
  return 0;
}
