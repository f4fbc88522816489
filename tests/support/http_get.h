// A tiny libcurl client for tests: one call, one request, everything returned
// as plain data. Redirects are not followed, so tests can see the 302 itself.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace greenlight::test {

struct HttpReply {
  long status = 0;                             // 0 when no response arrived
  std::map<std::string, std::string> headers;  // names lower-cased; a repeated header keeps the last value
  std::string body;
  std::string error;  // libcurl's message on a transport error (refused, timeout, truncated body); else ""

  // Case-insensitive; "" when absent.
  std::string header(const std::string& name) const;
  bool has_header(const std::string& name) const;
};

struct HttpOptions {
  std::string ca_file;  // trust this PEM (e.g. a self-signed cert) for https
  bool verify = true;   // false: accept any certificate and host name (curl -k)
  long timeout_ms = 10000;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// A non-empty body without a Content-Type header is sent as application/json.
HttpReply http_request(const std::string& method, const std::string& url, const std::string& body = "",
                       const HttpHeaders& headers = {}, const HttpOptions& options = {});

inline HttpReply http_get(const std::string& url, const HttpOptions& options = {}) {
  return http_request("GET", url, "", {}, options);
}

}  // namespace greenlight::test
