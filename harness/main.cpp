// The greenlight command line: subcommands, their options, exit codes.
//   0 every check passed, 1 a check failed, 2 usage or configuration error.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <curl/curl.h>

#include "harness/commands.h"
#include "harness/config_error.h"
#include "harness/interrupt.h"
#include "harness/plan.h"
#include "harness/profile.h"
#include "harness/run_gate.h"
#include "harness/run_history.h"
#include "harness/runner.h"
#include "harness/status_line.h"
#include "harness/version.h"
#include "reports/metrics_out.h"
#include "reports/reports.h"
#include "suites/all_suites.h"

using namespace greenlight;

namespace {

const char* kUsage = R"(greenlight — is this deployment ready for production? Proves it with evidence.

Usage:
  greenlight run PLAN [options]     run the plan's suites against its target
  greenlight check PLAN             validate the plan only
  greenlight load URL [options]     a load test from the command line (like wrk, wrk2)
  greenlight capacity URL --slo S   the highest request rate the target sustains within its SLOs
  greenlight migrate verify|status|lint --dir DIR ...   rehearse, check and lint schema migrations
  greenlight backup drill|verify|history --db DSN ...   restore drill: back up, restore into scratch, compare
  greenlight rules lint|test|check FILE...              alert rules: lint, promtool-format unit tests, live checks
  greenlight report merge DIR_OR_FILE...                merge the shards of a distributed load test (load --shard i/N)
  greenlight history [options]      past runs, their verdicts and figures; --trend FIGURE for a series
  greenlight --version | --help
  greenlight COMMAND --help         options of one command

Exit codes: 0 all checks passed, 1 a check failed, 2 usage or configuration error.
)";

const char* kRunUsage = R"(Usage: greenlight run PLAN [options]

Runs the suites of PLAN (a YAML plan file, see docs/plan.md) against its target
and writes JUnit XML, JSON and HTML reports.

Options:
  --profile NAME      gate, nightly, capacity, drill or one of the plan's profiles:
                      which suites, their sizes, the regression rules (docs/profiles.md)
  --suite NAME        run only this suite (repeatable, or comma-separated)
  --out DIR           where the reports go (default: reports)
  --target-url URL    verify another deployment with the same plan
  --var NAME=VALUE    set ${var:NAME} (overrides the plan's vars:)
  --revision REV      the deployed revision (e.g. a git commit), kept in the history
  --history FILE      the run history database (default: the plan's history:, else OUT/history.db)
  --baseline RUN_ID   judge regressions against this run instead of the last passing
                      run of the same profile and target
  --no-history        neither record this run nor judge regressions
  --metrics-out FILE  the headline figures in Prometheus text format (textfile collector)
  --quiet             print only the verdict line
  -h, --help          this text

Exit codes: 0 all checks passed, 1 a check failed, 2 usage or configuration error.
)";

const char* kCheckUsage = R"(Usage: greenlight check PLAN [--profile NAME] [--var NAME=VALUE]...

Validates PLAN (and its profiles; with --profile, the plan as that profile
runs it) without contacting the target: exit 0 when it is valid, exit 2 with
FILE:LINE: KEY: MESSAGE when it is not.
)";


struct RunArgs {
  std::string plan;
  std::vector<std::string> suites;
  std::string out = "reports";
  PlanOverrides overrides;
  std::string profile;
  std::string revision;
  std::string history;
  int64_t baseline = 0;
  bool no_history = false;
  std::string metrics_out;
  bool quiet = false;
  bool help = false;
};

RunArgs parse_run_args(int argc, char** argv, int first, bool allow_options) {
  RunArgs a;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") a.help = true;
    else if (allow_options && arg == "--suite") {
      std::string v = value();
      for (size_t p = 0, q; p <= v.size(); p = q + 1) {
        q = v.find(',', p);
        if (q == std::string::npos) q = v.size();
        if (q > p) a.suites.push_back(v.substr(p, q - p));
      }
    } else if (allow_options && arg == "--out") a.out = value();
    else if (allow_options && arg == "--target-url") a.overrides.target_url = value();
    else if (allow_options && arg == "--quiet") a.quiet = true;
    else if (arg == "--profile") a.profile = value();
    else if (allow_options && arg == "--revision") a.revision = value();
    else if (allow_options && arg == "--history") a.history = value();
    else if (allow_options && arg == "--no-history") a.no_history = true;
    else if (allow_options && arg == "--metrics-out") a.metrics_out = value();
    else if (allow_options && arg == "--baseline") {
      std::string v = value();
      char* end = nullptr;
      long long id = std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end || id <= 0) throw UsageError("--baseline needs a run id (see greenlight history), got '" + v + "'");
      a.baseline = id;
    }
    else if (arg == "--var") {
      std::string v = value();
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0) throw UsageError("--var needs NAME=VALUE, got '" + v + "'");
      a.overrides.vars[v.substr(0, eq)] = v.substr(eq + 1);
    }
    else if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg);
    else if (a.plan.empty()) a.plan = arg;
    else throw UsageError("unexpected argument " + arg);
  }
  if (!a.help && a.plan.empty()) throw UsageError("missing the plan file");
  if (a.no_history && (a.baseline > 0 || !a.history.empty()))
    throw UsageError("--no-history cannot go with --history or --baseline");
  return a;
}

void print_summary(const RunResult& run, const ReportPaths& paths, bool quiet) {
  Counts c = count(run);
  if (!quiet) {
    for (const SuiteResult& s : run.suites) {
      for (const Check& k : s.checks) {
        if (k.outcome == Outcome::passed) continue;
        std::printf("  %-7s %s / %s: %s\n", to_string(k.outcome), s.name.c_str(), k.name.c_str(), k.message.c_str());
      }
    }
  }
  std::string v = verdict(run);
  for (auto& ch : v) ch = static_cast<char>(toupper(ch));
  std::printf("%s: %d passed, %d failed, %d skipped, %d errors in %.1fs against %s\n", v.c_str(), c.passed, c.failed,
              c.skipped, c.error, run.duration_s, run.target.c_str());
  if (!quiet) std::printf("reports: %s\n         %s\n         %s\n", paths.html.c_str(), paths.junit.c_str(), paths.json.c_str());
}

std::filesystem::path history_path(const RunArgs& a, const Plan& plan) {
  if (a.no_history) return {};
  if (!a.history.empty()) return a.history;
  if (!plan.history.empty()) return plan.history;
  return std::filesystem::path(a.out) / "history.db";
}

// The last passing drill for --metrics-out: from the history when there is
// one (it holds this run already), else this run's backup suite.
std::optional<double> last_drill_success(const RunGate& gate, const RunResult& run) {
  if (gate.db) {
    try {
      return last_suite_success(*gate.db, run.target, "backup");
    } catch (const std::exception&) {
      // Reported below as a missing figure rather than failing the run's output.
    }
  }
  for (const SuiteResult& s : run.suites) {
    Counts c = count(s);
    if (s.name == "backup" && c.failed + c.error == 0 && c.passed > 0)
      return static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch()).count());
  }
  return std::nullopt;
}

int cmd_run(int argc, char** argv) {
  RunArgs a = parse_run_args(argc, argv, 2, true);
  if (a.help) return std::fputs(kRunUsage, stdout), 0;
  Plan plan = load_plan(a.plan, a.overrides);
  std::optional<Profile> profile;
  if (!a.profile.empty()) profile = apply_profile(plan, a.profile);
  auto suites = build_suites(plan, all_suite_kinds(), a.suites);
  RunGateOptions gate_options;
  gate_options.history = history_path(a, plan);
  gate_options.baseline_id = a.baseline;
  gate_options.profile = a.profile;
  gate_options.target = plan.redactor->redact(plan.target.base_url);
  RunGate gate = open_run_gate(profile ? &*profile : nullptr, gate_options);
  install_interrupt_handler();
  RunOptions options;
  options.cancel = &interrupt_flag();
  options.status_line = StatusLine::stderr_is_tty() && !a.quiet;
  RunResult run = run_suites(plan, suites, options);
  run.profile = a.profile;
  run.revision = a.revision;
  close_run_gate(gate, run, gate_options);
  ReportPaths paths;
  try {
    paths = write_reports(run, a.out);
    if (!a.metrics_out.empty()) write_metrics_file(a.metrics_out, metrics_text(run, last_drill_success(gate, run)));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "greenlight: cannot write reports: %s\n", e.what());
    return 2;
  }
  print_summary(run, paths, a.quiet);
  if (!a.quiet && run.run_id > 0)
    std::printf("history: run #%lld in %s\n", static_cast<long long>(run.run_id), gate.path.c_str());
  return exit_code(run);
}

int cmd_check(int argc, char** argv) {
  RunArgs a = parse_run_args(argc, argv, 2, false);
  if (a.help) return std::fputs(kCheckUsage, stdout), 0;
  Plan plan = load_plan(a.plan, a.overrides);
  check_profiles(plan);
  std::optional<Profile> profile;
  if (!a.profile.empty()) profile = apply_profile(plan, a.profile);
  auto suites = build_suites(plan, all_suite_kinds(), {});
  if (profile) open_run_gate(&*profile, {});  // parses the regression rules
  std::printf("%s: valid plan, %zu suite(s)%s, target %s\n", a.plan.c_str(), suites.size(),
              profile ? (" in profile " + profile->name).c_str() : "", plan.redactor->redact(plan.target.base_url).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  if (argc < 2) return std::fputs(kUsage, stderr), 2;
  std::string cmd = argv[1];
  try {
    if (cmd == "--version" || cmd == "version") return std::printf("greenlight %s\n", kVersion), 0;
    if (cmd == "--help" || cmd == "-h" || cmd == "help") return std::fputs(kUsage, stdout), 0;
    if (cmd == "run") return cmd_run(argc, argv);
    if (cmd == "check") return cmd_check(argc, argv);
    if (cmd == "load") return cmd_load(argc, argv);
    if (cmd == "capacity") return cmd_capacity(argc, argv);
    if (cmd == "migrate") return cmd_migrate(argc, argv);
    if (cmd == "backup") return cmd_backup(argc, argv);
    if (cmd == "rules") return cmd_rules(argc, argv);
    if (cmd == "report") return cmd_report(argc, argv);
    if (cmd == "history") return cmd_history(argc, argv);
    throw UsageError("unknown command '" + cmd + "'");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "greenlight: %s\n\n%s", e.what(), kUsage);
    return 2;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "greenlight: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    // Not expected: suites turn target faults into checks. Say what broke rather than abort.
    std::fprintf(stderr, "greenlight: error: %s\n", e.what());
    return 2;
  }
}
