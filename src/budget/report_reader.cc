#include "budget/report_reader.h"

#include <algorithm>
#include <fstream>

#include "build/asset_names.h"
#include "core/error.h"
#include "core/json.h"

namespace npsbundle {
namespace {

// The JSON report's schema (README "JSON report") over core/json's typed reads.
class ReportReader : public JsonReader {
 public:
  using JsonReader::JsonReader;

  // object.key as a string; "" for a missing optional one.
  std::string StringField(JsonValue object, const char* key, const std::string& location,
                          bool optional = false) const {
    std::optional<JsonValue> value = OptionalField(object, key);
    if (!value) {
      if (optional) return "";
      Fail(location, std::string("missing field \"") + key + "\"");
    }
    return String(*value, JsonMember(location, key));
  }

  uint64_t Bytes(JsonValue object, const char* key, const std::string& location) const {
    return Unsigned(Field(object, key, location), JsonMember(location, key), "a byte count");
  }

  Totals ReadTotals(JsonValue value, const std::string& location) const {
    Totals t;
    t.raw = Bytes(value, "raw", location);
    t.gzip = Bytes(value, "gzip", location);
    t.brotli = Bytes(value, "brotli", location);
    t.files = Bytes(value, "files", location);
    if (OptionalField(value, "zstd")) t.zstd = Bytes(value, "zstd", location);
    return t;
  }

  std::vector<LoadGroup> Groups(JsonValue root, const char* key) const {
    std::vector<LoadGroup> out;
    for (JsonValue g : Array(Field(root, key, ""), key)) {
      std::string at = JsonIndex(key, out.size());
      LoadGroup group;
      group.key = StringField(g, "key", at);
      group.label = StringField(g, "label", at);
      group.entry = StringField(g, "entry", at, /*optional=*/true);
      group.total = ReadTotals(Field(g, "total", at), at + ".total");
      out.push_back(std::move(group));
    }
    return out;
  }

  ChunkAttribution Packages(const FileRow& row, JsonArray packages, const std::string& location) const {
    ChunkAttribution chunk;
    chunk.file = row.size.path;
    chunk.raw = row.size.raw;
    for (JsonValue p : packages) {
      std::string at = JsonIndex(location, chunk.groups.size());
      GroupShare g;
      g.name = StringField(p, "name", at);
      std::string kind = StringField(p, "kind", at);
      g.kind = kind == "package" ? OriginKind::kPackage : kind == "app" ? OriginKind::kApp : OriginKind::kGenerated;
      g.install_path = StringField(p, "path", at, true);
      g.raw = Bytes(p, "raw", at);
      g.gzip = Bytes(p, "gzip", at);
      g.brotli = Bytes(p, "brotli", at);
      chunk.groups.push_back(std::move(g));
    }
    return chunk;
  }

  CheckReport Read(std::string_view json) const {
    JsonDocument document(json, display_path());
    JsonValue root = document.root();
    if (!root.is_object()) Fail("", "expected a JSON report object (npsbundle check --format json)");
    int64_t version = 0;
    if (root["schemaVersion"].get_int64().get(version)) {
      Fail("", "not an npsbundle JSON report (no \"schemaVersion\"; write one with --format json)");
    }
    if (version != CheckReport::kSchemaVersion) {
      Fail("schemaVersion", "unsupported report schema version " + std::to_string(version));
    }
    CheckReport report;
    report.input = StringField(root, "input", "");
    report.entries = Groups(root, "entries");
    report.lazy_pages = Groups(root, "lazyPages");
    for (JsonValue f : Array(Field(root, "files", ""), "files")) {
      std::string at = JsonIndex("files", report.files.size());
      FileRow row;
      row.size.path = StringField(f, "path", at);
      row.kind = KindOfPath(row.size.path);
      row.size.raw = Bytes(f, "raw", at);
      row.size.gzip = Bytes(f, "gzip", at);
      row.size.brotli = Bytes(f, "brotli", at);
      if (OptionalField(f, "zstd")) row.size.zstd = Bytes(f, "zstd", at);
      row.manifest_key = StringField(f, "manifestKey", at, true);
      row.chunk_name = StringField(f, "chunkName", at, true);
      JsonArray packages;
      if (!f["packages"].get_array().get(packages)) {
        report.attribution.push_back(Packages(row, packages, at + ".packages"));
      }
      report.files.push_back(std::move(row));
    }
    std::sort(report.files.begin(), report.files.end(),
              [](const FileRow& a, const FileRow& b) { return a.size.path < b.size.path; });
    return report;
  }
};

}  // namespace

CheckReport ReadJsonReport(std::string_view json, const std::string& display_path) {
  return ReportReader(display_path).Read(json);
}

bool IsJsonReportFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  char c = 0;
  while (in.get(c)) {
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return c == '{';
  }
  return false;
}

namespace {

std::string ReadReportFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot read report");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

CheckReport LoadJsonReport(const std::string& path) { return ReadJsonReport(ReadReportFile(path), path); }

std::vector<NamedReport> LoadJsonReports(const std::string& path) {
  std::string json = ReadReportFile(path);
  JsonDocument document(json, path);
  JsonValue root = document.root();
  std::optional<JsonValue> apps = root.is_object() ? JsonReader::OptionalField(root, "apps") : std::nullopt;
  if (!apps) return {{"", ReadJsonReport(json, path)}};
  JsonReader reader(path);
  std::vector<NamedReport> out;
  for (JsonValue app : reader.Array(*apps, "apps")) {
    std::string at = JsonIndex("apps", out.size());
    NamedReport named;
    named.name = reader.String(reader.Field(app, "name", at), JsonMember(at, "name"));
    // Each app's report is a single report: read it as one, located.
    named.report = ReadJsonReport(simdjson::minify(reader.Field(app, "report", at)), path + ": " + JsonMember(at, "report"));
    out.push_back(std::move(named));
  }
  return out;
}

}  // namespace npsbundle
