// Rendering of a baseline diff: sections that `check --baseline` adds to its
// text, Markdown and JSON reports, and the whole output of `npsbundle diff`.
#include "report/report_diff.h"

#include <algorithm>

#include "core/escape.h"

namespace npsbundle {
namespace {

// Rows shown in "what changed most" tables; the rest is in the details.
constexpr size_t kTopChanges = 10;

std::string Str(const std::string& text) { return "\"" + JsonEscape(text) + "\""; }

std::string Triple(const SizeTriple& s) {
  return "{\"raw\": " + std::to_string(s.raw) + ", \"gzip\": " + std::to_string(s.gzip) +
         ", \"brotli\": " + std::to_string(s.brotli) + "}";
}

std::string Status(const DiffRow& row) {
  if (row.added()) return "added";
  if (row.removed()) return "removed";
  bool changed = row.Delta(Measure::kRaw) || row.Delta(Measure::kGzip) || row.Delta(Measure::kBrotli);
  return changed ? "changed" : "unchanged";
}

// "assets/index.js (renamed from assets/main.js)": what a chunk became.
std::string SubjectLabel(const DiffRow& row) {
  if (row.change == ChunkChange::kNone) return row.label;
  std::string related;
  for (const std::string& r : row.related) related += (related.empty() ? "" : ", ") + r;
  std::string how = row.change == ChunkChange::kRenamed ? "renamed from "
                    : row.removed() ? (row.change == ChunkChange::kMerged ? "merged into " : "split into ")
                                    : (row.change == ChunkChange::kMerged ? "merged from " : "split from ");
  return row.label + " (" + how + related + ")";
}

std::string KindLabel(DiffKind kind) {
  return kind == DiffKind::kEntry ? "initial load" : kind == DiffKind::kLazyPage ? "lazy page" : "chunk";
}

std::string PercentCell(const DiffRow& row, Measure m) {
  if (row.added()) return "new";
  if (row.removed()) return "removed";
  return FormatPercent(row.Percent(m));
}

std::string Right(const std::string& text, size_t width) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return chars >= width ? text : std::string(width - chars, ' ') + text;
}

std::string Pad(const std::string& text, size_t width) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  return chars >= width ? text : text + std::string(width - chars, ' ');
}

std::string MarkdownRow(const DiffRow& row) {
  return "| " + MarkdownCellEscape(SubjectLabel(row)) + " | " + KindLabel(row.kind) + " | " + FormatKb(row.before.gzip) +
         " | " + FormatKb(row.after.gzip) + " | " + FormatDelta(row.Delta(Measure::kGzip)) + " | " +
         PercentCell(row, Measure::kGzip) + " | " + FormatDelta(row.Delta(Measure::kRaw)) + " | " +
         FormatDelta(row.Delta(Measure::kBrotli)) + " |\n";
}

constexpr const char* kMarkdownHeader =
    "| Subject | Kind | Gzip before | Gzip after | Δ gzip | Δ % | Δ raw | Δ brotli |\n"
    "|---|---|--:|--:|--:|--:|--:|--:|\n";

std::string PackageLines(const ReportDiff& diff, bool markdown, size_t limit) {
  std::string out;
  size_t shown = 0;
  for (const PackageDelta& p : diff.packages) {
    if (shown++ == limit) break;
    if (markdown) {
      out += "| " + MarkdownCellEscape(p.name) + " | " + FormatKb(p.before) + " | " + FormatKb(p.after) + " | " +
             FormatDelta(p.delta()) + " |\n";
    } else {
      out += "  " + Pad(p.name, 40) + Right(FormatKb(p.before), 11) + Right(FormatKb(p.after), 11) +
             Right(FormatDelta(p.delta()), 11) + "\n";
    }
  }
  return out;
}

}  // namespace

std::string DiffSummary(const ReportDiff& diff) {
  std::string out;
  for (const DiffRow& e : diff.entries) {
    if (!e.in_new) continue;
    out += (out.empty() ? "" : ", ") + std::string("initial load ") + e.label + " " +
           FormatDelta(e.Delta(Measure::kGzip)) + " gzip" +
           (e.in_old ? " (" + FormatPercent(e.Percent(Measure::kGzip)) + ")" : " (new)");
  }
  size_t changed = 0, added = 0, removed = 0;
  for (const DiffRow& c : diff.chunks) {
    if (c.added()) {
      ++added;
    } else if (c.removed()) {
      ++removed;
    } else if (Status(c) == "changed") {
      ++changed;
    }
  }
  out += (out.empty() ? "" : "; ") + std::to_string(changed) + " chunk" + (changed == 1 ? "" : "s") + " changed, " +
         std::to_string(added) + " added, " + std::to_string(removed) + " removed";
  return out;
}

std::string DiffTextSection(const ReportDiff& diff, size_t max_rows) {
  std::string out = "\nChanges against " + diff.baseline + "\n";
  std::vector<const DiffRow*> changes = diff.Changes();
  if (changes.empty()) return out + "  no size changed\n";
  out += "  " + Pad("", 44) + Right("gzip before", 12) + Right("after", 11) + Right("Δ gzip", 11) +
         Right("Δ %", 9) + Right("Δ raw", 11) + "\n";
  for (size_t i = 0; i < changes.size(); ++i) {
    const DiffRow* row = changes[i];
    if (i == max_rows) {
      out += "  … " + std::to_string(changes.size() - i) + " more changes (--all lists them)\n";
      break;
    }
    out += "  " + Pad(SubjectLabel(*row) + " (" + KindLabel(row->kind) + ")", 44) + Right(FormatKb(row->before.gzip), 12) +
           Right(FormatKb(row->after.gzip), 11) + Right(FormatDelta(row->Delta(Measure::kGzip)), 11) +
           Right(PercentCell(*row, Measure::kGzip), 9) + Right(FormatDelta(row->Delta(Measure::kRaw)), 11) + "\n";
  }
  if (!diff.packages.empty()) {
    out += "\n  " + Pad("Packages and folders (raw, source maps)", 40) + Right("before", 11) + Right("after", 11) +
           Right("Δ", 11) + "\n";
    out += PackageLines(diff, false, std::min(kTopChanges, max_rows));
  }
  return out;
}

std::string DiffMarkdownSection(const ReportDiff& diff, size_t max_rows) {
  std::string out;
  std::vector<const DiffRow*> changes = diff.Changes();
  out += "### What changed most (against " + MarkdownCellEscape(diff.baseline) + ")\n\n";
  if (changes.empty()) {
    out += "No size changed.\n\n";
  } else {
    out += kMarkdownHeader;
    for (size_t i = 0; i < changes.size() && i < kTopChanges; ++i) out += MarkdownRow(*changes[i]);
    out += "\n";
  }
  if (!diff.packages.empty()) {
    out += "<details><summary>Packages and folders that changed (" + std::to_string(diff.packages.size()) +
           ")</summary>\n\n| Package or folder | Raw before | Raw after | Δ raw |\n|---|--:|--:|--:|\n";
    out += PackageLines(diff, true, diff.packages.size());
    out += "\n</details>\n\n";
  }
  out += "<details><summary>Every entry, lazy page and chunk</summary>\n\n";
  out += kMarkdownHeader;
  size_t rows = 0, hidden = 0;
  for (const auto* list : {&diff.entries, &diff.lazy_pages, &diff.chunks}) {
    for (const DiffRow& row : *list) {
      if (rows == max_rows) {
        ++hidden;
        continue;
      }
      out += MarkdownRow(row);
      ++rows;
    }
  }
  if (hidden > 0) out += "| … " + std::to_string(hidden) + " more (`--all` lists them) | | | | | | | |\n";
  out += "\n</details>\n\n";
  return out;
}

std::string DiffJsonValue(const ReportDiff& diff) {
  auto rows = [](const std::vector<DiffRow>& list) {
    std::string out = "[";
    for (size_t i = 0; i < list.size(); ++i) {
      const DiffRow& r = list[i];
      out += std::string(i ? ", " : "") + "{\"id\": " + Str(r.id) + ", \"label\": " + Str(r.label) +
             ", \"status\": " + Str(Status(r));
      if (!r.old_file.empty()) out += ", \"oldFile\": " + Str(r.old_file);
      if (!r.new_file.empty()) out += ", \"newFile\": " + Str(r.new_file);
      if (r.change != ChunkChange::kNone) {
        std::string related;
        for (const std::string& f : r.related) related += (related.empty() ? "" : ", ") + Str(f);
        out += ", \"change\": " + Str(std::string(ChunkChangeName(r.change))) + ", \"related\": [" + related + "]";
      }
      out += ", \"before\": " + (r.in_old ? Triple(r.before) : "null") +
             ", \"after\": " + (r.in_new ? Triple(r.after) : "null") + ", \"delta\": {\"raw\": " +
             std::to_string(r.Delta(Measure::kRaw)) + ", \"gzip\": " + std::to_string(r.Delta(Measure::kGzip)) +
             ", \"brotli\": " + std::to_string(r.Delta(Measure::kBrotli)) + "}}";
    }
    return out + "]";
  };
  std::string packages = "[";
  for (size_t i = 0; i < diff.packages.size(); ++i) {
    const PackageDelta& p = diff.packages[i];
    packages += std::string(i ? ", " : "") + "{\"name\": " + Str(p.name) + ", \"kind\": " +
                (p.is_package ? "\"package\"" : "\"folder\"") + ", \"before\": " + std::to_string(p.before) +
                ", \"after\": " + std::to_string(p.after) + ", \"delta\": " + std::to_string(p.delta()) + "}";
  }
  packages += "]";
  return "{\"baseline\": " + Str(diff.baseline) + ", \"entries\": " + rows(diff.entries) +
         ", \"lazyPages\": " + rows(diff.lazy_pages) + ", \"chunks\": " + rows(diff.chunks) +
         ", \"packages\": " + (diff.has_packages ? packages : "null") + "}";
}

std::string RenderDiffReport(const ReportDiff& diff, const std::string& current, const std::vector<RuleResult>& rules,
                             ReportFormat format) {
  size_t failed = static_cast<size_t>(
      std::count_if(rules.begin(), rules.end(), [](const RuleResult& r) { return r.status == RuleStatus::kFail; }));
  std::string verdict = rules.empty() ? "no growth limits in the budget"
                        : failed      ? std::to_string(failed) + " of " + std::to_string(rules.size()) +
                                       " growth checks over budget"
                                      : std::to_string(rules.size()) + " growth checks within budget";
  if (format == ReportFormat::kJson) {
    std::string out = "{\n  \"schemaVersion\": 1,\n  \"tool\": " + Str(std::string("npsbundle ") + NPSBUNDLE_VERSION) +
                      ",\n  \"input\": " + Str(current) + ",\n  \"passed\": " + (failed ? "false" : "true") +
                      ",\n  \"diff\": " + DiffJsonValue(diff) + ",\n  \"rules\": [";
    for (size_t i = 0; i < rules.size(); ++i) {
      const RuleResult& r = rules[i];
      out += std::string(i ? ",\n    " : "\n    ") + "{\"rule\": " + Str(r.rule) + ", \"subject\": " + Str(r.subject) +
             ", \"status\": " + Str(std::string(RuleStatusName(r.status))) + ", \"message\": " + Str(r.message) + "}";
    }
    return out + (rules.empty() ? "]\n}\n" : "\n  ]\n}\n");
  }
  if (format == ReportFormat::kMarkdown) {
    std::string out = "## npsbundle diff: " + std::string(failed ? "❌ " : "✅ ") + MarkdownCellEscape(DiffSummary(diff)) +
                      "\n\n`" + diff.baseline + "` → `" + current + "` · " + verdict + "\n\n";
    for (const RuleResult& r : rules) {
      if (r.status == RuleStatus::kFail) out += "- ❌ **" + r.rule + "**: " + MarkdownCellEscape(r.message) + "\n";
    }
    if (failed) out += "\n";
    return out + DiffMarkdownSection(diff);
  }
  std::string out = "npsbundle diff " + diff.baseline + " → " + current + "\n  " + DiffSummary(diff) + "\n";
  out += DiffTextSection(diff);
  if (!rules.empty()) {
    out += "\nRules\n";
    for (const RuleResult& r : rules) {
      out += std::string("  ") + (r.status == RuleStatus::kFail ? "✗ " : "✓ ") + r.rule + "  " + r.message + "\n";
    }
  }
  return out + "\n" + (failed ? "FAIL: " : "PASS: ") + verdict + "\n";
}

}  // namespace npsbundle
