// Reading promtool test files: the series notation exactly as promtool expands
// it, the strictness of promtool's YAML reading (with file:line in every
// error), defaults, and rule file resolution relative to the test file.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/config_error.h"
#include "suites/alerts/unit_test_file.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using greenlight::test::TempDir;

namespace {

std::vector<double> values(const std::string& text) {
  std::vector<double> out;
  for (const auto& p : parse_series_values(text)) {
    if (p.kind == SeriesPoint::Kind::Omitted) out.push_back(-999);
    else if (p.kind == SeriesPoint::Kind::Stale) out.push_back(-111);
    else out.push_back(p.value);
  }
  return out;
}

void write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string load_error(const std::string& path) {
  try {
    load_unit_test_file(path);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

const char* kRules = "groups:\n- name: g\n  rules:\n  - record: r\n    expr: m\n";

}  // namespace

TEST_CASE("series values expand as promtool expands them", "[alerts][unittest]") {
  CHECK(values("1+2x3") == std::vector<double>{1, 3, 5, 7});
  CHECK(values("10-2x2") == std::vector<double>{10, 8, 6});
  CHECK(values("5x2") == std::vector<double>{5, 5, 5});
  CHECK(values("1+0x0") == std::vector<double>{1});
  CHECK(values("_ 1 _x3 2") == std::vector<double>{-999, 1, -999, -999, -999, 2});
  CHECK(values("1 stale 2") == std::vector<double>{1, -111, 2});
  CHECK(values("-1 +2 -1-1x1") == std::vector<double>{-1, 2, -1, -2});
  CHECK(values("1e1x1 .5") == std::vector<double>{10, 10, 0.5});
  // Prometheus parses numbers with strconv.ParseInt(s, 0, 64) first: 010 is octal.
  CHECK(values("010 09") == std::vector<double>{8, 9});
  // Increments accumulate in float64: 0.1+0.1+0.1 is not 0.3.
  auto acc = values("0.1+0.1x3");
  REQUIRE(acc.size() == 4);
  CHECK(acc[2] == 0.1 + 0.1 + 0.1);
  CHECK(acc[3] == 0.4);
  auto special = values("Inf -Inf NaN");
  CHECK(std::isinf(special[0]));
  CHECK(special[1] < 0);
  CHECK(std::isnan(special[2]));
  CHECK(values("").empty());
  CHECK(values("  1   2 ") == std::vector<double>{1, 2});
}

TEST_CASE("bad series values are rejected with the offending part", "[alerts][unittest]") {
  CHECK_THROWS_WITH(parse_series_values("1 2+3"), Catch::Contains("expected \"x\"") && Catch::Contains("column 6"));
  CHECK_THROWS_WITH(parse_series_values("abc"), Catch::Contains("\"abc\""));
  CHECK_THROWS_WITH(parse_series_values("1x1.5"), Catch::Contains("invalid repetition"));
  CHECK_THROWS_WITH(parse_series_values("1m"), Catch::Contains("column 1"));
  CHECK_THROWS_WITH(parse_series_values("1,2"), Catch::Contains("unexpected character"));
  CHECK_THROWS_WITH(parse_series_values("-stale"), Catch::Contains("sign"));
}

TEST_CASE("a repetition that expands past a million points is refused, not allocated (fuzz/regressions/unit_test_file)", "[alerts][unittest]") {
  // A few bytes asked for 10^11 points: an out-of-memory under the fuzzer.
  CHECK_THROWS_WITH(parse_series_values("1x100000000000"), Catch::Contains("more than 1000000 points"));
  CHECK_THROWS_WITH(parse_series_values("0+1x999999 _x10"), Catch::Contains("more than 1000000 points"));
  CHECK_THROWS_WITH(parse_series_values("_x18446744073709551615"), Catch::Contains("more than 1000000 points"));
  CHECK(parse_series_values("0+1x99999").size() == 100000);
}

TEST_CASE("series labels take equality matchers only", "[alerts][unittest]") {
  CHECK(parse_series_labels(R"(up{job="api", instance='a:1'})") ==
        promql::Labels{{"__name__", "up"}, {"instance", "a:1"}, {"job", "api"}});
  CHECK(parse_series_labels(R"({__name__="m", x="1",})") == promql::Labels{{"__name__", "m"}, {"x", "1"}});
  CHECK(parse_series_labels("{}").empty());
  CHECK(parse_series_labels("").empty());
  CHECK(parse_series_labels("sum{by=\"x\"}") == promql::Labels{{"__name__", "sum"}, {"by", "x"}});
  CHECK(parse_series_labels("job:up:sum") == promql::Labels{{"__name__", "job:up:sum"}});
  CHECK_THROWS_WITH(parse_series_labels(R"(up{job!="api"})"), Catch::Contains("equality matchers only"));
  CHECK_THROWS_WITH(parse_series_labels(R"(up{job="a", job="b"})"), Catch::Contains("\"job\" is given twice"));
  CHECK_THROWS_WITH(parse_series_labels("up offset 5m"), Catch::Contains("unexpected"));
  CHECK_THROWS_WITH(parse_series_labels(R"(up{job="a")"), Catch::Contains("column"));
}

TEST_CASE("a test file is read with its defaults and rule files", "[alerts][unittest]") {
  TempDir dir;
  write(dir.file("rules/a.yml"), kRules);
  write(dir.file("rules/b.yml"), kRules);
  write(dir.file("tests/t.yml"), R"(rule_files:
  - ../rules/*.yml
group_eval_order: [g2, g]
tests:
  - name: first
    input_series:
      - series: 'm{job="x"}'
        values: '1+1x2'
    external_labels: {env: prod}
    external_url: http://prom.example
    alert_rule_test:
      - eval_time: 5m
        alertname: A
        exp_alerts:
          - exp_labels: {severity: page}
            exp_annotations: {summary: "x"}
    promql_expr_test:
      - expr: m
        eval_time: 1m
        exp_samples:
          - labels: 'm{job="x"}'
            value: 2
          - labels: '{}'
            value: .nan
  - interval: 30s
)");
  UnitTestFile f = load_unit_test_file(dir.file("tests/t.yml"));
  REQUIRE(f.rule_files.size() == 1);
  CHECK(f.rule_files[0].line == 2);
  CHECK(f.rule_paths() == std::vector<std::string>{dir.file("rules/a.yml"), dir.file("rules/b.yml")});
  CHECK(f.evaluation_interval_ms == 60'000);
  CHECK(f.group_eval_order == std::vector<std::string>{"g2", "g"});
  REQUIRE(f.tests.size() == 2);
  const TestGroup& t = f.tests[0];
  CHECK(t.name == "first");
  CHECK(t.display_name() == "first");
  CHECK(f.tests[1].display_name() == "test #2");
  CHECK(t.interval_ms == 0);  // absent: the runner decides, as promtool 2.x or 3 would
  CHECK(f.tests[1].interval_ms == 30'000);
  REQUIRE(t.input_series.size() == 1);
  CHECK(t.input_series[0].line == 7);
  CHECK(t.input_series[0].points.size() == 3);
  CHECK(t.external_labels == std::map<std::string, std::string>{{"env", "prod"}});
  CHECK(t.external_url == "http://prom.example");
  REQUIRE(t.alert_rule_tests.size() == 1);
  CHECK(t.alert_rule_tests[0].eval_time_ms == 300'000);
  CHECK(t.alert_rule_tests[0].exp_alerts[0].labels.at("severity") == "page");
  REQUIRE(t.promql_expr_tests.size() == 1);
  CHECK(t.promql_expr_tests[0].exp_samples[0].value == 2);
  CHECK(t.promql_expr_tests[0].exp_samples[1].labels.empty());
  CHECK(std::isnan(t.promql_expr_tests[0].exp_samples[1].value));
}

TEST_CASE("test file errors name the file the line and the key", "[alerts][unittest]") {
  TempDir dir;
  write(dir.file("rules.yml"), kRules);
  auto check = [&](const std::string& body, const std::string& expected) {
    write(dir.file("t.yml"), body);
    INFO(body);
    CHECK_THAT(load_error(dir.file("t.yml")), Catch::Contains(expected));
  };
  std::string t = dir.file("t.yml");
  check("rule_files: [rules.yml]\ntests:\n- input_serie: []\n", t + ":3: tests[0].input_serie: unknown key");
  check("rule_files: [rules.yml]\ntests:\n- input_serie: []\n", "did you mean \"input_series\"");
  check("rule_files: [rules.yml]\ntests:\n- promql_expr_tests: []\n", "did you mean \"promql_expr_test\"");
  check("rule_files: rules.yml\n", t + ":1: rule_files: expected a list");
  check("rule_files: [rules.yml]\nevaluation_interval: 1x\n", t + ":2: evaluation_interval: not a valid duration");
  check("rule_files: [rules.yml]\ngroup_eval_order: [a, b, a]\n", "group name repeated in evaluation order: a");
  check("rule_files: [missing.yml]\n", t + ":1: rule_files[0]: rule file \"missing.yml\" not found (looked for " +
                                           dir.file("missing.yml") + ")");
  check("rule_files: [nope/*.yml]\n", "pattern \"nope/*.yml\" matches no rule file");
  check("tests:\n- promql_expr_test:\n  - expr: m\n    exp_samples:\n    - value: NaN\n",
        t + ":5: tests[0].promql_expr_test[0].exp_samples[0].value: expected a number");
  check("tests:\n- promql_expr_test:\n  - expr: m\n    exp_samples:\n    - value: '1'\n", "expected a number");
  check("tests:\n- input_series:\n  - series: 'm{a!=\"1\"}'\n    values: '1'\n",
        t + ":3: tests[0].input_series[0].series: in series");
  check("tests:\n- input_series:\n  - series: m\n    values: '1 2+1'\n", "tests[0].input_series[0].values");
  check("tests:\n- alert_rule_test:\n  - eval_time: 5\n", "tests[0].alert_rule_test[0].eval_time");
  check("tests:\n- name: a\n  name: b\n", "key repeated (first at line 2)");
  check("tests: [\n", "invalid YAML");
  CHECK_THAT(load_error(dir.file("does-not-exist.yml")), Catch::Contains("cannot read test file"));
}

TEST_CASE("test file values resolve as YAML 1.1 does for promtool", "[alerts][unittest]") {
  TempDir dir;
  write(dir.file("t.yml"), R"(tests:
- promql_expr_test:
  - expr: m
    exp_samples:
    - value: 010
    - value: 0x10
    - value: 1e3
    - value: -.inf
    - value: 1_000
    - value:
)");
  auto f = load_unit_test_file(dir.file("t.yml"));
  const auto& s = f.tests[0].promql_expr_tests[0].exp_samples;
  REQUIRE(s.size() == 6);
  CHECK(s[0].value == 8);
  CHECK(s[1].value == 16);
  CHECK(s[2].value == 1000);
  CHECK(std::isinf(s[3].value));
  CHECK(s[4].value == 1000);
  CHECK(s[5].value == 0);
  CHECK(f.tests[0].promql_expr_tests[0].eval_time_ms == 0);
}
