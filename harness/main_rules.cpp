// `greenlight rules lint|test|check`: the alerts suite from the command line.
#include <chrono>
#include <cstdio>
#include <string>

#include "harness/command_run.h"
#include "harness/commands.h"
#include "harness/timestamp.h"
#include "suites/alerts/alerts_job.h"

namespace greenlight {

namespace {

const char* kRulesUsage = R"(Usage:
  greenlight rules lint FILE...                          errors (exit 1) and warnings (exit 0 unless --strict),
                                                         one per line with file:line and a rule id
  greenlight rules test FILE...                          unit tests in the `promtool test rules` file format
  greenlight rules check --prometheus URL FILE...        live: loaded, healthy, every selector has series,
                                                         what fires now
Options:
  --strict              lint warnings fail too
  --semantics v2|v3     range selectors as Prometheus 2 (default) or 3 (left-open)
  --alertmanager URL    check: also Alertmanager's /api/v2/status
  --gate-severity S     check: a firing alert with severity S fails (repeatable; default critical, page)
  --out DIR             also write greenlight.junit.xml, greenlight.json and greenlight.html to DIR
  --quiet               print only failures and the verdict
Exit codes: 0 all passed, 1 a check failed, 2 usage or configuration error.
)";

struct RulesArgs {
  std::string action;
  std::vector<std::string> files;
  AlertsJob job;
  std::string out;
  bool quiet = false;
  bool help = false;
};

RulesArgs parse_args(int argc, char** argv) {
  RulesArgs a;
  std::vector<std::string> gate;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") a.help = true;
    else if (arg == "--strict") a.job.strict = true;
    else if (arg == "--quiet") a.quiet = true;
    else if (arg == "--out") a.out = value();
    else if (arg == "--prometheus") a.job.live_options.prometheus_url = value();
    else if (arg == "--alertmanager") a.job.live_options.alertmanager_url = value();
    else if (arg == "--gate-severity") gate.push_back(value());
    else if (arg == "--semantics") {
      std::string v = value();
      if (v != "v2" && v != "v3") throw UsageError("--semantics must be v2 or v3, not '" + v + "'");
      a.job.unit.semantics_v3 = v == "v3";
    } else if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg);
    else if (a.action.empty()) a.action = arg;
    else a.files.push_back(arg);
  }
  if (a.help) return a;
  if (a.action != "lint" && a.action != "test" && a.action != "check")
    throw UsageError(a.action.empty() ? "rules needs an action: lint, test or check"
                                      : "unknown rules action '" + a.action + "' (lint, test or check)");
  if (a.files.empty()) throw UsageError("rules " + a.action + " needs at least one file");
  if (!gate.empty()) a.job.live_options.gate_severities = gate;
  if (a.action == "test") a.job.test_files = a.files;
  else a.job.rule_files = a.files;
  if (a.action == "check") {
    if (a.job.live_options.prometheus_url.empty()) throw UsageError("rules check needs --prometheus URL");
    a.job.live = true;
  }
  return a;
}

// Lint prints its findings one per line; the rest one line per check.
void print_check(const Check& c, const std::string& action, bool quiet) {
  if (action == "lint") {
    for (const Evidence& e : c.evidence)
      if (e.label == "findings" && (!quiet || c.outcome != Outcome::passed)) std::fputs(e.text.c_str(), stdout);
    return;
  }
  if (c.outcome == Outcome::passed && quiet) return;
  std::printf("  %-7s %s%s%s\n", to_string(c.outcome), c.name.c_str(), c.message.empty() ? "" : ":\n", c.message.c_str());
}

}  // namespace

int cmd_rules(int argc, char** argv) {
  RulesArgs a = parse_args(argc, argv);
  if (a.help) return std::fputs(kRulesUsage, stdout), 0;
  Redactor redactor;
  CommandRun run{"alerts", "rules " + a.action, a.job.live_options.prometheus_url, a.out, a.quiet};
  run.started_at = iso8601_utc();
  run.start = std::chrono::steady_clock::now();
  std::vector<Check> checks = run_alerts_job(a.job);
  return finish_command_run(run, std::move(checks), redactor, [&](const Check& c) { print_check(c, a.action, a.quiet); });
}

}  // namespace greenlight
