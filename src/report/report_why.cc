#include "report/report_why.h"

#include "core/escape.h"
#include "core/units.h"

namespace npsbundle {
namespace {

std::string Str(const std::string& text) { return "\"" + JsonEscape(text) + "\""; }

// "a, b, c and 4 more"
std::string FirstFew(const std::vector<std::string>& items, size_t shown) {
  std::string out;
  for (size_t i = 0; i < items.size() && i < shown; ++i) out += (i ? ", " : "") + items[i];
  if (items.size() > shown) out += " and " + std::to_string(items.size() - shown) + " more";
  return out;
}

std::string ChainText(const std::vector<WhyStep>& chain) {
  std::string out;
  for (const WhyStep& step : chain) {
    if (!out.empty()) out += step.dynamic ? " ⇢ " : " → ";
    out += step.key;
  }
  return out;
}

}  // namespace

std::string RenderWhyText(const WhyResult& result, const std::string& input) {
  std::string out = "npsbundle why " + result.package + ": " + input + "\n\n";
  size_t chunks = result.chunks.size();
  if (result.from_source_maps) {
    out += result.package + ": " + FormatKb(result.raw) + " raw in " + std::to_string(chunks) +
           (chunks == 1 ? " chunk" : " chunks") + " (from source maps)\n";
  } else {
    out += result.package + ": in " + std::to_string(chunks) + (chunks == 1 ? " chunk" : " chunks") +
           " (by manifest source path or chunk name)\n";
  }
  for (size_t i = 0; i < chunks && i < kWhyChunksShown; ++i) {
    const WhyChunk& chunk = result.chunks[i];
    out += "\n" + chunk.file;
    if (result.from_source_maps) out += "  " + FormatKb(chunk.raw) + " raw";
    out += "\n  loaded by: " + (chunk.sets.empty() ? std::string("no entry or page the manifest names")
                                                   : FirstFew(chunk.sets, 4)) + "\n";
    if (!chunk.modules.empty()) out += "  modules: " + FirstFew(chunk.modules, 3) + "\n";
    for (const std::vector<WhyStep>& chain : chunk.chains) out += "  " + ChainText(chain) + "\n";
  }
  if (chunks > kWhyChunksShown) {
    out += "\n... and " + std::to_string(chunks - kWhyChunksShown) + " more chunks (--format json lists all)\n";
  }
  bool chains = false;
  for (const WhyChunk& chunk : result.chunks) chains |= !chunk.chains.empty();
  if (chains) out += "\n→ static import (loads with it), ⇢ dynamic import() (loads on demand)\n";
  if (!result.from_source_maps) {
    out += "note: no source maps: the chunks that bundle " + result.package +
           " with other code are not found, nor its modules; build with build.sourcemap: 'hidden' for those\n";
  } else if (!result.unmapped_files.empty()) {
    out += "note: " + std::to_string(result.unmapped_files.size()) +
           " JS files have no source map and may hold it too: " + FirstFew(result.unmapped_files, 3) + "\n";
  }
  return out;
}

std::string RenderWhyJson(const WhyResult& result, const std::string& input) {
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) out += (out.empty() ? "" : ", ") + Str(item);
    return "[" + out + "]";
  };
  std::string chunks;
  for (const WhyChunk& chunk : result.chunks) {
    std::string chains;
    for (const std::vector<WhyStep>& chain : chunk.chains) {
      std::string steps;
      for (const WhyStep& step : chain) {
        steps += std::string(steps.empty() ? "" : ", ") + "{\"key\": " + Str(step.key) + ", \"file\": " +
                 Str(step.file) + ", \"dynamic\": " + (step.dynamic ? "true" : "false") + "}";
      }
      chains += std::string(chains.empty() ? "" : ", ") + "[" + steps + "]";
    }
    chunks += std::string(chunks.empty() ? "\n    " : ",\n    ") + "{\"file\": " + Str(chunk.file) +
              ", \"raw\": " + std::to_string(chunk.raw) + ", \"modules\": " + list(chunk.modules) +
              ", \"sets\": " + list(chunk.sets) + ", \"chains\": [" + chains + "]}";
  }
  return std::string("{\n") + "  \"schemaVersion\": 1,\n" + "  \"package\": " + Str(result.package) + ",\n" +
         "  \"input\": " + Str(input) + ",\n" + "  \"fromSourceMaps\": " +
         (result.from_source_maps ? "true" : "false") + ",\n" + "  \"raw\": " + std::to_string(result.raw) + ",\n" +
         "  \"chunks\": [" + chunks + (chunks.empty() ? "],\n" : "\n  ],\n") +
         "  \"unmappedFiles\": " + list(result.unmapped_files) + "\n}\n";
}

}  // namespace npsbundle
