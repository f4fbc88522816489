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
