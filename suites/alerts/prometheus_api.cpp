// ApiClient: one libcurl easy handle per request (the live checks send a few
// dozen requests, one at a time), curl's error code mapped to a sentence that
// names the address, and the JSON envelope unwrapped.
#include "suites/alerts/prometheus_api.h"

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include <curl/curl.h>

#include "harness/redactor.h"

namespace greenlight {

namespace {

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::string strip_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

// host:port of a URL, with the scheme's default port, for "connection refused
// by 127.0.0.1:9090"; the URL itself when curl cannot parse it.
std::string address_of(const std::string& url) {
  init_curl();
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return url;
  char* host = nullptr;
  char* port = nullptr;
  std::string out = url;
  if (curl_url_get(u.get(), CURLUPART_HOST, &host, 0) == CURLUE_OK &&
      curl_url_get(u.get(), CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK)
    out = std::string(host) + ":" + port;
  curl_free(host);
  curl_free(port);
  return out;
}

std::string encode(CURL* curl, const std::string& s) {
  char* e = curl_easy_escape(curl, s.data(), static_cast<int>(s.size()));
  std::string out = e ? e : "";
  curl_free(e);
  return out;
}

std::string excerpt(const std::string& body, size_t limit = 300) {
  if (body.size() <= limit) return body;
  return body.substr(0, limit) + "... (" + std::to_string(body.size()) + " bytes)";
}

std::string envelope_error(const nlohmann::json& j) {
  std::string type = j.value("errorType", "");
  std::string error = j.contains("error") && j["error"].is_string() ? j["error"].get<std::string>() : "";
  if (type.empty()) return error;
  return type + ": " + error;
}

}  // namespace

ApiClient::ApiClient(std::string server, std::string base_url, ApiOptions options)
    : server_(std::move(server)),
      base_url_(strip_trailing_slash(std::move(base_url))),
      display_url_(redact_dsn(base_url_)),
      address_(address_of(base_url_)),
      options_(std::move(options)) {}

std::string ApiClient::describe() const { return server_ + " at " + display_url_; }

std::string ApiClient::clean(std::string text) const {
  Redactor r;
  r.add(options_.bearer_token);
  r.add(options_.password);
  std::string pw = dsn_password(base_url_);
  r.add(pw);
  return r.redact(std::move(text));
}

nlohmann::json ApiClient::get(const std::string& path, const QueryParams& params) const {
  init_curl();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw std::runtime_error("curl_easy_init failed");
  CURL* h = curl.get();

  std::string url = base_url_ + path;
  for (size_t i = 0; i < params.size(); ++i)
    url += (i == 0 ? "?" : "&") + encode(h, params[i].first) + "=" + encode(h, params[i].second);

  std::string body;
  char error[CURL_ERROR_SIZE] = "";
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  if (!options_.bearer_token.empty())
    headers = curl_slist_append(headers, ("Authorization: Bearer " + options_.bearer_token).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers, curl_slist_free_all);

  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, options_.timeout_ms);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // rule lists of big servers compress well
  if (!options_.username.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, options_.password.c_str());
  }

  const std::string what = describe() + ": GET " + path;
  CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    long os_errno = 0;
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    std::string detail = error[0] ? error : curl_easy_strerror(rc);
    switch (rc) {
      case CURLE_COULDNT_CONNECT:
        if (os_errno == ECONNREFUSED)
          throw ApiError(ApiFailure::unreachable,
                         clean(describe() + " is unreachable: connection refused by " + address_));
        throw ApiError(ApiFailure::unreachable,
                       clean(describe() + " is unreachable: cannot connect to " + address_ + " (" +
                             (os_errno ? std::strerror(static_cast<int>(os_errno)) : detail) + ")"));
      case CURLE_COULDNT_RESOLVE_HOST:
        throw ApiError(ApiFailure::unreachable,
                       clean(describe() + " is unreachable: cannot resolve the host of " + address_ + " (" + detail +
                             ")"));
      case CURLE_OPERATION_TIMEDOUT:
        throw ApiError(ApiFailure::timeout, clean(what + ": no complete answer from " + address_ + " within " +
                                                  std::to_string(options_.timeout_ms) + " ms"));
      default:
        throw ApiError(ApiFailure::unreachable, clean(what + ": " + detail));
    }
  }

  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  char* content_type = nullptr;
  curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type);
  std::string type = content_type ? content_type : "no Content-Type";

  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  bool is_json = !j.is_discarded();
  if (status < 200 || status > 299) {
    if (is_json && j.is_object() && j.contains("error"))
      throw ApiError(ApiFailure::api_error,
                     clean(what + ": HTTP " + std::to_string(status) + ": " + envelope_error(j)));
    std::string hint;
    char* location = nullptr;
    if (status == 401 || status == 403) {
      hint = " (check the credentials)";
    } else if (status >= 300 && status < 400 && curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
               location) {
      // Not followed: the credentials would travel to wherever it points.
      hint = " (redirects to " + redact_dsn(location) + "; give that URL instead)";
    }
    throw ApiError(ApiFailure::http_status, clean(what + ": HTTP " + std::to_string(status) + hint + ": " +
                                                  excerpt(body.empty() ? "(empty body)" : body)));
  }
  if (!is_json)
    throw ApiError(ApiFailure::not_json, clean(what + ": HTTP " + std::to_string(status) +
                                               " but the body is not JSON (" + type +
                                               "): " + excerpt(body.empty() ? "(empty body)" : body)));
  return j;
}

nlohmann::json ApiClient::data(const std::string& path, const QueryParams& params) const {
  nlohmann::json j = get(path, params);
  if (!j.is_object() || !j.contains("status"))
    throw ApiError(ApiFailure::not_json,
                   clean(describe() + ": GET " + path + ": the answer is JSON but not a Prometheus API response: " +
                         excerpt(j.dump())));
  if (j["status"] != "success")
    throw ApiError(ApiFailure::api_error, clean(describe() + ": GET " + path + ": " + envelope_error(j)));
  if (!j.contains("data"))
    throw ApiError(ApiFailure::not_json, clean(describe() + ": GET " + path + ": the answer has no \"data\""));
  return j["data"];
}

}  // namespace greenlight
