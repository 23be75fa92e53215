#ifndef NPSBUNDLE_BROWSER_DEVTOOLS_SESSION_H_
#define NPSBUNDLE_BROWSER_DEVTOOLS_SESSION_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "browser/cdp.h"
#include "budget/load_time.h"

namespace npsbundle {

// One page in a throttled DevTools session, and the network log its events
// make: the browser side of `measure` (browser_measure.h decides what to
// load and reads the log).

// One request of a page, assembled from Network.* events. Times are the
// browser's monotonic clock in seconds (the protocol's MonotonicTime).
struct ObservedRequest {
  std::string request_id;
  std::string url;
  double started = 0;  // requestWillBeSent
  double arrived = 0;  // the latest event of the request (response, data, finished)
  int status = 0;
  std::string encoding;       // the response's Content-Encoding; "" for identity
  // The protocol the response came over, as the browser names it
  // (response.protocol: "http/1.1", "h2", "h3"); "" before a response.
  std::string protocol;
  uint64_t header_bytes = 0;  // responseReceived.encodedDataLength: the headers, see body_bytes
  uint64_t total_bytes = 0;   // loadingFinished.encodedDataLength: headers + body
  std::optional<uint64_t> content_length;  // the response's Content-Length, when it has a valid one
  bool finished = false;
  std::string failure;  // loadingFailed's errorText
  // Body bytes on the wire: what the server sent after the headers. The
  // declared Content-Length when there is one, capped by what crossed the
  // network (a copy from the memory cache: 0): under throttling, Chromium
  // reports an HTTP/2 response's whole size already at responseReceived,
  // so total − headers is 0 there. Without a length, total − headers.
  uint64_t body_bytes() const {
    if (content_length) return std::min(*content_length, total_bytes);
    return total_bytes > header_bytes ? total_bytes - header_bytes : 0;
  }
};

// The requests and the load event of one page, fed with its session's events.
class NetworkLog {
 public:
  // Takes one event (the whole message, as received). Events of other
  // domains are ignored. Returns false with *error when a Network or Page
  // event lacks a field it needs.
  bool OnEvent(std::string_view method, std::string_view message_json, std::string* error);
  const std::vector<ObservedRequest>& requests() const { return requests_; }
  std::optional<double> load_event() const { return load_event_; }

 private:
  ObservedRequest* Find(std::string_view request_id);
  std::vector<ObservedRequest> requests_;
  std::optional<double> load_event_;
};

// The throttling of `profile` as Network.emulateNetworkConditions params:
// latency = RTT, download and upload throughput = the down-link in bytes/s.
std::string EmulationParams(const NetworkProfile& profile);

// One page in a fresh browser context: its own HTTP cache (empty) and its
// own connections, the network throttled by `emulation` (EmulationParams).
// Disposes the context, with everything in it, on destruction. Errors are
// BrowserError (cdp.h).
class DevToolsPage {
 public:
  DevToolsPage(CdpConnection& cdp, const std::string& emulation, Deadline deadline);
  ~DevToolsPage();
  DevToolsPage(const DevToolsPage&) = delete;
  DevToolsPage& operator=(const DevToolsPage&) = delete;

  // Starts a navigation; throws kBrowserFailed when the browser refuses it.
  void Navigate(const std::string& url, Deadline deadline);

  // Evaluates `expression` in the page (awaiting a promise) and returns its
  // value as a string; throws kBrowserFailed when the script throws.
  std::string Evaluate(const std::string& expression, Deadline deadline);

  // Feeds this page's events to the log until `done` holds; false at the deadline.
  bool PumpUntil(const std::function<bool()>& done, Deadline deadline);

  const NetworkLog& log() const { return log_; }

 private:
  CdpConnection& cdp_;
  std::string context_;
  std::string session_;
  NetworkLog log_;
};

// A JS string literal: JSON's escaping is valid JavaScript.
std::string JsString(std::string_view text);

}  // namespace npsbundle

#endif  // NPSBUNDLE_BROWSER_DEVTOOLS_SESSION_H_
