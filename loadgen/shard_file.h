// The "shard" object a sharded `greenlight load --shard i/N --json F` adds to
// its load summary (docs/report-json.md, "Shard results"), and reading it
// back with the shard's interval log for `greenlight report merge`. It holds
// what the merge needs and the summary rounds away: the whole test's
// parameters (to prove the shards belong together), the thresholds given,
// the raw counts, and the histograms themselves (HdrHistogram V2 compressed,
// base64), so the merge adds histograms instead of averaging percentiles.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "loadgen/engine.h"
#include "loadgen/shard.h"

namespace greenlight {

// A shard result that cannot be used: the message starts with the file.
struct ShardFileError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ShardRecord {
  std::filesystem::path file;         // the JSON result it was read from ("" when built in memory)
  ShardId shard;
  std::string started_at;             // ISO 8601 UTC
  nlohmann::json test;                // test_parameters() of the whole test; identical in every shard
  std::vector<std::string> thresholds;  // as given on the command line, judged only after the merge
  uint64_t planned_requests = 0;      // this shard's share of the test's planned requests
  std::string hdr_log;                // the interval log, relative to the JSON file's directory
  LoadResult result;                  // intervals' histograms come from the hdr log
};

// The whole test's parameters: executor, rate, duration, stages, timeouts,
// endpoints (method, URL, weight and a fingerprint of headers and body, so no
// secret is written), data source, planned requests. REQUIRES: an open-model spec.
nlohmann::json test_parameters(const LoadSpec& whole);

// The "shard" object of the JSON result.
nlohmann::json shard_json(const ShardRecord& r);

// True for a load summary that carries a "shard" object.
bool is_shard_result(const nlohmann::json& doc);

// Reads a shard result and its interval log. Throws ShardFileError naming
// the file and the problem (unreadable, not a shard result, a field missing
// or of the wrong type, a histogram that does not decode, the hdr log missing
// or not matching the per-second counts).
ShardRecord read_shard_result(const std::filesystem::path& json_file);

// The whole test's spec as far as the reports need it (executor, rate,
// duration, stages, endpoint names, methods, URLs and weights); headers and
// bodies are not recorded. Throws ShardFileError for malformed parameters.
LoadSpec spec_from_parameters(const nlohmann::json& test);

const char* open_executor_name(ExecutorKind kind);  // "constant-arrival-rate", as in plans

}  // namespace greenlight
