// The capacity search against the real fixture: it finds a rate within the
// SLOs on a healthy target and reports the SLO it broke on a slow one.
#include <catch2/catch.hpp>

#include "suites/load/capacity.h"
#include "tests/support/fixture_process.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {
CapacityOptions options_for(const std::string& url, const std::string& slo) {
  CapacityOptions o;
  o.base.endpoints.push_back(Endpoint{"health", "GET", url});
  o.base.connections = 4;
  o.base.max_connections = 32;
  o.base.threads = 1;
  o.slos.push_back(parse_threshold(slo));
  o.start_rps = 50;
  o.max_rps = 400;  // bounded: this is a test of the search, not of the machine
  o.step_duration_s = 1;
  o.refine_steps = 2;
  return o;
}
}  // namespace

TEST_CASE("capacity: a healthy target holds up to the maximum asked", "[load][capacity][fixture]") {
  FixtureProcess fixture;
  CapacityOptions o = options_for(fixture.url() + "/health", "p(99)<200ms");
  CapacityResult r = find_capacity(o, nullptr, nullptr);
  CHECK(r.found);
  CHECK(r.capacity_rps == 400);
  CHECK(r.steps.size() == 4);  // 50, 100, 200, 400
  CHECK(r.stop_reason == "every step held up to the maximum rate asked for");
  Check c = capacity_check(o, r);
  CHECK(c.outcome == Outcome::passed);
  CHECK_THAT(c.message, Catch::StartsWith("capacity 400 req/s within p(99)<200ms"));
  CHECK(capacity_check(o, r, 1000).outcome == Outcome::failed);  // --min-capacity above what was found
  bool has_curve = false;
  for (const Series& s : c.series) has_curve |= s.chart == "throughput vs latency" && s.name == "p99" && s.points.size() == 4;
  CHECK(has_curve);
}

TEST_CASE("capacity: an SLO the target cannot meet fails, naming it", "[load][capacity][fixture]") {
  FixtureProcess fixture;
  fixture.set_fault("latency", "30");
  CapacityOptions o = options_for(fixture.url() + "/health", "p(99)<10ms");
  CapacityResult r = find_capacity(o, nullptr, nullptr);
  CHECK_FALSE(r.found);
  CHECK(r.steps.size() == 1);
  Check c = capacity_check(o, r);
  CHECK(c.outcome == Outcome::failed);
  // The fixture adds 30ms; on a busy machine p99 lands anywhere above that.
  CHECK_THAT(c.message, Catch::Matches(R"(no capacity within the SLOs \(p\(99\)<10ms\): they broke already at 50 req/s: p\(99\)=([3-9][0-9]|[1-9][0-9]{2,})(\.[0-9]+)?ms, limit <10ms[\s\S]*)"));
}

TEST_CASE("capacity: bad options are refused", "[load][capacity]") {
  CapacityOptions o = options_for("http://127.0.0.1:1/", "p(99)<10ms");
  o.slos.clear();
  CHECK_THROWS_AS(find_capacity(o, nullptr, nullptr), std::invalid_argument);
}
