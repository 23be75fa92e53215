#ifndef NPSBUNDLE_BUDGET_FRAMEWORK_H_
#define NPSBUNDLE_BUDGET_FRAMEWORK_H_

#include <string>
#include <string_view>
#include <vector>

#include "build/attribution.h"
#include "build/manifest.h"

namespace npsbundle {

// The UI framework of the measured app, so that advice names the API its
// users actually call.
enum class Framework { kGeneric, kReact, kVue, kSvelte };

std::string_view FrameworkName(Framework framework);  // "generic", "React", "Vue", "Svelte"

// Detects the framework, a pure function of the build:
//  1. from the source maps (`attribution`, empty without maps): the
//     framework whose packages (react/react-dom, vue/@vue/*, svelte) hold the
//     most bytes;
//  2. else from the manifest (nullptr when none): a `.vue` source, then a
//     `.svelte` one, then a `.jsx`/`.tsx` source, a chunk name containing
//     "react" or a key under node_modules/react (a .tsx app on Preact or
//     Solid is taken for React: their lazy() reads the same);
//  3. else generic.
Framework DetectFramework(const Manifest* manifest, const std::vector<ChunkAttribution>& attribution);

// How to make a statically imported page lazy, in the framework's terms:
// React.lazy, Vue's defineAsyncComponent / lazy routes, import() otherwise.
std::string LazyLoadAdvice(Framework framework);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUDGET_FRAMEWORK_H_
