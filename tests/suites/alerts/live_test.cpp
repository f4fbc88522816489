// Live alert checks against a real Prometheus (Debian's package) scraping a
// real greenlight-fixture, a real Alertmanager, and servers that misbehave:
// nothing listening, a socket that never answers, nginx answering HTML.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "suites/alerts/live.h"
#include "suites/alerts/prometheus_api.h"
#include "tests/support/fixture_process.h"
#include "tests/support/nginx_server.h"
#include "tests/support/ports.h"
#include "tests/support/prometheus_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

std::string write_rules(const TempDir& dir, const std::string& relative, const std::string& yaml) {
  std::string path = dir.file(relative);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << yaml;
  return path;
}

RuleFile load(const std::string& path) {
  RuleFile f = load_rule_file(path);
  INFO(path << ": " << (f.findings.empty() ? "" : f.findings.front().message));
  REQUIRE(f.ok());
  return f;
}

// RuleFile is move-only (it owns the parsed expressions).
std::vector<RuleFile> files(const std::string& path) {
  std::vector<RuleFile> out;
  out.push_back(load(path));
  return out;
}

const Check& check_named(const std::vector<Check>& checks, const std::string& name) {
  auto it = std::find_if(checks.begin(), checks.end(), [&](const Check& c) { return c.name == name; });
  if (it == checks.end()) {
    std::string names;
    for (const auto& c : checks) names += "\n  " + c.name;
    FAIL("no check named '" << name << "'; the checks are:" << names);
  }
  return *it;
}

std::string describe(const std::vector<Check>& checks) {
  std::string out;
  for (const auto& c : checks) {
    out += c.name + ": " + to_string(c.outcome) + (c.message.empty() ? "" : " - " + c.message) + "\n";
    for (const auto& e : c.evidence) out += "  [" + e.label + "] " + e.text + "\n";
  }
  return out;
}

std::string everything(const std::vector<Check>& checks) {
  std::string out;
  for (const auto& c : checks) {
    out += c.name + "\n" + c.message + "\n";
    for (const auto& e : c.evidence) out += e.text + "\n";
  }
  return out;
}

std::string address_of(const FixtureProcess& f) { return "127.0.0.1:" + std::to_string(f.port()); }

// Healthy rules: odd spacing on purpose, since Prometheus shows the re-printed query.
const char* kHealthyRules = R"(groups:
  - name: app
    rules:
      - alert: WorkerUnhealthy
        expr: app_worker_healthy==0
        labels:
          severity: critical
        annotations:
          summary: "worker on {{ $labels.instance }} is unhealthy"
      - alert: QueueBacklog
        expr: max by(queue)(app_jobs_queue_depth) > 100
        for: 5m
        labels:
          severity: warning
      - alert: SlowRequests
        expr: histogram_quantile(0.99, sum by (le) (rate(app_http_request_duration_seconds_bucket[1m]))) > 0.5
        labels:
          severity: warning
      - alert: FixtureDown
        expr: absent(up{job="fixture"} == 1)
        labels:
          severity: page
      - record: queue:depth:sum
        expr: sum by (job) (app_jobs_queue_depth)
)";

const char* kMissingMetricRules = R"(groups:
  - name: certificates
    rules:
      - alert: CertificateExpiring
        expr: app_tls_cert_expiry_seconds - time() < 7 * 86400
        labels:
          severity: warning
      - alert: WorkerDownOutsideMaintenance
        expr: app_worker_healthy == 0 unless on() app_maintenance_mode == 1
        labels:
          severity: warning
)";

// The same group as kHealthyRules with one expression, one `for` and one
// label changed, and a group that was never deployed.
const char* kChangedRules = R"(groups:
  - name: app
    rules:
      - alert: WorkerUnhealthy
        expr: app_worker_healthy < 1
        labels:
          severity: critical
        annotations:
          summary: "worker on {{ $labels.instance }} is unhealthy"
      - alert: QueueBacklog
        expr: max by(queue)(app_jobs_queue_depth) > 100
        for: 10m
        labels:
          severity: warning
      - alert: SlowRequests
        expr: histogram_quantile(0.99, sum by (le) (rate(app_http_request_duration_seconds_bucket[1m]))) > 0.5
        labels:
          severity: page
      - alert: FixtureDown
        expr: absent(up{job="fixture"} == 1)
        labels:
          severity: page
      - record: queue:depth:sum
        expr: sum by (job) (app_jobs_queue_depth)
  - name: backups
    rules:
      - alert: BackupTooOld
        expr: time() - app_last_backup_timestamp_seconds > 86400
)";

const char* kFiringRules = R"(groups:
  - name: workers
    rules:
      - alert: WorkerUnhealthy
        expr: app_worker_healthy == 0
        labels:
          severity: critical
      - alert: QueueBacklog
        expr: app_jobs_queue_depth{queue="default"} > 100
        labels:
          severity: warning
  - name: broken
    rules:
      - alert: WorkerQueueMismatch
        expr: app_worker_healthy == on() app_jobs_queue_depth
        labels:
          severity: warning
)";

// A loopback socket that accepts connections (the kernel completes them from
// the backlog) and never answers: a server that hangs.
class SilentListener {
 public:
  SilentListener() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  unsigned short port() const { return port_; }

 private:
  int fd_ = -1;
  unsigned short port_ = 0;
};

}  // namespace

TEST_CASE("live checks compare loaded rules and series with the rule files", "[alerts][live]") {
  TempDir dir("greenlight-live");
  std::string healthy = write_rules(dir, "deployed/healthy.yml", kHealthyRules);
  std::string missing = write_rules(dir, "deployed/missing.yml", kMissingMetricRules);
  FixtureProcess fixture;
  AlertmanagerServer alertmanager;
  PrometheusOptions po;
  po.scrape_targets = {address_of(fixture)};
  po.rule_files = {healthy, missing};
  PrometheusServer prometheus(po);
  prometheus.wait_for_rules_evaluated();

  LiveOptions options;
  options.prometheus_url = prometheus.url();

  // Healthy: loaded as written, every selector has series, nothing fires.
  auto checks = live_checks(files(healthy), options);
  INFO(describe(checks));
  CHECK(check_named(checks, "prometheus").outcome == Outcome::passed);
  CHECK(check_named(checks, "loaded: healthy.yml group \"app\"").outcome == Outcome::passed);
  CHECK(check_named(checks, "has series: healthy.yml group \"app\" alert \"WorkerUnhealthy\"").outcome ==
        Outcome::passed);
  CHECK(check_named(checks, "has series: healthy.yml group \"app\" alert \"QueueBacklog\"").outcome == Outcome::passed);
  CHECK(check_named(checks, "has series: healthy.yml group \"app\" alert \"SlowRequests\"").outcome == Outcome::passed);
  const Check& absent = check_named(checks, "has series: healthy.yml group \"app\" alert \"FixtureDown\"");
  CHECK(absent.outcome == Outcome::skipped);
  CHECK_THAT(absent.message, Catch::Contains("absent()"));
  CHECK(check_named(checks, "firing now").outcome == Outcome::passed);
  CHECK(checks.size() == 7);  // prometheus, 1 loaded, 4 has series, firing now

  // A metric the fixture never exposes: that alert can never fire; the right
  // side of `unless` may be missing without that.
  checks = live_checks(files(missing), options);
  INFO(describe(checks));
  CHECK(check_named(checks, "loaded: missing.yml group \"certificates\"").outcome == Outcome::passed);
  const Check& never = check_named(checks, "has series: missing.yml group \"certificates\" alert \"CertificateExpiring\"");
  CHECK(never.outcome == Outcome::failed);
  CHECK_THAT(never.message, Catch::Contains("missing.yml:5: group \"certificates\", alert \"CertificateExpiring\": this alert can never fire: "
                                            "no series match app_tls_cert_expiry_seconds"));
  const Check& unless =
      check_named(checks, "has series: missing.yml group \"certificates\" alert \"WorkerDownOutsideMaintenance\"");
  CHECK(unless.outcome == Outcome::passed);
  REQUIRE(!unless.evidence.empty());
  CHECK_THAT(unless.evidence[0].text, Catch::Contains("app_maintenance_mode: not required"));

  // A local file that differs from what is deployed: the changed rule is
  // named with both expressions; the undeployed group is not loaded.
  std::string changed = write_rules(dir, "local/healthy.yml", kChangedRules);
  checks = live_checks(files(changed), options);
  INFO(describe(checks));
  const Check& differs = check_named(checks, "loaded: healthy.yml group \"app\"");
  CHECK(differs.outcome == Outcome::failed);
  CHECK_THAT(differs.message, Catch::Contains("healthy.yml:4: group \"app\", alert \"WorkerUnhealthy\": the loaded query differs"));
  CHECK_THAT(differs.message, Catch::Contains("file:   app_worker_healthy < 1"));
  CHECK_THAT(differs.message, Catch::Contains("loaded: app_worker_healthy == 0"));
  CHECK_THAT(differs.message,
             Catch::Contains("healthy.yml:10: group \"app\", alert \"QueueBacklog\": the loaded `for` is 5m, the file's 10m"));
  CHECK_THAT(differs.message, Catch::Contains("healthy.yml:15: group \"app\", alert \"SlowRequests\": the loaded labels differ from "
                                              "the file's\n  file:   {severity=\"page\"}\n  loaded: "
                                              "{severity=\"warning\"}"));
  CHECK_THAT(differs.message, !Catch::Contains("FixtureDown"));
  const Check& undeployed = check_named(checks, "loaded: healthy.yml group \"backups\"");
  CHECK(undeployed.outcome == Outcome::failed);
  CHECK_THAT(undeployed.message, Catch::Contains("group \"backups\" (healthy.yml:25) is not loaded on Prometheus at " +
                                                 prometheus.url()));

  // A local file without a rule that is deployed.
  std::string fewer = write_rules(dir, "local/missing.yml", R"(groups:
  - name: certificates
    rules:
      - alert: CertificateExpiring
        expr: app_tls_cert_expiry_seconds - time() < 7 * 86400
        labels:
          severity: warning
)");
  checks = live_checks(files(fewer), options);
  INFO(describe(checks));
  const Check& extra = check_named(checks, "loaded: missing.yml group \"certificates\"");
  CHECK(extra.outcome == Outcome::failed);
  CHECK(extra.message == "missing.yml:2: group \"certificates\": the loaded group has alert "
                         "\"WorkerDownOutsideMaintenance\", which the file does not have");

  // Prometheus answers an error envelope for a bad query: its errorType and error.
  ApiClient api("Prometheus", prometheus.url());
  try {
    api.data("/api/v1/query", {{"query", "sum(app_worker_healthy"}});
    FAIL("a bad query did not throw");
  } catch (const ApiError& e) {
    CHECK(e.kind == ApiFailure::api_error);
    CHECK_THAT(e.what(), Catch::Contains("GET /api/v1/query: HTTP 400: bad_data:"));
    CHECK_THAT(e.what(), Catch::Contains("unclosed left parenthesis"));
  }

  // An Alertmanager that answers, but this Prometheus sends alerts to none.
  options.alertmanager_url = alertmanager.url();
  checks = live_checks({}, options);
  INFO(describe(checks));
  const Check& am = check_named(checks, "alertmanager");
  CHECK(am.outcome == Outcome::failed);
  CHECK_THAT(am.message, Catch::Contains("sends alerts to no Alertmanager"));
}

TEST_CASE("live checks fail on a firing critical alert and a rule evaluation error", "[alerts][live]") {
  TempDir dir("greenlight-live");
  std::string rules = write_rules(dir, "firing.yml", kFiringRules);
  FixtureOptions fo;
  fo.faults = {"worker-unhealthy", "queue-depth=500"};
  FixtureProcess fixture(fo);
  AlertmanagerServer alertmanager;
  PrometheusOptions po;
  po.scrape_targets = {address_of(fixture)};
  po.rule_files = {rules};
  po.alertmanagers = {alertmanager.address()};
  PrometheusServer prometheus(po);
  prometheus.wait_for_rules_evaluated();
  prometheus.wait_for_alert("WorkerUnhealthy");
  prometheus.wait_for_alert("QueueBacklog");
  REQUIRE(prometheus.wait_until([&] { return !prometheus.api("/api/v1/alertmanagers")["activeAlertmanagers"].empty(); },
                                std::chrono::seconds(20)));

  LiveOptions options;
  options.prometheus_url = prometheus.url();
  options.alertmanager_url = alertmanager.url();
  auto checks = live_checks(files(rules), options);
  INFO(describe(checks));

  const Check& firing = check_named(checks, "firing now");
  CHECK(firing.outcome == Outcome::failed);
  CHECK_THAT(firing.message, Catch::Contains("1 alert firing at a gating severity"));
  CHECK_THAT(firing.message, Catch::Contains("alert \"WorkerUnhealthy\" is firing at severity \"critical\""));
  CHECK_THAT(firing.message, Catch::Contains("job=\"fixture\""));
  CHECK_THAT(firing.message, !Catch::Contains("QueueBacklog"));  // warning: listed, not gating
  REQUIRE(!firing.evidence.empty());
  CHECK_THAT(firing.evidence[0].text, Catch::Contains("QueueBacklog{"));

  CHECK(check_named(checks, "loaded: firing.yml group \"workers\"").outcome == Outcome::passed);
  const Check& broken = check_named(checks, "loaded: firing.yml group \"broken\"");
  CHECK(broken.outcome == Outcome::failed);
  CHECK_THAT(broken.message, Catch::Contains("firing.yml:14: group \"broken\", alert \"WorkerQueueMismatch\": evaluation fails"));
  CHECK_THAT(broken.message, Catch::Contains("many-to-many matching not allowed"));

  const Check& am = check_named(checks, "alertmanager");
  CHECK(am.outcome == Outcome::passed);
  REQUIRE(!am.evidence.empty());
  CHECK_THAT(am.evidence[0].text, Catch::Contains("cluster disabled"));

  // Only "page" gates: the same alerts no longer fail the check.
  options.gate_severities = {"page"};
  checks = live_checks(files(rules), options);
  INFO(describe(checks));
  CHECK(check_named(checks, "firing now").outcome == Outcome::passed);
}

TEST_CASE("live checks fail clearly when the servers cannot be queried", "[alerts][live]") {
  TempDir dir("greenlight-live");
  std::string rules = write_rules(dir, "healthy.yml", kHealthyRules);
  unsigned short closed = free_port();
  unsigned short closed_am = free_port();

  SECTION("nothing listens") {
    LiveOptions options;
    options.prometheus_url = "http://127.0.0.1:" + std::to_string(closed);
    options.alertmanager_url = "http://127.0.0.1:" + std::to_string(closed_am);
    auto checks = live_checks(files(rules), options);
    INFO(describe(checks));
    const Check& p = check_named(checks, "prometheus");
    CHECK(p.outcome == Outcome::failed);
    CHECK_THAT(p.message, Catch::Contains("Prometheus at http://127.0.0.1:" + std::to_string(closed) +
                                          " is unreachable: connection refused by 127.0.0.1:" + std::to_string(closed)));
    const Check& loaded = check_named(checks, "loaded: healthy.yml group \"app\"");
    CHECK(loaded.outcome == Outcome::skipped);
    CHECK_THAT(loaded.message, Catch::Contains("could not be queried"));
    CHECK(check_named(checks, "firing now").outcome == Outcome::skipped);
    const Check& am = check_named(checks, "alertmanager");
    CHECK(am.outcome == Outcome::failed);
    CHECK_THAT(am.message, Catch::Contains("connection refused by 127.0.0.1:" + std::to_string(closed_am)));
  }

  SECTION("the server accepts and never answers") {
    SilentListener silent;
    LiveOptions options;
    options.prometheus_url = "http://127.0.0.1:" + std::to_string(silent.port());
    options.timeout_ms = 300;
    auto checks = live_checks(files(rules), options);
    INFO(describe(checks));
    const Check& p = check_named(checks, "prometheus");
    CHECK(p.outcome == Outcome::failed);
    CHECK_THAT(p.message, Catch::Contains("GET /api/v1/status/buildinfo: no complete answer from 127.0.0.1:" +
                                          std::to_string(silent.port()) + " within 300 ms"));
  }

  SECTION("the server is not Prometheus and credentials stay out of messages") {
    NginxServer nginx(R"(
      location /api/v1/status/ { default_type text/html; return 200 "<html>not prometheus</html>"; }
      location /api/v1/rules { default_type text/plain; return 401 "denied for $http_authorization"; }
    )");
    LiveOptions options;
    options.prometheus_url = nginx.url();
    auto checks = live_checks(files(rules), options);
    INFO(describe(checks));
    const Check& p = check_named(checks, "prometheus");
    CHECK(p.outcome == Outcome::failed);
    CHECK_THAT(p.message, Catch::Contains("HTTP 200 but the body is not JSON (text/html): <html>not prometheus</html>"));

    options.bearer_token = "s3cret-bearer-token";
    options.prometheus_url = "http://greenlight:url-pass-123@127.0.0.1:" + std::to_string(nginx.port());
    ApiClient api("Prometheus", options.prometheus_url, {1000, options.bearer_token, "", ""});
    try {
      api.data("/api/v1/rules");
      FAIL("HTTP 401 did not throw");
    } catch (const ApiError& e) {
      CHECK(e.kind == ApiFailure::http_status);
      CHECK_THAT(e.what(), Catch::Contains("HTTP 401 (check the credentials): denied for Bearer [redacted]"));
      CHECK_THAT(e.what(), !Catch::Contains("s3cret"));
      CHECK_THAT(e.what(), !Catch::Contains("url-pass-123"));
    }
    checks = live_checks(files(rules), options);
    INFO(describe(checks));
    CHECK(check_named(checks, "prometheus").outcome == Outcome::failed);
    CHECK_THAT(everything(checks), !Catch::Contains("s3cret") && !Catch::Contains("url-pass-123"));
    CHECK_THAT(everything(checks), Catch::Contains("Prometheus at http://greenlight:***@127.0.0.1:"));
  }
}
