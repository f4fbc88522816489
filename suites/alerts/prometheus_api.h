// The HTTP APIs of Prometheus and Alertmanager as the live alert checks use
// them: GET with a timeout and optional auth, JSON bodies, and failures that
// say which server, which endpoint and what went wrong. Credentials never
// appear in a message.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace greenlight {

struct ApiOptions {
  long timeout_ms = 10000;         // per request, connect included
  std::string bearer_token;        // sent as "Authorization: Bearer ..."
  std::string username, password;  // HTTP basic auth when username is set
};

// The kinds of failure a check reports differently.
enum class ApiFailure { unreachable, timeout, http_status, not_json, api_error };

class ApiError : public std::runtime_error {
 public:
  ApiError(ApiFailure kind, const std::string& message) : std::runtime_error(message), kind(kind) {}
  ApiFailure kind;
};

using QueryParams = std::vector<std::pair<std::string, std::string>>;

class ApiClient {
 public:
  // `server` names the server in messages ("Prometheus", "Alertmanager");
  // `base_url` may carry a path prefix (http://host/prometheus).
  ApiClient(std::string server, std::string base_url, ApiOptions options = {});

  // GET base_url + path with `params` URL-encoded (repeat a name for match[]);
  // the body parsed as JSON. Throws ApiError. A non-2xx answer with a
  // Prometheus error envelope is an api_error carrying errorType and error.
  nlohmann::json get(const std::string& path, const QueryParams& params = {}) const;

  // Prometheus' envelope {status, data, errorType, error}: the data, or
  // ApiError(api_error) naming the endpoint, errorType and error.
  nlohmann::json data(const std::string& path, const QueryParams& params = {}) const;

  // "Prometheus at http://127.0.0.1:9090" (a password in the URL redacted).
  std::string describe() const;
  // "127.0.0.1:9090", the default port filled in.
  const std::string& address() const { return address_; }

 private:
  std::string server_, base_url_, display_url_, address_;
  ApiOptions options_;
  std::string clean(std::string text) const;  // removes credentials
};

}  // namespace greenlight
