// Regression rules: parsing (with the offset of a mistake) and judging a run
// against a baseline on both sides, plus the figure-key globs they use.
#include <catch2/catch.hpp>

#include "harness/regression.h"

using namespace greenlight;

namespace {

RunResult run_with(const std::string& check, double p99) {
  RunResult r;
  SuiteResult s;
  s.name = "load";
  Check c;
  c.name = check;
  c.figures = {{"p99", p99, "ms"}, {"rps", 100, "req/s"}};
  s.checks.push_back(c);
  r.suites.push_back(s);
  return r;
}

Baseline baseline_with(double p99) {
  Baseline b;
  b.run.id = 7;
  b.run.started_at = "2026-11-22T06:00:00Z";
  b.run.revision = "abc";
  b.figures = {{"load/steady/p99", p99, "ms"}};
  return b;
}

}  // namespace

TEST_CASE("regression rules parse, and mistakes name what and where", "[regression]") {
  RegressionRule r = parse_regression_rule("load/*/p99 <= baseline * 1.10 + 5");
  CHECK(r.selector == "load/*/p99");
  CHECK(r.op == "<=");
  CHECK(r.factor == Approx(1.10));
  CHECK(r.slack == 5);
  CHECK(parse_regression_rule("load/capacity/capacity>=baseline*0.9").op == ">=");
  CHECK(parse_regression_rule("x > baseline - 2").slack == -2);

  auto error_of = [](const std::string& text) {
    try {
      parse_regression_rule(text);
    } catch (const RegressionError& e) {
      return std::string(e.what()) + " @" + std::to_string(e.position);
    }
    return std::string("no error");
  };
  CHECK_THAT(error_of("load/*/p99 is fine"), Catch::Contains("expected SELECTOR"));
  CHECK_THAT(error_of("<= baseline"), Catch::Contains("selector"));
  CHECK(error_of("p99 <= 1.1 * baseline") == "expected 'baseline' after <= @7");
  CHECK_THAT(error_of("p99 <= baseline * fast"), Catch::Contains("number after '*'"));
  CHECK_THAT(error_of("p99 <= baseline * 0"), Catch::Contains("positive"));
  CHECK_THAT(error_of("p99 <= baseline + 5 ms"), Catch::Contains("unexpected 'ms'"));
}

TEST_CASE("figure keys match globs and bare figure names", "[regression]") {
  CHECK(key_matches("load/*/p99", "load/steady/p99"));
  CHECK_FALSE(key_matches("load/*/p99", "load/steady/p999"));
  CHECK(key_matches("*", "backup/drill/rto"));
  CHECK(key_matches("capacity", "load/capacity/capacity"));
  CHECK(key_matches("capacity", "load/x/capacity_rps"));
  CHECK_FALSE(key_matches("capacity", "load/capacity/knee"));
  CHECK(key_matches("load/steady: p(99)<50ms/*", "load/steady: p(99)<50ms/observed"));
  CHECK(key_matches("l*d/*/p*9", "load/steady/p99"));
  CHECK(key_matches("*a*a*", "banana"));
  CHECK_FALSE(key_matches("*a*b", "banana"));
  CHECK(key_matches("load/**", "load/"));
}

TEST_CASE("a glob of many stars that does not match answers at once (fuzz/regressions/regression)", "[regression]") {
  // The recursive matcher took exponential time here (a libFuzzer timeout).
  const std::string stars(40, '*');
  const std::string key = "load/steady: p(99)<50ms at 2000 req/s on /health and /items/error_rate";
  CHECK_FALSE(key_matches(stars + "x", key));
  CHECK_FALSE(key_matches(stars + "/x", key));
  CHECK(key_matches(stars + "rate", key));
}

TEST_CASE("judging: within the limit passes, beyond it fails naming both values and the baseline run", "[regression]") {
  std::vector<RegressionRule> rules = {parse_regression_rule("load/*/p99 <= baseline * 1.5 + 1")};
  SuiteResult ok = judge_regressions(rules, run_with("steady", 15.9), baseline_with(10), "");
  REQUIRE(ok.checks.size() == 1);
  CHECK(ok.checks[0].outcome == Outcome::passed);
  CHECK(ok.checks[0].figures[2].value == Approx(16));  // the limit

  SuiteResult bad = judge_regressions(rules, run_with("steady", 16.1), baseline_with(10), "");
  REQUIRE(bad.checks.size() == 1);
  CHECK(bad.checks[0].outcome == Outcome::failed);
  CHECK_THAT(bad.checks[0].message, Catch::Contains("load/steady/p99 regressed: 16.1 ms") && Catch::Contains("= 16 ms") &&
                                        Catch::Contains("baseline 10 ms") && Catch::Contains("run #7") &&
                                        Catch::Contains("revision abc"));

  std::vector<RegressionRule> up = {parse_regression_rule("load/*/rps >= baseline * 0.9")};
  Baseline b = baseline_with(10);
  b.figures.push_back({"load/steady/rps", 120, "req/s"});
  SuiteResult slower = judge_regressions(up, run_with("steady", 1), b, "");
  REQUIRE(slower.checks.size() == 1);
  CHECK(slower.checks[0].outcome == Outcome::failed);  // 100 < 120 * 0.9
  b.figures.back().value = 105;
  CHECK(judge_regressions(up, run_with("steady", 1), b, "").checks[0].outcome == Outcome::passed);  // 100 >= 94.5
}

TEST_CASE("judging: no baseline, a figure the baseline lacks and a rule matching nothing are skipped, never passed", "[regression]") {
  std::vector<RegressionRule> rules = {parse_regression_rule("load/*/p99 <= baseline * 1.1")};
  SuiteResult none = judge_regressions(rules, run_with("steady", 5), std::nullopt, "no passing run yet");
  REQUIRE(none.checks.size() == 1);
  CHECK(none.checks[0].outcome == Outcome::skipped);
  CHECK_THAT(none.checks[0].message, Catch::Contains("no passing run yet"));

  SuiteResult other = judge_regressions(rules, run_with("burst", 5), baseline_with(10), "");
  CHECK(other.checks[0].outcome == Outcome::skipped);
  CHECK_THAT(other.checks[0].message, Catch::Contains("has no figure load/burst/p99"));

  std::vector<RegressionRule> typo = {parse_regression_rule("lod/*/p99 <= baseline")};
  SuiteResult nothing = judge_regressions(typo, run_with("steady", 5), baseline_with(10), "");
  REQUIRE(nothing.checks.size() == 1);
  CHECK(nothing.checks[0].outcome == Outcome::skipped);
  CHECK_THAT(nothing.checks[0].message, Catch::Contains("no figure of this run matches 'lod/*/p99'"));
}
