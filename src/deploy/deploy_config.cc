#include "deploy/deploy_config.h"

#include "core/error.h"
#include "core/json.h"

namespace npsbundle {

const std::vector<std::string_view>& DeployTargetNames() {
  static const std::vector<std::string_view> kNames = {"nginx", "caddy", "cloudflare", "netlify",
                                                       "vercel"};
  return kNames;
}

std::optional<DeployTarget> ParseDeployTarget(std::string_view name) {
  const auto& names = DeployTargetNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<DeployTarget>(i);
  }
  return std::nullopt;
}

void ApplyDeploySection(std::string_view json, const std::string& display_path,
                        DeploySettings* settings) {
  JsonDocument document(json, display_path);
  JsonReader reader(display_path);
  const std::string at = "deploy";
  auto strings = [&](JsonValue object, const std::string& location,
                     std::initializer_list<std::pair<std::string_view, std::string*>> fields) {
    for (auto [key, value] : reader.Object(object, location)) {
      bool known = false;
      for (const auto& [name, target] : fields) {
        if (key != name) continue;
        *target = reader.String(value, JsonMember(location, key));
        known = true;
      }
      if (!known) reader.Unknown(JsonMember(location, key));
    }
  };
  for (auto [key, value] : reader.Object(document.root(), at)) {
    std::string location = JsonMember(at, key);
    if (key == "base") {
      settings->common.base = reader.String(value, location);
    } else if (key == "nginx") {
      NginxOptions& n = settings->nginx;
      strings(value, location, {{"root", &n.root}, {"serverName", &n.server_name},
                                {"listen", &n.listen}, {"snippets", &n.snippets_dir},
                                {"nginxVersion", &n.nginx_version}});
      try {
        ParseNginxVersion(n.nginx_version);
      } catch (const InputError&) {
        reader.Fail(JsonMember(location, "nginxVersion"), "expected MAJOR.MINOR, e.g. \"1.29\"");
      }
    } else if (key == "caddy") {
      strings(value, location, {{"address", &settings->caddy.address}, {"root", &settings->caddy.root}});
    } else if (key == "cloudflare") {
      for (auto [field, item] : reader.Object(value, location)) {
        if (field != "spaRoutes") reader.Unknown(JsonMember(location, field));
        settings->cloudflare.spa_routes = reader.StringArray(item, JsonMember(location, field));
      }
    } else if (key == "netlify" || key == "vercel") {
      // Nothing to choose yet: the policy decides everything they write.
      if (reader.Object(value, location).size() > 0) {
        reader.Fail(location, "takes no options");
      }
    } else {
      reader.Unknown(location);
    }
  }
}

std::map<std::string, std::string> ParseRoutesFile(std::string_view json,
                                                   const std::string& display_path) {
  JsonDocument document(json, display_path);
  JsonReader reader(display_path);
  std::map<std::string, std::string> routes;
  for (auto [key, value] : reader.Object(document.root(), "")) {
    std::string location = JsonMember("routes", key);
    if (key.empty() || key.front() != '/') reader.Fail(location, "a route must start with '/'");
    routes[std::string(key)] = reader.String(value, location);
  }
  return routes;
}

std::vector<DeployFile> GenerateDeployConfig(DeployTarget target, const Manifest& manifest,
                                             const std::vector<std::string>& build_files,
                                             const DeploySettings& settings) {
  if (target == DeployTarget::kNginx) {
    // nginx keeps its own generator (`npsbundle nginx`), byte for byte.
    NginxOptions nginx = settings.nginx;
    nginx.base = settings.common.base;
    nginx.routes = settings.common.routes;
    nginx.manifest_display_path = settings.common.manifest_display_path;
    return {{"", GenerateNginxConfig(manifest, nginx), false}};
  }
  SitePlan plan = PlanSite(manifest, build_files, settings.common);
  switch (target) {
    case DeployTarget::kCaddy:
      return {{"", GenerateCaddyfile(plan, settings.caddy, settings.common), false}};
    case DeployTarget::kCloudflare:
      return GenerateCloudflare(plan, settings.cloudflare, settings.common);
    case DeployTarget::kNetlify:
      return GenerateNetlify(plan, settings.common);
    case DeployTarget::kVercel:
      return {{"vercel.json", GenerateVercelJson(plan, settings.common), false}};
    case DeployTarget::kNginx:
      break;
  }
  return {};
}

bool WritesIntoBuild(DeployTarget target) {
  return target == DeployTarget::kCloudflare || target == DeployTarget::kNetlify;
}

}  // namespace npsbundle
