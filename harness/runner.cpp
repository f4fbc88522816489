// Suite selection, the global deadline, the suite boundary where exceptions
// become error checks, and interruption.
#include "harness/runner.h"

#include <chrono>
#include <ctime>
#include <set>

#include "harness/config_error.h"
#include "harness/status_line.h"
#include "harness/timestamp.h"
#include "harness/version.h"

namespace greenlight {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::vector<BuiltSuite> build_suites(const Plan& plan, const std::vector<SuiteKind>& kinds,
                                     const std::vector<std::string>& only) {
  std::set<std::string> known;
  for (const SuiteKind& k : kinds) known.insert(k.name);
  std::set<std::string> in_plan;
  for (auto& [name, _] : plan.suites) in_plan.insert(name);
  for (const std::string& name : only) {
    if (!in_plan.count(name)) {
      std::string hint = closest_match(name, in_plan);
      throw ConfigError("--suite " + name + ": the plan " + plan.file + " has no such suite" +
                        (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
  }
  std::vector<BuiltSuite> out;
  for (auto& [name, section] : plan.suites) {
    const SuiteKind* kind = nullptr;
    for (const SuiteKind& k : kinds)
      if (k.name == name) kind = &k;
    if (!kind) {
      std::string hint = closest_match(name, known);
      throw ConfigError(plan.file, section.line(), "suites." + name,
                        "unknown suite '" + name + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    // Every section is validated, selected or not: `check` must catch all errors.
    auto suite = kind->build(section);
    bool selected = only.empty();
    for (const std::string& o : only) selected |= (o == name);
    if (selected) out.push_back({name, std::move(suite)});
  }
  return out;
}

RunResult run_suites(const Plan& plan, std::vector<BuiltSuite>& suites, const RunOptions& options) {
  RunResult run;
  run.tool_version = kVersion;
  run.plan_file = plan.file;
  run.target = plan.redactor->redact(plan.target.base_url);
  run.started_at = iso8601_utc();
  auto start = std::chrono::steady_clock::now();

  StatusLine status(options.status_line);
  SuiteContext ctx;
  ctx.target = plan.target;
  ctx.plan_dir = std::filesystem::absolute(plan.file).parent_path();
  ctx.deadline = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(plan.deadline);
  ctx.cancel = options.cancel;
  ctx.redactor = plan.redactor.get();
  ctx.status = &status;

  for (BuiltSuite& b : suites) {
    auto suite_start = std::chrono::steady_clock::now();
    SuiteResult result;
    if (ctx.cancelled()) {
      result.checks.push_back({b.name, Outcome::skipped, "skipped, because the run was interrupted before this suite"});
    } else if (ctx.past_deadline()) {
      result.checks.push_back({b.name, Outcome::error,
                               "not run: the plan's deadline of " + format_duration(plan.deadline) + " passed before this suite"});
    } else {
      status.set(b.name + ": starting");
      try {
        result = b.suite->run(ctx);
      } catch (const std::exception& e) {
        result.checks.push_back({b.name, Outcome::error, ctx.redactor->redact(std::string("suite stopped: ") + e.what())});
      }
    }
    // The one place every check passes on its way to the reports: secrets a
    // suite registered late (a DSN password, a secret capture) are masked here
    // even where the suite itself did not redact.
    redact_checks(result.checks, *ctx.redactor);
    result.name = b.name;
    result.duration_s = seconds_since(suite_start);
    run.suites.push_back(std::move(result));
  }
  status.clear();
  run.interrupted = ctx.cancelled();
  run.duration_s = seconds_since(start);
  return run;
}

void redact_checks(std::vector<Check>& checks, const Redactor& redactor) {
  for (Check& c : checks) {
    c.name = redactor.redact(c.name);
    c.message = redactor.redact(c.message);
    for (Evidence& e : c.evidence) e.text = redactor.redact(e.text);
  }
}

int exit_code(const RunResult& r) { return passed(r) ? 0 : 1; }

}  // namespace greenlight
