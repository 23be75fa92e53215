// The human report: tables of the initial load per entry, lazy pages and
// other files, then every failed rule and a summary of the passing ones.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "report/report.h"
#include "report/report_diff.h"

namespace npsbundle {
namespace {

constexpr size_t kMaxNameWidth = 56;
// Rules with more passing subjects than this are summarised in one line.
constexpr size_t kMaxPassLines = 8;
// Packages listed per chunk in the package table; the rest are counted.
constexpr size_t kMaxPackageLines = 6;

class TextWriter {
 public:
  TextWriter(const CheckReport& report, bool color, const ReportDiff* diff)
      : report_(report), color_(color), diff_(diff) {
    for (const FileRow& row : report.files) name_width_ = std::max(name_width_, row.size.path.size() + 2);
    for (const LoadGroup& g : report.lazy_pages) name_width_ = std::max(name_width_, g.label.size() + 2);
    name_width_ = std::min(std::max<size_t>(name_width_, 24), kMaxNameWidth);
  }

  std::string Render() {
    Header();
    for (const LoadGroup& entry : report_.entries) Entry(entry);
    LazyPages();
    OtherFiles();
    Packages();
    if (diff_) out_ += DiffTextSection(*diff_);
    Rules();
    for (const std::string& note : report_.notes) out_ += "\nnote: " + note + "\n";
    if (uses_siblings_) out_ += "\n* size of the precompressed file in the build (what gzip_static/brotli_static send)\n";
    out_ += "\n" + Paint(report_.passed() ? kGreen : kRed, VerdictLine(report_).substr(11)) + "\n";
    return out_;
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

  std::string Name(std::string name) const {
    if (name.size() > name_width_ - 1) name = "…" + name.substr(name.size() - (name_width_ - 3));
    return name;
  }

  std::string Pad(const std::string& text, size_t width) const {
    // Column widths count characters, not bytes ("…" is three bytes).
    size_t chars = 0;
    for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
    return chars >= width ? text : text + std::string(width - chars, ' ');
  }

  static std::string Right(const std::string& text, size_t width) {
    return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
  }

  std::string SizeCell(uint64_t bytes, bool sibling) {
    if (sibling) uses_siblings_ = true;
    return Right(FormatKb(bytes) + (sibling ? "*" : " "), 12);
  }

  void ColumnHeader(const std::string& title) {
    out_ += "\n" + Paint(kBold, Pad(title, name_width_ + 2)) + Right("raw ", 12) + Right("gzip ", 12) +
            Right("brotli ", 12) + "\n";
  }

  void FileLine(const FileRow& row) {
    const FileMeasurement& m = row.size;
    out_ += "  " + Pad(Name(m.path), name_width_) + SizeCell(m.raw, false) +
            SizeCell(m.gzip, m.gzip_from_sibling) + SizeCell(m.brotli, m.brotli_from_sibling) + "\n";
  }

  std::string TotalsCells(const Totals& t) const {
    return Right(FormatKb(t.raw) + " ", 12) + Right(FormatKb(t.gzip) + " ", 12) + Right(FormatKb(t.brotli) + " ", 12);
  }

  // "limit 500.0 kB gzip  ok" for the first rule of `rule` on `subject`.
  std::string LimitCell(const std::string& rule, const std::string& subject) const {
    for (const RuleResult& r : report_.rules) {
      if (r.rule != rule || r.subject != subject || !r.limit) continue;
      bool pass = r.status == RuleStatus::kPass;
      return "  limit " + FormatLimit(*r.limit) + "  " + Paint(pass ? kGreen : kRed, pass ? "ok" : "OVER");
    }
    return "";
  }

  void Header() {
    out_ += Paint(kBold, "npsbundle check " + report_.input) + "\n";
    std::string manifest = report_.manifest_path.empty() ? "none" : report_.manifest_path;
    std::string budget = report_.budget_path.empty() ? "built-in default" : report_.budget_path;
    out_ += Paint(kDim, "  manifest " + manifest + " · budget " + budget + " · gzip level " +
                            std::to_string(report_.levels.gzip_level) + " · brotli quality " +
                            std::to_string(report_.levels.brotli_quality) + " (window " +
                            std::to_string(report_.levels.brotli_window) + ")") +
            "\n";
    size_t lookups = report_.cache_hits + report_.cache_misses;
    if (lookups > 0) {
      out_ += Paint(kDim, "  size cache: " + std::to_string(report_.cache_hits) + " of " + std::to_string(lookups) +
                              " compressed sizes reused") +
              "\n";
    }
  }

  void Entry(const LoadGroup& entry) {
    ColumnHeader("Initial load: " + entry.label);
    for (const std::string& path : entry.files) {
      if (const FileRow* row = report_.FindFile(path)) FileLine(*row);
      shown_.insert(path);
    }
    out_ += "  " + Pad("total (" + std::to_string(entry.total.files) + " files)", name_width_) +
            TotalsCells(entry.total) + LimitCell("initial", entry.label) + "\n";
  }

  void LazyPages() {
    if (report_.lazy_pages.empty()) return;
    ColumnHeader("Lazy pages (added on navigation)");
    for (const LoadGroup& page : report_.lazy_pages) {
      std::string name = page.label + " (" + std::to_string(page.total.files) + ")";
      out_ += "  " + Pad(Name(name), name_width_) + TotalsCells(page.total) + LimitCell("routeCost", page.label) + "\n";
      for (const std::string& path : page.files) shown_.insert(path);
    }
  }

  void OtherFiles() {
    std::vector<const FileRow*> rest;
    for (const FileRow& row : report_.files) {
      if (!shown_.count(row.size.path)) rest.push_back(&row);
    }
    if (rest.empty()) return;
    ColumnHeader(report_.entries.empty() ? "Files" : "Other files");
    for (const FileRow* row : rest) FileLine(*row);
  }

  // What each source-mapped chunk is made of: its largest packages and app
  // folders. Compressed figures are estimates, marked "~".
  void Packages() {
    if (report_.attribution.empty()) return;
    out_ += "\n" + Paint(kBold, Pad("Packages per chunk (source maps)", name_width_ + 2)) + Right("raw ", 12) +
            Right("~gzip ", 12) + Right("~brotli ", 12) + "\n";
    for (const ChunkAttribution& chunk : report_.attribution) {
      out_ += "  " + Name(chunk.file) + "\n";
      size_t shown = 0;
      for (const GroupShare& g : chunk.groups) {
        if (shown == kMaxPackageLines) break;
        ++shown;
        std::string name = g.name + (g.install_path.empty() || g.install_path == "node_modules/" + g.name
                                         ? ""
                                         : " (" + g.install_path + ")");
        out_ += "    " + Pad(Name(name), name_width_ - 2) + Right(FormatKb(g.raw) + " ", 12) +
                Right(FormatKb(g.gzip) + " ", 12) + Right(FormatKb(g.brotli) + " ", 12) + "\n";
      }
      if (chunk.groups.size() > shown) {
        out_ += Paint(kDim, "    … " + std::to_string(chunk.groups.size() - shown) + " more") + "\n";
      }
    }
    out_ += Paint(kDim, "  ~ " + std::string(kEstimateMethod)) + "\n";
  }

  void Rules() {
    out_ += "\n" + Paint(kBold, "Rules") + "\n";
    // Failures one by one; passes counted per rule so a large build stays readable.
    std::map<std::string, size_t> passes;
    std::vector<std::string> order;
    for (const RuleResult& r : report_.rules) {
      if (!passes.count(r.rule)) order.push_back(r.rule);
      passes[r.rule];
      if (r.status == RuleStatus::kPass) {
        ++passes[r.rule];
        continue;
      }
      bool warn = r.status == RuleStatus::kWarn;
      out_ += "  " + Paint(warn ? kYellow : kRed, (warn ? "! " : "✗ ") + Pad(r.rule, 15)) + r.message + "\n";
    }
    for (const std::string& rule : order) {
      size_t count = passes[rule];
      if (count == 0) continue;
      if (count <= kMaxPassLines) {
        for (const RuleResult& r : report_.rules) {
          if (r.rule == rule && r.status == RuleStatus::kPass) {
            out_ += "  " + Paint(kGreen, "✓ " + Pad(rule, 15)) + r.message + "\n";
          }
        }
        continue;
      }
      const RuleResult* largest = nullptr;
      for (const RuleResult& r : report_.rules) {
        if (r.rule == rule && r.status == RuleStatus::kPass && r.actual &&
            (!largest || *r.actual > *largest->actual)) {
          largest = &r;
        }
      }
      std::string detail = std::to_string(count) + " checks within budget";
      if (largest && largest->limit) {
        detail += "; largest: " + largest->subject + " at " + FormatKb(*largest->actual) + " of " +
                  FormatLimit(*largest->limit);
      }
      out_ += "  " + Paint(kGreen, "✓ " + Pad(rule, 15)) + detail + "\n";
    }
    if (report_.rules.empty()) out_ += "  (no rules apply)\n";
  }

  const CheckReport& report_;
  bool color_;
  const ReportDiff* diff_;
  size_t name_width_ = 24;
  bool uses_siblings_ = false;
  std::set<std::string> shown_;
  std::string out_;
};

}  // namespace

std::string RenderText(const CheckReport& report, const RenderOptions& options) {
  return TextWriter(report, options.color, options.diff).Render();
}

}  // namespace npsbundle
