#include <signal.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include "deploy/precompress.h"
#include "core/compression.h"
#include "core/error.h"
#include "support/test_support.h"

namespace npsbundle::testing {
namespace {
namespace fs = std::filesystem;

// Every regular file under `root` with its bytes and mtime (nanoseconds).
struct Snapshot {
  std::map<std::string, std::string> bytes;
  std::map<std::string, int64_t> mtimes;
};
Snapshot Take(const std::string& root) {
  Snapshot snapshot;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::string path = fs::relative(entry.path(), root).generic_string();
    snapshot.bytes[path] = ReadFile(entry.path().string());
    struct stat st {};
    stat(entry.path().c_str(), &st);
    snapshot.mtimes[path] = st.st_mtim.tv_sec * 1000000000ll + st.st_mtim.tv_nsec;
  }
  return snapshot;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

TEST_CASE("compress writes variants that decode to the originals", "[compress]") {
  TempDir temp;
  std::string dist = temp / "dist";
  CopyTree(Fixture("good"), dist);
  Snapshot before = Take(dist);

  CompressResult result = CompressFolder(dist, CompressOptions{});
  Snapshot after = Take(dist);
  size_t text_files = 0;
  for (const auto& [path, bytes] : before.bytes) {
    INFO(path);
    CHECK(after.bytes.at(path) == bytes);  // originals untouched
    if (!IsTextLike(path) || path.rfind(".vite/", 0) == 0) {
      CHECK_FALSE(after.bytes.count(path + ".br"));
      continue;
    }
    ++text_files;
    REQUIRE(after.bytes.count(path + ".br"));
    REQUIRE(after.bytes.count(path + ".gz"));
    CHECK(BrotliDecompress(after.bytes.at(path + ".br")) == bytes);
    CHECK(GzipDecompress(after.bytes.at(path + ".gz")) == bytes);
    // The levels of the issue: brotli 11, gzip 9.
    CHECK(after.bytes.at(path + ".br") == BrotliCompress(bytes, 11, 22));
    CHECK(after.bytes.at(path + ".gz") == GzipCompress(bytes, 9));
  }
  CHECK(result.files == text_files);
  CHECK(result.written == 2 * text_files);
  CHECK(result.up_to_date == 0);
  for (const auto& [path, bytes] : after.bytes) CHECK(path.find(".tmp-") == std::string::npos);

  // A second run rewrites nothing: same bytes, same mtimes.
  CompressResult again = CompressFolder(dist, CompressOptions{});
  CHECK(again.written == 0);
  CHECK(again.up_to_date == 2 * text_files);
  Snapshot third = Take(dist);
  CHECK(third.bytes == after.bytes);
  CHECK(third.mtimes == after.mtimes);

  // Stale and corrupt variants are rewritten; so are those of a changed file.
  std::string js = dist + "/assets/index-Bl1MOBpP.js";
  WriteFile(js + ".gz", GzipCompress("console.log('old build')", 9));
  WriteFile(js + ".br", "garbage");
  std::string css = dist + "/assets/index-CNgsl1pN.css";
  WriteFile(css, ReadFile(css) + "\n.extra{color:blue}\n");
  CompressResult fixed = CompressFolder(dist, CompressOptions{});
  CHECK(fixed.written == 4);
  CHECK(fixed.stale == 4);
  CHECK(GzipDecompress(ReadFile(js + ".gz")) == ReadFile(js));
  CHECK(BrotliDecompress(ReadFile(js + ".br")) == ReadFile(js));
  CHECK(BrotliDecompress(ReadFile(css + ".br")) == ReadFile(css));
  CHECK(GzipDecompress(ReadFile(css + ".gz")) == ReadFile(css));
  CHECK(ReadFile(js) == before.bytes.at("assets/index-Bl1MOBpP.js"));
}

TEST_CASE("compress leaves source maps alone unless --maps", "[compress]") {
  TempDir temp;
  std::string dist = temp / "dist";
  CopyTree(std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps/two-versions/dist", dist);
  std::vector<std::string> maps;
  for (const auto& [path, bytes] : Take(dist).bytes) {
    if (EndsWith(path, ".map")) maps.push_back(path);
  }
  REQUIRE_FALSE(maps.empty());
  CompressResult result = CompressFolder(dist, CompressOptions{});
  CHECK(result.maps_skipped == maps.size());
  Snapshot after = Take(dist);
  for (const std::string& map : maps) {
    INFO(map);
    CHECK_FALSE(after.bytes.count(map + ".br"));
    CHECK_FALSE(after.bytes.count(map + ".gz"));
  }
  CHECK(after.bytes.count("index.html.gz"));  // the rest is compressed as before

  CommandResult with_maps = RunNpsbundle({"compress", dist, "--maps"});
  CHECK(with_maps.exit_code == 0);
  for (const std::string& map : maps) {
    INFO(map);
    CHECK(BrotliDecompress(ReadFile(dist + "/" + map + ".br")) == after.bytes.at(map));
  }
  CommandResult without = RunNpsbundle({"compress", dist});
  CHECK(without.out.find("left " + std::to_string(maps.size()) + " source maps alone") !=
        std::string::npos);
}

TEST_CASE("compress honours the margin and removes stale variants not worth keeping", "[compress]") {
  TempDir temp;
  WriteFile(temp / "tiny.js", "x");
  WriteFile(temp / "big.js", std::string(5000, 'a'));
  WriteFile(temp / "big.js.gz", GzipCompress("something else entirely", 9));
  WriteFile(temp / "tiny.js.br", BrotliCompress("stale", 11, 22));
  WriteFile(temp / "photo.png", std::string(5000, 'p'));
  CompressOptions options;
  options.levels.brotli_quality = 5;
  CompressResult result = CompressFolder(temp.path().string(), options);
  CHECK(result.files == 2);
  CHECK_FALSE(fs::exists(temp / "tiny.js.br"));  // stale and never worth it: removed
  CHECK_FALSE(fs::exists(temp / "tiny.js.gz"));
  CHECK(result.removed == 1);
  CHECK(fs::exists(temp / "big.js.br"));
  CHECK(GzipDecompress(ReadFile(temp / "big.js.gz")) == std::string(5000, 'a'));
  CHECK_FALSE(fs::exists(temp / "photo.png.br"));

  options.min_saving_percent = 99.99;
  fs::remove(temp / "big.js.br");
  CompressResult strict = CompressFolder(temp.path().string(), options);
  CHECK_FALSE(fs::exists(temp / "big.js.br"));
  CHECK(strict.below_margin >= 1);
}

TEST_CASE("compress input errors", "[compress]") {
  CHECK_THROWS_AS(CompressFolder("no/such/dist", CompressOptions{}), InputError);
  TempDir temp;
  WriteFile(temp / "build.tar.gz", "x");
  CHECK_THROWS_WITH(CompressFolder(temp / "build.tar.gz", CompressOptions{}),
                    Catch::Contains("needs a build folder"));
  CHECK(ParsePercent("5", "--min-saving") == 5.0);
  CHECK(ParsePercent("2.5%", "--min-saving") == 2.5);
  CHECK_THROWS_AS(ParsePercent("100", "--min-saving"), InputError);
  CHECK_THROWS_AS(ParsePercent("-1", "--min-saving"), InputError);
  CHECK_THROWS_AS(ParsePercent("five", "--min-saving"), InputError);
}

TEST_CASE("compress binary: summary line, levels, exit codes", "[compress]") {
  TempDir temp;
  std::string dist = temp / "dist";
  CopyTree(Fixture("good"), dist);
  CommandResult first = RunNpsbundle({"compress", dist, "--brotli-quality", "5", "--gzip-level", "6"});
  CHECK(first.exit_code == 0);
  CHECK(first.out.find("compress " + dist + ": 21 text files: wrote 42 variants") == 0);
  CHECK(first.err.empty());  // no progress bar when stderr is not a terminal
  std::string js = dist + "/assets/vendor-react-D-9X1o8U.js";
  CHECK(ReadFile(js + ".gz") == GzipCompress(ReadFile(js), 6));
  CommandResult second = RunNpsbundle({"compress", dist});
  CHECK(second.exit_code == 0);
  CHECK(second.out.find("wrote 0 variants (0 replaced stale ones), 42 up to date") != std::string::npos);
  CommandResult forced = RunNpsbundle({"compress", dist, "--force", "--brotli-quality", "5"});
  CHECK(forced.out.find("wrote 21 variants") != std::string::npos);  // only the gzip ones differ
  CHECK(ReadFile(js + ".gz") == GzipCompress(ReadFile(js), 9));

  CommandResult archive = RunNpsbundle({"compress", Fixture("good") + "/index.html"});
  CHECK(archive.exit_code == 2);
  CHECK(RunNpsbundle({"compress", dist, "--brotli-quality", "12"}).exit_code == 2);
  CHECK(RunNpsbundle({"compress", dist, "--min-saving", "abc"}).exit_code == 2);
  CommandResult missing = RunNpsbundle({"compress", temp / "nope"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == "npsbundle: error: " + (temp / "nope") + ": no such file or folder\n");
}

// A PID that no process has: a child that has exited and been reaped.
pid_t DeadPid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  waitpid(pid, nullptr, 0);
  return pid;
}

TEST_CASE("compress deletes the temporary files of a killed run, and only those", "[compress]") {
  TempDir temp;
  const std::string js(5000, 'a');
  WriteFile(temp / "app.js", js);
  std::string dead = std::to_string(DeadPid());
  std::string leftover = temp / ("app.js.br.tmp-" + dead + "-3");
  WriteFile(leftover, "half a brotli stream");
  // PID 1 always runs: the file of a compress still at work stays.
  std::string running = temp / "app.js.gz.tmp-1-0";
  WriteFile(running, "another run's");
  std::string not_a_variant = temp / ("app.js.tmp-" + dead + "-0");
  WriteFile(not_a_variant, "someone else's");
  CompressOptions options;
  options.levels.brotli_quality = 5;
  CompressResult result = CompressFolder(temp.path().string(), options);
  CHECK(result.leftovers_removed == 1);
  CHECK_FALSE(fs::exists(leftover));
  CHECK(fs::exists(running));
  CHECK(fs::exists(not_a_variant));
  CHECK(result.files == 1);
  CHECK(BrotliDecompress(ReadFile(temp / "app.js.br")) == js);

  // The binary says so on stderr.
  WriteFile(leftover, "half a brotli stream");
  CommandResult run = RunNpsbundle({"compress", temp.path().string(), "--brotli-quality", "5"});
  CHECK(run.exit_code == 0);
  CHECK(run.err == "npsbundle: warning: " + temp.path().string() +
                       ": removed 1 temporary files left by an interrupted run\n");
  CHECK_FALSE(fs::exists(leftover));
}

// Watches `dirs` for entries being created or renamed into place.
class DirectoryWatch {
 public:
  explicit DirectoryWatch(const std::vector<std::string>& dirs) : fd_(inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
    for (const std::string& dir : dirs) inotify_add_watch(fd_, dir.c_str(), IN_CREATE | IN_MOVED_TO);
  }
  ~DirectoryWatch() { close(fd_); }
  bool ok() const { return fd_ >= 0; }

  // Waits until an event in `mask` names an entry `wanted` accepts; false
  // after `timeout`.
  bool WaitFor(uint32_t mask, const std::function<bool(const std::string&)>& wanted,
               std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    alignas(inotify_event) char buffer[64 * 1024];
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
      ssize_t n = read(fd_, buffer, sizeof buffer);
      for (ssize_t at = 0; at < n;) {
        auto* event = reinterpret_cast<inotify_event*>(buffer + at);
        if ((event->mask & mask) && event->len > 0 && wanted(event->name)) return true;
        at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
  }

 private:
  int fd_;
};

TEST_CASE("compress killed mid-run: originals intact, no half-written variant, a rerun completes",
          "[compress_kill]") {
  TempDir temp;
  std::string dist = temp / "dist";
  // The bloated build: its 1.6 MB entry chunk takes brotli 11 seconds, so a
  // run can be killed in the middle of a file on any machine.
  CopyTree(Fixture("bloated"), dist);
  Snapshot before = Take(dist);
  static const std::regex kTempName(R"(.*\.(br|gz)\.tmp-\d+-\d+)");

  struct KillPoint {
    std::string name;
    uint32_t mask = 0;  // inotify event to wait for, or none: a delay
    std::function<bool(const std::string&)> wanted = nullptr;
    int delay_ms = 0;
  };
  const KillPoint points[] = {
      {"first temporary file created", IN_CREATE,
       [](const std::string& name) { return name.find(".tmp-") != std::string::npos; }},
      {"first .br renamed into place", IN_MOVED_TO, [](const std::string& name) { return EndsWith(name, ".br"); }},
      {"after 100 ms", 0, nullptr, 100},
      {"after 400 ms", 0, nullptr, 400},
      {"after 1 s", 0, nullptr, 1000},
      {"after 2.5 s", 0, nullptr, 2500},
  };
  size_t killed = 0;
  size_t temps = 0;  // temporary files after the latest kill
  std::set<std::string> temps_seen;
  std::string log;
  for (const KillPoint& point : points) {
    INFO("kill point: " << point.name);
    DirectoryWatch watch({dist, dist + "/assets"});
    REQUIRE(watch.ok());
    NpsbundleProcess run({"compress", dist});
    if (point.mask) {
      watch.WaitFor(point.mask, point.wanted, std::chrono::seconds(60));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(point.delay_ms));
    }
    int status = run.Stop(SIGKILL);
    CHECK((status == 128 + SIGKILL || status == 0));  // 0: it finished first
    if (status == 128 + SIGKILL) ++killed;

    size_t variants = 0;
    temps = 0;
    for (const auto& entry : fs::recursive_directory_iterator(dist)) {
      if (!entry.is_regular_file()) continue;
      std::string path = fs::relative(entry.path(), dist).generic_string();
      INFO(path);
      auto original = before.bytes.find(path);
      if (original != before.bytes.end()) {
        CHECK(ReadFile(entry.path().string()) == original->second);  // never touched
        continue;
      }
      std::string base = path.substr(0, path.size() - 3);
      if ((EndsWith(path, ".br") || EndsWith(path, ".gz")) && before.bytes.count(base)) {
        // Under a final name the variant is whole: it decodes to the file.
        std::string data = ReadFile(entry.path().string());
        std::string decoded;
        CHECK_NOTHROW(decoded = EndsWith(path, ".br") ? BrotliDecompress(data) : GzipDecompress(data));
        CHECK(decoded == before.bytes.at(base));
        ++variants;
      } else {
        CHECK(std::regex_match(path, kTempName));  // anything else is a named temporary file
        temps_seen.insert(path);
        ++temps;
      }
    }
    log += "\n  " + point.name + ": " + (status == 0 ? "finished first" : "killed") + ", " +
           std::to_string(variants) + " variants, " + std::to_string(temps) + " temporary files";
  }
  CHECK(killed >= 4);  // most points fall inside a run of several seconds

  // A rerun finishes the work, keeps what the killed runs completed and
  // clears their temporary files (each run clears those of the runs before).
  CommandResult rerun = RunNpsbundle({"compress", dist});
  CHECK(rerun.exit_code == 0);
  if (temps > 0) CHECK(rerun.err.find("temporary files left by an interrupted run") != std::string::npos);
  Snapshot after = Take(dist);
  size_t text_files = 0;
  for (const auto& [path, bytes] : before.bytes) {
    INFO(path);
    CHECK(after.bytes.at(path) == bytes);
    if (!IsTextLike(path) || path.rfind(".vite/", 0) == 0) continue;
    ++text_files;
    REQUIRE(after.bytes.count(path + ".br"));
    REQUIRE(after.bytes.count(path + ".gz"));
    CHECK(BrotliDecompress(after.bytes.at(path + ".br")) == bytes);
    CHECK(GzipDecompress(after.bytes.at(path + ".gz")) == bytes);
  }
  CHECK(after.bytes.size() == before.bytes.size() + 2 * text_files);  // no temporary file left
  WARN("compress kill points:" << log << "\n  temporary files seen: " << temps_seen.size() << "\n  rerun: "
                                << rerun.out << rerun.err);
}

}  // namespace
}  // namespace npsbundle::testing
