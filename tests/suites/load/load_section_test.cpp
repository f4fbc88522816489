// The load section's capacity search, `parts` and `max_duration`, run from a
// plan against the real fixture on loopback: a healthy target finds a
// capacity, a slow one finds less or none, min_capacity fails naming the
// figure, and the deadline or Ctrl-C stop the search. Every search is bounded
// by max_rate and 1 s steps.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "harness/plan.h"
#include "harness/runner.h"
#include "suites/all_suites.h"
#include "tests/support/fixture_process.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

// `section` is the body of suites.load, indented by four spaces.
SuiteResult run_section(const std::string& base_url, const std::string& section, const std::string& top = "",
                        const std::atomic<bool>* cancel = nullptr) {
  TempDir dir;
  std::ofstream(dir.file("plan.yaml")) << "target: {base_url: '" << base_url << "'}\n" << top << "suites:\n  load:\n" << section;
  Plan plan = load_plan(dir.file("plan.yaml"));
  auto suites = build_suites(plan, all_suite_kinds(), {});
  RunOptions options;
  options.cancel = cancel;
  RunResult run = run_suites(plan, suites, options);
  REQUIRE(run.suites.size() == 1);
  return run.suites[0];
}

const Check& named(const SuiteResult& r, const std::string& name) {
  for (const Check& c : r.checks)
    if (c.name == name) return c;
  FAIL("no check " << name);
  throw;
}

double figure(const Check& c, const std::string& name) {
  for (const Figure& f : c.figures)
    if (f.name == name) return f.value;
  FAIL("check " << c.name << " has no figure " << name);
  throw;
}

std::string evidence(const Check& c, const std::string& label) {
  for (const Evidence& e : c.evidence)
    if (e.label == label) return e.text;
  return "";
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// 8 connections at most: with 30 ms added per request the fixture can then
// serve about 8 / 0.03 = 266 req/s within the SLO, while a healthy one
// serves the whole 800 asked for.
std::string capacity_section(const std::string& extra = "") {
  return R"(    capacity:
      requests: [{name: health, path: /health}]
      slos: ["p(99)<100ms", "error_rate<1%"]
      start_rate: 100
      max_rate: 800
      refine_steps: 2
      step_duration: 1s
      connections: 4
      max_connections: 8
      threads: 1
)" + extra;
}

const std::string kScenario = R"(    scenarios:
      steady:
        executor: constant-arrival-rate
        rate: 50
        duration: 60s
        connections: 2
        threads: 1
        requests: [{path: /health}]
        thresholds: ["error_rate<1%"]
)";

}  // namespace

TEST_CASE("capacity from the plan: a healthy target holds up to max_rate", "[load][capacity][fixture]") {
  FixtureProcess fixture;
  SuiteResult r = run_section(fixture.url(), capacity_section("      min_capacity: 400\n"));
  REQUIRE(r.checks.size() == 1);
  const Check& c = named(r, "capacity");
  INFO(c.message << "\n" << evidence(c, "steps"));
  CHECK(c.outcome == Outcome::passed);
  CHECK_THAT(c.message, Catch::StartsWith("capacity 800 req/s within p(99)<100ms, error_rate<1%"));
  CHECK(figure(c, "capacity") == 800);
  CHECK(figure(c, "knee") > 0);
  bool curve = false;
  for (const Series& s : c.series) curve |= s.chart == "throughput vs latency" && s.name == "p99" && s.points.size() == 4;
  CHECK(curve);  // 100, 200, 400, 800
}

TEST_CASE("capacity from the plan: min_capacity above what was found fails, naming the figures", "[load][capacity][fixture]") {
  FixtureProcess fixture;
  SuiteResult r = run_section(fixture.url(), R"(    capacity:
      requests: [{path: /health}]
      slos: ["p(99)<100ms"]
      start_rate: 100
      max_rate: 200
      step_duration: 1s
      threads: 1
      min_capacity: 5000
)");
  const Check& c = named(r, "capacity");
  CHECK(c.outcome == Outcome::failed);
  CHECK(c.message == "capacity 200 req/s within p(99)<100ms is below the required 5000 req/s");
  CHECK(figure(c, "capacity") == 200);
}

TEST_CASE("capacity from the plan: added latency lowers the capacity, naming the broken SLO", "[load][capacity][fixture]") {
  FixtureProcess fixture;
  fixture.set_fault("latency", "30");
  SuiteResult r = run_section(fixture.url(), capacity_section());
  const Check& c = named(r, "capacity");
  std::string steps = evidence(c, "steps");
  INFO(c.message << "\n" << steps);
  CHECK(c.outcome == Outcome::passed);  // a capacity was found, and no min_capacity asked for more
  CHECK(figure(c, "capacity") >= 100);
  CHECK(figure(c, "capacity") < 400);  // healthy: 800
  CHECK_THAT(c.message, Catch::Contains("SLOs broke above the capacity found"));
  CHECK_THAT(steps, Catch::Contains("broke") && (Catch::Contains("p(99)=") || Catch::Contains("fell behind")));
}

TEST_CASE("capacity from the plan: an SLO broken at the start rate fails the check", "[load][capacity][fixture]") {
  FixtureProcess fixture;
  fixture.set_fault("latency", "30");
  SuiteResult r = run_section(fixture.url(), R"(    capacity:
      requests: [{path: /health}]
      slos: ["p(99)<10ms"]
      start_rate: 50
      max_rate: 400
      step_duration: 1s
      threads: 1
)");
  const Check& c = named(r, "capacity");
  CHECK(c.outcome == Outcome::failed);
  // The fixture adds 30ms; on a busy machine p99 lands anywhere above that.
  CHECK_THAT(c.message, Catch::Matches(R"(no capacity within the SLOs \(p\(99\)<10ms\): they broke already at 50 req/s: p\(99\)=([3-9][0-9]|[1-9][0-9]{2,})(\.[0-9]+)?ms, limit <10ms[\s\S]*)"));
}

TEST_CASE("parts selects what runs, max_duration caps scenarios and steps, saying so", "[load][capacity][fixture]") {
  FixtureProcess fixture;
  std::string both = kScenario + capacity_section();

  SECTION("parts: [scenarios] with max_duration: 1s runs a 60s scenario in about a second") {
    auto started = std::chrono::steady_clock::now();
    SuiteResult r = run_section(fixture.url(), both + "    parts: [scenarios]\n    max_duration: 1s\n");
    CHECK(seconds_since(started) < 5);
    REQUIRE(r.checks.size() == 2);  // the run and its threshold; no capacity check
    const Check& run = named(r, "steady");
    CHECK(run.outcome == Outcome::passed);
    CHECK(run.duration_s == Approx(1).margin(0.5));
    CHECK(figure(run, "requests") == Approx(50).margin(3));
    CHECK(evidence(run, "max_duration") == "duration capped by the plan's max_duration from 1m00s to 1s");
  }
  SECTION("parts: [capacity] runs only the search, its steps capped") {
    auto started = std::chrono::steady_clock::now();
    SuiteResult r = run_section(fixture.url(), kScenario + R"(    capacity:
      requests: [{path: /health}]
      slos: ["p(99)<100ms"]
      start_rate: 100
      max_rate: 200
      step_duration: 30s
      threads: 1
    parts: [capacity]
    max_duration: 1s
)");
    CHECK(seconds_since(started) < 8);
    REQUIRE(r.checks.size() == 1);
    const Check& c = named(r, "capacity");
    CHECK(c.outcome == Outcome::passed);
    CHECK(figure(c, "steps") == 2);
    CHECK(evidence(c, "max_duration") == "step_duration capped by the plan's max_duration from 30s to 1s");
  }
}

TEST_CASE("a scenario shorter than max_duration is not capped", "[load][fixture]") {
  FixtureProcess fixture;
  SuiteResult r = run_section(fixture.url(), R"(    scenarios:
      short:
        executor: constant-arrival-rate
        rate: 50
        duration: 1s
        threads: 1
        requests: [{path: /health}]
    max_duration: 10s
)");
  const Check& run = named(r, "short");
  CHECK(run.outcome == Outcome::passed);
  CHECK(evidence(run, "max_duration") == "");
}

TEST_CASE("the run check's error_rate figure is the number error_rate thresholds judge", "[load][fixture]") {
  FixtureProcess fixture;
  fixture.set_fault("error-rate", "0.25");
  SuiteResult r = run_section(fixture.url(), R"(    scenarios:
      api:
        executor: constant-arrival-rate
        rate: 100
        duration: 1s
        threads: 1
        requests: [{path: /api/items}]
        thresholds: ["error_rate<1%"]
)");
  const Check& run = named(r, "api");
  const Check& threshold = named(r, "api: error_rate<1%");
  CHECK(threshold.outcome == Outcome::failed);
  double rate = figure(run, "error_rate");
  CHECK(rate == figure(threshold, "observed"));
  CHECK(rate == Approx(25).margin(3));
  for (const Figure& f : run.figures)
    if (f.name == "error_rate") CHECK(f.unit == "%");

  fixture.clear_faults();
  SuiteResult ok = run_section(fixture.url(), R"(    scenarios:
      api:
        executor: constant-arrival-rate
        rate: 100
        duration: 1s
        threads: 1
        requests: [{path: /api/items}]
)");
  CHECK(figure(named(ok, "api"), "error_rate") == 0);
}

TEST_CASE("the plan's deadline stops the capacity search", "[load][capacity][fixture]") {
  FixtureProcess fixture;
  auto started = std::chrono::steady_clock::now();
  SuiteResult r = run_section(fixture.url(), R"(    capacity:
      requests: [{path: /health}]
      slos: ["p(99)<100ms"]
      start_rate: 20
      max_rate: 100
      growth: 1.1
      step_duration: 1s
      threads: 1
)",
                              "deadline: 2s\n");
  CHECK(seconds_since(started) < 5);
  const Check& c = named(r, "capacity");
  CHECK(c.outcome == Outcome::error);
  CHECK_THAT(c.message, Catch::StartsWith("stopped: the plan's deadline passed during the capacity search (it held up to "));
}

TEST_CASE("Ctrl-C stops the capacity search, which is then skipped", "[load][capacity][fixture]") {
  FixtureProcess fixture;
  std::atomic<bool> cancel{false};
  std::thread interrupt([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    cancel = true;
  });
  auto started = std::chrono::steady_clock::now();
  SuiteResult r = run_section(fixture.url(), R"(    capacity:
      requests: [{path: /health}]
      slos: ["p(99)<100ms"]
      start_rate: 20
      max_rate: 100
      growth: 1.1
      step_duration: 1s
      threads: 1
)",
                              "", &cancel);
  interrupt.join();
  CHECK(seconds_since(started) < 5);
  const Check& c = named(r, "capacity");
  CHECK(c.outcome == Outcome::skipped);
  CHECK_THAT(c.message, Catch::StartsWith("skipped, because the search was interrupted"));
}
