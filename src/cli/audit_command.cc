// `npsbundle audit URL --build DIST`: checks a running deployment against
// the build it should serve (audit/audit.h), and reports like `check`.
#include <cmath>
#include <iostream>

#include "audit/audit.h"
#include "budget/config.h"
#include "cli/cli.h"
#include "core/atomic_file.h"
#include "core/error.h"
#include "report/report_audit.h"
#include "serve/serve.h"

namespace npsbundle {
namespace {

struct AuditFlags {
  AuditOptions options;
  std::string format = "text";
  std::string output;
  std::vector<std::string> headers;
  double timeout_seconds = 10;
  std::string config_path, budget_path;
};

// "Authorization: Bearer x" -> {"Authorization", "Bearer x"}.
std::pair<std::string, std::string> ParseHeaderFlag(const std::string& text) {
  size_t colon = text.find(':');
  std::string name = text.substr(0, colon);
  bool token = !name.empty() && name.find_first_of(" \t\r\n()<>@,;\\\"/[]?={}") == std::string::npos;
  if (colon == std::string::npos || !token || text.find_first_of("\r\n") != std::string::npos) {
    throw InputError("--header \"" + text + "\": expected \"Name: value\"");
  }
  size_t start = text.find_first_not_of(" \t", colon + 1);
  return {name, start == std::string::npos ? "" : text.substr(start)};
}

ExitCode RunAuditCommand(AuditFlags flags) {
  ReportFormat format;
  if (!ParseReportFormat(flags.format, &format) || format == ReportFormat::kHtml) {
    throw InputError("--format: unknown format \"" + flags.format + "\" (text, json, junit, github, markdown)");
  }
  for (const std::string& header : flags.headers) flags.options.headers.push_back(ParseHeaderFlag(header));
  if (!(flags.timeout_seconds > 0) || flags.timeout_seconds > 3600) {
    throw InputError("--timeout: expected seconds between 0 and 3600");
  }
  flags.options.client.timeout_ms = static_cast<int>(std::ceil(flags.timeout_seconds * 1000));
  if (!flags.options.base.empty()) flags.options.base = NormalizeBase(flags.options.base);
  // The route map the deployment was configured with decides the hints of
  // "/" (serve --budget, deploy-config, npsbundle nginx all read it).
  Config config = ResolveConfig(flags.config_path, flags.budget_path);
  if (auto root = config.budget.routes.find("/"); root != config.budget.routes.end()) {
    flags.options.root_page = root->second;
  }
  AuditReport report = RunAudit(flags.options);
  std::string text = RenderAuditReport(report, format);
  if (flags.output.empty() || flags.output == "-") {
    std::cout << text << std::flush;
  } else {
    WriteFileAtomically(flags.output, text);
    std::cerr << "npsbundle audit: " << (report.passed() ? "PASS" : "FAIL") << ", report in " << flags.output << "\n";
  }
  return report.passed() ? ExitCode::kOk : ExitCode::kBudgetExceeded;
}

}  // namespace

void AddAuditCommand(CLI::App& app, CommandAction* action) {
  auto flags = std::make_shared<AuditFlags>();
  CLI::App* cmd = app.add_subcommand(
      "audit", "Check a running deployment (http or https URL) against the build it should serve");
  cmd->add_option("url", flags->options.url, "The deployment, e.g. https://preview.example.com/app/")->required();
  cmd->add_option("--build", flags->options.build, "The build it should serve: folder (dist/) or archive")
      ->required();
  cmd->add_option("--base", flags->options.base, "Vite's base (default: the URL's path)");
  cmd->add_option("-f,--format", flags->format, "Report format: text, json, junit, github, markdown")
      ->capture_default_str();
  cmd->add_option("-o,--output", flags->output, "Write the report to FILE (\"-\": stdout)");
  cmd->add_option("--concurrency", flags->options.concurrency, "Connections at once (a browser opens 6)")
      ->capture_default_str();
  cmd->add_option("--max-requests", flags->options.max_requests, "Request budget; files beyond it are not fetched")
      ->capture_default_str();
  cmd->add_option("-H,--header", flags->headers, "Extra request field \"Name: value\" (repeatable), e.g. for auth");
  cmd->add_option("--timeout", flags->timeout_seconds, "Seconds per request (connect, send, whole response)")
      ->capture_default_str();
  AddConfigOptions(cmd, &flags->config_path, &flags->budget_path,
                   "its budget's `routes` entry for \"/\" gives the base URL's expected hints");
  cmd->add_flag("--insecure", flags->options.client.insecure, "https: do not verify the certificate");
  cmd->add_option("--cacert", flags->options.client.ca_file, "https: trust the PEM certificates in FILE");
  cmd->add_flag_function(
      "--http1.1", [flags](int64_t) { flags->options.client.http2 = false; },
      "https: offer only HTTP/1.1 (by default h2 is offered first by ALPN, as browsers do)");
  cmd->callback([flags, action] { *action = [flags] { return RunAuditCommand(*flags); }; });
}

}  // namespace npsbundle
