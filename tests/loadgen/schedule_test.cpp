// Executors as timelines: due times of the open model (constant and ramping,
// split over threads), VU counts of the closed model, a fake-clock run of each
// executor, and spec validation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "loadgen/endpoint_mix.h"
#include "loadgen/schedule.h"

using namespace greenlight;
using Catch::Detail::Approx;

namespace {

std::vector<double> all_due(const ArrivalSchedule& s) {
  std::vector<double> out;
  for (uint64_t n = 0;; ++n) {
    double t = s.due_s(n);
    if (!std::isfinite(t)) break;
    out.push_back(t);
    REQUIRE(out.size() < 10'000'000);
  }
  return out;
}

// Drives a closed-model executor with a fake clock: every VU sends, the
// response takes `service_s`, then it thinks; VUs follow vus_at(). Returns
// the send times.
std::vector<double> simulate_closed(const LoadSchedule& plan, double service_s, double step_s = 0.001) {
  std::vector<double> sends;
  int max = plan.vus.max_vus();
  std::vector<double> busy_until(size_t(max), -1);
  int64_t steps = std::llround(plan.duration_s / step_s);
  for (int64_t i = 0; i < steps; ++i) {
    double t = double(i) * step_s;
    int active = plan.vus.vus_at(t);
    for (int v = 0; v < active; ++v) {
      if (busy_until[size_t(v)] <= t + 1e-9) {
        sends.push_back(t);
        busy_until[size_t(v)] = t + service_s + plan.think_time_s;
      }
    }
  }
  return sends;
}

LoadSpec spec_of(ExecutorKind kind) {
  LoadSpec s;
  s.executor = kind;
  s.endpoints.push_back(Endpoint{.name = "a", .url = "http://127.0.0.1:1/"});
  return s;
}

}  // namespace

TEST_CASE("constant arrival rate: request n is due at n/rate, exactly rate*duration of them") {
  ArrivalSchedule s = ArrivalSchedule::constant(200, 2);
  CHECK(s.total() == 400);
  std::vector<double> due = all_due(s);
  REQUIRE(due.size() == 400);
  for (size_t n = 0; n < due.size(); ++n) CHECK(due[n] == Approx(double(n) / 200).margin(1e-12));
  CHECK(std::isinf(s.due_s(400)));
  // Computed from n, not accumulated: request 10 million of a long run has no drift.
  ArrivalSchedule long_run = ArrivalSchedule::constant(3, 1e7);
  CHECK(long_run.due_s(29'999'999) == Approx(29'999'999.0 / 3).epsilon(1e-15));
  CHECK(ArrivalSchedule::constant(7, 1).total() == 7);
  CHECK(ArrivalSchedule::constant(2.5, 1).total() == 3);  // due at 0, 0.4, 0.8
}

TEST_CASE("ramping arrival rate integrates the linear rate and inverts it") {
  // 0 -> 10 rps over 10 s, then 10 rps for 5 s, then 10 -> 0 over 5 s.
  ArrivalSchedule s = ArrivalSchedule::ramping(0, {{10, 10}, {5, 10}, {5, 0}});
  CHECK(s.duration_s() == 20);
  CHECK(s.count_until(10) == Approx(50));
  CHECK(s.count_until(15) == Approx(100));
  CHECK(s.count_until(20) == Approx(125));
  CHECK(s.total() == 125);
  CHECK(s.rate_at(5) == Approx(5));
  CHECK(s.rate_at(17.5) == Approx(5));
  std::vector<double> due = all_due(s);
  REQUIRE(due.size() == 125);
  for (size_t n = 0; n < due.size(); ++n) {
    INFO("n=" << n);
    CHECK(s.count_until(due[n]) == Approx(double(n)).margin(1e-6));  // the inverse is exact
    if (n > 0) CHECK(due[n] > due[n - 1]);
  }
  // During the first ramp, request n is due at sqrt(2n) (N(t) = t^2 / 2).
  CHECK(due[8] == Approx(4.0));
  CHECK(due[32] == Approx(8.0));
  // Requests per second follow the rate: ~0.5 in the first second, 10 at the plateau.
  auto in = [&](double a, double b) { return std::count_if(due.begin(), due.end(), [&](double t) { return t >= a && t < b; }); };
  CHECK(in(0, 1) == 1);
  CHECK(in(9, 10) == 9);    // n in [N(9), N(10)) = [40.5, 50)
  CHECK(in(10, 15) == 50);
  CHECK(in(15, 20) == 25);
}

TEST_CASE("ramping arrival rate from a non-zero start and through a zero stage") {
  ArrivalSchedule s = ArrivalSchedule::ramping(100, {{1, 300}, {2, 0}, {1, 0}, {1, 50}});
  CHECK(s.count_until(1) == Approx(200));
  CHECK(s.count_until(3) == Approx(500));
  CHECK(s.count_until(4) == Approx(500));
  CHECK(s.total() == 525);
  std::vector<double> due = all_due(s);
  REQUIRE(due.size() == 525);
  // Nothing is due while the rate is zero.
  CHECK(std::none_of(due.begin(), due.end(), [](double t) { return t > 3.0001 && t < 4; }));
  CHECK(s.peak_rate() == 300);
}

TEST_CASE("threads share the arrivals: interleaved, none lost or doubled, quotas respected") {
  ArrivalSchedule s = ArrivalSchedule::constant(1000, 0.5);
  std::vector<int64_t> merged;
  for (int k = 0; k < 3; ++k) {
    ThreadArrivals a(s, k, 3);
    int64_t prev = -1;
    while (a.next_ns() != ThreadArrivals::kNever) {
      CHECK(a.next_ns() > prev);
      prev = a.next_ns();
      merged.push_back(a.next_ns());
      a.advance();
    }
  }
  std::sort(merged.begin(), merged.end());
  REQUIRE(merged.size() == 500);
  for (size_t n = 0; n < merged.size(); ++n) CHECK(merged[n] == int64_t(n) * 1'000'000);

  ThreadArrivals bounded(s, 1, 3, 4);
  int count = 0;
  for (; bounded.next_ns() != ThreadArrivals::kNever; bounded.advance()) ++count;
  CHECK(count == 4);
  ThreadArrivals none(s, 0, 3, 0);
  CHECK(none.next_ns() == ThreadArrivals::kNever);
}

TEST_CASE("VU schedules: constant, and ramping rounded down, split over threads") {
  VuSchedule c = VuSchedule::constant(5, 3);
  CHECK(c.vus_at(0) == 5);
  CHECK(c.vus_at(2.99) == 5);
  CHECK(c.max_vus() == 5);

  VuSchedule r = VuSchedule::ramping(0, {{10, 10}, {5, 10}, {5, 2}});
  CHECK(r.duration_s() == 20);
  CHECK(r.max_vus() == 10);
  CHECK(r.vus_at(0) == 0);
  CHECK(r.vus_at(0.99) == 0);
  CHECK(r.vus_at(1) == 1);
  CHECK(r.vus_at(5.5) == 5);
  CHECK(r.vus_at(12) == 10);
  CHECK(r.vus_at(17.5) == 6);
  CHECK(r.vus_at(25) == 2);

  int sum = 0;
  for (int k = 0; k < 3; ++k) sum += r.vus_for_thread(12, k, 3);
  CHECK(sum == 10);
  CHECK(r.vus_for_thread(12, 0, 3) == 4);
  CHECK(r.vus_for_thread(12, 2, 3) == 3);
  CHECK(r.max_vus_for_thread(0, 3) == 4);
}

TEST_CASE("fake clock: each executor sends what its definition says") {
  SECTION("max_rate: every connection back to back, no think time") {
    LoadSpec spec = spec_of(ExecutorKind::max_rate);
    spec.connections = 4;
    spec.duration_s = 1;
    LoadSchedule p = make_plan(spec, 2);
    CHECK_FALSE(p.open);
    CHECK(p.think_time_s == 0);
    // 10 ms per response: 100 sends per connection.
    CHECK(simulate_closed(p, 0.010).size() == 400);
  }
  SECTION("constant_vus: think time paces each VU") {
    LoadSpec spec = spec_of(ExecutorKind::constant_vus);
    spec.connections = 3;
    spec.duration_s = 2;
    spec.think_time_s = 0.090;
    LoadSchedule p = make_plan(spec, 2);
    // 10 ms service + 90 ms think = one request per 100 ms per VU.
    CHECK(simulate_closed(p, 0.010).size() == 60);
  }
  SECTION("ramping_vus: sends follow the VU ramp") {
    LoadSpec spec = spec_of(ExecutorKind::ramping_vus);
    spec.connections = 0 + 1;  // start from 1 VU
    spec.stages = {{2, 1}, {2, 5}};
    LoadSchedule p = make_plan(spec, 2);
    CHECK(p.duration_s == 4);
    CHECK(p.max_connections == 5);
    std::vector<double> sends = simulate_closed(p, 0.100);
    auto in = [&](double a, double b) { return std::count_if(sends.begin(), sends.end(), [&](double t) { return t >= a && t < b; }); };
    CHECK(in(0, 2) == 20);    // 1 VU, 10 per second
    CHECK(in(3.5, 4) > 4 * 5 - 1);  // 4..5 VUs at the end of the ramp
    CHECK(in(2, 4) > 20);
  }
  SECTION("constant_arrival_rate: due times independent of responses") {
    LoadSpec spec = spec_of(ExecutorKind::constant_arrival_rate);
    spec.rate = 50;
    spec.duration_s = 2;
    LoadSchedule p = make_plan(spec, 2);
    CHECK(p.open);
    CHECK(p.arrivals.total() == 100);
    CHECK(p.arrivals.due_s(99) == Approx(1.98));
  }
  SECTION("ramping_arrival_rate: starts from rate and follows the stages") {
    LoadSpec spec = spec_of(ExecutorKind::ramping_arrival_rate);
    spec.rate = 10;
    spec.stages = {{2, 30}};
    LoadSchedule p = make_plan(spec, 2);
    CHECK(p.arrivals.total() == 40);
    CHECK(p.arrivals.rate_at(1) == Approx(20));
  }
}

TEST_CASE("make_plan rejects bad specs with a message and caps threads by connections") {
  auto message = [](LoadSpec s) {
    try {
      make_plan(s, 4);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  LoadSpec s = spec_of(ExecutorKind::constant_arrival_rate);
  CHECK_THAT(message(s), Catch::Contains("rate must be > 0"));
  s.rate = 10;
  s.connections = 4;
  s.max_connections = 2;
  CHECK_THAT(message(s), Catch::Contains("max_connections must be >= connections"));
  LoadSpec r = spec_of(ExecutorKind::ramping_arrival_rate);
  CHECK_THAT(message(r), Catch::Contains("stages are required"));
  r.stages = {{0, 5}};
  CHECK_THAT(message(r), Catch::Contains("stages[0].duration"));
  r.stages = {{1, -5}};
  CHECK_THAT(message(r), Catch::Contains("stages[0].target"));
  LoadSpec m = spec_of(ExecutorKind::max_rate);
  m.stages = {{1, 5}};
  CHECK_THAT(message(m), Catch::Contains("only used by the ramping"));
  m.stages.clear();
  m.think_time_s = 1;
  CHECK_THAT(message(m), Catch::Contains("think_time"));
  m.think_time_s = 0;
  m.duration_s = 0;
  CHECK_THAT(message(m), Catch::Contains("duration must be > 0"));
  m.duration_s = 1;
  m.timeout_s = 0;
  CHECK_THAT(message(m), Catch::Contains("timeout"));
  m.timeout_s = 1;
  m.connections = 0;
  CHECK_THAT(message(m), Catch::Contains("connections must be >= 1"));

  LoadSpec few = spec_of(ExecutorKind::max_rate);
  few.connections = 2;
  few.threads = 8;
  CHECK(make_plan(few, 4).threads == 2);
  few.threads = 0;
  few.connections = 100;
  CHECK(make_plan(few, 4).threads == 4);
  LoadSpec open = spec_of(ExecutorKind::constant_arrival_rate);
  open.rate = 10;
  open.connections = 1;
  open.max_connections = 3;
  CHECK(make_plan(open, 8).threads == 3);
}

TEST_CASE("the endpoint mix is deterministic and spread by weight") {
  EndpointMix mix({3, 1});
  std::vector<size_t> seq;
  for (int i = 0; i < 8; ++i) seq.push_back(mix.next());
  CHECK(std::count(seq.begin(), seq.end(), size_t(0)) == 6);
  CHECK(std::count(seq.begin(), seq.end(), size_t(1)) == 2);
  // No long runs: B appears once in every 4.
  CHECK(std::count(seq.begin(), seq.begin() + 4, size_t(1)) == 1);
  EndpointMix again({3, 1});
  for (size_t s : seq) CHECK(again.next() == s);
  EndpointMix thirds({1, 1, 1});
  std::vector<int> counts(3);
  for (int i = 0; i < 300; ++i) ++counts[thirds.next()];
  CHECK(counts == std::vector<int>{100, 100, 100});
}
