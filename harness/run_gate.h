// What `greenlight run` does with the run history around a run: before it,
// open the history and find the baseline (so a bad --baseline stops the run
// before anything ran); after it, judge the profile's regression rules
// (adding a "regression" suite), record the run, and gather the trends of
// its headline figures for the reports.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "harness/profile.h"
#include "harness/regression.h"
#include "harness/result.h"

namespace greenlight {

struct RunGate {
  std::unique_ptr<SQLite::Database> db;  // null when the history is off
  std::filesystem::path path;
  std::vector<RegressionRule> rules;
  std::optional<Baseline> baseline;
  std::string why_no_baseline;
  std::string open_error;  // the history could not be opened: reported as an error check
};

struct RunGateOptions {
  std::filesystem::path history;  // empty: no history (and no regression gate)
  int64_t baseline_id = 0;        // > 0: compare with this run instead of the last passing one
  std::string profile;
  std::string target;             // redacted, as recorded
  int trend_runs = 20;            // how many earlier runs the trends show
};

// Parses the profile's rules (ConfigError with file and line on a bad one),
// opens the history and finds the baseline: the run `baseline_id`
// (ConfigError when it does not exist) or the last passing run of the same
// profile and target. A history that cannot be opened is not fatal: the run
// goes on and the reports say why nothing was recorded.
RunGate open_run_gate(const Profile* profile, const RunGateOptions& options);

// After the run: adds the regression suite (when there are rules), records
// the run (setting run.run_id) and fills run.trends.
void close_run_gate(RunGate& gate, RunResult& run, const RunGateOptions& options);

}  // namespace greenlight
