// Tests of metric assertions: every form passes on a healthy exposition and
// fails with a message naming the series on a faulty one; syntax errors give
// the position.
#include "suites/smoke/metric_assertion.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>

using namespace greenlight;

namespace {

const char* const kHealthy = R"(# HELP app_worker_healthy Whether the worker loop is alive.
# TYPE app_worker_healthy gauge
app_worker_healthy 1
# HELP app_jobs_queue_depth Jobs waiting per queue.
# TYPE app_jobs_queue_depth gauge
app_jobs_queue_depth{queue="default"} 3
app_jobs_queue_depth{queue="low"} 0
# HELP app_http_requests_total Requests served.
# TYPE app_http_requests_total counter
app_http_requests_total{code="200",path="/"} 1027
app_http_requests_total{code="404",path="/x"} 3
# HELP app_build_info Build metadata.
# TYPE app_build_info gauge
app_build_info{version="1.4.2",commit="abc123"} 1
# TYPE app_latency_seconds histogram
app_latency_seconds_bucket{le="0.1"} 90
app_latency_seconds_bucket{le="+Inf"} 100
app_latency_seconds_sum 4.2
app_latency_seconds_count 100
)";

const char* const kFaulty = R"(# TYPE app_worker_healthy gauge
app_worker_healthy 0
# TYPE app_jobs_queue_depth gauge
app_jobs_queue_depth{queue="default"} 250
app_jobs_queue_depth{queue="low"} 120
app_jobs_queue_depth{queue="bulk"} 7
# TYPE app_http_requests_total counter
app_http_requests_total{code="200",path="/"} 1027
app_http_requests_total{code="500",path="/"} 12
app_http_requests_total{code="503",path="/health"} 2
# TYPE app_build_info gauge
app_build_info{version="",commit="abc123"} 1
# TYPE app_temperature gauge
app_temperature NaN
)";

AssertionResult check(const std::string& assertion, const char* exposition) {
  return evaluate(parse_metric_assertion(assertion), parse_exposition(exposition));
}

std::string parse_error(const std::string& text) {
  try {
    parse_metric_assertion(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("every assertion form passes on a healthy exposition", "[metric_assertion]") {
  struct Case {
    std::string assertion, message;
  };
  Case cases[] = {
      {"app_worker_healthy == 1", "app_worker_healthy = 1"},
      {"app_jobs_queue_depth{queue=\"default\"} < 100", "app_jobs_queue_depth{queue=\"default\"} = 3"},
      {"app_jobs_queue_depth <= 3",
       "2 series: app_jobs_queue_depth{queue=\"default\"} = 3, app_jobs_queue_depth{queue=\"low\"} = 0"},
      {"app_http_requests_total{code=~\"[24]..\"} > 0",
       "2 series: app_http_requests_total{code=\"200\",path=\"/\"} = 1027"},
      {"sum(app_http_requests_total) > 0", "sum(app_http_requests_total) = 1030 (over 2 series)"},
      {"count(app_jobs_queue_depth) == 2", "count(app_jobs_queue_depth) = 2 (over 2 series)"},
      {"app_build_info{version!=\"\"} == 1", "app_build_info{version=\"1.4.2\",commit=\"abc123\"} = 1"},
      {"min(app_jobs_queue_depth) >= 0", "min(app_jobs_queue_depth) = 0"},
      {"max(app_jobs_queue_depth) != 100", "max(app_jobs_queue_depth) = 3"},
      {"avg(app_jobs_queue_depth) < 2", "avg(app_jobs_queue_depth) = 1.5"},
      {"app_http_requests_total{code!~\"5..\", path=\"/\"} > 1e3", "= 1027"},
      {"app_latency_seconds_bucket{le=\"+Inf\"} >= 100", "app_latency_seconds_bucket{le=\"+Inf\"} = 100"},
      {"app_latency_seconds_count > 0", "app_latency_seconds_count = 100"},
      {"app_worker_healthy < +Inf", "app_worker_healthy = 1"},
      {"  app_worker_healthy>=1  ", "app_worker_healthy = 1"},
      {"app_jobs_queue_depth {queue='low'} == 0", "app_jobs_queue_depth{queue=\"low\"} = 0"},
  };
  for (const Case& c : cases) {
    INFO(c.assertion);
    AssertionResult r = check(c.assertion, kHealthy);
    CHECK(r.passed);
    CHECK_THAT(r.message, Catch::Contains(c.message));
  }
}

TEST_CASE("a selector that matches nothing fails, except under count()", "[metric_assertion]") {
  AssertionResult r = check("app_http_requests_total{code=~\"5..\"} == 0", kHealthy);
  CHECK_FALSE(r.passed);
  CHECK(r.message ==
        "no series matches app_http_requests_total{code=~\"5..\"}; series of app_http_requests_total that exist: "
        "app_http_requests_total{code=\"200\",path=\"/\"}, app_http_requests_total{code=\"404\",path=\"/x\"}");

  r = check("count(app_http_requests_total{code=~\"5..\"}) == 0", kHealthy);
  CHECK(r.passed);
  CHECK(r.message == "count(app_http_requests_total{code=~\"5..\"}) = 0 (no series matches)");

  r = check("sum(app_http_requests_total{code=~\"5..\"}) == 0", kHealthy);
  CHECK_FALSE(r.passed);
  CHECK_THAT(r.message, Catch::StartsWith("sum(app_http_requests_total{code=~\"5..\"}) has no value: no series matches"));

  r = check("count(app_missing) == 1", kHealthy);
  CHECK_FALSE(r.passed);
  CHECK_THAT(r.message, Catch::StartsWith("count(app_missing) is 0, expected == 1; no series matches app_missing"));
}

TEST_CASE("no-match messages help find the right name or labels", "[metric_assertion]") {
  SECTION("a typo in the name") {
    AssertionResult r = check("app_worker_helthy == 1", kHealthy);
    CHECK(r.message == "no series matches app_worker_helthy; there is no metric 'app_worker_helthy', did you mean "
                       "'app_worker_healthy'?");
  }
  SECTION("a missing _total suffix") {
    CHECK_THAT(check("sum(app_http_requests) > 0", kHealthy).message,
               Catch::EndsWith("did you mean 'app_http_requests_total'?"));
  }
  SECTION("nothing close") {
    CHECK_THAT(check("zzz == 1", kHealthy).message, Catch::EndsWith("there is no metric 'zzz' in the exposition"));
  }
  SECTION("a histogram by its family name") {
    CHECK_THAT(check("app_latency_seconds < 1", kHealthy).message,
               Catch::EndsWith("'app_latency_seconds' is a histogram: select app_latency_seconds_bucket, "
                               "app_latency_seconds_sum or app_latency_seconds_count"));
  }
  SECTION("at most five existing label sets are listed") {
    std::string text = "# TYPE q gauge\n";
    for (int k = 0; k < 8; ++k) text += "q{n=\"" + std::to_string(k) + "\"} 1\n";
    AssertionResult r = evaluate(parse_metric_assertion("q{n=\"9\"} == 1"), parse_exposition(text));
    CHECK_THAT(r.message, Catch::EndsWith("q{n=\"3\"}, q{n=\"4\"} and 3 more"));
  }
}

TEST_CASE("failing assertions name each failing series with its value", "[metric_assertion]") {
  CHECK(check("app_worker_healthy == 1", kFaulty).message == "app_worker_healthy is 0, expected == 1");
  CHECK(check("app_jobs_queue_depth{queue=\"default\"} < 100", kFaulty).message ==
        "app_jobs_queue_depth{queue=\"default\"} is 250, expected < 100");

  AssertionResult r = check("app_jobs_queue_depth < 100", kFaulty);
  CHECK_FALSE(r.passed);
  CHECK(r.message ==
        "2 of 3 series fail: app_jobs_queue_depth{queue=\"default\"} is 250, expected < 100; "
        "app_jobs_queue_depth{queue=\"low\"} is 120, expected < 100");

  r = check("app_http_requests_total{code=~\"5..\"} == 0", kFaulty);
  CHECK(r.message ==
        "2 of 2 series fail: app_http_requests_total{code=\"500\",path=\"/\"} is 12, expected == 0; "
        "app_http_requests_total{code=\"503\",path=\"/health\"} is 2, expected == 0");

  CHECK(check("sum(app_http_requests_total{code=~\"5..\"}) == 0", kFaulty).message ==
        "sum(app_http_requests_total{code=~\"5..\"}) is 14, expected == 0 (over 2 series)");
  CHECK(check("count(app_jobs_queue_depth) == 2", kFaulty).message ==
        "count(app_jobs_queue_depth) is 3, expected == 2; matching: app_jobs_queue_depth{queue=\"default\"}, "
        "app_jobs_queue_depth{queue=\"low\"}, app_jobs_queue_depth{queue=\"bulk\"}");
  CHECK(check("max(app_jobs_queue_depth) <= 100", kFaulty).message ==
        "max(app_jobs_queue_depth) is 250, expected <= 100 (over 3 series)");
  CHECK(check("min(app_jobs_queue_depth) > 10", kFaulty).message ==
        "min(app_jobs_queue_depth) is 7, expected > 10 (over 3 series)");
  CHECK_THAT(check("avg(app_jobs_queue_depth) < 100", kFaulty).message,
             Catch::StartsWith("avg(app_jobs_queue_depth) is 125.66666666666667, expected < 100"));

  r = check("app_build_info{version!=\"\"} == 1", kFaulty);
  CHECK_FALSE(r.passed);
  CHECK_THAT(r.message, Catch::StartsWith("no series matches app_build_info{version!=\"\"}; series of app_build_info "
                                          "that exist: app_build_info{version=\"\",commit=\"abc123\"}"));

  r = check("app_temperature < 80", kFaulty);
  CHECK(r.message == "app_temperature is NaN, expected < 80");
  CHECK(check("app_temperature != 80", kFaulty).passed);  // NaN is unequal to everything, as in PromQL
}

TEST_CASE("matchers follow PromQL: anchored regexes, absent labels read as empty", "[metric_assertion]") {
  const char* text = "m{code=\"500\"} 1\nm{code=\"1500\"} 2\nm 3\n";
  Exposition e = parse_exposition(text);
  auto values = [&](const std::string& selector) {
    return evaluate(parse_metric_assertion("sum(" + selector + ") >= 0"), e).message;
  };
  CHECK_THAT(values("m{code=~\"5..\"}"), Catch::StartsWith("sum(m{code=~\"5..\"}) = 1 "));
  CHECK_THAT(values("m{code!~\"5..\"}"), Catch::StartsWith("sum(m{code!~\"5..\"}) = 5 "));
  CHECK_THAT(values("m{code=\"\"}"), Catch::StartsWith("sum(m{code=\"\"}) = 3 "));
  CHECK_THAT(values("m{code!=\"\"}"), Catch::StartsWith("sum(m{code!=\"\"}) = 3 "));
  CHECK_THAT(values("m{code=~\"5\\d\\d|1.*\"}"), Catch::Contains(" = 3 "));
  CHECK_THAT(values("m{code=~\"5\\\\d\\\\d\"}"), Catch::Contains(" = 1 "));  // "\\d" as PromQL users write it
  CHECK_THAT(values("m{code=~`.*00`,code!=\"500\"}"), Catch::Contains(" = 2 "));
}

TEST_CASE("parsed assertions keep their parts", "[metric_assertion]") {
  MetricAssertion a = parse_metric_assertion("max( app_x{a=\"1\", b!~\"x|y\",} ) >= -2.5e3");
  CHECK(a.aggregation == Aggregation::max);
  CHECK(a.metric == "app_x");
  REQUIRE(a.matchers.size() == 2);
  CHECK(a.matchers[1].name == "b");
  CHECK(a.matchers[1].op == MatchOp::not_regex);
  CHECK(a.matchers[1].value == "x|y");
  CHECK(a.comparison == Comparison::greater_equal);
  CHECK(a.threshold == -2500);
  CHECK(selector_text(a) == "app_x{a=\"1\",b!~\"x|y\"}");
  CHECK(parse_metric_assertion("count == 1").metric == "count");  // a metric may be named like an aggregation
  CHECK(parse_metric_assertion("x < Inf").threshold > 1e308);
}

TEST_CASE("assertion syntax errors give the position", "[metric_assertion]") {
  CHECK(parse_error("app_x {") == "position 8: expected a label name or '}' in 'app_x {'");
  CHECK(parse_error("app_x") ==
        "position 6: expected a comparison operator (==, !=, <, <=, >, >=) in 'app_x'");
  CHECK(parse_error("app_x = 1") ==
        "position 7: expected a comparison operator (==, !=, <, <=, >, >=) in 'app_x = 1'");
  struct Case {
    std::string text, message;
  };
  Case cases[] = {
      {"", "position 1: expected a metric name or an aggregation"},
      {"== 1", "position 1: expected a metric name or an aggregation"},
      {"rate(x) > 0", "position 1: 'rate' is not an aggregation (use sum, count, min, max or avg)"},
      {"sum by (a) (x) > 0", "position 5: grouping with by/without is not supported"},
      {"sum() > 0", "position 5: expected a metric name after 'sum('"},
      {"sum(x > 0", "position 7: expected ')' to close 'sum('"},
      {"x{a} == 1", "position 4: expected a label matcher (=, !=, =~, !~) after label name 'a'"},
      {"x{a==\"b\"} == 1", "position 4: use '=' (not '==') to match a label value"},
      {"x{a=b} == 1", "position 5: expected a quoted label value"},
      {"x{a=\"b} == 1", "position 5: the label value has no closing \""},
      {"x{a=\"b\" c=\"d\"} == 1", "position 9: expected ',' or '}' after the value of label 'a'"},
      {"x{1=\"b\"} == 1", "position 3: expected a label name or '}'"},
      {"x{a=~\"(\"} == 1", "position 6: invalid regular expression for label 'a'"},
      {"x{a=~\"(a)\\\\1\"} == 1", "position 6: invalid regular expression for label 'a'"},  // no backreferences
      {"x ==", "position 5: expected a number after the comparison operator"},
      {"x == abc", "position 6: expected a number (e.g. 100, 0.5, 1e6, +Inf), found 'abc'"},
      {"x == NaN", "position 6: NaN cannot be a threshold"},
      {"x == 1 and y", "position 8: unexpected text after the number"},
      {"x == 1 2", "position 8: unexpected text after the number"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CHECK_THAT(parse_error(c.text), Catch::StartsWith(c.message));
  }
}

TEST_CASE("regexes run in bounded time and stack on huge label values", "[metric_assertion][hostile]") {
  std::string value(1 << 19, 'a');
  Exposition e = parse_exposition("m{v=\"" + value + "\"} 1\n");
  auto started = std::chrono::steady_clock::now();
  CHECK(evaluate(parse_metric_assertion("m{v=~\"a*\"} == 1"), e).passed);
  CHECK(evaluate(parse_metric_assertion("m{v=~\"(a|aa)*b\"} == 1"), e).message.starts_with("no series matches"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(30));
}
