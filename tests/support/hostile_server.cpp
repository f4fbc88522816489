// The hostile target's modes; see hostile_server.h.
#include "tests/support/hostile_server.h"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <unistd.h>

namespace greenlight::test {

namespace {

constexpr int kTickMs = 50;
constexpr size_t kBlock = 64 * 1024;
constexpr uint64_t kHugeBodyBytes = 10737418240ULL;  // 10 GiB
constexpr int kSeries = 1'000'000;

}  // namespace

const char* HostileServer::name(Mode mode) {
  switch (mode) {
    case Mode::endless_body: return "endless body";
    case Mode::endless_headers: return "endless headers";
    case Mode::huge_body: return "10 GB body";
    case Mode::bad_chunked: return "invalid chunked encoding";
    case Mode::silent: return "never answers";
    case Mode::reset_mid_body: return "reset mid-response";
    case Mode::million_series: return "a million series";
  }
  return "?";
}

HostileServer::HostileServer(Mode mode) : mode_(mode) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 512) != 0 || ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (listen_fd_ >= 0) ::close(listen_fd_);
    throw std::runtime_error("HostileServer: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

HostileServer::~HostileServer() {
  stop_ = true;
  acceptor_.join();
  std::list<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    workers.swap(workers_);
  }
  for (std::thread& t : workers) t.join();
  ::close(listen_fd_);
}

std::string HostileServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

void HostileServer::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kTickMs) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) continue;
    ++connections_;
    std::lock_guard<std::mutex> lock(mutex_);
    workers_.emplace_back([this, fd] { serve(fd); });
  }
}

bool HostileServer::pause(int ms) {
  for (int waited = 0; waited < ms && !stop_; waited += kTickMs)
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(kTickMs, ms - waited)));
  return !stop_;
}

bool HostileServer::read_request_head(int fd) {
  std::string in;
  char buf[4096];
  while (!stop_) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kTickMs) <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) return false;
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return false;
    }
    in.append(buf, size_t(n));
    if (in.find("\r\n\r\n") != std::string::npos) return true;
    if (in.size() > 64 * 1024) return false;
  }
  return false;
}

bool HostileServer::send_all(int fd, const char* data, size_t size) {
  size_t sent = 0;
  while (sent < size) {
    if (stop_) return false;
    ssize_t n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += size_t(n);
      bytes_sent_ += uint64_t(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, kTickMs);
      if (p.revents & (POLLERR | POLLHUP)) return false;
      continue;
    }
    return false;  // EPIPE, ECONNRESET: the client went away
  }
  return true;
}

void HostileServer::wait_for_client_close(int fd) {
  char buf[4096];
  while (!stop_) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kTickMs) <= 0) continue;
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return;
  }
}

void HostileServer::serve(int fd) {
  // Keep-alive only matters for million_series (the one mode whose answer ends).
  while (!stop_ && read_request_head(fd)) {
    bool again = false;
    switch (mode_) {
      case Mode::endless_body: {
        if (!send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")) break;
        while (send_all(fd, "1\r\nx\r\n") && pause(kTickMs)) {
        }
        break;
      }
      case Mode::endless_headers: {
        if (!send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n")) break;
        std::string block;
        uint64_t n = 0;
        char line[160];
        for (bool alive = true; alive;) {
          block.clear();
          while (block.size() < kBlock) {
            int len = std::snprintf(line, sizeof line, "X-Hostile-%llu: %s\r\n", static_cast<unsigned long long>(++n),
                                    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
            block.append(line, size_t(len));
          }
          alive = send_all(fd, block);
        }
        break;
      }
      case Mode::huge_body: {
        if (!send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " +
                              std::to_string(kHugeBodyBytes) + "\r\n\r\n"))
          break;
        static const std::string zeros(kBlock, '\0');
        for (uint64_t left = kHugeBodyBytes; left > 0;) {
          size_t n = size_t(std::min<uint64_t>(left, zeros.size()));
          if (!send_all(fd, zeros.data(), n)) break;
          left -= n;
        }
        break;
      }
      case Mode::bad_chunked:
        // "zz" is not a hexadecimal chunk size. The connection stays open, so
        // a client that does not notice waits until its own timeout.
        if (send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "zz\r\nhello\r\n0\r\n\r\n"))
          wait_for_client_close(fd);
        break;
      case Mode::silent:
        wait_for_client_close(fd);
        break;
      case Mode::reset_mid_body: {
        std::string partial = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1048576\r\n\r\n";
        partial.append(1000, 'p');
        if (!send_all(fd, partial)) break;
        pause(100);  // let the client read the partial response first
        linger l{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);  // close() now sends RST
        break;
      }
      case Mode::million_series: {
        if (!send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
                          "Transfer-Encoding: chunked\r\n\r\n"))
          break;
        // Short lines (~16 bytes, 15.9 MB in all), so the whole exposition
        // fits under the smoke suite's 16 MiB body limit and reaches the parser.
        std::string block = "# HELP h One of a million distinct series.\n# TYPE h gauge\n";
        char line[96];
        bool alive = true;
        for (int i = 0; i < kSeries && alive; ++i) {
          int len = std::snprintf(line, sizeof line, "h{i=\"%d\"} 1\n", i);
          block.append(line, size_t(len));
          if (block.size() >= kBlock || i + 1 == kSeries) {
            char size_line[32];
            int sl = std::snprintf(size_line, sizeof size_line, "%zx\r\n", block.size());
            alive = send_all(fd, size_line, size_t(sl)) && send_all(fd, block) && send_all(fd, "\r\n");
            block.clear();
          }
        }
        again = alive && send_all(fd, "0\r\n\r\n");
        break;
      }
    }
    if (!again) break;
  }
  ::close(fd);
}

}  // namespace greenlight::test
