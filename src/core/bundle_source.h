#ifndef NPSBUNDLE_CORE_BUNDLE_SOURCE_H_
#define NPSBUNDLE_CORE_BUNDLE_SOURCE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace npsbundle {

// One regular file of a build. `path` is relative to the build root, uses '/'
// separators and never starts with '/' or contains "." / ".." segments
// ("assets/index-abc123.js", ".vite/manifest.json").
struct SourceFile {
  std::string path;
  uint64_t size = 0;  // raw bytes
};

// Read access to a Vite build, wherever it lives: a folder, an archive read
// into memory, or bytes handed over by a test. Every consumer (check, serve,
// compress, nginx) reads builds only through this interface.
class BundleSource {
 public:
  virtual ~BundleSource() = default;

  // What the user named ("dist", "build.tar.gz"); prefixes error messages.
  const std::string& name() const { return name_; }

  // Every regular file, sorted by path.
  const std::vector<SourceFile>& files() const { return files_; }

  // The file at `path`, or nullptr.
  const SourceFile* Find(std::string_view path) const;

  // The whole content of the file at `path`. Throws InputError naming the
  // file when it is missing or cannot be read.
  virtual std::string Read(std::string_view path) const = 0;

  // "dist/assets/x.js": the form error messages use for a file of this build.
  std::string DisplayPath(std::string_view path) const;

  // True when the build lives on disk (Read goes to the file system).
  virtual bool on_disk() const { return false; }

  // For on-disk builds, the folder that holds the build; empty otherwise.
  virtual std::string root_directory() const { return {}; }

 protected:
  explicit BundleSource(std::string name) : name_(std::move(name)) {}
  void SetFiles(std::vector<SourceFile> files);  // sorts

 private:
  std::string name_;
  std::vector<SourceFile> files_;
};

// Caps that keep a hostile archive from exhausting memory (a zip bomb ends in
// an InputError, not an OOM). Sizes are uncompressed bytes.
struct ArchiveLimits {
  uint64_t max_entry_bytes = 512ull << 20;  // one file
  uint64_t max_total_bytes = 2ull << 30;    // all files together
  uint64_t max_entries = 200000;
};

// Opens a build folder or an archive of one (.tar, .tar.gz/.tgz, .zip,
// anything libarchive recognises). An archive whose files all sit under one
// top folder is read as if that folder were the root. Archive entries that
// are not plain relative paths (absolute, "..", links) are skipped; a file
// name seen twice is an InputError. Throws InputError when `path` does not
// exist, is empty, or is neither a folder nor a readable archive.
std::unique_ptr<BundleSource> OpenBundle(const std::string& path,
                                         const ArchiveLimits& limits = {});

// A build held in memory; for tests and fuzzers. Keys are build paths.
std::unique_ptr<BundleSource> MakeMemorySource(
    std::string name, std::map<std::string, std::string> files);

// Reads an archive from bytes in memory. Throws InputError (prefixed with
// `name`) when the bytes are not an archive or break `limits`.
std::unique_ptr<BundleSource> ReadArchive(std::string name, std::string_view bytes,
                                          const ArchiveLimits& limits = {});

// Normalises an archive entry name to a build path: strips "./" and leading
// "/" is refused. Returns false for names that must not be trusted
// (absolute, containing "..", empty segments after stripping, NUL).
bool NormalizeEntryPath(std::string_view raw, std::string* out);

}  // namespace npsbundle

#endif  // NPSBUNDLE_CORE_BUNDLE_SOURCE_H_
