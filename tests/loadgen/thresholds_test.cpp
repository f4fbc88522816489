// Threshold expressions: every form parses, bad ones name the position, and
// evaluation names the observed value and the limit.
#include <catch2/catch.hpp>

#include "loadgen/thresholds.h"

using namespace greenlight;

TEST_CASE("threshold forms parse with their units", "[thresholds]") {
  Threshold p = parse_threshold("p(95)<200ms");
  CHECK(p.metric == Threshold::Metric::percentile);
  CHECK(p.percentile == 95);
  CHECK(p.limit == 200000);
  CHECK(parse_threshold("p(99.9) < 1s").limit == 1e6);
  CHECK(parse_threshold("avg<100").limit == 100000);  // bare number: milliseconds, as in k6
  CHECK(parse_threshold("med<=50ms").percentile == 50);
  CHECK(parse_threshold("error_rate<1%").limit == Approx(0.01));
  CHECK(parse_threshold("error_rate<0.001").limit == Approx(0.001));
  CHECK(parse_threshold("rps>=1000").op == Threshold::Op::ge);
  CHECK(parse_threshold("dropped==0").metric == Threshold::Metric::dropped);
}

TEST_CASE("a bad threshold names the position", "[thresholds]") {
  auto error = [](const std::string& text) -> std::string {
    try {
      parse_threshold(text);
    } catch (const ThresholdError& e) {
      return e.what();
    }
    return "no error";
  };
  CHECK(error("p99<50ms") == "position 2: expected '(' after p, as in p(99) in 'p99<50ms'");
  CHECK(error("latency<50ms") == "position 1: expected p(N), med, avg, min, max, error_rate, rps, dropped or requests in 'latency<50ms'");
  CHECK(error("p(99)=50ms") == "position 6: expected a comparison (<, <=, >, >=, ==, !=) in 'p(99)=50ms'");
  CHECK(error("p(99)<50 parsecs") == "position 10: expected a latency unit (us, ms, s) in 'p(99)<50 parsecs'");
  CHECK(error("error_rate<200%") == "position 15: an error rate is between 0% and 100% in 'error_rate<200%'");
  CHECK(error("p(150)<1s") == "position 3: a percentile is in (0, 100] in 'p(150)<1s'");
  CHECK(error("rps>=fast") == "position 6: expected a number in 'rps>=fast'");
}

TEST_CASE("thresholds are judged on the run's figures", "[thresholds]") {
  Histogram h;
  for (int i = 1; i <= 1000; ++i) h.record(i * 100);  // 0.1 ms .. 100 ms
  LoadFigures f{&h, 1000, 5, 0, 10.0};
  CHECK(evaluate(parse_threshold("p(50)<60ms"), f).passed);
  ThresholdVerdict p99 = evaluate(parse_threshold("p(99)<50ms"), f);
  CHECK_FALSE(p99.passed);
  CHECK_THAT(p99.message, Catch::Matches("p\\(99\\)=99(\\.\\d+)?ms, limit <50ms"));
  ThresholdVerdict err = evaluate(parse_threshold("error_rate<0.1%"), f);
  CHECK_FALSE(err.passed);
  CHECK(err.message == "error_rate=0.5%, limit <0.1%");
  CHECK(evaluate(parse_threshold("rps>=100"), f).passed);
  CHECK_FALSE(evaluate(parse_threshold("rps>=101"), f).passed);
  CHECK(evaluate(parse_threshold("dropped==0"), f).passed);
}

TEST_CASE("a latency threshold with no completed request fails", "[thresholds]") {
  Histogram empty;
  ThresholdVerdict v = evaluate(parse_threshold("p(99)<50ms"), LoadFigures{&empty, 0, 0, 0, 1});
  CHECK_FALSE(v.passed);
  CHECK_THAT(v.message, Catch::Contains("no request completed"));
}
