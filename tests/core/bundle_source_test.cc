#include "core/bundle_source.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;
using namespace std::string_literals;

Strings Paths(const BundleSource& source) {
  Strings paths;
  for (const SourceFile& f : source.files()) paths.push_back(f.path);
  return paths;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// Runs a python3 script with `out` as its one argument; the script writes
// an archive there. Used for archives `tar` refuses to make.
void PythonArchive(const std::string& script, const std::string& out) {
  testing::CommandResult result = testing::Run({"python3", "-c", script, out});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
}

// A python helper `add(name, data, kind, link)` writing tar entries as given.
const std::string kTarPrelude = R"py(
import io, sys, tarfile
t = tarfile.open(sys.argv[1], 'w:gz', format=tarfile.PAX_FORMAT)
def add(name, data=b'x', kind=tarfile.REGTYPE, link=''):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
)py";

TEST_CASE("bundle_source: NormalizeEntryPath", "[bundle_source]") {
  struct Case {
    std::string raw;
    bool ok;
    std::string path;
  };
  const Case cases[] = {
      {"index.html", true, "index.html"},
      {"assets/index-Bl1MOBpP.js", true, "assets/index-Bl1MOBpP.js"},
      {"./assets/a.js", true, "assets/a.js"},
      {"././a.js", true, "a.js"},
      {"assets//a.js", true, "assets/a.js"},
      {"a/./b.js", true, "a/b.js"},
      {"dist/", true, "dist"},
      {".vite/manifest.json", true, ".vite/manifest.json"},
      {"..a/b..", true, "..a/b.."},  // dots inside a name are fine
      {"", false, ""},
      {".", false, ""},
      {"./", false, ""},
      {"/", false, ""},
      {"/etc/passwd", false, ""},
      {"../evil.js", false, ""},
      {"a/../b.js", false, ""},
      {"a/..", false, ""},
      {"assets\\a.js", false, ""},
      {"a\0b.js"s, false, ""},
  };
  for (const Case& c : cases) {
    INFO(c.raw);
    std::string out = "junk";
    CHECK(NormalizeEntryPath(c.raw, &out) == c.ok);
    if (c.ok) CHECK(out == c.path);
  }
}

TEST_CASE("bundle_source: MakeMemorySource lists, finds and reads files", "[bundle_source]") {
  auto source = MakeMemorySource("mem", {{"index.html", "<html>"},
                                         {"assets/b.js", "bbbb"},
                                         {"assets/a.js", "a"},
                                         {".vite/manifest.json", "{}"}});
  CHECK(source->name() == "mem");
  CHECK(Paths(*source) == Strings{".vite/manifest.json", "assets/a.js", "assets/b.js", "index.html"});
  REQUIRE(source->Find("assets/b.js") != nullptr);
  CHECK(source->Find("assets/b.js")->size == 4);
  CHECK(source->Find("assets/b.js")->path == "assets/b.js");
  CHECK(source->Find("assets/b") == nullptr);
  CHECK(source->Find("assets") == nullptr);
  CHECK(source->Find("assets/c.js") == nullptr);
  CHECK(source->Find("") == nullptr);
  CHECK(source->Read("assets/b.js") == "bbbb");
  CHECK(source->Read(".vite/manifest.json") == "{}");
  CHECK(ErrorOf([&] { source->Read("assets/c.js"); }) == "mem/assets/c.js: no such file in the build");
  CHECK(source->DisplayPath("assets/a.js") == "mem/assets/a.js");
  CHECK_FALSE(source->on_disk());
  CHECK(source->root_directory().empty());

  auto slash = MakeMemorySource("dist/", {{"a.js", ""}});
  CHECK(slash->DisplayPath("a.js") == "dist/a.js");
  CHECK(slash->Find("a.js")->size == 0);
  CHECK(slash->Read("a.js").empty());
}

TEST_CASE("bundle_source: MakeMemorySource keeps binary content whole", "[bundle_source]") {
  const std::string bytes = "\x00\x01\xff\x00zz"s;
  auto source = MakeMemorySource("mem", {{"logo.png", bytes}});
  CHECK(source->Find("logo.png")->size == bytes.size());
  CHECK(source->Read("logo.png") == bytes);
}

// Writes a small build under `root`.
void WriteBuild(const std::string& root) {
  testing::WriteFile(root + "/index.html", "<!doctype html>");
  testing::WriteFile(root + "/assets/index-Bl1MOBpP.js", "console.log('index')");
  testing::WriteFile(root + "/.vite/manifest.json", R"({"index.html": {"file": "assets/index-Bl1MOBpP.js"}})");
}

const Strings kBuildPaths = {".vite/manifest.json", "assets/index-Bl1MOBpP.js", "index.html"};

TEST_CASE("bundle_source: ReadArchive strips a single top folder", "[bundle_source]") {
  testing::TempDir dir;
  WriteBuild(dir / "dist");
  std::string archive = dir / "build.tar.gz";
  testing::CommandResult tar = testing::Run({"tar", "-czf", archive, "-C", dir.path().string(), "dist"});
  REQUIRE(tar.exit_code == 0);

  auto source = ReadArchive("build.tar.gz", testing::ReadFile(archive));
  CHECK(source->name() == "build.tar.gz");
  CHECK(Paths(*source) == kBuildPaths);
  CHECK(source->Read("assets/index-Bl1MOBpP.js") == "console.log('index')");
  CHECK(source->Find("index.html")->size == std::string("<!doctype html>").size());
  CHECK(source->DisplayPath("index.html") == "build.tar.gz/index.html");
}

TEST_CASE("bundle_source: ReadArchive of a build made from inside its folder", "[bundle_source]") {
  testing::TempDir dir;
  WriteBuild(dir / "dist");
  std::string archive = dir / "build.tar";
  // Entries are "./index.html", "./assets/...", "./.vite/...".
  REQUIRE(testing::Run({"tar", "-cf", archive, "-C", dir / "dist", "."}).exit_code == 0);
  auto source = ReadArchive("build.tar", testing::ReadFile(archive));
  CHECK(Paths(*source) == kBuildPaths);
}

TEST_CASE("bundle_source: ReadArchive keeps a lone .vite folder", "[bundle_source]") {
  testing::TempDir dir;
  testing::WriteFile(dir / "b/.vite/manifest.json", "{}");
  std::string archive = dir / "b.tar";
  REQUIRE(testing::Run({"tar", "-cf", archive, "-C", dir / "b", ".vite"}).exit_code == 0);
  auto source = ReadArchive("b.tar", testing::ReadFile(archive));
  CHECK(Paths(*source) == Strings{".vite/manifest.json"});
}

TEST_CASE("bundle_source: ReadArchive reads zip files", "[bundle_source]") {
  testing::TempDir dir;
  std::string archive = dir / "build.zip";
  PythonArchive(R"py(
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('dist/index.html', '<!doctype html>')
    z.writestr('dist/assets/index-Bl1MOBpP.js', "console.log('index')")
    z.writestr('dist/.vite/manifest.json', '{}')
)py",
                archive);
  auto source = ReadArchive("build.zip", testing::ReadFile(archive));
  CHECK(Paths(*source) == kBuildPaths);
  CHECK(source->Read("assets/index-Bl1MOBpP.js") == "console.log('index')");
}

TEST_CASE("bundle_source: ReadArchive skips entries that are not plain relative files", "[bundle_source]") {
  testing::TempDir dir;
  std::string archive = dir / "hostile.tar.gz";
  PythonArchive(kTarPrelude + R"py(
add('../evil.js', b'evil')
add('/abs.js', b'abs')
add('assets/../../up.js', b'up')
add('assets', kind=tarfile.DIRTYPE)
add('assets/a.js', b'console.log(1)')
add('index.html', b'<html>')
add('passwd.js', kind=tarfile.SYMTYPE, link='/etc/passwd')
add('hard.js', kind=tarfile.LNKTYPE, link='index.html')
add('fifo', kind=tarfile.FIFOTYPE)
t.close()
)py",
                archive);
  auto source = ReadArchive("hostile.tar.gz", testing::ReadFile(archive));
  CHECK(Paths(*source) == Strings{"assets/a.js", "index.html"});
  CHECK(source->Read("assets/a.js") == "console.log(1)");
}

TEST_CASE("bundle_source: ReadArchive refuses a name seen twice", "[bundle_source]") {
  testing::TempDir dir;
  SECTION("the same name") {
    std::string archive = dir / "dup.tar.gz";
    PythonArchive(kTarPrelude + R"py(
add('index.html', b'one')
add('assets/a.js', b'a')
add('assets/a.js', b'b')
t.close()
)py",
                  archive);
    CHECK(ErrorOf([&] { ReadArchive("dup.tar.gz", testing::ReadFile(archive)); }) ==
          "dup.tar.gz: assets/a.js: appears twice in the archive");
  }
  SECTION("two spellings of one name") {
    std::string archive = dir / "dup2.tar.gz";
    PythonArchive(kTarPrelude + R"py(
add('./a.js', b'a')
add('a.js', b'b')
t.close()
)py",
                  archive);
    CHECK(ErrorOf([&] { ReadArchive("dup2.tar.gz", testing::ReadFile(archive)); }) ==
          "dup2.tar.gz: a.js: appears twice in the archive");
  }
}

TEST_CASE("bundle_source: ReadArchive refuses bytes that are not an archive", "[bundle_source]") {
  CHECK(ErrorOf([] { ReadArchive("notes.txt", "this is plain text, not an archive\n"); }) ==
        "notes.txt: not a readable archive (Unrecognized archive format)");
  CHECK_THAT(ErrorOf([] { ReadArchive("empty.tar", ""); }),
             Catch::Matchers::StartsWith("empty.tar: not a readable archive ("));
}

TEST_CASE("bundle_source: ReadArchive enforces its limits", "[bundle_source]") {
  testing::TempDir dir;
  std::string archive = dir / "big.tar.gz";
  PythonArchive(kTarPrelude + R"py(
add('a.js', b'a' * 100)
add('b.js', b'b' * 100)
add('c.js', b'c' * 100)
t.close()
)py",
                archive);
  const std::string bytes = testing::ReadFile(archive);
  CHECK(Paths(*ReadArchive("big.tar.gz", bytes)) == Strings{"a.js", "b.js", "c.js"});

  ArchiveLimits entry;
  entry.max_entry_bytes = 99;
  CHECK(ErrorOf([&] { ReadArchive("big.tar.gz", bytes, entry); }) ==
        "big.tar.gz: a.js: larger than the per-file limit of 99 bytes");

  ArchiveLimits total;
  total.max_total_bytes = 250;
  CHECK(ErrorOf([&] { ReadArchive("big.tar.gz", bytes, total); }) ==
        "big.tar.gz: uncompressed content exceeds the limit of 250 bytes");

  ArchiveLimits count;
  count.max_entries = 2;
  CHECK(ErrorOf([&] { ReadArchive("big.tar.gz", bytes, count); }) == "big.tar.gz: more than 2 entries");

  ArchiveLimits exact;
  exact.max_entry_bytes = 100;
  exact.max_total_bytes = 300;
  exact.max_entries = 3;
  CHECK(ReadArchive("big.tar.gz", bytes, exact)->files().size() == 3);
}

TEST_CASE("bundle_source: OpenBundle on a folder", "[bundle_source]") {
  testing::TempDir dir;
  WriteBuild(dir / "dist");
  auto source = OpenBundle(dir / "dist");
  CHECK(source->name() == dir / "dist");
  CHECK(source->on_disk());
  CHECK(fs::equivalent(source->root_directory(), dir / "dist"));
  CHECK(Paths(*source) == kBuildPaths);
  CHECK(source->Find("assets/index-Bl1MOBpP.js")->size == std::string("console.log('index')").size());
  CHECK(source->Read("index.html") == "<!doctype html>");
  CHECK(ErrorOf([&] { source->Read("nope.js"); }) == dir / "dist" + "/nope.js: no such file in the build");
}

TEST_CASE("bundle_source: OpenBundle follows links only inside the build", "[bundle_source]") {
  testing::TempDir dir;
  WriteBuild(dir / "dist");
  testing::WriteFile(dir / "secret.txt", "secret");
  fs::create_symlink(dir / "secret.txt", dir / "dist/outside.txt");
  fs::create_symlink("index-Bl1MOBpP.js", dir / "dist/assets/alias.js");
  fs::create_directory_symlink(dir.path(), dir / "dist/up");
  auto source = OpenBundle(dir / "dist");
  CHECK(Paths(*source) == Strings{".vite/manifest.json", "assets/alias.js", "assets/index-Bl1MOBpP.js",
                                  "index.html"});
  CHECK(source->Read("assets/alias.js") == "console.log('index')");
}

TEST_CASE("bundle_source: OpenBundle on an archive file", "[bundle_source]") {
  testing::TempDir dir;
  WriteBuild(dir / "dist");
  std::string archive = dir / "build.tgz";
  REQUIRE(testing::Run({"tar", "-czf", archive, "-C", dir.path().string(), "dist"}).exit_code == 0);
  auto source = OpenBundle(archive);
  CHECK(source->name() == archive);
  CHECK_FALSE(source->on_disk());
  CHECK(Paths(*source) == kBuildPaths);
  CHECK(source->Read("index.html") == "<!doctype html>");
}

TEST_CASE("bundle_source: OpenBundle errors", "[bundle_source]") {
  testing::TempDir dir;
  const std::string missing = dir / "missing";
  CHECK(ErrorOf([&] { OpenBundle(missing); }) == missing + ": no such file or folder");

  const std::string empty_dir = dir / "empty";
  fs::create_directory(empty_dir);
  CHECK(ErrorOf([&] { OpenBundle(empty_dir); }) == empty_dir + ": the build folder is empty");

  // Folders alone are no files.
  const std::string only_folders = dir / "folders";
  fs::create_directories(only_folders + "/assets/deep");
  CHECK(ErrorOf([&] { OpenBundle(only_folders); }) == only_folders + ": the build folder is empty");

  const std::string empty_file = dir / "empty.tar.gz";
  testing::WriteFile(empty_file, "");
  CHECK(ErrorOf([&] { OpenBundle(empty_file); }) == empty_file + ": not a readable archive (empty file)");

  const std::string text = dir / "notes.tar.gz";
  testing::WriteFile(text, "this is plain text, not an archive\n");
  CHECK(ErrorOf([&] { OpenBundle(text); }) == text + ": not a readable archive (Unrecognized archive format)");

  const std::string hollow = dir / "hollow.tar.gz";
  PythonArchive(kTarPrelude + R"py(
add('../evil.js', b'evil')
add('dist', kind=tarfile.DIRTYPE)
t.close()
)py",
                hollow);
  CHECK(ErrorOf([&] { OpenBundle(hollow); }) == hollow + ": the archive holds no files");
}

}  // namespace
}  // namespace npsbundle
