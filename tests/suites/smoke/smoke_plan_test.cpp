// The smoke section of the plan: each check kind parses, and each mistake is
// reported with file, line and key before anything is sent to the target.
#include <catch2/catch.hpp>

#include "harness/config_error.h"
#include "tests/support/plan_section.h"
#include "suites/smoke/smoke_plan.h"

using namespace greenlight;

namespace {

SmokePlan parse(const std::string& yaml) {
  return parse_smoke_plan(test::plan_section(yaml, "suites.smoke"));
}

std::string error_of(const std::string& yaml) {
  return test::plan_error([](const PlanNode& n) { return parse_smoke_plan(n); }, yaml, "suites.smoke");
}

}  // namespace

TEST_CASE("the issue's example checks parse", "[smoke][plan]") {
  SmokePlan p = parse(R"(checks:
  - name: health
    request: {method: GET, path: /health}
    expect: {status: 200, json: {/status: ok}, max_latency: 500ms}
  - name: headers
    preset: security-headers
)");
  REQUIRE(p.checks.size() == 2);
  const SmokeCheckSpec& h = p.checks[0];
  CHECK(h.request.path == "/health");
  REQUIRE(h.expect.status);
  CHECK(h.expect.status->codes == std::vector<int>{200});
  REQUIRE(h.expect.json.size() == 1);
  CHECK(h.expect.json[0].pointer == "/status");
  CHECK(h.expect.json[0].tests[0].expected == "ok");
  CHECK(h.expect.max_latency->count() == Approx(0.5));
  CHECK(p.checks[1].preset->name == "security-headers");
}

TEST_CASE("status accepts a code, a list and a class", "[smoke][plan]") {
  SmokePlan p = parse(R"(checks:
  - {name: a, request: {path: /}, expect: {status: 2xx}}
  - {name: b, request: {path: /}, expect: {status: [200, 204]}}
)");
  CHECK(p.checks[0].expect.status->classes == std::vector<int>{2});
  CHECK(p.checks[1].expect.status->codes == std::vector<int>{200, 204});
  CHECK(error_of("checks: [{name: a, request: {path: /}, expect: {status: 700}}]") ==
        "plan.yaml:1: suites.smoke.checks[0].expect.status: an HTTP status is 100..599 or a class like 2xx, got '700'");
}

TEST_CASE("JSON equality keeps YAML's quoting: quoted means string", "[smoke][plan]") {
  SmokePlan p = parse(R"(checks:
  - name: a
    request: {path: /}
    expect: {json: {/n: 3, /s: "3", /b: true, /f: 1.5}}
)");
  auto& j = p.checks[0].expect.json;
  CHECK(j[0].tests[0].expected == nlohmann::json(3));
  CHECK(j[1].tests[0].expected == nlohmann::json("3"));
  CHECK(j[2].tests[0].expected == nlohmann::json(true));
  CHECK(j[3].tests[0].expected == nlohmann::json(1.5));
}

TEST_CASE("a json body that is not UTF-8 is a config error, not a JSON exception (fuzz/regressions/plan)", "[smoke][plan]") {
  // A raw 0x8D byte in the YAML: nlohmann's dump() threw type_error 316.
  CHECK_THAT(error_of("checks: [{name: a, request: {path: /, json: {type: \"payment.\x8d\"}}}]"),
             Catch::StartsWith("plan.yaml:1: suites.smoke.checks[0].request.json: cannot be sent as JSON: ") &&
                 Catch::Contains("invalid UTF-8"));
}

TEST_CASE("a typo in a check key suggests the right key", "[smoke][plan]") {
  CHECK(error_of("checks:\n  - name: a\n    request: {path: /}\n    expect: {stauts: 200}\n") ==
        "plan.yaml:4: suites.smoke.checks[0].expect.stauts: unknown key 'stauts' (did you mean 'status'?)");
  CHECK(error_of("checks:\n  - name: a\n    preset: security-header\n") ==
        "plan.yaml:3: suites.smoke.checks[0].preset: unknown preset 'security-header' (did you mean 'security-headers'?)");
}

TEST_CASE("bad regexes, pointers and durations are caught at load time", "[smoke][plan]") {
  CHECK_THAT(error_of("checks: [{name: a, request: {path: /}, expect: {body: {matches: '(['}}}]"),
             Catch::StartsWith("plan.yaml:1: suites.smoke.checks[0].expect.body.matches: invalid regular expression '(['"));
  CHECK(error_of("checks: [{name: a, request: {path: /}, expect: {json: {status: ok}}}]") ==
        "plan.yaml:1: suites.smoke.checks[0].expect.json.status: invalid JSON Pointer 'status': it must start with / (e.g. /status or /items/0/id)");
  CHECK(error_of("checks: [{name: a, request: {path: /}, expect: {max_latency: 500}}]") ==
        "plan.yaml:1: suites.smoke.checks[0].expect.max_latency: expected a duration such as 500ms, 2s or 1m, got '500'");
}

TEST_CASE("captures must be defined by an earlier check", "[smoke][plan]") {
  CHECK(error_of(R"(checks:
  - name: me
    request: {path: /me, headers: {Authorization: "Bearer ${capture:token}"}}
  - name: login
    request: {path: /login}
    capture: {token: {json: /token}}
)") == "plan.yaml:3: suites.smoke.checks[0].request: uses ${capture:token}, which no earlier check captures");
  SmokePlan p = parse(R"(checks:
  - name: login
    request: {path: /login}
    capture: {token: {json: /token}}
  - name: me
    request: {path: /me, headers: {Authorization: "Bearer ${capture:token}"}}
)");
  CHECK(p.checks[1].uses_captures == std::vector<std::string>{"token"});
}

TEST_CASE("metric assertions are validated at load time", "[smoke][plan]") {
  SmokePlan p = parse("checks: [{name: m, metrics: ['app_worker_healthy == 1']}]");
  CHECK(p.checks[0].request.path == "/metrics");
  CHECK_THAT(error_of("checks: [{name: m, metrics: ['app_worker_healthy = 1']}]"),
             Catch::StartsWith("plan.yaml:1: suites.smoke.checks[0].metrics[0]: invalid metric assertion:"));
}

TEST_CASE("idempotency needs a request and a count query", "[smoke][plan]") {
  CHECK(error_of("checks: [{name: w, idempotency: {times: 3}}]") ==
        "plan.yaml:1: suites.smoke.checks[0].idempotency: missing required key 'count_query'");
  CHECK(error_of("checks: [{name: w, idempotency: {count_query: 'select 1'}}]") ==
        "plan.yaml:1: suites.smoke.checks[0]: an idempotency check needs the request to repeat");
}

TEST_CASE("duplicate check names and empty suites are refused", "[smoke][plan]") {
  CHECK(error_of("checks: [{name: a, request: {path: /}}, {name: a, request: {path: /x}}]") ==
        "plan.yaml:1: suites.smoke.checks[1].name: duplicate check name 'a'");
  CHECK(error_of("checks: []") == "plan.yaml:1: suites.smoke.checks: no checks");
  CHECK(error_of("checks: [{name: a}]") ==
        "plan.yaml:1: suites.smoke.checks[0]: missing 'request' (or a 'preset', 'metrics' or 'idempotency' check)");
}
