// The JSON report (schema version 1, documented in the README). Keys are
// stable; new keys may be added within a version, never renamed or removed.
#include <cstdio>

#include "core/escape.h"
#include "report/report_diff.h"
#include "report/report.h"

namespace npsbundle {
namespace {

class JsonWriter {
 public:
  std::string Render(const CheckReport& report, const ReportDiff* diff) {
    out_ += "{\n";
    Field(1, "schemaVersion", std::to_string(CheckReport::kSchemaVersion));
    Field(1, "tool", Str(std::string("npsbundle ") + NPSBUNDLE_VERSION));
    Field(1, "input", Str(report.input));
    Field(1, "manifest", report.manifest_path.empty() ? "null" : Str(report.manifest_path));
    Field(1, "budget", report.budget_path.empty() ? "null" : Str(report.budget_path));
    Field(1, "passed", report.passed() ? "true" : "false");
    Field(1, "compression",
          "{\"gzipLevel\": " + std::to_string(report.levels.gzip_level) +
              ", \"brotliQuality\": " + std::to_string(report.levels.brotli_quality) +
              ", \"brotliWindow\": " + std::to_string(report.levels.brotli_window) +
              (report.zstd ? ", \"zstdLevel\": " + std::to_string(report.levels.zstd_level) : std::string()) + "}");
    Field(1, "cache", "{\"hits\": " + std::to_string(report.cache_hits) +
                          ", \"misses\": " + std::to_string(report.cache_misses) + "}");
    Array(1, "entries", report.entries.size(), [&](size_t i) { return Group(report.entries[i]); });
    Array(1, "lazyPages", report.lazy_pages.size(), [&](size_t i) { return Group(report.lazy_pages[i]); });
    Array(1, "lazyLibraries", report.lazy_libraries.size(), [&](size_t i) {
      const LoadGroup& g = report.lazy_libraries[i];
      std::string group = Group(g);
      return group.insert(group.size() - 1, ", \"chunks\": " + std::to_string(g.chunks));
    });
    Field(1, "attribution",
          report.attribution.empty()
              ? std::string("null")
              : "{\"chunks\": " + std::to_string(report.attribution.size()) +
                    ", \"method\": " + Str(std::string(kEstimateMethod)) + "}");
    Array(1, "files", report.files.size(),
          [&](size_t i) {
            return File(report.files[i], report.FindAttribution(report.files[i].size.path), report.zstd);
          });
    if (diff) Field(1, "diff", DiffJsonValue(*diff));
    Array(1, "rules", report.rules.size(), [&](size_t i) { return Rule(report.rules[i]); });
    Array(1, "notes", report.notes.size(), [&](size_t i) { return Str(report.notes[i]); }, /*last=*/true);
    out_ += "}\n";
    return out_;
  }

 private:
  static std::string Number(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", value);
    return buffer;
  }

  static std::string Str(const std::string& text) { return "\"" + JsonEscape(text) + "\""; }

  static std::string TotalsJson(const Totals& t) {
    return "{\"files\": " + std::to_string(t.files) + ", \"raw\": " + std::to_string(t.raw) +
           ", \"gzip\": " + std::to_string(t.gzip) + ", \"brotli\": " + std::to_string(t.brotli) +
           (t.zstd ? ", \"zstd\": " + std::to_string(t.zstd) : std::string()) + "}";
  }

  static std::string Group(const LoadGroup& g) {
    std::string files;
    for (const std::string& f : g.files) files += (files.empty() ? "" : ", ") + Str(f);
    return "{\"key\": " + Str(g.key) + ", \"label\": " + Str(g.label) +
           (g.entry.empty() ? "" : ", \"entry\": " + Str(g.entry)) + ", \"files\": [" + files +
           "], \"total\": " + TotalsJson(g.total) + ", \"js\": " + TotalsJson(g.js) +
           ", \"css\": " + TotalsJson(g.css) + "}";
  }

  static std::string GroupKind(OriginKind kind) {
    return kind == OriginKind::kPackage ? "\"package\"" : kind == OriginKind::kApp ? "\"app\"" : "\"generated\"";
  }

  // "packages": what the chunk is made of, from its source map. Raw bytes are
  // exact; gzip/brotli are estimates (see "attribution.method").
  static std::string Packages(const ChunkAttribution& a) {
    std::string out = ", \"sourceMap\": " + Str(a.map_file) + ", \"unmapped\": " + std::to_string(a.unmapped) +
                      ", \"packages\": [";
    for (size_t i = 0; i < a.groups.size(); ++i) {
      const GroupShare& g = a.groups[i];
      out += (i ? ", " : "") + std::string("{\"name\": ") + Str(g.name) + ", \"kind\": " + GroupKind(g.kind);
      if (!g.install_path.empty()) out += ", \"path\": " + Str(g.install_path);
      out += ", \"raw\": " + std::to_string(g.raw) + ", \"gzip\": " + std::to_string(g.gzip) +
             ", \"brotli\": " + std::to_string(g.brotli) + ", \"modules\": [";
      for (size_t m = 0; m < g.modules.size(); ++m) {
        out += (m ? ", " : "") + std::string("{\"source\": ") + Str(g.modules[m].module) +
               ", \"raw\": " + std::to_string(g.modules[m].raw) + "}";
      }
      out += "]}";
    }
    return out + "]";
  }

  static std::string File(const FileRow& row, const ChunkAttribution* attribution, bool zstd) {
    const FileMeasurement& m = row.size;
    std::string out = "{\"path\": " + Str(m.path) + ", \"kind\": " + Str(std::string(FileKindName(row.kind))) +
                      ", \"raw\": " + std::to_string(m.raw) + ", \"gzip\": " + std::to_string(m.gzip) +
                      ", \"brotli\": " + std::to_string(m.brotli) +
                      (zstd ? ", \"zstd\": " + std::to_string(m.zstd) : std::string()) +
                      ", \"compressed\": " + (m.compressible ? "true" : "false");
    if (m.gzip_from_sibling || m.brotli_from_sibling) {
      out += std::string(", \"precompressed\": {\"gzip\": ") + (m.gzip_from_sibling ? "true" : "false") +
             ", \"brotli\": " + (m.brotli_from_sibling ? "true" : "false") + "}";
    }
    if (!row.manifest_key.empty()) out += ", \"manifestKey\": " + Str(row.manifest_key);
    if (!row.chunk_name.empty()) out += ", \"chunkName\": " + Str(row.chunk_name);
    if (attribution) out += Packages(*attribution);
    return out + "}";
  }

  static std::string Rule(const RuleResult& r) {
    std::string out = "{\"rule\": " + Str(r.rule) + ", \"subject\": " + Str(r.subject) +
                      ", \"status\": " + Str(std::string(RuleStatusName(r.status)));
    if (!r.file.empty()) out += ", \"file\": " + Str(r.file);
    if (r.actual) out += ", \"actual\": " + std::to_string(*r.actual);
    if (r.limit) {
      out += ", \"limit\": " + std::to_string(r.limit->bytes) +
             ", \"measure\": " + Str(std::string(MeasureName(r.limit->measure)));
    }
    if (r.actual_ms) {
      std::string steps;
      for (const LoadStep& step : r.critical_path) {
        steps += std::string(steps.empty() ? "" : ", ") + "{\"step\": " + Str(step.label) +
                 ", \"files\": " + std::to_string(step.files) + ", \"bytes\": " + std::to_string(step.bytes) +
                 ", \"roundTrips\": " + Number(step.round_trips) + ", \"ms\": " + Number(step.ms) + "}";
      }
      out += ", \"profile\": " + Str(r.profile) + ", \"actualMs\": " + Number(*r.actual_ms) +
             ", \"limitMs\": " + Number(*r.limit_ms) + ", \"criticalPath\": [" + steps + "]";
    }
    if (r.max_count) out += ", \"limit\": " + std::to_string(*r.max_count) + ", \"measure\": \"count\"";
    return out + ", \"message\": " + Str(r.message) + "}";
  }

  void Field(int depth, const std::string& key, const std::string& value, bool last = false) {
    out_ += std::string(depth * 2, ' ') + "\"" + key + "\": " + value + (last ? "\n" : ",\n");
  }

  template <typename Item>
  void Array(int depth, const std::string& key, size_t size, Item item, bool last = false) {
    std::string indent(depth * 2, ' ');
    out_ += indent + "\"" + key + "\": [";
    for (size_t i = 0; i < size; ++i) out_ += (i ? ",\n" : "\n") + indent + "  " + item(i);
    out_ += size ? "\n" + indent + "]" : "]";
    out_ += last ? "\n" : ",\n";
  }

  std::string out_;
};

}  // namespace

std::string RenderJson(const CheckReport& report, const ReportDiff* diff) { return JsonWriter().Render(report, diff); }

}  // namespace npsbundle
