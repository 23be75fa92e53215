#include "http/h2_session.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "http/h2_fields.h"

namespace npsbundle {
namespace {

// A decoded header list this many times the advertised cap is an attack,
// not a large request: the client was told the cap in SETTINGS.
constexpr size_t kBombFactor = 4;

// A token bucket: `burst` tokens at first and at most, `per_second` more a
// second.
class Budget {
 public:
  Budget(uint32_t burst, uint32_t per_second) : burst_(burst), per_second_(per_second), tokens_(burst) {}
  bool Take(int64_t now_micros) {
    if (last_micros_ >= 0 && now_micros > last_micros_) {
      tokens_ = std::min<double>(burst_, tokens_ + static_cast<double>(now_micros - last_micros_) * per_second_ / 1e6);
    }
    last_micros_ = now_micros;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double burst_;
  double per_second_;
  double tokens_;
  int64_t last_micros_ = -1;
};

struct Stream {
  HttpRequest request;
  std::string authority;
  std::string host;
  std::string cookie;
  bool has_authority = false;
  bool has_host = false;
  size_t header_bytes = 0;  // decoded, as SETTINGS_MAX_HEADER_LIST_SIZE counts
  size_t held_bytes = 0;    // field bytes stored in `request`
  int refuse_status = 0;    // decided while reading the fields (431)
  bool claimed = false;     // collecting the body for DeferFunction
  bool deferred = false;    // waiting for Complete
  bool answered = false;
  bool logged = false;
  std::string body;
  HttpResponse response;
  std::string_view payload;  // into `response`, what DATA frames carry
  size_t sent = 0;
  // Answered by CompleteHead: DATA frames carry `streamed` as AppendBody
  // fills it, until `stream_end`. `data_waiting`: the provider returned
  // NGHTTP2_ERR_DEFERRED and is resumed by the next AppendBody.
  bool streaming = false;
  bool stream_end = false;
  bool data_waiting = false;
  std::string streamed;
  uint64_t streamed_bytes = 0;  // framed so far, for the log
  int64_t started_micros = 0;
};

}  // namespace

struct Http2Session::Impl {
  Impl(const HttpHandler& handler, const Http2Limits& limits, const ServeLoop::LogFunction& log,
       DeferFunction defer)
      : handler(handler),
        limits(limits),
        log(log),
        defer(std::move(defer)),
        resets(limits.reset_burst, limits.resets_per_second),
        control(limits.control_burst, limits.control_per_second) {}

  const HttpHandler& handler;
  const Http2Limits limits;
  const ServeLoop::LogFunction& log;
  DeferFunction defer;
  nghttp2_session* session = nullptr;
  std::unordered_map<int32_t, std::unique_ptr<Stream>> streams;
  std::string pending;  // serialized by nghttp2, not yet taken by Output
  Budget resets;
  Budget control;
  size_t block_bytes = 0;  // encoded bytes of the header block being read
  uint32_t continuations = 0;
  size_t pending_acks = 0;
  size_t held_bytes = 0;  // fields and bodies of every stream
  size_t body_bytes = 0;
  size_t streamed_bytes = 0;  // AppendBody bytes of every stream, not yet framed
  std::string abuse;  // set by a callback that spent a budget
  std::string error;
  bool failed = false;
  bool shut_down = false;
  std::function<int64_t()> clock;

  int64_t Now() const { return clock ? clock() : MonotonicMicros(); }
  Stream* Find(int32_t id) {
    auto it = streams.find(id);
    return it == streams.end() ? nullptr : it->second.get();
  }
  int Abuse(std::string why) {
    abuse = std::move(why);
    return NGHTTP2_ERR_CALLBACK_FAILURE;
  }
  int TakeControl() {
    if (control.Take(Now())) return 0;
    return Abuse("control frame flood: over " + std::to_string(limits.control_burst) + " SETTINGS/PING/PRIORITY/empty frames (" +
                 std::to_string(limits.control_per_second) + " a second)");
  }
  void Release(Stream* stream) {
    held_bytes -= stream->held_bytes + stream->body.size();
    body_bytes -= stream->body.size();
    stream->held_bytes = 0;
    std::string().swap(stream->body);
    stream->request.headers = {};
    streamed_bytes -= stream->streamed.size();
    std::string().swap(stream->streamed);
  }

  static void Install(nghttp2_session_callbacks* callbacks);
  static ssize_t ReadStreamed(nghttp2_session* session, int32_t stream_id, uint8_t* buffer, size_t length,
                              uint32_t* flags, nghttp2_data_source* source, void* impl);
  int OnBeginFrame(const nghttp2_frame_hd& hd);
  void OnFrameReceived(const nghttp2_frame& frame);
  int OnHeader(const nghttp2_frame& frame, std::string_view name, std::string_view value);
  void OnHeadersDone(Stream* stream, int32_t id, bool end_stream);
  void OnBody(Stream* stream, int32_t id, std::string_view data);
  void Defer(Stream* stream, int32_t id);
  void Answer(Stream* stream, int32_t id, HttpResponse response, bool streaming = false);
  void OnFrameSent(const nghttp2_frame& frame);
  void Log(const Stream& stream);
  void Fail(int code, std::string why);
};

int Http2Session::Impl::OnBeginFrame(const nghttp2_frame_hd& hd) {
  bool ack = hd.flags & NGHTTP2_FLAG_ACK;
  switch (hd.type) {
    case NGHTTP2_HEADERS:
      block_bytes = hd.length;
      continuations = 0;
      return 0;
    case NGHTTP2_CONTINUATION:
      block_bytes += hd.length;
      if (++continuations > limits.max_continuations) {
        return Abuse("CONTINUATION flood: over " + std::to_string(limits.max_continuations) + " frames in one header block");
      }
      if (block_bytes > 2 * static_cast<size_t>(limits.max_header_list_bytes)) {
        return Abuse("CONTINUATION flood: header block over " + std::to_string(2 * limits.max_header_list_bytes) +
                     " encoded bytes");
      }
      return hd.length == 0 && !(hd.flags & NGHTTP2_FLAG_END_HEADERS) ? TakeControl() : 0;
    case NGHTTP2_RST_STREAM:
      if (resets.Take(Now())) return 0;
      return Abuse("rapid reset: over " + std::to_string(limits.reset_burst) + " RST_STREAM frames (" +
                   std::to_string(limits.resets_per_second) + " a second)");
    case NGHTTP2_SETTINGS:
    case NGHTTP2_PING:
      if (ack) return 0;
      if (++pending_acks > limits.max_pending_acks) {
        return Abuse("ACK flood: over " + std::to_string(limits.max_pending_acks) + " SETTINGS/PING ACKs unsent");
      }
      return TakeControl();
    case NGHTTP2_PRIORITY:
      return TakeControl();
    case NGHTTP2_DATA:
      return hd.length == 0 && !(hd.flags & NGHTTP2_FLAG_END_STREAM) ? TakeControl() : 0;
    default:
      // WINDOW_UPDATE, GOAWAY, PUSH_PROMISE (a connection error from a
      // client: nghttp2 ends it). Frames of unknown types never get here:
      // nghttp2 skips them without a callback.
      return 0;
  }
}

int Http2Session::Impl::OnHeader(const nghttp2_frame& frame, std::string_view name, std::string_view value) {
  Stream* stream = Find(frame.hd.stream_id);
  // Trailers (and fields of a stream already answered) are decoded, as
  // HPACK requires, but not kept.
  if (stream == nullptr || frame.headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  stream->header_bytes += name.size() + value.size() + 32;
  if (stream->header_bytes > kBombFactor * limits.max_header_list_bytes) {
    // An HPACK bomb: one-byte references to a large table entry decode to
    // megabytes; stop decoding (CPU) as well as keeping (memory).
    return Abuse("HPACK bomb: a header list decoding past " + std::to_string(kBombFactor * limits.max_header_list_bytes) +
                 " bytes");
  }
  if (stream->header_bytes > limits.max_header_list_bytes) {
    // Too large, as an honest client may send: stop keeping fields at the
    // cap and answer 431 (RFC 9113 §10.5.1).
    if (stream->refuse_status == 0) {
      stream->refuse_status = 431;
      Release(stream);
    }
    return 0;
  }
  if (stream->refuse_status != 0) return 0;
  size_t bytes = name.size() + value.size();
  stream->held_bytes += bytes;
  held_bytes += bytes;
  if (!name.empty() && name[0] == ':') {
    if (name == ":method") {
      stream->request.method = value;
    } else if (name == ":path") {
      stream->request.target = value;
    } else if (name == ":authority") {
      stream->authority = value;
      stream->has_authority = true;
    }
    return 0;  // :scheme says nothing the handler uses; nghttp2 refuses others
  }
  if (name == "host") {
    stream->host = value;
    stream->has_host = true;
  } else if (name == "cookie") {
    // HTTP/2 may split Cookie into one field per pair (RFC 9113 §8.2.3);
    // the handler and an HTTP/1.1 upstream expect one.
    if (!stream->cookie.empty()) stream->cookie.append("; ");
    stream->cookie.append(value);
  } else {
    stream->request.headers.emplace_back(name, value);
  }
  return 0;
}

void Http2Session::Impl::OnHeadersDone(Stream* stream, int32_t id, bool end_stream) {
  stream->started_micros = Now();
  HttpRequest& request = stream->request;
  if (stream->has_authority && stream->has_host && stream->host != stream->authority) {
    // RFC 9113 §8.3.1: a Host naming another origin than :authority makes
    // the request malformed.
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_PROTOCOL_ERROR);
    return;
  }
  if (stream->has_authority || stream->has_host) {
    request.headers.insert(request.headers.begin(),
                           {"Host", stream->has_authority ? stream->authority : stream->host});
  }
  if (!stream->cookie.empty()) request.headers.emplace_back("Cookie", std::move(stream->cookie));
  if (request.method == "CONNECT") request.target = stream->authority;  // authority-form, as HTTP/1.1 sends it
  if (stream->refuse_status != 0) {
    Answer(stream, id, handler.Refuse(stream->refuse_status));
  } else if (handler.Claims(request)) {
    if (defer) {
      stream->claimed = true;
      if (end_stream) Defer(stream, id);
      return;
    }
    Answer(stream, id, handler.Refuse(502));
  } else {
    // Answered at once, whether or not a body follows: as on HTTP/1.1,
    // only the proxy reads bodies. The stream is reset (NO_ERROR) once the
    // response is out, which tells the client to stop sending.
    Answer(stream, id, handler.Handle(request));
  }
  Release(stream);  // the fields; method and target stay for the log
}

void Http2Session::Impl::OnBody(Stream* stream, int32_t id, std::string_view data) {
  if (!stream->claimed || stream->answered || stream->deferred) return;
  if (stream->body.size() + data.size() > limits.max_request_body_bytes) {
    Release(stream);
    Answer(stream, id, handler.Refuse(413));
  } else if (body_bytes + data.size() > limits.max_buffered_body_bytes) {
    Release(stream);
    Answer(stream, id, handler.Refuse(503));
  } else {
    stream->body.append(data);
    body_bytes += data.size();
    held_bytes += data.size();
  }
}

void Http2Session::Impl::Defer(Stream* stream, int32_t id) {
  stream->deferred = true;
  std::string body = std::move(stream->body);
  held_bytes -= body.size();
  body_bytes -= body.size();
  stream->body.clear();
  HttpRequest request = stream->request;
  // The callee owns the request now; method and target stay for the log.
  Release(stream);
  defer(id, std::move(request), std::move(body));
}

static ssize_t ReadBody(nghttp2_session* /*session*/, int32_t /*stream_id*/, uint8_t* buffer, size_t length,
                 uint32_t* flags, nghttp2_data_source* source, void* /*user_data*/) {
  auto* stream = static_cast<Stream*>(source->ptr);
  size_t n = std::min(length, stream->payload.size() - stream->sent);
  // memcpy, not std::copy_n: char to uint8_t is not a trivial copy to
  // libstdc++, so copy_n compiled to a byte loop that took 29% of serve's
  // CPU on a 177 kB chunk (perf; bench/H2.md).
  std::memcpy(buffer, stream->payload.data() + stream->sent, n);
  stream->sent += n;
  if (stream->sent == stream->payload.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

// The data provider of a streamed answer: what AppendBody queued, or
// DEFERRED until it queues more.
ssize_t Http2Session::Impl::ReadStreamed(nghttp2_session* /*session*/, int32_t /*stream_id*/, uint8_t* buffer,
                                         size_t length, uint32_t* flags, nghttp2_data_source* source,
                                         void* impl) {
  auto* stream = static_cast<Stream*>(source->ptr);
  size_t n = std::min(length, stream->streamed.size());
  if (n == 0 && !stream->stream_end) {
    stream->data_waiting = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  std::copy_n(stream->streamed.data(), n, buffer);
  stream->streamed.erase(0, n);
  stream->streamed_bytes += n;
  static_cast<Impl*>(impl)->streamed_bytes -= n;
  if (stream->streamed.empty() && stream->stream_end) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

void Http2Session::Impl::Answer(Stream* stream, int32_t id, HttpResponse response, bool streaming) {
  stream->answered = true;
  stream->deferred = false;
  stream->response = std::move(response);
  const HttpResponse& sent = stream->response;
  // Every answer to HEAD goes without a body, errors included (RFC 9110 §9.3.2).
  bool send_body = sent.send_body && stream->request.method != "HEAD";
  if (streaming) {
    // No body where the status forbids one (RFC 9110 §6.4.1).
    stream->streaming = send_body && sent.status != 204 && sent.status != 304;
    stream->response.owned_body.clear();
    stream->response.body = {};
    send_body = false;
  }
  stream->payload = send_body ? sent.payload() : std::string_view();

  if (!sent.early_hints.empty()) {
    std::vector<nghttp2_nv> hints{Http2Field(":status", "103")};
    for (const std::string& link : sent.early_hints) hints.push_back(Http2Field("link", link));
    nghttp2_submit_headers(session, NGHTTP2_FLAG_NONE, id, nullptr, hints.data(), hints.size(), nullptr);
  }
  std::string status = std::to_string(static_cast<uint64_t>(sent.status));
  std::string length = std::to_string(sent.content_length);
  std::vector<std::string> names;
  names.reserve(sent.headers.size());
  std::vector<nghttp2_nv> fields{Http2Field(":status", status), Http2Field("date", CachedHttpDate())};
  for (const auto& [name, value] : sent.headers) {
    std::string lower = AsciiLowered(name);
    if (IsConnectionSpecificField(lower) || lower == "date") continue;
    // A streamed answer keeps the length its source gave; others get ours.
    if (lower == "content-length" && (!streaming || sent.status == 204)) continue;
    names.push_back(std::move(lower));
    fields.push_back(Http2Field(names.back(), value));
  }
  // For HEAD and 304 the length a GET would get (RFC 9110 §8.6), as on
  // HTTP/1.1; none where the status forbids it (RFC 9110 §8.6).
  if (!streaming && sent.status != 204 && sent.status >= 200) fields.push_back(Http2Field("content-length", length));
  nghttp2_data_provider provider{};
  provider.source.ptr = stream;
  provider.read_callback = stream->streaming ? ReadStreamed : ReadBody;
  bool has_data = stream->streaming || !stream->payload.empty();
  nghttp2_submit_response(session, id, fields.data(), fields.size(), has_data ? &provider : nullptr);
}

void Http2Session::Impl::OnFrameSent(const nghttp2_frame& frame) {
  if (frame.hd.type == NGHTTP2_GOAWAY && frame.goaway.error_code != NGHTTP2_NO_ERROR && error.empty()) {
    // A connection error nghttp2 found itself (ours set `error` first).
    error = "GOAWAY " + std::string(nghttp2_http2_strerror(frame.goaway.error_code));
    if (frame.goaway.opaque_data_len > 0) {
      error += ": ";
      error.append(reinterpret_cast<const char*>(frame.goaway.opaque_data), frame.goaway.opaque_data_len);
    }
  }
  if ((frame.hd.type == NGHTTP2_PING || frame.hd.type == NGHTTP2_SETTINGS) && (frame.hd.flags & NGHTTP2_FLAG_ACK)) {
    if (pending_acks > 0) --pending_acks;
    return;
  }
  if ((frame.hd.type != NGHTTP2_HEADERS && frame.hd.type != NGHTTP2_DATA) || !(frame.hd.flags & NGHTTP2_FLAG_END_STREAM)) {
    return;
  }
  Stream* stream = Find(frame.hd.stream_id);
  if (stream == nullptr || !stream->answered || stream->logged) return;
  stream->logged = true;
  Log(*stream);
  if (!nghttp2_session_get_stream_remote_close(session, frame.hd.stream_id)) {
    // The client is still sending a body we will not read (RFC 9113 §8.1).
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame.hd.stream_id, NGHTTP2_NO_ERROR);
  }
}

void Http2Session::Impl::Log(const Stream& stream) {
  if (!log) return;
  std::optional<std::string> encoding = stream.response.Header("Content-Encoding");
  ServedRequest served;
  served.method = stream.request.method;
  served.target = stream.request.target;
  served.status = stream.response.status;
  served.encoding = encoding ? std::string_view(*encoding) : std::string_view();
  served.body_bytes = stream.payload.size() + stream.streamed_bytes;
  served.micros = Now() - stream.started_micros;
  log(served);
}

void Http2Session::Impl::Fail(int code, std::string why) {
  if (failed) return;
  failed = true;
  error = std::move(why);
  nghttp2_session_terminate_session(session, static_cast<uint32_t>(code));
}

// nghttp2 calls plain functions with the session's user data: captureless
// lambdas here, where Impl is in scope.
void Http2Session::Impl::Install(nghttp2_session_callbacks* callbacks) {
  nghttp2_session_callbacks_set_on_begin_frame_callback(
      callbacks, [](nghttp2_session*, const nghttp2_frame_hd* hd, void* impl) {
        return static_cast<Impl*>(impl)->OnBeginFrame(*hd);
      });
  nghttp2_session_callbacks_set_on_begin_headers_callback(
      callbacks, [](nghttp2_session*, const nghttp2_frame* frame, void* impl) {
        if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
          static_cast<Impl*>(impl)->streams[frame->hd.stream_id] = std::make_unique<Stream>();
        }
        return 0;
      });
  nghttp2_session_callbacks_set_on_header_callback(
      callbacks, [](nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t name_length,
                    const uint8_t* value, size_t value_length, uint8_t /*flags*/, void* impl) {
        if (frame->hd.type != NGHTTP2_HEADERS) return 0;
        return static_cast<Impl*>(impl)->OnHeader(*frame, {reinterpret_cast<const char*>(name), name_length},
                                                  {reinterpret_cast<const char*>(value), value_length});
      });
  nghttp2_session_callbacks_set_on_frame_recv_callback(
      callbacks, [](nghttp2_session*, const nghttp2_frame* frame, void* impl) {
        static_cast<Impl*>(impl)->OnFrameReceived(*frame);
        return 0;
      });
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
      callbacks, [](nghttp2_session*, uint8_t /*flags*/, int32_t stream_id, const uint8_t* data, size_t length,
                    void* impl) {
        Impl& self = *static_cast<Impl*>(impl);
        if (Stream* stream = self.Find(stream_id)) {
          self.OnBody(stream, stream_id, {reinterpret_cast<const char*>(data), length});
        }
        return 0;
      });
  nghttp2_session_callbacks_set_on_frame_send_callback(
      callbacks, [](nghttp2_session*, const nghttp2_frame* frame, void* impl) {
        static_cast<Impl*>(impl)->OnFrameSent(*frame);
        return 0;
      });
  nghttp2_session_callbacks_set_on_stream_close_callback(
      callbacks, [](nghttp2_session*, int32_t stream_id, uint32_t /*error_code*/, void* impl) {
        Impl& self = *static_cast<Impl*>(impl);
        auto it = self.streams.find(stream_id);
        if (it != self.streams.end()) {
          self.Release(it->second.get());
          self.streams.erase(it);
        }
        return 0;
      });
}

void Http2Session::Impl::OnFrameReceived(const nghttp2_frame& frame) {
  if (frame.hd.type != NGHTTP2_HEADERS && frame.hd.type != NGHTTP2_DATA) return;
  Stream* stream = Find(frame.hd.stream_id);
  if (stream == nullptr) return;
  bool end_stream = frame.hd.flags & NGHTTP2_FLAG_END_STREAM;
  if (frame.hd.type == NGHTTP2_HEADERS && frame.headers.cat == NGHTTP2_HCAT_REQUEST) {
    OnHeadersDone(stream, frame.hd.stream_id, end_stream);
  } else if (end_stream && stream->claimed && !stream->answered && !stream->deferred) {
    Defer(stream, frame.hd.stream_id);
  }
}

Http2Session::Http2Session(const HttpHandler& handler, const Http2Limits& limits,
                           const ServeLoop::LogFunction& log, DeferFunction defer)
    : impl_(std::make_unique<Impl>(handler, limits, log, std::move(defer))) {
  nghttp2_session_callbacks* callbacks;
  nghttp2_session_callbacks_new(&callbacks);
  Impl::Install(callbacks);

  nghttp2_option* option;
  nghttp2_option_new(&option);
  nghttp2_option_set_max_deflate_dynamic_table_size(option, limits.max_hpack_table_bytes);
  nghttp2_option_set_max_settings(option, limits.max_settings_entries);
  // The library's own budgets, looser than ours: a backstop.
  nghttp2_option_set_max_outbound_ack(option, 2 * static_cast<size_t>(limits.max_pending_acks) + 2);
  nghttp2_option_set_stream_reset_rate_limit(option, 2 * static_cast<uint64_t>(limits.reset_burst) + 2,
                                             2 * static_cast<uint64_t>(limits.resets_per_second) + 2);
  nghttp2_option_set_max_continuations(option, 2 * static_cast<size_t>(limits.max_continuations) + 2);
  // Closed streams are kept only for RFC 7540 priorities, which we ignore;
  // a reset flood would otherwise leave them behind.
  nghttp2_option_set_no_closed_streams(option, 1);
  nghttp2_session_server_new2(&impl_->session, callbacks, impl_.get(), option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);

  // No SETTINGS_ENABLE_CONNECT_PROTOCOL: without RFC 8441, browsers open
  // WebSockets over HTTP/1.1, where the proxy carries them.
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits.max_concurrent_streams},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, limits.max_header_list_bytes},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, limits.initial_window_bytes},
  };
  nghttp2_submit_settings(impl_->session, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  // The connection window as large as one stream's, so a proxied upload is
  // not held to the 64 KiB default.
  nghttp2_session_set_local_window_size(impl_->session, NGHTTP2_FLAG_NONE, 0,
                                        static_cast<int32_t>(limits.initial_window_bytes));
}

Http2Session::~Http2Session() { nghttp2_session_del(impl_->session); }

bool Http2Session::Receive(std::string_view bytes) {
  Impl& impl = *impl_;
  if (impl.failed) return false;
  ssize_t used = nghttp2_session_mem_recv(impl.session, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  if (used < 0) {
    if (!impl.abuse.empty()) {
      impl.Fail(NGHTTP2_ENHANCE_YOUR_CALM, impl.abuse);
    } else if (used == NGHTTP2_ERR_FLOODED || used == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS) {
      impl.Fail(NGHTTP2_ENHANCE_YOUR_CALM, nghttp2_strerror(static_cast<int>(used)));
    } else {
      impl.Fail(NGHTTP2_PROTOCOL_ERROR, nghttp2_strerror(static_cast<int>(used)));
    }
    return false;
  }
  // The client's GOAWAY left nothing to answer. (A protocol error nghttp2
  // finds itself queues its GOAWAY: Finished turns true once it is sent.)
  return nghttp2_session_want_read(impl.session) != 0;
}

void Http2Session::Output(std::string* out, size_t max) {
  Impl& impl = *impl_;
  size_t room = max;
  size_t n = std::min(room, impl.pending.size());
  out->append(impl.pending, 0, n);
  impl.pending.erase(0, n);
  room -= n;
  while (room > 0) {
    const uint8_t* data = nullptr;
    ssize_t length = nghttp2_session_mem_send(impl.session, &data);
    if (length <= 0) {
      if (length < 0 && impl.error.empty()) impl.error = nghttp2_strerror(static_cast<int>(length));
      if (length < 0) impl.failed = true;
      return;
    }
    auto bytes = std::string_view(reinterpret_cast<const char*>(data), static_cast<size_t>(length));
    n = std::min(room, bytes.size());
    out->append(bytes.substr(0, n));
    impl.pending.assign(bytes.substr(n));
    room -= n;
  }
}

bool Http2Session::WantsWrite() const {
  return !impl_->pending.empty() || nghttp2_session_want_write(impl_->session) != 0;
}

bool Http2Session::Finished() const {
  if (WantsWrite()) return false;
  return impl_->failed || nghttp2_session_want_read(impl_->session) == 0;
}

void Http2Session::Shutdown() {
  Impl& impl = *impl_;
  if (impl.shut_down || impl.failed) return;
  impl.shut_down = true;
  nghttp2_submit_goaway(impl.session, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(impl.session),
                        NGHTTP2_NO_ERROR, nullptr, 0);
}

size_t Http2Session::OpenStreams() const { return impl_->streams.size(); }

bool Http2Session::Complete(int32_t stream_id, HttpResponse response) {
  Stream* stream = impl_->Find(stream_id);
  if (stream == nullptr || !stream->deferred || impl_->failed) return false;
  impl_->Answer(stream, stream_id, std::move(response));
  return true;
}

bool Http2Session::CompleteHead(int32_t stream_id, HttpResponse head) {
  Stream* stream = impl_->Find(stream_id);
  if (stream == nullptr || !stream->deferred || impl_->failed) return false;
  impl_->Answer(stream, stream_id, std::move(head), /*streaming=*/true);
  return true;
}

bool Http2Session::AppendBody(int32_t stream_id, std::string_view bytes, bool end) {
  Impl& impl = *impl_;
  Stream* stream = impl.Find(stream_id);
  if (stream == nullptr || !stream->streaming || stream->stream_end || impl.failed) return false;
  stream->streamed.append(bytes);
  impl.streamed_bytes += bytes.size();
  stream->stream_end = end;
  if (stream->data_waiting && (!bytes.empty() || end)) {
    stream->data_waiting = false;
    nghttp2_session_resume_data(impl.session, stream_id);
  }
  return true;
}

size_t Http2Session::PendingBody(int32_t stream_id) const {
  Stream* stream = impl_->Find(stream_id);
  return stream == nullptr ? 0 : stream->streamed.size();
}

size_t Http2Session::BufferedBytes() const {
  return impl_->held_bytes + impl_->streamed_bytes + impl_->pending.size();
}

const std::string& Http2Session::error() const { return impl_->error; }

void Http2Session::SetClock(std::function<int64_t()> micros) { impl_->clock = std::move(micros); }

}  // namespace npsbundle
