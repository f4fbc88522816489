// The smoke suite: HTTP checks against the target's base URL (status, headers,
// body, JSON, latency, size, TLS, /metrics, presets, captures, idempotency),
// run concurrently over one libcurl multi handle.
#pragma once

#include <memory>

#include "harness/plan_node.h"
#include "harness/suite.h"

namespace greenlight {

// Validates the `suites.smoke` section (throws ConfigError) and returns the suite.
std::unique_ptr<Suite> build_smoke_suite(const PlanNode& section);

}  // namespace greenlight
