// The one result model every suite produces and every reporter reads.
// A suite never writes a report itself: it fills a SuiteResult.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace greenlight {

// passed: the expectation held. failed: the target broke an expectation (or could
// not be reached). skipped: the check could not be judged, and `message` says why.
// error: the harness itself failed while checking (a bug or an environment problem).
enum class Outcome { passed, failed, skipped, error };

const char* to_string(Outcome o);

// A measured number, e.g. {"latency", 12.5, "ms"} or {"cert_days_left", 41, "days"}.
struct Figure {
  std::string name;
  double value = 0;
  std::string unit;
};

// What was sent and received, a diff, a command's output: trimmed and redacted.
struct Evidence {
  std::string label;  // "request", "response", "sql", ...
  std::string text;
};

// A line on a chart: what a number looked like over time or across a sweep
// (latency per second, the percentile spectrum, throughput against latency).
// Series of a check with the same `chart` are drawn on one chart.
struct Series {
  std::string chart;   // "latency over time"
  std::string name;    // "p99"
  std::string x_unit;  // "s", "%", "req/s"
  std::string y_unit;  // "ms", "req/s"
  bool log_x = false;  // percentile spectra: x is "nines", drawn on a log scale
  std::vector<std::pair<double, double>> points;
};

struct Check {
  std::string name;
  Outcome outcome = Outcome::passed;
  std::string message;  // for anything but passed: what went wrong, actionable
  std::vector<Evidence> evidence;
  std::vector<Figure> figures;
  double duration_s = 0;
  std::vector<Series> series;  // optional charts (load runs, capacity searches)
};

struct SuiteResult {
  std::string name;
  std::vector<Check> checks;
  double duration_s = 0;
};

struct Counts {
  int passed = 0, failed = 0, skipped = 0, error = 0;
  int total() const { return passed + failed + skipped + error; }
};

struct RunResult {
  std::string tool_version;
  std::string plan_file;
  std::string target;      // base URL, redacted
  std::string started_at;  // ISO 8601 UTC
  double duration_s = 0;
  bool interrupted = false;  // Ctrl-C: the reports hold what ran
  std::string profile;     // --profile: gate, nightly, capacity, drill, or a plan's own; empty: none
  std::string revision;    // --revision: the deployed git revision, when given
  int64_t run_id = 0;      // its number in the run history; 0 when not recorded
  std::vector<SuiteResult> suites;
  // Headline figures over the last recorded runs and this one (x: run id),
  // one series per figure, chart = the figure's key "suite/check/figure".
  std::vector<Series> trends;
};

Counts count(const SuiteResult& s);
Counts count(const RunResult& r);
// "passed" when nothing failed or errored and the run was not interrupted.
bool passed(const RunResult& r);
// "passed", "failed" or "interrupted".
std::string verdict(const RunResult& r);

// A check that could not be judged: outcome skipped, message "skipped, because <why>".
Check skipped_check(const std::string& name, const std::string& why);

// Keeps at most `limit` bytes of `text`, saying how much was cut.
std::string trim_evidence(const std::string& text, size_t limit = 4096);

}  // namespace greenlight
