// Executors as timelines: when each request of the open model is due, and
// how many VUs (connections) the closed model runs at each moment. Pure
// functions of the spec and a time, so tests check them without a clock.
//
// Everything here is immutable after construction and safe to share between
// worker threads.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "loadgen/engine.h"

namespace greenlight {

// Open model: requests per second as a piecewise-linear function of time;
// request n (0-based, all threads together) is due when the integral of the
// rate reaches n. Computed from n each time, so no drift accumulates.
class ArrivalSchedule {
 public:
  ArrivalSchedule() = default;
  static ArrivalSchedule constant(double rate, double duration_s);
  // From start_rate, linearly to each stage's target over its duration.
  static ArrivalSchedule ramping(double start_rate, const std::vector<Stage>& stages);

  double duration_s() const { return duration_s_; }
  double rate_at(double t) const;
  double count_until(double t) const;  // integral of the rate over [0, t]
  // Seconds from the start; +infinity when request n is not due before the end.
  double due_s(uint64_t n) const;
  // Requests due in [0, duration): the count a perfect run sends.
  uint64_t total() const { return total_; }
  double peak_rate() const;  // the highest rate anywhere in the schedule

 private:
  struct Segment {
    double t0, t1, r0, r1;
    double n0, n1;  // integral of the rate up to t0 and t1
  };
  std::vector<Segment> segments_;
  double duration_s_ = 0;
  uint64_t total_ = 0;
};

// One worker's share of an ArrivalSchedule: requests thread, thread+threads,
// thread+2*threads, ... so the threads' arrivals interleave evenly.
class ThreadArrivals {
 public:
  // quota: at most this many requests for this thread.
  ThreadArrivals(const ArrivalSchedule& schedule, int thread, int threads, uint64_t quota = kUnbounded);
  // Intended start of the next request in ns from the start; INT64_MAX when none is left.
  int64_t next_ns() const { return next_ns_; }
  uint64_t next_index() const { return n_; }
  void advance();

  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  static constexpr uint64_t kUnbounded = std::numeric_limits<uint64_t>::max();

 private:
  void compute();
  const ArrivalSchedule* schedule_;
  uint64_t n_, step_, left_;
  int64_t next_ns_ = kNever;
};

// Closed model: active VUs as a piecewise-linear function of time (rounded
// down), each VU being one connection that sends, waits for the response,
// thinks, and sends again.
class VuSchedule {
 public:
  VuSchedule() = default;
  static VuSchedule constant(int vus, double duration_s);
  static VuSchedule ramping(int start_vus, const std::vector<Stage>& stages);

  double duration_s() const { return duration_s_; }
  int vus_at(double t) const;
  int max_vus() const { return max_vus_; }
  // VUs of worker `thread`: global VUs thread, thread+threads, ... that are active at t.
  int vus_for_thread(double t, int thread, int threads) const { return share(vus_at(t), thread, threads); }
  int max_vus_for_thread(int thread, int threads) const { return share(max_vus_, thread, threads); }

  // How many of `total` things (VUs, connections, requests) worker `thread` of `threads` owns.
  static int share(int total, int thread, int threads) {
    return total / threads + (thread < total % threads ? 1 : 0);
  }

 private:
  struct Segment {
    double t0, t1, v0, v1;
  };
  std::vector<Segment> segments_;
  double duration_s_ = 0;
  int max_vus_ = 0;
};

// A validated spec turned into timelines and per-run numbers. Not named Plan:
// harness/plan.h has a greenlight::Plan too, and two classes of one name in
// one namespace (an ODR violation) shared one implicit ~Plan() in the linked
// program, so that validate() destroyed this struct with the harness plan's
// destructor (UBSan in the fuzz build, fuzz/regressions/plan).
struct LoadSchedule {
  ExecutorKind executor = ExecutorKind::max_rate;
  bool open = false;          // arrival-rate executors
  double duration_s = 0;
  int threads = 1;            // after defaulting and capping by connections
  ArrivalSchedule arrivals;   // open model
  VuSchedule vus;             // closed model
  int pool = 0;               // open model: connections opened at the start (all threads)
  int max_connections = 0;    // open model: the pool's cap; closed model: max VUs
  double think_time_s = 0;    // vus executors only (0 for max_rate)
};

// Throws std::invalid_argument for anything wrong in the executor part of
// the spec (rates, durations, stages, connection counts, timeouts).
// hardware_threads: what threads = 0 means.
LoadSchedule make_plan(const LoadSpec& spec, int hardware_threads);

}  // namespace greenlight
