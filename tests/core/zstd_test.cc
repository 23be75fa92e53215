// The optional zstd measure: byte counts equal the zstd CLI's, and the
// measure is only computed when a limit or --zstd asks for it.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "budget/budget.h"
#include "core/compression.h"
#include "core/error.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Size of `zstd -LEVEL --no-check -c FILE` (the reference CLI).
uint64_t CliZstdSize(const std::string& path, int level) {
  testing::CommandResult r = testing::Run({"zstd", "-" + std::to_string(level), "--no-check", "-c", path});
  REQUIRE(r.exit_code == 0);
  return r.out.size();
}

bool HaveZstdCli() { return testing::Run({"zstd", "--version"}).exit_code == 0; }

}  // namespace

TEST_CASE("zstd: sizes equal the zstd CLI at the same level", "[zstd]") {
  if (!HaveZstdCli()) {
    WARN("zstd CLI not installed: skipped");
    return;
  }
  std::string small = testing::Fixture("good") + "/index.html";
  std::string large = testing::Fixture("bloated");
  for (const auto& e : std::filesystem::directory_iterator(large + "/assets")) {
    if (e.file_size() > 1'000'000) large = e.path().string();
  }
  REQUIRE(std::filesystem::file_size(large) > 1'000'000);
  for (const std::string& path : {small, large}) {
    for (int level : {3, 19}) {
      INFO(path << " level " << level);
      CHECK(ZstdCompress(testing::ReadFile(path), level).size() == CliZstdSize(path, level));
    }
  }
}

TEST_CASE("zstd: a zstd limit makes check measure zstd; otherwise nothing changes", "[zstd][e2e]") {
  testing::TempDir dir;
  testing::WriteFile(dir / "z.json", R"({"version": 1, "compression": {"zstdLevel": 19}, "initial": {"max": "100 kB zstd"}})");
  testing::CommandResult r =
      testing::RunNpsbundle({"check", testing::Fixture("good"), "--budget", dir / "z.json", "--format", "json"});
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(r.out);
  simdjson::dom::element root = parser.parse(padded);
  CHECK(root["compression"]["zstdLevel"].get_int64().value() == 19);
  uint64_t sum = 0;
  for (simdjson::dom::element f : root["files"].get_array()) {
    std::string path(f["path"].get_string().value());
    if (path.size() > 3 && path.substr(path.size() - 3) == ".js" && HaveZstdCli()) {
      CHECK(f["zstd"].get_uint64().value() == CliZstdSize(testing::Fixture("good") + "/" + path, 19));
    }
  }
  for (simdjson::dom::element f : root["entries"].at(0)["files"].get_array()) {
    for (simdjson::dom::element g : root["files"].get_array()) {
      if (g["path"].get_string().value() == f.get_string().value()) sum += g["zstd"].get_uint64().value();
    }
  }
  CHECK(root["entries"].at(0)["total"]["zstd"].get_uint64().value() == sum);
  CHECK(Contains(r.out, "kB zstd, within 100.0 kB zstd"));
  // Without a zstd limit or --zstd the report has no zstd figures at all.
  testing::CommandResult plain = testing::RunNpsbundle({"check", testing::Fixture("good"), "--format", "json"});
  CHECK_FALSE(Contains(plain.out, "zstd"));
  testing::CommandResult flag = testing::RunNpsbundle({"check", testing::Fixture("good"), "--zstd", "--format", "json"});
  CHECK(Contains(flag.out, "\"zstd\": "));
}

TEST_CASE("zstd: the level and the measure are validated", "[zstd]") {
  try {
    ParseBudget(R"({"version": 1, "compression": {"zstdLevel": 23}})", "b.json");
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "b.json: compression.zstdLevel: 23 is out of range 1..22");
  }
  Budget b = ParseBudget(R"({"version": 1, "chunk": {"max": "50 kB zstd"}})", "b.json");
  CHECK(NeedsZstd(b));
  CHECK_FALSE(NeedsZstd(ParseBudget(R"({"version": 1, "chunk": {"max": "50 kB gzip"}})", "b.json")));
}

}  // namespace npsbundle
