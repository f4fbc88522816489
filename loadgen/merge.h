// Adding up the results of the shards of one load test. Every histogram is
// added bucket by bucket (lossless), so the merged percentiles are exactly
// those of one histogram holding every shard's samples, never an average of
// the shards' percentiles. Counts (requests, errors by class, dropped, bytes)
// add; per-second intervals add by each shard's own second (shards started
// at slightly different moments are aligned on their starts); the duration is
// the longest shard's, since they ran side by side.
#pragma once

#include <vector>

#include "loadgen/engine.h"

namespace greenlight {

// REQUIRES: every part has the same endpoints in the same order and
// histograms of the same layout; otherwise throws std::invalid_argument
// naming the part (1-based position: shard i is part i) and what differs. An empty list gives
// an empty result.
LoadResult merge_results(const std::vector<const LoadResult*>& parts);

}  // namespace greenlight
