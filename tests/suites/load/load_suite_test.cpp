// The load suite from a plan against the real fixture: thresholds pass on a
// healthy target and fail, naming the observed value, on a slow or failing one.
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>

#include "harness/plan.h"
#include "harness/runner.h"
#include "suites/all_suites.h"
#include "tests/support/fixture_process.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

SuiteResult run_load_plan(const std::string& base_url, const std::string& scenario) {
  TempDir dir;
  std::ofstream(dir.file("plan.yaml")) << "target: {base_url: '" << base_url << "'}\nsuites:\n  load:\n    scenarios:\n" << scenario;
  Plan plan = load_plan(dir.file("plan.yaml"));
  auto suites = build_suites(plan, all_suite_kinds(), {});
  RunResult run = run_suites(plan, suites, RunOptions{});
  REQUIRE(run.suites.size() == 1);
  return run.suites[0];
}

const Check& named(const SuiteResult& r, const std::string& name) {
  for (const Check& c : r.checks)
    if (c.name == name) return c;
  FAIL("no check " << name);
  throw;
}

const std::string kScenario = R"(      api:
        executor: constant-arrival-rate
        rate: 100
        duration: 2s
        connections: 4
        threads: 1
        requests: [{name: health, path: /health}]
        thresholds: ["p(99)<150ms", "error_rate<1%", "dropped==0"]
)";

}  // namespace

TEST_CASE("load thresholds hold on a healthy target", "[load][fixture]") {
  FixtureProcess fixture;
  SuiteResult r = run_load_plan(fixture.url(), kScenario);
  REQUIRE(r.checks.size() == 4);
  CHECK(named(r, "api").outcome == Outcome::passed);
  for (const Check& c : r.checks) {
    INFO(c.name << ": " << c.message);
    CHECK(c.outcome == Outcome::passed);
  }
  double requests = 0;
  for (const Figure& f : named(r, "api").figures)
    if (f.name == "requests") requests = f.value;
  CHECK(requests == Approx(200).margin(4));
}

TEST_CASE("a slow target fails the latency threshold, naming p(99)", "[load][fixture]") {
  FixtureProcess fixture;
  fixture.set_fault("latency", "300");
  SuiteResult r = run_load_plan(fixture.url(), kScenario);
  const Check& p99 = named(r, "api: p(99)<150ms");
  CHECK(p99.outcome == Outcome::failed);
  CHECK_THAT(p99.message, Catch::StartsWith("p(99)=3") && Catch::EndsWith("ms, limit <150ms"));
}

TEST_CASE("a failing target fails the error-rate threshold", "[load][fixture]") {
  FixtureProcess fixture;
  fixture.set_fault("error-rate", "0.5");
  SuiteResult r = run_load_plan(fixture.url(), R"(      api:
        executor: max-rate
        duration: 1s
        connections: 4
        threads: 1
        requests: [{path: /api/items}]
        thresholds: ["error_rate<1%"]
)");
  const Check& err = named(r, "api: error_rate<1%");
  CHECK(err.outcome == Outcome::failed);
  // The fixture's error-rate fault fails half the requests: about 50%, not
  // exactly (49.99% was seen on a loaded machine).
  REQUIRE_THAT(err.message, Catch::StartsWith("error_rate="));
  double rate = std::stod(err.message.substr(std::string("error_rate=").size()));
  CHECK(rate > 40);
  CHECK(rate < 60);
}

TEST_CASE("an unreachable target fails the run check with the error class", "[load]") {
  SuiteResult r = run_load_plan("http://127.0.0.1:1", R"(      api:
        executor: max-rate
        duration: 1s
        connections: 2
        threads: 1
        requests: [{path: /health}]
)");
  const Check& run = named(r, "api");
  CHECK(run.outcome == Outcome::failed);
  CHECK_THAT(run.message, Catch::StartsWith("no request completed") && Catch::Contains("connect_refused"));
}

TEST_CASE("abort_on_fail stops a scenario once a threshold fails, and the next one still runs", "[load][fixture][abort]") {
  FixtureProcess fixture;
  fixture.set_fault("latency", "200");
  auto started = std::chrono::steady_clock::now();
  SuiteResult r = run_load_plan(fixture.url(), R"(      slow:
        executor: constant-arrival-rate
        rate: 50
        duration: 30s
        threads: 1
        requests: [{path: /health}]
        thresholds: ["error_rate<1%", "p(99)<50ms"]
        abort_on_fail: true
      after:
        executor: constant-arrival-rate
        rate: 20
        duration: 1s
        threads: 1
        requests: [{path: /health}]
        thresholds: ["error_rate<1%"]
)");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(seconds < 6);
  const Check& run = named(r, "slow");
  CHECK(run.outcome == Outcome::passed);
  CHECK_THAT(run.message, Catch::StartsWith("aborted after 1.") && Catch::Contains("threshold p(99)<50ms failed"));
  CHECK(named(r, "slow: p(99)<50ms").outcome == Outcome::failed);
  CHECK(named(r, "slow: error_rate<1%").outcome == Outcome::passed);
  CHECK(named(r, "after").outcome == Outcome::passed);
}
