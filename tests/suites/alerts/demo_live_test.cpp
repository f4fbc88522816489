// The demo plan's alerts section run the way ./ci/demo runs it: `greenlight
// run fixtures/demo/greenlight.yaml --suite alerts --var prometheus=URL`
// against a real Prometheus that scrapes a real greenlight-fixture as job
// "app" with the demo rules loaded. Healthy: every live check passes (the
// backup-age alert, whose metric this Prometheus lacks, is skipped saying
// why). Fault: a demo rule reading a metric the fixture never exposes fails
// its "has series" check naming that metric.
#include <filesystem>
#include <fstream>
#include <map>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/support/command.h"
#include "tests/support/fixture_process.h"
#include "tests/support/prometheus_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_cert.h"

using namespace greenlight::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kDemo = SOURCE_DIR "/fixtures/demo";

// Rules a copy of the demo plan picks up through its `rules/*.rules.yml`: one
// reads a metric the fixture never exposes; the other has an absent() of
// another selector than the one it compares, which does not excuse it.
const char* kExtraRules = R"(groups:
  - name: app-extra
    rules:
      - alert: AppJobsFailing
        expr: rate(app_jobs_failed_total[5m]) > 0
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: "jobs fail"
          runbook_url: https://runbooks.example.com/app/jobs
      - alert: AppEmailJobsFailing
        expr: app_jobs_failed_total{queue="email"} > 0 or absent(app_jobs_failed_total)
        for: 5m
        labels:
          severity: warning
        annotations:
          summary: "email jobs fail"
          runbook_url: https://runbooks.example.com/app/jobs
)";

struct AlertsRun {
  CommandResult command;
  std::map<std::string, nlohmann::json> checks;  // by name
  std::string describe;                           // every check, for INFO
};

AlertsRun run_alerts(const std::string& plan, const std::string& out, const FixtureProcess& fixture,
                     const std::string& history, const PrometheusServer& prometheus) {
  AlertsRun run;
  run.command = run_greenlight({"run", plan, "--suite", "alerts", "--out", out, "--target-url", fixture.url(), "--var",
                                "database=sqlite://" + fixture.db_path(), "--var", "history=" + history, "--var",
                                "prometheus=" + prometheus.url()});
  auto report = nlohmann::json::parse(read_file(out + "/greenlight.json"));
  for (const auto& suite : report["suites"]) {
    if (suite["name"] != "alerts") continue;
    for (const auto& c : suite["checks"]) {
      std::string name = c["name"];
      run.checks[name] = c;
      run.describe += name + ": " + c["outcome"].get<std::string>() + " " + c["message"].get<std::string>() + "\n";
    }
  }
  return run;
}

std::string outcome(const AlertsRun& run, const std::string& check) {
  auto it = run.checks.find(check);
  return it == run.checks.end() ? "(no such check)" : it->second["outcome"].get<std::string>();
}

std::string message(const AlertsRun& run, const std::string& check) {
  auto it = run.checks.find(check);
  return it == run.checks.end() ? "" : it->second["message"].get<std::string>();
}

}  // namespace

TEST_CASE("the demo plan's live alert checks pass on the demo target and name a metric it never exposes",
          "[alerts][live][demo]") {
  TempDir dir("greenlight-demo-live");
  // TLS on, as in ./ci/demo: the fixture exposes its certificate's expiry then.
  CertFiles cert = make_self_signed_cert(dir.path(), 365, "127.0.0.1");
  FixtureOptions fo;
  fo.tls = true;
  fo.cert_path = cert.cert_path;
  fo.key_path = cert.key_path;
  fo.extra_args = {"--migrations", kDemo + "/migrations/app"};
  FixtureProcess fixture(fo);

  fs::copy(kDemo, dir.file("demo"), fs::copy_options::recursive);
  std::string extra = dir.file("demo/rules/extra.rules.yml");
  std::ofstream(extra) << kExtraRules;

  PrometheusOptions po;
  po.job_name = "app";
  po.scrape_targets = {"127.0.0.1:" + std::to_string(fixture.port())};
  po.rule_files = {kDemo + "/rules/app.rules.yml", extra};
  PrometheusServer prometheus(po);
  prometheus.wait_for_rules_evaluated(40s);
  // The error ratio needs two scrapes inside its rate() window and then an
  // evaluation of its 15 s group: until then AppHighErrorRate has no series.
  bool ratio = prometheus.wait_until(
      [&] { return !prometheus.api("/api/v1/query?query=app:http_errors:ratio_rate5m")["result"].empty(); }, 40s);
  INFO(prometheus.log());
  REQUIRE(ratio);

  // Healthy: the demo plan as ./ci/demo runs it.
  AlertsRun healthy = run_alerts(kDemo + "/greenlight.yaml", dir.file("healthy"), fixture, dir.file("history.db"),
                                 prometheus);
  INFO(healthy.command.out << healthy.command.err << "\n" << healthy.describe);
  CHECK(healthy.command.exit_code == 0);
  CHECK(healthy.checks.count("live") == 0);  // not "skipped, because no Prometheus is given"
  CHECK(outcome(healthy, "prometheus") == "passed");
  for (const char* group : {"app-availability", "app-workers", "app-certificates", "app-backups"})
    CHECK(outcome(healthy, std::string("loaded: app.rules.yml group \"") + group + "\"") == "passed");
  const std::map<std::string, std::string> alerts = {
      {"AppHighErrorRate", "app-availability"}, {"AppSlowRequests", "app-availability"},
      {"AppDown", "app-availability"},          {"AppWorkerUnhealthy", "app-workers"},
      {"AppQueueBacklog", "app-workers"},       {"AppCertificateExpiresSoon", "app-certificates"}};
  for (const auto& [alert, group] : alerts)
    CHECK(outcome(healthy, "has series: app.rules.yml group \"" + group + "\" alert \"" + alert + "\"") == "passed");
  std::string backup = "has series: app.rules.yml group \"app-backups\" alert \"AppBackupDrillTooOld\"";
  CHECK(outcome(healthy, backup) == "skipped");
  CHECK_THAT(message(healthy, backup),
             Catch::Contains("greenlight_backup_drill_last_success_timestamp_seconds: not required, absent() of it on "
                             "the other side of `or` fires the alert when it has no series"));
  CHECK(outcome(healthy, "firing now") == "passed");
  CHECK(healthy.checks.count("has series: extra.rules.yml group \"app-extra\" alert \"AppJobsFailing\"") == 0);

  // Fault: the copy of the demo plan also lists extra.rules.yml.
  AlertsRun fault = run_alerts(dir.file("demo/greenlight.yaml"), dir.file("fault"), fixture, dir.file("history.db"),
                               prometheus);
  INFO(fault.command.out << fault.command.err << "\n" << fault.describe);
  CHECK(fault.command.exit_code == 1);
  CHECK(outcome(fault, "loaded: extra.rules.yml group \"app-extra\"") == "passed");
  std::string dead = "has series: extra.rules.yml group \"app-extra\" alert \"AppJobsFailing\"";
  CHECK(outcome(fault, dead) == "failed");
  CHECK_THAT(message(fault, dead), Catch::Contains("extra.rules.yml:5: group \"app-extra\", alert \"AppJobsFailing\": "
                                                   "this alert can never fire: no series match app_jobs_failed_total"));
  std::string other = "has series: extra.rules.yml group \"app-extra\" alert \"AppEmailJobsFailing\"";
  CHECK(outcome(fault, other) == "failed");
  CHECK_THAT(message(fault, other), Catch::Contains("no series match app_jobs_failed_total{queue=\"email\"}"));
  for (const auto& [alert, group] : alerts)
    CHECK(outcome(fault, "has series: app.rules.yml group \"" + group + "\" alert \"" + alert + "\"") == "passed");
}
