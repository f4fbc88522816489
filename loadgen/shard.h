// Splitting one open-model load test into N equal shards that separate
// processes (or Kubernetes pods) run at the same time. Shard i of N sends at
// 1/N of the rate (every stage target too), keeps the endpoint mix and the
// duration, and is capped at its exact share of the whole test's requests,
// so the shards' rates sum to the test's rate and their planned requests sum
// to exactly the test's planned requests.
//
// The closed model cannot be split: its throughput is whatever the server's
// response times allow, so N closed loops do not add up to "the" test, and
// their latencies are not the latencies one machine would have measured.
#pragma once

#include <cstdint>
#include <string>

#include "loadgen/engine.h"

namespace greenlight {

struct ShardId {
  int index = 1;  // 1-based
  int count = 1;
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// Parses "i/N" (1 <= i <= N <= 10000); throws std::invalid_argument saying
// what is wrong.
ShardId parse_shard(const std::string& text);

// True for the arrival-rate (open-model) executors.
bool is_open_model(ExecutorKind kind);

// Requests the whole spec's schedule makes due (capped by max_requests).
// REQUIRES: an open-model spec that validate() accepts.
uint64_t planned_requests(const LoadSpec& spec);

// How many of `total` requests shard s owns: requests n with n mod N == i-1.
uint64_t shard_share(uint64_t total, ShardId s);

// The spec shard s runs. Throws std::invalid_argument for a closed-model
// spec or an invalid shard id.
LoadSpec shard_spec(const LoadSpec& whole, ShardId s);

}  // namespace greenlight
