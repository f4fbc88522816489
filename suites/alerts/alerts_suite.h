// The alerts suite from the plan: lint, unit tests, and (when a Prometheus is
// known) live checks of the team's alert rules.
//
//   alerts:
//     rules: [alerts/*.rules.yml]        # relative to the plan; globs allowed
//     tests: [alerts/*.test.yml]         # promtool test-file format
//     strict: false                      # lint warnings fail too
//     lint:
//       levels: {missing-runbook: error, rate-on-gauge: off}
//       required_labels: [severity]
//       required_annotations: [summary, runbook_url]
//       scrape_interval: 15s
//     prometheus: http://127.0.0.1:9090  # default: target.prometheus; none: no live checks
//     alertmanager: http://127.0.0.1:9093
//     gate_severities: [critical, page]  # a firing alert with one of these fails the gate
//     semantics: v2                      # v3: Prometheus 3's left-open range selectors
#pragma once

#include <memory>

#include "harness/plan_node.h"
#include "harness/suite.h"
#include "suites/alerts/alerts_job.h"

namespace greenlight {

// Validates the section (throws ConfigError naming file, line and key).
// `prometheus_from_target` is set when the live checks take target.prometheus.
AlertsJob parse_alerts_plan(const PlanNode& section, bool* prometheus_from_target = nullptr);
std::unique_ptr<Suite> build_alerts_suite(const PlanNode& section);

}  // namespace greenlight
