// The load suite: runs the plan's scenarios with the native load engine
// against the target and judges their thresholds. `greenlight load` uses the
// same pieces (load_plan.h, load_report.h) for ad-hoc runs.
#pragma once

#include <memory>

#include "harness/plan_node.h"
#include "harness/suite.h"
#include "loadgen/engine.h"
#include "suites/load/abort_on_fail.h"

namespace greenlight {

std::unique_ptr<Suite> build_load_suite(const PlanNode& section);

// Relative endpoint URLs ("/health") are joined to `base_url`.
LoadSpec resolve_urls(LoadSpec spec, const std::string& base_url);

// Runs the engine with a live one-line status (when `status` is not null).
// abort (optional): judges thresholds each second and stops the run when one
// fails; it relays *cancel itself. A run it stopped is not `interrupted`.
LoadResult run_with_status(const LoadSpec& spec, const std::string& label, const std::atomic<bool>* cancel, StatusLine* status,
                           AbortOnFail* abort = nullptr);

}  // namespace greenlight
