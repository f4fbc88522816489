// Regression gates: a run's figures compared with a baseline run's.
// A rule reads `SELECTOR OP baseline [* FACTOR] [+|- SLACK]`, e.g.
//   load/*/p99 <= baseline * 1.10 + 5      p99 may grow 10% plus 5 ms
//   load/capacity/capacity >= baseline * 0.9
// SELECTOR is a glob over figure keys "suite/check/figure" (run_history.h);
// OP one of <=, <, >=, >; SLACK is in the figure's own unit. Every figure
// of the current run the selector matches is one check, passed or failed,
// with the baseline and current values side by side; a figure the baseline
// lacks is skipped, saying so; no baseline at all skips every rule.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/result.h"
#include "harness/run_history.h"

namespace greenlight {

struct RegressionRule {
  std::string text;  // as written
  std::string selector;
  std::string op;
  double factor = 1;
  double slack = 0;
};

struct RegressionError : std::runtime_error {
  RegressionError(const std::string& message, size_t position) : std::runtime_error(message), position(position) {}
  size_t position;  // 0-based offset into the rule text
};

// Throws RegressionError naming what is wrong and where.
RegressionRule parse_regression_rule(const std::string& text);

struct Baseline {
  RunRecord run;
  std::vector<FigureRecord> figures;
};

// The "regression" suite's checks for `current` against `baseline`
// (nullopt: no baseline yet, `why_none` says why, and every rule is skipped).
SuiteResult judge_regressions(const std::vector<RegressionRule>& rules, const RunResult& current,
                              const std::optional<Baseline>& baseline, const std::string& why_none);

}  // namespace greenlight
