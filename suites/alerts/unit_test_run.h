// Runs promtool test files (`greenlight rules test`) with promtool 2.42's
// semantics: input series loaded step by step, every rule group evaluated in
// group_eval_order at each evaluation step up to the last eval_time, recording
// rules writing series that later rules and queries see, alerting rules
// keeping Prometheus' alert state (pending, firing after `for`,
// keep_firing_for, resolved) and writing ALERTS/ALERTS_FOR_STATE. Each
// alert_rule_test and promql_expr_test entry becomes one Check whose message,
// on failure, points at the label, annotation or value that differs.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "harness/result.h"
#include "suites/alerts/unit_test_file.h"

namespace greenlight {

struct UnitTestOptions {
  // Prometheus 3: left-open range selectors, and a test group without
  // `interval` spaces its input by evaluation_interval (2.x: all at 0s).
  bool semantics_v3 = false;
  // promtool's engine refuses a query that loads more samples than this.
  std::size_t max_samples = 10'000;
};

// One Check per alert_rule_test entry (`<file>: <test>: alert <name> at
// <eval_time>`) and per promql_expr_test entry (`<file>: <test>: expr <expr>
// at <eval_time>`), in file order. A test group whose rules cannot be loaded
// or fail to evaluate fails all its entries that were not yet checked (and
// gets a `<file>: <test>: rules` Check when it has no entries). Never throws
// for what the rules or expectations do.
std::vector<Check> run_unit_tests(const UnitTestFile& file, const UnitTestOptions& options = {});

// load_unit_test_file + run_unit_tests. Throws ConfigError for a malformed
// test file or a rule file pattern that matches nothing.
std::vector<Check> run_unit_test_file(const std::string& path, const UnitTestOptions& options = {});

}  // namespace greenlight
