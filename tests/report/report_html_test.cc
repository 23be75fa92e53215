// The HTML report as text: self-contained, data escaped for <script>, one
// chunk per JS/CSS file. Its rendering in a browser is checked by
// tests/report_browser/ (CTest report_html_browser).
#include "report/report_html.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <regex>

#include "support/test_support.h"

namespace npsbundle {
namespace {

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

CheckReport SmallReport() {
  CheckReport report;
  report.input = "dist";
  for (const char* path : {"assets/a-AAAAAAA1.js", "assets/b-BBBBBBB1.css", "index.html", "logo.svg"}) {
    FileRow row;
    row.size.path = path;
    row.kind = KindOfPath(path);
    row.size.raw = 1000;
    row.size.gzip = 400;
    row.size.brotli = 350;
    report.files.push_back(row);
  }
  LoadGroup entry;
  entry.key = entry.label = "index.html";
  entry.files = {"assets/a-AAAAAAA1.js", "assets/b-BBBBBBB1.css"};
  report.entries.push_back(entry);
  ChunkAttribution a;
  a.file = "assets/a-AAAAAAA1.js";
  GroupShare g;
  g.kind = OriginKind::kPackage;
  g.name = "evil</script><script>alert(1)</script>";
  g.raw = 1000;
  g.modules = {{"node_modules/x/index.js", 1000}};
  a.groups.push_back(g);
  report.attribution.push_back(a);
  RuleResult r;
  r.rule = "initial";
  r.subject = "index.html";
  r.message = "fine <b>";
  report.rules.push_back(r);
  return report;
}

}  // namespace

TEST_CASE("report html: one self-contained file with escaped data", "[report][html]") {
  CheckReport report = SmallReport();
  std::string html = RenderHtml(report, nullptr);
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  // No external resources: nothing is fetched from anywhere.
  CHECK_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=\s*["']?(https?:)?//)")));
  CHECK_FALSE(Contains(html, "<link"));
  // Exactly the two closing script tags of the page itself.
  size_t closes = 0;
  for (size_t at = html.find("</script>"); at != std::string::npos; at = html.find("</script>", at + 1)) ++closes;
  CHECK(closes == 2);
  // The data parses back and lists the JS and CSS chunks only.
  std::string data = HtmlReportData(report, nullptr);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(data);
  simdjson::dom::element root = parser.parse(padded);
  std::vector<std::string> files, loads;
  for (simdjson::dom::element c : root["chunks"].get_array()) {
    files.emplace_back(c["file"].get_string().value());
    loads.emplace_back(c["load"].get_string().value());
  }
  CHECK(files == std::vector<std::string>{"assets/a-AAAAAAA1.js", "assets/b-BBBBBBB1.css"});
  CHECK(loads == std::vector<std::string>{"initial", "initial"});
  simdjson::dom::element group = root["chunks"].at(0)["groups"].at(0);
  CHECK(std::string(group["name"].get_string().value()) == "evil</script><script>alert(1)</script>");
  CHECK(root["rules"].get_array().size() == 1);
  CHECK(root["diff"].is_null());
}

TEST_CASE("report html e2e: --format html writes the report for a fixture", "[report][html][e2e]") {
  testing::TempDir dir;
  testing::CommandResult r = testing::RunNpsbundle(
      {"check", testing::Fixture("sourcemap"), "--format", "html", "--output", dir / "report.html"});
  CHECK(r.exit_code == 0);
  std::string html = testing::ReadFile(dir / "report.html");
  CHECK(Contains(html, "id=\"treemap\""));
  CHECK(Contains(html, "\"name\": \"react-dom\""));
  CHECK(Contains(r.err, "report written to"));
}

}  // namespace npsbundle
