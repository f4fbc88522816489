// PrometheusServer and AlertmanagerServer: a generated config, the binary as
// a Boost.Process child with its log in the TempDir, readiness from /-/ready,
// and polling helpers over the HTTP API for tests that need scraped data.
#include "tests/support/prometheus_server.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/process.hpp>

#include "tests/support/http_get.h"
#include "tests/support/ports.h"
#include "tests/support/temp_dir.h"

namespace greenlight::test {

namespace bp = boost::process;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPrometheus = "/usr/bin/prometheus";
constexpr const char* kAlertmanager = "/usr/bin/prometheus-alertmanager";
constexpr auto kStartTimeout = 15s;
constexpr auto kStopTimeout = 5s;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void require_binary(const char* path, const char* package) {
  if (::access(path, X_OK) != 0)
    throw std::runtime_error(std::string(path) + " is missing: install the Debian package " + package +
                             " (ci/setup does)");
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

// YAML flow list of double-quoted strings (JSON strings are valid YAML).
std::string yaml_list(const std::vector<std::string>& items) {
  nlohmann::json j = items;
  return j.dump();
}

std::string prometheus_config(const PrometheusOptions& o) {
  std::ostringstream c;
  c << "global:\n"
    << "  scrape_interval: " << o.scrape_interval << "\n"
    << "  scrape_timeout: " << o.scrape_interval << "\n"
    << "  evaluation_interval: " << o.evaluation_interval << "\n"
    << "rule_files: " << yaml_list(o.rule_files) << "\n";
  if (!o.alertmanagers.empty())
    c << "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: " << yaml_list(o.alertmanagers)
      << "\n";
  c << "scrape_configs:\n";
  if (o.scrape_targets.empty()) {
    c << "  []\n";
  } else {
    c << "  - job_name: " << nlohmann::json(o.job_name).dump() << "\n"
      << "    static_configs:\n"
      << "      - targets: " << yaml_list(o.scrape_targets) << "\n";
  }
  return c.str();
}

// Waits until GET url/-/ready answers 200 while the child runs; on failure
// stops it and throws with its log.
void wait_ready(const std::string& what, bp::child& child, const std::string& url, const std::string& log_path,
                const std::function<void()>& stop) {
  auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  HttpOptions quick;
  quick.timeout_ms = 1000;
  while (true) {
    if (http_get(url + "/-/ready", quick).status == 200) return;
    bool running = child.running();
    if (!running || std::chrono::steady_clock::now() > deadline) {
      std::string why = running ? "was not ready within 15 s" : "exited (code " + std::to_string(child.exit_code()) + ")";
      stop();
      throw std::runtime_error(what + " at " + url + " " + why + "; its log:\n" + slurp(log_path));
    }
    std::this_thread::sleep_for(50ms);
  }
}

void stop_child(bp::child& p) {
  if (p.running()) {
    ::kill(p.id(), SIGTERM);
    auto deadline = std::chrono::steady_clock::now() + kStopTimeout;
    while (p.running() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
    if (p.running()) p.terminate();  // SIGKILL
  }
  std::error_code ec;
  p.wait(ec);
}

// "2026-11-22T03:16:46.721393876Z" as seconds since the epoch; 0 for
// Go's zero time ("0001-01-01T00:00:00Z", never evaluated) or garbage.
double epoch_seconds(const std::string& rfc3339) {
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(rfc3339.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &consumed) != 6 || tm.tm_year < 1970)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  double fraction = 0;
  if (rfc3339[static_cast<size_t>(consumed)] == '.') fraction = std::strtod(rfc3339.c_str() + consumed, nullptr);
  return static_cast<double>(::timegm(&tm)) + fraction;
}

// "1s", "500ms", "2m" in seconds.
double duration_seconds(const std::string& d) {
  double n = std::strtod(d.c_str(), nullptr);
  if (d.size() > 2 && d.compare(d.size() - 2, 2, "ms") == 0) return n / 1000;
  if (!d.empty() && d.back() == 'm') return n * 60;
  return n;
}

}  // namespace

struct PrometheusServer::Child {
  bp::child process;
};

PrometheusServer::PrometheusServer(PrometheusOptions options)
    : dir_(std::make_unique<TempDir>("greenlight-prometheus")), port_(free_port()),
      has_targets_(!options.scrape_targets.empty()),
      evaluation_interval_s_(duration_seconds(options.evaluation_interval)) {
  require_binary(kPrometheus, "prometheus");
  write_file(config_path(), prometheus_config(options));
  child_ = std::make_unique<Child>();
  // Everything Prometheus writes (TSDB, WAL, queries.active) goes under data/.
  child_->process = bp::child(kPrometheus, "--config.file=" + config_path(),
                              "--storage.tsdb.path=" + dir_->file("data"),
                              "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--web.enable-lifecycle",
                              "--log.level=info", bp::std_in < bp::null,
                              (bp::std_out & bp::std_err) > dir_->file("prometheus.log"));
  wait_ready("prometheus", child_->process, url(), dir_->file("prometheus.log"), [this] { stop(); });
}

PrometheusServer::~PrometheusServer() {
  try {
    stop();
  } catch (...) {
  }
}

void PrometheusServer::stop() {
  if (!child_) return;
  stop_child(child_->process);
  child_.reset();
}

std::string PrometheusServer::url() const { return "http://127.0.0.1:" + std::to_string(port_); }
const std::string& PrometheusServer::dir() const { return dir_->path(); }
std::string PrometheusServer::config_path() const { return dir_->file("prometheus.yml"); }
std::string PrometheusServer::log() const { return slurp(dir_->file("prometheus.log")); }

nlohmann::json PrometheusServer::api(const std::string& path) const {
  HttpReply r = http_get(url() + path);
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  if (r.status != 200 || j.is_discarded() || j.value("status", "") != "success")
    throw std::runtime_error("prometheus GET " + path + ": HTTP " + std::to_string(r.status) + " " + r.error + ": " +
                             r.body);
  return j["data"];
}

bool PrometheusServer::wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (predicate()) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
}

void PrometheusServer::wait_for_targets_up(std::chrono::milliseconds timeout) const {
  std::string last;
  bool ok = wait_until(
      [&] {
        nlohmann::json targets = api("/api/v1/targets")["activeTargets"];
        last = targets.dump();
        if (targets.empty()) return false;
        for (const auto& t : targets)
          if (t.value("health", "") != "up") return false;
        return true;
      },
      timeout);
  if (!ok) throw std::runtime_error("prometheus: scrape targets not up in time: " + last + "\nlog:\n" + log());
}

void PrometheusServer::wait_for_rules_evaluated(std::chrono::milliseconds timeout) const {
  double since = 0;  // the groups must have been evaluated after this
  if (has_targets_) {
    wait_for_targets_up(timeout);
    nlohmann::json targets = api("/api/v1/targets")["activeTargets"];
    for (const auto& t : targets)
      since = std::max(since, epoch_seconds(t.value("lastScrape", "")));
  }
  since += evaluation_interval_s_;
  std::string last;
  bool ok = wait_until(
      [&] {
        nlohmann::json groups = api("/api/v1/rules")["groups"];
        last = groups.dump();
        for (const auto& g : groups) {
          if (epoch_seconds(g.value("lastEvaluation", "")) < since) return false;
          for (const auto& r : g["rules"])
            if (r.value("health", "") == "unknown") return false;
        }
        return true;
      },
      timeout);
  if (!ok) throw std::runtime_error("prometheus: rule groups not evaluated in time: " + last + "\nlog:\n" + log());
}

void PrometheusServer::wait_for_alert(const std::string& name, const std::string& state,
                                      std::chrono::milliseconds timeout) const {
  std::string last;
  bool ok = wait_until(
      [&] {
        nlohmann::json alerts = api("/api/v1/alerts")["alerts"];
        last = alerts.dump();
        for (const auto& a : alerts)
          if (a["labels"].value("alertname", "") == name && a.value("state", "") == state) return true;
        return false;
      },
      timeout);
  if (!ok)
    throw std::runtime_error("prometheus: alert " + name + " not " + state + " in time; alerts: " + last +
                             "\nlog:\n" + log());
}

struct AlertmanagerServer::Child {
  bp::child process;
};

AlertmanagerServer::AlertmanagerServer()
    : dir_(std::make_unique<TempDir>("greenlight-alertmanager")), port_(free_port()) {
  require_binary(kAlertmanager, "prometheus-alertmanager");
  write_file(dir_->file("alertmanager.yml"), "route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n");
  child_ = std::make_unique<Child>();
  // An empty --cluster.listen-address turns clustering (and its port 9094) off.
  child_->process = bp::child(kAlertmanager, "--config.file=" + dir_->file("alertmanager.yml"),
                              "--storage.path=" + dir_->file("data"), "--web.listen-address=" + address(),
                              "--cluster.listen-address=", bp::std_in < bp::null,
                              (bp::std_out & bp::std_err) > dir_->file("alertmanager.log"));
  wait_ready("alertmanager", child_->process, url(), dir_->file("alertmanager.log"), [this] { stop(); });
}

AlertmanagerServer::~AlertmanagerServer() {
  try {
    stop();
  } catch (...) {
  }
}

void AlertmanagerServer::stop() {
  if (!child_) return;
  stop_child(child_->process);
  child_.reset();
}

std::string AlertmanagerServer::url() const { return "http://" + address(); }
std::string AlertmanagerServer::address() const { return "127.0.0.1:" + std::to_string(port_); }
std::string AlertmanagerServer::log() const { return slurp(dir_->file("alertmanager.log")); }

}  // namespace greenlight::test
