// The shards of one distributed load test, gathered for `greenlight report
// merge`: found in directories or named files, checked to belong together
// (the same N, every shard exactly once, the same test parameters and
// thresholds), and merged into one LoadResult.
#pragma once

#include <string>
#include <vector>

#include "loadgen/shard_file.h"

namespace greenlight {

struct ShardSet {
  std::vector<ShardRecord> shards;  // by shard index, 1..N
  LoadSpec spec;                    // the whole test (spec_from_parameters)
  std::vector<std::string> thresholds;
  std::string started_at;           // the earliest shard's start
  uint64_t planned_requests = 0;    // the whole test's
  LoadResult merged;                // merge_results() of the shards, in index order
};

// inputs: directories (every *.json directly inside that is a shard result;
// other JSON files, such as earlier merged reports, are ignored) and files
// (each must be a shard result). Throws ShardFileError with an actionable
// message: nothing found, a file that is not a usable shard result, shards of
// different tests or shard counts, a shard missing or found twice (naming it
// and the files).
ShardSet load_shard_set(const std::vector<std::string>& inputs);

}  // namespace greenlight
