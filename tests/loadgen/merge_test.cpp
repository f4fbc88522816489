// Shard results merged: the same recorded values split across shards, written
// as shard results (JSON + interval log, as `greenlight load --shard` writes
// them), read back and merged give byte-identical histograms and identical
// percentiles to one histogram of all the values; counts add; shards that do
// not belong together are refused with the shard and file named.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "loadgen/hdr_log.h"
#include "loadgen/merge.h"
#include "loadgen/shard_set.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using greenlight::test::TempDir;

namespace {

constexpr int kShards = 3;
const std::vector<double> kPercentiles = {0, 1, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 99.999, 100};

LoadSpec whole_spec() {
  LoadSpec s;
  s.executor = ExecutorKind::constant_arrival_rate;
  s.rate = 300;
  s.duration_s = 3;
  s.endpoints = {{"a", "GET", "http://127.0.0.1:8080/a", {}, "", 2}, {"b", "GET", "http://127.0.0.1:8080/b", {}, "", 1}};
  return s;
}

LoadResult empty_result() {
  LoadResult r;
  r.endpoints.resize(2);
  r.endpoints[0].name = "a";
  r.endpoints[1].name = "b";
  for (int s = 0; s < 3; ++s) {
    r.intervals.emplace_back();
    r.intervals.back().start_s = s;
  }
  return r;
}

// One sample as an engine worker records it.
void record(LoadResult& r, int64_t latency_us, int64_t service_us, size_t endpoint, int second, bool error) {
  r.requests += 1;
  r.latency.record(latency_us);
  r.service_time.record(service_us);
  r.endpoints[endpoint].requests += 1;
  r.endpoints[endpoint].latency.record(latency_us);
  r.intervals[size_t(second)].requests += 1;
  r.intervals[size_t(second)].latency.record(latency_us);
  if (error) {
    r.errors[size_t(ErrorClass::http_5xx)] += 1;
    r.endpoints[endpoint].errors[size_t(ErrorClass::http_5xx)] += 1;
    r.intervals[size_t(second)].errors += 1;
  }
}

// Writes a shard result the way cmd_load does: the load summary's "shard"
// object, and the per-second histograms as an interval log beside it.
std::filesystem::path write_shard(const TempDir& dir, ShardId id, const LoadSpec& whole, const LoadResult& r,
                                  std::vector<std::string> thresholds = {"p(99)<1s"}, const std::string& name = "") {
  ShardRecord rec;
  rec.shard = id;
  rec.started_at = "2026-01-01T00:00:0" + std::to_string(id.index) + "Z";
  rec.test = test_parameters(whole);
  rec.thresholds = std::move(thresholds);
  rec.planned_requests = 300;
  std::string base = name.empty() ? "shard-" + std::to_string(id.index) : name;
  rec.hdr_log = base + ".hlog";
  rec.result = r;
  std::ofstream log(dir.file(rec.hdr_log));
  HdrLogWriter writer(log, 1'767'225'600'000 + id.index * 1000);
  for (const IntervalStats& i : r.intervals) writer.write_interval(i.start_s, 1.0, i.latency);
  nlohmann::json doc = {{"schema", "greenlight.load/1"}, {"requests", r.requests}, {"shard", shard_json(rec)}};
  std::ofstream(dir.file(base + ".json")) << doc.dump(2);
  return dir.file(base + ".json");
}

struct Split {
  LoadResult whole = empty_result();
  std::vector<LoadResult> shards = std::vector<LoadResult>(kShards, empty_result());
};

// 90 000 samples; shard 3 is a slow pod, so its percentiles differ from the
// others' and an average of per-shard percentiles would be wrong.
Split recorded_split() {
  Split s;
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> fast(6.0, 0.6), slow(8.5, 1.2);
  for (int k = 0; k < 90'000; ++k) {
    int shard = k % kShards;
    int64_t v = int64_t(shard == 2 ? slow(rng) : fast(rng)) + 1;
    if (k % 10'007 == 0) v = 3'600'000'000 + 5;  // clamped at the top
    int64_t service = v / 2 + 1;
    size_t endpoint = k % 3 == 0 ? 1 : 0;
    int second = (k / 7) % 3;
    bool error = k % 997 == 0;
    record(s.whole, v, service, endpoint, second, error);
    record(s.shards[size_t(shard)], v, service, endpoint, second, error);
  }
  s.whole.dropped = 7;
  s.shards[1].dropped = 7;
  for (size_t i = 0; i < s.shards.size(); ++i) s.shards[i].duration_s = 3.0 + 0.01 * double(i);
  return s;
}

void check_identical(const Histogram& merged, const Histogram& whole) {
  CHECK(encode_histogram(merged) == encode_histogram(whole));
  CHECK(encode_compressed_histogram(merged) == encode_compressed_histogram(whole));
  CHECK(merged.count() == whole.count());
  for (double p : kPercentiles) {
    CAPTURE(p);
    CHECK(merged.value_at_percentile(p) == whole.value_at_percentile(p));
  }
  CHECK(merged.min() == whole.min());
  CHECK(merged.max() == whole.max());
  CHECK(merged.mean() == whole.mean());
}

}  // namespace

TEST_CASE("split across shards, written, read back and merged: bit-identical histograms and percentiles", "[merge]") {
  Split split = recorded_split();
  TempDir dir;
  for (int i = 0; i < kShards; ++i) write_shard(dir, {i + 1, kShards}, whole_spec(), split.shards[size_t(i)]);
  ShardSet set = load_shard_set({dir.path()});
  const LoadResult& m = set.merged;

  check_identical(m.latency, split.whole.latency);
  check_identical(m.service_time, split.whole.service_time);
  REQUIRE(m.endpoints.size() == 2);
  for (size_t e = 0; e < 2; ++e) {
    check_identical(m.endpoints[e].latency, split.whole.endpoints[e].latency);
    CHECK(m.endpoints[e].requests == split.whole.endpoints[e].requests);
    CHECK(m.endpoints[e].errors == split.whole.endpoints[e].errors);
  }
  REQUIRE(m.intervals.size() == 3);
  for (size_t s = 0; s < 3; ++s) {
    check_identical(m.intervals[s].latency, split.whole.intervals[s].latency);
    CHECK(m.intervals[s].requests == split.whole.intervals[s].requests);
    CHECK(m.intervals[s].errors == split.whole.intervals[s].errors);
  }
  CHECK(m.requests == 90'000);
  CHECK(m.errors == split.whole.errors);
  CHECK(m.dropped == 7);
  CHECK(m.duration_s == 3.02);  // the longest shard: they ran side by side
  CHECK(set.thresholds == std::vector<std::string>{"p(99)<1s"});
  CHECK(set.started_at == "2026-01-01T00:00:01Z");
  CHECK(set.spec.rate == 300);
  CHECK(set.planned_requests == 900);

  // The split is uneven enough that averaging shard percentiles would be wrong.
  double avg_p99 = 0;
  for (const LoadResult& r : split.shards) avg_p99 += double(r.latency.value_at_percentile(99)) / kShards;
  CHECK(std::abs(avg_p99 - double(m.latency.value_at_percentile(99))) > 1000);
}

TEST_CASE("merge_results in memory adds what the shards measured, and refuses mismatched endpoints", "[merge]") {
  Split split = recorded_split();
  std::vector<const LoadResult*> parts;
  for (const LoadResult& r : split.shards) parts.push_back(&r);
  LoadResult m = merge_results(parts);
  CHECK(encode_histogram(m.latency) == encode_histogram(split.whole.latency));
  // One sample fewer is a different histogram: the comparison above can fail.
  split.shards[0].latency.reset();
  CHECK(encode_histogram(merge_results(parts).latency) != encode_histogram(split.whole.latency));

  LoadResult other = empty_result();
  other.endpoints[1].name = "c";
  parts.push_back(&other);
  CHECK_THROWS_WITH(merge_results(parts), Catch::Contains("part 4: endpoint 2 is 'c'"));
}

TEST_CASE("shards that do not make one whole test are refused, naming the shard and the files", "[merge]") {
  LoadResult r = empty_result();
  record(r, 100, 50, 0, 0, false);
  LoadSpec whole = whole_spec();

  SECTION("a missing shard") {
    TempDir dir;
    write_shard(dir, {1, 3}, whole, r);
    write_shard(dir, {3, 3}, whole, r);
    CHECK_THROWS_WITH(load_shard_set({dir.path()}), Catch::Contains("shard 2/3 is missing") && Catch::Contains("shard-3.json"));
  }
  SECTION("a shard twice") {
    TempDir dir;
    for (int i = 1; i <= 2; ++i) write_shard(dir, {i, 2}, whole, r);
    write_shard(dir, {2, 2}, whole, r, {"p(99)<1s"}, "retry-2");
    CHECK_THROWS_WITH(load_shard_set({dir.path()}), Catch::Contains("shard 2/2 was found twice") &&
                                                        Catch::Contains("retry-2.json") && Catch::Contains("shard-2.json"));
  }
  SECTION("another N") {
    TempDir dir;
    write_shard(dir, {1, 2}, whole, r);
    write_shard(dir, {2, 3}, whole, r);
    CHECK_THROWS_WITH(load_shard_set({dir.path()}), Catch::Contains("is shard 2/3 but") && Catch::Contains("share N"));
  }
  SECTION("another test") {
    TempDir dir;
    write_shard(dir, {1, 2}, whole, r);
    LoadSpec faster = whole;
    faster.rate = 600;
    write_shard(dir, {2, 2}, faster, r);
    CHECK_THROWS_WITH(load_shard_set({dir.path()}), Catch::Contains("not from the same test") && Catch::Contains("rate: 300") &&
                                                        Catch::Contains("600"));
  }
  SECTION("other thresholds") {
    TempDir dir;
    write_shard(dir, {1, 2}, whole, r);
    write_shard(dir, {2, 2}, whole, r, {"p(99)<2s"});
    CHECK_THROWS_WITH(load_shard_set({dir.path()}), Catch::Contains("'p(99)<2s'") && Catch::Contains("same --threshold"));
  }
  SECTION("a lost interval log, and a file that is not a shard result") {
    TempDir dir;
    write_shard(dir, {1, 1}, whole, r);
    std::filesystem::remove(dir.file("shard-1.hlog"));
    CHECK_THROWS_WITH(load_shard_set({dir.path()}), Catch::Contains("shard-1.hlog cannot be read"));
    std::ofstream(dir.file("other.json")) << R"({"schema": "greenlight.load/1", "requests": 1})";
    CHECK_THROWS_WITH(load_shard_set({dir.file("other.json")}), Catch::Contains("other.json: is not a shard result"));
  }
  SECTION("nothing to merge") {
    TempDir dir;
    CHECK_THROWS_WITH(load_shard_set({dir.path()}), Catch::Contains("no shard results in this directory"));
  }
  SECTION("a whole test passes") {
    TempDir dir;
    for (int i = 1; i <= 3; ++i) write_shard(dir, {i, 3}, whole, r);
    CHECK(load_shard_set({dir.path()}).merged.requests == 3);
  }
}
