// A tiny misbehaving HTTP server for load-engine tests: one thread, poll(),
// loopback only. It answers each request (up to the blank line; requests
// here have no body) according to its mode, so tests can produce what real
// servers rarely do on demand: garbage, silence, or one long stall.
//
// Thread-safety: construct and destroy on the test thread; requests() may be
// read from any thread.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace greenlight::test {

class RawServer {
 public:
  enum class Mode {
    ok,       // "200 ok" with Content-Length, keep-alive
    garbage,  // bytes that are not HTTP
    silent,   // accept and read, never answer
  };

  // stall_after: in mode ok, when request number stall_after (1-based) arrives,
  // the whole server sleeps stall_ms before answering it (0: never).
  explicit RawServer(Mode mode, int stall_after = 0, int stall_ms = 0)
      : mode_(mode), stall_after_(stall_after), stall_ms_(stall_ms) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 128) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
      throw std::runtime_error("RawServer: cannot listen on 127.0.0.1");
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawServer() {
    stop_ = true;
    thread_.join();
    for (Client& c : clients_) ::close(c.fd);
    ::close(listen_fd_);
  }
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  std::string url(const std::string& path = "/") const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  int requests() const { return requests_.load(); }

 private:
  struct Client {
    int fd;
    std::string in;
  };

  void serve() {
    std::vector<pollfd> fds;
    while (!stop_) {
      fds.clear();
      fds.push_back({listen_fd_, POLLIN, 0});
      for (const Client& c : clients_) fds.push_back({c.fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 20) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) clients_.push_back({fd, {}});
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        Client& c = clients_[i - 1];
        char buf[4096];
        ssize_t n = ::read(c.fd, buf, sizeof buf);
        if (n <= 0) {
          ::close(c.fd);
          c.fd = -1;
          continue;
        }
        c.in.append(buf, size_t(n));
        for (size_t end; (end = c.in.find("\r\n\r\n")) != std::string::npos;) {
          c.in.erase(0, end + 4);
          answer(c.fd);
        }
      }
      std::erase_if(clients_, [](const Client& c) { return c.fd < 0; });
    }
  }

  void answer(int fd) {
    int n = ++requests_;
    static const std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    static const std::string garbage = "garbage, not a status line\r\n\r\n";
    switch (mode_) {
      case Mode::ok:
        if (n == stall_after_) std::this_thread::sleep_for(std::chrono::milliseconds(stall_ms_));
        (void)!::send(fd, ok.data(), ok.size(), MSG_NOSIGNAL);
        break;
      case Mode::garbage:
        (void)!::send(fd, garbage.data(), garbage.size(), MSG_NOSIGNAL);
        break;
      case Mode::silent:
        break;
    }
  }

  Mode mode_;
  int stall_after_, stall_ms_;
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::vector<Client> clients_;
  std::thread thread_;
};

}  // namespace greenlight::test
