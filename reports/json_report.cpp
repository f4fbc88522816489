// The JSON report: the whole result, for tools that post-process a run. Its shape
// is a contract documented in docs/report-json.md; change it only with
// schema_version.
#include <cctype>
#include <cmath>
#include <optional>

#include <nlohmann/json.hpp>

#include "reports/report_format.h"
#include "reports/reports.h"

namespace greenlight {

namespace {

// ordered_json keeps keys in the documented order, so diffs between two runs'
// reports stay readable.
using Json = nlohmann::ordered_json;

constexpr int kSchemaVersion = 1;

Json counts_json(const Counts& c) {
  return Json{{"passed", c.passed}, {"failed", c.failed}, {"skipped", c.skipped}, {"error", c.error}, {"total", c.total()}};
}

// JSON has no NaN or infinity: null says "no usable reading" explicitly.
Json number_or_null(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json figure_json(const Figure& f) { return Json{{"name", f.name}, {"value", number_or_null(f.value)}, {"unit", f.unit}}; }

// Every point as given: the HTML report thins lines out for drawing, the JSON
// keeps the data.
Json series_json(const Series& s) {
  Json points = Json::array();
  for (const auto& [x, y] : s.points) points.push_back(Json::array({number_or_null(x), number_or_null(y)}));
  return Json{{"chart", s.chart}, {"name", s.name},     {"x_unit", s.x_unit},
              {"y_unit", s.y_unit}, {"log_x", s.log_x}, {"points", points}};
}

Json check_json(const Check& k) {
  Json evidence = Json::array();
  for (const Evidence& e : k.evidence) evidence.push_back(Json{{"label", e.label}, {"text", e.text}});
  Json figures = Json::array();
  for (const Figure& f : k.figures) figures.push_back(figure_json(f));
  // Always present, like evidence and figures: `.series[]` works on every check.
  Json series = Json::array();
  for (const Series& s : k.series) series.push_back(series_json(s));
  return Json{{"name", k.name},
              {"outcome", to_string(k.outcome)},
              {"message", k.message},
              {"duration_s", json_seconds(k.duration_s)},
              {"evidence", evidence},
              {"figures", figures},
              {"series", series}};
}

Json suite_json(const SuiteResult& s) {
  Json checks = Json::array();
  for (const Check& k : s.checks) checks.push_back(check_json(k));
  return Json{{"name", s.name}, {"duration_s", json_seconds(s.duration_s)}, {"counts", counts_json(count(s))}, {"checks", checks}};
}

// One scalar of dump()'s output (a number, null, true or false) at text[i],
// returned with i moved past it; empty when there is none.
std::string scalar_at(const std::string& text, size_t& i) {
  size_t start = i;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '-' || text[i] == '+' || text[i] == '.'))
    ++i;
  return text.substr(start, i - start);
}

void skip_spaces(const std::string& text, size_t& i) {
  while (i < text.size() && text[i] == ' ') ++i;
}

// The pair of scalars dump() wrote as "[\n  x,\n  y\n]" at text[i], as "[x, y]";
// i is moved past it only on a match.
std::optional<std::string> pair_at(const std::string& text, size_t& i) {
  size_t p = i;
  auto expect = [&](char c) { return p < text.size() && text[p++] == c; };
  if (!expect('[') || !expect('\n')) return std::nullopt;
  skip_spaces(text, p);
  std::string x = scalar_at(text, p);
  if (x.empty() || !expect(',') || !expect('\n')) return std::nullopt;
  skip_spaces(text, p);
  std::string y = scalar_at(text, p);
  if (y.empty() || !expect('\n')) return std::nullopt;
  skip_spaces(text, p);
  if (!expect(']')) return std::nullopt;
  i = p;
  return "[" + x + ", " + y + "]";
}

// dump() gives each number of a point its own line, and a load run has
// thousands of points: one point per line reads and diffs better. Safe on
// any text: dump() escapes newlines inside strings, so a raw "[\n" always
// opens an array.
std::string points_on_one_line(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    std::optional<std::string> pair = text[i] == '[' ? pair_at(text, i) : std::nullopt;
    if (pair) out += *pair;
    else out += text[i++];
  }
  return out;
}

}  // namespace

std::string json_report(const RunResult& run) {
  Json suites = Json::array();
  for (const SuiteResult& s : run.suites) suites.push_back(suite_json(s));
  Json doc{{"schema_version", kSchemaVersion},
           {"tool", "greenlight"},
           {"version", run.tool_version},
           {"plan", run.plan_file},
           {"target", run.target},
           {"started_at", run.started_at},
           {"duration_s", json_seconds(run.duration_s)},
           {"verdict", verdict(run)},
           {"interrupted", run.interrupted},
           {"counts", counts_json(count(run))},
           {"suites", suites}};
  // Present only when set, so a plain run's report keeps its shape.
  if (!run.profile.empty()) doc["profile"] = run.profile;
  if (!run.revision.empty()) doc["revision"] = run.revision;
  if (run.run_id > 0) doc["run_id"] = run.run_id;
  if (!run.trends.empty()) {
    Json trends = Json::array();
    for (const Series& s : run.trends) trends.push_back(series_json(s));
    doc["trends"] = trends;
  }
  // Evidence is whatever the target sent: invalid UTF-8 becomes U+FFFD instead
  // of an exception that would lose the whole report.
  return points_on_one_line(doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) + "\n";
}

}  // namespace greenlight
