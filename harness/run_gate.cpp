// Baseline lookup, regression judging, recording and trends around a run.
#include "harness/run_gate.h"

#include <map>

#include <SQLiteCpp/SQLiteCpp.h>

#include "harness/config_error.h"
#include "harness/history_db.h"

namespace greenlight {

namespace {

Baseline load_baseline(SQLite::Database& db, const RunRecord& run) { return {run, run_figures(db, run.id)}; }

void add_history_error(RunResult& run, const std::string& message) {
  SuiteResult s;
  s.name = "history";
  s.checks.push_back({"record run", Outcome::error, message});
  run.suites.push_back(std::move(s));
}

}  // namespace

RunGate open_run_gate(const Profile* profile, const RunGateOptions& o) {
  RunGate g;
  if (profile) {
    for (size_t i = 0; i < profile->regressions.size(); ++i) {
      try {
        g.rules.push_back(parse_regression_rule(profile->regressions[i]));
      } catch (const RegressionError& e) {
        throw ConfigError(profile->regressions_file, profile->regressions_lines[i], "profiles." + profile->name + ".regressions",
                          "'" + profile->regressions[i] + "' at offset " + std::to_string(e.position) + ": " + e.what());
      }
    }
  }
  if (o.history.empty()) {
    if (o.baseline_id > 0) throw ConfigError("--baseline needs the run history, which --no-history turned off");
    g.why_no_baseline = "the run history is off (--no-history)";
    return g;
  }
  g.path = o.history;
  try {
    g.db = open_history_db(o.history);
  } catch (const std::exception& e) {
    if (o.baseline_id > 0) throw ConfigError(std::string("--baseline: ") + e.what());
    g.open_error = e.what();
    g.why_no_baseline = "the run history could not be opened";
    return g;
  }
  if (o.baseline_id > 0) {
    auto run = find_run(*g.db, o.baseline_id);
    if (!run) throw ConfigError("--baseline " + std::to_string(o.baseline_id) + ": no such run in " + o.history.string());
    g.baseline = load_baseline(*g.db, *run);
    return g;
  }
  RunFilter f;
  f.profile = o.profile;
  f.target = o.target;
  f.verdict = "passed";
  f.limit = 1;
  auto runs = list_runs(*g.db, f);
  if (runs.empty()) {
    g.why_no_baseline = "no passing run of profile '" + (o.profile.empty() ? "(none)" : o.profile) + "' against " +
                        (o.target.empty() ? "this target" : o.target) + " is recorded in " + o.history.string() +
                        " yet: this run can become the baseline";
  } else {
    g.baseline = load_baseline(*g.db, runs.front());
  }
  return g;
}

void close_run_gate(RunGate& g, RunResult& run, const RunGateOptions& o) {
  if (!g.rules.empty() && !run.interrupted) run.suites.push_back(judge_regressions(g.rules, run, g.baseline, g.why_no_baseline));
  if (!g.open_error.empty()) return add_history_error(run, g.open_error);
  if (!g.db) return;
  try {
    run.run_id = record_run(*g.db, run);
    RunFilter f;
    f.profile = o.profile;
    f.target = o.target;
    f.limit = o.trend_runs + 1;  // this run and the ones before it
    std::map<std::string, Series> by_key;
    for (const TrendPoint& p : figure_trend(*g.db, "*", f)) {
      auto parts = p.figure.key;
      size_t a = parts.find('/'), b = parts.rfind('/');
      if (a == std::string::npos || a == b) continue;
      if (!is_headline_figure(parts.substr(0, a), parts.substr(a + 1, b - a - 1), parts.substr(b + 1))) continue;
      Series& s = by_key[p.figure.key];
      s.chart = p.figure.key;
      s.name = p.figure.key;
      s.x_unit = "run";
      s.y_unit = p.figure.unit;
      s.points.emplace_back(static_cast<double>(p.run.id), p.figure.value);
    }
    for (auto& [_, s] : by_key) run.trends.push_back(std::move(s));
  } catch (const std::exception& e) {
    add_history_error(run, "cannot record the run in " + g.path.string() + ": " + e.what());
  }
}

}  // namespace greenlight
