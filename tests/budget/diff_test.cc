// Baseline diffs: growth limits, matching across builds, the diff command and
// check --baseline on the sourcemap / changed-page fixture pair. Expected
// deltas come from file sizes on disk and from tests/attribution/reference.py.
#include "budget/diff.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "budget/report_reader.h"
#include "core/error.h"
#include "support/test_support.h"

namespace npsbundle {
namespace {

using testing::CommandResult;
using testing::Fixture;
using testing::RunNpsbundle;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

FileRow Row(std::string path, uint64_t raw, uint64_t gzip, std::string key = "", std::string name = "") {
  FileRow row;
  row.size.path = std::move(path);
  row.kind = KindOfPath(row.size.path);
  row.size.raw = raw;
  row.size.gzip = gzip;
  row.size.brotli = gzip;
  row.manifest_key = std::move(key);
  row.chunk_name = std::move(name);
  return row;
}

// The one file of `fixture` whose name starts with `prefix` and ends with `suffix`.
std::string FindFile(const std::string& fixture, const std::string& prefix, const std::string& suffix) {
  std::string found;
  for (const auto& e : std::filesystem::directory_iterator(Fixture(fixture) + "/assets")) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) == 0 && name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
      REQUIRE(found.empty());
      found = e.path().string();
    }
  }
  REQUIRE(!found.empty());
  return found;
}

}  // namespace

TEST_CASE("diff: growth limits parse bytes or percent, with their measure", "[diff]") {
  struct Case {
    std::string text;
    bool ok, percent, all;
    uint64_t bytes;
    double pct;
    Measure measure;
  };
  const Case cases[] = {
      {"+5 kB gzip", true, false, false, 5000, 0, Measure::kGzip},
      {"+1KiB raw", true, false, false, 1024, 0, Measure::kRaw},
      {"+2%", true, true, true, 0, 2, Measure::kGzip},
      {"+2.5% brotli", true, true, false, 0, 2.5, Measure::kBrotli},
      {"5 kB gzip", false, false, false, 0, 0, Measure::kGzip},
      {"+5 kB", false, false, false, 0, 0, Measure::kGzip},
      {"+x%", false, false, false, 0, 0, Measure::kGzip},
      {"+2% lzma", false, false, false, 0, 0, Measure::kGzip},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    GrowthLimit limit;
    std::string error;
    REQUIRE(ParseGrowthLimit(c.text, &limit, &error) == c.ok);
    if (!c.ok) {
      CHECK(!error.empty());
      continue;
    }
    CHECK(limit.is_percent == c.percent);
    CHECK(limit.all_measures == c.all);
    if (!c.percent) CHECK(limit.bytes == c.bytes);
    if (c.percent) CHECK(limit.percent == c.pct);
    if (!c.all) CHECK(limit.measure == c.measure);
  }
  GrowthLimit limit;
  std::string error;
  REQUIRE(ParseGrowthLimit("+2%", &limit, &error));
  CHECK(FormatGrowthLimit(limit) == "+2%");
}

TEST_CASE("diff: chunks match by key or name across hashes; added and removed are reported", "[diff]") {
  CheckReport before, after;
  before.files = {Row("assets/Oracle-AAAAAAA1.js", 1000, 400, "src/pages/Oracle.tsx", "Oracle"),
                  Row("assets/vendor-react-BBBBBBB1.js", 5000, 2000, "_vendor-react-BBBBBBB1.js", "vendor-react"),
                  Row("assets/old-CCCCCCC1.js", 300, 100, "_old-CCCCCCC1.js", "old"),
                  Row("assets/index-DDDDDDD1.css", 200, 80)};
  after.files = {Row("assets/Oracle-AAAAAAA2.js", 1500, 650, "src/pages/Oracle.tsx", "Oracle"),
                 Row("assets/vendor-react-BBBBBBB2.js", 5000, 2000, "_vendor-react-BBBBBBB2.js", "vendor-react"),
                 Row("assets/new-EEEEEEE1.js", 700, 240, "_new-EEEEEEE1.js", "new"),
                 Row("assets/index-DDDDDDD2.css", 210, 81)};
  ReportDiff diff = DiffReports(before, after, "base.json");
  REQUIRE(diff.chunks.size() == 5);
  std::map<std::string, const DiffRow*> by_id;
  for (const DiffRow& row : diff.chunks) by_id[row.id] = &row;
  REQUIRE(by_id.count("src/pages/Oracle.tsx"));
  CHECK(by_id["src/pages/Oracle.tsx"]->Delta(Measure::kGzip) == 250);
  CHECK(by_id["src/pages/Oracle.tsx"]->Percent(Measure::kRaw) == Approx(50.0));
  CHECK(by_id["vendor-react.js"]->Delta(Measure::kRaw) == 0);
  CHECK(by_id["old.js"]->removed());
  CHECK(by_id["new.js"]->added());
  CHECK(by_id["assets/index.css"]->Delta(Measure::kRaw) == 10);
  std::vector<const DiffRow*> changes = diff.Changes();
  REQUIRE(changes.size() == 4);  // vendor-react unchanged
  CHECK(changes[0]->id == "src/pages/Oracle.tsx");  // largest gzip change first
  CHECK(changes[1]->id == "new.js");
  CHECK_FALSE(diff.has_packages);
}

TEST_CASE("diff: growth rules pass, fail, and skip percent limits on new chunks", "[diff]") {
  CheckReport before, after;
  before.files = {Row("assets/a-AAAAAAA1.js", 1000, 500, "", "a")};
  after.files = {Row("assets/a-AAAAAAA2.js", 1100, 520, "", "a"), Row("assets/b-BBBBBBB1.js", 100, 60, "", "b")};
  ReportDiff diff = DiffReports(before, after, "base");
  Budget budget;
  std::string error;
  budget.chunk_growth.emplace();
  REQUIRE(ParseGrowthLimit("+5%", &*budget.chunk_growth, &error));
  CheckReport out;
  EvaluateGrowthRules(budget, diff, &out);
  REQUIRE(out.rules.size() == 1);  // b is new: a percentage of nothing is not checked
  CHECK(out.rules[0].status == RuleStatus::kFail);  // raw grew 10 %
  CHECK(Contains(out.rules[0].message, "+10.0%"));
  REQUIRE(ParseGrowthLimit("+50 B gzip", &*budget.chunk_growth, &error));
  CheckReport bytes;
  EvaluateGrowthRules(budget, diff, &bytes);
  REQUIRE(bytes.rules.size() == 2);
  CHECK(bytes.rules[0].status == RuleStatus::kPass);  // a: +20 B gzip
  CHECK(bytes.rules[1].status == RuleStatus::kFail);  // b: +60 B gzip (new)
}

TEST_CASE("diff: a malformed baseline report is an input error with its location", "[diff]") {
  struct Case {
    std::string json, error;
  };
  const Case cases[] = {
      {"[]", "r.json: expected a JSON report object (npsbundle check --format json)"},
      {R"({"version": 1})", "r.json: not an npsbundle JSON report (no \"schemaVersion\"; write one with --format json)"},
      {R"({"schemaVersion": 1, "input": "d", "entries": [], "lazyPages": [], "files": [{"path": "a.js", "raw": "1"}]})",
       "r.json: files[0].raw: expected a byte count"},
      {R"({"schemaVersion": 1, "input": "d", "entries": [{"key": "k"}], "lazyPages": [], "files": []})",
       "r.json: entries[0]: missing field \"label\""},
  };
  for (const Case& c : cases) {
    INFO(c.json);
    try {
      ReadJsonReport(c.json, "r.json");
      FAIL("no error");
    } catch (const InputError& e) {
      CHECK(std::string(e.what()) == c.error);
    }
  }
}

TEST_CASE("diff e2e: the changed-page pair shows the Oracle page and its chunk grew", "[diff][e2e]") {
  testing::TempDir dir;
  CommandResult base = RunNpsbundle({"check", Fixture("sourcemap"), "--format", "json", "--output", dir / "base.json"});
  REQUIRE(base.exit_code == 0);
  CommandResult r = RunNpsbundle({"check", Fixture("changed-page"), "--baseline", dir / "base.json", "--format", "markdown"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  // One-line verdict with the change.
  std::string first_line = r.out.substr(0, r.out.find('\n'));
  CHECK(Contains(first_line, "## npsbundle: ✅ PASS"));
  CHECK(Contains(first_line, "2 chunks changed, 0 added, 0 removed"));
  // The Oracle chunk's raw delta is the difference of the two files on disk.
  uint64_t old_raw = std::filesystem::file_size(FindFile("sourcemap", "Oracle-", ".js"));
  uint64_t new_raw = std::filesystem::file_size(FindFile("changed-page", "Oracle-", ".js"));
  REQUIRE(new_raw > old_raw);
  std::string table = r.out.substr(r.out.find("### What changed most"));
  table = table.substr(0, table.find("<details>"));
  // The two largest changes are the Oracle page and its chunk.
  size_t page = table.find("| Oracle | lazy page |"), chunk = table.find("| assets/Oracle.js | chunk |");
  CHECK(page != std::string::npos);
  CHECK(chunk != std::string::npos);
  CHECK(Contains(table, "| " + FormatDelta(static_cast<int64_t>(new_raw - old_raw)) + " |"));
  CHECK_FALSE(Contains(table, "vendor-react"));
  // The grown folder, with the delta an independent reading of the maps gives.
  auto components = [&](const std::string& fixture) {
    CommandResult ref = testing::Run({"python3", std::string(NPSBUNDLE_SOURCE_DIR) + "/tests/attribution/reference.py",
                                      Fixture(fixture)});
    simdjson::dom::parser parser;
    simdjson::padded_string padded(ref.out);
    simdjson::dom::element root = parser.parse(padded);
    uint64_t total = 0;
    for (auto chunk : root.get_object()) {
      uint64_t value = 0;
      if (!chunk.value["packages"]["src/components"].get_uint64().get(value)) total += value;
    }
    return total;
  };
  uint64_t grown = components("changed-page") - components("sourcemap");
  REQUIRE(grown > 0);
  CHECK(Contains(r.out, "| src/components |"));
  CHECK(Contains(r.out, "| " + FormatDelta(static_cast<int64_t>(grown)) + " |"));
}

TEST_CASE("diff e2e: maxGrowth fails check --baseline and the diff command", "[diff][e2e]") {
  testing::TempDir dir;
  REQUIRE(RunNpsbundle({"check", Fixture("sourcemap"), "--format", "json", "--output", dir / "base.json"}).exit_code == 0);
  testing::WriteFile(dir / "budget.json", R"({"version": 1, "lazyPages": {"maxGrowth": "+10%"}})");
  CommandResult r = RunNpsbundle(
      {"check", Fixture("changed-page"), "--baseline", dir / "base.json", "--budget", dir / "budget.json", "--format", "json"});
  CHECK(r.exit_code == 1);
  CHECK(Contains(r.out, "\"rule\": \"maxGrowth\", \"subject\": \"Oracle\", \"status\": \"fail\""));
  CHECK(Contains(r.out, "\"diff\": {\"baseline\": "));
  // diff between two builds, and between a report and a build, agree.
  CommandResult builds = RunNpsbundle({"diff", Fixture("sourcemap"), Fixture("changed-page"), "--budget", dir / "budget.json"});
  CHECK(builds.exit_code == 1);
  CHECK(Contains(builds.out, "✗ maxGrowth  route cost of Oracle changed by"));
  CommandResult same = RunNpsbundle({"diff", dir / "base.json", Fixture("sourcemap")});
  CHECK(same.exit_code == 0);
  CHECK(Contains(same.out, "0 chunks changed, 0 added, 0 removed"));
  CHECK(Contains(same.out, "no size changed"));
  // A baseline that is not a report.
  testing::WriteFile(dir / "bad.json", "{\"schemaVersion\": 1}");
  CommandResult bad = RunNpsbundle({"check", Fixture("good"), "--baseline", dir / "bad.json"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "npsbundle: error: " + (dir / "bad.json") + ": missing field \"input\"\n");
}

}  // namespace npsbundle

namespace npsbundle {

TEST_CASE("diff: four chunks named index pair by identity, not by position", "[diff]") {
  // Every hash moved because one page changed; the four shared `index`
  // chunks are byte-identical but sort in another order.
  CheckReport before, after;
  const uint64_t sizes[] = {1511, 4000, 700, 9000};
  const char* old_hashes[] = {"AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD"};
  const char* new_hashes[] = {"ZZZZZZZZ", "YYYYYYYY", "XXXXXXXX", "WWWWWWWW"};
  for (int i = 0; i < 4; ++i) {
    before.files.push_back(Row("assets/index-" + std::string(old_hashes[i]) + ".js", sizes[i], sizes[i] / 3,
                               "_index-" + std::string(old_hashes[i]) + ".js", "index"));
    after.files.push_back(Row("assets/index-" + std::string(new_hashes[i]) + ".js", sizes[i], sizes[i] / 3,
                              "_index-" + std::string(new_hashes[i]) + ".js", "index"));
  }
  before.files.push_back(Row("assets/Oracle-AAAAAAA1.js", 1000, 400, "src/pages/Oracle.tsx", "Oracle"));
  after.files.push_back(Row("assets/Oracle-AAAAAAA2.js", 1200, 480, "src/pages/Oracle.tsx", "Oracle"));
  for (CheckReport* r : {&before, &after}) {
    std::sort(r->files.begin(), r->files.end(),
              [](const FileRow& a, const FileRow& b) { return a.size.path < b.size.path; });
  }
  ReportDiff diff = DiffReports(before, after, "base.json");
  std::vector<const DiffRow*> changes = diff.Changes();
  REQUIRE(changes.size() == 1);
  CHECK(changes[0]->id == "src/pages/Oracle.tsx");
  CHECK(changes[0]->Delta(Measure::kRaw) == 200);
  // Same name, different bytes: the closest size is the same chunk.
  for (FileRow& row : after.files) {
    if (row.size.raw == 4000) row.size.raw = 4010;
  }
  diff = DiffReports(before, after, "base.json");
  size_t index_changes = 0;
  for (const DiffRow* row : diff.Changes()) {
    if (row->id.rfind("index.js", 0) != 0) continue;
    ++index_changes;
    CHECK(row->Delta(Measure::kRaw) == 10);
  }
  CHECK(index_changes == 1);
}

TEST_CASE("diff: renamed, merged and split chunks are reported as such (source maps)", "[diff]") {
  auto attribution = [](const std::string& file, std::vector<std::pair<std::string, uint64_t>> modules) {
    ChunkAttribution a;
    a.file = file;
    GroupShare g;
    g.name = "src";
    for (auto& [module, raw] : modules) {
      g.modules.push_back({module, raw});
      g.raw += raw;
    }
    a.raw = g.raw;
    a.groups.push_back(g);
    return a;
  };
  CheckReport before, after;
  before.files = {Row("assets/chart-AAAAAAAA.js", 1000, 400, "_chart-AAAAAAAA.js", "chart"),
                  Row("assets/grid-BBBBBBBB.js", 800, 300, "_grid-BBBBBBBB.js", "grid"),
                  Row("assets/table-CCCCCCCC.js", 600, 200, "_table-CCCCCCCC.js", "table"),
                  Row("assets/util-DDDDDDDD.js", 900, 350, "_util-DDDDDDDD.js", "util")};
  before.attribution = {attribution("assets/chart-AAAAAAAA.js", {{"src/chart.ts", 1000}}),
                        attribution("assets/grid-BBBBBBBB.js", {{"src/grid.ts", 800}}),
                        attribution("assets/table-CCCCCCCC.js", {{"src/table.ts", 600}}),
                        attribution("assets/util-DDDDDDDD.js", {{"src/a.ts", 450}, {"src/b.ts", 450}})};
  // chart is renamed plot (a little bigger), grid and table merge into
  // widgets, util splits into a and b.
  after.files = {Row("assets/a-EEEEEEEE.js", 450, 180, "_a-EEEEEEEE.js", "a"),
                 Row("assets/b-FFFFFFFF.js", 450, 180, "_b-FFFFFFFF.js", "b"),
                 Row("assets/plot-GGGGGGGG.js", 1010, 404, "_plot-GGGGGGGG.js", "plot"),
                 Row("assets/widgets-HHHHHHHH.js", 1400, 500, "_widgets-HHHHHHHH.js", "widgets")};
  after.attribution = {attribution("assets/a-EEEEEEEE.js", {{"src/a.ts", 450}}),
                       attribution("assets/b-FFFFFFFF.js", {{"src/b.ts", 450}}),
                       attribution("assets/plot-GGGGGGGG.js", {{"src/chart.ts", 1010}}),
                       attribution("assets/widgets-HHHHHHHH.js", {{"src/grid.ts", 800}, {"src/table.ts", 600}})};
  ReportDiff diff = DiffReports(before, after, "base.json");
  std::map<std::string, const DiffRow*> by_id;
  for (const DiffRow& row : diff.chunks) by_id[row.id] = &row;
  REQUIRE(by_id.count("plot.js"));
  CHECK(by_id["plot.js"]->change == ChunkChange::kRenamed);
  CHECK(by_id["plot.js"]->related == std::vector<std::string>{"assets/chart.js"});
  CHECK(by_id["plot.js"]->Delta(Measure::kRaw) == 10);
  // widgets holds most of grid's modules: paired with it, table merged in.
  REQUIRE(by_id.count("table.js"));
  CHECK(by_id["table.js"]->removed());
  CHECK(by_id["table.js"]->change == ChunkChange::kMerged);
  CHECK(by_id["table.js"]->related == std::vector<std::string>{"assets/widgets.js"});
  // util: half its modules in a, half in b; a or b took its place, the other split from it.
  REQUIRE(by_id.count("util.js") + by_id.count("a.js") + by_id.count("b.js") >= 2);
  size_t split = 0;
  for (const DiffRow& row : diff.chunks) split += row.change == ChunkChange::kSplit;
  CHECK(split >= 1);
}

TEST_CASE("diff e2e: a build against itself has no change; sourcemap vs changed-page only the changed chunks",
          "[diff][e2e]") {
  std::vector<std::string> builds;
  for (const auto& e : std::filesystem::directory_iterator(std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/builds")) {
    builds.push_back(e.path().string());
  }
  for (const auto& e : std::filesystem::directory_iterator(std::string(NPSBUNDLE_SOURCE_DIR) + "/fixtures/apps")) {
    if (std::filesystem::exists(e.path() / "dist/.vite/manifest.json")) builds.push_back((e.path() / "dist").string());
  }
  REQUIRE(builds.size() >= 15);
  for (const std::string& build : builds) {
    INFO(build);
    CommandResult r = RunNpsbundle({"diff", build, build});
    CHECK(r.exit_code == 0);
    CHECK(Contains(r.out, "0 chunks changed, 0 added, 0 removed"));
    CHECK(Contains(r.out, "no size changed"));
  }
  // Which chunks really changed: JS/CSS files of changed-page whose bytes no
  // file of sourcemap has.
  auto read = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  std::set<std::string> old_contents, changed;
  for (const auto& e : std::filesystem::directory_iterator(Fixture("sourcemap") + "/assets")) {
    old_contents.insert(read(e.path()));
  }
  for (const auto& e : std::filesystem::directory_iterator(Fixture("changed-page") + "/assets")) {
    std::string ext = e.path().extension().string();
    if ((ext == ".js" || ext == ".css") && !old_contents.count(read(e.path()))) {
      changed.insert("assets/" + e.path().filename().string());
    }
  }
  REQUIRE(changed.size() == 2);
  CommandResult r = RunNpsbundle({"diff", Fixture("sourcemap"), Fixture("changed-page"), "--format", "json"});
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(r.out);
  simdjson::dom::element root = parser.parse(padded);
  std::set<std::string> reported;
  for (simdjson::dom::element chunk : root["diff"]["chunks"].get_array()) {
    std::string_view status = chunk["status"].get_string();
    if (status == "unchanged") continue;
    reported.insert(std::string(std::string_view(chunk["newFile"].get_string())));
  }
  CHECK(reported == changed);
}

}  // namespace npsbundle
