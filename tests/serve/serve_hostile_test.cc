// The hostile-request half of the checklist in ANCHORS.md, sent byte for
// byte over raw sockets: oversized messages, ambiguous framing (request
// smuggling), control bytes, CR/LF meant to end up in a response header,
// pipelining and HTTP/1.0. Black-box, so it holds for any implementation
// behind StaticServer: where RFC 9112 allows either, a refusal may be any
// 4xx or a closed connection.

#include <catch2/catch.hpp>
#include <future>
#include <regex>
#include <set>

#include "support/serve_test_support.h"
#include "support/test_support.h"

namespace npsbundle::testing {
namespace {

const std::string kVendor = "/assets/vendor-react-D-9X1o8U.js";

// A complete request appended after a message whose framing is in doubt: if
// it is ever answered, the server took body bytes for a request.
const std::string kProbe = "GET /smuggled-probe HTTP/1.1\r\nHost: x\r\n\r\n";

// Every header name a response of `serve` may carry. Any other name in a
// response head is a header built from request bytes.
const std::set<std::string> kKnownHeaders = {
    "accept-ranges", "allow",        "cache-control", "connection", "content-encoding",
    "content-length", "content-range", "content-type", "date",       "etag",
    "keep-alive",    "last-modified", "link",         "location",   "retry-after",
    "server",        "vary",          "x-content-type-options"};

enum class Expect {
  kRefuse,          // a 4xx, or a close without any response
  kRefuseOrServe,   // either that or, the request being valid, `served`
  kServe,           // exactly the responses `served`, in order
  kAnswer,          // a refusal or one complete response below 500 (a redirect)
  kRange,           // the full file, a range no longer than the file, or a 4xx
};

struct Case {
  std::string name;
  std::string bytes;
  Expect expect;
  std::vector<std::string> served = {};  // paths whose bytes 200 responses carry, in order
  bool must_close = false;               // Connection: close or HTTP/1.0
};

struct Outcome {
  Drained drained;
  RawResponse next;  // a normal request on a new connection afterwards
};

// What a problem-free response head looks like: a status line, then
// "name: value" lines that all end in CRLF, with names from kKnownHeaders.
// Returns a description of the first problem, or "".
std::string HeadProblem(const std::string& raw) {
  size_t end = raw.find("\r\n\r\n");
  if (end == std::string::npos) return "no end of head";
  std::string head = raw.substr(0, end + 2);
  static const std::regex kStatusLine(R"(HTTP/1\.[01] [1-5]\d\d [^\r\n]*)");
  size_t pos = 0;
  bool first = true;
  while (pos < head.size()) {
    size_t cr = head.find('\r', pos);
    size_t lf = head.find('\n', pos);
    if (cr == std::string::npos || lf != cr + 1) return "bare CR or LF in the head";
    std::string line = head.substr(pos, cr - pos);
    pos = lf + 1;
    if (first) {
      if (!std::regex_match(line, kStatusLine)) return "status line: " + line;
      first = false;
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string::npos || colon == 0) return "not a header line: " + line.substr(0, 80);
    std::string name = line.substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!kKnownHeaders.count(name)) return "unexpected header: " + line.substr(0, 80);
  }
  return "";
}

std::string Describe(const Drained& drained) {
  std::vector<FramedResponse> responses = SplitResponses(drained.raw);
  std::string text = std::to_string(responses.size()) + " response(s):";
  for (const FramedResponse& r : responses) {
    text += " " + std::to_string(r.response.status) + (r.complete ? "" : " (incomplete)");
  }
  return text + (drained.closed ? ", then closed" : ", connection left open");
}

// Sends every case on its own connection, a few at a time (the packaged
// server has a fixed pool of worker threads), then a normal request each.
std::vector<Outcome> RunCases(int port, const std::vector<Case>& cases, const std::string& normal_path) {
  std::vector<Outcome> outcomes(cases.size());
  constexpr size_t kBatch = 8;
  for (size_t start = 0; start < cases.size(); start += kBatch) {
    std::vector<std::future<void>> batch;
    for (size_t i = start; i < std::min(cases.size(), start + kBatch); ++i) {
      batch.push_back(std::async(std::launch::async, [&, i] {
        // Idle limit: a server that keeps a refused connection open is
        // waited for this long before the case is judged on what came back.
        outcomes[i].drained = SendAndDrain(port, cases[i].bytes, 3000, 10000);
        outcomes[i].next = Request(port, "GET", normal_path);
      }));
    }
    for (auto& f : batch) f.get();
  }
  return outcomes;
}

// Checks one outcome against its case; Catch2 assertions stay on this thread.
void CheckOutcome(const Case& c, const Outcome& outcome, const std::string& root,
                  const std::string& normal_path) {
  INFO(c.name << ": " << Describe(outcome.drained));
  const Drained& d = outcome.drained;
  CHECK_FALSE(Leaks(d.raw));
  std::vector<FramedResponse> responses = SplitResponses(d.raw);
  for (const FramedResponse& r : responses) {
    CHECK(HeadProblem(r.response.raw) == "");
    CHECK(r.response.status < 500);
    CHECK(r.response.status != 0);  // bytes that are not an HTTP response
  }
  bool refused = responses.empty() ? d.closed
                                   : responses.size() == 1 && responses[0].response.status >= 400 &&
                                         responses[0].response.status < 500;
  auto serves = [&] {
    if (c.served.empty() || responses.size() != c.served.size()) return false;
    for (size_t i = 0; i < responses.size(); ++i) {
      const RawResponse& r = responses[i].response;
      if (!responses[i].complete || r.status != 200 || r.body != ReadFile(root + c.served[i])) return false;
    }
    return true;
  };
  switch (c.expect) {
    case Expect::kRefuse:
      CHECK(refused);
      break;
    case Expect::kRefuseOrServe:
      CHECK((refused || serves()));
      break;
    case Expect::kAnswer:
      CHECK((refused || (responses.size() == 1 && responses[0].complete)));
      break;
    case Expect::kServe:
      CHECK(serves());
      if (c.must_close) CHECK(d.closed);
      break;
    case Expect::kRange: {
      uint64_t size = ReadFile(root + kVendor).size();
      CHECK(responses.size() <= 1);
      // Never more bytes than the file: many ranges must not multiply it.
      CHECK(d.raw.size() <= size + 4096);
      if (!responses.empty()) {
        const RawResponse& r = responses[0].response;
        bool full = r.status == 200 && r.body == ReadFile(root + kVendor);
        bool partial = r.status == 206 && responses[0].complete && r.body.size() <= size;
        CHECK((full || partial || (r.status >= 400 && r.status < 500)));
      }
      break;
    }
  }
  // Never a second response to a single request: that is the probe, or
  // body bytes, answered as a request of their own.
  if (c.expect != Expect::kServe) CHECK(responses.size() <= 1);
  // The server is still up for everyone else.
  CHECK(outcome.next.status == 200);
  CHECK(outcome.next.body == ReadFile(root + normal_path.substr(normal_path.rfind('/'))));
}

std::string Repeat(const std::string& part, int times, const std::string& separator = "") {
  std::string out;
  for (int i = 0; i < times; ++i) out += (i ? separator : "") + part;
  return out;
}

// The checklist against a server at the root of the trap build.
std::vector<Case> RootCases() {
  const std::string get = "GET / HTTP/1.1\r\nHost: x\r\n";
  const std::string close = "Connection: close\r\n\r\n";
  const std::string nul(1, '\0');
  std::string distinct_ranges = "bytes=0-0";
  for (int i = 1; i <= 1000; ++i) distinct_ranges += "," + std::to_string(i * 2) + "-" + std::to_string(i * 2);
  std::string thousand_headers;
  for (int i = 0; i < 1000; ++i) thousand_headers += "X-Filler-" + std::to_string(i) + ": x\r\n";
  const std::string probe_length = std::to_string(kProbe.size());
  auto vendor_range = [&](const std::string& range) {
    return "GET " + kVendor + " HTTP/1.1\r\nHost: x\r\nRange: " + range + "\r\n" + close;
  };
  return {
      // Oversized messages.
      {"1001 distinct ranges", vendor_range(distinct_ranges), Expect::kRange},
      {"1000 overlapping ranges", vendor_range(Repeat("0-", 1000, ",").insert(0, "bytes=")), Expect::kRange},
      {"bytes=5-1", vendor_range("bytes=5-1"), Expect::kRange},
      {"bytes=-0", vendor_range("bytes=-0"), Expect::kRange},
      {"range past EOF", vendor_range("bytes=999999-"), Expect::kRange},
      {"64 KiB URI", "GET /" + std::string(65536, 'a') + " HTTP/1.1\r\nHost: x\r\n" + close, Expect::kRefuse},
      {"64 KiB URI with traversal", "GET /../secret.txt?" + std::string(65536, 'a') + " HTTP/1.1\r\nHost: x\r\n" + close,
       Expect::kRefuse},
      {"1000 header fields", get + thousand_headers + close, Expect::kRefuse},
      {"64 KiB header line", get + "X-Long: " + std::string(65536, 'b') + "\r\n" + close, Expect::kRefuse},
      // Framing: a body on GET, and the ambiguous forms smuggling relies on.
      {"Content-Length with Transfer-Encoding",
       get + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + kProbe, Expect::kRefuse},
      {"Transfer-Encoding with Content-Length",
       get + "Transfer-Encoding: chunked\r\nContent-Length: " + probe_length + "\r\n\r\n0\r\n\r\n" + kProbe,
       Expect::kRefuse},
      {"differing Content-Length", get + "Content-Length: 0\r\nContent-Length: 5\r\n\r\nhello" + kProbe,
       Expect::kRefuse},
      {"duplicate equal Content-Length",
       get + "Content-Length: " + probe_length + "\r\nContent-Length: " + probe_length + "\r\n\r\n" + kProbe,
       Expect::kRefuseOrServe, {"/index.html"}},
      {"Content-Length list", get + "Content-Length: " + probe_length + ", " + probe_length + "\r\n\r\n" + kProbe,
       Expect::kRefuseOrServe, {"/index.html"}},
      {"negative Content-Length", get + "Content-Length: -1\r\n\r\n" + kProbe, Expect::kRefuse},
      {"GET with a body", get + "Content-Length: " + probe_length + "\r\n\r\n" + kProbe, Expect::kRefuseOrServe,
       {"/index.html"}},
      {"GET with a chunked body", get + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
       Expect::kRefuseOrServe, {"/index.html"}},
      // Line endings and control bytes.
      {"bare LF", "GET /favicon.svg HTTP/1.1\nHost: x\nConnection: close\n\n", Expect::kServe, {"/favicon.svg"},
       true},
      {"bare CR in the request line", "GET /favicon.svg HTTP/1.1\rHost: x\r\n" + close, Expect::kRefuse},
      {"bare CR in a value", get + "X-Note: a\rX-Injected: 1\r\n" + close, Expect::kRefuseOrServe, {"/index.html"}},
      {"NUL in the target", "GET /favicon.svg" + nul + " HTTP/1.1\r\nHost: x\r\n" + close, Expect::kRefuse},
      {"NUL before traversal", "GET /" + nul + "/../secret.txt HTTP/1.1\r\nHost: x\r\n" + close,
       Expect::kRefuse},
      {"NUL in a value", get + "X-Note: a" + nul + "b\r\n" + close, Expect::kRefuseOrServe, {"/index.html"}},
      {"obs-fold", get + "X-Note: a\r\n X-Injected: 1\r\n" + close, Expect::kRefuseOrServe, {"/index.html"}},
      {"space before colon", get + "Content-Length : 5\r\n\r\nhello" + kProbe, Expect::kRefuse},
      // CR/LF in encoded form, where a server might decode and echo it.
      {"%0d%0a in the target", "GET /%0d%0aX-Injected:%201 HTTP/1.1\r\nHost: x\r\n" + close,
       Expect::kRefuseOrServe, {"/index.html"}},
      {"%0d%0a in an asset path", "GET /assets/x.js%0d%0aX-Injected:%201 HTTP/1.1\r\nHost: x\r\n" + close,
       Expect::kRefuse},
      {"%0a in the query", "GET /?%0aX-Injected:%201 HTTP/1.1\r\nHost: x\r\n" + close, Expect::kRefuseOrServe,
       {"/index.html"}},
      {"UTF-8 whose low bytes are CR LF", "GET /%E5%98%8A%E5%98%8DX-Injected:%201 HTTP/1.1\r\nHost: x\r\n" + close,
       Expect::kRefuseOrServe, {"/index.html"}},
      {"%0d%0a in Host", "GET / HTTP/1.1\r\nHost: x%0d%0aX-Injected:%201\r\n" + close, Expect::kRefuseOrServe,
       {"/index.html"}},
      {"%0d%0a in Accept-Encoding", get + "Accept-Encoding: br%0d%0aX-Injected: 1\r\n" + close,
       Expect::kRefuseOrServe, {"/index.html"}},
      {"%0d%0a in If-None-Match", get + "If-None-Match: \"x\"%0d%0aX-Injected: 1\r\n" + close,
       Expect::kRefuseOrServe, {"/index.html"}},
      // Messages that are valid and must be answered correctly.
      {"two pipelined requests",
       "GET /favicon.svg HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\n" + close,
       Expect::kServe, {"/favicon.svg", "/index.html"}, true},
      {"HTTP/1.0 without Host", "GET /favicon.svg HTTP/1.0\r\n\r\n", Expect::kServe, {"/favicon.svg"}, true},
      // Messages no HTTP/1.1 server may answer.
      {"HTTP/1.1 without Host", "GET /favicon.svg HTTP/1.1\r\n" + close, Expect::kRefuse},
      {"unknown method", "BREW / HTTP/1.1\r\nHost: x\r\n" + close, Expect::kRefuse},
      {"no version", "GET /\r\n\r\n", Expect::kRefuse},
  };
}

TEST_CASE("serve: hostile requests over a raw socket", "[serve_hostile]") {
  TrapBuild build;
  ServeOptions options = TrapBuild::Options();
  ServerScope server(build.Index(options), options);
  std::vector<Case> cases = RootCases();
  std::vector<Outcome> outcomes = RunCases(server.port(), cases, "/favicon.svg");
  for (size_t i = 0; i < cases.size(); ++i) CheckOutcome(cases[i], outcomes[i], build.dist, "/favicon.svg");
}

TEST_CASE("serve: encoded CR/LF never reaches the Location of a redirect", "[serve_hostile]") {
  TrapBuild build;
  ServeOptions options = TrapBuild::Options("/app/");
  ServerScope server(build.Index(options), options);
  // "/app" redirects to the base; these ask for that redirect while carrying
  // a header line in every place a server could copy into Location.
  const std::string close = "Connection: close\r\n\r\n";
  const std::vector<Case> cases = {
      {"query", "GET /app?%0d%0aX-Injected:%201 HTTP/1.1\r\nHost: x\r\n" + close, Expect::kAnswer},
      {"path", "GET /app%0d%0aX-Injected:%201 HTTP/1.1\r\nHost: x\r\n" + close, Expect::kAnswer},
      {"Host", "GET /app HTTP/1.1\r\nHost: x%0d%0aX-Injected:%201\r\n" + close, Expect::kAnswer},
      {"absolute form", "GET http://x%0d%0aX-Injected:%201/app HTTP/1.1\r\nHost: x\r\n" + close,
       Expect::kAnswer},
      {"under the base", "GET /app/%0d%0aX-Injected:%201 HTTP/1.1\r\nHost: x\r\n" + close, Expect::kRefuseOrServe,
       {"/index.html"}},
  };
  std::vector<Outcome> outcomes = RunCases(server.port(), cases, "/app/favicon.svg");
  for (size_t i = 0; i < cases.size(); ++i) {
    std::vector<FramedResponse> responses = SplitResponses(outcomes[i].drained.raw);
    // A redirect points at the base and carries nothing from the request.
    for (const FramedResponse& r : responses) {
      INFO(cases[i].name);
      if (r.response.status >= 300 && r.response.status < 400) CHECK(r.response.Header("location") == "/app/");
    }
    CheckOutcome(cases[i], outcomes[i], build.dist, "/app/favicon.svg");
  }
  // The plain redirect still works, so the cases above can reach it.
  RawResponse redirect = Request(server.port(), "GET", "/app");
  CHECK(redirect.status == 302);
  CHECK(redirect.Header("location") == "/app/");
}

// The checks above must be able to fail: a head with a header from the
// request, a bare LF, or a second response after a body.
TEST_CASE("serve hostile: the response checks catch injection and smuggling", "[serve_hostile]") {
  CHECK(HeadProblem("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == "");
  CHECK(HeadProblem("HTTP/1.1 302 Found\r\nLocation: /app/\r\nX-Injected: 1\r\n\r\n") ==
        "unexpected header: X-Injected: 1");
  CHECK(HeadProblem("HTTP/1.1 302 Found\r\nLocation: /a\nSet-Cookie: x\r\n\r\n") == "bare CR or LF in the head");
  std::vector<FramedResponse> two =
      SplitResponses("HTTP/1.1 400 Bad\r\nContent-Length: 2\r\n\r\nnoHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab");
  REQUIRE(two.size() == 2);
  CHECK(two[0].complete);
  CHECK(two[0].response.body == "no");
  CHECK(two[1].response.status == 200);
  CHECK_FALSE(two[1].complete);
}

}  // namespace
}  // namespace npsbundle::testing
