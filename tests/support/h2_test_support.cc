#include "support/h2_test_support.h"

#include <algorithm>
#include <stdexcept>

namespace npsbundle::testing {
namespace {

void AppendBigEndian(uint64_t value, int bytes, std::string* out) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out->push_back(static_cast<char>((value >> shift) & 0xff));
}

uint64_t ReadBigEndian(std::string_view bytes) {
  uint64_t value = 0;
  for (char c : bytes) value = (value << 8) | static_cast<uint8_t>(c);
  return value;
}

nghttp2_nv Nv(const std::string& name, const std::string& value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

std::string H2Frame(uint8_t type, uint8_t flags, uint32_t stream_id, std::string_view payload) {
  std::string frame;
  AppendBigEndian(payload.size(), 3, &frame);
  frame.push_back(static_cast<char>(type));
  frame.push_back(static_cast<char>(flags));
  AppendBigEndian(stream_id & 0x7fffffff, 4, &frame);
  frame.append(payload);
  return frame;
}

std::string H2ClientStart() { return std::string(kH2Preface) + H2Settings(); }

std::string H2RstStream(uint32_t stream_id, uint32_t error_code) {
  std::string payload;
  AppendBigEndian(error_code, 4, &payload);
  return H2Frame(NGHTTP2_RST_STREAM, 0, stream_id, payload);
}

std::string H2Ping(uint64_t data) {
  std::string payload;
  AppendBigEndian(data, 8, &payload);
  return H2Frame(NGHTTP2_PING, 0, 0, payload);
}

std::string H2Settings(const std::vector<std::pair<uint16_t, uint32_t>>& entries) {
  std::string payload;
  for (const auto& [id, value] : entries) {
    AppendBigEndian(id, 2, &payload);
    AppendBigEndian(value, 4, &payload);
  }
  return H2Frame(NGHTTP2_SETTINGS, 0, 0, payload);
}

std::string HpackInteger(uint64_t value, int prefix_bits, uint8_t first_byte_flags) {
  std::string out;
  uint64_t max_prefix = (1u << prefix_bits) - 1;
  if (value < max_prefix) {
    out.push_back(static_cast<char>(first_byte_flags | value));
    return out;
  }
  out.push_back(static_cast<char>(first_byte_flags | max_prefix));
  value -= max_prefix;
  while (value >= 128) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string HpackLiteral(std::string_view name, std::string_view value, bool index) {
  std::string out = index ? std::string(1, '\x40') : std::string(1, '\x00');
  out += HpackInteger(name.size(), 7, 0);
  out += name;
  out += HpackInteger(value.size(), 7, 0);
  out += value;
  return out;
}

std::string HpackIndexed(uint64_t index) { return HpackInteger(index, 7, 0x80); }

std::string HpackGet(std::string_view path) {
  // Static table (RFC 7541 Appendix A): 2 ":method GET", 7 ":scheme https".
  return HpackIndexed(2) + HpackIndexed(7) + HpackLiteral(":path", path) + HpackLiteral(":authority", "localhost");
}

std::vector<H2FrameSeen> H2ParseFrames(std::string_view bytes) {
  std::vector<H2FrameSeen> frames;
  while (bytes.size() >= 9) {
    size_t length = ReadBigEndian(bytes.substr(0, 3));
    if (bytes.size() < 9 + length) break;
    H2FrameSeen frame;
    frame.type = static_cast<uint8_t>(bytes[3]);
    frame.flags = static_cast<uint8_t>(bytes[4]);
    frame.stream_id = static_cast<uint32_t>(ReadBigEndian(bytes.substr(5, 4)) & 0x7fffffff);
    frame.payload = bytes.substr(9, length);
    frames.push_back(std::move(frame));
    bytes.remove_prefix(9 + length);
  }
  return frames;
}

int64_t H2GoawayCode(const std::vector<H2FrameSeen>& frames) {
  for (const H2FrameSeen& frame : frames) {
    if (frame.type == NGHTTP2_GOAWAY && frame.payload.size() >= 8) {
      return static_cast<int64_t>(ReadBigEndian(std::string_view(frame.payload).substr(4, 4)));
    }
  }
  return -1;
}

std::string H2Response::Header(std::string_view name) const {
  for (const auto& [field, value] : headers) {
    if (field == name) return value;
  }
  return "";
}

size_t H2Response::Count(std::string_view name) const {
  return static_cast<size_t>(
      std::count_if(headers.begin(), headers.end(), [&](const auto& field) { return field.first == name; }));
}

void H2Client::Install(nghttp2_session_callbacks* callbacks) {
  nghttp2_session_callbacks_set_on_header_callback(
      callbacks, [](nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t name_length,
                    const uint8_t* value, size_t value_length, uint8_t, void* user) {
        H2Response& response = static_cast<H2Client*>(user)->responses_[frame->hd.stream_id];
        std::string field(reinterpret_cast<const char*>(name), name_length);
        std::string text(reinterpret_cast<const char*>(value), value_length);
        if (field == ":status") {
          response.statuses.push_back(std::stoi(text));
        } else if (!response.statuses.empty() && response.statuses.back() / 100 == 1) {
          if (field == "link") response.hint_links.push_back(text);
        } else {
          response.headers.emplace_back(field, text);
        }
        return 0;
      });
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(
      callbacks, [](nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t length, void* user) {
        static_cast<H2Client*>(user)->responses_[stream_id].body.append(reinterpret_cast<const char*>(data), length);
        return 0;
      });
  nghttp2_session_callbacks_set_on_stream_close_callback(
      callbacks, [](nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user) {
        H2Response& response = static_cast<H2Client*>(user)->responses_[stream_id];
        response.closed = true;
        response.close_error = error_code;
        return 0;
      });
  nghttp2_session_callbacks_set_on_frame_recv_callback(
      callbacks, [](nghttp2_session*, const nghttp2_frame* frame, void* user) {
        auto* client = static_cast<H2Client*>(user);
        if (frame->hd.type == NGHTTP2_SETTINGS && !(frame->hd.flags & NGHTTP2_FLAG_ACK)) {
          for (size_t i = 0; i < frame->settings.niv; ++i) {
            client->settings_[static_cast<uint16_t>(frame->settings.iv[i].settings_id)] = frame->settings.iv[i].value;
          }
        } else if (frame->hd.type == NGHTTP2_GOAWAY) {
          client->goaway_ = true;
          client->goaway_code_ = frame->goaway.error_code;
        }
        return 0;
      });
}

H2Client::H2Client() {
  nghttp2_session_callbacks* callbacks;
  nghttp2_session_callbacks_new(&callbacks);
  Install(callbacks);
  nghttp2_session_client_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
}

H2Client::~H2Client() { nghttp2_session_del(session_); }

int32_t H2Client::Request(std::string_view method, std::string_view path,
                          const std::vector<std::pair<std::string, std::string>>& fields, std::string body) {
  std::vector<std::pair<std::string, std::string>> all = {
      {":method", std::string(method)}, {":scheme", "https"}, {":path", std::string(path)}, {":authority", "localhost"}};
  all.insert(all.end(), fields.begin(), fields.end());
  std::vector<nghttp2_nv> nva;
  for (const auto& [name, value] : all) nva.push_back(Nv(name, value));
  if (body.empty()) {
    return nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), nullptr, nullptr);
  }
  auto owned = std::make_unique<Body>();
  owned->data = std::move(body);
  nghttp2_data_provider provider{};
  provider.source.ptr = owned.get();
  provider.read_callback = [](nghttp2_session*, int32_t, uint8_t* buffer, size_t length, uint32_t* flags,
                              nghttp2_data_source* source, void*) -> ssize_t {
    auto* pending = static_cast<Body*>(source->ptr);
    size_t n = std::min(length, pending->data.size() - pending->sent);
    std::copy_n(pending->data.data() + pending->sent, n, buffer);
    pending->sent += n;
    if (pending->sent == pending->data.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  };
  int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), &provider, nullptr);
  bodies_[id] = std::move(owned);
  return id;
}

void H2Client::Reset(int32_t stream_id) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL);
}

std::string H2Client::Output() {
  std::string out;
  for (;;) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  return out;
}

bool H2Client::Receive(std::string_view bytes) {
  return nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) >= 0;
}

H2TestHandler::H2TestHandler() : big_(200 * 1024, 'x') {
  for (size_t i = 0; i < big_.size(); i += 97) big_[i] = static_cast<char>('a' + i % 26);
}

HttpResponse H2TestHandler::Handle(const HttpRequest& request) const {
  last_request_ = request;
  HttpResponse response;
  if (request.method == "POST") {
    response.status = 405;
    response.owned_body = "no";
  } else if (request.target == "/big") {
    response.body = big_;
  } else if (request.target == "/304") {
    response.status = 304;
    response.send_body = false;
    response.content_length = 5;
    return response;
  } else {
    response.body = "hello";
    response.headers = {{"Content-Encoding", "br"}, {"X-Test", "yes"}, {"Connection", "keep-alive"},
                        {"Transfer-Encoding", "chunked"}, {"Content-Length", "999"}};
    if (request.target == "/hints") {
      response.early_hints = {"</a.js>; rel=modulepreload; crossorigin", "</b.css>; rel=preload; as=style"};
    }
  }
  response.content_length = response.payload().size();
  return response;
}

HttpResponse H2TestHandler::Refuse(int status) const {
  HttpResponse response;
  response.status = status;
  response.owned_body = "refused " + std::to_string(status);
  response.content_length = response.owned_body.size();
  return response;
}

bool H2TestHandler::Claims(const HttpRequest& request) const { return request.target.rfind("/api/", 0) == 0; }

H2Fixture::H2Fixture(const Http2Limits& limits, bool with_defer)
    : log_function([this](const ServedRequest& served) {
        log.push_back({std::string(served.method), std::string(served.target), served.status,
                       std::string(served.encoding), served.body_bytes});
      }),
      session(handler, limits, log_function,
              with_defer ? Http2Session::DeferFunction([this](int32_t id, HttpRequest request, std::string body) {
                deferred.push_back({id, std::move(request), std::move(body)});
              })
                         : Http2Session::DeferFunction()) {}

void H2Fixture::Pump(size_t chunk) {
  for (int round = 0; round < 100'000; ++round) {
    std::string up = client.Output();
    if (!up.empty()) session.Receive(up);
    std::string down;
    session.Output(&down, chunk);
    max_buffered = std::max(max_buffered, session.BufferedBytes());
    if (!down.empty()) client.Receive(down);
    if (up.empty() && down.empty()) return;
  }
  throw std::runtime_error("h2 test: the session and client never settled");
}

std::vector<H2FrameSeen> H2Fixture::DrainFrames() {
  std::string out;
  while (session.WantsWrite()) {
    size_t before = out.size();
    session.Output(&out, 1 << 20);
    if (out.size() == before) break;
  }
  return H2ParseFrames(out);
}

}  // namespace npsbundle::testing
