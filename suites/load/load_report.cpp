// Figures, checks, JSON and text for load runs.
#include "suites/load/load_report.h"

#include <cmath>
#include <cstdio>

#include "harness/duration.h"
#include "suites/load/load_plan.h"

namespace greenlight {

namespace {

double ms(int64_t us) { return std::round(us / 10.0) / 100.0; }  // 2 decimals

nlohmann::json latency_json(const Histogram& h) {
  return {{"min", ms(h.min())},
          {"mean", std::round(h.mean() / 10.0) / 100.0},
          {"p50", ms(h.value_at_percentile(50))},
          {"p75", ms(h.value_at_percentile(75))},
          {"p90", ms(h.value_at_percentile(90))},
          {"p99", ms(h.value_at_percentile(99))},
          {"p999", ms(h.value_at_percentile(99.9))},
          {"p9999", ms(h.value_at_percentile(99.99))},
          {"max", ms(h.max())}};
}

nlohmann::json errors_json(const std::array<int64_t, kErrorClassCount>& errors) {
  nlohmann::json out = nlohmann::json::object();
  for (size_t i = 0; i < errors.size(); ++i)
    if (errors[i]) out[to_string(static_cast<ErrorClass>(i))] = errors[i];
  return out;
}

int64_t total_errors(const LoadResult& r) {
  int64_t n = 0;
  for (int64_t e : r.errors) n += e;
  return n;
}

bool is_open(const LoadSpec& s) {
  return s.executor == ExecutorKind::constant_arrival_rate || s.executor == ExecutorKind::ramping_arrival_rate;
}

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::vector<Series> load_series(const LoadSpec& spec, const LoadResult& r) {
  Series p50{"latency over time", "p50", "s", "ms"}, p99{"latency over time", "p99", "s", "ms"},
      max{"latency over time", "max", "s", "ms"};
  Series rps{"throughput over time", "requests/s", "s", "req/s"}, errs{"throughput over time", "errors/s", "s", "req/s"};
  for (const IntervalStats& i : r.intervals) {
    double t = i.start_s + 1;  // the end of the second it covers
    if (i.latency.count() > 0) {
      p50.points.emplace_back(t, ms(i.latency.value_at_percentile(50)));
      p99.points.emplace_back(t, ms(i.latency.value_at_percentile(99)));
      max.points.emplace_back(t, ms(i.latency.max()));
    }
    rps.points.emplace_back(t, static_cast<double>(i.requests));
    errs.points.emplace_back(t, static_cast<double>(i.errors));
  }
  Series spectrum{"latency percentile spectrum", "latency", "%", "ms", true};
  Series service{"latency percentile spectrum", "service time", "%", "ms", true};
  for (double p : {50.0, 75.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99, 99.999}) {
    spectrum.points.emplace_back(p, ms(r.latency.value_at_percentile(p)));
    service.points.emplace_back(p, ms(r.service_time.value_at_percentile(p)));
  }
  std::vector<Series> out = {p50, p99, max, rps, errs, spectrum};
  if (is_open(spec)) out.push_back(service);
  return out;
}

}  // namespace

LoadFigures figures_of(const LoadResult& r) {
  return LoadFigures{&r.latency, r.requests, total_errors(r), r.dropped, r.duration_s};
}

double error_rate_percent(const LoadResult& r) {
  // Judged by the threshold code itself, so that the figure and an
  // `error_rate<...` threshold can never disagree on what counts as an attempt.
  static const Threshold any = parse_threshold("error_rate<=100%");
  return evaluate(any, figures_of(r)).observed;
}

std::vector<std::pair<Threshold, ThresholdVerdict>> judge_thresholds(const std::vector<Threshold>& ts, const LoadResult& r) {
  std::vector<std::pair<Threshold, ThresholdVerdict>> out;
  for (const Threshold& t : ts) out.emplace_back(t, evaluate(t, figures_of(r)));
  return out;
}

void mark_aborted(ScenarioOutcome& s, const std::string& message, const std::string& threshold) {
  s.aborted = message;
  s.aborted_threshold = threshold;
  // It failed when the run was stopped; the figures of the whole (short)
  // run may say otherwise, but that run is not the one that was planned.
  for (auto& [t, v] : s.thresholds)
    if (t.text == threshold && v.passed) v.passed = false, v.message = message;
}

std::vector<Check> load_checks(const ScenarioOutcome& s) {
  const LoadResult& r = *s.result;
  std::vector<Check> out;
  Check run;
  run.name = s.name;
  run.duration_s = r.duration_s;
  int64_t errors = total_errors(r);
  double rps = r.duration_s > 0 ? r.requests / r.duration_s : 0;
  run.figures = {{"requests", static_cast<double>(r.requests), ""},
                 {"rps", std::round(rps * 10) / 10, "req/s"},
                 {"errors", static_cast<double>(errors), ""},
                 {"error_rate", error_rate_percent(r), "%"},
                 {"dropped", static_cast<double>(r.dropped), ""},
                 {"p50", ms(r.latency.value_at_percentile(50)), "ms"},
                 {"p90", ms(r.latency.value_at_percentile(90)), "ms"},
                 {"p99", ms(r.latency.value_at_percentile(99)), "ms"},
                 {"p99.9", ms(r.latency.value_at_percentile(99.9)), "ms"},
                 {"max", ms(r.latency.max()), "ms"}};
  if (is_open(*s.spec)) run.figures.push_back({"service_time_p99", ms(r.service_time.value_at_percentile(99)), "ms"});
  run.evidence.push_back({"summary", load_summary_text(s)});
  if (s.planned_duration_s > 0) {
    double ran = s.spec->stages.empty() ? s.spec->duration_s : 0;
    for (const Stage& st : s.spec->stages) ran += st.duration_s;
    std::string how = s.spec->stages.empty() ? "" : " (every stage shortened by the same factor)";
    run.evidence.push_back({"max_duration", "duration capped by the plan's max_duration from " +
                                                format_duration(Duration(s.planned_duration_s)) + " to " +
                                                format_duration(Duration(ran)) + how});
  }
  if (r.latency.count() > 0) run.series = load_series(*s.spec, r);
  if (r.requests == 0 || r.latency.count() == 0) {
    run.outcome = r.interrupted ? Outcome::skipped : Outcome::failed;
    std::string classes;
    const nlohmann::json by_class = errors_json(r.errors);  // items() must not outlive it
    for (const auto& e : by_class.items())
      classes += (classes.empty() ? "" : ", ") + e.key() + ": " + std::to_string(e.value().get<int64_t>());
    run.message = r.interrupted ? "skipped, because the run was interrupted before any request completed"
                                : "no request completed (" + std::to_string(errors) + " errors" +
                                      (classes.empty() ? "" : ": " + classes) + ")";
  } else if (r.interrupted) {
    run.message = "interrupted after " + fmt("%.1f", r.duration_s) + "s; figures cover what ran";
  }
  if (!s.aborted.empty() && r.requests > 0) run.message = s.aborted + "; figures cover what ran";
  out.push_back(run);
  for (const auto& [t, v] : s.thresholds) {
    Check c;
    c.name = s.name + ": " + t.text;
    c.outcome = v.passed ? Outcome::passed : Outcome::failed;
    if (!v.passed) c.message = v.message;

    c.evidence.push_back({"observed", v.message});
    c.figures.push_back({"observed", v.observed, ""});
    out.push_back(c);
  }
  return out;
}

nlohmann::json load_summary_json(const std::vector<ScenarioOutcome>& scenarios) {
  nlohmann::json out;
  out["schema"] = "greenlight.load/1";
  nlohmann::json list = nlohmann::json::array();
  Histogram all_latency, all_service;
  int64_t requests = 0, dropped = 0;
  double duration = 0;
  std::array<int64_t, kErrorClassCount> errors{};
  nlohmann::json thresholds = nlohmann::json::array();
  for (const ScenarioOutcome& s : scenarios) {
    const LoadResult& r = *s.result;
    nlohmann::json j;
    j["name"] = s.name;
    j["executor"] = executor_name(s.spec->executor);
    j["requests"] = r.requests;
    j["duration_s"] = std::round(r.duration_s * 1000) / 1000;
    j["rps"] = r.duration_s > 0 ? std::round(r.requests / r.duration_s * 10) / 10 : 0;
    j["errors"] = errors_json(r.errors);
    j["dropped"] = r.dropped;
    j["latency_ms"] = latency_json(r.latency);
    if (is_open(*s.spec)) j["service_time_ms"] = latency_json(r.service_time);
    nlohmann::json endpoints = nlohmann::json::array();
    for (const EndpointStats& e : r.endpoints)
      endpoints.push_back({{"name", e.name}, {"requests", e.requests}, {"errors", errors_json(e.errors)}, {"latency_ms", latency_json(e.latency)}});
    j["endpoints"] = endpoints;
    nlohmann::json series = nlohmann::json::array();
    for (const IntervalStats& i : r.intervals)
      series.push_back({{"t", i.start_s}, {"requests", i.requests}, {"errors", i.errors},
                        {"p50_ms", ms(i.latency.value_at_percentile(50))}, {"p99_ms", ms(i.latency.value_at_percentile(99))},
                        {"max_ms", ms(i.latency.max())}});
    j["per_second"] = series;
    nlohmann::json ts = nlohmann::json::array();
    for (const auto& [t, v] : s.thresholds) {
      nlohmann::json tj = {{"scenario", s.name}, {"threshold", t.text}, {"passed", v.passed}, {"observed", v.observed}, {"message", v.message}};
      ts.push_back(tj);
      thresholds.push_back(tj);
    }
    j["thresholds"] = ts;
    j["interrupted"] = r.interrupted;
    if (!s.aborted.empty()) j["aborted"] = s.aborted;
    list.push_back(j);
    all_latency.add(r.latency);
    all_service.add(r.service_time);
    requests += r.requests;
    dropped += r.dropped;
    duration += r.duration_s;
    for (size_t k = 0; k < errors.size(); ++k) errors[k] += r.errors[k];
  }
  out["requests"] = requests;
  out["duration_s"] = std::round(duration * 1000) / 1000;
  out["rps"] = duration > 0 ? std::round(requests / duration * 10) / 10 : 0;
  out["errors"] = errors_json(errors);
  out["dropped"] = dropped;
  out["latency_ms"] = latency_json(all_latency);
  out["service_time_ms"] = latency_json(all_service);
  out["thresholds"] = thresholds;
  out["scenarios"] = list;
  return out;
}

std::string load_summary_text(const ScenarioOutcome& s) {
  const LoadResult& r = *s.result;
  std::string out;
  double rps = r.duration_s > 0 ? r.requests / r.duration_s : 0;
  out += s.name + " (" + executor_name(s.spec->executor) + "): " + std::to_string(r.requests) + " requests in " +
         fmt("%.2f", r.duration_s) + "s, " + fmt("%.1f", rps) + " req/s, " + std::to_string(total_errors(r)) + " errors, " +
         std::to_string(r.dropped) + " dropped\n";
  const nlohmann::json by_class = errors_json(r.errors);
  for (const auto& e : by_class.items())
    out += "  errors " + e.key() + ": " + std::to_string(e.value().get<int64_t>()) + "\n";
  bool open = is_open(*s.spec);
  out += open ? "  latency from intended start (corrected)      service time (uncorrected)\n" : "  latency\n";
  for (double p : {50.0, 75.0, 90.0, 99.0, 99.9, 99.99, 100.0}) {
    std::string label = p == 100 ? "max" : "p" + fmt("%g", p);
    int64_t v = p == 100 ? r.latency.max() : r.latency.value_at_percentile(p);
    out += "  " + label + std::string(8 - std::min<size_t>(7, label.size()), ' ') + fmt("%10.2f ms", v / 1000.0);
    if (open) {
      int64_t sv = p == 100 ? r.service_time.max() : r.service_time.value_at_percentile(p);
      out += "                        " + fmt("%10.2f ms", sv / 1000.0);
    }
    out += "\n";
  }
  if (r.endpoints.size() > 1) {
    for (const EndpointStats& e : r.endpoints)
      out += "  endpoint " + e.name + ": " + std::to_string(e.requests) + " requests, p99 " +
             fmt("%.2f ms", e.latency.value_at_percentile(99) / 1000.0) + "\n";
  }
  return out;
}

}  // namespace greenlight
