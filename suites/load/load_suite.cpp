// Scenario by scenario: resolve, run, judge, report.
#include "suites/load/load_suite.h"

#include <cstdio>
#include <optional>

#include "harness/status_line.h"
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

class LoadSuite : public Suite {
 public:
  explicit LoadSuite(std::vector<Scenario> scenarios) : scenarios_(std::move(scenarios)) {}

  SuiteResult run(const SuiteContext& ctx) override {
    SuiteResult out;
    for (const Scenario& sc : scenarios_) {
      if (ctx.cancelled()) {
        out.checks.push_back({sc.name, Outcome::skipped, "skipped, because the run was interrupted before this scenario"});
        continue;
      }
      if (ctx.past_deadline()) {
        out.checks.push_back({sc.name, Outcome::error, "not run: the plan's deadline passed before this scenario"});
        continue;
      }
      LoadSpec spec = resolve_urls(sc.spec, ctx.target.base_url);
      LoadResult result;
      std::optional<AbortOnFail> abort;
      if (sc.abort_on_fail) abort.emplace(sc.thresholds, ctx.cancel);
      try {
        result = run_with_status(spec, "load " + sc.name, ctx.cancel, ctx.status, abort ? &*abort : nullptr);
      } catch (const std::invalid_argument& e) {
        out.checks.push_back({sc.name, Outcome::error, std::string("cannot run: ") + e.what()});
        continue;
      }
      ScenarioOutcome o{sc.name, &spec, &result, judge_thresholds(sc.thresholds, result)};
      if (abort && abort->aborted()) mark_aborted(o, abort->message(), abort->threshold());
      for (Check& c : load_checks(o)) out.checks.push_back(std::move(c));
    }
    return out;
  }

 private:
  std::vector<Scenario> scenarios_;
};

}  // namespace

std::unique_ptr<Suite> build_load_suite(const PlanNode& section) {
  return std::make_unique<LoadSuite>(parse_load_plan(section));
}

}  // namespace greenlight
