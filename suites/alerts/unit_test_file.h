// The `promtool test rules` test-file format, read as strictly as promtool
// 2.42 reads it (unknown or plural keys, wrong types and bad series notation
// are errors naming file:line), with the series values already expanded
// (`1+2x3` is 1 3 5 7). What the file means when run is unit_test_run.h.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "suites/alerts/promql/eval.h"

namespace greenlight {

// One slot of an input series: a value, a missing sample (`_`) or a
// staleness marker (`stale`).
struct SeriesPoint {
  enum class Kind { Value, Omitted, Stale };
  Kind kind = Kind::Value;
  double value = 0;
};

struct InputSeries {
  int line = 0;
  std::string series;  // as written: `m{job="a"}`
  std::string values;  // as written: `1+2x3 _ stale`
  promql::Labels labels;
  std::vector<SeriesPoint> points;  // point i is at i * interval
};

struct ExpectedAlert {
  int line = 0;
  std::map<std::string, std::string> labels;       // without alertname
  std::map<std::string, std::string> annotations;  // omitted: none expected
};

struct AlertRuleTest {
  int line = 0;
  std::int64_t eval_time_ms = 0;
  std::string alertname;  // may be "": the run reports it, as promtool does
  std::vector<ExpectedAlert> exp_alerts;
};

struct ExpectedSample {
  int line = 0;
  std::string labels_text;  // as written, "" for a scalar result
  promql::Labels labels;
  double value = 0;
};

struct PromqlExprTest {
  int line = 0;
  std::string expr;
  std::int64_t eval_time_ms = 0;
  std::vector<ExpectedSample> exp_samples;
};

struct TestGroup {
  int line = 0;
  int index = 0;       // 0-based position in `tests`
  std::string name;    // may be ""
  // Spacing of input samples; 0 when absent. promtool 2.42 then puts every
  // sample at 0s (only the first counts); Prometheus 3 uses evaluation_interval.
  std::int64_t interval_ms = 0;
  std::vector<InputSeries> input_series;
  std::map<std::string, std::string> external_labels;
  std::string external_url;
  std::vector<AlertRuleTest> alert_rule_tests;
  std::vector<PromqlExprTest> promql_expr_tests;

  // `name`, or "test #<index+1>" when unnamed.
  std::string display_name() const;
};

struct RuleFileRef {
  std::string pattern;             // as written
  int line = 0;
  std::vector<std::string> paths;  // resolved against the test file's folder, globbed, sorted
};

struct UnitTestFile {
  std::string path;
  std::vector<RuleFileRef> rule_files;
  std::int64_t evaluation_interval_ms = 60'000;
  std::vector<std::string> group_eval_order;
  // Prometheus 3's `fuzzy_compare`: values equal within a relative 1e-6 and
  // NaN equal to NaN. Off, values must be exactly equal (2.x: NaN never is).
  bool fuzzy_compare = false;
  std::vector<TestGroup> tests;

  std::vector<std::string> rule_paths() const;  // every resolved rule file, in order
};

// Reads `path`. Throws ConfigError ("file:line: key: message") for a YAML
// error, an unknown key, a value of the wrong type, a bad duration, a bad
// series or value notation, a repeated group in group_eval_order, and a rule
// file pattern that matches no file.
UnitTestFile load_unit_test_file(const std::string& path);
// The same from text; rule files are resolved against `base_dir`.
UnitTestFile parse_unit_test_file(const std::string& text, const std::string& path, const std::string& base_dir);

// promtool's series notation, exposed for tests. Both throw
// std::invalid_argument with a message that quotes the offending part.
// `m{a="b"}`, `{__name__="m"}`, `{}`: equality matchers only, as promtool's
// series descriptions; the result is sorted by label name.
promql::Labels parse_series_labels(std::string_view text);
// `1 2 _ stale 1+2x3 5-1x2 7x2 _x3 Inf -NaN`.
std::vector<SeriesPoint> parse_series_values(std::string_view text);

}  // namespace greenlight
