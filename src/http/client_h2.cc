#include "http/client_h2.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>

#include "core/ascii.h"
#include "http/h2_fields.h"

namespace npsbundle {
namespace {

// What the callbacks learn about our one stream. nghttp2 is C: nothing may
// throw through it, so a failure is kept here and thrown after it returns.
struct StreamState {
  int32_t stream_id = -1;
  size_t max_body_bytes = 0;
  ClientResponse block;  // the header block being received
  ClientResponse final_response;
  bool final_seen = false;
  bool closed = false;
  std::optional<ClientError> error;
};

StreamState& State(void* user_data) { return *static_cast<StreamState*>(user_data); }

int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  StreamState& state = State(user_data);
  if (frame->hd.stream_id == state.stream_id) state.block = ClientResponse();
  return 0;
}

int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t name_length,
             const uint8_t* value, size_t value_length, uint8_t, void* user_data) {
  StreamState& state = State(user_data);
  if (frame->hd.stream_id != state.stream_id || state.final_seen) return 0;  // trailers
  std::string_view key(reinterpret_cast<const char*>(name), name_length);
  std::string_view text(reinterpret_cast<const char*>(value), value_length);
  if (key == ":status") {
    std::from_chars(text.data(), text.data() + text.size(), state.block.status);
  } else if (!key.empty() && key.front() != ':') {
    state.block.headers.emplace_back(std::string(key), std::string(text));
  }
  return 0;
}

int OnFrameReceived(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  StreamState& state = State(user_data);
  if (frame->hd.type == NGHTTP2_GOAWAY && !state.final_seen &&
      frame->goaway.last_stream_id < state.stream_id) {
    state.error = ClientError(ClientErrorKind::kProtocol,
                              std::string("HTTP/2 GOAWAY before the response: ") +
                                  nghttp2_http2_strerror(frame->goaway.error_code));
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }
  if (frame->hd.type != NGHTTP2_HEADERS || frame->hd.stream_id != state.stream_id || state.final_seen) {
    return 0;
  }
  state.block.http2 = true;
  if (state.block.status >= 100 && state.block.status < 200) {
    state.final_response.informational.push_back(std::move(state.block));
  } else {
    std::vector<ClientResponse> informational = std::move(state.final_response.informational);
    state.final_response = std::move(state.block);
    state.final_response.informational = std::move(informational);
    state.final_seen = true;
  }
  state.block = ClientResponse();
  return 0;
}

int OnData(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t length,
           void* user_data) {
  StreamState& state = State(user_data);
  if (stream_id != state.stream_id) return 0;
  std::string& body = state.final_response.body;
  if (body.size() + length > state.max_body_bytes) {
    state.error = ClientError(ClientErrorKind::kTooLarge,
                              "body larger than " + std::to_string(state.max_body_bytes) + " bytes");
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }
  body.append(reinterpret_cast<const char*>(data), length);
  return 0;
}

int OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user_data) {
  StreamState& state = State(user_data);
  if (stream_id != state.stream_id) return 0;
  state.closed = true;
  if (error_code != NGHTTP2_NO_ERROR) {
    state.error = ClientError(ClientErrorKind::kProtocol, std::string("HTTP/2 stream reset: ") +
                                                              nghttp2_http2_strerror(error_code));
  } else if (!state.final_seen) {
    state.error = ClientError(ClientErrorKind::kProtocol, "HTTP/2 stream ended without a response");
  }
  return 0;
}

// Fields a client must not send over HTTP/2: the connection-specific ones,
// TE (only "trailers" is allowed, and we send none), and Host, which
// :authority replaces.
bool ForbiddenInHttp2(std::string_view lower_name) {
  return IsConnectionSpecificField(lower_name) || lower_name == "te" || lower_name == "host";
}

struct SessionDeleter {
  void operator()(nghttp2_session* session) const { nghttp2_session_del(session); }
};

}  // namespace

ClientResponse Http2Exchange(const Http2Io& io, const Http2Request& request, size_t max_body_bytes) {
  StreamState state;
  state.max_body_bytes = max_body_bytes;

  nghttp2_session_callbacks* callbacks = nullptr;
  if (nghttp2_session_callbacks_new(&callbacks) != 0) throw std::bad_alloc();
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, OnFrameReceived);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, OnData);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, OnStreamClose);
  nghttp2_session* raw = nullptr;
  int rc = nghttp2_session_client_new(&raw, callbacks, &state);
  nghttp2_session_callbacks_del(callbacks);
  if (rc != 0) throw std::bad_alloc();
  std::unique_ptr<nghttp2_session, SessionDeleter> session(raw);

  // One stream, read whole: a window the size of the body limit (between
  // HTTP/2's default and its maximum) spares WINDOW_UPDATE round trips.
  const int32_t window = static_cast<int32_t>(
      std::clamp<size_t>(max_body_bytes, NGHTTP2_INITIAL_WINDOW_SIZE, (1u << 31) - 1));
  nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
                                       {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(window)}};
  nghttp2_submit_settings(session.get(), NGHTTP2_FLAG_NONE, settings, 2);
  nghttp2_session_set_local_window_size(session.get(), NGHTTP2_FLAG_NONE, 0, window);

  std::vector<std::string> names;  // lower-cased copies the fields point into
  if (request.headers) names.reserve(request.headers->size());
  std::vector<nghttp2_nv> fields = {Http2Field(":method", request.method), Http2Field(":scheme", request.scheme),
                                    Http2Field(":authority", request.authority), Http2Field(":path", request.path)};
  if (request.headers) {
    for (const auto& [name, value] : *request.headers) {
      names.push_back(AsciiLowered(name));
      if (ForbiddenInHttp2(names.back())) continue;
      fields.push_back(Http2Field(names.back(), value));
    }
  }
  state.stream_id = nghttp2_submit_request(session.get(), nullptr, fields.data(), fields.size(), nullptr, nullptr);
  if (state.stream_id < 0) {
    throw ClientError(ClientErrorKind::kProtocol,
                      std::string("HTTP/2 request refused: ") + nghttp2_strerror(state.stream_id));
  }

  char buffer[64 << 10];
  while (!state.closed) {
    while (nghttp2_session_want_write(session.get())) {
      const uint8_t* data = nullptr;
      ssize_t n = nghttp2_session_mem_send(session.get(), &data);
      if (n < 0) throw ClientError(ClientErrorKind::kProtocol, std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(n)));
      if (n == 0) break;
      io.write(std::string_view(reinterpret_cast<const char*>(data), static_cast<size_t>(n)));
    }
    if (state.closed) break;
    size_t got = io.read(buffer, sizeof buffer);
    if (got == 0) {
      throw ClientError(ClientErrorKind::kProtocol, state.final_seen ? "connection closed mid-response"
                                                                     : "connection closed before a response");
    }
    ssize_t used = nghttp2_session_mem_recv(session.get(), reinterpret_cast<const uint8_t*>(buffer), got);
    if (state.error) throw *state.error;
    if (used < 0) {
      throw ClientError(ClientErrorKind::kProtocol, std::string("HTTP/2: ") + nghttp2_strerror(static_cast<int>(used)));
    }
  }
  if (state.error) throw *state.error;
  state.final_response.http2 = true;
  return std::move(state.final_response);
}

}  // namespace npsbundle
