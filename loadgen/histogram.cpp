// The HdrHistogram algorithm (Gil Tene's design, as in HdrHistogram_c and the
// Java reference), restricted to lowest discernible value 1 (unit magnitude 0).
// Index arithmetic is kept identical to the reference so that counts_ can be
// encoded into, and decoded from, HdrHistogram's V2 format unchanged.
#include "loadgen/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>
#include <string>

namespace greenlight {

namespace {

// The number of top-level (power-of-two) buckets needed so that `value` has
// an index; the reference's getBucketsNeededToCoverValue.
int buckets_needed(int64_t value, int32_t sub_bucket_count) {
  int64_t smallest_untrackable = sub_bucket_count;
  int needed = 1;
  while (smallest_untrackable <= value) {
    if (smallest_untrackable > INT64_MAX / 2) return needed + 1;  // the next shift would overflow
    smallest_untrackable <<= 1;
    ++needed;
  }
  return needed;
}

}  // namespace

Histogram::Histogram(int64_t highest, int significant_digits) : highest_(highest), significant_digits_(significant_digits) {
  if (highest < 2) throw std::invalid_argument("Histogram: highest must be >= 2, got " + std::to_string(highest));
  if (significant_digits < 1 || significant_digits > 5)
    throw std::invalid_argument("Histogram: significant_digits must be 1..5, got " + std::to_string(significant_digits));

  // Enough linear sub-buckets that the bucket width is <= 1/10^digits of any
  // value in the bucket's upper half (the lower half overlaps the bucket below).
  int64_t largest_single_unit = 2;
  for (int i = 0; i < significant_digits; ++i) largest_single_unit *= 10;
  const int sub_bucket_count_magnitude = static_cast<int>(std::ceil(std::log2(static_cast<double>(largest_single_unit))));
  sub_bucket_half_count_magnitude_ = std::max(sub_bucket_count_magnitude, 1) - 1;
  sub_bucket_count_ = int32_t{1} << (sub_bucket_half_count_magnitude_ + 1);
  sub_bucket_half_count_ = sub_bucket_count_ / 2;
  sub_bucket_mask_ = static_cast<int64_t>(sub_bucket_count_ - 1) << unit_magnitude_;
  bucket_count_ = buckets_needed(highest, sub_bucket_count_);
  counts_.assign(static_cast<size_t>(bucket_count_ + 1) * sub_bucket_half_count_, 0);
}

// Bucket: which power-of-two range; sub-bucket: which linear step within it.
// Bucket 0 uses all sub_bucket_count_ sub-buckets; later buckets only their
// upper half, so index = (bucket+1) * half_count + (sub_bucket - half_count).
int Histogram::index_for(int64_t value) const {
  const int pow2_ceiling = 64 - std::countl_zero(static_cast<uint64_t>(value | sub_bucket_mask_));
  const int bucket = pow2_ceiling - unit_magnitude_ - (sub_bucket_half_count_magnitude_ + 1);
  const int sub_bucket = static_cast<int>(value >> (bucket + unit_magnitude_));
  return ((bucket + 1) << sub_bucket_half_count_magnitude_) + (sub_bucket - sub_bucket_half_count_);
}

int64_t Histogram::value_from_index(int index) const {
  int bucket = (index >> sub_bucket_half_count_magnitude_) - 1;
  int sub_bucket = (index & (sub_bucket_half_count_ - 1)) + sub_bucket_half_count_;
  if (bucket < 0) {
    sub_bucket -= sub_bucket_half_count_;
    bucket = 0;
  }
  return static_cast<int64_t>(sub_bucket) << (bucket + unit_magnitude_);
}

int64_t Histogram::lowest_equivalent(int64_t value) const { return value_from_index(index_for(value)); }

int64_t Histogram::highest_equivalent(int64_t value) const {
  const int pow2_ceiling = 64 - std::countl_zero(static_cast<uint64_t>(value | sub_bucket_mask_));
  const int bucket = pow2_ceiling - unit_magnitude_ - (sub_bucket_half_count_magnitude_ + 1);
  const int64_t range = int64_t{1} << (unit_magnitude_ + bucket);
  return lowest_equivalent(value) + range - 1;
}

void Histogram::record(int64_t value) { record(value, 1); }

void Histogram::record(int64_t value, int64_t count) {
  if (count <= 0) return;
  if (value < 0) value = 0;
  if (value > highest_) {
    value = highest_;
    clamped_ += count;
  }
  counts_[static_cast<size_t>(index_for(value))] += count;
  total_count_ += count;
  if (value < min_) min_ = value;
  if (value > max_) max_ = value;
}

// Equivalent to the reference's loop that records value - k*interval one value
// at a time, but it adds each bucket's share of that arithmetic progression at
// once, so a long stall with a tiny interval costs at most one step per bucket
// (the reference loop would spin value/interval times, hours for 1 h / 1 µs).
void Histogram::record_corrected(int64_t value, int64_t expected_interval) {
  record(value);
  if (expected_interval <= 0) return;
  value = std::clamp<int64_t>(value, 0, highest_);
  int64_t missing = value - expected_interval;
  int64_t smallest = -1;
  while (missing >= expected_interval) {
    const int index = index_for(missing);
    const int64_t floor = std::max(value_from_index(index), expected_interval);
    const int64_t n = (missing - floor) / expected_interval + 1;  // terms of the progression in this bucket
    counts_[static_cast<size_t>(index)] += n;
    total_count_ += n;
    smallest = missing - (n - 1) * expected_interval;
    missing = smallest - expected_interval;
  }
  if (smallest >= 0 && smallest < min_) min_ = smallest;
}

void Histogram::add_at_index(int index, int64_t count) {
  if (count <= 0) return;
  if (index < 0 || static_cast<size_t>(index) >= counts_.size())
    throw std::out_of_range("Histogram::add_at_index: index " + std::to_string(index) + " outside the counts array");
  counts_[static_cast<size_t>(index)] += count;
  total_count_ += count;
  const int64_t value = value_from_index(index);
  if (value < min_) min_ = value;
  if (value > max_) max_ = value;
}

void Histogram::add(const Histogram& other) {
  if (other.highest_ != highest_ || other.significant_digits_ != significant_digits_)
    throw std::invalid_argument("Histogram::add: histograms have different highest or significant_digits");
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  total_count_ += other.total_count_;
  clamped_ += other.clamped_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_count_ = 0;
  min_ = INT64_MAX;
  max_ = 0;
  clamped_ = 0;
}

int64_t Histogram::min() const { return total_count_ == 0 ? 0 : lowest_equivalent(min_); }

int64_t Histogram::max() const { return total_count_ == 0 ? 0 : highest_equivalent(max_); }

// Like the reference, each bucket counts at its median-equivalent value.
double Histogram::mean() const {
  if (total_count_ == 0) return 0;
  double total = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const int64_t lo = value_from_index(static_cast<int>(i));
    const double median = static_cast<double>(lo + (highest_equivalent(lo) - lo + 1) / 2);
    total += median * static_cast<double>(counts_[i]);
  }
  return total / static_cast<double>(total_count_);
}

double Histogram::stddev() const {
  if (total_count_ == 0) return 0;
  const double m = mean();
  double total = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const int64_t lo = value_from_index(static_cast<int>(i));
    const double deviation = static_cast<double>(lo + (highest_equivalent(lo) - lo + 1) / 2) - m;
    total += deviation * deviation * static_cast<double>(counts_[i]);
  }
  return std::sqrt(total / static_cast<double>(total_count_));
}

// HdrHistogram 2.1.11's getValueAtPercentile, step for step: one ulp is taken
// off the percentile so that 99 * 1000 / 100 does not round up to 990.0000001
// and then to rank 991.
int64_t Histogram::value_at_percentile(double percentile) const {
  if (total_count_ == 0) return 0;
  const double requested = std::min(std::max(std::nextafter(percentile, -INFINITY), 0.0), 100.0);
  const double fp_rank = requested * static_cast<double>(total_count_) / 100.0;
  const int64_t rank = std::max<int64_t>(static_cast<int64_t>(std::ceil(fp_rank)), 1);
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const int64_t value = value_from_index(static_cast<int>(i));
      return percentile == 0.0 ? lowest_equivalent(value) : highest_equivalent(value);
    }
  }
  return 0;
}

}  // namespace greenlight
