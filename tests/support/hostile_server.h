// A hostile HTTP target for robustness tests: it answers every request in one
// of the ways a broken or malicious server can, so tests can prove that the
// client side (libcurl in the smoke suite, the native load engine) gives up
// with bounded memory and time and names the cause. Loopback only.
//
// One thread accepts; each connection gets its own thread, which reads the
// request head (up to the blank line; requests here have no body) and then
// misbehaves according to the mode. Every wait is a poll() of at most 50 ms
// that also watches the stop flag, so the destructor stops and joins every
// thread promptly, whatever the client is doing. Nothing is ever buffered in
// proportion to what is sent: the 10 GB body and the million-series /metrics
// are generated on the fly, 64 KiB at a time.
//
// Thread-safety: construct and destroy on the test thread; url(), port(),
// connections() and bytes_sent() may be called from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <thread>

namespace greenlight::test {

class HostileServer {
 public:
  enum class Mode {
    endless_body,     // 200, chunked, then one byte every 50 ms, forever
    endless_headers,  // "HTTP/1.1 200 OK" then header lines forever, as fast as the client reads
    huge_body,        // Content-Length: 10737418240, zeros as fast as the client reads, until it closes
    bad_chunked,      // chunked with a chunk-size line that is not hex; the connection then stays open
    silent,           // accepts and reads the request, never answers
    reset_mid_body,   // headers (Content-Length 1 MiB) and 1000 bytes, then SO_LINGER {1,0} and close: RST
    million_series,   // a valid Prometheus text exposition of 1 000 000 distinct series h{i="N"} (15.9 MB), chunked
  };

  explicit HostileServer(Mode mode);
  ~HostileServer();
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  unsigned short port() const { return port_; }
  std::string url(const std::string& path = "/") const;
  // Connections accepted so far.
  int connections() const { return connections_.load(); }
  // Bytes written to all clients so far.
  uint64_t bytes_sent() const { return bytes_sent_.load(); }

  static const char* name(Mode mode);

 private:
  void accept_loop();
  void serve(int fd);
  bool read_request_head(int fd);
  // Sends all of `data` unless the client goes away or the server stops; false then.
  bool send_all(int fd, const char* data, size_t size);
  bool send_all(int fd, const std::string& s) { return send_all(fd, s.data(), s.size()); }
  // Waits up to `ms` while watching the stop flag; false when stopping.
  bool pause(int ms);
  // Waits until the client has closed its side (or the server stops).
  void wait_for_client_close(int fd);

  Mode mode_;
  int listen_fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::atomic<uint64_t> bytes_sent_{0};
  std::mutex mutex_;               // guards workers_
  std::list<std::thread> workers_;  // one per connection, joined in the destructor
  std::thread acceptor_;
};

}  // namespace greenlight::test
