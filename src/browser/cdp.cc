#include "browser/cdp.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>

#include <simdjson.h>

#include "core/error.h"
#include "core/escape.h"
#include "core/sigpipe_block.h"

namespace npsbundle {
namespace {

int MillisecondsUntil(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return 0;
  // Rounded up, so a wait never ends just before the deadline and spins.
  return static_cast<int>(std::min<int64_t>(left.count() + 1, 60 * 60 * 1000));
}

void SetNonBlocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

}  // namespace

bool FrameReader::Append(std::string_view bytes) {
  // Drop what was popped before growing, so the buffer holds only pending bytes.
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  } else if (start_ > (1u << 20)) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_.append(bytes);
  size_t last_nul = buffer_.rfind('\0');
  size_t tail = last_nul == std::string::npos || last_nul < start_ ? buffer_.size() - start_
                                                                    : buffer_.size() - last_nul - 1;
  return tail <= max_bytes_;
}

std::optional<std::string> FrameReader::Pop() {
  size_t nul = buffer_.find('\0', start_);
  if (nul == std::string::npos) return std::nullopt;
  std::string message = buffer_.substr(start_, nul - start_);
  start_ = nul + 1;
  return message;
}

bool ParseCdpMessage(std::string_view text, CdpMessage* message, std::string* error) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::object object;
  if (auto e = parser.parse(padded).get(object)) {
    *error = std::string("not a JSON object (") + simdjson::error_message(e) + ")";
    return false;
  }
  *message = CdpMessage{};
  for (auto field : object) {
    if (field.key == "id") {
      int64_t id;
      if (field.value.get(id) || id <= 0) {
        *error = "\"id\" is not a positive integer";
        return false;
      }
      message->id = id;
    } else if (field.key == "method" || field.key == "sessionId") {
      std::string_view value;
      if (field.value.get(value)) {
        *error = "\"" + std::string(field.key) + "\" is not a string";
        return false;
      }
      (field.key == "method" ? message->method : message->session_id) = value;
    } else if (field.key == "error") {
      std::string_view value;
      simdjson::dom::element detail = field.value["message"];
      message->error = detail.get(value) ? std::string("unknown error") : std::string(value);
    }
  }
  if (message->id == 0 && message->method.empty()) {
    *error = "neither a reply (\"id\") nor an event (\"method\")";
    return false;
  }
  message->text = text;
  return true;
}

std::string CdpCommand(int64_t id, std::string_view method, std::string_view params_json,
                       std::string_view session_id) {
  std::string out = "{\"id\":" + std::to_string(id) + ",\"method\":\"" + JsonEscape(method) + "\",\"params\":";
  out += params_json.empty() ? std::string_view("{}") : params_json;
  if (!session_id.empty()) out += ",\"sessionId\":\"" + JsonEscape(session_id) + "\"";
  out += "}";
  return out;
}

CdpConnection::CdpConnection(int write_fd, int read_fd, std::string peer)
    : write_fd_(write_fd), read_fd_(read_fd), peer_(std::move(peer)) {
  SetNonBlocking(write_fd_);
  SetNonBlocking(read_fd_);
}

CdpConnection::~CdpConnection() {
  if (write_fd_ >= 0) close(write_fd_);
  if (read_fd_ >= 0) close(read_fd_);
}

void CdpConnection::Closed() {
  std::string why = explain_ ? explain_() : "";
  throw BrowserError(ExitCode::kBrowserFailed,
                     peer_ + " closed the DevTools pipe" + (why.empty() ? "" : ": " + why));
}

int64_t CdpConnection::Write(std::string_view method, std::string_view params_json,
                             std::string_view session_id, Deadline deadline) {
  int64_t id = next_id_++;
  std::string data = CdpCommand(id, method, params_json, session_id);
  data.push_back('\0');
  size_t written = 0;
  SigpipeBlock no_sigpipe;
  while (written < data.size()) {
    ssize_t n = write(write_fd_, data.data() + written, data.size() - written);
    if (n > 0) {
      written += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE) {
      Closed();
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      throw BrowserError(ExitCode::kBrowserFailed, peer_ + ": writing to the DevTools pipe: " + std::strerror(errno));
    }
    // The browser is not reading: wait for room, but no longer than allowed.
    pollfd p{write_fd_, POLLOUT, 0};
    int ready = poll(&p, 1, MillisecondsUntil(deadline));
    if (ready == 0) {
      throw BrowserError(ExitCode::kMeasureTimeout, peer_ + ": " + std::string(method) + ": the browser stopped reading commands");
    }
    if (ready > 0 && (p.revents & (POLLERR | POLLHUP))) Closed();
  }
  return id;
}

bool CdpConnection::Receive(Deadline deadline) {
  while (true) {
    if (std::optional<std::string> text = reader_.Pop()) {
      CdpMessage message;
      std::string error;
      if (!ParseCdpMessage(*text, &message, &error)) {
        throw BrowserError(ExitCode::kBrowserFailed, peer_ + ": malformed DevTools message: " + error);
      }
      (message.id != 0 ? replies_ : events_).push_back(std::move(message));
      return true;
    }
    pollfd p{read_fd_, POLLIN, 0};
    int ready = poll(&p, 1, MillisecondsUntil(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return false;
    char buffer[65536];
    ssize_t n = read(read_fd_, buffer, sizeof buffer);
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (n <= 0) Closed();
    if (!reader_.Append(std::string_view(buffer, static_cast<size_t>(n)))) {
      throw BrowserError(ExitCode::kBrowserFailed, peer_ + ": malformed DevTools message: no NUL terminator within 64 MB");
    }
  }
}

CdpMessage CdpConnection::Call(std::string_view method, std::string_view params_json,
                               std::string_view session_id, Deadline deadline) {
  int64_t id = Write(method, params_json, session_id, deadline);
  while (true) {
    for (auto it = replies_.begin(); it != replies_.end(); ++it) {
      if (it->id != id) continue;
      CdpMessage reply = std::move(*it);
      replies_.erase(it);
      if (!reply.error.empty()) {
        throw BrowserError(ExitCode::kBrowserFailed, peer_ + ": " + std::string(method) + ": " + reply.error);
      }
      return reply;
    }
    // Replies to commands nobody waits for any more (an earlier Call timed
    // out) would pile up; keep only the newest few.
    while (replies_.size() > 16) replies_.pop_front();
    if (!Receive(deadline)) {
      throw BrowserError(ExitCode::kMeasureTimeout, peer_ + ": no reply to " + std::string(method) + " in time");
    }
  }
}

std::optional<CdpMessage> CdpConnection::NextEvent(Deadline deadline) {
  while (events_.empty()) {
    if (!Receive(deadline)) return std::nullopt;
  }
  CdpMessage event = std::move(events_.front());
  events_.pop_front();
  return event;
}

}  // namespace npsbundle
