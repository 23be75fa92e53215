// Fuzzes the manifest parser and every graph walk over what it accepts.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/error.h"
#include "build/load_sets.h"
#include "build/manifest.h"
#include "policy/preload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view json(reinterpret_cast<const char*>(data), size);
  try {
    npsbundle::Manifest manifest = npsbundle::ParseManifest(json, "fuzz.json");
    for (const std::string& entry : manifest.EntryKeys()) {
      npsbundle::LoadSet initial = npsbundle::InitialSet(manifest, entry);
      npsbundle::EntryPreloadLinks(manifest, entry, "/");
      for (const std::string& page : manifest.DynamicEntryKeys()) npsbundle::RouteCost(manifest, page, initial);
    }
  } catch (const npsbundle::InputError&) {
  }
  return 0;
}
