#include "serve.h"

#include <httplib.h>
#include <strings.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>

#include "error.h"

namespace npsbundle {
namespace {

// Worker threads. cpp-httplib holds a thread per open connection for as long
// as it is kept alive, and a browser opens six; a few dozen idle threads cost
// little and keep a handful of slow clients from starving the rest.
constexpr size_t kWorkerThreads = 32;
constexpr time_t kTimeoutSeconds = 5;
constexpr size_t kKeepAliveRequests = 1000;
constexpr size_t kMaxPayloadBytes = 64 * 1024;  // GET and HEAD carry none

// Per-thread start time of the request being handled, for the access log
// (the library's logger hook runs on the same thread after the body is sent).
thread_local std::chrono::steady_clock::time_point t_request_start;
thread_local bool t_request_timed = false;

void StartTimer() {
  t_request_start = std::chrono::steady_clock::now();
  t_request_timed = true;
}

HttpRequest ToHttpRequest(const httplib::Request& req, bool drop_range) {
  HttpRequest request;
  request.method = req.method;
  request.target = req.target;
  for (const auto& [name, value] : req.headers) {
    if (drop_range && strcasecmp(name.c_str(), "Range") == 0) continue;
    request.headers.emplace_back(name, value);
  }
  return request;
}

// Copies a handler response onto the library's response object.
void Apply(HttpResponse response, const std::shared_ptr<const StaticIndex>& index,
           httplib::Response& res) {
  res.status = response.status;
  res.headers.clear();
  // RFC 9110 §6.6.1: an origin server with a clock sends Date; the library
  // does not. The handler stays free of clocks, so it is added here.
  res.headers.emplace("Date", FormatHttpDate(static_cast<int64_t>(std::time(nullptr))));
  std::string content_type;
  for (auto& [name, value] : response.headers) {
    if (name == "Content-Type") {
      content_type = value;
    } else {
      res.headers.emplace(name, value);
    }
  }
  std::string_view payload = response.payload();
  if (response.send_body && !payload.empty()) {
    // A sized provider is the one body form the library passes through
    // untouched: set_content bodies get compressed again whenever the
    // Accept-Encoding field merely contains "gzip" or "br".
    std::shared_ptr<const std::string> owned;
    if (!response.owned_body.empty()) {
      owned = std::make_shared<const std::string>(std::move(response.owned_body));
      payload = *owned;
    }
    res.set_content_provider(
        payload.size(), content_type,
        [index, owned, payload](size_t offset, size_t length, httplib::DataSink& sink) {
          return sink.write(payload.data() + offset, length);
        });
  } else {
    // HEAD and 304: the length of the body a GET would get. Left unset, the
    // library writes "Content-Length: 0", which RFC 9110 §8.6 forbids here.
    if (!content_type.empty()) res.headers.emplace("Content-Type", content_type);
    res.headers.emplace("Content-Length", std::to_string(response.content_length));
  }
}

std::string Printable(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 2048)) {
    unsigned char byte = static_cast<unsigned char>(c);
    out += byte < 0x21 || byte >= 0x7F ? '?' : c;
  }
  return out;
}

std::string StatusText(int status) {
  switch (status) {
    case 400: return "400 bad request\n";
    case 404: return "404 not found\n";
    case 413: return "413 payload too large\n";
    case 414: return "414 uri too long\n";
    case 431: return "431 request header fields too large\n";
    default: return std::to_string(status) + " error\n";
  }
}

}  // namespace

std::string NormalizeBase(const std::string& base) {
  std::string trimmed = base;
  if (trimmed.find("://") != std::string::npos || trimmed.find_first_of("?#\\") != std::string::npos) {
    throw InputError("--base " + base + ": expected a path such as /app/");
  }
  std::string out = "/";
  size_t pos = 0;
  while (pos <= trimmed.size()) {
    size_t slash = trimmed.find('/', pos);
    if (slash == std::string::npos) slash = trimmed.size();
    std::string segment = trimmed.substr(pos, slash - pos);
    pos = slash + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") throw InputError("--base " + base + ": \"..\" is not allowed");
    out += segment + "/";
  }
  return out;
}

std::shared_ptr<const StaticIndex> IndexForServe(const BundleSource& source,
                                                 const ServeOptions& options, IndexReport* report) {
  IndexOptions index_options;
  index_options.levels = options.levels;
  index_options.base = options.base;
  index_options.routes = options.routes;
  index_options.serve_maps = options.serve_maps;
  return std::make_shared<const StaticIndex>(StaticIndex::Build(source, index_options, report));
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

struct StaticServer::Impl {
  Impl(const ServeOptions& options_in, std::FILE* log_in)
      : options(options_in), log(options_in.quiet ? nullptr : log_in) {}

  void Configure();
  void Log(const httplib::Request& req, const httplib::Response& res);

  std::shared_ptr<const StaticIndex> index;
  ServeOptions options;
  std::unique_ptr<RequestHandler> handler;  // set before Run
  std::FILE* log;
  std::mutex log_mutex;
  httplib::Server server;
  std::thread thread;
  socket_t listen_fd = -1;
};

void StaticServer::Impl::Configure() {
  server.new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
  // The library's default also sets SO_REUSEPORT, which lets a second server
  // bind a port that is already in use and silently share its traffic.
  server.set_socket_options([this](socket_t sock) {
    listen_fd = sock;
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  // Off by default in this library: every keep-alive response whose headers
  // and body go out in two writes then waits ~40 ms for a delayed ACK.
  server.set_tcp_nodelay(true);
  server.set_keep_alive_max_count(kKeepAliveRequests);  // default 5
  server.set_keep_alive_timeout(kTimeoutSeconds);
  server.set_read_timeout(kTimeoutSeconds, 0);
  server.set_write_timeout(kTimeoutSeconds, 0);
  server.set_payload_max_length(kMaxPayloadBytes);

  // Everything is answered here, before the library's regex router and its
  // file serving (which reads whole files, sends no ETag and matches mount
  // points without a segment boundary).
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    StartTimer();
    // The library parsed Range before this hook and would slice the body a
    // second time; the handler has already applied it.
    const_cast<httplib::Request&>(req).ranges.clear();
    Apply(handler ? handler->Handle(ToHttpRequest(req, false))
                  : TextResponse(503, "503 the build is still being indexed\n"),
          index, res);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Errors the library produces itself (malformed request line, URI too
  // long, a Range it cannot parse) never reach the hook above. They get the
  // same plain body and nosniff; an unparsable Range is ignored, as RFC 9110
  // §14.2 allows, and the request is answered normally.
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [this](const httplib::Request& req, httplib::Response& res) {
    if (res.has_header("X-Content-Type-Options")) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status == 416 && req.has_header("Range") && !req.method.empty() && handler) {
      StartTimer();
      const_cast<httplib::Request&>(req).ranges.clear();
      Apply(handler->Handle(ToHttpRequest(req, true)), index, res);
      return httplib::Server::HandlerResponse::Handled;
    }
    int status = res.status >= 400 ? res.status : 400;
    Apply(TextResponse(status, StatusText(status)), index, res);
    return httplib::Server::HandlerResponse::Handled;
  }));
  server.set_logger([this](const httplib::Request& req, const httplib::Response& res) { Log(req, res); });
}

void StaticServer::Impl::Log(const httplib::Request& req, const httplib::Response& res) {
  bool timed = t_request_timed;
  t_request_timed = false;
  if (!log) return;
  long long micros = timed ? std::chrono::duration_cast<std::chrono::microseconds>(
                                 std::chrono::steady_clock::now() - t_request_start)
                                 .count()
                           : 0;
  bool has_body = req.method != "HEAD" && res.status != 304;
  size_t bytes = !has_body ? 0 : res.content_provider_ ? res.content_length_ : res.body.size();
  std::string encoding = res.get_header_value("Content-Encoding");
  char line[2400];
  int n = std::snprintf(line, sizeof line, "%s %s %d %s %zu %lldus\n",
                        req.method.empty() ? "-" : Printable(req.method).c_str(),
                        req.target.empty() ? "-" : Printable(req.target).c_str(), res.status,
                        encoding.empty() ? "identity" : encoding.c_str(), bytes, micros);
  std::lock_guard<std::mutex> lock(log_mutex);
  std::fwrite(line, 1, static_cast<size_t>(std::min<int>(n, sizeof line - 1)), log);
  std::fflush(log);
}

StaticServer::StaticServer(const ServeOptions& options, std::FILE* log)
    : impl_(std::make_unique<Impl>(options, log)) {
  impl_->Configure();
}

StaticServer::StaticServer(std::shared_ptr<const StaticIndex> index, const ServeOptions& options,
                           std::FILE* log)
    : StaticServer(options, log) {
  SetIndex(std::move(index));
}

void StaticServer::SetIndex(std::shared_ptr<const StaticIndex> index) {
  impl_->index = std::move(index);
  impl_->handler = std::make_unique<RequestHandler>(
      impl_->index, HandlerOptions{impl_->options.base, impl_->options.spa});
}

StaticServer::~StaticServer() {
  Stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

int StaticServer::Bind() {
  const ServeOptions& options = impl_->options;
  errno = 0;
  int port = options.port == 0 ? impl_->server.bind_to_any_port(options.host)
                               : (impl_->server.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port < 0) {
    int error = errno;
    std::string address = options.host + ":" + std::to_string(options.port);
    std::string why = error == EADDRINUSE ? "address already in use (another server? try --port 0)"
                      : error == EACCES   ? "permission denied (ports below 1024 need privileges)"
                      : error == EADDRNOTAVAIL ? "no such address on this machine"
                                               : "cannot resolve or bind that host";
    throw InputError(address + ": cannot listen: " + why);
  }
  // The packaged library listens with a backlog of 5: a burst of new
  // connections overflows it and the dropped SYNs are retried after 1 s.
  if (impl_->listen_fd >= 0) ::listen(impl_->listen_fd, SOMAXCONN);
  port_ = port;
  return port;
}

void StaticServer::Run() { impl_->server.listen_after_bind(); }

int StaticServer::Start() {
  int port = Bind();
  impl_->thread = std::thread([this] { Run(); });
  // Bounded wait: listen_after_bind flips is_running almost at once.
  for (int i = 0; i < 5000 && !impl_->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port;
}

void StaticServer::Stop() { impl_->server.stop(); }

std::string StaticServer::url() const {
  std::string host = impl_->options.host;
  if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
  return "http://" + host + ":" + std::to_string(port_) + impl_->options.base;
}

}  // namespace npsbundle
