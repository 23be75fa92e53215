#include "core/bundle_source.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>

#include "core/error.h"

namespace npsbundle {
namespace fs = std::filesystem;

const SourceFile* BundleSource::Find(std::string_view path) const {
  auto it = std::lower_bound(files_.begin(), files_.end(), path,
                             [](const SourceFile& f, std::string_view p) { return f.path < p; });
  if (it == files_.end() || it->path != path) return nullptr;
  return &*it;
}

std::string BundleSource::DisplayPath(std::string_view path) const {
  std::string out = name_;
  if (!out.empty() && out.back() != '/') out += '/';
  out += path;
  return out;
}

void BundleSource::SetFiles(std::vector<SourceFile> files) {
  std::sort(files.begin(), files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
  files_ = std::move(files);
}

bool NormalizeEntryPath(std::string_view raw, std::string* out) {
  out->clear();
  if (raw.empty() || raw.front() == '/' || raw.find('\0') != std::string_view::npos ||
      raw.find('\\') != std::string_view::npos) {
    return false;
  }
  size_t pos = 0;
  while (pos <= raw.size()) {
    size_t slash = raw.find('/', pos);
    if (slash == std::string_view::npos) slash = raw.size();
    std::string_view segment = raw.substr(pos, slash - pos);
    pos = slash + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") return false;
    if (!out->empty()) *out += '/';
    out->append(segment);
  }
  return !out->empty();
}

namespace {

class DirectorySource : public BundleSource {
 public:
  DirectorySource(std::string name, fs::path root) : BundleSource(std::move(name)), root_(std::move(root)) {
    std::error_code ec;
    fs::path canonical_root = fs::canonical(root_, ec);
    if (ec) throw InputError(this->name() + ": cannot read folder: " + ec.message());
    std::vector<SourceFile> files;
    auto options = fs::directory_options::skip_permission_denied;
    for (fs::recursive_directory_iterator it(canonical_root, options, ec), end; !ec && it != end;
         it.increment(ec)) {
      const fs::directory_entry& entry = *it;
      std::error_code file_ec;
      if (entry.is_symlink(file_ec)) {
        // A link is followed only while it stays inside the build.
        fs::path target = fs::canonical(entry.path(), file_ec);
        if (file_ec || !IsInside(canonical_root, target) || !fs::is_regular_file(target, file_ec)) {
          if (entry.is_directory(file_ec)) it.disable_recursion_pending();
          continue;
        }
      } else if (!entry.is_regular_file(file_ec)) {
        continue;
      }
      // Lexical, not fs::relative: that resolves links, so a link would be
      // listed under its target's name (twice) instead of its own.
      std::string relative = entry.path().lexically_relative(canonical_root).generic_string();
      if (relative.empty() || relative == ".." || relative.starts_with("../")) continue;
      files.push_back({relative, static_cast<uint64_t>(fs::file_size(entry.path(), file_ec))});
    }
    if (ec) throw InputError(this->name() + ": cannot read folder: " + ec.message());
    root_ = canonical_root;
    SetFiles(std::move(files));
  }

  std::string Read(std::string_view path) const override {
    if (!Find(path)) throw InputError(DisplayPath(path) + ": no such file in the build");
    std::ifstream in(root_ / fs::path(std::string(path)), std::ios::binary);
    if (!in) throw InputError(DisplayPath(path) + ": cannot open file");
    // One read of the known size: istreambuf_iterator costs ~16 instructions
    // a byte, a third of a warm check of a large build.
    in.seekg(0, std::ios::end);
    std::streamoff size = in.tellg();
    in.seekg(0, std::ios::beg);
    std::string data(static_cast<size_t>(size < 0 ? 0 : size), '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    if (in.bad() || in.gcount() != static_cast<std::streamsize>(data.size())) {
      throw InputError(DisplayPath(path) + ": read error");
    }
    return data;
  }

  bool on_disk() const override { return true; }
  std::string root_directory() const override { return root_.string(); }

 private:
  static bool IsInside(const fs::path& root, const fs::path& target) {
    auto [root_end, unused] = std::mismatch(root.begin(), root.end(), target.begin(), target.end());
    return root_end == root.end();
  }

  fs::path root_;
};

class MemorySource : public BundleSource {
 public:
  MemorySource(std::string name, std::map<std::string, std::string> contents)
      : BundleSource(std::move(name)), contents_(std::move(contents)) {
    std::vector<SourceFile> files;
    files.reserve(contents_.size());
    for (const auto& [path, data] : contents_) files.push_back({path, data.size()});
    SetFiles(std::move(files));
  }

  std::string Read(std::string_view path) const override {
    auto it = contents_.find(std::string(path));
    if (it == contents_.end()) throw InputError(DisplayPath(path) + ": no such file in the build");
    return it->second;
  }

 private:
  std::map<std::string, std::string> contents_;
};

// If every path sits under one top folder, drops that folder from all paths.
void StripSingleTopFolder(std::map<std::string, std::string>* files) {
  if (files->empty()) return;
  std::string top;
  for (const auto& [path, data] : *files) {
    size_t slash = path.find('/');
    if (slash == std::string::npos) return;
    std::string first = path.substr(0, slash);
    if (top.empty()) {
      top = first;
    } else if (first != top) {
      return;
    }
  }
  // A build's own folders (".vite", "assets") are never the wrapper.
  if (top == ".vite" || top == "assets") return;
  std::map<std::string, std::string> stripped;
  for (auto& [path, data] : *files) stripped.emplace(path.substr(top.size() + 1), std::move(data));
  *files = std::move(stripped);
}

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

std::unique_ptr<BundleSource> MakeMemorySource(std::string name,
                                               std::map<std::string, std::string> files) {
  return std::make_unique<MemorySource>(std::move(name), std::move(files));
}

namespace {

using ArchiveReader = std::unique_ptr<archive, ArchiveCloser>;

ArchiveReader NewArchiveReader() {
  ArchiveReader reader(archive_read_new());
  // Only what builds are shipped as: "_all" would also link xar (libxml2,
  // ICU) and formats no Vite build comes in into the static binary. bzip2
  // and xz add 8 KB to it: zip reading needs their libraries anyway.
  archive_read_support_format_tar(reader.get());  // ustar, pax and GNU tar
  archive_read_support_format_zip(reader.get());
  archive_read_support_filter_gzip(reader.get());
  archive_read_support_filter_zstd(reader.get());
  archive_read_support_filter_bzip2(reader.get());
  archive_read_support_filter_xz(reader.get());
  return reader;
}

std::string ArchiveError(archive* a) {
  const char* why = archive_error_string(a);
  return why ? why : "unknown format";
}

// Reads every regular entry of an opened archive into memory.
std::unique_ptr<BundleSource> ReadEntries(archive* reader, std::string name,
                                          const ArchiveLimits& limits) {
  std::map<std::string, std::string> files;
  uint64_t total = 0;
  uint64_t entries = 0;
  archive_entry* entry = nullptr;
  while (true) {
    int status = archive_read_next_header(reader, &entry);
    if (status == ARCHIVE_EOF) break;
    if (status < ARCHIVE_WARN) {
      throw InputError(name + ": not a readable archive (" + ArchiveError(reader) + ")");
    }
    if (++entries > limits.max_entries) {
      throw InputError(name + ": more than " + std::to_string(limits.max_entries) + " entries");
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;  // folders, links, devices
    const char* raw_name = archive_entry_pathname(entry);
    std::string path;
    if (!raw_name || !NormalizeEntryPath(raw_name, &path)) continue;
    if (files.count(path)) throw InputError(name + ": " + path + ": appears twice in the archive");
    std::string data;
    char buffer[64 * 1024];
    while (true) {
      la_ssize_t n = archive_read_data(reader, buffer, sizeof buffer);
      if (n < 0) {
        throw InputError(name + ": " + path + ": " + ArchiveError(reader));
      }
      if (n == 0) break;
      total += static_cast<uint64_t>(n);
      if (data.size() + static_cast<uint64_t>(n) > limits.max_entry_bytes) {
        throw InputError(name + ": " + path + ": larger than the per-file limit of " +
                         std::to_string(limits.max_entry_bytes) + " bytes");
      }
      if (total > limits.max_total_bytes) {
        throw InputError(name + ": uncompressed content exceeds the limit of " +
                         std::to_string(limits.max_total_bytes) + " bytes");
      }
      data.append(buffer, static_cast<size_t>(n));
    }
    files.emplace(std::move(path), std::move(data));
  }
  if (entries == 0) throw InputError(name + ": not a readable archive (no entries)");
  StripSingleTopFolder(&files);
  return MakeMemorySource(std::move(name), std::move(files));
}

}  // namespace

std::unique_ptr<BundleSource> ReadArchive(std::string name, std::string_view bytes,
                                          const ArchiveLimits& limits) {
  ArchiveReader reader = NewArchiveReader();
  if (archive_read_open_memory(reader.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    throw InputError(name + ": not a readable archive (" + ArchiveError(reader.get()) + ")");
  }
  return ReadEntries(reader.get(), std::move(name), limits);
}

std::unique_ptr<BundleSource> OpenBundle(const std::string& path, const ArchiveLimits& limits) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw InputError(path + ": no such file or folder");
  if (fs::is_directory(status)) {
    auto source = std::make_unique<DirectorySource>(path, fs::path(path));
    if (source->files().empty()) throw InputError(path + ": the build folder is empty");
    return source;
  }
  if (!fs::is_regular_file(status)) throw InputError(path + ": not a folder or archive file");
  if (fs::file_size(path, ec) == 0) throw InputError(path + ": not a readable archive (empty file)");
  // Streamed from disk: the compressed bytes are never held in memory whole.
  ArchiveReader reader = NewArchiveReader();
  if (archive_read_open_filename(reader.get(), path.c_str(), 256 * 1024) != ARCHIVE_OK) {
    throw InputError(path + ": not a readable archive (" + ArchiveError(reader.get()) + ")");
  }
  auto source = ReadEntries(reader.get(), path, limits);
  if (source->files().empty()) throw InputError(path + ": the archive holds no files");
  return source;
}

}  // namespace npsbundle
