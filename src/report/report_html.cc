#include "report/report_html.h"

#include <map>
#include <set>

#include "budget/diff.h"
#include "core/escape.h"
#include "report/report.h"

namespace npsbundle {
namespace {

std::string Str(const std::string& text) { return "\"" + JsonEscape(text) + "\""; }

std::string KindName(OriginKind kind) {
  return kind == OriginKind::kPackage ? "package" : kind == OriginKind::kApp ? "app" : "generated";
}

std::string Sizes(uint64_t raw, uint64_t gzip, uint64_t brotli) {
  return "\"raw\": " + std::to_string(raw) + ", \"gzip\": " + std::to_string(gzip) +
         ", \"brotli\": " + std::to_string(brotli);
}

std::string ChunkJson(const CheckReport& report, const FileRow& row, const std::set<std::string>& initial,
                      const std::map<std::string, std::vector<std::string>>& pages_of) {
  const std::string& path = row.size.path;
  std::string load = initial.count(path) ? "initial" : pages_of.count(path) ? "lazy" : "other";
  std::string pages;
  if (auto it = pages_of.find(path); it != pages_of.end()) {
    for (const std::string& p : it->second) pages += (pages.empty() ? "" : ", ") + Str(p);
  }
  std::string out = "{\"file\": " + Str(path) + ", \"kind\": " + Str(std::string(FileKindName(row.kind))) +
                    ", \"load\": " + Str(load) + ", \"pages\": [" + pages + "], " +
                    Sizes(row.size.raw, row.size.gzip, row.size.brotli);
  if (const ChunkAttribution* a = report.FindAttribution(path)) {
    out += ", \"groups\": [";
    for (size_t i = 0; i < a->groups.size(); ++i) {
      const GroupShare& g = a->groups[i];
      out += std::string(i ? ", " : "") + "{\"name\": " + Str(g.name) + ", \"kind\": " + Str(KindName(g.kind)) + ", " +
             Sizes(g.raw, g.gzip, g.brotli) + ", \"modules\": [";
      for (size_t m = 0; m < g.modules.size(); ++m) {
        out += std::string(m ? ", " : "") + "[" + Str(g.modules[m].module) + ", " + std::to_string(g.modules[m].raw) + "]";
      }
      out += "]}";
    }
    out += "]";
  }
  return out + "}";
}

std::string DiffJson(const ReportDiff& diff) {
  std::string rows;
  auto triple = [](const SizeTriple& s) { return "{" + Sizes(s.raw, s.gzip, s.brotli) + "}"; };
  for (const DiffRow* r : diff.Changes()) {
    rows += (rows.empty() ? "" : ", ") + std::string("{\"label\": ") + Str(r->label) + ", \"kind\": " +
            Str(std::string(DiffKindName(r->kind))) + ", \"before\": " + (r->in_old ? triple(r->before) : "null") +
            ", \"after\": " + (r->in_new ? triple(r->after) : "null") + "}";
  }
  return "{\"baseline\": " + Str(diff.baseline) + ", \"rows\": [" + rows + "]}";
}

}  // namespace

std::string HtmlReportData(const CheckReport& report, const ReportDiff* diff) {
  std::set<std::string> initial;
  for (const LoadGroup& e : report.entries) initial.insert(e.files.begin(), e.files.end());
  std::map<std::string, std::vector<std::string>> pages_of;
  for (const LoadGroup& p : report.lazy_pages) {
    for (const std::string& f : p.files) pages_of[f].push_back(p.label);
  }
  std::string chunks;
  for (const FileRow& row : report.files) {
    if (row.kind != FileKind::kScript && row.kind != FileKind::kStyle) continue;
    chunks += (chunks.empty() ? "" : ",\n  ") + ChunkJson(report, row, initial, pages_of);
  }
  std::string rules;
  for (const RuleResult& r : report.rules) {
    rules += (rules.empty() ? "" : ",\n  ") + std::string("{\"rule\": ") + Str(r.rule) + ", \"subject\": " +
             Str(r.subject) + ", \"status\": " + Str(std::string(RuleStatusName(r.status))) +
             ", \"message\": " + Str(r.message) + "}";
  }
  std::string json = "{\"input\": " + Str(report.input) + ", \"passed\": " + (report.passed() ? "true" : "false") +
                     ",\n \"chunks\": [\n  " + chunks + "],\n \"rules\": [\n  " + rules + "],\n \"diff\": " +
                     (diff ? DiffJson(*diff) : "null") + "}";
  // Inside <script>, "</script" (any case) would end the element early.
  std::string safe;
  safe.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') {
      safe += "<\\/";
      ++i;
    } else {
      safe += json[i];
    }
  }
  return safe;
}

std::string RenderHtml(const CheckReport& report, const ReportDiff* diff) {
  std::string verdict = VerdictLine(report).substr(11);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<title>" + XmlEscape("npsbundle: " + report.input) + "</title>\n<style>" +
                    std::string(HtmlReportStyle()) + "</style>\n</head>\n<body>\n<header>\n<h1>" +
                    XmlEscape("npsbundle check " + report.input) + "</h1>\n<div class=\"verdict " +
                    (report.passed() ? "pass" : "fail") + "\">" + XmlEscape(verdict) + "</div>\n<div class=\"meta\">" +
                    XmlEscape("gzip level " + std::to_string(report.levels.gzip_level) + " · brotli quality " +
                              std::to_string(report.levels.brotli_quality) +
                              (diff ? " · baseline " + diff->baseline : "")) +
                    "</div>\n</header>\n<main>\n";
  out += "<div class=\"toolbar\">\n<fieldset><legend>Size</legend>"
         "<label><input type=\"radio\" name=\"measure\" value=\"raw\"> raw</label> "
         "<label><input type=\"radio\" name=\"measure\" value=\"gzip\"> gzip</label> "
         "<label><input type=\"radio\" name=\"measure\" value=\"brotli\"> brotli</label></fieldset>\n"
         "<div class=\"legend\"><span><i style=\"background:#bfdbfe\"></i>initial load</span>"
         "<span><i style=\"background:#fde68a\"></i>lazy page</span>"
         "<span><i style=\"background:#e2e8f0\"></i>other</span></div>\n"
         "<div class=\"crumbs\" id=\"crumbs\"></div> <span id=\"total\"></span>\n</div>\n"
         "<div id=\"treemap\" role=\"img\" aria-label=\"Treemap of chunks\"></div>\n";
  out += "<p class=\"note\">Click a box to zoom in, Escape or the path above to zoom out. " +
         XmlEscape(report.attribution.empty()
                       ? std::string("The build has no source maps, so chunks are not broken down into packages "
                                     "(set build.sourcemap in vite.config).")
                       : "Chunk sizes are measured. Inside chunks, " + std::string(kEstimateMethod) + ".") +
         "</p>\n";
  out += "<section id=\"diff\"><h2>Changes against <span id=\"diff-baseline\"></span></h2>\n<table><thead><tr>"
         "<th>Subject</th><th>Kind</th><th class=\"num\">Gzip before</th><th class=\"num\">Gzip after</th>"
         "<th class=\"num\">Δ gzip</th><th class=\"num\">Δ %</th></tr></thead><tbody id=\"diff-body\"></tbody>"
         "</table></section>\n";
  out += "<h2>Rules</h2>\n<table><thead><tr><th>Status</th><th>Rule</th><th>Subject</th><th>Detail</th></tr></thead>"
         "<tbody id=\"rules-body\"></tbody></table>\n";
  for (const std::string& note : report.notes) out += "<p class=\"note\">" + XmlEscape(note) + "</p>\n";
  out += "</main>\n<script type=\"application/json\" id=\"npsbundle-data\">" + HtmlReportData(report, diff) +
         "</script>\n<script>" + std::string(HtmlReportScript()) + "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace npsbundle
