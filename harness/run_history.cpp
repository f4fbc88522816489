// Reading and writing the runs, run_suites and run_figures tables.
#include "harness/run_history.h"

#include <cmath>
#include <ctime>

#include <SQLiteCpp/SQLiteCpp.h>

#include "harness/version.h"

namespace greenlight {

namespace {

double unix_time_of(const std::string& iso) {
  std::tm tm{};
  if (!strptime(iso.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return 0;
  return static_cast<double>(timegm(&tm));
}

std::string suite_verdict(const SuiteResult& s) {
  Counts c = count(s);
  return c.failed + c.error > 0 ? "failed" : "passed";
}

const char* kRunColumns =
    "id, started_at, started_unix, plan, target, profile, revision, verdict, duration_s, passed, failed, skipped, errors";

RunRecord read_run(SQLite::Statement& q, int first = 0) {
  RunRecord r;
  r.id = q.getColumn(first + 0).getInt64();
  r.started_at = q.getColumn(first + 1).getString();
  r.started_unix = q.getColumn(first + 2).getDouble();
  r.plan = q.getColumn(first + 3).getString();
  r.target = q.getColumn(first + 4).getString();
  r.profile = q.getColumn(first + 5).getString();
  r.revision = q.getColumn(first + 6).getString();
  r.verdict = q.getColumn(first + 7).getString();
  r.duration_s = q.getColumn(first + 8).getDouble();
  r.counts.passed = q.getColumn(first + 9).getInt();
  r.counts.failed = q.getColumn(first + 10).getInt();
  r.counts.skipped = q.getColumn(first + 11).getInt();
  r.counts.error = q.getColumn(first + 12).getInt();
  return r;
}

// The WHERE clause of a RunFilter, its parameters bound by bind_filter in the same order.
std::string where_of(const RunFilter& f) {
  std::string w = " WHERE 1=1";
  if (!f.profile.empty()) w += " AND profile = ?";
  if (!f.target.empty()) w += " AND target = ?";
  if (!f.verdict.empty()) w += " AND verdict = ?";
  if (f.before_id > 0) w += " AND id < ?";
  return w;
}

int bind_filter(SQLite::Statement& q, const RunFilter& f) {
  int i = 1;
  if (!f.profile.empty()) q.bind(i++, f.profile);
  if (!f.target.empty()) q.bind(i++, f.target);
  if (!f.verdict.empty()) q.bind(i++, f.verdict);
  if (f.before_id > 0) q.bind(i++, static_cast<int64_t>(f.before_id));
  return i;
}

// '*' matches any run of characters, everything else itself. Iterative, with
// one backtrack point (the last '*'): the recursive version took exponential
// time on a pattern of many '*' that does not match (fuzz/regressions/regression).
bool glob(const char* p, const char* s) {
  const char* star = nullptr;  // the pattern just after the last '*' seen
  const char* retry = nullptr;  // where that '*' 's match ends so far
  while (*s) {
    if (*p == '*') {
      star = ++p;
      retry = s;
    } else if (*p == *s) {
      ++p;
      ++s;
    } else if (star) {
      p = star;
      s = ++retry;
    } else {
      return false;
    }
  }
  while (*p == '*') ++p;
  return !*p;
}

}  // namespace

std::string figure_key(const std::string& suite, const std::string& check, const std::string& figure) {
  return suite + "/" + check + "/" + figure;
}

bool is_headline_figure(const std::string& suite, const std::string& check, const std::string& figure) {
  if (suite == "load") {
    if (check == "capacity") return figure == "capacity" || figure == "knee";
    return figure == "p50" || figure == "p99" || figure == "rps" || figure == "error_rate" || figure == "errors" ||
           figure == "dropped";
  }
  if (suite == "backup" && check == "drill")
    return figure == "rto" || figure == "rpo" || figure == "backup_duration" || figure == "restore_duration" ||
           figure == "verify_duration";
  return false;
}

bool key_matches(const std::string& pattern, const std::string& key) {
  if (pattern.find('/') == std::string::npos) {
    std::string figure = key.substr(key.rfind('/') + 1);
    return glob(pattern.c_str(), figure.c_str()) || figure.rfind(pattern + "_", 0) == 0;
  }
  return glob(pattern.c_str(), key.c_str());
}

int64_t record_run(SQLite::Database& db, const RunResult& run) {
  SQLite::Transaction tx(db);
  Counts c = count(run);
  SQLite::Statement ins(db,
                        "INSERT INTO runs (started_at, started_unix, plan, target, profile, revision, verdict, duration_s, "
                        "passed, failed, skipped, errors, tool_version) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)");
  ins.bind(1, run.started_at);
  ins.bind(2, unix_time_of(run.started_at));
  ins.bind(3, run.plan_file);
  ins.bind(4, run.target);
  ins.bind(5, run.profile);
  ins.bind(6, run.revision);
  ins.bind(7, verdict(run));
  ins.bind(8, run.duration_s);
  ins.bind(9, c.passed);
  ins.bind(10, c.failed);
  ins.bind(11, c.skipped);
  ins.bind(12, c.error);
  ins.bind(13, kVersion);
  ins.exec();
  const int64_t id = db.getLastInsertRowid();
  SQLite::Statement suite(db, "INSERT OR REPLACE INTO run_suites (run_id, suite, verdict, duration_s) VALUES (?,?,?,?)");
  SQLite::Statement fig(db, "INSERT OR REPLACE INTO run_figures (run_id, key, value, unit) VALUES (?,?,?,?)");
  for (const SuiteResult& s : run.suites) {
    suite.bind(1, id);
    suite.bind(2, s.name);
    suite.bind(3, suite_verdict(s));
    suite.bind(4, s.duration_s);
    suite.exec();
    suite.reset();
    for (const Check& k : s.checks) {
      for (const Figure& f : k.figures) {
        if (!std::isfinite(f.value)) continue;  // SQLite stores NaN as NULL, which the schema refuses
        fig.bind(1, id);
        fig.bind(2, figure_key(s.name, k.name, f.name));
        fig.bind(3, f.value);
        fig.bind(4, f.unit);
        fig.exec();
        fig.reset();
      }
    }
  }
  tx.commit();
  return id;
}

std::vector<RunRecord> list_runs(SQLite::Database& db, const RunFilter& filter) {
  SQLite::Statement q(db, std::string("SELECT ") + kRunColumns + " FROM runs" + where_of(filter) + " ORDER BY id DESC LIMIT ?");
  int i = bind_filter(q, filter);
  q.bind(i, filter.limit > 0 ? filter.limit : -1);
  std::vector<RunRecord> out;
  while (q.executeStep()) out.push_back(read_run(q));
  return out;
}

std::optional<RunRecord> find_run(SQLite::Database& db, int64_t id) {
  SQLite::Statement q(db, std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  return read_run(q);
}

std::vector<FigureRecord> run_figures(SQLite::Database& db, int64_t run_id) {
  SQLite::Statement q(db, "SELECT key, value, unit FROM run_figures WHERE run_id = ? ORDER BY key");
  q.bind(1, run_id);
  std::vector<FigureRecord> out;
  while (q.executeStep()) out.push_back({q.getColumn(0).getString(), q.getColumn(1).getDouble(), q.getColumn(2).getString()});
  return out;
}

std::vector<TrendPoint> figure_trend(SQLite::Database& db, const std::string& pattern, const RunFilter& filter) {
  std::vector<RunRecord> runs = list_runs(db, filter);
  std::vector<TrendPoint> out;
  for (auto r = runs.rbegin(); r != runs.rend(); ++r)
    for (FigureRecord& f : run_figures(db, r->id))
      if (key_matches(pattern, f.key)) out.push_back({*r, std::move(f)});
  return out;
}

std::optional<double> last_suite_success(SQLite::Database& db, const std::string& target, const std::string& suite) {
  SQLite::Statement q(db,
                      "SELECT max(r.started_unix) FROM runs r JOIN run_suites s ON s.run_id = r.id "
                      "WHERE r.target = ? AND s.suite = ? AND s.verdict = 'passed'");
  q.bind(1, target);
  q.bind(2, suite);
  if (!q.executeStep() || q.getColumn(0).isNull()) return std::nullopt;
  return q.getColumn(0).getDouble();
}

}  // namespace greenlight
