// libcurl multi loop with a transfer queue, timers and TLS inspection.
// TLS details are read from OpenSSL during the transfer (in the header
// callback), because curl frees the session once the connection is reused
// or closed.
#include "suites/smoke/http_loop.h"

#include <algorithm>
#include <deque>
#include <map>
#include <strings.h>
#include <thread>

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "harness/redactor.h"
#include "harness/result.h"

namespace greenlight {

namespace {

using Clock = std::chrono::steady_clock;

std::string x509_name(X509_NAME* name) {
  if (!name) return "";
  char buf[512];
  X509_NAME_oneline(name, buf, sizeof buf);
  return buf;
}

std::string url_host(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  std::string hostport = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  size_t at = hostport.rfind('@');
  if (at != std::string::npos) hostport = hostport.substr(at + 1);
  if (!hostport.empty() && hostport[0] == '[') return hostport.substr(1, hostport.find(']') - 1);
  return hostport.substr(0, hostport.find(':'));
}

TlsInfo inspect_tls(CURL* easy, const std::string& url) {
  TlsInfo info;
  curl_tlssessioninfo* session = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_TLS_SSL_PTR, &session) != CURLE_OK || !session ||
      session->backend != CURLSSLBACKEND_OPENSSL || !session->internals)
    return info;
  SSL* ssl = static_cast<SSL*>(session->internals);
  info.present = true;
  info.protocol = SSL_get_version(ssl);
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (!cert) return info;
  const ASN1_TIME* not_after = X509_get0_notAfter(cert);
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, nullptr, not_after)) info.days_left = days + secs / 86400.0;
  BIO* bio = BIO_new(BIO_s_mem());
  ASN1_TIME_print(bio, not_after);
  char buf[128] = {};
  int n = BIO_read(bio, buf, sizeof buf - 1);
  if (n > 0) info.not_after.assign(buf, n);
  BIO_free(bio);
  info.subject = x509_name(X509_get_subject_name(cert));
  info.issuer = x509_name(X509_get_issuer_name(cert));
  std::string host = url_host(url);
  bool is_ip = host.find_first_not_of("0123456789.") == std::string::npos || host.find(':') != std::string::npos;
  info.hostname_matches = is_ip ? X509_check_ip_asc(cert, host.c_str(), 0) == 1
                                : X509_check_host(cert, host.c_str(), host.size(), 0, nullptr) == 1;
  X509_free(cert);
  return info;
}

// Turns curl's result into a cause a user can act on.
std::string describe_failure(CURLcode code, const char* errbuf, bool body_too_large, size_t max_body) {
  std::string detail = errbuf && *errbuf ? errbuf : curl_easy_strerror(code);
  switch (code) {
    case CURLE_COULDNT_CONNECT: return "cannot connect: " + detail;
    case CURLE_COULDNT_RESOLVE_HOST: return "cannot resolve host: " + detail;
    case CURLE_OPERATION_TIMEDOUT: return "timeout: " + detail;
    case CURLE_PARTIAL_FILE: return "truncated response: " + detail;
    case CURLE_GOT_NOTHING: return "empty reply: the server closed the connection without answering";
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR: return "connection broken: " + detail;
    case CURLE_WEIRD_SERVER_REPLY: return "malformed response: " + detail;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE: return "TLS error: " + detail;
    case CURLE_TOO_MANY_REDIRECTS: return "too many redirects: " + detail;
    case CURLE_WRITE_ERROR:
      if (body_too_large) return "response body larger than the " + std::to_string(max_body >> 20) + " MiB limit";
      return detail;
    default: return detail;
  }
}

}  // namespace

const std::string* HttpResponse::header(const std::string& name) const {
  for (const auto& [k, v] : headers)
    if (strcasecmp(k.c_str(), name.c_str()) == 0) return &v;
  return nullptr;
}

struct Transfer {
  CURL* easy = nullptr;
  curl_slist* header_list = nullptr;
  HttpRequest request;
  HttpResponse response;
  std::function<void(HttpResponse)> done;
  char errbuf[CURL_ERROR_SIZE] = {};
  bool body_too_large = false;
  bool tls_inspected = false;

  ~Transfer() {
    if (header_list) curl_slist_free_all(header_list);
    if (easy) curl_easy_cleanup(easy);
  }

  static size_t on_body(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<Transfer*>(self);
    size_t bytes = size * n;
    if (t->response.body.size() + bytes > t->request.max_body) {
      t->body_too_large = true;
      return 0;  // aborts the transfer
    }
    t->response.body.append(data, bytes);
    return bytes;
  }

  static size_t on_header(char* data, size_t size, size_t n, void* self) {
    auto* t = static_cast<Transfer*>(self);
    size_t bytes = size * n;
    std::string line(data, bytes);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!t->tls_inspected && t->request.url.rfind("https://", 0) == 0) {
      t->response.tls = inspect_tls(t->easy, t->request.url);
      t->tls_inspected = true;
    }
    if (line.rfind("HTTP/", 0) == 0) {
      t->response.headers.clear();  // a new response (after a redirect or 100-continue)
    } else if (size_t colon = line.find(':'); colon != std::string::npos) {
      size_t v = line.find_first_not_of(" \t", colon + 1);
      t->response.headers.emplace_back(line.substr(0, colon), v == std::string::npos ? "" : line.substr(v));
    }
    return bytes;
  }

  void setup() {
    easy = curl_easy_init();
    const HttpRequest& r = request;
    curl_easy_setopt(easy, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, this);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<long>(r.timeout.count(), 10000)));
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, r.follow_redirects ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "greenlight/0.1");
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // accept and decode what curl supports
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, r.tls.verify ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, r.tls.verify ? 2L : 0L);
    if (!r.tls.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, r.tls.ca_file.c_str());
    if (!r.tls.client_cert.empty()) curl_easy_setopt(easy, CURLOPT_SSLCERT, r.tls.client_cert.c_str());
    if (!r.tls.client_key.empty()) curl_easy_setopt(easy, CURLOPT_SSLKEY, r.tls.client_key.c_str());
    if (r.method == "HEAD") curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    else if (r.method != "GET" || !r.body.empty()) curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, r.method.c_str());
    if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
      curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(r.body.size()));
      curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, r.body.c_str());
    }
    for (const auto& [k, v] : r.headers) header_list = curl_slist_append(header_list, (k + ": " + v).c_str());
    header_list = curl_slist_append(header_list, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_list);
  }

  void finish(CURLcode code) {
    HttpResponse& out = response;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &out.status);
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME, &out.seconds);
    char* eff = nullptr;
    curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &eff);
    if (eff) out.effective_url = eff;
    out.size = out.body.size();
    out.ok = code == CURLE_OK;
    if (!out.ok) out.error = describe_failure(code, errbuf, body_too_large, request.max_body);
  }
};

struct HttpLoop::Impl {
  CURLM* multi = nullptr;
  int max_in_flight;
  std::deque<std::unique_ptr<Transfer>> queued;
  std::map<CURL*, std::unique_ptr<Transfer>> active;
  std::multimap<Clock::time_point, std::function<void()>> timers;
};

HttpLoop::HttpLoop(int max_in_flight) : impl_(std::make_unique<Impl>()) {
  impl_->multi = curl_multi_init();
  impl_->max_in_flight = std::max(1, max_in_flight);
}

HttpLoop::~HttpLoop() {
  for (auto& [easy, t] : impl_->active) curl_multi_remove_handle(impl_->multi, easy);
  impl_->active.clear();
  curl_multi_cleanup(impl_->multi);
}

void HttpLoop::submit(HttpRequest request, std::function<void(HttpResponse)> done) {
  auto t = std::make_unique<Transfer>();
  t->request = std::move(request);
  t->done = std::move(done);
  impl_->queued.push_back(std::move(t));
}

void HttpLoop::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  impl_->timers.emplace(Clock::now() + delay, std::move(fn));
}

bool HttpLoop::run(const std::atomic<bool>* cancel, Clock::time_point deadline) {
  Impl& m = *impl_;
  while (true) {
    while (!m.timers.empty() && m.timers.begin()->first <= Clock::now()) {
      auto fn = std::move(m.timers.begin()->second);
      m.timers.erase(m.timers.begin());
      fn();
    }
    while (!m.queued.empty() && static_cast<int>(m.active.size()) < m.max_in_flight) {
      std::unique_ptr<Transfer> t = std::move(m.queued.front());
      m.queued.pop_front();
      t->setup();
      curl_multi_add_handle(m.multi, t->easy);
      m.active.emplace(t->easy, std::move(t));
    }
    if (m.active.empty() && m.queued.empty() && m.timers.empty()) return true;
    if ((cancel && cancel->load()) || Clock::now() >= deadline) return false;

    int running = 0;
    curl_multi_perform(m.multi, &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m.multi, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      auto it = m.active.find(msg->easy_handle);
      if (it == m.active.end()) continue;
      std::unique_ptr<Transfer> t = std::move(it->second);
      m.active.erase(it);
      curl_multi_remove_handle(m.multi, t->easy);
      t->finish(msg->data.result);
      t->done(std::move(t->response));
    }
    // Wake at least every 100 ms to notice Ctrl-C and the deadline.
    auto wait = std::chrono::milliseconds(100);
    if (!m.timers.empty())
      wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(m.timers.begin()->first - Clock::now()));
    if (!m.active.empty() && wait.count() > 0) curl_multi_poll(m.multi, nullptr, 0, static_cast<int>(wait.count()), nullptr);
    else if (m.active.empty() && m.queued.empty() && wait.count() > 0) std::this_thread::sleep_for(wait);
  }
}

HttpResponse http_fetch(const HttpRequest& request) {
  HttpLoop loop(1);
  HttpResponse out;
  loop.submit(request, [&](HttpResponse r) { out = std::move(r); });
  loop.run(nullptr, Clock::now() + request.timeout + std::chrono::seconds(5));
  return out;
}

namespace {
std::string mask_header(const std::string& name, const std::string& value) {
  if (strcasecmp(name.c_str(), "authorization") == 0 || strcasecmp(name.c_str(), "cookie") == 0 ||
      strcasecmp(name.c_str(), "set-cookie") == 0 || strcasecmp(name.c_str(), "proxy-authorization") == 0) {
    size_t space = value.find(' ');
    return (space != std::string::npos && strcasecmp(name.c_str(), "authorization") == 0 ? value.substr(0, space + 1) : "") + kRedacted;
  }
  return value;
}
}  // namespace

std::string describe_request(const HttpRequest& r) {
  std::string out = r.method + " " + r.url + "\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + mask_header(k, v) + "\n";
  if (!r.body.empty()) out += "\n" + trim_evidence(r.body, 2048);
  return out;
}

std::string describe_response(const HttpResponse& r) {
  if (!r.ok && r.status == 0) return "no response: " + r.error;
  std::string out = "HTTP " + std::to_string(r.status) + " (" + std::to_string(static_cast<int>(r.seconds * 1000 + 0.5)) +
                    " ms, " + std::to_string(r.size) + " bytes)\n";
  if (!r.ok) out += "transfer failed: " + r.error + "\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + mask_header(k, v) + "\n";
  if (!r.body.empty()) out += "\n" + trim_evidence(r.body, 4096);
  return out;
}

}  // namespace greenlight
