// The JSON report: the whole result, for tools that post-process a run. Its shape
// is a contract documented in docs/report-json.md; change it only with
// schema_version.
#include <cmath>

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

Json figure_json(const Figure& f) {
  // JSON has no NaN or infinity: null says "no usable reading" explicitly.
  Json value = std::isfinite(f.value) ? Json(f.value) : Json(nullptr);
  return Json{{"name", f.name}, {"value", value}, {"unit", f.unit}};
}

Json check_json(const Check& k) {
  Json evidence = Json::array();
  for (const Evidence& e : k.evidence) evidence.push_back(Json{{"label", e.label}, {"text", e.text}});
  Json figures = Json::array();
  for (const Figure& f : k.figures) figures.push_back(figure_json(f));
  return Json{{"name", k.name},
              {"outcome", to_string(k.outcome)},
              {"message", k.message},
              {"duration_s", json_seconds(k.duration_s)},
              {"evidence", evidence},
              {"figures", figures}};
}

Json suite_json(const SuiteResult& s) {
  Json checks = Json::array();
  for (const Check& k : s.checks) checks.push_back(check_json(k));
  return Json{{"name", s.name}, {"duration_s", json_seconds(s.duration_s)}, {"counts", counts_json(count(s))}, {"checks", checks}};
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
  // Evidence is whatever the target sent: invalid UTF-8 becomes U+FFFD instead
  // of an exception that would lose the whole report.
  return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace greenlight
