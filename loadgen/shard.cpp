// Shard arithmetic: parsing i/N, dividing rates and stage targets, and the
// exact request share that makes the shards add up to the whole test.
#include "loadgen/shard.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "loadgen/schedule.h"

namespace greenlight {

namespace {

int parse_part(const std::string& text, const std::string& part) {
  if (part.empty() || part.size() > 5 || part.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("shard '" + text + "': expected i/N with whole numbers, e.g. 2/3");
  return std::atoi(part.c_str());
}

}  // namespace

ShardId parse_shard(const std::string& text) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) throw std::invalid_argument("shard '" + text + "': expected i/N, e.g. 2/3");
  ShardId s{parse_part(text, text.substr(0, slash)), parse_part(text, text.substr(slash + 1))};
  if (s.count < 1 || s.count > 10000)
    throw std::invalid_argument("shard '" + text + "': N must be 1..10000");
  if (s.index < 1 || s.index > s.count)
    throw std::invalid_argument("shard '" + text + "': i must be 1.." + std::to_string(s.count) + " (shards count from 1)");
  return s;
}

bool is_open_model(ExecutorKind kind) {
  return kind == ExecutorKind::constant_arrival_rate || kind == ExecutorKind::ramping_arrival_rate;
}

uint64_t planned_requests(const LoadSpec& spec) {
  uint64_t total = make_plan(spec, 1).arrivals.total();
  return spec.max_requests > 0 ? std::min(total, spec.max_requests) : total;
}

uint64_t shard_share(uint64_t total, ShardId s) {
  uint64_t n = uint64_t(s.count), i = uint64_t(s.index - 1);
  return total / n + (i < total % n ? 1 : 0);
}

LoadSpec shard_spec(const LoadSpec& whole, ShardId s) {
  if (!is_open_model(whole.executor))
    throw std::invalid_argument(
        "a closed-model test (no --rate) cannot be sharded: its throughput is set by the server's response times, "
        "so N closed loops do not add up to one test; give --rate R (the whole test's rate, split across the shards)");
  if (s.count < 1 || s.index < 1 || s.index > s.count)
    throw std::invalid_argument("shard " + s.text() + ": i must be 1..N");
  LoadSpec out = whole;
  double n = s.count;
  out.rate = whole.rate / n;
  for (Stage& st : out.stages) st.target /= n;
  // Each shard's own schedule at rate/N makes ceil(whole/N) requests due;
  // the cap trims the shards that own one fewer, so the sum is exact.
  out.max_requests = shard_share(planned_requests(whole), s);
  if (out.max_requests == 0)
    throw std::invalid_argument("shard " + s.text() + " would send no request: the test plans only " +
                                std::to_string(planned_requests(whole)) + "; use fewer shards");
  return out;
}

}  // namespace greenlight
