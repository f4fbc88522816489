// Runs the plan's suites against its target and collects one RunResult.
// Suites run one after another (each runs its own checks concurrently); an
// exception escaping a suite becomes an error check, never a crash.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "harness/plan.h"
#include "harness/result.h"
#include "harness/suite.h"

namespace greenlight {

struct BuiltSuite {
  std::string name;
  std::unique_ptr<Suite> suite;
};

// Validates and builds the selected suites (all when `only` is empty).
// Throws ConfigError for an unknown suite name or a bad section.
std::vector<BuiltSuite> build_suites(const Plan& plan, const std::vector<SuiteKind>& kinds,
                                     const std::vector<std::string>& only);

struct RunOptions {
  const std::atomic<bool>* cancel = nullptr;
  bool status_line = false;
};

RunResult run_suites(const Plan& plan, std::vector<BuiltSuite>& suites, const RunOptions& options);

// Masks every registered secret in the checks' names, messages and evidence:
// the one pass every check makes on its way to the reports.
void redact_checks(std::vector<Check>& checks, const Redactor& redactor);

// 0 when every check passed, 1 otherwise.
int exit_code(const RunResult& r);

}  // namespace greenlight
