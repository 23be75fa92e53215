// End-to-end tests of `npsbundle check` and `init`: the real binary on the
// committed Vite builds, their archives and damaged copies.
#include <simdjson.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "support/test_support.h"

namespace npsbundle::testing {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Number of lines of `text`.
size_t LineCount(const std::string& text) { return static_cast<size_t>(std::count(text.begin(), text.end(), '\n')); }

// The rule results of a JSON report.
struct JsonRule {
  std::string rule, subject, status, message;
};

std::vector<JsonRule> FailedRules(const std::string& json) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(json);
  simdjson::dom::element root = parser.parse(padded);
  std::vector<JsonRule> failed;
  for (simdjson::dom::element r : root["rules"].get_array()) {
    JsonRule rule{std::string(r["rule"].get_string().value()), std::string(r["subject"].get_string().value()),
                  std::string(r["status"].get_string().value()), std::string(r["message"].get_string().value())};
    if (rule.status == "fail") failed.push_back(rule);
  }
  return failed;
}

}  // namespace

TEST_CASE("check e2e: the good build passes the default budget with exit 0", "[e2e][check]") {
  CommandResult r = RunNpsbundle({"check", Fixture("good"), "--budget", std::string(NPSBUNDLE_SOURCE_DIR) + "/budgets/default.json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "Initial load: index.html"));
  CHECK(Contains(r.out, "vendor-react"));
  CHECK(Contains(r.out, "Oracle"));
  CHECK(Contains(r.out, "PASS"));
  CHECK(r.err.empty());
  // Not a TTY: no colour codes.
  CHECK(!Contains(r.out, "\033["));
}

TEST_CASE("check e2e: each failing fixture exits 1 and names the rule it breaks (nps preset)", "[e2e][check]") {
  struct Case {
    std::string fixture, rule, subject;
  };
  const Case cases[] = {
      {"bloated", "initial", "index.html"},
      {"eager", "lazyPages", "Oracle"},
      {"no-split", "vendorChunks", "vendor-react"},
      {"big-page", "chunk", ""},
  };
  for (const Case& c : cases) {
    CommandResult r = RunNpsbundle({"check", Fixture(c.fixture), "--budget", "nps", "--format", "json"});
    INFO(c.fixture << "\n" << r.err);
    CHECK(r.exit_code == 1);
    std::vector<JsonRule> failed = FailedRules(r.out);
    bool named = std::any_of(failed.begin(), failed.end(), [&](const JsonRule& f) {
      return f.rule == c.rule && (c.subject.empty() || f.subject == c.subject);
    });
    CHECK(named);
  }
}

TEST_CASE("check e2e: the big page's own chunk is the one over the chunk budget", "[e2e][check]") {
  CommandResult r = RunNpsbundle({"check", Fixture("big-page"), "--format", "json"});
  std::vector<JsonRule> failed = FailedRules(r.out);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].rule == "chunk");
  CHECK(Contains(failed[0].subject, "assets/Oracle-"));
  // Its raw size is what the file system says.
  std::string path = Fixture("big-page") + "/" + failed[0].subject;
  CHECK(Contains(failed[0].message, std::to_string(std::filesystem::file_size(path) / 1000)));
}

TEST_CASE("check e2e: precompressed siblings are reported, not counted as files", "[e2e][check]") {
  CommandResult r = RunNpsbundle({"check", Fixture("precompressed"), "--format", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(r.out);
  simdjson::dom::element root = parser.parse(padded);
  size_t marked = 0;
  for (simdjson::dom::element f : root["files"].get_array()) {
    std::string path(f["path"].get_string().value());
    CHECK(!(path.size() > 3 && (path.substr(path.size() - 3) == ".br" || path.substr(path.size() - 3) == ".gz")));
    if (f["precompressed"].error()) continue;
    ++marked;
    uint64_t brotli = f["brotli"].get_uint64().value();
    CHECK(brotli == std::filesystem::file_size(Fixture("precompressed") + "/" + path + ".br"));
    uint64_t gzip = f["gzip"].get_uint64().value();
    CHECK(gzip == std::filesystem::file_size(Fixture("precompressed") + "/" + path + ".gz"));
  }
  CHECK(marked > 5);
  // The text report marks such figures.
  CommandResult text = RunNpsbundle({"check", Fixture("precompressed")});
  CHECK(Contains(text.out, "* size of the precompressed file"));
}

TEST_CASE("check e2e: a multi-page build gets one initial load per HTML entry", "[e2e][check]") {
  CommandResult r = RunNpsbundle({"check", Fixture("multi-page")});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  // One row per entry on the screen; one table per entry with --all.
  CHECK(Contains(r.out, "Initial load per entry"));
  CHECK(Contains(r.out, "  index.html (7)"));
  CHECK(Contains(r.out, "  admin.html (6)"));
  CommandResult all = RunNpsbundle({"check", Fixture("multi-page"), "--all"});
  CHECK(Contains(all.out, "Initial load: index.html"));
  CHECK(Contains(all.out, "Initial load: admin.html"));
}

TEST_CASE("check e2e: .tar.gz, .tgz, .tar and .zip archives give the same report as the folder", "[e2e][check]") {
  TempDir dir;
  std::string folder = Fixture("good");
  // The folder itself, and one wrapped in a top folder as CI artifacts often are.
  REQUIRE(Run({"tar", "-czf", dir / "good.tar.gz", "-C", folder, "."}).exit_code == 0);
  REQUIRE(Run({"tar", "-czf", dir / "wrapped.tgz", "-C", Fixture(""), "good"}).exit_code == 0);
  REQUIRE(Run({"tar", "-cf", dir / "good.tar", "-C", folder, "."}).exit_code == 0);
  REQUIRE(Run({"python3", "-c",
               "import os,sys,zipfile\n"
               "root=sys.argv[1]\n"
               "with zipfile.ZipFile(sys.argv[2],'w',zipfile.ZIP_DEFLATED) as z:\n"
               "  for d,_,fs in os.walk(root):\n"
               "    for f in fs:\n"
               "      p=os.path.join(d,f); z.write(p, os.path.relpath(p, root))\n",
               folder, dir / "good.zip"})
              .exit_code == 0);
  CommandResult expected = RunNpsbundle({"check", folder, "--format", "json"});
  REQUIRE(expected.exit_code == 0);
  // Reports differ only in the input name.
  auto without_input = [](std::string json) {
    size_t start = json.find("\"input\"");
    size_t end = json.find('\n', start);
    return json.erase(start, end - start);
  };
  for (std::string archive : {"good.tar.gz", "wrapped.tgz", "good.tar", "good.zip"}) {
    CommandResult r = RunNpsbundle({"check", dir / archive, "--format", "json"});
    INFO(archive << ": " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(without_input(r.out) == without_input(expected.out));
  }
}

TEST_CASE("check e2e: malformed inputs exit 2 with one clear line naming the file", "[e2e][check]") {
  TempDir dir;
  std::string good = Fixture("good");
  std::string manifest_json = ReadFile(good + "/.vite/manifest.json");

  auto damaged = [&](const std::string& name, const std::string& manifest) {
    std::string copy = dir / name;
    CopyTree(good, copy);
    WriteFile(copy + "/.vite/manifest.json", manifest);
    return copy;
  };
  std::string first_import = manifest_json.substr(manifest_json.find("\"imports\""));
  first_import = first_import.substr(0, first_import.find(']') + 1);

  struct Case {
    std::string name, path, expected;
  };
  std::string missing_file_copy = dir / "missing-file";
  CopyTree(good, missing_file_copy);
  std::string vendor_react;
  for (const auto& entry : std::filesystem::directory_iterator(missing_file_copy + "/assets")) {
    if (entry.path().filename().string().rfind("vendor-react-", 0) == 0) vendor_react = entry.path().string();
  }
  REQUIRE(!vendor_react.empty());
  std::filesystem::remove(vendor_react);
  std::filesystem::create_directories(dir / "empty");
  WriteFile(dir / "notes.tar.gz", "this is not an archive\n");

  std::string wrong_type = manifest_json;
  wrong_type.replace(wrong_type.find("\"isEntry\": true"), 15, "\"isEntry\": \"yes\"");
  std::string unknown_key = manifest_json;
  unknown_key.replace(unknown_key.find(first_import), first_import.size(), "\"imports\": [\"_nowhere-123.js\"]");

  const Case cases[] = {
      {"truncated manifest", damaged("truncated", manifest_json.substr(0, manifest_json.size() / 2)),
       "/.vite/manifest.json: invalid JSON"},
      {"wrong type", damaged("wrong-type", wrong_type), "\"index.html\".isEntry: expected true or false"},
      {"unknown import key", damaged("unknown-key", unknown_key), "imports[0]: unknown key \"_nowhere-123.js\""},
      {"missing file", missing_file_copy, "is not in the build"},
      {"empty folder", dir / "empty", "the build folder is empty"},
      {"missing path", dir / "no-such-dist", "no such file or folder"},
      {"not an archive", dir / "notes.tar.gz", "not a readable archive"},
  };
  for (const Case& c : cases) {
    CommandResult r = RunNpsbundle({"check", c.path});
    INFO(c.name << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());
    CHECK(LineCount(r.err) == 1);
    CHECK(r.err.rfind("npsbundle: error: ", 0) == 0);
    CHECK(Contains(r.err, c.expected));
  }
  // The error names the exact manifest path.
  CommandResult r = RunNpsbundle({"check", dir / "unknown-key"});
  CHECK(Contains(r.err, dir / "unknown-key/.vite/manifest.json: "));
}

TEST_CASE("check e2e: a malformed budget file names the bad field", "[e2e][check]") {
  TempDir dir;
  WriteFile(dir / "budget.json", R"({"version": 1, "initial": {"max": "500 kb gzip"}})");
  CommandResult r = RunNpsbundle({"check", Fixture("good"), "--budget", dir / "budget.json"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "npsbundle: error: " + (dir / "budget.json") +
                     ": initial.max: \"500 kb\": unknown unit \"kb\" (use B, kB, MB, KiB or MiB)\n");
  CommandResult usage = RunNpsbundle({"check"});
  CHECK(usage.exit_code == 2);
  CommandResult bad_format = RunNpsbundle({"check", Fixture("good"), "--format", "yaml"});
  CHECK(bad_format.exit_code == 2);
  CHECK(Contains(bad_format.err, "--format: unknown format \"yaml\""));
}

TEST_CASE("check e2e: a build without a manifest is measured and says what it needs", "[e2e][check]") {
  TempDir dir;
  CopyTree(Fixture("big-page"), dir / "dist");
  std::filesystem::remove_all(dir / "dist/.vite");
  CommandResult r = RunNpsbundle({"check", dir / "dist"});
  INFO(r.out + r.err);
  CHECK(r.exit_code == 1);  // the per-file chunk budget still applies
  // The entry is read from index.html, with a warning saying how to do better.
  CHECK(Contains(r.out, "manifest index.html"));
  CHECK(Contains(r.err, "build: { manifest: true }"));
  CHECK(Contains(r.out, "assets/Oracle-"));
}

TEST_CASE("check e2e: flags override the budget file's limits and levels", "[e2e][check]") {
  CommandResult tight = RunNpsbundle({"check", Fixture("good"), "--initial", "50 kB gzip"});
  CHECK(tight.exit_code == 1);
  CHECK(Contains(tight.out, "over the limit of 50.0 kB gzip"));
  TempDir dir;
  WriteFile(dir / "sizes.json", R"({"version": 1, "initial": {"max": "500 kB gzip"}, "chunk": {"max": "250 kB raw"}})");
  CommandResult loose = RunNpsbundle(
      {"check", Fixture("bloated"), "--budget", dir / "sizes.json", "--initial", "1 MB gzip", "--chunk", "2 MB raw"});
  CHECK(loose.exit_code == 0);
  CommandResult levels = RunNpsbundle({"check", Fixture("good"), "--gzip-level", "6", "--brotli-quality", "5", "-f", "json"});
  CHECK(Contains(levels.out, "\"gzipLevel\": 6, \"brotliQuality\": 5"));
  CommandResult bad = RunNpsbundle({"check", Fixture("good"), "--gzip-level", "12"});
  CHECK(bad.exit_code == 2);
  CHECK(Contains(bad.err, "gzip level must be 1..9"));
}

TEST_CASE("check e2e: CI formats carry the findings", "[e2e][check]") {
  CommandResult junit = RunNpsbundle({"check", Fixture("bloated"), "--format", "junit"});
  CHECK(junit.exit_code == 1);
  CHECK(junit.out.rfind("<?xml", 0) == 0);
  CHECK(Contains(junit.out, "<testcase classname=\"npsbundle.initial\" name=\"index.html\">"));
  CHECK(Contains(junit.out, "<failure message=\"initial load of index.html"));

  CommandResult github = RunNpsbundle({"check", Fixture("bloated"), "--format", "github"});
  CHECK(github.exit_code == 1);
  CHECK(Contains(github.out, "::error file=" + Fixture("bloated") + "/assets/index-"));
  CHECK(Contains(github.out, "title=npsbundle initial::initial load of index.html"));

  CommandResult markdown = RunNpsbundle({"check", Fixture("bloated"), "--format", "markdown"});
  CHECK(markdown.exit_code == 1);
  CHECK(markdown.out.rfind("## npsbundle: ❌", 0) == 0);
  CHECK(Contains(markdown.out, "| index.html | 6 |"));

  // --output writes the report and keeps stdout clean; the verdict goes to stderr.
  TempDir dir;
  CommandResult to_file = RunNpsbundle({"check", Fixture("good"), "-f", "json", "-o", dir / "report.json"});
  CHECK(to_file.exit_code == 0);
  CHECK(to_file.out.empty());
  CHECK(Contains(to_file.err, "PASS"));
  CHECK(Contains(ReadFile(dir / "report.json"), "\"schemaVersion\": 1"));
}

TEST_CASE("check e2e: init writes a starter budget that the same build passes", "[e2e][init]") {
  TempDir dir;
  CommandResult init = RunNpsbundle({"init", Fixture("good"), "-o", dir / "budget.json"});
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  std::string budget = ReadFile(dir / "budget.json");
  CHECK(Contains(budget, "\"vendor-react\""));
  CHECK(Contains(budget, "\"src/pages/Oracle.tsx\""));  // pages by manifest key
  CommandResult check = RunNpsbundle({"check", Fixture("good"), "--budget", dir / "budget.json"});
  INFO(check.out);
  CHECK(check.exit_code == 0);
  // The bloated build is over the good build's starter budget.
  CHECK(RunNpsbundle({"check", Fixture("bloated"), "--budget", dir / "budget.json"}).exit_code == 1);
  // An existing file is never overwritten without --force.
  CommandResult again = RunNpsbundle({"init", Fixture("good"), "-o", dir / "budget.json"});
  CHECK(again.exit_code == 2);
  CHECK(Contains(again.err, "already exists"));
}

}  // namespace npsbundle::testing
