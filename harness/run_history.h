// The run history: every `greenlight run` appended to the history database
// (harness/history_db.h owns the schema) with its verdict and all its
// figures, so that later runs can be compared with a baseline and figures
// charted over time. Figures are keyed "suite/check/figure" (figure_key).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <SQLiteCpp/Database.h>

#include "harness/result.h"

namespace greenlight {

struct RunRecord {
  int64_t id = 0;
  std::string started_at;  // ISO 8601 UTC
  double started_unix = 0;
  std::string plan, target, profile, revision, verdict;
  double duration_s = 0;
  Counts counts;
};

struct FigureRecord {
  std::string key;  // "load/steady/p99"
  double value = 0;
  std::string unit;
};

std::string figure_key(const std::string& suite, const std::string& check, const std::string& figure);

// The figures worth a time series (trends in the HTML report, --metrics-out):
// load p50/p99/rps/error_rate/errors/dropped, capacity and knee, the drill's
// RTO, RPO and durations, each suite's duration ("suite/duration/seconds" is
// not a figure: reporters add suite durations themselves).
bool is_headline_figure(const std::string& suite, const std::string& check, const std::string& figure);

// Appends the run (its figures, and each suite's verdict and duration) and
// returns its id. The verdict stored is verdict(run).
int64_t record_run(SQLite::Database& db, const RunResult& run);

struct RunFilter {
  std::string profile;  // "" any
  std::string target;   // "" any
  std::string verdict;  // "" any
  int64_t before_id = 0;  // > 0: only runs older than this one
  int limit = 20;
};

// Newest first.
std::vector<RunRecord> list_runs(SQLite::Database& db, const RunFilter& filter);
std::optional<RunRecord> find_run(SQLite::Database& db, int64_t id);
std::vector<FigureRecord> run_figures(SQLite::Database& db, int64_t run_id);

// The values of the figures whose key matches `pattern` (a glob, see
// key_matches) over the runs `filter` selects, oldest first: one entry per
// (run, key).
struct TrendPoint {
  RunRecord run;
  FigureRecord figure;
};
std::vector<TrendPoint> figure_trend(SQLite::Database& db, const std::string& pattern, const RunFilter& filter);

// Glob over figure keys: `*` matches any run of characters, including '/'.
// A pattern without '/' names a figure: "capacity" matches "*/*/capacity"
// and "*/*/capacity_*".
bool key_matches(const std::string& pattern, const std::string& key);

// Unix time of the newest run against `target` whose `suite` passed.
std::optional<double> last_suite_success(SQLite::Database& db, const std::string& target, const std::string& suite);

}  // namespace greenlight
