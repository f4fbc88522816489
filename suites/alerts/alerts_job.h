// What one alert-rule verification does, shared by the plan's `alerts` suite
// and `greenlight rules lint|test|check`: lint every rule file, run every
// promtool-format unit test file, and check the rules live on a Prometheus.
#pragma once

#include <string>
#include <vector>

#include "harness/result.h"
#include "suites/alerts/live.h"
#include "suites/alerts/rule_lint.h"
#include "suites/alerts/unit_test_run.h"

namespace greenlight {

struct AlertsJob {
  std::vector<std::string> rule_files;  // lint (and live) these
  std::vector<std::string> test_files;  // promtool test-file format
  LintConfig lint;
  bool strict = false;  // lint warnings fail too
  bool live = false;    // needs live.prometheus_url
  LiveOptions live_options;
  UnitTestOptions unit;
};

// Checks: "lint <file>" per rule file (failed on errors, and on warnings when
// strict; the findings as evidence, one per line), the unit tests' checks,
// and the live checks. Never throws for what the files or servers do.
std::vector<Check> run_alerts_job(const AlertsJob& job);

// Expands shell-style globs (`alerts/*.yml`) relative to `dir`; a pattern
// matching nothing is kept as it is, so that loading it reports the missing file.
std::vector<std::string> expand_globs(const std::vector<std::string>& patterns, const std::string& dir);

}  // namespace greenlight
