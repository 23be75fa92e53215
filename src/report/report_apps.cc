// The report of a monorepo run: one report of several apps, within the same
// size limits as the report of one (report.h), so a CI log or a PR comment
// stays readable with twelve apps as with one.
#include "report/report_apps.h"

#include <algorithm>

#include "core/escape.h"
#include "report/report_diff.h"
#include "report/report_html.h"

namespace npsbundle {
namespace {

// Findings listed per failing rule of an app in the text summary, before
// the line budget cuts them to fewer.
constexpr size_t kTextFindings = 3;
// Widest app name and build path in the text table; longer ones are cut.
constexpr size_t kNameWidth = 20;
constexpr size_t kPathWidth = 40;

double WorstOvershoot(const CheckReport& report) {
  double worst = 0;
  for (const RuleResult& r : report.rules) {
    if (r.status == RuleStatus::kFail) worst = std::max(worst, Overshoot(r));
  }
  return worst;
}

// Characters, not bytes ("…" is three bytes).
size_t Width(const std::string& text) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return chars;
}

std::string Pad(std::string text, size_t width) {
  if (Width(text) > width) {
    // Cut from the left: the end of a path says which app it is.
    size_t keep = width - 1, start = text.size();
    for (size_t chars = 0; start > 0 && chars < keep;) {
      --start;
      if ((static_cast<unsigned char>(text[start]) & 0xC0) != 0x80) ++chars;
    }
    text = "…" + text.substr(start);
  }
  return text + std::string(width + 2 - Width(text), ' ');
}

std::string Right(const std::string& text, size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

// The gzip size of the largest entry's initial load ("–" without entries).
std::string InitialGzip(const CheckReport& report) {
  uint64_t largest = 0;
  for (const LoadGroup& e : report.entries) largest = std::max(largest, e.total.gzip);
  return report.entries.empty() ? "–" : FormatKb(largest);
}

std::string RuleCount(const CheckReport& report) {
  size_t total = report.rules.size(), failed = report.failures(), warned = report.warning_count();
  if (failed > 0) return std::to_string(failed) + " of " + std::to_string(total) + " over";
  if (warned > 0) return std::to_string(warned) + (warned == 1 ? " warning" : " warnings");
  return std::to_string(total) + " within";
}

class AppsTextWriter {
 public:
  AppsTextWriter(const std::vector<AppReport>& apps, const RenderOptions& options)
      : apps_(apps), order_(AppsWorstFirst(apps)), options_(options) {
    for (const AppReport& app : apps) {
      name_width_ = std::max(name_width_, std::min(kNameWidth, Width(app.name)));
      path_width_ = std::max(path_width_, std::min(kPathWidth, Width(app.path)));
    }
  }

  std::string Render() const {
    std::vector<std::string> head = {Paint("\033[1m", "npsbundle check: " + std::to_string(apps_.size()) + " apps")};
    std::vector<std::string> tail = {"", Paint(AppsPassed(apps_) ? "\033[32m" : "\033[31m", AppsVerdictLine(apps_).substr(11))};
    if (options_.all) {
      std::string out = Lines(head) + Lines(Table(SIZE_MAX));
      for (const AppReport* app : order_) {
        RenderOptions options = options_;
        options.diff = app->diff;
        out += "\n" + Paint("\033[1m", "── " + app->name + " (" + app->path + ") ──") + "\n";
        out += RenderText(*app->report, options);
      }
      return out + Lines(tail);
    }
    // The table first (cut when there are more apps than a screen holds),
    // then the failures in what is left: fewer findings per rule, then
    // fewer apps, until they fit.
    std::vector<std::string> changes = Changes();
    size_t fixed = ScreenRows(head) + ScreenRows(tail) + ScreenRows(changes) + 1;  // +1: the "--all" hint
    std::vector<std::string> table = Table(std::max<size_t>(kScreenLines / 2, kScreenLines - std::min(kScreenLines, fixed + 8)));
    size_t room = kScreenLines - std::min(kScreenLines, fixed + ScreenRows(table));
    std::vector<std::string> failures;
    for (size_t worst : {kTextFindings, size_t{1}, size_t{0}}) {
      failures = Failures(worst, room);
      if (ScreenRows(failures) <= room) break;
    }
    tail.push_back(Paint("\033[2m", "each app's full report: --all"));
    return Lines(head) + Lines(table) + Lines(changes) + Lines(failures) + Lines(tail);
  }

 private:
  std::string Paint(const char* code, const std::string& text) const {
    return options_.color ? std::string(code) + text + "\033[0m" : text;
  }

  static std::string Lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& line : lines) out += line + "\n";
    return out;
  }

  // One row per app, worst first, at most `max_rows` of them (then a count).
  std::vector<std::string> Table(size_t max_rows) const {
    std::vector<std::string> out = {
        "  " + Pad("app", name_width_) + Pad("build", path_width_) + Right("initial gzip", 14) + Right("pages", 7) +
        Right("rule checks", 16) + "  status"};
    size_t shown = 0;
    for (const AppReport* app : order_) {
      if (shown == max_rows && order_.size() > max_rows + 1) break;
      ++shown;
      const CheckReport& r = *app->report;
      bool fail = !r.passed(), warn = r.warning_count() > 0;
      out.push_back("  " + Pad(app->name, name_width_) + Pad(app->path, path_width_) + Right(InitialGzip(r), 14) +
                    Right(std::to_string(r.lazy_pages.size()), 7) + Right(RuleCount(r), 16) + "  " +
                    Paint(fail ? "\033[31m" : warn ? "\033[33m" : "\033[32m", fail ? "OVER" : warn ? "warn" : "ok"));
    }
    if (shown < order_.size()) {
      out.push_back("  … " + std::to_string(order_.size() - shown) + " more apps (--all lists them)");
    }
    return out;
  }

  // With --baseline: one line per app compared, the worst apps first, as
  // many as a third of the screen holds.
  std::vector<std::string> Changes() const {
    std::vector<std::string> out;
    size_t compared = 0;
    for (const AppReport* app : order_) {
      if (!app->diff) continue;
      if (++compared <= kScreenLines / 3) out.push_back("  " + Pad(app->name, name_width_) + DiffSummary(*app->diff));
    }
    if (compared == 0) return out;
    out.insert(out.begin(), {"", Paint("\033[1m", "Against the baseline")});
    if (compared > kScreenLines / 3) out.push_back("  … " + std::to_string(compared - kScreenLines / 3) + " more apps");
    return out;
  }

  // The failing apps, worst first: each its failing rules with up to
  // `worst` findings, within `room` screen rows (the apps that do not fit
  // are counted).
  std::vector<std::string> Failures(size_t worst, size_t room) const {
    std::vector<std::string> out;
    size_t shown = 0;
    for (const AppReport* app : order_) {
      if (app->report->passed()) continue;
      std::vector<std::string> block = {"", Paint("\033[1m", app->name + " (" + app->path + "): " +
                                                                 VerdictLine(*app->report).substr(11))};
      for (const RuleSummary& s : SummariseRules(*app->report)) {
        if (s.failed == 0) continue;
        size_t total = s.failed + s.warned + s.passed;
        std::string count = s.failed == 1 && total == 1 ? "" : std::to_string(s.failed) + " of " +
                                                                  std::to_string(total) + " over budget";
        if (count.empty() && worst > 0) {
          block.push_back("  " + Paint("\033[31m", "✗ " + s.rule + ": ") + s.findings.front()->message);
          continue;
        }
        block.push_back("  " + Paint("\033[31m", "✗ " + s.rule + ": ") + (count.empty() ? "over budget" : count));
        size_t listed = 0;
        for (const RuleResult* r : s.findings) {
          if (r->status != RuleStatus::kFail || listed == worst) continue;
          block.push_back("      " + r->message);
          ++listed;
        }
        if (listed > 0 && listed < s.failed) block.push_back("      … " + std::to_string(s.failed - listed) + " more");
      }
      // One row is kept for the count of the apps left out.
      if (ScreenRows(out) + ScreenRows(block) + 2 > room && worst == 0) break;
      out.insert(out.end(), block.begin(), block.end());
      ++shown;
    }
    size_t failing_total = 0;
    for (const AppReport& app : apps_) failing_total += !app.report->passed();
    if (shown < failing_total) {
      out.push_back("");
      out.push_back("… " + std::to_string(failing_total - shown) + " more failing apps (--all shows them)");
    }
    return out;
  }

  const std::vector<AppReport>& apps_;
  std::vector<const AppReport*> order_;
  const RenderOptions& options_;
  size_t name_width_ = 3, path_width_ = 5;
};

// Headings one level down, so an app's report sits under the run's.
std::string DemoteHeadings(const std::string& markdown) {
  std::string out;
  size_t start = 0;
  while (start < markdown.size()) {
    size_t end = markdown.find('\n', start);
    if (end == std::string::npos) end = markdown.size() - 1;
    if (markdown.compare(start, 2, "##") == 0) out += "#";
    out.append(markdown, start, end - start + 1);
    start = end + 1;
  }
  return out;
}

std::string RenderAppsMarkdown(const std::vector<AppReport>& apps, bool all) {
  std::vector<const AppReport*> order = AppsWorstFirst(apps);
  std::string out = "## npsbundle: " + std::string(AppsPassed(apps) ? "✅ " : "❌ ") +
                    MarkdownCellEscape(AppsVerdictLine(apps).substr(11)) + "\n\n";
  out += "| App | Build | Initial load (gzip) | Lazy pages | Rule checks | Status |\n|---|---|--:|--:|--:|:-:|\n";
  for (const AppReport* app : order) {
    const CheckReport& r = *app->report;
    out += "| " + MarkdownCellEscape(app->name) + " | `" + MarkdownCellEscape(app->path) + "` | " + InitialGzip(r) +
           " | " + std::to_string(r.lazy_pages.size()) + " | " + RuleCount(r) + " | " +
           (r.passed() ? (r.warning_count() ? "⚠️" : "✅") : "❌") + " |\n";
  }
  out += "\n";
  // Each app's section gets an equal share of what is left; a section
  // shorter than its share leaves the rest to the others (the longest cut
  // last), failing apps first on the page.
  std::vector<std::string> sections(order.size());
  for (size_t i = 0; i < order.size(); ++i) {
    sections[i] = DemoteHeadings(RenderMarkdown(*order[i]->report, order[i]->diff, all, SIZE_MAX));
  }
  if (!all) {
    std::vector<size_t> by_size(order.size());
    for (size_t i = 0; i < by_size.size(); ++i) by_size[i] = i;
    std::stable_sort(by_size.begin(), by_size.end(),
                     [&](size_t a, size_t b) { return sections[a].size() < sections[b].size(); });
    // Room for the <details> wrapping and the run's own lines.
    constexpr size_t kWrapping = 200;
    size_t left = kMarkdownBudget - std::min(kMarkdownBudget, out.size() + 400);
    for (size_t k = 0; k < by_size.size(); ++k) {
      size_t i = by_size[k];
      size_t share = left / (by_size.size() - k);
      share = share > kWrapping ? share - kWrapping : 0;
      if (sections[i].size() > share) {
        const AppReport& app = *order[i];
        sections[i] = share > 600 ? DemoteHeadings(RenderMarkdown(*app.report, app.diff, false, share))
                                  : "Too many apps to show this one here: `npsbundle check " + app.path +
                                        " --format markdown`.\n";
      }
      left -= std::min(left, sections[i].size() + kWrapping);
    }
  }
  for (size_t i = 0; i < order.size(); ++i) {
    const AppReport& app = *order[i];
    bool pass = app.report->passed();
    out += std::string(pass ? "<details>" : "<details open>") + "<summary>" + (pass ? "✅ " : "❌ ") +
           XmlEscape(app.name) + " · <code>" + XmlEscape(app.path) + "</code></summary>\n\n" + sections[i] +
           "\n</details>\n\n";
  }
  return out;
}

// Each line of `text` but the first indented by `indent`.
std::string IndentJson(const std::string& text, const std::string& indent) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '\n' && i + 1 < text.size()) out += indent;
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::string RenderAppsJson(const std::vector<AppReport>& apps) {
  std::string out = "{\n  \"schemaVersion\": " + std::to_string(CheckReport::kSchemaVersion) + ",\n";
  out += "  \"tool\": \"npsbundle " + std::string(NPSBUNDLE_VERSION) + "\",\n";
  out += std::string("  \"passed\": ") + (AppsPassed(apps) ? "true" : "false") + ",\n  \"apps\": [";
  for (size_t i = 0; i < apps.size(); ++i) {
    const AppReport& app = apps[i];
    out += std::string(i ? "," : "") + "\n    {\n      \"name\": \"" + JsonEscape(app.name) + "\",\n      \"path\": \"" +
           JsonEscape(app.path) + "\",\n      \"passed\": " + (app.report->passed() ? "true" : "false") +
           ",\n      \"report\": " + IndentJson(RenderJson(*app.report, app.diff), "      ") + "\n    }";
  }
  return out + "\n  ]\n}\n";
}

// One page, a section per app: each app's own page in an iframe (srcdoc),
// so that its script, styles and element ids stay as they are.
std::string RenderAppsHtml(const std::vector<AppReport>& apps) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>npsbundle: " +
      XmlEscape(std::to_string(apps.size()) + " apps") +
      "</title><style>body{font:14px system-ui,sans-serif;margin:1rem}iframe{width:100%;height:85vh;"
      "border:1px solid #ccc}</style></head><body>\n<h1>" + XmlEscape(AppsVerdictLine(apps).substr(11)) + "</h1>\n<ul>\n";
  for (const AppReport* app : AppsWorstFirst(apps)) {
    out += "<li><a href=\"#app-" + XmlEscape(app->name) + "\">" + XmlEscape(app->name) + "</a>: " +
           XmlEscape(VerdictLine(*app->report).substr(11)) + "</li>\n";
  }
  out += "</ul>\n";
  for (const AppReport* app : AppsWorstFirst(apps)) {
    out += "<section id=\"app-" + XmlEscape(app->name) + "\"><h2>" + XmlEscape(app->name) + " · <code>" +
           XmlEscape(app->path) + "</code></h2>\n<iframe title=\"" + XmlEscape(app->name) + "\" srcdoc=\"" +
           XmlEscape(RenderHtml(*app->report, app->diff)) + "\"></iframe></section>\n";
  }
  return out + "</body></html>\n";
}

}  // namespace

std::vector<const AppReport*> AppsWorstFirst(const std::vector<AppReport>& apps) {
  std::vector<const AppReport*> order;
  for (const AppReport& app : apps) order.push_back(&app);
  auto rank = [](const AppReport* a) { return a->report->failures() > 0 ? 0 : a->report->warning_count() > 0 ? 1 : 2; };
  std::stable_sort(order.begin(), order.end(), [&](const AppReport* a, const AppReport* b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (rank(a) != 0) return false;
    if (a->report->failures() != b->report->failures()) return a->report->failures() > b->report->failures();
    return WorstOvershoot(*a->report) > WorstOvershoot(*b->report);
  });
  return order;
}

bool AppsPassed(const std::vector<AppReport>& apps) {
  return std::all_of(apps.begin(), apps.end(), [](const AppReport& a) { return a.report->passed(); });
}

std::string AppsVerdictLine(const std::vector<AppReport>& apps) {
  size_t checks = 0;
  for (const AppReport& app : apps) checks += app.report->rules.size();
  if (AppsPassed(apps)) {
    return "npsbundle: PASS: " + std::to_string(apps.size()) + " apps within budget (" + std::to_string(checks) +
           " rule checks)";
  }
  std::string names;
  size_t failed = 0;
  for (const AppReport* app : AppsWorstFirst(apps)) {
    if (app->report->passed()) continue;
    // Named up to five: the line stays a line with forty apps.
    if (++failed <= 5) names += (names.empty() ? "" : ", ") + app->name;
  }
  if (failed > 5) names += ", …";
  return "npsbundle: FAIL: " + std::to_string(failed) + " of " + std::to_string(apps.size()) +
         " apps over budget (" + names + ")";
}

std::string RenderAppsReport(const std::vector<AppReport>& apps, ReportFormat format, const RenderOptions& options) {
  switch (format) {
    case ReportFormat::kText:
      return AppsTextWriter(apps, options).Render();
    case ReportFormat::kJson:
      return RenderAppsJson(apps);
    case ReportFormat::kJunit:
      return RenderAppsJunit(apps);
    case ReportFormat::kGithub:
      return RenderAppsGithub(apps);
    case ReportFormat::kMarkdown:
      return RenderAppsMarkdown(apps, options.all);
    case ReportFormat::kHtml:
      return RenderAppsHtml(apps);
  }
  return {};
}

}  // namespace npsbundle
