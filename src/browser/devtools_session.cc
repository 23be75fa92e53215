#include "browser/devtools_session.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include <simdjson.h>

#include "core/error.h"
#include "core/escape.h"

namespace npsbundle {
namespace {

using simdjson::dom::element;
// A value looked up with [] that may be missing: errors carry through
// chained lookups and surface at get().
using Lookup = simdjson::simdjson_result<element>;

std::optional<double> Number(Lookup value) {
  double d;
  if (!value.get(d)) return d;
  int64_t i;
  if (!value.get(i)) return static_cast<double>(i);
  uint64_t u;
  if (!value.get(u)) return static_cast<double>(u);
  return std::nullopt;
}

std::optional<std::string> String(Lookup value) {
  std::string_view s;
  if (value.get(s)) return std::nullopt;
  return std::string(s);
}

// A header's value, matched case-insensitively (HTTP/1.1 responses keep the
// server's spelling, HTTP/2 ones are lower case).
std::string Header(Lookup headers, std::string_view name) {
  simdjson::dom::object object;
  if (headers.get(object)) return "";
  for (auto field : object) {
    if (field.key.size() != name.size()) continue;
    bool same = std::equal(name.begin(), name.end(), field.key.begin(),
                           [](char a, char b) { return std::tolower(a) == std::tolower(b); });
    if (same) return String(Lookup(element(field.value))).value_or("");
  }
  return "";
}

// A Content-Length value: digits only, no more than 18 of them.
std::optional<uint64_t> ParseContentLength(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  return value;
}

std::string ResultString(const CdpMessage& reply, const char* field) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(reply.text);
  std::optional<std::string> value = String(parser.parse(padded)["result"][field]);
  if (!value) {
    throw BrowserError(ExitCode::kBrowserFailed, "malformed DevTools reply: no result." + std::string(field));
  }
  return *value;
}

}  // namespace

ObservedRequest* NetworkLog::Find(std::string_view request_id) {
  for (ObservedRequest& request : requests_) {
    if (request.request_id == request_id) return &request;
  }
  return nullptr;
}

bool NetworkLog::OnEvent(std::string_view method, std::string_view message_json, std::string* error) {
  bool network = method.rfind("Network.", 0) == 0;
  if (!network && method != "Page.loadEventFired") return true;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(message_json);
  element params;
  if (parser.parse(padded)["params"].get(params)) {
    *error = std::string(method) + ": no params";
    return false;
  }
  std::optional<double> timestamp = Number(params["timestamp"]);
  if (method == "Page.loadEventFired") {
    if (!timestamp) {
      *error = "Page.loadEventFired: no timestamp";
      return false;
    }
    load_event_ = *timestamp;
    return true;
  }
  static const std::set<std::string_view> kTracked = {"Network.requestWillBeSent", "Network.responseReceived",
                                                      "Network.dataReceived", "Network.loadingFinished",
                                                      "Network.loadingFailed"};
  if (!kTracked.count(method)) return true;
  std::optional<std::string> id = String(params["requestId"]);
  if (!id || !timestamp) {
    *error = std::string(method) + ": no requestId or timestamp";
    return false;
  }
  if (method == "Network.requestWillBeSent") {
    std::optional<std::string> url = String(params["request"]["url"]);
    if (!url) {
      *error = "Network.requestWillBeSent: no request.url";
      return false;
    }
    // A redirect reuses the request id: the request starts over.
    ObservedRequest* request = Find(*id);
    if (!request) request = &requests_.emplace_back();
    *request = ObservedRequest{};
    request->request_id = *id;
    request->url = *url;
    request->started = request->arrived = *timestamp;
    return true;
  }
  ObservedRequest* request = Find(*id);
  if (!request) return true;  // began before the log did
  request->arrived = std::max(request->arrived, *timestamp);
  if (method == "Network.responseReceived") {
    Lookup response = params["response"];
    request->status = static_cast<int>(Number(response["status"]).value_or(0));
    request->header_bytes = static_cast<uint64_t>(Number(response["encodedDataLength"]).value_or(0));
    request->encoding = Header(response["headers"], "content-encoding");
    request->protocol = String(response["protocol"]).value_or("");
    request->content_length = ParseContentLength(Header(response["headers"], "content-length"));
  } else if (method == "Network.loadingFinished") {
    std::optional<double> bytes = Number(params["encodedDataLength"]);
    if (!bytes) {
      *error = "Network.loadingFinished: no encodedDataLength";
      return false;
    }
    request->total_bytes = static_cast<uint64_t>(*bytes);
    request->finished = true;
  } else if (method == "Network.loadingFailed") {
    request->failure = String(params["errorText"]).value_or("failed");
  }
  return true;
}

std::string EmulationParams(const NetworkProfile& profile) {
  char buffer[256];
  double bytes_per_second = profile.down_mbps * 1e6 / 8;
  std::snprintf(buffer, sizeof buffer,
                "{\"offline\":false,\"latency\":%.3f,\"downloadThroughput\":%.3f,\"uploadThroughput\":%.3f}",
                profile.rtt_ms, bytes_per_second, bytes_per_second);
  return buffer;
}

std::string JsString(std::string_view text) { return "\"" + JsonEscape(text) + "\""; }

DevToolsPage::DevToolsPage(CdpConnection& cdp, const std::string& emulation, Deadline deadline) : cdp_(cdp) {
  context_ = ResultString(cdp_.Call("Target.createBrowserContext", "{\"disposeOnDetach\":true}", "", deadline),
                          "browserContextId");
  std::string target = ResultString(
      cdp_.Call("Target.createTarget",
                "{\"url\":\"about:blank\",\"browserContextId\":\"" + JsonEscape(context_) + "\"}", "", deadline),
      "targetId");
  session_ = ResultString(
      cdp_.Call("Target.attachToTarget", "{\"targetId\":\"" + JsonEscape(target) + "\",\"flatten\":true}", "",
                deadline),
      "sessionId");
  cdp_.Call("Network.enable", "{}", session_, deadline);
  cdp_.Call("Network.emulateNetworkConditions", emulation, session_, deadline);
  cdp_.Call("Page.enable", "{}", session_, deadline);
}

DevToolsPage::~DevToolsPage() {
  try {
    cdp_.Call("Target.disposeBrowserContext", "{\"browserContextId\":\"" + JsonEscape(context_) + "\"}", "",
              std::chrono::steady_clock::now() + std::chrono::seconds(5));
  } catch (const BrowserError&) {
    // The browser is gone or stuck; BrowserProcess cleans up.
  }
}

void DevToolsPage::Navigate(const std::string& url, Deadline deadline) {
  CdpMessage reply = cdp_.Call("Page.navigate", "{\"url\":\"" + JsonEscape(url) + "\"}", session_, deadline);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(reply.text);
  std::optional<std::string> error = String(parser.parse(padded)["result"]["errorText"]);
  if (error && !error->empty()) throw BrowserError(ExitCode::kBrowserFailed, url + ": " + *error);
}

std::string DevToolsPage::Evaluate(const std::string& expression, Deadline deadline) {
  CdpMessage reply = cdp_.Call(
      "Runtime.evaluate",
      "{\"expression\":" + JsString(expression) + ",\"awaitPromise\":true,\"returnByValue\":true}", session_,
      deadline);
  simdjson::dom::parser parser;
  simdjson::padded_string padded(reply.text);
  Lookup result = parser.parse(padded)["result"];
  if (!result["exceptionDetails"].error()) {
    throw BrowserError(ExitCode::kBrowserFailed, "a script in the page failed: " + std::string(reply.text, 0, 300));
  }
  return String(result["result"]["value"]).value_or("");
}

bool DevToolsPage::PumpUntil(const std::function<bool()>& done, Deadline deadline) {
  while (!done()) {
    std::optional<CdpMessage> event = cdp_.NextEvent(deadline);
    if (!event) return done();
    if (event->session_id != session_) continue;
    std::string error;
    if (!log_.OnEvent(event->method, event->text, &error)) {
      throw BrowserError(ExitCode::kBrowserFailed, "malformed DevTools event: " + error);
    }
  }
  return true;
}

}  // namespace npsbundle
