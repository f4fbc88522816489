// A real Prometheus (Debian's /usr/bin/prometheus) for one test: its config,
// rule files' references and TSDB in a TempDir, listening on a free loopback
// port with short scrape and evaluation intervals, stopped in the destructor.
// Also a real Alertmanager (/usr/bin/prometheus-alertmanager) the same way.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace greenlight::test {

class TempDir;

struct PrometheusOptions {
  std::vector<std::string> scrape_targets;  // "127.0.0.1:PORT", scraped as job `job_name`
  std::string job_name = "fixture";         // the demo rules expect "app" (up{job="app"})
  std::vector<std::string> rule_files;      // absolute paths
  std::vector<std::string> alertmanagers;   // "127.0.0.1:PORT"
  std::string scrape_interval = "1s";
  std::string evaluation_interval = "1s";
};

class PrometheusServer {
 public:
  // Throws with Prometheus' log when it is not ready within 15 s.
  explicit PrometheusServer(PrometheusOptions options = {});
  ~PrometheusServer();  // SIGTERM, then SIGKILL after 5 s
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  std::string url() const;  // "http://127.0.0.1:PORT"
  unsigned short port() const { return port_; }
  const std::string& dir() const;
  std::string config_path() const;
  std::string log() const;  // what Prometheus printed so far

  // GET url()+path and the envelope's data; throws with the answer otherwise.
  nlohmann::json api(const std::string& path) const;

  // Polls `predicate` every 100 ms; false when it never held within `timeout`.
  bool wait_until(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const;
  // Every scrape target is up (Prometheus applies targets only every 5 s).
  void wait_for_targets_up(std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  // Targets are up, then every group was evaluated at a time after their last
  // scrape (a group's evaluation timestamp lags its wall clock by up to one
  // interval), so rule health and alerts reflect scraped data. Throws with
  // the log on timeout.
  void wait_for_rules_evaluated(std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  // An alert of that name is in `state` ("firing", "pending").
  void wait_for_alert(const std::string& name, const std::string& state = "firing",
                      std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;

 private:
  struct Child;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Child> child_;
  unsigned short port_ = 0;
  bool has_targets_ = false;
  double evaluation_interval_s_ = 1;
  void stop();
};

class AlertmanagerServer {
 public:
  // Clustering off, one receiver that sends nothing. Throws with the log when
  // not ready within 15 s.
  AlertmanagerServer();
  ~AlertmanagerServer();
  AlertmanagerServer(const AlertmanagerServer&) = delete;
  AlertmanagerServer& operator=(const AlertmanagerServer&) = delete;

  std::string url() const;      // "http://127.0.0.1:PORT"
  std::string address() const;  // "127.0.0.1:PORT"
  unsigned short port() const { return port_; }
  std::string log() const;

 private:
  struct Child;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Child> child_;
  unsigned short port_ = 0;
  void stop();
};

}  // namespace greenlight::test
