// NginxServer: config generation and the nginx process (foreground, single
// process: nothing to leak if a test dies, and it runs fine as any user).
#include "tests/support/nginx_server.h"

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/process.hpp>

#include "tests/support/ports.h"
#include "tests/support/temp_dir.h"

namespace greenlight::test {

namespace bp = boost::process;
using namespace std::chrono_literals;

namespace {

constexpr const char* kNginx = "/usr/sbin/nginx";

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string make_config(const std::string& dir, unsigned short port, const std::string& server_body,
                        const NginxOptions& o) {
  std::string p = std::to_string(port);
  std::ostringstream c;
  c << "worker_processes 1;\n"
    << "master_process off;\n"
    << "pid " << dir << "/nginx.pid;\n"
    << "error_log " << dir << "/error.log info;\n"
    << "events { worker_connections 1024; }\n"
    << "http {\n"
    << "  include /etc/nginx/mime.types;\n"
    << "  default_type application/octet-stream;\n"
    << "  access_log " << dir << "/access.log;\n"
    << "  client_body_temp_path " << dir << "/tmp/body;\n"
    << "  proxy_temp_path " << dir << "/tmp/proxy;\n"
    << "  fastcgi_temp_path " << dir << "/tmp/fastcgi;\n"
    << "  uwsgi_temp_path " << dir << "/tmp/uwsgi;\n"
    << "  scgi_temp_path " << dir << "/tmp/scgi;\n"
    << replace_all(o.http_directives, "{PORT}", p) << "\n"
    << "  server {\n"
    << "    listen 127.0.0.1:" << p << (o.tls ? " ssl" : "") << ";\n"
    << "    server_name localhost;\n";
  if (o.tls) {
    c << "    ssl_certificate " << o.cert_path << ";\n"
      << "    ssl_certificate_key " << o.key_path << ";\n"
      << "    ssl_protocols " << o.ssl_protocols << ";\n";
  }
  c << replace_all(server_body, "{PORT}", p) << "\n"
    << "  }\n"
    << "}\n";
  return c.str();
}

}  // namespace

struct NginxServer::Child {
  bp::child process;
};

NginxServer::NginxServer(const std::string& server_body, NginxOptions options)
    : dir_(std::make_unique<TempDir>("greenlight-nginx")), port_(free_port()), tls_(options.tls) {
  std::filesystem::create_directories(dir_->file("tmp"));
  {
    std::ofstream conf(conf_path());
    conf << make_config(dir_->path(), port_, server_body, options);
  }
  child_ = std::make_unique<Child>();
  child_->process = bp::child(kNginx, "-c", conf_path(), "-p", dir_->path(), "-e", dir_->file("error.log"), "-g",
                              "daemon off;", bp::std_in < bp::null, bp::std_out > dir_->file("stdout"),
                              bp::std_err > dir_->file("stderr"));

  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!wait_for_port(port_, 50ms)) {
    if (!child_->process.running() || std::chrono::steady_clock::now() > deadline) {
      std::string why = child_->process.running() ? "did not accept within 10 s" : "exited";
      stop();
      throw std::runtime_error("nginx " + why + " (port " + std::to_string(port_) + "); error.log: " + error_log() +
                               "; stderr: " + slurp(dir_->file("stderr")) + "; config:\n" + slurp(conf_path()));
    }
  }
}

NginxServer::~NginxServer() {
  try {
    stop();
  } catch (...) {
  }
}

void NginxServer::stop() {
  if (!child_) return;
  bp::child& p = child_->process;
  if (p.running()) {
    ::kill(p.id(), SIGTERM);  // fast shutdown: tests do not need in-flight requests finished
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (p.running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    if (p.running()) p.terminate();
  }
  p.wait();
  child_.reset();
}

std::string NginxServer::url() const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_);
}

const std::string& NginxServer::dir() const { return dir_->path(); }
std::string NginxServer::conf_path() const { return dir_->file("nginx.conf"); }
std::string NginxServer::error_log() const { return slurp(dir_->file("error.log")); }

}  // namespace greenlight::test
