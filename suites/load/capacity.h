// Capacity search: how much traffic can this deployment take within its SLOs?
// Steps the open-model arrival rate up geometrically until an SLO breaks (or
// the achieved rate falls behind the target), then bisects between the last
// rate that held and the first that broke. Each step is a full engine run.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/result.h"
#include "loadgen/engine.h"
#include "loadgen/thresholds.h"

namespace greenlight {

class StatusLine;

struct CapacityOptions {
  LoadSpec base;                // endpoints, connections, threads; executor and rate are set per step
  std::vector<Threshold> slos;  // every one must hold for a step to hold
  double start_rps = 100;
  double max_rps = 100000;      // never asks for more than this
  double growth = 2;            // rate multiplier between coarse steps
  int refine_steps = 4;         // bisection steps after the first break
  double step_duration_s = 5;
  // A step whose achieved rate is below this share of its target did not hold:
  // the generator or the target could not keep up, and the latencies understate it.
  double min_achieved_ratio = 0.95;
};

struct CapacityStep {
  double target_rps = 0;
  double achieved_rps = 0;
  int64_t requests = 0;
  int64_t errors = 0;
  int64_t dropped = 0;
  double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
  double error_rate = 0;  // fraction
  bool held = false;
  std::vector<std::string> broken;  // why it did not hold: one message per broken SLO
};

struct CapacityResult {
  std::vector<CapacityStep> steps;  // in the order run
  bool found = false;               // some step held
  double capacity_rps = 0;          // the highest target rate that held
  double knee_rps = 0;              // where latency turns up: see capacity.cpp
  std::string stop_reason;          // why the search ended
  bool interrupted = false;
};

// Throws std::invalid_argument for a bad spec. Stops early on *cancel.
CapacityResult find_capacity(const CapacityOptions& options, const std::atomic<bool>* cancel, StatusLine* status);

// One check: passed when a capacity was found (and it is at least
// `min_capacity_rps`, when given), with every step as evidence, the capacity
// and knee as figures, and the throughput-vs-latency curve as a chart.
Check capacity_check(const CapacityOptions& options, const CapacityResult& result, double min_capacity_rps = 0);
nlohmann::json capacity_json(const CapacityOptions& options, const CapacityResult& result);

}  // namespace greenlight
