// Scenario by scenario: resolve, run, judge, report; then the capacity search
// when the section has one.
#include "suites/load/load_suite.h"

#include <cstdio>
#include <optional>
#include <thread>

#include "harness/duration.h"
#include "harness/status_line.h"
#include "suites/load/capacity.h"
#include "suites/load/load_plan.h"
#include "suites/load/load_report.h"

namespace greenlight {

LoadSpec resolve_urls(LoadSpec spec, const std::string& base_url) {
  for (Endpoint& e : spec.endpoints)
    if (e.url.rfind("http://", 0) != 0 && e.url.rfind("https://", 0) != 0) e.url = base_url + e.url;
  return spec;
}

LoadResult run_with_status(const LoadSpec& spec, const std::string& label, const std::atomic<bool>* cancel, StatusLine* status,
                           AbortOnFail* abort) {
  std::function<void(const LoadProgress&)> progress;
  if (status || abort) {
    progress = [status, label, abort](const LoadProgress& p) {
      if (abort) abort->on_progress(p);
      if (!status) return;
      char buf[160];
      std::snprintf(buf, sizeof buf, "%s: %.0fs  %lld requests  %.0f req/s  p99 %.2f ms  %lld errors", label.c_str(),
                    p.elapsed_s, static_cast<long long>(p.requests), p.rps, p.p99_us / 1000.0,
                    static_cast<long long>(p.errors));
      status->set(buf);
    };
  }
  LoadResult r = run_load(spec, abort ? abort->cancel() : cancel, progress);
  if (status) status->clear();
  // Stopped by a failed threshold, not by the user: the run is complete as
  // far as the verdict goes.
  if (abort && !abort->user_cancelled()) r.interrupted = false;
  return r;
}

namespace {

// The capacity search runs for minutes; unlike a scenario it must also stop
// when the plan's deadline passes, not only on Ctrl-C. Relays either into
// one flag for find_capacity, polled every 10 ms like the engine's own.
class StopRelay {
 public:
  explicit StopRelay(const SuiteContext& ctx) : thread_([this, &ctx] {
    while (!done_.load()) {
      if (ctx.cancelled() || ctx.past_deadline()) {
        deadline_.store(!ctx.cancelled());
        stop_.store(true);
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }) {}
  ~StopRelay() {
    done_.store(true);
    thread_.join();
  }
  const std::atomic<bool>* flag() const { return &stop_; }
  // Valid after the search returned: the deadline, not the user, stopped it.
  bool by_deadline() const { return stop_.load() && deadline_.load(); }

 private:
  std::atomic<bool> stop_{false}, done_{false}, deadline_{false};
  std::thread thread_;
};

std::string rps_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f req/s", v);
  return buf;
}

class LoadSuite : public Suite {
 public:
  explicit LoadSuite(LoadPlan plan) : plan_(std::move(plan)) {}

  SuiteResult run(const SuiteContext& ctx) override {
    SuiteResult out;
    for (const Scenario& sc : plan_.scenarios) run_scenario(sc, ctx, out);
    if (plan_.capacity) out.checks.push_back(run_capacity(*plan_.capacity, ctx));
    return out;
  }

 private:
  static void run_scenario(const Scenario& sc, const SuiteContext& ctx, SuiteResult& out) {
    if (ctx.cancelled()) {
      out.checks.push_back({sc.name, Outcome::skipped, "skipped, because the run was interrupted before this scenario"});
      return;
    }
    if (ctx.past_deadline()) {
      out.checks.push_back({sc.name, Outcome::error, "not run: the plan's deadline passed before this scenario"});
      return;
    }
    LoadSpec spec = resolve_urls(sc.spec, ctx.target.base_url);
    LoadResult result;
    std::optional<AbortOnFail> abort;
    if (sc.abort_on_fail) abort.emplace(sc.thresholds, ctx.cancel);
    try {
      result = run_with_status(spec, "load " + sc.name, ctx.cancel, ctx.status, abort ? &*abort : nullptr);
    } catch (const std::invalid_argument& e) {
      out.checks.push_back({sc.name, Outcome::error, std::string("cannot run: ") + e.what()});
      return;
    }
    ScenarioOutcome o{sc.name, &spec, &result, judge_thresholds(sc.thresholds, result)};
    o.planned_duration_s = sc.planned_duration_s;
    if (abort && abort->aborted()) mark_aborted(o, abort->message(), abort->threshold());
    for (Check& c : load_checks(o)) out.checks.push_back(std::move(c));
  }

  static Check run_capacity(const CapacityPlan& plan, const SuiteContext& ctx) {
    if (ctx.cancelled()) return {"capacity", Outcome::skipped, "skipped, because the run was interrupted before the capacity search"};
    if (ctx.past_deadline()) return {"capacity", Outcome::error, "not run: the plan's deadline passed before the capacity search"};
    CapacityOptions options = plan.options;
    options.base = resolve_urls(options.base, ctx.target.base_url);
    CapacityResult result;
    bool by_deadline = false;
    try {
      StopRelay stop(ctx);
      result = find_capacity(options, stop.flag(), ctx.status);
      by_deadline = stop.by_deadline();
    } catch (const std::exception& e) {  // a bad spec, or a host that does not resolve
      return {"capacity", Outcome::error, std::string("cannot run the capacity search: ") + e.what()};
    }
    Check c = capacity_check(options, result, plan.min_capacity_rps);
    if (by_deadline && result.interrupted) {
      c.outcome = Outcome::error;
      c.message = "stopped: the plan's deadline passed during the capacity search" +
                  (result.found ? " (it held up to " + rps_text(result.capacity_rps) + " so far)" : std::string()) +
                  "; raise the plan's deadline or lower max_rate / step_duration";
    }
    if (plan.planned_step_duration_s > 0)
      c.evidence.push_back({"max_duration", "step_duration capped by the plan's max_duration from " +
                                                format_duration(Duration(plan.planned_step_duration_s)) + " to " +
                                                format_duration(Duration(options.step_duration_s))});
    return c;
  }

  LoadPlan plan_;
};

}  // namespace

std::unique_ptr<Suite> build_load_suite(const PlanNode& section) {
  return std::make_unique<LoadSuite>(parse_load_section(section));
}

}  // namespace greenlight
