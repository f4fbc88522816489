// Histogram against ground truth: percentiles, min, max and mean compared with
// the exact figures of the same values sorted, on friendly and adversarial
// data; lossless merging; clamping; coordinated-omission correction on
// HdrHistogram's own example; the reference's counts-array layout.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

#include "loadgen/histogram.h"

using namespace greenlight;

namespace {

constexpr int64_t kHighest = 3'600'000'000;

// The rank HdrHistogram uses ("the smallest value with at least p% of values
// at or below it"), applied to the sorted values themselves.
int64_t exact_percentile(const std::vector<int64_t>& sorted, double p) {
  const double requested = std::min(std::max(std::nextafter(p, -INFINITY), 0.0), 100.0);
  const auto rank = std::max<int64_t>(static_cast<int64_t>(std::ceil(requested * sorted.size() / 100.0)), 1);
  return sorted[static_cast<size_t>(rank - 1)];
}

double relative_error(double got, double exact) { return exact == 0 ? std::abs(got) : std::abs(got - exact) / exact; }

void check_against_exact(std::vector<int64_t> values) {
  Histogram h;
  for (int64_t v : values) h.record(v);
  std::sort(values.begin(), values.end());

  REQUIRE(h.count() == static_cast<int64_t>(values.size()));
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    INFO("p" << p);
    const int64_t exact = exact_percentile(values, p);
    const int64_t got = h.value_at_percentile(p);
    CHECK(relative_error(got, exact) <= 0.001);
    // Stronger: the reported value is exactly the top of the bucket holding the true value.
    CHECK(got == h.highest_equivalent(exact));
  }
  CHECK(relative_error(h.min(), values.front()) <= 0.001);
  CHECK(h.min() == h.lowest_equivalent(values.front()));
  CHECK(relative_error(h.max(), values.back()) <= 0.001);
  CHECK(h.max() == h.highest_equivalent(values.back()));
  CHECK(h.value_at_percentile(0) == h.min());

  long double sum = 0;
  for (int64_t v : values) sum += v;
  const double mean = static_cast<double>(sum / values.size());
  CHECK(relative_error(h.mean(), mean) <= 0.001);
  long double squares = 0;
  for (int64_t v : values) squares += (v - mean) * (v - mean);
  const double stddev = std::sqrt(static_cast<double>(squares / values.size()));
  // Each value moves by at most half a bucket (0.05%), so the deviation moves at most that of the largest.
  CHECK(std::abs(h.stddev() - stddev) <= 0.001 * values.back());
}

}  // namespace

TEST_CASE("histogram percentiles match sorted uniform data", "[histogram]") {
  std::mt19937_64 rng(1);
  for (int64_t top : {int64_t{1'000}, int64_t{1'000'000}, kHighest}) {
    INFO("uniform 1.." << top);
    std::uniform_int_distribution<int64_t> dist(1, top);
    std::vector<int64_t> values(199'999);  // odd sizes make ranks fractional: rounding matters
    for (auto& v : values) v = dist(rng);
    check_against_exact(values);
  }
}

TEST_CASE("histogram percentiles match sorted log-normal data", "[histogram]") {
  std::mt19937_64 rng(2);
  std::lognormal_distribution<double> dist(std::log(2'000.0), 1.5);  // latency-like: 2 ms median, a long tail
  std::vector<int64_t> values(300'007);
  for (auto& v : values) v = std::clamp<int64_t>(std::llround(dist(rng)), 1, kHighest);
  check_against_exact(values);
}

TEST_CASE("histogram percentiles match sorted adversarial data", "[histogram]") {
  SECTION("all values equal") { check_against_exact(std::vector<int64_t>(10'000, 12'345)); }
  SECTION("a single value") { check_against_exact({777'777}); }
  SECTION("seven values, where every percentile rank is fractional") { check_against_exact({5, 1, 9, 3, 7, 2, 8}); }
  SECTION("two clusters nine decades apart") {
    std::mt19937_64 rng(3);
    std::uniform_int_distribution<int64_t> low(95, 105), high(2'000'000'000 - 1'000, 2'000'000'000 + 1'000);
    std::vector<int64_t> values;
    for (int i = 0; i < 99'000; ++i) values.push_back(low(rng));
    for (int i = 0; i < 1'000; ++i) values.push_back(high(rng));  // exactly 1%: p99 sits on the edge
    check_against_exact(values);
  }
  SECTION("values at bucket and sub-bucket boundaries") {
    std::vector<int64_t> values;
    for (int k = 0; k <= 31; ++k) {
      const int64_t p2 = int64_t{1} << k;
      for (int64_t v : {p2 - 1, p2, p2 + 1}) {
        if (v >= 1 && v <= kHighest) values.insert(values.end(), 1 + k % 5, v);
      }
    }
    for (int64_t v : {1023, 1024, 1025, 2046, 2047, 2048, 2049, 2050, 4095, 4096, 4097, 4098})
      values.push_back(v);
    check_against_exact(values);
  }
  SECTION("only 1 and the highest trackable value") {
    std::vector<int64_t> values(5'000, 1);
    values.insert(values.end(), 5'000, kHighest);
    check_against_exact(values);
  }
}

TEST_CASE("histogram uses HdrHistogram's counts-array layout", "[histogram]") {
  Histogram h;
  // HdrHistogram_c's test_create: 1 .. 1 h at 3 digits has 23552 counts.
  CHECK(h.counts().size() == 23'552);
  CHECK(h.index_for(0) == 0);
  CHECK(h.index_for(2047) == 2047);  // the first bucket is linear with unit steps
  CHECK(h.index_for(2048) == 2048);  // then each bucket is half the sub-buckets, twice as wide
  CHECK(h.index_for(2049) == 2048);
  CHECK(h.index_for(4096) == 3072);
  CHECK(h.value_from_index(3072) == 4096);
  CHECK(h.lowest_equivalent(4099) == 4096);
  CHECK(h.highest_equivalent(4099) == 4099);
  CHECK(h.highest_equivalent(4096) == 4099);
  CHECK(h.highest_equivalent(1) == 1);
  for (int i = 0; i < static_cast<int>(h.counts().size()); i += 7) {
    const int64_t v = h.value_from_index(i);
    INFO("index " << i << " value " << v);
    REQUIRE(h.index_for(v) == i);
    REQUIRE(h.index_for(h.highest_equivalent(v)) == i);
  }
}

TEST_CASE("merging per-thread histograms equals one histogram of all values", "[histogram]") {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100'000;
  std::vector<std::vector<int64_t>> streams(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    std::mt19937_64 rng(100 + t);
    std::lognormal_distribution<double> dist(std::log(500.0 * (t + 1)), 1.0 + t * 0.3);
    for (int i = 0; i < kPerThread; ++i) streams[t].push_back(std::clamp<int64_t>(std::llround(dist(rng)), 0, kHighest * 2));
  }
  std::vector<Histogram> per_thread(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int64_t v : streams[t]) per_thread[t].record(v);
    });
  for (auto& th : threads) th.join();

  Histogram merged, all;
  for (const Histogram& h : per_thread) merged.add(h);
  for (const auto& s : streams)
    for (int64_t v : s) all.record(v);

  CHECK(merged.counts() == all.counts());  // bit-identical
  CHECK(merged.count() == all.count());
  CHECK(merged.min() == all.min());
  CHECK(merged.max() == all.max());
  CHECK(merged.mean() == all.mean());
  CHECK(merged.clamped() == all.clamped());
  CHECK(merged.value_at_percentile(99.9) == all.value_at_percentile(99.9));

  CHECK_THROWS_AS(merged.add(Histogram(1'000'000, 3)), std::invalid_argument);
  CHECK_THROWS_AS(merged.add(Histogram(kHighest, 2)), std::invalid_argument);
}

TEST_CASE("values above highest are clamped and counted, negatives become 0", "[histogram]") {
  Histogram h(1'000'000, 3);
  h.record(10);
  h.record(1'000'000);
  h.record(1'000'001);
  h.record(INT64_MAX);
  h.record(-5);
  CHECK(h.count() == 5);
  CHECK(h.clamped() == 2);
  CHECK(h.max() == h.highest_equivalent(1'000'000));
  CHECK(h.value_at_percentile(100) == h.highest_equivalent(1'000'000));
  CHECK(h.value_at_percentile(60) == h.highest_equivalent(1'000'000));
  CHECK(h.min() == 0);
  CHECK(h.counts()[0] == 1);

  h.record(50, 0);
  h.record(50, -3);
  CHECK(h.count() == 5);

  h.reset();
  CHECK(h.count() == 0);
  CHECK(h.clamped() == 0);
  CHECK(h.min() == 0);
  CHECK(h.max() == 0);
  CHECK(h.mean() == 0);
  CHECK(h.value_at_percentile(99) == 0);
  CHECK(std::all_of(h.counts().begin(), h.counts().end(), [](int64_t c) { return c == 0; }));

  CHECK_THROWS_AS(Histogram(1, 3), std::invalid_argument);
  CHECK_THROWS_AS(Histogram(1000, 0), std::invalid_argument);
  CHECK_THROWS_AS(Histogram(1000, 6), std::invalid_argument);
}

// HdrHistogram_c's hdr_histogram_test.c: 10,000 results of 1 ms and one 100 s
// stall, sampled every 10 ms (µs units). Corrected, the stall back-fills
// 100 s - 10 ms, 100 s - 20 ms, ... 10 ms: 9,999 more values.
TEST_CASE("record_corrected back-fills a stall as HdrHistogram's example documents", "[histogram]") {
  Histogram raw, corrected;
  for (int i = 0; i < 10'000; ++i) {
    raw.record(1'000);
    corrected.record_corrected(1'000, 10'000);
  }
  raw.record(100'000'000);
  corrected.record_corrected(100'000'000, 10'000);

  CHECK(raw.count() == 10'001);
  CHECK(corrected.count() == 20'000);

  const auto near = [](int64_t got, double expected) { return relative_error(got, expected) <= 0.001; };
  CHECK(near(raw.value_at_percentile(30), 1'000));
  CHECK(near(raw.value_at_percentile(99), 1'000));
  CHECK(near(raw.value_at_percentile(99.99), 1'000));
  CHECK(near(raw.value_at_percentile(99.999), 100'000'000));
  CHECK(near(raw.value_at_percentile(100), 100'000'000));

  CHECK(near(corrected.value_at_percentile(30), 1'000));
  CHECK(near(corrected.value_at_percentile(50), 1'000));
  CHECK(near(corrected.value_at_percentile(75), 50'000'000));
  CHECK(near(corrected.value_at_percentile(90), 80'000'000));
  CHECK(near(corrected.value_at_percentile(99), 98'000'000));
  CHECK(near(corrected.value_at_percentile(99.999), 100'000'000));
  CHECK(near(corrected.value_at_percentile(100), 100'000'000));
  CHECK(corrected.min() == 1'000);
  CHECK(near(corrected.max(), 100'000'000));

  // The exact back-filled values, recorded one by one, give the same counts.
  Histogram expected;
  for (int i = 0; i < 10'000; ++i) expected.record(1'000);
  for (int64_t v = 100'000'000; v >= 10'000; v -= 10'000) expected.record(v);
  CHECK(expected.count() == 20'000);
  CHECK(corrected.counts() == expected.counts());
  CHECK(corrected.mean() == expected.mean());
  // (10,000 * 1 ms + 10 ms * (1 + ... + 10,000)) / 20,000 = 25.0030 s
  CHECK(relative_error(corrected.mean(), (1e7 + 1e4 * (1e4 * 10'001 / 2)) / 2e4) <= 0.001);
}

TEST_CASE("record_corrected's bucket-at-a-time fill equals the value-at-a-time loop", "[histogram]") {
  std::mt19937_64 rng(4);
  std::uniform_int_distribution<int64_t> value(0, 50'000'000), interval(1, 100'000);
  Histogram fast, slow;
  for (int i = 0; i < 200; ++i) {
    const int64_t v = value(rng), e = i % 10 == 0 ? 1 + i : interval(rng);
    fast.record_corrected(v, e);
    slow.record(v);
    for (int64_t missing = v - e; missing >= e; missing -= e) slow.record(missing);  // the reference's loop
  }
  fast.record_corrected(777, 0);  // no interval: no correction
  slow.record(777);
  CHECK(fast.counts() == slow.counts());
  CHECK(fast.count() == slow.count());
  CHECK(fast.min() == slow.min());
  CHECK(fast.max() == slow.max());

  // A one-hour stall at a 1 µs interval: 3.6e9 back-filled values, instantly.
  Histogram stall;
  const auto start = std::chrono::steady_clock::now();
  stall.record_corrected(kHighest, 1);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(100));
  CHECK(stall.count() == kHighest);
  CHECK(stall.min() == 1);
  CHECK(relative_error(stall.value_at_percentile(50), kHighest / 2.0) <= 0.001);
}

TEST_CASE("record() costs a few nanoseconds", "[.bench]") {
  std::mt19937_64 rng(5);
  std::lognormal_distribution<double> dist(std::log(2'000.0), 1.5);
  std::vector<int64_t> values(1 << 20);
  for (auto& v : values) v = std::llround(dist(rng));
  Histogram h;
  constexpr int kRounds = 50;
  const auto start = std::chrono::steady_clock::now();
  for (int r = 0; r < kRounds; ++r)
    for (int64_t v : values) h.record(v);
  const double ns = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
  const double per_record = ns / (static_cast<double>(kRounds) * values.size());
  std::cout << "Histogram::record: " << per_record << " ns per record (" << h.count() << " records)\n";
  CHECK(h.count() == static_cast<int64_t>(kRounds) * static_cast<int64_t>(values.size()));
}
