// Why a request failed: the classes the load engine counts, in reports and
// per endpoint. Transport classes (connect_refused .. parse_error) have no
// usable response; http_4xx, http_5xx and check_failed are completed requests.
#pragma once

#include <cstddef>

namespace greenlight {

enum class ErrorClass {
  connect_refused,  // nothing listening (ECONNREFUSED), or the host unreachable
  connect_timeout,  // the TCP handshake did not finish within timeout_s
  timeout,          // connected and sent, but no complete response within timeout_s
  reset,            // the peer reset or closed the connection before the response was complete
  http_4xx,         // a complete response with status 400..499
  http_5xx,         // a complete response with status >= 500
  parse_error,      // bytes that are not a valid HTTP/1.x response
  check_failed,     // a complete response that misses expect_status / expect_body_contains
  other,            // anything else (e.g. out of file descriptors)
  count_
};
constexpr size_t kErrorClassCount = static_cast<size_t>(ErrorClass::count_);

// "connect_refused", "http_5xx", ...: stable names for reports and the CLI.
const char* to_string(ErrorClass c);

}  // namespace greenlight
