// Runs a real nginx for tests: a private prefix under a TempDir, loopback
// only, no root privileges needed, stopped by the destructor. Header-only
// because tests/support/ holds helpers shared by several test files.
#ifndef NPSBUNDLE_TESTS_SUPPORT_NGINX_HARNESS_H_
#define NPSBUNDLE_TESTS_SUPPORT_NGINX_HARNESS_H_

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "support/test_support.h"

extern char** environ;

namespace npsbundle::testing {

// The installed nginx binary, or empty when there is none (Debian puts it in
// /usr/sbin, which a normal user's PATH may lack).
inline std::string FindNginx() {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::string all = path;
    for (size_t start = 0, end; start <= all.size(); start = end + 1) {
      end = all.find(':', start);
      if (end == std::string::npos) end = all.size();
      dirs.push_back(all.substr(start, end - start));
    }
  }
  for (const char* dir : {"/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin"}) {
    dirs.push_back(dir);
  }
  for (const std::string& dir : dirs) {
    std::string candidate = dir + "/nginx";
    if (!dir.empty() && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// Debian's libnginx-mod-http-brotli-static. Loaded by absolute path: a
// relative load_module resolves against the -p prefix, which is a TempDir.
inline constexpr const char* kBrotliStaticModule =
    "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so";

// A loopback port that was free a moment ago.
inline int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

inline bool CanConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// One response as it came off the wire. Header names are lower-cased; a
// header sent several times appears several times, in order.
struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // Every value of `name`, joined with ", " (how RFC 9110 combines fields).
  std::optional<std::string> Header(const std::string& name) const {
    std::optional<std::string> value;
    for (const auto& [key, v] : headers) {
      if (key != name) continue;
      value = value ? *value + ", " + v : v;
    }
    return value;
  }
};

// Sends one request over a fresh connection ("Connection: close") and reads
// the whole response. Raw bytes, so an empty or missing Accept-Encoding is
// exactly what the server sees (an HTTP client library adds its own).
inline HttpResponse Fetch(int port, const std::string& method, const std::string& target,
                          const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("cannot connect to port " + std::to_string(port));
  }
  std::string request = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) request += name + ": " + value + "\r\n";
  request += "Connection: close\r\n\r\n";
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    close(fd);
    throw std::runtime_error("cannot send request");
  }
  std::string raw;
  char buffer[65536];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof buffer, 0)) > 0) raw.append(buffer, static_cast<size_t>(n));
  close(fd);

  HttpResponse response;
  size_t head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos || raw.compare(0, 9, "HTTP/1.1 ") != 0) {
    throw std::runtime_error("malformed response to " + target + ": " + raw.substr(0, 200));
  }
  response.status = std::stoi(raw.substr(9, 3));
  size_t line_start = raw.find("\r\n") + 2;
  while (line_start < head_end) {
    size_t line_end = raw.find("\r\n", line_start);
    std::string line = raw.substr(line_start, line_end - line_start);
    size_t colon = line.find(':');
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    size_t value_start = line.find_first_not_of(" \t", colon + 1);
    response.headers.emplace_back(name,
                                  value_start == std::string::npos ? "" : line.substr(value_start));
    line_start = line_end + 2;
  }
  std::string body = raw.substr(head_end + 4);
  if (method == "HEAD" || response.status == 304 || response.status == 204) {
    body.clear();
  } else if (std::optional<std::string> te = response.Header("transfer-encoding");
             te && te->find("chunked") != std::string::npos) {
    std::string decoded;
    size_t pos = 0;
    while (pos < body.size()) {
      size_t size_end = body.find("\r\n", pos);
      size_t size = std::stoul(body.substr(pos, size_end - pos), nullptr, 16);
      if (size == 0) break;
      decoded += body.substr(size_end + 2, size);
      pos = size_end + 2 + size + 2;
    }
    body = decoded;
  } else if (std::optional<std::string> length = response.Header("content-length")) {
    body = body.substr(0, std::stoul(*length));
  }
  response.body = std::move(body);
  return response;
}

// A child process (nginx, npsbundle serve) that is stopped and reaped when
// the object goes away, so a failing test never leaks a server.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& output_path) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  }
  ~ChildProcess() { Stop(); }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // True while the process has not exited.
  bool Running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return false;
    }
    return true;
  }

  // SIGTERM, up to 5 s to exit, then SIGKILL.
  void Stop() {
    if (!Running()) return;
    kill(pid_, SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Running()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// An nginx prefix: conf/nginx.conf with everything (pid, logs, temp files)
// inside the TempDir, the nginx-snippets installed under snippets/, and
// mime.types beside nginx.conf where "include mime.types;" looks for it.
class NginxPrefix {
 public:
  explicit NginxPrefix(std::string nginx) : nginx_(std::move(nginx)) {
    namespace fs = std::filesystem;
    fs::create_directories(dir_.path() / "conf");
    fs::create_directories(dir_.path() / "tmp");
    fs::copy_file("/etc/nginx/mime.types", dir_.path() / "conf" / "mime.types");
    // The snippets name each other by their install path; point that here.
    std::string source = std::string(NPSBUNDLE_SOURCE_DIR) + "/nginx-snippets";
    for (const auto& entry : fs::directory_iterator(source)) {
      if (entry.path().extension() != ".conf") continue;
      std::string text = ReadFile(entry.path().string());
      for (size_t at; (at = text.find(kInstallDir)) != std::string::npos;) {
        text.replace(at, std::string_view(kInstallDir).size(), snippets_dir());
      }
      WriteFile(snippets_dir() + "/" + entry.path().filename().string(), text);
    }
  }

  static constexpr const char* kInstallDir = "/etc/nginx/snippets/npsbundle";

  std::string path() const { return dir_.path().string(); }
  std::string snippets_dir() const { return dir_ / "snippets/npsbundle"; }
  std::string conf_path() const { return dir_ / "conf/nginx.conf"; }
  std::string error_log() const { return dir_ / "error.log"; }

  // Writes conf/nginx.conf: a main context with the brotli module and every
  // path inside the prefix, and `http_body` inside http {}.
  void WriteConfig(const std::string& http_body) const {
    std::string p = path();
    std::string conf;
    conf += "load_module " + std::string(kBrotliStaticModule) + ";\n";
    // One process, no user switch: the workers need no access rights
    // beyond the test's own, and stopping it is one signal to one pid.
    conf += "master_process off;\ndaemon off;\n";
    conf += "pid " + p + "/nginx.pid;\n";
    conf += "error_log " + p + "/error.log warn;\n";
    conf += "events { worker_connections 64; }\n";
    conf += "http {\n";
    conf += "access_log off;\n";
    for (const char* temp : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"}) {
      conf += std::string(temp) + "_temp_path " + p + "/tmp/" + temp + ";\n";
    }
    conf += "default_type application/octet-stream;\n";
    conf += http_body;
    conf += "\n}\n";
    WriteFile(conf_path(), conf);
  }

  std::vector<std::string> Command(bool test_only) const {
    std::vector<std::string> argv{nginx_};
    if (test_only) argv.push_back("-t");
    for (const std::string& arg : {std::string("-p"), path() + "/", std::string("-c"), conf_path(),
                                   std::string("-e"), error_log()}) {
      argv.push_back(arg);
    }
    return argv;
  }

  // `nginx -t` on the current config.
  CommandResult Test() const { return Run(Command(true)); }

 private:
  std::string nginx_;
  TempDir dir_;
};

// Starts nginx with `prefix`'s config and waits up to 5 s for `ready()`;
// nullptr when nginx exited first (another process took its port) or never
// became ready.
template <typename Ready>
std::unique_ptr<ChildProcess> StartNginx(const NginxPrefix& prefix, Ready ready) {
  auto process = std::make_unique<ChildProcess>(prefix.Command(false), prefix.path() + "/stderr.log");
  for (int i = 0; i < 500 && process->Running(); ++i) {
    if (ready()) return process;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return nullptr;
}
// `npsbundle serve` on a folder, stopped with the object: the reference
// every real server (nginx, Caddy) is compared with.
class LiveServe {
 public:
  explicit LiveServe(const std::string& root, const std::vector<std::string>& extra_args) {
    // Every variant before the first response, as a real server has its siblings.
    std::vector<std::string> argv{NPSBUNDLE_BINARY, "serve", root, "--port", "0", "--quiet", "--precompress=wait"};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<ChildProcess>(argv, output_ / "serve.log");
    // The start-up line names the URL: "npsbundle serve: http://127.0.0.1:PORT/".
    const std::string marker = "http://127.0.0.1:";
    // Up to 60 s: serve compresses the build in memory first (brotli 11),
    // which on a large app and a busy machine takes a while.
    for (int i = 0; i < 6000 && port_ == 0; ++i) {
      std::string log = std::filesystem::exists(output_ / "serve.log") ? ReadFile(output_ / "serve.log") : "";
      size_t at = log.find(marker);
      if (at != std::string::npos && log.find('/', at + marker.size()) != std::string::npos) {
        port_ = std::stoi(log.substr(at + marker.size()));
      } else if (!process_->Running()) {
        break;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    INFO(ReadFile(output_ / "serve.log"));
    REQUIRE(port_ != 0);
  }
  int port() const { return port_; }

 private:
  TempDir output_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace npsbundle::testing

#endif  // NPSBUNDLE_TESTS_SUPPORT_NGINX_HARNESS_H_
