// Feeds: the bytes as a `promtool test rules` file to parse_unit_test_file
// (suites/alerts/unit_test_file.h), with rule files resolved against a scratch
// folder that holds one small rule file, rules.yml; a file that parses is run
// with run_unit_tests (suites/alerts/unit_test_run.h) when its evaluation is
// small (at most 2,000 evaluation steps and 20,000 input points: a bigger one
// is a slow input, not a bug). The series notation parsers
// (parse_series_labels, parse_series_values) get the same bytes too.
// Asserts beyond "no crash":
//  * the only exception from parsing is ConfigError (std::invalid_argument
//    from the series parsers), with a line within 0..lines+1;
//  * every input series point count matches what parse_series_values gives
//    for its text, and labels come sorted by name;
//  * run_unit_tests never throws and gives one Check per test entry at least.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "harness/config_error.h"
#include "suites/alerts/unit_test_file.h"
#include "suites/alerts/unit_test_run.h"

using namespace greenlight;

namespace {

const char* const kRules = R"yaml(groups:
  - name: example
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: InstanceDown
        expr: up == 0
        for: 2m
        labels: {severity: page}
        annotations: {summary: "{{ $labels.instance }} of {{ $labels.job }} is down ({{ $value }})"}
)yaml";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string rules_path = fuzz::write_scratch("rules.yml", kRules);
  std::string text(reinterpret_cast<const char*>(data), size);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;

  try {
    promql::Labels labels = parse_series_labels(text);
    FUZZ_ASSERT(std::is_sorted(labels.begin(), labels.end()));
  } catch (const std::invalid_argument&) {
  }
  try {
    (void)parse_series_values(text);
  } catch (const std::invalid_argument&) {
  }

  UnitTestFile file;
  try {
    file = parse_unit_test_file(text, fuzz::scratch_dir() + "/test.yml", fuzz::scratch_dir());
  } catch (const ConfigError& e) {
    FUZZ_ASSERT(e.line >= 0 && e.line <= lines + 1);
    return 0;
  }
  std::int64_t last_eval = 0;
  std::size_t entries = 0, points = 0;
  for (const TestGroup& g : file.tests) {
    for (const InputSeries& s : g.input_series) {
      FUZZ_ASSERT(std::is_sorted(s.labels.begin(), s.labels.end()));
      FUZZ_ASSERT(parse_series_values(s.values).size() == s.points.size());
      points += s.points.size();
    }
    for (const AlertRuleTest& t : g.alert_rule_tests) last_eval = std::max(last_eval, t.eval_time_ms), ++entries;
    for (const PromqlExprTest& t : g.promql_expr_tests) last_eval = std::max(last_eval, t.eval_time_ms), ++entries;
  }
  if (file.evaluation_interval_ms <= 0 || last_eval / file.evaluation_interval_ms > 2000 || points > 20'000) return 0;
  std::vector<Check> checks = run_unit_tests(file);
  FUZZ_ASSERT(checks.size() >= entries);
  return 0;
}
