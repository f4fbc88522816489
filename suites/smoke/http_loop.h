// An event loop over one libcurl multi handle: many HTTP transfers in flight at
// once, completion callbacks, and timers (for retries and readiness backoff).
// Single-threaded: callbacks run on the thread that calls run(), and may
// submit further transfers or timers.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace greenlight {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct TlsOptions {
  bool verify = true;       // peer certificate and host name
  std::string ca_file;      // PEM bundle to trust instead of the system's
  std::string client_cert;  // PEM, for mutual TLS
  std::string client_key;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;  // absolute
  Headers headers;
  std::string body;
  TlsOptions tls;
  bool follow_redirects = false;
  std::chrono::milliseconds timeout{10000};
  size_t max_body = 16 << 20;  // a larger body fails the transfer: bounded memory
};

// What the server's certificate and handshake looked like (https only).
struct TlsInfo {
  bool present = false;
  std::string protocol;  // "TLSv1.3"
  double days_left = 0;  // until notAfter; negative when expired
  std::string not_after;
  std::string subject;
  std::string issuer;
  bool hostname_matches = false;
};

struct HttpResponse {
  bool ok = false;     // a complete HTTP response arrived
  std::string error;   // otherwise: the cause, e.g. "connection refused: ..."
  long status = 0;
  Headers headers;     // of the final response, in order
  std::string body;
  double seconds = 0;  // total time, including connect and TLS
  size_t size = 0;     // body bytes
  std::string effective_url;
  TlsInfo tls;

  // First value of a header, case-insensitively; nullptr when absent.
  const std::string* header(const std::string& name) const;
};

class HttpLoop {
 public:
  // At most `max_in_flight` transfers run at once; more wait in a queue.
  explicit HttpLoop(int max_in_flight);
  ~HttpLoop();
  HttpLoop(const HttpLoop&) = delete;
  HttpLoop& operator=(const HttpLoop&) = delete;

  void submit(HttpRequest request, std::function<void(HttpResponse)> done);
  void after(std::chrono::milliseconds delay, std::function<void()> fn);

  // Runs until nothing is left, `cancel` is set or `deadline` passes. Returns
  // false when stopped early; transfers still in flight are then abandoned
  // without calling their callbacks.
  bool run(const std::atomic<bool>* cancel, std::chrono::steady_clock::time_point deadline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One blocking request, for the few places that need a single answer.
HttpResponse http_fetch(const HttpRequest& request);

// "GET http://x/y\nHeader: v\n\nbody" and "HTTP 200 (12ms)\nHeader: v\n\nbody",
// trimmed, for evidence. Authorization and Cookie values are masked.
std::string describe_request(const HttpRequest& r);
std::string describe_response(const HttpResponse& r);

}  // namespace greenlight
