// The shape every suite has from outside: built from its plan section (which
// it validates, throwing ConfigError), then run against the target to give a
// SuiteResult. Whatever the target does wrong becomes a failed check inside
// the suite; an exception escaping run() is caught by the runner and reported
// as an error check.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness/plan.h"
#include "harness/result.h"

namespace greenlight {

class StatusLine;

struct SuiteContext {
  Target target;
  std::filesystem::path plan_dir;  // relative paths in the plan are relative to this
  std::chrono::steady_clock::time_point deadline;
  const std::atomic<bool>* cancel = nullptr;  // set on Ctrl-C: stop soon, return what ran
  Redactor* redactor = nullptr;
  StatusLine* status = nullptr;  // may be null

  bool cancelled() const { return cancel && cancel->load(); }
  bool past_deadline() const { return std::chrono::steady_clock::now() >= deadline; }
};

class Suite {
 public:
  virtual ~Suite() = default;
  virtual SuiteResult run(const SuiteContext& ctx) = 0;
};

// name -> builder from the plan section.
struct SuiteKind {
  std::string name;
  std::function<std::unique_ptr<Suite>(const PlanNode& section)> build;
};

}  // namespace greenlight
