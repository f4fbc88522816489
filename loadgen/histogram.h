// A high-dynamic-range, log-linear latency histogram (the HdrHistogram design):
// values from 1 to `highest` (in microseconds by convention here: 1 µs to 1 h)
// kept to `significant_digits` (3: every recorded value is within 0.1% of its
// bucket's value). record() is O(1) and never allocates; two histograms with
// the same parameters merge losslessly (add()), across threads and processes.
//
// Not thread-safe: each worker thread records into its own Histogram and the
// results are merged after (or between) intervals.
#pragma once

#include <cstdint>
#include <vector>

namespace greenlight {

class Histogram {
 public:
  // lowest is fixed at 1. REQUIRES: highest >= 2, 1 <= significant_digits <= 5
  // (otherwise throws std::invalid_argument). The defaults take ~190 KB.
  explicit Histogram(int64_t highest = 3'600'000'000, int significant_digits = 3);

  // Values above highest are clamped to highest (and counted in clamped()).
  // Negative values are recorded as 0 (a clock step backwards must not crash a run).
  void record(int64_t value);
  void record(int64_t value, int64_t count);  // count <= 0 records nothing
  // Coordinated-omission correction at record time (HdrHistogram's
  // recordValueWithExpectedInterval): also records value - k*interval for each k
  // while that is >= interval. Use only for closed-model runs; the open model
  // measures from the intended start instead. A clamped value back-fills from
  // highest. Costs at most one step per bucket, however long the stall.
  void record_corrected(int64_t value, int64_t expected_interval);

  // REQUIRES: same highest and significant_digits (else std::invalid_argument).
  // Lossless: counts add index by index, so merging per-thread histograms gives
  // exactly the histogram of all their values.
  void add(const Histogram& other);
  void reset();

  int64_t count() const { return total_count_; }
  int64_t min() const;  // 0 when empty; the lowest-equivalent value of the bottom bucket
  int64_t max() const;  // 0 when empty; the highest-equivalent value of the top bucket
  // Each bucket counts at its middle value, as in HdrHistogram's getMean/getStdDeviation.
  double mean() const;
  double stddev() const;
  // The value at `percentile` (0..100]: the smallest recorded value v such that
  // at least percentile% of values are <= v, reported as the highest value
  // equivalent to v's bucket (HdrHistogram 2.1.11's getValueAtPercentile,
  // including its rounding). Percentile 0 gives min(). 0 when empty. O(buckets).
  int64_t value_at_percentile(double percentile) const;
  int64_t clamped() const { return clamped_; }

  int64_t highest() const { return highest_; }
  int significant_digits() const { return significant_digits_; }

  // The raw layout, for the HdrHistogram log codec (hdr_log.h): counts indexed as
  // HdrHistogram's counts array (so the encoding is interoperable).
  const std::vector<int64_t>& counts() const { return counts_; }
  int64_t value_from_index(int index) const;
  int index_for(int64_t value) const;
  // The bounds of the bucket holding `value` (0 <= value <= highest).
  int64_t highest_equivalent(int64_t value) const;
  int64_t lowest_equivalent(int64_t value) const;
  // For decoding: adds count at an index (min/max become that bucket's value).
  // Throws std::out_of_range for an index outside counts().
  void add_at_index(int index, int64_t count);

 private:
  int64_t highest_;
  int significant_digits_;
  int unit_magnitude_ = 0;
  int sub_bucket_half_count_magnitude_ = 0;
  int32_t sub_bucket_count_ = 0;
  int32_t sub_bucket_half_count_ = 0;
  int64_t sub_bucket_mask_ = 0;
  int bucket_count_ = 0;
  std::vector<int64_t> counts_;
  int64_t total_count_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t max_ = 0;
  int64_t clamped_ = 0;
};

}  // namespace greenlight
