// Running promtool test files end to end on greenlight's evaluator: alert
// state (for, keep_firing_for, resolution), recording chains and group order,
// ALERTS series, expression checks, and failure messages that point at the
// label, annotation or value that differs.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/config_error.h"
#include "suites/alerts/unit_test_run.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using greenlight::test::TempDir;

namespace {

const char* kRules = R"(groups:
  - name: api
    rules:
      - record: job:errors:ratio
        expr: sum by (job) (errors) / sum by (job) (requests)
      - alert: HighErrorRate
        expr: job:errors:ratio > 0.04
        for: 2m
        labels:
          severity: '{{ if gt $value 0.1 }}page{{ else }}warning{{ end }}'
        annotations:
          summary: 'Error rate {{ humanizePercentage $value }}'
          env: '{{ $externalLabels.env }}'
      - alert: Backlog
        expr: queue > 10
        for: 1m
        keep_firing_for: 2m
)";

struct Fixture {
  TempDir dir;
  Fixture() { write("rules.yml", kRules); }
  void write(const std::string& name, const std::string& text) const { std::ofstream(dir.file(name)) << text; }
  std::vector<Check> run(const std::string& tests, const UnitTestOptions& options = {}) const {
    write("t.yml", "rule_files: [rules.yml]\ntests:\n" + tests);
    return run_unit_test_file(dir.file("t.yml"), options);
  }
};

const Check& only(const std::vector<Check>& checks) {
  REQUIRE(checks.size() == 1);
  return checks[0];
}

// 5% of requests fail from 1m on.
const char* kErrorSeries = R"(
    input_series:
      - series: 'requests{job="api", instance="a"}'
        values: '100x10'
      - series: 'errors{job="api", instance="a"}'
        values: '0 5x9'
)";

}  // namespace

TEST_CASE("an alert fires after for with its labels and annotations", "[alerts][unittest]") {
  Fixture f;
  auto checks = f.run(std::string(R"(  - name: errors
    interval: 1m
    external_labels: {env: prod}
)") + kErrorSeries + R"(
    alert_rule_test:
      - eval_time: 2m
        alertname: HighErrorRate
        exp_alerts: []
      - eval_time: 3m
        alertname: HighErrorRate
        exp_alerts:
          - exp_labels: {job: api, severity: warning}
            exp_annotations: {summary: 'Error rate 5%', env: prod}
)");
  REQUIRE(checks.size() == 2);
  CHECK(checks[0].name == f.dir.file("t.yml") + ": errors: alert HighErrorRate at 2m");
  for (const auto& c : checks) {
    INFO(c.name << ": " << c.message);
    CHECK(c.outcome == Outcome::passed);
  }
}

TEST_CASE("a wrong annotation or label is named in the diff", "[alerts][unittest]") {
  Fixture f;
  auto checks = f.run(std::string(R"(  - name: errors
    interval: 1m
    external_labels: {env: prod}
)") + kErrorSeries + R"(
    alert_rule_test:
      - eval_time: 5m
        alertname: HighErrorRate
        exp_alerts:
          - exp_labels: {job: api, severity: page}
            exp_annotations: {summary: 'Error rate 4.5%', env: prod}
)");
  const Check& c = only(checks);
  CHECK(c.outcome == Outcome::failed);
  CHECK_THAT(c.message, Catch::Contains(f.dir.file("t.yml") + ":14: alert HighErrorRate at 5m: the firing alert is not the expected one"));
  CHECK_THAT(c.message, Catch::Contains(
                            R"(alert HighErrorRate{job="api", severity="page"}: label severity: expected "page" got "warning")"));
  CHECK_THAT(c.message, Catch::Contains(
                            R"(alert HighErrorRate{job="api", severity="page"}: annotation summary: expected "Error rate 4.5%" got "Error rate 5%")"));
  CHECK_THAT(c.message, !Catch::Contains("annotation env"));
  REQUIRE(c.evidence.size() == 3);
  CHECK(c.evidence[0].label == "expected");
  CHECK_THAT(c.evidence[1].text, Catch::Contains(R"(HighErrorRate{job="api", severity="warning"} annotations {env="prod", summary="Error rate 5%"})"));
}

TEST_CASE("an alert still pending is reported as missing with when it fires", "[alerts][unittest]") {
  Fixture f;
  auto checks = f.run(std::string(R"(  - name: too early
    interval: 1m
    external_labels: {env: prod}
)") + kErrorSeries + R"(
    alert_rule_test:
      - eval_time: 2m
        alertname: HighErrorRate
        exp_alerts:
          - exp_labels: {job: api, severity: warning}
            exp_annotations: {summary: 'Error rate 5%', env: prod}
      - eval_time: 2m
        alertname: NoSuchAlert
        exp_alerts:
          - exp_labels: {job: api}
)");
  REQUIRE(checks.size() == 2);
  CHECK(checks[0].outcome == Outcome::failed);
  CHECK_THAT(checks[0].message, Catch::Contains(R"(missing alert HighErrorRate{job="api", severity="warning"}: it is pending since 1m and fires at 3m (for: 2m))"));
  CHECK(checks[1].outcome == Outcome::failed);
  CHECK_THAT(checks[1].message, Catch::Contains("no alerting rule named \"NoSuchAlert\" is loaded"));
}

TEST_CASE("keep_firing_for keeps an alert firing after its condition ends", "[alerts][unittest]") {
  Fixture f;
  // queue > 10 at 1m..3m: pending 1m, firing 2m..3m, kept firing 4m and 5m, gone at 6m.
  auto checks = f.run(R"(  - name: backlog
    interval: 1m
    input_series:
      - series: 'queue{name="mail"}'
        values: '0 20 20 20 0 0 0 0'
    alert_rule_test:
      - {eval_time: 1m, alertname: Backlog, exp_alerts: []}
      - {eval_time: 2m, alertname: Backlog, exp_alerts: [{exp_labels: {name: mail}}]}
      - {eval_time: 5m, alertname: Backlog, exp_alerts: [{exp_labels: {name: mail}}]}
      - {eval_time: 6m, alertname: Backlog, exp_alerts: []}
      - {eval_time: 4m, alertname: Backlog, exp_alerts: []}
)");
  REQUIRE(checks.size() == 5);
  for (int i = 0; i < 4; ++i) {
    INFO(checks[i].name << ": " << checks[i].message);
    CHECK(checks[i].outcome == Outcome::passed);
  }
  CHECK(checks[4].outcome == Outcome::failed);
  CHECK_THAT(checks[4].message, Catch::Contains(R"(unexpected firing alert Backlog{name="mail"} (no annotations))"));
}

TEST_CASE("recording rules and ALERTS series are visible to expression tests", "[alerts][unittest]") {
  Fixture f;
  auto checks = f.run(std::string(R"(  - name: series
    interval: 1m
)") + kErrorSeries + R"(
    promql_expr_test:
      - expr: job:errors:ratio
        eval_time: 3m
        exp_samples:
          - labels: 'job:errors:ratio{job="api"}'
            value: 0.05
      - expr: ALERTS
        eval_time: 2m
        exp_samples:
          - labels: 'ALERTS{alertname="HighErrorRate", alertstate="pending", job="api", severity="warning"}'
            value: 1
      - expr: ALERTS_FOR_STATE{alertname="HighErrorRate"}
        eval_time: 3m
        exp_samples:
          - labels: 'ALERTS_FOR_STATE{alertname="HighErrorRate", job="api", severity="warning"}'
            value: 60
      - expr: scalar(job:errors:ratio) * 2
        eval_time: 3m
        exp_samples:
          - labels: '{}'
            value: 0.1
)");
  REQUIRE(checks.size() == 4);
  for (const auto& c : checks) {
    INFO(c.name << ": " << c.message);
    CHECK(c.outcome == Outcome::passed);
  }
  CHECK(checks[0].name == f.dir.file("t.yml") + ": series: expr job:errors:ratio at 3m");
}

TEST_CASE("a wrong value or label in an expression test is named", "[alerts][unittest]") {
  Fixture f;
  auto checks = f.run(R"(  - interval: 1m
    input_series:
      - series: 'm{job="a"}'
        values: '1 2 3'
      - series: 'm{job="b"}'
        values: '1 NaN 3'
    promql_expr_test:
      - expr: m
        eval_time: 2m
        exp_samples:
          - labels: 'm{job="a"}'
            value: 4
          - labels: 'm{job="c"}'
            value: 3
          - labels: 'm{job="d"}'
            value: 5
      - expr: m{job="a"}
        eval_time: 2m
        exp_samples:
          - labels: 'm{job="x"}'
            value: 2
      - expr: m{job="b"}
        eval_time: 1m
        exp_samples:
          - labels: 'm{job="b"}'
            value: .nan
      - expr: m[1m]
        eval_time: 1m
)");
  REQUIRE(checks.size() == 4);
  CHECK(checks[0].name == f.dir.file("t.yml") + ": test #1: expr m at 2m");
  CHECK(checks[0].outcome == Outcome::failed);
  CHECK_THAT(checks[0].message, Catch::Contains(R"(sample m{job="a"}: expected 4 got 3)"));
  CHECK_THAT(checks[0].message, Catch::Contains(R"(missing sample m{job="c"} 3)"));
  CHECK_THAT(checks[0].message, Catch::Contains(R"(missing sample m{job="d"} 5)"));
  CHECK_THAT(checks[0].message, Catch::Contains(R"(unexpected sample m{job="b"} 3)"));
  CHECK_THAT(checks[0].message, Catch::Contains("expected 3 samples, got 2"));
  // One sample on each side: the same sample with a wrong label.
  CHECK(checks[1].outcome == Outcome::failed);
  CHECK_THAT(checks[1].message, Catch::Contains(R"(sample m{job="x"}: label job: expected "x" got "a")"));
  CHECK_THAT(checks[1].message, Catch::Contains(R"(sample m{job="x"}: expected 2 got 3)"));
  // promtool 2.x compares exactly: NaN never equals NaN.
  CHECK(checks[2].outcome == Outcome::failed);
  CHECK_THAT(checks[2].message, Catch::Contains("NaN never equals NaN"));
  CHECK(checks[3].outcome == Outcome::failed);
  CHECK_THAT(checks[3].message, Catch::Contains("rule result is not a vector or scalar"));

  // fuzzy_compare (Prometheus 3): NaN equals NaN, and a relative 1e-6 is equal.
  f.write("t.yml", R"(rule_files: [rules.yml]
fuzzy_compare: true
tests:
  - interval: 1m
    input_series:
      - series: 'm{job="b"}'
        values: '1 NaN 1.0000001'
    promql_expr_test:
      - {expr: m, eval_time: 1m, exp_samples: [{labels: 'm{job="b"}', value: .nan}]}
      - {expr: m, eval_time: 2m, exp_samples: [{labels: 'm{job="b"}', value: 1}]}
      - {expr: m, eval_time: 2m, exp_samples: [{labels: 'm{job="b"}', value: 1.1}]}
)");
  auto fuzzy = run_unit_test_file(f.dir.file("t.yml"));
  REQUIRE(fuzzy.size() == 3);
  CHECK(fuzzy[0].outcome == Outcome::passed);
  CHECK(fuzzy[1].outcome == Outcome::passed);
  CHECK(fuzzy[2].outcome == Outcome::failed);
}

TEST_CASE("group_eval_order decides what a later group sees", "[alerts][unittest]") {
  Fixture f;
  f.write("chain.yml", R"(groups:
  - name: second
    rules:
      - record: doubled
        expr: summed * 2
  - name: first
    rules:
      - record: summed
        expr: sum(load)
)");
  auto run = [&](const std::string& order) {
    f.write("t.yml", "rule_files: [chain.yml]\ngroup_eval_order: [" + order + R"(]
tests:
  - interval: 1m
    input_series:
      - series: 'load{cpu="0"}'
        values: '1 2 3'
    promql_expr_test:
      - {expr: doubled, eval_time: 2m, exp_samples: [{labels: doubled, value: 6}]}
)");
    return only(run_unit_test_file(f.dir.file("t.yml")));
  };
  CHECK(run("first, second").outcome == Outcome::passed);
  Check reversed = run("second, first");
  CHECK(reversed.outcome == Outcome::failed);
  CHECK_THAT(reversed.message, Catch::Contains("sample doubled{}: expected 6 got 4"));
}

TEST_CASE("staleness markers end a series and test groups without interval stack samples", "[alerts][unittest]") {
  Fixture f;
  auto checks = f.run(R"(  - interval: 1m
    input_series:
      - series: 'm{job="a"}'
        values: '1 stale 3'
      - series: 'm{job="b"}'
        values: '1 _ 3'
    promql_expr_test:
      - {expr: m, eval_time: 1m, exp_samples: [{labels: 'm{job="b"}', value: 1}]}
  - input_series:
      - series: 'n'
        values: '5 6 7'
    promql_expr_test:
      - {expr: n, eval_time: 2m, exp_samples: [{labels: n, value: 7}]}
)");
  REQUIRE(checks.size() == 2);
  CHECK(checks[0].outcome == Outcome::passed);
  CHECK(checks[1].outcome == Outcome::failed);
  CHECK_THAT(checks[1].message, Catch::Contains("sample n{}: expected 7 got 5"));
  CHECK_THAT(checks[1].message, Catch::Contains("has no `interval`"));
  UnitTestOptions v3;
  v3.semantics_v3 = true;
  f.write("t.yml", R"(rule_files: [rules.yml]
tests:
  - input_series:
      - series: 'n'
        values: '5 6 7'
    promql_expr_test:
      - {expr: n, eval_time: 2m, exp_samples: [{labels: n, value: 7}]}
)");
  CHECK(only(run_unit_test_file(f.dir.file("t.yml"), v3)).outcome == Outcome::passed);
}

TEST_CASE("a rule that fails to evaluate fails its test group", "[alerts][unittest]") {
  Fixture f;
  f.write("bad.yml", R"(groups:
  - name: bad
    rules:
      - record: collapsed
        expr: up
        labels: {instance: all}
)");
  f.write("t.yml", R"(rule_files: [bad.yml]
tests:
  - name: broken
    interval: 1m
    input_series:
      - {series: 'up{instance="a"}', values: '1 1'}
      - {series: 'up{instance="b"}', values: '1 1'}
    promql_expr_test:
      - {expr: up, eval_time: 1m, exp_samples: [{labels: 'up{instance="a"}', value: 1}, {labels: 'up{instance="b"}', value: 1}]}
  - name: nothing to check
    interval: 1m
    input_series:
      - {series: 'up{instance="a"}', values: '1'}
      - {series: 'up{instance="b"}', values: '1'}
)");
  auto checks = run_unit_test_file(f.dir.file("t.yml"));
  REQUIRE(checks.size() == 2);
  CHECK(checks[0].outcome == Outcome::failed);
  CHECK_THAT(checks[0].message, Catch::Contains("not checked: the rules failed to evaluate"));
  CHECK_THAT(checks[0].message, Catch::Contains("rule \"collapsed\" (group \"bad\", " + f.dir.file("bad.yml") +
                                                ":4) at 0s: vector contains metrics with the same labelset after "
                                                "applying rule labels"));
  CHECK(checks[1].name == f.dir.file("t.yml") + ": nothing to check: rules");
  CHECK(checks[1].outcome == Outcome::failed);
}

TEST_CASE("a rule file that does not load fails the tests and a missing one is a config error", "[alerts][unittest]") {
  Fixture f;
  f.write("invalid.yml", "groups:\n  - name: g\n    rules:\n      - alert: X\n        expr: sum(\n");
  f.write("t.yml", R"(rule_files: [invalid.yml]
tests:
  - alert_rule_test:
      - {eval_time: 0m, alertname: X, exp_alerts: []}
)");
  std::vector<Check> checks = run_unit_test_file(f.dir.file("t.yml"));
  const Check& c = only(checks);
  CHECK(c.outcome == Outcome::failed);
  CHECK_THAT(c.message, Catch::Contains("the rule files do not load"));
  CHECK_THAT(c.message, Catch::Contains(f.dir.file("invalid.yml") + ":"));

  f.write("t.yml", "# the rules\nrule_files:\n  - rules.yml\n  - gone.yml\n");
  CHECK_THROWS_WITH(run_unit_test_file(f.dir.file("t.yml")),
                    Catch::Contains(f.dir.file("t.yml") + ":4: rule_files[1]: rule file \"gone.yml\" not found"));
}
