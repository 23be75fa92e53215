#include "deploy/precompress.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>

#include "core/atomic_file.h"
#include "core/bundle_source.h"
#include "core/parallel.h"
#include "core/error.h"
#include "build/asset_names.h"
#include "policy/serving.h"

namespace npsbundle {
namespace fs = std::filesystem;
namespace {

std::optional<std::string> ReadIfExists(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open file");
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(path.string() + ": read error");
  return data;
}

bool DecodesTo(const std::string& variant, bool brotli, const std::string& original) {
  try {
    return (brotli ? BrotliDecompress(variant) : GzipDecompress(variant)) == original;
  } catch (const std::exception&) {
    return false;
  }
}

// True for a temporary name WriteFileAtomically gave ("x.js.br.tmp-PID-N")
// whose process is gone: a run killed between write and rename. A PID that
// still runs may be a second compress on the same folder, so its files stay.
bool IsLeftoverTemp(std::string_view path) {
  size_t infix = path.rfind(kAtomicTempInfix);
  if (infix == std::string_view::npos) return false;
  std::string_view variant = path.substr(0, infix);
  if (!variant.ends_with(".br") && !variant.ends_with(".gz")) return false;
  std::string_view rest = path.substr(infix + kAtomicTempInfix.size());
  size_t dash = rest.find('-');
  auto digits = [](std::string_view text) {
    return !text.empty() && text.size() <= 10 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (dash == std::string_view::npos || !digits(rest.substr(0, dash)) || !digits(rest.substr(dash + 1))) {
    return false;
  }
  long long pid = std::stoll(std::string(rest.substr(0, dash)));
  if (pid <= 0 || pid > std::numeric_limits<pid_t>::max() || pid == getpid()) return false;
  return kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

}  // namespace

double ParsePercent(const std::string& text, const std::string& origin) {
  std::string number = text;
  if (!number.empty() && number.back() == '%') number.pop_back();
  size_t used = 0;
  double value = -1;
  try {
    value = std::stod(number, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (number.empty() || used != number.size() || !(value >= 0 && value < 100)) {
    throw InputError(origin + " " + text + ": expected a percentage from 0 to below 100, e.g. 5%");
  }
  return value;
}

CompressResult CompressFolder(const std::string& path, const CompressOptions& options,
                              const CompressProgress& progress) {
  ValidateLevels(options.levels, "compress");
  std::error_code ec;
  if (fs::exists(path, ec) && !fs::is_directory(path, ec)) {
    throw InputError(path + ": compress writes beside the files, so it needs a build folder, not an archive");
  }
  std::unique_ptr<BundleSource> source = OpenBundle(path);
  fs::path root = source->root_directory();
  CompressResult result;
  std::vector<std::string> files;
  for (const SourceFile& file : source->files()) {
    if (IsLeftoverTemp(file.path)) {
      std::error_code remove_error;
      fs::remove(root / file.path, remove_error);
      if (remove_error) {
        throw InputError(source->DisplayPath(file.path) + ": cannot remove: " + remove_error.message());
      }
      ++result.leftovers_removed;
    } else if (IsTextLike(file.path) && !IsHiddenPath(file.path)) {
      if (!options.include_maps && file.path.ends_with(".map")) {
        ++result.maps_skipped;
      } else {
        files.push_back(file.path);
      }
    }
  }
  result.files = files.size();
  std::mutex mutex;
  size_t done = 0;
  ParallelFor(files.size(), options.threads, [&](size_t i) {
    CompressResult local;
    const std::string& relative = files[i];
    fs::path original_path = root / relative;
    std::optional<std::string> original = ReadIfExists(original_path);
    if (!original) throw InputError(source->DisplayPath(relative) + ": cannot read");
    local.original_bytes = original->size();
    for (bool brotli : {true, false}) {
      fs::path variant_path = original_path;
      variant_path += brotli ? ".br" : ".gz";
      std::string display = source->DisplayPath(relative) + (brotli ? ".br" : ".gz");
      std::optional<std::string> existing = ReadIfExists(variant_path);
      bool current = existing && DecodesTo(*existing, brotli, *original);
      uint64_t* saved = brotli ? &local.br_saved : &local.gzip_saved;
      if (current && !options.force) {
        ++local.up_to_date;
        if (existing->size() < original->size()) *saved += original->size() - existing->size();
        continue;
      }
      std::string encoded =
          brotli ? BrotliCompress(*original, options.levels.brotli_quality, options.levels.brotli_window)
                 : GzipCompress(*original, options.levels.gzip_level);
      if (!WorthCompressing(original->size(), encoded.size(), options.min_saving_percent) ||
          encoded.size() >= original->size()) {
        ++local.below_margin;
        if (existing) {
          // A variant that is stale (or, with --force, judged not worth
          // it) must not stay beside the file: a server would send it.
          std::error_code remove_error;
          fs::remove(variant_path, remove_error);
          if (remove_error) throw InputError(display + ": cannot remove: " + remove_error.message());
          ++local.removed;
        }
        continue;
      }
      if (existing && *existing == encoded) {
        ++local.up_to_date;
      } else {
        WriteFileAtomically(variant_path.string(), encoded, display);
        ++local.written;
        if (existing && !current) ++local.stale;
      }
      *saved += original->size() - encoded.size();
    }
    std::lock_guard<std::mutex> lock(mutex);
    result.written += local.written;
    result.stale += local.stale;
    result.up_to_date += local.up_to_date;
    result.below_margin += local.below_margin;
    result.removed += local.removed;
    result.original_bytes += local.original_bytes;
    result.br_saved += local.br_saved;
    result.gzip_saved += local.gzip_saved;
    ++done;
    if (progress) progress(done, files.size(), result.br_saved);
  });
  return result;
}

}  // namespace npsbundle
