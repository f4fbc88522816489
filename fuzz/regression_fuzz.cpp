// Feeds: the bytes as a regression gate rule ("SELECTOR OP baseline [* FACTOR]
// [+|- SLACK]") to parse_regression_rule (harness/regression.h), then judges a
// small fixed run against a fixed baseline with the rule (the selector glob
// runs over every figure key).
// Asserts beyond "no crash":
//  * the only exception is RegressionError, its 0-based position <= size;
//  * a parsed rule keeps the text, has a non-empty selector, an op of <=, <,
//    >=, >, a positive finite factor and a finite slack;
//  * judging gives at least one check per rule, none of them an error.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.h"
#include "harness/regression.h"

using namespace greenlight;

namespace {

RunResult current_run() {
  RunResult run;
  SuiteResult load;
  load.name = "load";
  Check steady;
  steady.name = "steady: p(99)<50ms at 2000 req/s on /health and /items";
  steady.figures = {{"p50", 3.5, "ms"}, {"p99", 12, "ms"}, {"rps", 1990, "req/s"}, {"error_rate", 0.1, "%"}};
  Check capacity;
  capacity.name = "capacity";
  capacity.figures = {{"capacity", 5200, "req/s"}, {"knee", 4100, "req/s"}};
  load.checks = {steady, capacity};
  SuiteResult backup;
  backup.name = "backup";
  Check drill;
  drill.name = "drill sqlite:///var/lib/app/app.db";
  drill.figures = {{"rto", 12.5, "s"}, {"rpo", 0, "s"}};
  backup.checks = {drill};
  run.suites = {load, backup};
  return run;
}

Baseline baseline() {
  Baseline b;
  b.run.id = 7;
  b.run.started_at = "2024-01-01T00:00:00Z";
  for (const SuiteResult& s : current_run().suites)
    for (const Check& k : s.checks)
      for (const Figure& f : k.figures) b.figures.push_back({figure_key(s.name, k.name, f.name), f.value * 0.9, f.unit});
  b.figures.pop_back();  // one figure the baseline lacks
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  RegressionRule rule;
  try {
    rule = parse_regression_rule(text);
  } catch (const RegressionError& e) {
    FUZZ_ASSERT(e.position <= size);
    return 0;
  }
  FUZZ_ASSERT(rule.text == text);
  FUZZ_ASSERT(!rule.selector.empty());
  FUZZ_ASSERT(rule.op == "<=" || rule.op == "<" || rule.op == ">=" || rule.op == ">");
  FUZZ_ASSERT(std::isfinite(rule.factor) && rule.factor > 0);
  FUZZ_ASSERT(std::isfinite(rule.slack));

  static const RunResult run = current_run();
  static const Baseline base = baseline();
  SuiteResult judged = judge_regressions({rule}, run, base, "");
  FUZZ_ASSERT(!judged.checks.empty());
  for (const Check& c : judged.checks) FUZZ_ASSERT(c.outcome != Outcome::error);
  SuiteResult none = judge_regressions({rule}, run, std::nullopt, "no baseline");
  FUZZ_ASSERT(!none.checks.empty());
  return 0;
}
