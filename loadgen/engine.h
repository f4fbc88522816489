// The native load engine: wrk's design (one epoll loop per worker thread, its
// own connections and histograms, nothing shared on the hot path) with
// wrk2's open model (requests due on a fixed schedule, latency measured from
// the intended start) and k6's executors (constant/ramping VUs and arrival
// rates, dropped requests counted).
//
// run_load() is a blocking call; it is safe to run several at once (they
// share nothing). Thread-safety of the callback: on_progress runs on the
// thread that called run_load(), never on a worker.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "loadgen/data_template.h"
#include "loadgen/error_class.h"
#include "loadgen/histogram.h"

namespace greenlight {

struct Endpoint {
  std::string name;
  std::string method = "GET";
  std::string url;  // http://host[:port]/path; every endpoint of a spec must name the same host:port
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  double weight = 1;                  // > 0; share of requests = weight / sum of weights
  int expect_status = 0;              // 0: any 2xx/3xx
  std::string expect_body_contains;   // "" : no body check
};

enum class ExecutorKind { max_rate, constant_vus, ramping_vus, constant_arrival_rate, ramping_arrival_rate };

struct Stage {
  double duration_s;
  double target;  // VUs (ramping_vus) or requests/s (ramping_arrival_rate), reached linearly by the stage's end
};

struct LoadSpec {
  std::vector<Endpoint> endpoints;  // weighted mix, chosen by a deterministic per-thread sequence
  ExecutorKind executor = ExecutorKind::max_rate;
  int threads = 0;                  // 0: hardware_concurrency; never more than the connection cap
  // Closed model: connections (= VUs; ramping_vus starts from this many).
  // Open model: the pool opened at the start.
  int connections = 64;
  int max_connections = 0;  // open model: the pool may grow to this (0: = connections)
  // Open model, requests per second, all threads together (ramping_arrival_rate starts from it).
  double rate = 0;
  double duration_s = 10;   // ignored when stages are given (sum of stages)
  std::vector<Stage> stages;  // only for ramping_vus / ramping_arrival_rate, which require them
  double think_time_s = 0;  // constant_vus / ramping_vus: pause after each response
  double timeout_s = 10;    // per request (and per connect); a timed-out request closes its connection
  uint64_t max_requests = 0;  // 0: unbounded; a hard bound on requests started (tests)
  // Open model: a request that falls due while every connection is busy and
  // the pool is at max_connections waits in a FIFO for a connection; if it is
  // still waiting this long after its intended start it is dropped. Waiting
  // time counts in its latency (measured from the intended start). 0: drop at
  // once, as k6 does.
  double max_queue_wait_s = 1;
  // Request templates: `${data:column}` in an endpoint's url, header names and
  // values, and body takes the column's value from a row of this table. Rows
  // go round-robin in request order, shared by all endpoints (thread i of T
  // uses rows i, i+T, i+2T, ...; with T=1 exactly row 0, 1, 2, ...). Every
  // templated endpoint is rendered once per row before the run (at most
  // kMaxDataRows rows and kMaxRenderedBytes of requests, else
  // std::invalid_argument), so no request is built on the hot path. Empty:
  // no templates; a `${data:` in an endpoint is then sent as written.
  DataTable data;
};

// Throws std::invalid_argument naming the first problem in a spec.
void validate(const LoadSpec& spec);

struct IntervalStats {
  double start_s = 0;  // second of the run: [start_s, start_s + 1)
  int64_t requests = 0;
  int64_t errors = 0;
  // Completions in this second. 2 significant digits (1%) rather than 3, so
  // that a long run's per-second histograms stay small (~27 KB each): do not
  // add() them into a 3-digit histogram.
  Histogram latency{3'600'000'000, 2};
};

struct EndpointStats {
  std::string name;
  int64_t requests = 0;
  std::array<int64_t, kErrorClassCount> errors{};
  Histogram latency;
};

struct LoadResult {
  double duration_s = 0;  // from the start to when the schedule ended (or the run was stopped)
  // Completed requests: a full HTTP response arrived, whatever its status
  // (so http_4xx/http_5xx/check_failed are included; transport errors are not).
  int64_t requests = 0;
  int64_t dropped = 0;  // open model: due, but no connection within max_queue_wait_s; never in latency
  std::array<int64_t, kErrorClassCount> errors{};
  int64_t bytes_read = 0;
  Histogram latency;       // microseconds; open model: from the INTENDED start (CO-corrected); closed: from send
  Histogram service_time;  // microseconds; from the actual send
  std::vector<IntervalStats> intervals;  // one per second, by completion time
  std::vector<EndpointStats> endpoints;  // in spec order
  bool interrupted = false;              // stopped by *cancel
  int threads = 0;                       // worker threads actually used

  int64_t error_count() const {
    int64_t n = 0;
    for (int64_t e : errors) n += e;
    return n;
  }
};

struct LoadProgress {
  double elapsed_s;
  int64_t requests;
  int64_t errors;
  double rps;      // over the last second or so
  int64_t p99_us;  // latency p99 of the last complete second (0 before the first)
  // All completions of the complete seconds so far, merged (2 significant
  // digits, like IntervalStats): for judging thresholds during the run.
  // Valid only during the callback.
  const Histogram* latency = nullptr;
};

// Runs until the duration/stages end, max_requests, or *cancel (checked every
// 10 ms; returns within a second). Closed model: requests still in flight at
// the end are abandoned and not counted (as wrk does). Open model: they get
// up to timeout_s to complete, since they were owed by the schedule.
// on_progress is called about every second from the calling thread.
// Throws std::invalid_argument for a bad spec, std::runtime_error when the
// host does not resolve or the system refuses resources (epoll, threads).
LoadResult run_load(const LoadSpec& spec, const std::atomic<bool>* cancel = nullptr,
                    std::function<void(const LoadProgress&)> on_progress = nullptr);

}  // namespace greenlight
