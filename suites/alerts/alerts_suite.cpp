// The plan's `alerts` section and the suite that runs it.
#include "suites/alerts/alerts_suite.h"

#include <set>

#include "harness/duration.h"
#include "harness/status_line.h"

namespace greenlight {

namespace {

std::vector<std::string> strings(const PlanNode& list) {
  std::vector<std::string> out;
  if (list.is_scalar()) return {list.str()};
  for (const PlanNode& item : list.items()) out.push_back(item.str());
  return out;
}

class AlertsSuite : public Suite {
 public:
  AlertsSuite(AlertsJob job, bool prometheus_from_target, bool live_enabled)
      : job_(std::move(job)), from_target_(prometheus_from_target), live_enabled_(live_enabled) {}

  SuiteResult run(const SuiteContext& ctx) override {
    AlertsJob job = job_;
    if (from_target_) job.live_options.prometheus_url = ctx.target.prometheus;
    job.live = live_enabled_ && !job.live_options.prometheus_url.empty();
    if (ctx.status) ctx.status->set("alerts: lint, unit tests" + std::string(job.live ? ", live checks" : ""));
    SuiteResult out;
    out.checks = run_alerts_job(job);
    if (!live_enabled_)
      out.checks.push_back(skipped_check("live", "live checks are off (alerts.live: false, as in the gate profile): "
                                                 "whether the rules are loaded and can fire was not checked"));
    else if (!job.live)
      out.checks.push_back(skipped_check("live", "no Prometheus is given (alerts.prometheus or target.prometheus): "
                                                 "whether the rules are loaded and can fire was not checked"));
    return out;
  }

 private:
  AlertsJob job_;
  bool from_target_;
  bool live_enabled_;
};

}  // namespace

AlertsJob parse_alerts_plan(const PlanNode& section, bool* prometheus_from_target) {
  section.require_map();
  section.allow_keys({"rules", "tests", "strict", "lint", "prometheus", "alertmanager", "gate_severities", "semantics", "live"});
  const std::string plan_dir = std::filesystem::absolute(section.file()).parent_path().string();
  AlertsJob job;
  if (!section.has("rules") && !section.has("tests")) section.fail("give rule files (rules:) or test files (tests:), or both");
  if (auto n = section.find("rules")) job.rule_files = expand_globs(strings(*n), plan_dir);
  if (auto n = section.find("tests")) job.test_files = expand_globs(strings(*n), plan_dir);
  job.strict = section.boolean("strict", false);
  if (auto lint = section.find("lint")) {
    lint->allow_keys({"levels", "required_labels", "required_annotations", "scrape_interval"});
    if (auto levels = lint->find("levels")) {
      std::set<std::string> ids;
      for (const auto& [id, _] : lint_rule_ids()) ids.insert(id);
      levels->allow_keys(ids);
      for (auto& [id, value] : levels->entries()) {
        std::string v = value.str();
        if (v == "off") job.lint.levels[id] = LintLevel::Off;
        else if (v == "warning") job.lint.levels[id] = LintLevel::Warning;
        else if (v == "error") job.lint.levels[id] = LintLevel::Error;
        else value.fail("level must be off, warning or error, not '" + v + "'");
      }
    }
    if (auto n = lint->find("required_labels")) job.lint.required_labels = strings(*n);
    if (auto n = lint->find("required_annotations")) job.lint.required_annotations = strings(*n);
    if (lint->has("scrape_interval"))
      job.lint.scrape_interval_ms = static_cast<int64_t>(lint->duration("scrape_interval", Duration(60)).count() * 1000);
  }
  if (prometheus_from_target) *prometheus_from_target = !section.has("prometheus");
  job.live_options.prometheus_url = section.str("prometheus", "");
  job.live_options.alertmanager_url = section.str("alertmanager", "");
  if (auto n = section.find("gate_severities")) job.live_options.gate_severities = strings(*n);
  if (auto n = section.find("semantics")) {
    if (n->str() != "v2" && n->str() != "v3") n->fail("semantics must be v2 or v3, not '" + n->str() + "'");
    job.unit.semantics_v3 = n->str() == "v3";
  }
  return job;
}

std::unique_ptr<Suite> build_alerts_suite(const PlanNode& section) {
  bool from_target = false;
  AlertsJob job = parse_alerts_plan(section, &from_target);
  // live: false keeps a plan's Prometheus for the nightly run while the gate,
  // which must not depend on a monitoring stack, skips the live checks.
  return std::make_unique<AlertsSuite>(std::move(job), from_target, section.boolean("live", true));
}

}  // namespace greenlight
