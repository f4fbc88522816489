// The capacity search. Geometric steps find the order of magnitude quickly;
// bisection then narrows the gap between the last rate that held and the first
// that broke. A step "holds" when every SLO holds AND the achieved rate kept up
// with the target: an open-model run that fell behind (dropped requests, a
// saturated generator) understates latency and must not count as capacity.
#include "suites/load/capacity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "suites/load/load_suite.h"
#include "suites/load/load_report.h"

namespace greenlight {

namespace {

double ms(int64_t us) { return std::round(us / 10.0) / 100.0; }

CapacityStep run_step(const CapacityOptions& o, double rate, const std::atomic<bool>* cancel, StatusLine* status,
                      bool* interrupted) {
  LoadSpec spec = o.base;
  spec.executor = ExecutorKind::constant_arrival_rate;
  spec.rate = rate;
  spec.duration_s = o.step_duration_s;
  spec.stages.clear();
  char label[64];
  std::snprintf(label, sizeof label, "capacity %.0f req/s", rate);
  LoadResult r = run_with_status(spec, label, cancel, status);
  *interrupted = r.interrupted;
  CapacityStep step;
  step.target_rps = rate;
  step.requests = r.requests;
  step.achieved_rps = r.duration_s > 0 ? r.requests / r.duration_s : 0;
  step.errors = r.error_count();
  step.dropped = r.dropped;
  step.p50_ms = ms(r.latency.value_at_percentile(50));
  step.p99_ms = ms(r.latency.value_at_percentile(99));
  step.p999_ms = ms(r.latency.value_at_percentile(99.9));
  step.max_ms = ms(r.latency.max());
  int64_t attempts = r.requests + r.dropped;
  step.error_rate = attempts ? static_cast<double>(step.errors) / attempts : 0;
  for (const auto& [t, v] : judge_thresholds(o.slos, r))
    if (!v.passed) step.broken.push_back(v.message);
  if (step.achieved_rps < o.min_achieved_ratio * rate) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "achieved %.0f req/s of the %.0f asked (%lld dropped): the target or the generator fell behind",
                  step.achieved_rps, rate, static_cast<long long>(step.dropped));
    step.broken.push_back(buf);
  }
  step.held = step.broken.empty() && !r.interrupted;
  return step;
}

// The knee: the highest rate that held whose p99 is still within twice the p99
// of the lightest step. Beyond it latency grows faster than load, which is
// where queues start to build even if the SLO still holds.
double knee_of(const std::vector<CapacityStep>& steps) {
  const CapacityStep* lightest = nullptr;
  for (const CapacityStep& s : steps)
    if (s.held && (!lightest || s.target_rps < lightest->target_rps)) lightest = &s;
  if (!lightest) return 0;
  double limit = std::max(2 * lightest->p99_ms, lightest->p99_ms + 1.0);  // +1 ms: sub-ms noise is no knee
  double knee = lightest->target_rps;
  for (const CapacityStep& s : steps)
    if (s.held && s.p99_ms <= limit && s.target_rps > knee) knee = s.target_rps;
  return knee;
}

}  // namespace

CapacityResult find_capacity(const CapacityOptions& o, const std::atomic<bool>* cancel, StatusLine* status) {
  if (o.start_rps <= 0 || o.max_rps < o.start_rps || o.growth <= 1)
    throw std::invalid_argument("capacity search needs 0 < start rate <= max rate and a growth factor > 1");
  if (o.slos.empty()) throw std::invalid_argument("capacity search needs at least one SLO, e.g. 'p(99)<50ms'");
  CapacityResult result;
  double held = 0, broke = 0;
  bool interrupted = false;
  for (double rate = o.start_rps;; rate = std::min(rate * o.growth, o.max_rps)) {
    CapacityStep step = run_step(o, rate, cancel, status, &interrupted);
    result.steps.push_back(step);
    if (interrupted) break;
    if (!step.held) {
      broke = rate;
      break;
    }
    held = rate;
    if (rate >= o.max_rps) {
      result.stop_reason = "every step held up to the maximum rate asked for";
      break;
    }
  }
  // Bisect only between a rate that held and one that broke: when the start
  // rate already broke, the answer is "below --start", and the user lowers it.
  for (int i = 0; i < o.refine_steps && held > 0 && broke > 0 && !interrupted; ++i) {
    double low = held, mid = (low + broke) / 2;
    if (mid < 1 || broke - low < std::max(1.0, 0.02 * broke)) break;  // within 2%: good enough
    CapacityStep step = run_step(o, std::round(mid), cancel, status, &interrupted);
    result.steps.push_back(step);
    if (interrupted) break;
    (step.held ? held : broke) = std::round(mid);
  }
  result.interrupted = interrupted;
  result.found = held > 0;
  result.capacity_rps = held;
  result.knee_rps = knee_of(result.steps);
  if (interrupted) result.stop_reason = "interrupted";
  else if (result.stop_reason.empty())
    result.stop_reason = held > 0 ? "SLOs broke above the capacity found" : "the SLOs broke already at the starting rate (try a lower --start)";
  return result;
}

namespace {
std::string fmt_rps(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}
}  // namespace

Check capacity_check(const CapacityOptions& o, const CapacityResult& r, double min_capacity_rps) {
  Check c;
  c.name = "capacity";
  std::string slos;
  for (const Threshold& t : o.slos) slos += (slos.empty() ? "" : ", ") + t.text;
  std::string table = "target req/s  achieved   p50 ms   p99 ms  p99.9 ms  errors  dropped  verdict\n";
  for (const CapacityStep& s : r.steps) {
    char line[200];
    std::snprintf(line, sizeof line, "%12.0f %9.1f %8.2f %8.2f %9.2f %7lld %8lld  %s\n", s.target_rps, s.achieved_rps,
                  s.p50_ms, s.p99_ms, s.p999_ms, static_cast<long long>(s.errors), static_cast<long long>(s.dropped),
                  s.held ? "held" : "broke");
    table += line;
    for (const std::string& b : s.broken) table += "               " + b + "\n";
  }
  c.evidence.push_back({"steps", table});
  c.figures = {{"capacity", r.capacity_rps, "req/s"}, {"knee", r.knee_rps, "req/s"},
               {"steps", static_cast<double>(r.steps.size()), ""}};
  for (const CapacityStep& s : r.steps) c.duration_s += s.achieved_rps > 0 ? s.requests / s.achieved_rps : o.step_duration_s;

  Series curve{"throughput vs latency", "p99", "req/s", "ms"}, curve50{"throughput vs latency", "p50", "req/s", "ms"};
  std::vector<const CapacityStep*> sorted;
  for (const CapacityStep& s : r.steps) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->achieved_rps < b->achieved_rps; });
  double x_max = 0;
  for (const CapacityStep* s : sorted) {
    curve.points.emplace_back(s->achieved_rps, s->p99_ms);
    curve50.points.emplace_back(s->achieved_rps, s->p50_ms);
    x_max = std::max(x_max, s->achieved_rps);
  }
  c.series = {curve, curve50};
  for (const Threshold& t : o.slos) {
    if (t.metric == Threshold::Metric::percentile && t.percentile == 99)
      c.series.push_back({"throughput vs latency", "SLO " + t.text, "req/s", "ms", false, {{0, t.limit / 1000}, {x_max, t.limit / 1000}}});
  }
  if (r.found) {
    double y_max = 0;
    for (const CapacityStep* s : sorted) y_max = std::max(y_max, s->p99_ms);
    c.series.push_back({"throughput vs latency", "capacity " + fmt_rps(r.capacity_rps) + " req/s", "req/s", "ms", false,
                        {{r.capacity_rps, 0}, {r.capacity_rps, y_max}}});
  }

  if (r.interrupted) {
    c.outcome = Outcome::skipped;
    c.message = "skipped, because the search was interrupted" +
                (r.found ? std::string(" (held up to ") + fmt_rps(r.capacity_rps) + " req/s so far)" : std::string());
  } else if (!r.found) {
    c.outcome = Outcome::failed;
    c.message = "no capacity within the SLOs (" + slos + "): they broke already at " + fmt_rps(o.start_rps) +
                " req/s: " + (r.steps.empty() || r.steps[0].broken.empty() ? std::string("") : r.steps[0].broken[0]);
  } else if (min_capacity_rps > 0 && r.capacity_rps < min_capacity_rps) {
    c.outcome = Outcome::failed;
    c.message = "capacity " + fmt_rps(r.capacity_rps) + " req/s within " + slos + " is below the required " +
                fmt_rps(min_capacity_rps) + " req/s";
  } else {
    c.message = "capacity " + fmt_rps(r.capacity_rps) + " req/s within " + slos + "; knee at " + fmt_rps(r.knee_rps) +
                " req/s; " + r.stop_reason;
  }
  return c;
}

nlohmann::json capacity_json(const CapacityOptions& o, const CapacityResult& r) {
  nlohmann::json steps = nlohmann::json::array();
  for (const CapacityStep& s : r.steps)
    steps.push_back({{"target_rps", s.target_rps}, {"achieved_rps", std::round(s.achieved_rps * 10) / 10},
                     {"requests", s.requests}, {"errors", s.errors}, {"dropped", s.dropped}, {"p50_ms", s.p50_ms},
                     {"p99_ms", s.p99_ms}, {"p999_ms", s.p999_ms}, {"max_ms", s.max_ms}, {"error_rate", s.error_rate},
                     {"held", s.held}, {"broken", s.broken}});
  nlohmann::json slos = nlohmann::json::array();
  for (const Threshold& t : o.slos) slos.push_back(t.text);
  return {{"schema", "greenlight.capacity/1"}, {"slos", slos}, {"found", r.found}, {"capacity_rps", r.capacity_rps},
          {"knee_rps", r.knee_rps}, {"stop_reason", r.stop_reason}, {"interrupted", r.interrupted},
          {"step_duration_s", o.step_duration_s}, {"steps", steps}};
}

}  // namespace greenlight
