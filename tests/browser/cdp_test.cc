#include "browser/cdp.h"

#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <catch2/catch.hpp>
#include <thread>

#include "browser/browser_process.h"
#include "core/error.h"

namespace npsbundle {
namespace {

Deadline In(int ms) { return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms); }

// A fake browser on the other end of a socketpair: reads commands (NUL
// framed), answers with what the test scripts.
class FakePeer {
 public:
  FakePeer() {
    int fds[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    ours_ = fds[0];
    theirs_ = fds[1];
  }
  ~FakePeer() {
    if (theirs_ >= 0) close(theirs_);
  }
  // The client end, for CdpConnection (which closes it; both directions on
  // one socket, so the write side is a dup).
  std::unique_ptr<CdpConnection> Connect() {
    return std::make_unique<CdpConnection>(dup(ours_), ours_, "fake browser");
  }
  void Send(std::string_view bytes) { REQUIRE(write(theirs_, bytes.data(), bytes.size()) == ssize_t(bytes.size())); }
  // The next command the client wrote.
  std::string ReadCommand() {
    std::string out;
    char c;
    while (read(theirs_, &c, 1) == 1 && c != '\0') out.push_back(c);
    return out;
  }
  void Close() {
    close(theirs_);
    theirs_ = -1;
  }

 private:
  int ours_ = -1, theirs_ = -1;
};

// Messages as the browser frames them: each followed by a NUL.
std::string Framed(std::initializer_list<std::string_view> messages) {
  std::string out;
  for (std::string_view m : messages) {
    out += m;
    out.push_back('\0');
  }
  return out;
}

bool Throws(const std::function<void()>& action, ExitCode code, const std::string& fragment) {
  try {
    action();
  } catch (const BrowserError& e) {
    INFO(e.what());
    CHECK(e.code() == code);
    CHECK_THAT(e.what(), Catch::Contains(fragment));
    return true;
  }
  return false;
}

}  // namespace

TEST_CASE("cdp: FrameReader splits NUL-terminated messages across reads", "[cdp]") {
  FrameReader reader;
  REQUIRE(reader.Append(std::string_view("{\"a\":1}\0{\"b\"", 12)));
  CHECK(reader.Pop() == std::optional<std::string>("{\"a\":1}"));
  CHECK(!reader.Pop());
  REQUIRE(reader.Append(std::string_view(":2}\0\0", 5)));
  CHECK(reader.Pop() == std::optional<std::string>("{\"b\":2}"));
  CHECK(reader.Pop() == std::optional<std::string>(""));
  CHECK(!reader.Pop());
}

TEST_CASE("cdp: FrameReader refuses a message longer than its limit", "[cdp]") {
  FrameReader reader(8);
  CHECK(reader.Append("12345678"));
  CHECK(!reader.Append("9"));
  FrameReader ok(8);
  CHECK(ok.Append(std::string_view("1234567\0" "1234567", 15)));
}

TEST_CASE("cdp: message envelopes", "[cdp]") {
  CdpMessage m;
  std::string error;
  REQUIRE(ParseCdpMessage(R"({"id":7,"result":{"x":1},"sessionId":"S"})", &m, &error));
  CHECK(m.id == 7);
  CHECK(m.session_id == "S");
  CHECK(m.method.empty());
  CHECK(m.error.empty());
  REQUIRE(ParseCdpMessage(R"({"method":"Page.loadEventFired","params":{"timestamp":1.5}})", &m, &error));
  CHECK(m.id == 0);
  CHECK(m.method == "Page.loadEventFired");
  REQUIRE(ParseCdpMessage(R"({"id":3,"error":{"code":-32601,"message":"'Foo.bar' wasn't found"}})", &m, &error));
  CHECK(m.error == "'Foo.bar' wasn't found");

  struct Bad {
    const char* text;
    const char* error;
  };
  const Bad bad[] = {
      {"not json", "not a JSON object"},
      {"[1,2]", "not a JSON object"},
      {R"({"id":"7"})", "\"id\" is not a positive integer"},
      {R"({"method":5})", "\"method\" is not a string"},
      {R"({"params":{}})", "neither a reply"},
  };
  for (const Bad& b : bad) {
    INFO(b.text);
    CHECK(!ParseCdpMessage(b.text, &m, &error));
    CHECK_THAT(error, Catch::Contains(b.error));
  }
}

TEST_CASE("cdp: commands are JSON with escaped method and session", "[cdp]") {
  CHECK(CdpCommand(1, "Page.navigate", R"({"url":"http://x/"})", "") ==
        R"({"id":1,"method":"Page.navigate","params":{"url":"http://x/"}})");
  CHECK(CdpCommand(2, "Network.enable", "", "a\"b") == R"({"id":2,"method":"Network.enable","params":{},"sessionId":"a\"b"})");
}

TEST_CASE("cdp: a call waits for its reply and queues events that come first", "[cdp]") {
  FakePeer peer;
  auto cdp = peer.Connect();
  std::thread browser([&] {
    std::string command = peer.ReadCommand();
    CHECK(command == R"({"id":1,"method":"Browser.getVersion","params":{}})");
    // An event, then an unrelated reply, then ours, split mid-message.
    std::string bytes = Framed({R"({"method":"Target.targetCreated","params":{}})", R"({"id":99,"result":{}})",
                                R"({"id":1,"result":{"product":"Fake/1"}})"});
    size_t half = bytes.size() - 20;
    peer.Send(bytes.substr(0, half));
    peer.Send(bytes.substr(half));
  });
  CdpMessage reply = cdp->Call("Browser.getVersion", "{}", "", In(5000));
  browser.join();
  CHECK(reply.id == 1);
  CHECK_THAT(reply.text, Catch::Contains("Fake/1"));
  std::optional<CdpMessage> event = cdp->NextEvent(In(5000));
  REQUIRE(event);
  CHECK(event->method == "Target.targetCreated");
  CHECK(!cdp->NextEvent(In(20)));  // nothing more: returns at the deadline
}

TEST_CASE("cdp: error replies, malformed messages, a closed pipe and silence are BrowserErrors", "[cdp]") {
  SECTION("error reply") {
    FakePeer peer;
    auto cdp = peer.Connect();
    peer.Send(Framed({R"({"id":1,"error":{"code":-32000,"message":"No target"}})"}));
    CHECK(Throws([&] { cdp->Call("Target.attachToTarget", "{}", "", In(5000)); }, ExitCode::kBrowserFailed,
                 "Target.attachToTarget: No target"));
  }
  SECTION("malformed message") {
    FakePeer peer;
    auto cdp = peer.Connect();
    peer.Send(Framed({R"({"id":1,)"}));
    CHECK(Throws([&] { cdp->Call("Browser.getVersion", "{}", "", In(5000)); }, ExitCode::kBrowserFailed,
                 "fake browser: malformed DevTools message: not a JSON object"));
  }
  SECTION("peer closes") {
    FakePeer peer;
    auto cdp = peer.Connect();
    cdp->SetCloseExplainer([] { return std::string("it exited with status 1"); });
    peer.Close();
    CHECK(Throws([&] { cdp->NextEvent(In(5000)); }, ExitCode::kBrowserFailed,
                 "fake browser closed the DevTools pipe: it exited with status 1"));
  }
  SECTION("peer closes before a command is written: an error, not death by SIGPIPE") {
    FakePeer peer;
    auto cdp = peer.Connect();
    peer.Close();
    CHECK(Throws([&] { cdp->Call("Browser.getVersion", "{}", "", In(5000)); }, ExitCode::kBrowserFailed,
                 "fake browser closed the DevTools pipe"));
  }
  SECTION("no reply by the deadline") {
    FakePeer peer;
    auto cdp = peer.Connect();
    CHECK(Throws([&] { cdp->Call("Page.navigate", "{}", "S", In(30)); }, ExitCode::kMeasureTimeout,
                 "no reply to Page.navigate in time"));
  }
}

TEST_CASE("browser process: a trusted certificate is named by its key hash, never trusted blanket", "[cdp]") {
  const std::string hash = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  std::vector<std::string> plain = HeadlessBrowserArguments("/tmp/p");
  std::vector<std::string> trusting = HeadlessBrowserArguments("/tmp/p", {hash, hash});
  CHECK(trusting.size() == plain.size() + 1);
  CHECK(std::count(trusting.begin(), trusting.end(),
                   "--ignore-certificate-errors-spki-list=" + hash + "," + hash) == 1);
  CHECK(trusting.back() == "about:blank");
  for (const std::vector<std::string>* args : {&plain, &trusting}) {
    CHECK(std::count(args->begin(), args->end(), "--ignore-certificate-errors") == 0);
    CHECK(std::count(args->begin(), args->end(), "--disable-quic") == 1);
  }
  CHECK(IsSpkiHash(hash));
  CHECK(!IsSpkiHash(hash.substr(1)));
  CHECK(!IsSpkiHash(hash.substr(0, 43) + "A"));
  CHECK(!IsSpkiHash("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSu,U="));  // a second list entry smuggled in
  CHECK(!IsSpkiHash(""));
}

TEST_CASE("browser process: a missing browser is exit code 3 with a hint", "[cdp]") {
  CHECK(Throws([] { BrowserProcess::Launch("/no/such/chromium"); }, ExitCode::kBrowserMissing,
               "chromium not found: /no/such/chromium is not an executable file; install the chromium package "
               "or pass --browser PATH"));
  CHECK(Throws([] { BrowserProcess::Launch("no-such-browser-on-path"); }, ExitCode::kBrowserMissing,
               "chromium not found: no-such-browser-on-path"));
}

TEST_CASE("browser process: a browser that exits at once is reported with its status and last words", "[cdp]") {
  std::vector<std::string> args = {"-c", "echo 'fatal: no display' >&2; exit 3"};
  std::unique_ptr<BrowserProcess> browser = BrowserProcess::Launch("/bin/sh", &args);
  CHECK(Throws([&] { browser->cdp().Call("Browser.getVersion", "{}", "", In(10000)); }, ExitCode::kBrowserFailed,
               "closed the DevTools pipe: it exited with status 3; its last message: fatal: no display"));
}

TEST_CASE("browser process: the pipe is on fds 3 and 4 and a hung browser is killed on shutdown", "[cdp]") {
  // A fake that answers one command on fd 4, then ignores Browser.close.
  std::vector<std::string> args = {
      "-c", "printf '{\"id\":1,\"result\":{\"product\":\"Fake/2\"}}\\0' >&4; exec sleep 600"};
  std::unique_ptr<BrowserProcess> browser = BrowserProcess::Launch("/bin/sh", &args);
  CdpMessage reply = browser->cdp().Call("Browser.getVersion", "{}", "", In(10000));
  CHECK_THAT(reply.text, Catch::Contains("Fake/2"));
  pid_t pid = browser->pid();
  browser->Shutdown(100);
  CHECK(kill(pid, 0) != 0);  // reaped: no such process any more
}

}  // namespace npsbundle
