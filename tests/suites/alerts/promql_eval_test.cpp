// The PromQL evaluator feature by feature, each with the case that works and
// the boundary or fault next to it: the series store, lookback and
// staleness, 2.x versus v3 windows, rate extrapolation, vector matching and
// its errors (worded as Prometheus words them), set operators, comparisons
// with and without bool, scalars, NaN/Inf, the sample limit, and speed on a
// rule-test-sized store. Prometheus' own cases are in
// promql_eval_testdata_test.cpp, agreement with promtool in
// promql_eval_promtool_test.cpp.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "suites/alerts/promql/eval.h"
#include "suites/alerts/promql/parser.h"

using namespace greenlight::promql;

namespace {

constexpr std::int64_t kMin = 60 * 1000;

Labels L(const std::string& series) {
  if (series == "{}") return {};
  NodePtr n = parse_promql_or_throw(series);
  const auto* vs = n->as<VectorSelector>();
  REQUIRE(vs);
  Labels l;
  if (!vs->name.empty()) l.push_back({"__name__", vs->name});
  for (const auto& m : vs->matchers) l.push_back({m.name, m.value});
  std::sort(l.begin(), l.end());
  return l;
}

// Samples one interval apart from 0; NaN values are written as given.
void load(SeriesStore& store, const std::string& series, const std::vector<double>& values,
          std::int64_t interval_ms = kMin) {
  Labels l = L(series);
  for (std::size_t i = 0; i < values.size(); ++i) store.add(l, static_cast<std::int64_t>(i) * interval_ms, values[i]);
}

Value run(const SeriesStore& store, const std::string& expr, std::int64_t t_ms, const EvalOptions& opt = {}) {
  NodePtr n = parse_promql_or_throw(expr);
  return evaluate(*n, store, t_ms, opt);
}

// The value of the sample with exactly these labels; NaN flags "absent".
double value_of(const Value& v, const std::string& series) {
  Labels want = L(series);
  for (const auto& s : v.vector)
    if (s.labels == want) return s.value;
  return std::numeric_limits<double>::quiet_NaN();
}

std::string eval_error_of(const SeriesStore& store, const std::string& expr, std::int64_t t_ms) {
  try {
    run(store, expr, t_ms);
  } catch (const EvalError& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("the series store normalises labels and keeps samples in order", "[promql][eval]") {
  SeriesStore store;
  store.add({{"job", "api"}, {"__name__", "up"}, {"empty", ""}}, 0, 1);
  store.add({{"__name__", "up"}, {"job", "api"}}, kMin, 0);
  REQUIRE(store.series().size() == 1);
  CHECK(store.series()[0].labels == Labels{{"__name__", "up"}, {"job", "api"}});
  CHECK(store.series()[0].samples.size() == 2);
  CHECK(format_labels(store.series()[0].labels) == "up{job=\"api\"}");
  CHECK(format_labels({{"a", "x\"y\n"}}) == "{a=\"x\\\"y\\n\"}");

  SECTION("a sample out of time order is refused, naming the series") {
    CHECK_THROWS_WITH(store.add({{"__name__", "up"}, {"job", "api"}}, kMin, 2),
                      Catch::Contains("up{job=\"api\"}") && Catch::Contains("ascending time order"));
  }
  SECTION("selection sees a series added after an earlier selection") {
    NodePtr sel = parse_promql_or_throw("up{job=~\"a.*\"}");
    CHECK(store.select(*sel->as<VectorSelector>()).size() == 1);
    store.add({{"__name__", "up"}, {"job", "app"}}, 0, 1);
    CHECK(store.select(*sel->as<VectorSelector>()).size() == 2);
    store.add({{"__name__", "down"}, {"job", "app"}}, 0, 1);
    CHECK(store.select(*sel->as<VectorSelector>()).size() == 2);
  }
  SECTION("copies are independent") {
    SeriesStore copy = store;
    copy.add({{"__name__", "other"}}, 0, 1);
    CHECK(copy.series().size() == 2);
    CHECK(store.series().size() == 1);
  }
}

TEST_CASE("staleness markers are one NaN bit pattern", "[promql][eval]") {
  CHECK(is_stale_nan(stale_nan()));
  CHECK(std::isnan(stale_nan()));
  CHECK_FALSE(is_stale_nan(std::numeric_limits<double>::quiet_NaN()));
  CHECK_FALSE(is_stale_nan(0));
}

TEST_CASE("instant selectors look back 5 minutes and stop at staleness markers", "[promql][eval]") {
  SeriesStore store;
  load(store, "m{a=\"1\"}", {1, 2, 3});
  load(store, "n", {1, stale_nan(), 5});
  CHECK(value_of(run(store, "m", 2 * kMin + 5 * kMin), "m{a=\"1\"}") == 3);  // exactly 5m old: still there (2.x)
  CHECK(run(store, "m", 2 * kMin + 5 * kMin + 1).vector.empty());
  CHECK(run(store, "n", kMin + 30000).vector.empty());
  CHECK(value_of(run(store, "n", 2 * kMin), "n") == 5);

  SECTION("the lookback is an option") {
    EvalOptions opt;
    opt.lookback_ms = 30000;
    CHECK(run(store, "m", 2 * kMin + 30000, opt).vector.size() == 1);
    CHECK(run(store, "m", 2 * kMin + 30001, opt).vector.empty());
  }
  SECTION("Prometheus 3 semantics exclude a sample exactly lookback old") {
    EvalOptions v3;
    v3.semantics_v3 = true;
    CHECK(run(store, "m", 2 * kMin + 5 * kMin, v3).vector.empty());
    CHECK(run(store, "m", 2 * kMin + 5 * kMin - 1, v3).vector.size() == 1);
  }
}

TEST_CASE("range selectors are closed in 2.x and left-open in v3", "[promql][eval]") {
  SeriesStore store;
  std::vector<double> values(200);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<double>(i);
  load(store, "x", values, 1000);
  CHECK(value_of(run(store, "count_over_time(x[1m])", 120000), "{}") == 61);
  EvalOptions v3;
  v3.semantics_v3 = true;
  CHECK(value_of(run(store, "count_over_time(x[1m])", 120000, v3), "{}") == 60);
  // Subquery steps: [60s, 120s] holds 60s, 90s and 120s; (60s, 120s] does not hold 60s.
  CHECK(value_of(run(store, "count_over_time(x[1m:30s])", 120000), "{}") == 3);
  CHECK(value_of(run(store, "count_over_time(x[1m:30s])", 120000, v3), "{}") == 2);
  // A range vector as the result: every sample in the window.
  Value m = run(store, "x[5s]", 10000);
  REQUIRE(m.type == ValueType::Matrix);
  REQUIRE(m.matrix.size() == 1);
  CHECK(m.matrix[0].samples.size() == 6);
  CHECK(m.matrix[0].samples.front().t_ms == 5000);
}

TEST_CASE("rate and increase extrapolate as Prometheus does", "[promql][eval]") {
  SeriesStore store;
  // 15s scrapes from 0 to 300s, +1 per scrape.
  std::vector<double> steady;
  for (int i = 0; i <= 20; ++i) steady.push_back(100 + i);
  load(store, "c{case=\"steady\"}", steady, 15000);
  // Starts at 0 at 240s: the zero point limits extrapolation to the left.
  load(store, "z{case=\"fresh\"}", {0, 5, 10, 15, 20}, 15000);

  // Window [60s, 300s] holds 17 samples covering 240s: no extrapolation needed.
  CHECK(value_of(run(store, "increase(c[4m])", 300000), "{case=\"steady\"}") == Approx(16));
  // Window [70s, 310s]: 16 samples from 75s to 300s (+15), the first 5s in and
  // the last 10s before the end, both under 1.1 sample intervals: extrapolated.
  CHECK(value_of(run(store, "increase(c[4m])", 310000), "{case=\"steady\"}") == Approx(15.0 * (225 + 5 + 10) / 225));
  CHECK(value_of(run(store, "rate(c[4m])", 310000), "{case=\"steady\"}") == Approx(15.0 * 240 / 225 / 240));
  // Window [120s, 360s]: the last sample is 60s before the end, more than
  // 1.1 intervals: extrapolated by half an interval only.
  CHECK(value_of(run(store, "increase(c[4m])", 360000), "{case=\"steady\"}") == Approx(12.0 * (180 + 0 + 7.5) / 180));
  // The first sample is 0: the counter cannot have been below it.
  CHECK(value_of(run(store, "increase(z[5m])", 60000), "{case=\"fresh\"}") == Approx(20));

  SECTION("a counter reset adds the value before the reset") {
    SeriesStore s;
    load(s, "r", {10, 20, 5, 15}, 15000);
    CHECK(value_of(run(s, "increase(r[45s])", 45000), "{}") == Approx(25));
    CHECK(value_of(run(s, "delta(r[45s])", 45000), "{}") == Approx(5));
    CHECK(value_of(run(s, "resets(r[45s])", 45000), "{}") == 1);
  }
  SECTION("a single sample gives no rate") {
    SeriesStore s;
    load(s, "one", {7});
    CHECK(run(s, "rate(one[5m])", kMin).vector.empty());
    CHECK(run(s, "irate(one[5m])", kMin).vector.empty());
    CHECK(run(s, "deriv(one[5m])", kMin).vector.empty());
  }
}

TEST_CASE("vector matching follows on, ignoring and group modifiers", "[promql][eval]") {
  SeriesStore store;
  load(store, "req{job=\"api\", code=\"200\"}", {90});
  load(store, "req{job=\"api\", code=\"500\"}", {10});
  load(store, "total{job=\"api\"}", {100});
  load(store, "owner{job=\"api\", team=\"core\"}", {1});

  Value ratio = run(store, "req / ignoring(code) group_left total", 0);
  CHECK(value_of(ratio, "{job=\"api\", code=\"500\"}") == Approx(0.1));
  Value with_team = run(store, "req * on(job) group_left(team) owner", 0);
  CHECK(value_of(with_team, "{job=\"api\", code=\"200\", team=\"core\"}") == 90);
  Value right = run(store, "total / on(job) group_right req", 0);
  CHECK(value_of(right, "{job=\"api\", code=\"200\"}") == Approx(100.0 / 90));
  // One-to-one with on() keeps only the on() labels.
  CHECK(value_of(run(store, "total - on(job) owner", 0), "{job=\"api\"}") == 99);

  SECTION("many-to-one without group_left is an error") {
    CHECK(eval_error_of(store, "req / on(job) total", 0) ==
          "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
  }
  SECTION("duplicates on the one side are an error naming both series") {
    CHECK(eval_error_of(store, "total / on(job) group_right req", 0) == "<no error>");
    CHECK(eval_error_of(store, "total * on(job) group_left req", 0) ==
          "found duplicate series for the match group {job=\"api\"} on the right hand-side of the operation: "
          "[{__name__=\"req\", code=\"500\", job=\"api\"}, {__name__=\"req\", code=\"200\", job=\"api\"}];"
          "many-to-many matching not allowed: matching labels must be unique on one side");
  }
  SECTION("group_left results must stay unique") {
    load(store, "req2{job=\"api\", code=\"200\"}", {5});
    CHECK(eval_error_of(store, "{__name__=~\"req|req2\", code=\"200\"} * on(job) group_left total", 0) ==
          "multiple matches for labels: grouping labels must ensure unique matches");
    CHECK(eval_error_of(store, "{__name__=~\"req|req2\", code=\"200\"} > on(job) group_left total", 0) == "<no error>");
  }
}

TEST_CASE("comparisons filter, or answer 0 and 1 with bool", "[promql][eval]") {
  SeriesStore store;
  load(store, "m{i=\"1\"}", {1});
  load(store, "m{i=\"2\"}", {5});
  load(store, "m{i=\"3\"}", {std::numeric_limits<double>::quiet_NaN()});
  Value filtered = run(store, "m > 2", 0);
  REQUIRE(filtered.vector.size() == 1);
  CHECK(filtered.vector[0].labels == L("m{i=\"2\"}"));  // the name stays
  Value flags = run(store, "m > bool 2", 0);
  REQUIRE(flags.vector.size() == 3);
  CHECK(value_of(flags, "{i=\"1\"}") == 0);
  CHECK(value_of(flags, "{i=\"2\"}") == 1);
  CHECK(value_of(flags, "{i=\"3\"}") == 0);  // NaN compares false
  // A scalar on the left filters too, but the vector's value is kept.
  CHECK(value_of(run(store, "3 < m", 0), "m{i=\"2\"}") == 5);
  CHECK(run(store, "1 > bool 2", 0).scalar == 0);
  CHECK(run(store, "m != m", 0).vector.size() == 1);  // only NaN differs from itself
  // Arithmetic drops the name; atan2 keeps it in 2.x.
  CHECK(value_of(run(store, "m{i=\"2\"} * 2", 0), "{i=\"2\"}") == 10);
  CHECK(run(store, "m{i=\"2\"} atan2 m{i=\"2\"}", 0).vector.at(0).labels == L("m{i=\"2\"}"));
}

TEST_CASE("set operators match on label sets", "[promql][eval]") {
  SeriesStore store;
  load(store, "a{x=\"1\"}", {1});
  load(store, "a{x=\"2\"}", {2});
  load(store, "b{x=\"2\"}", {20});
  load(store, "b{x=\"3\"}", {30});
  CHECK(run(store, "a and b", 0).vector.size() == 1);
  CHECK(value_of(run(store, "a and b", 0), "a{x=\"2\"}") == 2);
  CHECK(run(store, "a or b", 0).vector.size() == 3);
  CHECK(value_of(run(store, "a unless b", 0), "a{x=\"1\"}") == 1);
  CHECK(run(store, "a unless b", 0).vector.size() == 1);
  CHECK(run(store, "a and on() b", 0).vector.size() == 2);
  CHECK(run(store, "a unless on() b", 0).vector.empty());
  CHECK(run(store, "a and nothing", 0).vector.empty());
  CHECK(run(store, "nothing or b", 0).vector.size() == 2);
}

TEST_CASE("aggregations group with by and without", "[promql][eval]") {
  SeriesStore store;
  load(store, "m{job=\"a\", i=\"1\"}", {1});
  load(store, "m{job=\"a\", i=\"2\"}", {3});
  load(store, "m{job=\"b\", i=\"1\"}", {10});
  CHECK(value_of(run(store, "sum by (job) (m)", 0), "{job=\"a\"}") == 4);
  CHECK(value_of(run(store, "avg without (i) (m)", 0), "{job=\"a\"}") == 2);
  CHECK(value_of(run(store, "max(m)", 0), "{}") == 10);
  CHECK(value_of(run(store, "count by (i) (m)", 0), "{i=\"1\"}") == 2);
  CHECK(value_of(run(store, "stddev by (job) (m)", 0), "{job=\"a\"}") == 1);
  CHECK(value_of(run(store, "quantile(0.5, m)", 0), "{}") == 3);
  CHECK(value_of(run(store, "count_values(\"v\", m)", 0), "{v=\"10\"}") == 1);
  CHECK(run(store, "topk(1, m)", 0).vector.at(0).labels == L("m{job=\"b\", i=\"1\"}"));
  CHECK(run(store, "bottomk by (job) (1, m)", 0).vector.size() == 2);
  CHECK(run(store, "topk(0, m)", 0).vector.empty());
  CHECK(run(store, "sum(nothing)", 0).vector.empty());
  CHECK(eval_error_of(store, "topk(1e20, m)", 0) == "Scalar value 1e+20 overflows int64");
  CHECK(eval_error_of(store, "count_values(\"not-a-label\", m)", 0) == "invalid label name \"not-a-label\"");
}

TEST_CASE("functions that fail say what Prometheus says", "[promql][eval]") {
  SeriesStore store;
  load(store, "m{a=\"x\"}", {1, 2, 3});
  CHECK(eval_error_of(store, "label_replace(m, \"dst\", \"$1\", \"a\", \"(\")", 0) ==
        "invalid regular expression in label_replace(): (");
  CHECK(eval_error_of(store, "label_replace(m, \"1dst\", \"$1\", \"a\", \"(.*)\")", 0) ==
        "invalid destination label name in label_replace(): 1dst");
  CHECK(eval_error_of(store, "holt_winters(m[5m], 1.5, 0.5)", 2 * kMin) ==
        "invalid smoothing factor. Expected: 0 < sf < 1, got: 1.500000");
  CHECK(eval_error_of(store, "sort_by_label(m, \"a\")", 0) ==
        "function sort_by_label() is not supported by greenlight's evaluator (Prometheus 2.42 does not know it either)");
  load(store, "n{a=\"x\"}", {1, 2, 3});
  CHECK(eval_error_of(store, "-{__name__=~\"m|n\"}", 0) == "vector cannot contain metrics with the same labelset");
  CHECK(eval_error_of(store, "rate({__name__=~\"m|n\"}[5m])", 2 * kMin) ==
        "vector cannot contain metrics with the same labelset");
  CHECK(eval_error_of(store, "last_over_time({__name__=~\"m|n\"}[5m])", 2 * kMin) == "<no error>");
  CHECK(value_of(run(store, "holt_winters(m[5m], 0.5, 0.5)", 2 * kMin), "{a=\"x\"}") == Approx(3));
}

TEST_CASE("scalars, NaN and Inf behave as in Prometheus", "[promql][eval]") {
  SeriesStore store;
  load(store, "m", {4});
  CHECK(run(store, "time()", 90000).scalar == 90);
  CHECK(run(store, "scalar(m) * 2", 0).scalar == 8);
  CHECK(std::isnan(run(store, "scalar(nothing)", 0).scalar));
  CHECK(run(store, "2 ^ 10", 0).scalar == 1024);
  CHECK(run(store, "-2 ^ 2", 0).scalar == -4);
  CHECK(std::isnan(run(store, "0 / 0", 0).scalar));
  CHECK(run(store, "1 / 0", 0).scalar == std::numeric_limits<double>::infinity());
  CHECK(run(store, "5 % 3", 0).scalar == 2);
  CHECK(run(store, "-5 % 3", 0).scalar == -2);
  CHECK(value_of(run(store, "vector(1) + on() m", 0), "{}") == 5);
  CHECK(run(store, "\"a string\"", 0).string == "a string");
}

TEST_CASE("queries that load too many samples fail", "[promql][eval]") {
  SeriesStore store;
  std::vector<double> values(100, 1);
  load(store, "m{i=\"1\"}", values, 1000);
  load(store, "m{i=\"2\"}", values, 1000);
  EvalOptions opt;
  opt.max_samples = 150;
  CHECK(run(store, "count_over_time(m[60s])", 99000, opt).vector.size() == 2);  // 61 samples per series at a time
  CHECK_THROWS_AS(run(store, "m[100s]", 99000, opt), EvalError);
  CHECK_THROWS_WITH(run(store, "m[100s]", 99000, opt), Catch::Contains("too many samples"));
}

TEST_CASE("evaluation is fast enough for 1000 series of 1000 samples", "[promql][eval][speed]") {
  SeriesStore store;
  for (int s = 0; s < 1000; ++s) {
    Labels l{{"__name__", "http_requests_total"}, {"instance", "i" + std::to_string(s)}, {"job", "j" + std::to_string(s % 10)}};
    for (int i = 0; i < 1000; ++i) store.add(l, static_cast<std::int64_t>(i) * 15000, i * 1.5 + s);
  }
  NodePtr rule = parse_promql_or_throw("sum by (job) (rate(http_requests_total{job=~\"j[0-4]\"}[5m])) > 0");
  auto start = std::chrono::steady_clock::now();
  int evaluations = 0;
  for (std::int64_t t = 300000; t < 1000 * 15000; t += 15000 * 5, ++evaluations) {
    Value v = evaluate(*rule, store, t);
    REQUIRE(v.vector.size() == 5);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN(evaluations << " evaluations over 500 of 1000 series took " << seconds << " s");
  CHECK(seconds < 5.0);
}
