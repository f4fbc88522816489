// Splitting a test into shards: parsing i/N, the rates (and ramp stages)
// summing to the whole, the planned requests summing exactly, the endpoint
// mix kept, the closed model refused.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "loadgen/endpoint_mix.h"
#include "loadgen/schedule.h"
#include "loadgen/shard.h"

using namespace greenlight;

namespace {

LoadSpec open_spec(double rate, double duration_s) {
  LoadSpec s;
  s.executor = ExecutorKind::constant_arrival_rate;
  s.rate = rate;
  s.duration_s = duration_s;
  s.endpoints = {{"list", "GET", "http://127.0.0.1:1/items", {}, "", 3},
                 {"create", "POST", "http://127.0.0.1:1/items", {{"Content-Type", "application/json"}}, "{}", 1}};
  return s;
}

// What a shard actually sends: its own schedule, cut at its quota.
uint64_t sends(const LoadSpec& shard) {
  uint64_t own = make_plan(shard, 1).arrivals.total();
  return shard.max_requests > 0 ? std::min(own, shard.max_requests) : own;
}

void check_split(const LoadSpec& whole, int n) {
  CAPTURE(n, whole.rate, whole.duration_s);
  ArrivalSchedule all = make_plan(whole, 1).arrivals;
  std::vector<LoadSpec> shards;
  for (int i = 1; i <= n; ++i) shards.push_back(shard_spec(whole, {i, n}));
  uint64_t sent = 0;
  for (const LoadSpec& s : shards) {
    sent += sends(s);
    // The cap, not the shard's own schedule, is what trims the shard.
    CHECK(make_plan(s, 1).arrivals.total() >= s.max_requests);
  }
  CHECK(sent == all.total());
  for (double t = 0; t < all.duration_s(); t += all.duration_s() / 97) {
    double sum = 0;
    for (const LoadSpec& s : shards) sum += make_plan(s, 1).arrivals.rate_at(t);
    CHECK(sum == Approx(all.rate_at(t)).epsilon(1e-12));
  }
}

}  // namespace

TEST_CASE("parse_shard takes i/N with 1 <= i <= N and says what is wrong otherwise", "[shard]") {
  ShardId s = parse_shard("2/3");
  CHECK(s.index == 2);
  CHECK(s.count == 3);
  CHECK(s.text() == "2/3");
  CHECK(parse_shard("1/1").count == 1);
  CHECK_THROWS_WITH(parse_shard("0/3"), Catch::Contains("shards count from 1"));
  CHECK_THROWS_WITH(parse_shard("4/3"), Catch::Contains("i must be 1..3"));
  CHECK_THROWS_WITH(parse_shard("3"), Catch::Contains("expected i/N"));
  CHECK_THROWS_WITH(parse_shard("a/3"), Catch::Contains("whole numbers"));
  CHECK_THROWS_WITH(parse_shard("1/-3"), Catch::Contains("whole numbers"));
}

TEST_CASE("a constant rate splits into shards whose rates and requests sum exactly to the test's", "[shard]") {
  check_split(open_spec(150, 2), 3);
  check_split(open_spec(100, 2.005), 3);  // 201 requests: the shards own 67, 67, 67
  check_split(open_spec(1000, 1), 7);     // 1000 = 7 * 142 + 6: six shards own one more
  LoadSpec whole = open_spec(100, 2.005);
  CHECK(shard_spec(whole, {1, 3}).max_requests == 67);
  CHECK(shard_spec(whole, {3, 3}).max_requests == 67);
  CHECK(shard_spec(open_spec(1000, 1), {7, 7}).max_requests == 142);
  CHECK(shard_spec(open_spec(1000, 1), {6, 7}).max_requests == 143);
}

TEST_CASE("a ramp splits stage by stage", "[shard]") {
  LoadSpec whole = open_spec(10, 0);
  whole.executor = ExecutorKind::ramping_arrival_rate;
  whole.stages = {{2, 100}, {1, 100}, {2.5, 0}, {0.7, 33}};
  check_split(whole, 4);
  check_split(whole, 3);
  LoadSpec s = shard_spec(whole, {2, 4});
  CHECK(s.rate == 2.5);
  REQUIRE(s.stages.size() == 4);
  CHECK(s.stages[0].target == 25);
  CHECK(s.stages[2].duration_s == 2.5);  // durations are not split
}

TEST_CASE("every shard keeps the endpoint mix and the request definitions", "[shard]") {
  LoadSpec whole = open_spec(400, 1);
  for (int i = 1; i <= 3; ++i) {
    LoadSpec s = shard_spec(whole, {i, 3});
    REQUIRE(s.endpoints.size() == 2);
    for (size_t e = 0; e < 2; ++e) {
      CHECK(s.endpoints[e].name == whole.endpoints[e].name);
      CHECK(s.endpoints[e].weight == whole.endpoints[e].weight);
      CHECK(s.endpoints[e].body == whole.endpoints[e].body);
      CHECK(s.endpoints[e].headers == whole.endpoints[e].headers);
    }
    CHECK(s.duration_s == whole.duration_s);
    // What the shard sends, picked the way a worker picks: 3 list : 1 create.
    std::vector<double> weights;
    for (const Endpoint& e : s.endpoints) weights.push_back(e.weight);
    EndpointMix mix(weights);
    int counts[2] = {0, 0};
    for (uint64_t k = 0; k < s.max_requests; ++k) ++counts[mix.next()];
    CHECK(counts[0] + counts[1] == int(s.max_requests));
    CHECK(std::abs(counts[0] - 3 * counts[1]) <= 3);
  }
}

TEST_CASE("the closed model and a shard without requests are refused with the reason", "[shard]") {
  LoadSpec closed = open_spec(0, 1);
  closed.executor = ExecutorKind::max_rate;
  CHECK_THROWS_WITH(shard_spec(closed, {1, 2}), Catch::Contains("closed-model") && Catch::Contains("--rate"));
  closed.executor = ExecutorKind::constant_vus;
  CHECK_THROWS_AS(shard_spec(closed, {1, 2}), std::invalid_argument);
  CHECK_THROWS_WITH(shard_spec(open_spec(3, 1), {5, 5}), Catch::Contains("would send no request"));
}
