#include "budget/framework.h"

#include <array>
#include <utility>

namespace npsbundle {
namespace {

bool Contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// The framework a package belongs to, or kGeneric.
Framework FrameworkOfPackage(std::string_view name) {
  if (name == "react" || name == "react-dom") return Framework::kReact;
  if (name == "vue" || name.rfind("@vue/", 0) == 0) return Framework::kVue;
  if (name == "svelte") return Framework::kSvelte;
  return Framework::kGeneric;
}

Framework FromSourceMaps(const std::vector<ChunkAttribution>& attribution) {
  std::array<uint64_t, 4> bytes{};
  for (const ChunkAttribution& chunk : attribution) {
    for (const GroupShare& group : chunk.groups) {
      if (group.kind == OriginKind::kPackage) bytes[static_cast<size_t>(FrameworkOfPackage(group.name))] += group.raw;
    }
  }
  Framework best = Framework::kGeneric;
  uint64_t most = 0;
  for (Framework f : {Framework::kReact, Framework::kVue, Framework::kSvelte}) {
    if (bytes[static_cast<size_t>(f)] > most) {
      best = f;
      most = bytes[static_cast<size_t>(f)];
    }
  }
  return best;
}

Framework FromManifest(const Manifest& manifest) {
  bool vue = false, svelte = false, react = false;
  for (const auto& [key, chunk] : manifest.chunks) {
    for (std::string_view path : {std::string_view(chunk.src), std::string_view(key)}) {
      path = path.substr(0, path.find('?'));  // "x.vue?vue&type=style", "x.tsx?tsr-split=component"
      vue |= path.ends_with(".vue") || Contains(path, "node_modules/vue/") || Contains(path, "node_modules/@vue/");
      svelte |= path.ends_with(".svelte") || Contains(path, ".svelte.") || Contains(path, "node_modules/svelte/");
      react |= path.ends_with(".jsx") || path.ends_with(".tsx") || Contains(path, "node_modules/react/") ||
               Contains(path, "node_modules/react-dom/");
    }
    react |= Contains(chunk.name, "react");
  }
  if (vue) return Framework::kVue;
  if (svelte) return Framework::kSvelte;
  if (react) return Framework::kReact;
  return Framework::kGeneric;
}

}  // namespace

std::string_view FrameworkName(Framework framework) {
  switch (framework) {
    case Framework::kReact:
      return "React";
    case Framework::kVue:
      return "Vue";
    case Framework::kSvelte:
      return "Svelte";
    case Framework::kGeneric:
      break;
  }
  return "generic";
}

Framework DetectFramework(const Manifest* manifest, const std::vector<ChunkAttribution>& attribution) {
  Framework from_maps = FromSourceMaps(attribution);
  if (from_maps != Framework::kGeneric) return from_maps;
  return manifest ? FromManifest(*manifest) : Framework::kGeneric;
}

std::string LazyLoadAdvice(Framework framework) {
  switch (framework) {
    case Framework::kReact:
      return "load it with React.lazy(() => import(...))";
    case Framework::kVue:
      return "load it lazily: a route `component: () => import(...)` or defineAsyncComponent(() => import(...))";
    case Framework::kSvelte:
      return "load it with a dynamic import(): `(await import(...)).default`";
    case Framework::kGeneric:
      break;
  }
  return "load it with a dynamic import()";
}

}  // namespace npsbundle
