// The load section of the plan: scenarios parse into engine specs; mistakes
// (unknown executor, missing rate, bad threshold) name file, line and key.
#include <catch2/catch.hpp>

#include "harness/config_error.h"
#include "tests/support/plan_section.h"
#include "suites/load/load_plan.h"

using namespace greenlight;

namespace {

std::vector<Scenario> parse(const std::string& yaml) {
  return parse_load_plan(test::plan_section(yaml, "suites.load"));
}

std::string error_of(const std::string& yaml) {
  return test::plan_error([](const PlanNode& n) { return parse_load_plan(n); }, yaml, "suites.load");
}

}  // namespace

TEST_CASE("scenarios parse into engine specs", "[load][plan]") {
  auto s = parse(R"(scenarios:
  browse:
    executor: constant-arrival-rate
    rate: 200
    duration: 5s
    connections: 8
    requests:
      - {name: health, path: /health, weight: 7}
      - {name: items, method: POST, path: /api/items, body: '{"name":"x"}', weight: 3, expect_status: 201}
    thresholds: ["p(99)<50ms", "error_rate<1%"]
  ramp:
    executor: ramping-vus
    stages: [{duration: 2s, target: 10}, {duration: 1s, target: 0}]
    requests: [{path: /health}]
)");
  REQUIRE(s.size() == 2);
  CHECK(s[0].name == "browse");
  CHECK(s[0].spec.executor == ExecutorKind::constant_arrival_rate);
  CHECK(s[0].spec.rate == 200);
  CHECK(s[0].spec.duration_s == 5);
  CHECK(s[0].spec.connections == 8);
  REQUIRE(s[0].spec.endpoints.size() == 2);
  CHECK(s[0].spec.endpoints[1].method == "POST");
  CHECK(s[0].spec.endpoints[1].weight == 3);
  CHECK(s[0].spec.endpoints[1].expect_status == 201);
  CHECK(s[0].thresholds.size() == 2);
  CHECK(s[1].spec.stages.size() == 2);
  CHECK(s[1].spec.endpoints[0].name == "/health");
}

TEST_CASE("load plan mistakes are named", "[load][plan]") {
  CHECK(error_of("scenarios:\n  a:\n    executor: constant-rate\n    requests: [{path: /}]\n") ==
        "plan.yaml:3: suites.load.scenarios.a.executor: unknown executor 'constant-rate' (max-rate, constant-vus, "
        "ramping-vus, constant-arrival-rate, ramping-arrival-rate)");
  CHECK(error_of("scenarios:\n  a:\n    executor: constant-arrival-rate\n    requests: [{path: /}]\n") ==
        "plan.yaml:3: suites.load.scenarios.a: constant-arrival-rate needs 'rate' (requests per second)");
  CHECK(error_of("scenarios:\n  a:\n    requests: [{path: /}]\n    thresholds: ['p(99)<<5ms']\n") ==
        "plan.yaml:4: suites.load.scenarios.a.thresholds[0]: invalid threshold: position 7: expected a number in 'p(99)<<5ms'");
  CHECK(error_of("scenarios:\n  a:\n    executor: ramping-arrival-rate\n    requests: [{path: /}]\n") ==
        "plan.yaml:3: suites.load.scenarios.a: ramping-arrival-rate needs 'stages' (a list of {duration, target})");
  CHECK_THAT(error_of("scenarios:\n  a:\n    think_time: 1s\n    requests: [{path: /}]\n"),
             Catch::StartsWith("plan.yaml:3: suites.load.scenarios.a: "));
  CHECK(error_of("scenarios:\n  a:\n    requets: [{path: /}]\n") ==
        "plan.yaml:3: suites.load.scenarios.a.requets: unknown key 'requets' (did you mean 'requests'?)");
}

namespace {

LoadPlan section(const std::string& yaml) { return parse_load_section(test::plan_section(yaml, "suites.load")); }

std::string section_error(const std::string& yaml) {
  return test::plan_error([](const PlanNode& n) { return parse_load_section(n); }, yaml, "suites.load");
}

const std::string kCapacity = "capacity:\n  requests: [{path: /health}]\n  slos: ['p(99)<50ms']\n";
const std::string kScenarios = "scenarios:\n  a:\n    duration: 30s\n    requests: [{path: /}]\n";

}  // namespace

TEST_CASE("capacity parses with the defaults of greenlight capacity", "[load][plan][capacity]") {
  LoadPlan p = section(R"(capacity:
  requests:
    - {name: health, path: /health, weight: 3}
    - {path: /api/items, expect_status: 200}
  slos: ["p(99)<50ms", "error_rate<1%"]
  start_rate: 200
  max_rate: 3200
  growth: 1.5
  refine_steps: 2
  step_duration: 2s
  connections: 8
  max_connections: 64
  threads: 1
  timeout: 3s
  min_capacity: 1000
)");
  CHECK(p.scenarios.empty());
  REQUIRE(p.capacity);
  const CapacityOptions& o = p.capacity->options;
  CHECK(o.start_rps == 200);
  CHECK(o.max_rps == 3200);
  CHECK(o.growth == 1.5);
  CHECK(o.refine_steps == 2);
  CHECK(o.step_duration_s == 2);
  CHECK(o.slos.size() == 2);
  CHECK(o.base.executor == ExecutorKind::constant_arrival_rate);
  CHECK(o.base.connections == 8);
  CHECK(o.base.max_connections == 64);
  CHECK(o.base.threads == 1);
  CHECK(o.base.timeout_s == 3);
  REQUIRE(o.base.endpoints.size() == 2);
  CHECK(o.base.endpoints[0].weight == 3);
  CHECK(o.base.endpoints[1].expect_status == 200);
  CHECK(p.capacity->min_capacity_rps == 1000);

  LoadPlan d = section(kCapacity);
  CapacityOptions defaults;
  CHECK(d.capacity->options.start_rps == defaults.start_rps);
  CHECK(d.capacity->options.max_rps == defaults.max_rps);
  CHECK(d.capacity->options.step_duration_s == defaults.step_duration_s);
  CHECK(d.capacity->options.base.connections == 16);
  CHECK(d.capacity->options.base.max_connections == 256);
  CHECK(d.capacity->min_capacity_rps == 0);
}

TEST_CASE("parts selects what runs, every part present runs by default", "[load][plan][capacity]") {
  LoadPlan all = section(kScenarios + kCapacity);
  CHECK(all.scenarios.size() == 1);
  CHECK(all.capacity);
  LoadPlan only_scenarios = section(kScenarios + kCapacity + "parts: [scenarios]\n");
  CHECK(only_scenarios.scenarios.size() == 1);
  CHECK_FALSE(only_scenarios.capacity);
  LoadPlan only_capacity = section(kScenarios + kCapacity + "parts: [capacity]\n");
  CHECK(only_capacity.scenarios.empty());
  CHECK(only_capacity.capacity);
  // A part not selected is still checked.
  CHECK_THAT(section_error(kScenarios + "capacity:\n  requests: [{path: /}]\n  slos: ['p(99)<<1ms']\nparts: [scenarios]\n"),
             Catch::StartsWith("plan.yaml:7: suites.load.capacity.slos[0]: invalid SLO: "));
}

TEST_CASE("max_duration caps durations, stages in proportion, and capacity steps", "[load][plan][capacity]") {
  LoadPlan p = section(R"(scenarios:
  long:
    duration: 60s
    requests: [{path: /}]
  short:
    duration: 2s
    requests: [{path: /}]
  ramp:
    executor: ramping-arrival-rate
    stages: [{duration: 10s, target: 100}, {duration: 30s, target: 100}]
    requests: [{path: /}]
capacity:
  requests: [{path: /}]
  slos: ['p(99)<50ms']
  step_duration: 30s
max_duration: 4s
)");
  REQUIRE(p.scenarios.size() == 3);
  CHECK(p.scenarios[0].spec.duration_s == 4);
  CHECK(p.scenarios[0].planned_duration_s == 60);
  CHECK(p.scenarios[1].spec.duration_s == 2);
  CHECK(p.scenarios[1].planned_duration_s == 0);
  CHECK(p.scenarios[2].spec.stages[0].duration_s == Approx(1));
  CHECK(p.scenarios[2].spec.stages[1].duration_s == Approx(3));
  CHECK(p.scenarios[2].spec.stages[1].target == 100);
  CHECK(p.scenarios[2].planned_duration_s == 40);
  CHECK(p.capacity->options.step_duration_s == 4);
  CHECK(p.capacity->planned_step_duration_s == 30);
}

TEST_CASE("load section mistakes name file, line and key", "[load][plan][capacity]") {
  CHECK(section_error("capacity:\n  requests: [{path: /}]\n  slo: ['p(99)<50ms']\n") ==
        "plan.yaml:3: suites.load.capacity.slo: unknown key 'slo' (did you mean 'slos'?)");
  CHECK_THAT(section_error("capacity:\n  requests: [{path: /}]\n"), Catch::StartsWith("plan.yaml:2: suites.load.capacity") &&
                                                                     Catch::Contains("slos"));
  CHECK(section_error("capacity:\n  requests: [{path: /}]\n  slos: []\n") ==
        "plan.yaml:3: suites.load.capacity.slos: list at least one SLO, e.g. 'p(99)<50ms'");
  CHECK(section_error(kCapacity + "  start_rate: 500\n  max_rate: 100\n") ==
        "plan.yaml:5: suites.load.capacity.max_rate: max_rate must be at least start_rate");
  CHECK(section_error(kCapacity + "  growth: 1\n") ==
        "plan.yaml:4: suites.load.capacity.growth: a rate multiplier above 1 between coarse steps, e.g. 2");
  CHECK_THAT(section_error(kCapacity + "  step_duration: 5\n"), Catch::StartsWith("plan.yaml:4: suites.load.capacity.step_duration"));
  CHECK(section_error(kCapacity + "  min_capacity: -1\n") ==
        "plan.yaml:4: suites.load.capacity.min_capacity: a number of requests per second, 0 or more");
  CHECK(section_error(kCapacity + "  connections: 8\n  max_connections: 4\n") ==
        "plan.yaml:2: suites.load.capacity: max_connections must be >= connections");
  CHECK(section_error(kScenarios + "parts: [capacity]\n") ==
        "plan.yaml:5: suites.load.parts[0]: part 'capacity' is selected but the load section has no 'capacity:'");
  CHECK(section_error(kScenarios + "parts: [scenario]\n") ==
        "plan.yaml:5: suites.load.parts[0]: unknown part 'scenario' (scenarios, capacity)");
  CHECK(section_error(kScenarios + "max_duration: 0s\n") ==
        "plan.yaml:5: suites.load.max_duration: a positive duration, e.g. 10s");
  CHECK(section_error("parts: [scenarios]\n") ==
        "plan.yaml:1: suites.load: the load section needs 'scenarios' (fixed runs with thresholds) or 'capacity' (the "
        "capacity search), or both");
  CHECK(section_error(kScenarios + "max_duraton: 1s\n") ==
        "plan.yaml:5: suites.load.max_duraton: unknown key 'max_duraton' (did you mean 'max_duration'?)");
}
