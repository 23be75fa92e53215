// The human report. Without --all it fits one screen (kScreenLines): the
// rules come first in the line budget (every failing rule named with its
// count and its worst findings), then the tables share what is left, most
// costly rows first, each cut counted in a "… N more" line.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "report/report.h"
#include "report/report_diff.h"
#include "policy/serving.h"

namespace npsbundle {
namespace {

constexpr size_t kMaxNameWidth = 56;
// Findings shown per failing rule; fewer when many rules fail at once.
constexpr size_t kWorstFindings = 5;
// Changes against a baseline (check --baseline) shown before the rules.
constexpr size_t kDiffRows = 8;
// Rows a table shows before the fit (which may cut further).
constexpr size_t kTableRows = 8;
// Packages listed per chunk with --all; the rest are counted.
constexpr size_t kMaxPackageLines = 6;
// Notes are wrapped so that a line of the report is a line on the screen.
constexpr size_t kNoteWidth = 100;
// Lines kept for the tables before findings per rule are cut.
constexpr size_t kMinTableLines = 16;

struct Row {
  std::string text;
  uint64_t cost = 0;  // ordering when the table is cut: largest first
};

// A table of the report: a bold header, rows, and lines after them. Cut to
// `shown` rows (most costly first), it ends with `more(hidden)`.
struct Table {
  explicit Table(std::string title_text, bool estimated = false)
      : title(std::move(title_text)), estimates(estimated) {}
  std::string title;
  bool estimates = false;  // compressed columns are estimates ("~gzip")
  std::vector<Row> rows;  // natural order (load order, or already by cost)
  std::vector<std::string> footer;
  std::string (*more)(size_t hidden, const std::string& what) = nullptr;
  std::string what;  // "files", "pages", ...
  size_t shown = 0;
  size_t Lines() const { return 2 + shown + (shown < rows.size() ? 1 : 0) + footer.size(); }
};

std::string MoreLine(size_t hidden, const std::string& what) {
  return "  … " + std::to_string(hidden) + " more " + what + " (--all lists them)";
}

std::vector<std::string> Wrap(const std::string& text, size_t width, const std::string& indent) {
  std::vector<std::string> out;
  std::string line;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      out.push_back(line);
      line = indent + word;
    } else {
      line += (line.empty() ? "" : " ") + word;
    }
    start = end + 1;
  }
  if (!line.empty()) out.push_back(line);
  return out;
}

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

class TextWriter {
 public:
  TextWriter(const CheckReport& report, const RenderOptions& options)
      : report_(report), color_(options.color), all_(options.all), diff_(options.diff) {
    for (const FileRow& row : report.files) {
      if (all_ || UnlistedKind(row.size.path).empty()) name_width_ = std::max(name_width_, row.size.path.size() + 2);
    }
    for (const LoadGroup& g : report.lazy_pages) name_width_ = std::max(name_width_, g.label.size() + 8);
    name_width_ = std::min(std::max<size_t>(name_width_, 24), kMaxNameWidth);
    for (const LoadGroup& e : report.entries) {
      for (const std::string& f : e.files) in_initial_.insert(f);
    }
  }

  std::string Render() {
    std::vector<std::string> head = Header();
    std::vector<std::string> tail = Tail();
    std::vector<Table> tables = Tables();
    std::vector<std::string> rules = Rules(all_ ? SIZE_MAX : kWorstFindings);
    std::string diff = diff_ ? DiffTextSection(*diff_, all_ ? SIZE_MAX : kDiffRows) : "";
    if (!all_) {
      size_t fixed = ScreenRows(head) + ScreenRows(tail) + ScreenRows(Split(diff));
      // The rules come first; with many failing rules, fewer findings each,
      // so that the initial load and the costliest pages still show.
      for (size_t worst : {3, 1, 0}) {
        if (fixed + ScreenRows(rules) + kMinTableLines <= kScreenLines) break;
        rules = Rules(worst);
      }
      Fit(&tables, kScreenLines - std::min(kScreenLines, fixed + ScreenRows(rules)));
    }
    std::string out;
    for (const std::string& line : head) out += line + "\n";
    for (const Table& t : tables) out += RenderTable(t);
    out += diff;
    for (const std::string& line : rules) out += line + "\n";
    for (const std::string& line : tail) out += line + "\n";
    return out;
  }

 private:
  static constexpr const char* kGreen = "\033[32m";
  static constexpr const char* kRed = "\033[31m";
  static constexpr const char* kYellow = "\033[33m";
  static constexpr const char* kBold = "\033[1m";
  static constexpr const char* kDim = "\033[2m";

  std::string Paint(const char* code, const std::string& text) const {
    return color_ ? std::string(code) + text + "\033[0m" : text;
  }

  // File paths may be cut from the left (the hashed file name stays);
  // package names and labels never are.
  std::string PathName(std::string name) const {
    if (name.size() > name_width_ - 1) name = "…" + name.substr(name.size() - (name_width_ - 3));
    return name;
  }

  static std::string Pad(const std::string& text, size_t width) {
    // Column widths count characters, not bytes ("…" is three bytes).
    size_t chars = 0;
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
    return chars >= width ? text + " " : text + std::string(width - chars, ' ');
  }

  static std::string Right(const std::string& text, size_t width) {
    return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
  }

  std::string SizeCell(uint64_t bytes, bool sibling) const {
    return Right(FormatKb(bytes) + (sibling ? "*" : " "), 12);
  }

  std::string ColumnHeader(const std::string& title, bool estimates = false) const {
    return Paint(kBold, Pad(title, name_width_ + 2)) + Right("raw ", 12) + Right(estimates ? "~gzip " : "gzip ", 12) +
           Right(estimates ? "~brotli " : "brotli ", 12);
  }

  std::string FileLine(const FileRow& row) const {
    const FileMeasurement& m = row.size;
    return "  " + Pad(PathName(m.path), name_width_) + SizeCell(m.raw, false) + SizeCell(m.gzip, m.gzip_from_sibling) +
           SizeCell(m.brotli, m.brotli_from_sibling);
  }

  std::string TotalsCells(const Totals& t) const {
    return Right(FormatKb(t.raw) + " ", 12) + Right(FormatKb(t.gzip) + " ", 12) + Right(FormatKb(t.brotli) + " ", 12);
  }

  // "  limit 500.0 kB gzip  ok" for the first rule of `rule` on `subject`.
  std::string LimitCell(const std::string& rule, const std::string& subject) const {
    for (const RuleResult& r : report_.rules) {
      if (r.rule != rule || r.subject != subject || !r.limit) continue;
      bool pass = r.status == RuleStatus::kPass;
      return "  limit " + FormatLimit(*r.limit) + "  " + Paint(pass ? kGreen : kRed, pass ? "ok" : "OVER");
    }
    return "";
  }

  std::vector<std::string> Header() const {
    std::vector<std::string> out;
    out.push_back(Paint(kBold, "npsbundle check " + report_.input));
    std::string manifest = report_.manifest_path.empty() ? "none" : report_.manifest_path;
    std::string budget = report_.budget_path.empty() ? "built-in default" : report_.budget_path;
    out.push_back(Paint(kDim, "  manifest " + manifest + " · budget " + budget + " · gzip level " +
                                  std::to_string(report_.levels.gzip_level) + " · brotli quality " +
                                  std::to_string(report_.levels.brotli_quality) + " (window " +
                                  std::to_string(report_.levels.brotli_window) + ")"));
    size_t lookups = report_.cache_hits + report_.cache_misses;
    if (lookups > 0) {
      out.push_back(Paint(kDim, "  size cache: " + std::to_string(report_.cache_hits) + " of " +
                                    std::to_string(lookups) + " compressed sizes reused"));
    }
    return out;
  }

  // What follows the rules: files left out of the lists, notes, the verdict.
  std::vector<std::string> Tail() const {
    std::vector<std::string> out;
    std::map<std::string_view, size_t> unlisted;
    bool siblings = false;
    for (const FileRow& row : report_.files) {
      std::string_view kind = UnlistedKind(row.size.path);
      if (!kind.empty()) ++unlisted[kind];
      siblings = siblings || row.size.gzip_from_sibling || row.size.brotli_from_sibling;
    }
    if (!unlisted.empty() && !all_) {
      std::string line;
      for (const auto& [kind, count] : unlisted) {
        line += (line.empty() ? "" : ", ") + std::to_string(count) + " " + std::string(kind) + (count == 1 ? "" : "s");
      }
      out.push_back("");
      out.push_back(Paint(kDim, "not listed: " + line + " (--all or --format json lists every file)"));
    }
    for (const std::string& note : report_.notes) {
      out.push_back("");
      for (std::string& line : Wrap("note: " + note, kNoteWidth, "  ")) out.push_back(std::move(line));
    }
    if (siblings) {
      out.push_back("");
      out.push_back("* size of the precompressed file in the build (what gzip_static/brotli_static send)");
    }
    out.push_back("");
    out.push_back(Paint(report_.passed() ? kGreen : kRed, VerdictLine(report_).substr(11)));
    return out;
  }

  std::vector<Table> Tables() const {
    std::vector<Table> out;
    if (report_.entries.size() == 1 || all_) {
      for (const LoadGroup& entry : report_.entries) {
        Table t{"Initial load: " + entry.label};
        for (const std::string& path : entry.files) {
          if (const FileRow* row = report_.FindFile(path)) t.rows.push_back({FileLine(*row), row->size.gzip});
        }
        t.footer.push_back("  " + Pad("total (" + std::to_string(entry.total.files) + " files)", name_width_) +
                           TotalsCells(entry.total) + LimitCell("initial", entry.label));
        t.more = MoreLine;
        t.what = "files";
        out.push_back(std::move(t));
      }
    } else if (!report_.entries.empty()) {
      out.push_back(GroupTable("Initial load per entry", report_.entries, "initial", "entries"));
    }
    if (!report_.lazy_pages.empty()) {
      out.push_back(GroupTable("Lazy pages, costliest first", report_.lazy_pages, "routeCost", "pages"));
    }
    if (!report_.lazy_libraries.empty()) {
      out.push_back(GroupTable("Lazy chunks of packages", report_.lazy_libraries, "", "packages"));
    }
    Table chunks{report_.entries.empty() ? "Chunks, largest first" : "Lazy chunks, largest first"};
    Table other{report_.entries.empty() ? "Other files, largest first" : "Other files"};
    // Fetched by the browser in the background, not by a navigation: apart
    // from the pages' chunks.
    Table worker{"Service worker files"};
    for (const FileRow& row : report_.files) {
      if (in_initial_.count(row.size.path) || (!all_ && !UnlistedKind(row.size.path).empty())) continue;
      bool chunk = row.kind == FileKind::kScript || row.kind == FileKind::kStyle;
      Table& table = IsServiceWorkerPart(row.size.path) ? worker : chunk ? chunks : other;
      table.rows.push_back({FileLine(row), row.size.gzip});
    }
    for (Table* t : {&chunks, &worker, &other}) {
      std::stable_sort(t->rows.begin(), t->rows.end(), [](const Row& a, const Row& b) { return a.cost > b.cost; });
      t->more = MoreLine;
      t->what = "files";
      if (!t->rows.empty()) out.push_back(std::move(*t));
    }
    if (!report_.attribution.empty()) out.push_back(all_ ? PackagesPerChunk() : LargestPackages());
    for (Table& t : out) t.shown = t.rows.size();
    return out;
  }

  Table GroupTable(const std::string& title, const std::vector<LoadGroup>& groups, const std::string& rule,
                   const std::string& what) const {
    Table t{title};
    for (const LoadGroup& g : groups) {
      std::string count = g.chunks > 1 ? std::to_string(g.chunks) + " chunks, " : "";
      std::string name = g.label + " (" + count + std::to_string(g.total.files) + ")";
      t.rows.push_back({"  " + Pad(name, name_width_) + TotalsCells(g.total) +
                            (rule.empty() ? "" : LimitCell(rule, g.label)),
                        g.total.gzip});
    }
    t.more = MoreLine;
    t.what = what;
    return t;
  }

  // Packages (and app folders) over the whole build, from source maps.
  Table LargestPackages() const {
    struct Sum {
      uint64_t raw = 0, gzip = 0, brotli = 0;
      size_t chunks = 0;
    };
    std::map<std::string, Sum> sums;
    for (const ChunkAttribution& chunk : report_.attribution) {
      for (const GroupShare& g : chunk.groups) {
        Sum& s = sums[g.name];
        s.raw += g.raw;
        s.gzip += g.gzip;
        s.brotli += g.brotli;
        ++s.chunks;
      }
    }
    Table t{"Largest packages and folders (source maps)", /*estimates=*/true};
    for (const auto& [name, s] : sums) {
      std::string label = name + (s.chunks > 1 ? " (" + std::to_string(s.chunks) + " chunks)" : "");
      t.rows.push_back({"  " + Pad(label, name_width_) + Right(FormatKb(s.raw) + " ", 12) +
                            Right(FormatKb(s.gzip) + " ", 12) + Right(FormatKb(s.brotli) + " ", 12),
                        s.raw});
    }
    std::stable_sort(t.rows.begin(), t.rows.end(), [](const Row& a, const Row& b) { return a.cost > b.cost; });
    t.footer.push_back(Paint(kDim, "  ~ estimates: each chunk's compressed size split in proportion to raw bytes"));
    t.more = MoreLine;
    t.what = "packages and folders";
    return t;
  }

  // With --all: what each source-mapped chunk is made of.
  Table PackagesPerChunk() const {
    Table t{"Packages per chunk (source maps)", /*estimates=*/true};
    for (const ChunkAttribution& chunk : report_.attribution) {
      t.rows.push_back({"  " + PathName(chunk.file), 0});
      size_t shown = 0;
      for (const GroupShare& g : chunk.groups) {
        if (shown == kMaxPackageLines) break;
        ++shown;
        std::string name = g.name + (g.install_path.empty() || g.install_path == "node_modules/" + g.name
                                         ? ""
                                         : " (" + g.install_path + ")");
        t.rows.push_back({"    " + Pad(name, name_width_ - 2) + Right(FormatKb(g.raw) + " ", 12) +
                              Right(FormatKb(g.gzip) + " ", 12) + Right(FormatKb(g.brotli) + " ", 12),
                          0});
      }
      if (chunk.groups.size() > shown) {
        t.rows.push_back({Paint(kDim, "    … " + std::to_string(chunk.groups.size() - shown) + " more"), 0});
      }
    }
    t.footer.push_back(Paint(kDim, "  ~ " + std::string(kEstimateMethod)));
    return t;
  }

  // Cuts rows, last tables first, until the tables fit `lines`; a table
  // that cannot show a row goes (its rule results are still listed).
  static void Fit(std::vector<Table>* tables, size_t lines) {
    auto total = [&] {
      size_t n = 0;
      for (const Table& t : *tables) n += t.Lines();
      return n;
    };
    for (Table& t : *tables) t.shown = std::min(t.rows.size(), kTableRows);
    // Cut the longest table first, so each keeps some rows.
    while (total() > lines) {
      Table* longest = nullptr;
      for (Table& t : *tables) {
        if (t.shown > 1 && (!longest || t.shown >= longest->shown)) longest = &t;
      }
      if (!longest) break;
      --longest->shown;
    }
    while (total() > lines && !tables->empty()) tables->pop_back();
  }

  std::string RenderTable(const Table& t) const {
    std::string out = "\n" + ColumnHeader(t.title, t.estimates) + "\n";
    if (t.shown == t.rows.size()) {
      for (const Row& row : t.rows) out += row.text + "\n";
    } else {
      std::vector<const Row*> rows;
      for (const Row& row : t.rows) rows.push_back(&row);
      std::stable_sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) { return a->cost > b->cost; });
      for (size_t i = 0; i < t.shown; ++i) out += rows[i]->text + "\n";
      out += Paint(kDim, t.more(t.rows.size() - t.shown, t.what)) + "\n";
    }
    for (const std::string& line : t.footer) out += line + "\n";
    return out;
  }

  // Failures and warnings grouped by rule, worst first, `worst` of each;
  // passes one line per rule (each one with --all).
  std::vector<std::string> Rules(size_t worst) const {
    std::vector<std::string> out = {"", Paint(kBold, "Rules")};
    for (const RuleSummary& s : SummariseRules(report_)) {
      std::string name = Pad(s.rule, 15);
      size_t findings = s.findings.size();
      if (findings > 0) {
        bool fail = s.failed > 0;
        std::string mark = Paint(fail ? kRed : kYellow, (fail ? "✗ " : "! ") + name);
        if (findings == 1 && s.passed == 0) {
          out.push_back("  " + mark + s.findings.front()->message);
        } else {
          std::string count = fail ? std::to_string(s.failed) + " of " + std::to_string(findings + s.passed) +
                                         " over budget" + (s.warned ? ", " + std::to_string(s.warned) + " warnings" : "")
                                   : std::to_string(s.warned) + (s.warned == 1 ? " warning" : " warnings");
          out.push_back("  " + mark + count + (worst == 0 ? "" : findings == 1 ? ":" : ", worst first:"));
          size_t shown = std::min(worst, findings);
          for (size_t i = 0; i < shown; ++i) out.push_back("      " + s.findings[i]->message);
          if (shown < findings) {
            out.push_back(Paint(kDim, "      … " + std::to_string(findings - shown) + " more (--all lists them)"));
          }
        }
      }
      // A rule with findings counts its passes in its "N of M" line.
      if (s.passed == 0 || (findings > 0 && !all_)) continue;
      std::string pass = Paint(kGreen, "✓ " + name);
      if (all_ || (s.passed == 1 && findings == 0)) {
        for (const RuleResult& r : report_.rules) {
          if (r.rule == s.rule && r.status == RuleStatus::kPass) out.push_back("  " + pass + r.message);
        }
        continue;
      }
      std::string detail = std::to_string(s.passed) + (s.passed == 1 ? " check" : " checks") + " within budget";
      const RuleResult* largest = s.largest_pass;
      if (largest && largest->limit) {
        detail += "; largest: " + largest->subject + " at " + FormatKb(*largest->actual) + " of " +
                  FormatLimit(*largest->limit);
      }
      out.push_back("  " + pass + detail);
    }
    if (report_.rules.empty()) out.push_back("  (no rules apply)");
    return out;
  }

  const CheckReport& report_;
  bool color_;
  bool all_;
  const ReportDiff* diff_;
  size_t name_width_ = 24;
  std::set<std::string> in_initial_;
};

}  // namespace

// Rows `lines` take on a terminal kScreenWidth wide: a long rule message
// wraps, and the screen must hold the wrapped rows. ANSI codes take none.
size_t ScreenRows(const std::vector<std::string>& lines) {
  size_t rows = 0;
  for (const std::string& line : lines) {
    size_t chars = 0;
    bool escape = false;
    for (unsigned char c : line) {
      if (c == '\033') escape = true;
      if (!escape && (c & 0xC0) != 0x80) ++chars;
      if (escape && c == 'm') escape = false;
    }
    rows += chars == 0 ? 1 : (chars + kScreenWidth - 1) / kScreenWidth;
  }
  return rows;
}

std::string RenderText(const CheckReport& report, const RenderOptions& options) {
  return TextWriter(report, options).Render();
}

}  // namespace npsbundle
