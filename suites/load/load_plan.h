// The load suite's section of the plan: named scenarios, each one engine run
// with an executor, a weighted request mix and thresholds.
//
//   load:
//     scenarios:
//       browse:
//         executor: constant-arrival-rate   # max-rate, constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate
//         rate: 200                         # requests/s (arrival-rate executors)
//         duration: 10s
//         connections: 16                   # closed model: connections (VUs); open model: initial pool
//         max_connections: 64
//         stages: [{duration: 5s, target: 100}, {duration: 10s, target: 400}]
//         requests:
//           - {name: health, path: /health, weight: 7}
//           - {name: items, method: POST, path: /api/items, body: '{"name":"x"}', weight: 3, expect_status: 201}
//         thresholds: ["p(99)<50ms", "error_rate<1%"]
//         abort_on_fail: true               # stop early once a threshold has failed
//         data: users.csv                   # rows for ${data:column} in path, headers, body (relative to the plan)
//     capacity:                             # the capacity search (capacity.h), as `greenlight capacity` runs it
//       requests: [{path: /health}]         # as a scenario's (and `data:` too)
//       slos: ["p(99)<50ms", "error_rate<1%"]
//       start_rate: 100                     # also max_rate, growth, refine_steps, step_duration,
//       min_capacity: 1500                  # connections, max_connections, threads, timeout
//     parts: [scenarios, capacity]          # which parts run (default: every part present)
//     max_duration: 10s                     # caps each scenario's duration and the search's step_duration
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "harness/plan_node.h"
#include "loadgen/engine.h"
#include "loadgen/thresholds.h"
#include "suites/load/capacity.h"

namespace greenlight {

struct Scenario {
  std::string name;
  LoadSpec spec;  // endpoint URLs may be paths: resolved against the target at run time
  std::vector<Threshold> thresholds;
  bool abort_on_fail = false;  // stop the run as soon as a threshold fails (abort_on_fail.h)
  // The duration the plan asked for when max_duration cut spec's down (0: not
  // capped). Ramping executors had every stage shortened by the same factor.
  double planned_duration_s = 0;
};

struct CapacityPlan {
  CapacityOptions options;  // endpoint URLs may be paths, as for scenarios
  double min_capacity_rps = 0;  // 0: any capacity found passes
  double planned_step_duration_s = 0;  // as for Scenario::planned_duration_s
};

// The whole section, reduced to the parts that run (`parts:`, default every
// part present). A part not selected is still validated, so that `greenlight
// check` finds its mistakes whatever profile runs later.
struct LoadPlan {
  std::vector<Scenario> scenarios;
  std::optional<CapacityPlan> capacity;
};

// Throws ConfigError (file:line: key) for anything wrong, including a bad
// threshold or SLO, a part named in `parts:` that the section lacks, and a
// section with neither scenarios nor capacity.
LoadPlan parse_load_section(const PlanNode& section);

// The scenarios of parse_load_section (empty when only the capacity runs).
std::vector<Scenario> parse_load_plan(const PlanNode& section);

// Shortens spec to run at most max_s seconds: the duration, or for ramping
// executors every stage by the same factor (the shape of the ramp is kept,
// each stage still reaches its target). Returns the planned length when it
// was capped, else 0.
double cap_duration(LoadSpec& spec, double max_s);

// "max-rate" -> ExecutorKind::max_rate; throws std::invalid_argument naming the known ones.
ExecutorKind parse_executor(const std::string& name);
const char* executor_name(ExecutorKind kind);

}  // namespace greenlight
