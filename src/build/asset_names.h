#ifndef NPSBUNDLE_BUILD_ASSET_NAMES_H_
#define NPSBUNDLE_BUILD_ASSET_NAMES_H_

#include <string_view>
#include <vector>

namespace npsbundle {

// True when the file name (last path segment) carries a Vite content hash in
// its default form "<name>-<hash>.<ext>" (also "<name>.<hash>.<ext>"): the 8
// characters before the extension are base64url ([A-Za-z0-9_-]) with at
// least one digit or upper-case letter, preceded by '-' or '.'. So
// "vendor-react-Bx3kf9Qa.js" matches while "react-dom.js", "site-manifest.json"
// and "my-component-v2.js" do not. An all-lower-case hash (rare) is missed,
// which errs on the safe side: the file is revalidated, not cached forever.
// A second extension is allowed, so "x-Bx3kf9Qa.js.map" and its ".br" /
// ".gz" variants match too.
bool IsHashedAssetName(std::string_view path);

// The same pattern as a PCRE for nginx `location ~` blocks (applied to the
// URI), kept next to the C++ matcher so both agree.
inline constexpr std::string_view kHashedAssetRegex =
    R"([^/][-.](?=[A-Za-z0-9_-]{0,7}[0-9A-Z])[A-Za-z0-9_-]{8}(\.[A-Za-z0-9]+){1,2}$)";

// True when a build path is never fetched by a browser, so it is neither
// served nor measured compressed: any segment starts with '.'
// (".vite/manifest.json", ".env", ".git/config", "a/.hidden") except a
// leading ".well-known" folder. The one statement of that rule.
bool IsHiddenPath(std::string_view path);

// True for the files a static host reads from the build's root as its own
// configuration (`deploy-config` writes them there): Cloudflare Pages' and
// Netlify's `_headers`, `_redirects`, Cloudflare's `_routes.json` and
// `_worker.js` (a file or a folder), `vercel.json`, `netlify.toml` and a
// `Caddyfile`. The host never serves them, so `serve` answers 404 and
// `check` does not count them. Only at the root: "docs/_headers" is a file.
bool IsHostConfigFile(std::string_view path);
// Their names, for config generators that hide them in their own syntax.
const std::vector<std::string_view>& HostConfigFileNames();

}  // namespace npsbundle

#endif  // NPSBUNDLE_BUILD_ASSET_NAMES_H_
