// The load engine against real servers on loopback (nginx, the fixture, and
// RawServer for misbehaviour): throughput, open-model accuracy, coordinated
// omission, drops, error classes, cancellation. Every run is bounded by
// duration and/or max_requests.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "loadgen/engine.h"
#include "tests/loadgen/raw_server.h"
#include "tests/support/fixture_process.h"
#include "tests/support/nginx_server.h"
#include "tests/support/ports.h"

using namespace greenlight;
using namespace std::chrono_literals;
using test::RawServer;

namespace {

const char* kNginxBody = R"(
    location = /hello { return 200 "hello from nginx\n"; }
    location = /chunked {  # gzip makes nginx stream the body in chunks
      default_type text/plain; gzip on; gzip_min_length 1; gzip_types text/plain;
      return 200 "chunked, compressed and checked";
    }
    location = /busy { return 503 "busy\n"; }
    location = /missing { return 404; }
)";

LoadSpec spec_for(const std::string& url, ExecutorKind kind = ExecutorKind::max_rate) {
  LoadSpec s;
  s.executor = kind;
  s.endpoints.push_back(Endpoint{.name = "main", .url = url});
  s.threads = 1;
  s.connections = 2;
  return s;
}

int64_t err(const LoadResult& r, ErrorClass c) { return r.errors[size_t(c)]; }

int64_t others(const LoadResult& r, ErrorClass except) {
  int64_t n = 0;
  for (size_t k = 0; k < kErrorClassCount; ++k)
    if (ErrorClass(k) != except) n += r.errors[k];
  return n;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

TEST_CASE("max_rate against nginx completes requests without errors and fills every statistic") {
  test::NginxServer nginx(kNginxBody);
  LoadSpec s = spec_for(nginx.url() + "/hello");
  s.threads = 2;
  s.connections = 8;
  s.duration_s = 1.5;
  auto t0 = std::chrono::steady_clock::now();
  LoadResult r = run_load(s);
  CHECK(seconds_since(t0) < 3);
  CHECK(r.threads == 2);
  CHECK(r.requests > 1000);
  CHECK(r.error_count() == 0);
  CHECK(r.dropped == 0);
  CHECK(r.duration_s == Approx(1.5).margin(0.01));
  CHECK(r.latency.count() == r.requests);
  CHECK(r.service_time.count() == r.requests);
  CHECK(r.latency.value_at_percentile(50) > 0);
  CHECK(r.latency.value_at_percentile(50) < 50'000);
  CHECK(r.bytes_read > r.requests * int64_t(sizeof("hello from nginx\n") - 1));
  REQUIRE(r.endpoints.size() == 1);
  CHECK(r.endpoints[0].name == "main");
  CHECK(r.endpoints[0].requests == r.requests);
  CHECK(r.endpoints[0].latency.count() == r.requests);
  // Per-second intervals, merged from both threads, add up to the total.
  REQUIRE(r.intervals.size() == 2);
  CHECK(r.intervals[0].start_s == 0);
  CHECK(r.intervals[1].start_s == 1);
  CHECK(r.intervals[0].requests + r.intervals[1].requests == r.requests);
  CHECK(r.intervals[0].latency.count() == r.intervals[0].requests);
  CHECK(r.intervals[1].latency.count() == r.intervals[1].requests);
}

TEST_CASE("a weighted mix of endpoints, chunked responses and body checks") {
  test::NginxServer nginx(kNginxBody);
  LoadSpec s = spec_for(nginx.url() + "/hello");
  s.endpoints[0].weight = 3;
  s.endpoints[0].expect_body_contains = "from nginx";
  s.endpoints.push_back(Endpoint{.name = "chunked", .url = nginx.url() + "/chunked",
                                 .headers = {{"Accept-Encoding", "gzip"}}, .weight = 1, .expect_status = 200});
  s.endpoints.push_back(Endpoint{.name = "wrong-body", .url = nginx.url() + "/hello", .weight = 1,
                                 .expect_body_contains = "not there"});
  s.max_requests = 500;
  s.duration_s = 10;
  LoadResult r = run_load(s);
  CHECK(r.requests == 500);
  REQUIRE(r.endpoints.size() == 3);
  CHECK(r.endpoints[0].requests == 300);
  CHECK(r.endpoints[1].requests == 100);
  CHECK(r.endpoints[2].requests == 100);
  CHECK(r.endpoints[0].errors == std::array<int64_t, kErrorClassCount>{});
  CHECK(r.endpoints[1].errors == std::array<int64_t, kErrorClassCount>{});
  CHECK(r.endpoints[2].errors[size_t(ErrorClass::check_failed)] == 100);
  CHECK(err(r, ErrorClass::check_failed) == 100);
  CHECK(others(r, ErrorClass::check_failed) == 0);
  CHECK(r.endpoints[2].latency.count() == 100);  // a failed check is still a completed request
}

TEST_CASE("constant_arrival_rate sends the requested count on schedule") {
  test::NginxServer nginx(kNginxBody);
  LoadSpec s = spec_for(nginx.url() + "/hello", ExecutorKind::constant_arrival_rate);
  s.rate = 200;
  s.duration_s = 2;
  s.threads = 2;
  s.connections = 4;
  LoadResult r = run_load(s);
  CHECK(r.requests >= 392);
  CHECK(r.requests <= 408);
  CHECK(r.requests == 400);  // every due request completes against a fast server
  CHECK(r.dropped == 0);
  CHECK(r.error_count() == 0);
  // Measured from the intended start, so timer lateness would show up here.
  CHECK(r.latency.value_at_percentile(50) < 5'000);
  CHECK(r.service_time.count() == r.requests);
  // By completion second (a stall of the machine may move a few across).
  int64_t in_intervals = 0;
  for (const IntervalStats& i : r.intervals) in_intervals += i.requests;
  CHECK(in_intervals == 400);
  REQUIRE(r.intervals.size() >= 2);
  CHECK(r.intervals[0].requests == Approx(200).margin(20));
  CHECK(r.intervals[1].requests == Approx(200).margin(20));
}

TEST_CASE("ramping_arrival_rate and ramping_vus follow their stages") {
  test::NginxServer nginx(kNginxBody);
  SECTION("arrival rate 0 -> 200 rps over 2 s: 200 requests, more in the second second") {
    LoadSpec s = spec_for(nginx.url() + "/hello", ExecutorKind::ramping_arrival_rate);
    s.stages = {{2, 200}};
    LoadResult r = run_load(s);
    CHECK(r.requests == 200);
    CHECK(r.dropped == 0);
    REQUIRE(r.intervals.size() >= 2);
    CHECK(r.intervals[0].requests == Approx(50).margin(10));
    CHECK(r.intervals[1].requests == Approx(150).margin(10));
  }
  SECTION("constant_vus with think time paces each VU") {
    LoadSpec s = spec_for(nginx.url() + "/hello", ExecutorKind::constant_vus);
    s.connections = 2;
    s.think_time_s = 0.1;
    s.duration_s = 1;
    LoadResult r = run_load(s);
    // Each VU: one request per ~100 ms (plus a sub-millisecond response).
    CHECK(r.requests >= 14);
    CHECK(r.requests <= 20);
  }
  SECTION("ramping_vus 1 -> 4 VUs with think time: the second half sends more") {
    LoadSpec s = spec_for(nginx.url() + "/hello", ExecutorKind::ramping_vus);
    s.connections = 1;
    s.threads = 2;
    s.think_time_s = 0.05;
    s.stages = {{0.5, 1}, {1, 4}};
    LoadResult r = run_load(s);
    CHECK(r.error_count() == 0);
    REQUIRE(r.intervals.size() >= 2);
    // ~20 requests/s per VU. First second: VU 1 throughout, VU 2 from
    // 0.83 s => ~24. Last half second: VUs 1-2, and 3 from 1.17 s => ~27,
    // a rate more than twice as high.
    CHECK(r.intervals[0].requests >= 18);
    CHECK(r.intervals[0].requests <= 30);
    CHECK(r.intervals[1].requests >= 18);
    CHECK(r.intervals[1].requests <= 32);
    CHECK(r.intervals[1].requests * 2 > r.intervals[0].requests * 3 / 2);
  }
}

TEST_CASE("coordinated omission: the open model's latency shows a stall that service time hides") {
  // One connection at 100 rps; the server freezes for 1 s at the 50th request.
  // Requests falling due meanwhile wait for the connection; measured from
  // their intended start they are late by up to a second, though the server
  // answers each in microseconds once it is back.
  RawServer server(RawServer::Mode::ok, 50, 1000);
  LoadSpec s = spec_for(server.url(), ExecutorKind::constant_arrival_rate);
  s.rate = 100;
  s.duration_s = 3;
  s.connections = 1;
  s.max_connections = 1;
  s.max_queue_wait_s = 2;
  LoadResult r = run_load(s);
  CHECK(r.requests == 300);
  CHECK(r.dropped == 0);
  CHECK(r.error_count() == 0);
  INFO("latency p50/p90/p99/p99.9: " << r.latency.value_at_percentile(50) << " " << r.latency.value_at_percentile(90)
                                     << " " << r.latency.value_at_percentile(99) << " "
                                     << r.latency.value_at_percentile(99.9));
  INFO("service p50/p90/p99/max: " << r.service_time.value_at_percentile(50) << " "
                                   << r.service_time.value_at_percentile(90) << " "
                                   << r.service_time.value_at_percentile(99) << " " << r.service_time.max());
  CHECK(r.latency.value_at_percentile(99.9) >= 950'000);
  CHECK(r.latency.value_at_percentile(99) >= 900'000);
  CHECK(r.latency.value_at_percentile(90) >= 500'000);  // ~100 of 300 requests waited
  CHECK(r.service_time.value_at_percentile(50) < 5'000);
  CHECK(r.service_time.value_at_percentile(99) < 50'000);
  CHECK(r.service_time.max() >= 950'000);  // the one request the server sat on
}

TEST_CASE("requests that find no free connection are dropped and counted, never recorded") {
  test::FixtureProcess fixture;
  LoadSpec s = spec_for(fixture.url() + "/slow?ms=200", ExecutorKind::constant_arrival_rate);
  s.rate = 20;
  s.duration_s = 2;
  s.connections = 1;
  s.max_connections = 1;
  SECTION("no queue: dropped at once") {
    s.max_queue_wait_s = 0;
    LoadResult r = run_load(s);
    // One connection at 200 ms per request serves ~5 of the 20 due each second.
    CHECK(r.requests + r.dropped == 40);
    CHECK(r.requests >= 6);
    CHECK(r.requests <= 12);
    CHECK(r.dropped >= 28);
    CHECK(r.error_count() == 0);
    CHECK(r.latency.count() == r.requests);
    CHECK(r.latency.value_at_percentile(50) < 260'000);  // sent on time, so ~200 ms
  }
  SECTION("a short queue: waits count in latency, then the overflow is dropped") {
    s.max_queue_wait_s = 0.5;
    LoadResult r = run_load(s);
    CHECK(r.requests + r.dropped == 40);
    CHECK(r.dropped >= 20);
    CHECK(r.latency.value_at_percentile(90) > 400'000);  // queued up to 0.5 s before going out
    // At most 0.5 s queued + 0.2 s served; the slack is for a loaded 2-core CI
    // machine (1.35 s was seen with builds running beside it), far below the
    // 6 s an unbounded queue would reach (40 due, 5 served per second).
    CHECK(r.latency.max() < 1'500'000);
  }
}

TEST_CASE("errors are classified: refused, 4xx, 5xx, malformed, reset, timeout") {
  SECTION("connect_refused when nothing listens, with backoff instead of a spin") {
    LoadSpec s = spec_for("http://127.0.0.1:" + std::to_string(test::free_port()) + "/");
    s.duration_s = 1;
    LoadResult r = run_load(s);
    CHECK(r.requests == 0);
    CHECK(err(r, ErrorClass::connect_refused) >= 2);
    CHECK(err(r, ErrorClass::connect_refused) <= 40);  // 2 connections, 10 ms doubling backoff
    CHECK(others(r, ErrorClass::connect_refused) == 0);
  }
  SECTION("http_5xx from the fixture's error-rate fault, http_4xx from a missing page") {
    test::FixtureProcess fixture({.faults = {"error-rate=0.5"}});
    LoadSpec s = spec_for(fixture.url() + "/api/items");
    s.endpoints.push_back(Endpoint{.name = "missing", .url = fixture.url() + "/no-such-page"});
    s.max_requests = 200;
    s.duration_s = 10;
    LoadResult r = run_load(s);
    CHECK(r.requests == 200);
    CHECK(err(r, ErrorClass::http_5xx) == 50);  // exactly every other /api request
    CHECK(err(r, ErrorClass::http_4xx) == 100);
    CHECK(r.endpoints[0].errors[size_t(ErrorClass::http_5xx)] == 50);
    CHECK(r.endpoints[1].errors[size_t(ErrorClass::http_4xx)] == 100);
    CHECK(r.latency.count() == 200);  // error responses are completed requests
  }
  SECTION("http_5xx and an expected status from nginx") {
    test::NginxServer nginx(kNginxBody);
    LoadSpec s = spec_for(nginx.url() + "/busy");
    s.endpoints.push_back(Endpoint{.name = "expected-404", .url = nginx.url() + "/missing", .expect_status = 404});
    s.endpoints.push_back(Endpoint{.name = "wants-201", .url = nginx.url() + "/hello", .expect_status = 201});
    s.max_requests = 90;
    LoadResult r = run_load(s);
    CHECK(r.requests == 90);
    CHECK(err(r, ErrorClass::http_5xx) == 30);
    CHECK(err(r, ErrorClass::http_4xx) == 0);
    CHECK(err(r, ErrorClass::check_failed) == 30);
  }
  SECTION("parse_error for a server that answers garbage") {
    RawServer server(RawServer::Mode::garbage);
    LoadSpec s = spec_for(server.url());
    s.duration_s = 0.5;
    LoadResult r = run_load(s);
    CHECK(r.requests == 0);
    CHECK(err(r, ErrorClass::parse_error) >= 2);
    CHECK(others(r, ErrorClass::parse_error) == 0);
  }
  SECTION("reset when the server closes mid-response") {
    test::FixtureProcess fixture;
    LoadSpec s = spec_for(fixture.url() + "/truncated");
    s.duration_s = 0.5;
    LoadResult r = run_load(s);
    CHECK(r.requests == 0);
    CHECK(err(r, ErrorClass::reset) >= 2);
    CHECK(others(r, ErrorClass::reset) == 0);
  }
  SECTION("timeout for a server that never answers; the connection is replaced") {
    RawServer server(RawServer::Mode::silent);
    LoadSpec s = spec_for(server.url());
    s.timeout_s = 0.5;
    s.duration_s = 1.3;
    auto t0 = std::chrono::steady_clock::now();
    LoadResult r = run_load(s);
    CHECK(seconds_since(t0) < 2.5);
    CHECK(r.requests == 0);
    CHECK(err(r, ErrorClass::timeout) >= 4);  // 2 connections x (0.5 s, then again after a 10 ms backoff)
    CHECK(err(r, ErrorClass::timeout) <= 6);
    CHECK(others(r, ErrorClass::timeout) == 0);
    CHECK(server.requests() >= 4);  // a fresh connection after each timeout
  }
  SECTION("open model: a dead target is an error per due request, not a drop") {
    LoadSpec s = spec_for("http://127.0.0.1:" + std::to_string(test::free_port()) + "/",
                          ExecutorKind::constant_arrival_rate);
    s.rate = 50;
    s.duration_s = 1;
    LoadResult r = run_load(s);
    CHECK(err(r, ErrorClass::connect_refused) == 50);
    CHECK(r.dropped == 0);
    CHECK(r.requests == 0);
  }
}

// Runs `spec` and sets its cancel flag after `delay`, as Ctrl-C would; `took` is the wall time.
LoadResult run_cancelled_after(const LoadSpec& spec, std::chrono::milliseconds delay, double* took) {
  std::atomic<bool> cancel{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(delay);
    cancel = true;
  });
  auto t0 = std::chrono::steady_clock::now();
  LoadResult r = run_load(spec, &cancel);
  *took = seconds_since(t0);
  canceller.join();
  return r;
}

TEST_CASE("the cancel flag stops a run within a second, and progress comes from the calling thread") {
  test::NginxServer nginx(kNginxBody);
  SECTION("closed model") {
    LoadSpec s = spec_for(nginx.url() + "/hello");
    s.duration_s = 60;
    double took = 0;
    LoadResult r = run_cancelled_after(s, 300ms, &took);
    CHECK(took < 1.3);
    CHECK(r.interrupted);
    CHECK(r.requests > 0);
    CHECK(r.duration_s < 1.0);
  }
  SECTION("open model with requests in flight to a stalled server") {
    RawServer server(RawServer::Mode::silent);
    LoadSpec s = spec_for(server.url(), ExecutorKind::constant_arrival_rate);
    s.rate = 50;
    s.duration_s = 60;
    s.timeout_s = 30;
    double took = 0;
    LoadResult r = run_cancelled_after(s, 300ms, &took);
    CHECK(took < 1.3);
    CHECK(r.interrupted);
  }
  SECTION("progress about once a second") {
    LoadSpec s = spec_for(nginx.url() + "/hello", ExecutorKind::constant_arrival_rate);
    s.rate = 100;
    s.duration_s = 2.5;
    std::vector<LoadProgress> seen;
    auto caller = std::this_thread::get_id();
    bool same_thread = true;
    LoadResult r = run_load(s, nullptr, [&](const LoadProgress& p) {
      same_thread &= std::this_thread::get_id() == caller;
      seen.push_back(p);
    });
    CHECK(same_thread);
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].elapsed_s >= 1.0);
    CHECK(seen[0].elapsed_s < 1.6);
    CHECK(seen[1].elapsed_s >= 2.0);
    CHECK(seen[1].elapsed_s < 2.6);
    CHECK(seen[0].requests >= 95);
    CHECK(seen[0].requests <= 165);
    CHECK(seen[1].rps == Approx(100).margin(40));
    CHECK(seen[1].p99_us > 0);
    CHECK(r.requests == 250);
  }
}

TEST_CASE("bad specs are rejected before anything starts") {
  LoadSpec s = spec_for("https://127.0.0.1:1/");
  CHECK_THROWS_WITH(run_load(s), Catch::Contains("https is not supported by the native engine yet"));
  s = spec_for("http://127.0.0.1:1/");
  s.endpoints.push_back(Endpoint{.name = "other", .url = "http://127.0.0.1:2/"});
  CHECK_THROWS_WITH(run_load(s), Catch::Contains("same host:port"));
  s = spec_for("http://127.0.0.1:1/");
  s.endpoints[0].weight = 0;
  CHECK_THROWS_WITH(run_load(s), Catch::Contains("weight"));
  s = spec_for("http://127.0.0.1:1/");
  s.endpoints.clear();
  CHECK_THROWS_WITH(validate(s), Catch::Contains("at least one endpoint"));
  s = spec_for("http://127.0.0.1:1/", ExecutorKind::constant_arrival_rate);
  CHECK_THROWS_AS(run_load(s), std::invalid_argument);
}
