// Fuzzes archive reading (tar, tar.gz, zip, anything libarchive detects)
// with small limits, so a bomb in the corpus ends in InputError quickly.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bundle_source.h"
#include "core/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  npsbundle::ArchiveLimits limits;
  limits.max_entry_bytes = 1 << 20;
  limits.max_total_bytes = 4 << 20;
  limits.max_entries = 1000;
  try {
    auto source = npsbundle::ReadArchive("fuzz.tar", std::string_view(reinterpret_cast<const char*>(data), size), limits);
    for (const npsbundle::SourceFile& file : source->files()) {
      std::string path;
      // Every listed path is already normal; normalising again must keep it.
      if (!npsbundle::NormalizeEntryPath(file.path, &path) || path != file.path) __builtin_trap();
      if (source->Read(file.path).size() != file.size) __builtin_trap();
    }
  } catch (const npsbundle::InputError&) {
  }
  return 0;
}
