#ifndef NPSBUNDLE_BROWSER_CDP_H_
#define NPSBUNDLE_BROWSER_CDP_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace npsbundle {

// The Chrome DevTools Protocol over a pipe pair, as `chromium
// --remote-debugging-pipe` speaks it: JSON messages, each terminated by a NUL
// byte, commands on one pipe (the browser's fd 3), replies and events on the
// other (its fd 4). Everything waits with poll() up to a deadline; nothing
// blocks without one.

using Deadline = std::chrono::steady_clock::time_point;

// Splits a byte stream into NUL-terminated messages.
class FrameReader {
 public:
  // A message longer than `max_bytes` is an error: a peer that never sends
  // the NUL must not grow the buffer without bound.
  explicit FrameReader(size_t max_bytes = 64u << 20) : max_bytes_(max_bytes) {}
  // Appends received bytes. Returns false once the unterminated tail is
  // longer than max_bytes.
  bool Append(std::string_view bytes);
  // The next complete message, without its NUL; nullopt when none is complete.
  std::optional<std::string> Pop();

 private:
  size_t max_bytes_;
  std::string buffer_;
  size_t start_ = 0;  // first byte not yet popped
};

// The envelope of one message from the browser.
struct CdpMessage {
  int64_t id = 0;          // a reply's command id; 0 for events
  std::string method;      // an event's name ("Network.loadingFinished")
  std::string session_id;  // empty for the browser target
  std::string error;       // a failed command's error message
  std::string text;        // the whole JSON message, to read params or result
};

// Parses the envelope. Returns false with *error when `text` is not a JSON
// object or carries an id, method or sessionId of the wrong type.
bool ParseCdpMessage(std::string_view text, CdpMessage* message, std::string* error);

// One command as JSON: {"id":1,"method":"Page.navigate","params":{...},
// "sessionId":"…"}; `params_json` must be a JSON object, `session_id` may
// be empty (the browser target).
std::string CdpCommand(int64_t id, std::string_view method, std::string_view params_json,
                       std::string_view session_id);

// A client of one DevTools peer. Owns both descriptors and closes them.
// Errors are BrowserError: kBrowserFailed when the peer closes the pipe,
// answers a command with an error or sends a malformed message;
// kMeasureTimeout when a reply does not come by its deadline.
class CdpConnection {
 public:
  // `peer` names the other side in messages ("chromium").
  CdpConnection(int write_fd, int read_fd, std::string peer);
  ~CdpConnection();
  CdpConnection(const CdpConnection&) = delete;
  CdpConnection& operator=(const CdpConnection&) = delete;

  // Called when the peer closes the pipe; returns why, to end the error
  // message with (e.g. "chromium exited with status 1: <its last line>").
  void SetCloseExplainer(std::function<std::string()> explain) { explain_ = std::move(explain); }

  // Sends a command and waits for its reply; events arriving meanwhile are
  // queued for NextEvent. Returns the reply (its `text` holds "result").
  CdpMessage Call(std::string_view method, std::string_view params_json, std::string_view session_id,
                  Deadline deadline);
  // The next event, queued or received by `deadline`; nullopt at the deadline.
  std::optional<CdpMessage> NextEvent(Deadline deadline);

 private:
  int64_t Write(std::string_view method, std::string_view params_json, std::string_view session_id,
                Deadline deadline);
  // Receives at least one message or fails; false at the deadline.
  bool Receive(Deadline deadline);
  [[noreturn]] void Closed();

  int write_fd_, read_fd_;
  std::string peer_;
  std::function<std::string()> explain_;
  FrameReader reader_;
  int64_t next_id_ = 1;
  std::deque<CdpMessage> events_;
  std::deque<CdpMessage> replies_;
};

}  // namespace npsbundle

#endif  // NPSBUNDLE_BROWSER_CDP_H_
