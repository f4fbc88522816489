// Parses the http:// URLs the native load engine targets. The engine speaks
// plain HTTP/1.1 only, so https:// is refused with a clear message rather than
// silently sent in clear text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace greenlight {

struct Url {
  std::string host;         // as written, without IPv6 brackets ("127.0.0.1", "::1", "example.com")
  uint16_t port = 80;
  std::string target;       // request-target: path and query, never empty ("/" at least); no fragment
  std::string host_header;  // value for the Host header: host, bracketed for IPv6, ":port" unless 80
};

// Throws std::invalid_argument with a message naming the problem:
// "https is not supported by the native engine yet", unknown scheme, empty
// host, bad port, user info in the URL, whitespace or control characters.
Url parse_url(std::string_view text);

}  // namespace greenlight
