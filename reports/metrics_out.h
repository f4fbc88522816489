// `--metrics-out FILE`: a run's headline figures in the Prometheus text
// exposition format (0.0.4), for node_exporter's textfile collector or a
// Pushgateway, so teams can chart capacity, latency and RTO in Grafana and
// alert on an overdue restore drill. Every sample carries the labels
// profile and target (the redacted base URL), so that files of different
// profiles never hold the same series. All families are gauges. Metric names
// (documented in docs/metrics-out.md):
//   greenlight_run_info{revision,version}   always 1
//   greenlight_run_timestamp_seconds        when the run started (Unix time)
//   greenlight_run_success                  1 when the run passed, else 0
//   greenlight_run_duration_seconds
//   greenlight_run_checks{outcome}          checks per outcome (all four, zeros too)
//   greenlight_suite_success{suite}         1 when no check of the suite failed or errored
//   greenlight_suite_duration_seconds{suite}
//   greenlight_figure{suite,check,figure,unit}   each headline figure (is_headline_figure,
//                                           harness/run_history.h), in its own unit (ms, req/s, %, s)
//   greenlight_backup_drill_last_success_timestamp_seconds
//                                           the last passing restore drill, when known
// Suite durations are a metric of their own rather than a synthetic figure:
// seconds in the name, and no empty check label to explain.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "harness/result.h"

namespace greenlight {

// last_drill_success: Unix time of the last passing restore drill against
// this target (this run's, or an earlier one from the history), if any; the
// drill family is left out when it is not known. The timestamp family is left
// out when run.started_at is not ISO 8601 UTC. A series that would appear
// twice (two checks of one suite with the same name) keeps its first value.
// Label values are made valid UTF-8 (escape.h clean_text) and escaped.
std::string metrics_text(const RunResult& run, std::optional<double> last_drill_success);

// Writes atomically (a temp file in the same folder, not named *.prom, then
// rename), as the textfile collector requires; the folder is created when
// missing and the file is made 0644 so node_exporter's user can read it.
// Throws std::runtime_error naming the path.
void write_metrics_file(const std::filesystem::path& path, const std::string& text);

}  // namespace greenlight
