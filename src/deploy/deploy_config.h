#ifndef NPSBUNDLE_DEPLOY_DEPLOY_CONFIG_H_
#define NPSBUNDLE_DEPLOY_DEPLOY_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "build/manifest.h"
#include "deploy/caddy.h"
#include "deploy/nginx.h"
#include "deploy/site_plan.h"
#include "deploy/static_hosts.h"

namespace npsbundle {

// `npsbundle deploy-config --target T`: one serving policy, five hosts.
enum class DeployTarget { kNginx, kCaddy, kCloudflare, kNetlify, kVercel };

// "nginx", "caddy", "cloudflare", "netlify", "vercel", in that order.
const std::vector<std::string_view>& DeployTargetNames();
std::optional<DeployTarget> ParseDeployTarget(std::string_view name);

// Everything a target may be told, from the flags and the configuration
// file's `deploy` section (schema/config.schema.json):
//   "deploy": { "base": "/app/",
//               "nginx": { "root", "serverName", "listen", "snippets" },
//               "caddy": { "address", "root" },
//               "cloudflare": { "spaRoutes": ["/users/*"] } }
struct DeploySettings {
  DeployOptions common;
  NginxOptions nginx;
  CaddyOptions caddy;
  CloudflareOptions cloudflare;
};

// Reads the `deploy` section text `json` of config file `display_path`
// over `settings`. Throws InputError "<file>: deploy.caddy.root: expected a
// string" and the like.
void ApplyDeploySection(std::string_view json, const std::string& display_path,
                        DeploySettings* settings);

// A --routes file: a JSON object of URL paths to manifest keys, the shape
// of the budget's `routes` ({"/oracle": "src/pages/Oracle.tsx"}). Throws
// InputError "<file>: routes./x: expected a string" and the like.
std::map<std::string, std::string> ParseRoutesFile(std::string_view json,
                                                   const std::string& display_path);

// The files target `target` writes for the build `manifest`, whose files
// (variants included) are `build_files`. nginx and caddy give one file
// named "" (the caller names it); the static hosts give theirs by name.
std::vector<DeployFile> GenerateDeployConfig(DeployTarget target, const Manifest& manifest,
                                             const std::vector<std::string>& build_files,
                                             const DeploySettings& settings);

// True for targets whose files belong in the build folder itself.
bool WritesIntoBuild(DeployTarget target);

}  // namespace npsbundle

#endif  // NPSBUNDLE_DEPLOY_DEPLOY_CONFIG_H_
