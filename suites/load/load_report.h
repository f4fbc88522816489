// Turns one engine run into what people read: result-model checks (one for the
// run, one per threshold), the load summary JSON (docs/report-json.md, "load
// summary") and the terminal summary with the percentile spectrum.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness/result.h"
#include "loadgen/engine.h"
#include "loadgen/thresholds.h"

namespace greenlight {

struct ScenarioOutcome {
  std::string name;
  const LoadSpec* spec = nullptr;
  const LoadResult* result = nullptr;
  std::vector<std::pair<Threshold, ThresholdVerdict>> thresholds;
  std::string aborted;            // abort_on_fail stopped the run: "aborted after 1.0s: threshold ... failed (...)"
  std::string aborted_threshold;  // the threshold (as written) that stopped it
  double planned_duration_s = 0;  // > 0: the plan's max_duration cut the run down from this
};

// abort_on_fail stopped the run: the run check says so, and the threshold
// that stopped it fails even if the figures of the short run would pass it.
void mark_aborted(ScenarioOutcome& s, const std::string& message, const std::string& threshold);

LoadFigures figures_of(const LoadResult& r);
// errors / attempts in percent: the number an `error_rate<...` threshold judges.
double error_rate_percent(const LoadResult& r);
std::vector<std::pair<Threshold, ThresholdVerdict>> judge_thresholds(const std::vector<Threshold>& t, const LoadResult& r);

// The run check fails only when nothing completed (an unreachable target);
// everything else is for thresholds to judge. Its figures include
// error_rate (%), the same number as error_rate_percent().
std::vector<Check> load_checks(const ScenarioOutcome& s);

nlohmann::json load_summary_json(const std::vector<ScenarioOutcome>& scenarios);
std::string load_summary_text(const ScenarioOutcome& s);

}  // namespace greenlight
