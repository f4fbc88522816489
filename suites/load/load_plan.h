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
#pragma once

#include <string>
#include <vector>

#include "harness/plan_node.h"
#include "loadgen/engine.h"
#include "loadgen/thresholds.h"

namespace greenlight {

struct Scenario {
  std::string name;
  LoadSpec spec;  // endpoint URLs may be paths: resolved against the target at run time
  std::vector<Threshold> thresholds;
  bool abort_on_fail = false;  // stop the run as soon as a threshold fails (abort_on_fail.h)
};

// Throws ConfigError (file:line: key) for anything wrong, including a bad threshold.
std::vector<Scenario> parse_load_plan(const PlanNode& section);

// "max-rate" -> ExecutorKind::max_rate; throws std::invalid_argument naming the known ones.
ExecutorKind parse_executor(const std::string& name);
const char* executor_name(ExecutorKind kind);

}  // namespace greenlight
