// Shared by the chart tests: a RunResult shaped like a real load run, with the
// series the load suite attaches (latency and throughput over time with a
// three-second stall, a percentile spectrum, a capacity curve with its SLO and
// capacity lines). Deterministic: the "noise" is a fixed hash, not random.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "harness/result.h"

namespace greenlight::test {

// A repeatable value in [-1, 1) for sample index i.
inline double jitter(int i, int salt = 0) {
  uint32_t h = static_cast<uint32_t>(i * 2654435761u) ^ static_cast<uint32_t>(salt * 40503u + 0x9e3779b9u);
  h ^= h >> 15;
  h *= 2246822519u;
  h ^= h >> 13;
  return (h % 20000) / 10000.0 - 1;
}

inline constexpr int kRunSeconds = 120;
inline constexpr int kStallFrom = 71, kStallTo = 73;  // the target stalled for these seconds

inline bool stalled(int t) { return t >= kStallFrom && t <= kStallTo; }

inline std::vector<Series> latency_over_time() {
  Series p50{"latency over time", "p50", "s", "ms", false, {}};
  Series p99{"latency over time", "p99", "s", "ms", false, {}};
  Series max{"latency over time", "max", "s", "ms", false, {}};
  for (int t = 1; t <= kRunSeconds; ++t) {
    double stall = stalled(t) ? 1 : 0;
    p50.points.emplace_back(t, 8.2 + 0.6 * jitter(t, 1) + stall * 110);
    p99.points.emplace_back(t, 31 + 4 * jitter(t, 2) + stall * 860);
    max.points.emplace_back(t, 58 + 14 * jitter(t, 3) + stall * 1390);
  }
  return {p50, p99, max};
}

inline std::vector<Series> throughput_over_time() {
  Series ok{"throughput over time", "requests/s", "s", "req/s", false, {}};
  Series errors{"throughput over time", "errors/s", "s", "req/s", false, {}};
  for (int t = 1; t <= kRunSeconds; ++t) {
    // Requests pile up during the stall and drain right after it.
    double rate = stalled(t) ? 140 : t == kStallTo + 1 ? 930 : 400 + 6 * jitter(t, 4);
    ok.points.emplace_back(t, rate);
    errors.points.emplace_back(t, stalled(t) ? 11 + 3 * jitter(t, 5) : 0);
  }
  return {ok, errors};
}

inline std::vector<Series> percentile_spectrum() {
  const std::vector<double> p = {50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999};
  const std::vector<double> latency = {8.3, 11.2, 16.4, 21.7, 38.5, 71, 590, 905, 1310, 1452};
  const std::vector<double> service = {7.9, 10.4, 14.8, 19.3, 31.2, 44, 118, 206, 402, 688};
  Series l{"latency percentile spectrum", "latency", "%", "ms", true, {}};
  Series s{"latency percentile spectrum", "service time", "%", "ms", true, {}};
  for (size_t i = 0; i < p.size(); ++i) {
    l.points.emplace_back(p[i], latency[i]);
    s.points.emplace_back(p[i], service[i]);
  }
  return {l, s};
}

inline std::vector<Series> capacity_curve() {
  Series p99{"throughput vs latency", "p99", "req/s", "ms", false,
             {{200, 11.8}, {400, 12.9}, {600, 14.1}, {800, 16.3}, {1000, 19.2}, {1200, 24.6}, {1400, 33.9},
              {1600, 46.8}, {1730, 97}, {1770, 238}}};
  Series slo{"throughput vs latency", "SLO p(99)<50ms", "req/s", "ms", false, {{200, 50}, {1770, 50}}};
  Series capacity{"throughput vs latency", "capacity 1600 req/s", "req/s", "ms", false, {{1600, 0}, {1600, 238}}};
  return {p99, slo, capacity};
}

inline RunResult sample_load_run() {
  RunResult run;
  run.tool_version = "0.1.0-test";
  run.plan_file = "plans/shop.yaml";
  run.target = "https://shop.example.com";
  run.started_at = "2026-11-21T23:14:58Z";
  run.duration_s = 212.4;

  SuiteResult load;
  load.name = "load";
  load.duration_s = 212.4;
  Check steady{"checkout at 400 req/s for 2m: p(99) < 1000ms", Outcome::passed, "", {},
               {{"requests", 48290, ""}, {"p50", 8.3, "ms"}, {"p99", 38.5, "ms"}, {"max", 1452, "ms"}, {"error rate", 0.07, "%"}},
               120.2};
  for (auto group : {latency_over_time(), throughput_over_time(), percentile_spectrum()})
    steady.series.insert(steady.series.end(), group.begin(), group.end());
  Check capacity{"capacity of checkout under SLO p(99) < 50ms", Outcome::passed, "", {},
                 {{"capacity", 1600, "req/s"}, {"p99 at capacity", 46.8, "ms"}}, 92.1};
  capacity.series = capacity_curve();
  Check search{"search at 200 req/s: p(99) < 20ms", Outcome::failed,
               "p(99) was 31 ms, above the threshold of 20 ms", {}, {{"p99", 31, "ms"}}, 60.1};
  search.series = latency_over_time();
  for (Series& s : search.series) s.points.resize(60);
  load.checks = {search, steady, capacity};
  run.suites = {load};
  return run;
}

}  // namespace greenlight::test
