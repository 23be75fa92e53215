#ifndef NPSBUNDLE_BUILD_HTML_ENTRY_H_
#define NPSBUNDLE_BUILD_HTML_ENTRY_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "build/manifest.h"
#include "core/bundle_source.h"

namespace npsbundle {

// Builds made without Vite's manifest (`build.manifest` is off by default),
// and PWAs whose web-app `manifest.json` sits where Vite 4 wrote its own.

// True when `json` is a web-app manifest (W3C "Web Application Manifest":
// top-level "name", "short_name", "start_url", "icons", "display", … with
// string or array values), not Vite's build manifest, whose every top-level
// value is an object. False for anything that is not a JSON object.
bool IsWebAppManifest(std::string_view json);

// What to tell a user whose build has no Vite manifest.
inline constexpr std::string_view kEnableViteManifest =
    "set `build: { manifest: true }` in vite.config to get Vite's .vite/manifest.json";

// The manifest model of a build read from its `index.html`: one entry keyed
// "index.html" whose `file` is the first `<script type="module" src>`, whose
// `css` are the `<link rel="stylesheet">` files and whose `imports` are the
// `<link rel="modulepreload">` files and the static imports of the script
// (`import{a}from"./x.js"`, `import"./y.js"` at the top of a chunk), each
// such chunk a record keyed by its build path with its own static imports;
// `import("./z.js")` in any of them adds z as a dynamic entry. Only files
// the build holds are named (URLs are resolved against the build, with or
// without Vite's base; other origins are skipped). Lazy chunks' CSS is not
// known without Vite's manifest. nullopt when there is no index.html or it
// loads no module script of the build.
std::optional<Manifest> ManifestFromHtml(const BundleSource& source);

struct FoundManifest {
  std::optional<Manifest> manifest;   // `path` says where it came from
  std::vector<std::string> warnings;  // one line each, without "warning: "
};

// The build's manifest: the first of kManifestPaths that is Vite's (a
// web-app `manifest.json` is passed over), else the model read from
// index.html with a warning that says how to turn on Vite's manifest, else
// none. Throws InputError when Vite's manifest is malformed.
FoundManifest LoadBuildManifest(const BundleSource& source);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUILD_HTML_ENTRY_H_
