// The greenlight command line: subcommands, their options, exit codes.
//   0 every check passed, 1 a check failed, 2 usage or configuration error.
#include <cstdio>
#include <string>
#include <vector>

#include <curl/curl.h>

#include "harness/commands.h"
#include "harness/config_error.h"
#include "harness/interrupt.h"
#include "harness/plan.h"
#include "harness/runner.h"
#include "harness/status_line.h"
#include "harness/version.h"
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
  greenlight --version | --help
  greenlight COMMAND --help         options of one command

Exit codes: 0 all checks passed, 1 a check failed, 2 usage or configuration error.
)";

const char* kRunUsage = R"(Usage: greenlight run PLAN [options]

Runs the suites of PLAN (a YAML plan file, see docs/plan.md) against its target
and writes JUnit XML, JSON and HTML reports.

Options:
  --suite NAME        run only this suite (repeatable, or comma-separated)
  --out DIR           where the reports go (default: reports)
  --target-url URL    verify another deployment with the same plan
  --var NAME=VALUE    set ${var:NAME} (overrides the plan's vars:)
  --quiet             print only the verdict line
  -h, --help          this text

Exit codes: 0 all checks passed, 1 a check failed, 2 usage or configuration error.
)";

const char* kCheckUsage = R"(Usage: greenlight check PLAN [--var NAME=VALUE]...

Validates PLAN without contacting the target: exit 0 when it is valid,
exit 2 with FILE:LINE: KEY: MESSAGE when it is not.
)";


struct RunArgs {
  std::string plan;
  std::vector<std::string> suites;
  std::string out = "reports";
  PlanOverrides overrides;
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

int cmd_run(int argc, char** argv) {
  RunArgs a = parse_run_args(argc, argv, 2, true);
  if (a.help) return std::fputs(kRunUsage, stdout), 0;
  Plan plan = load_plan(a.plan, a.overrides);
  auto suites = build_suites(plan, all_suite_kinds(), a.suites);
  install_interrupt_handler();
  RunOptions options;
  options.cancel = &interrupt_flag();
  options.status_line = StatusLine::stderr_is_tty() && !a.quiet;
  RunResult run = run_suites(plan, suites, options);
  ReportPaths paths;
  try {
    paths = write_reports(run, a.out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "greenlight: cannot write reports: %s\n", e.what());
    return 2;
  }
  print_summary(run, paths, a.quiet);
  return exit_code(run);
}

int cmd_check(int argc, char** argv) {
  RunArgs a = parse_run_args(argc, argv, 2, false);
  if (a.help) return std::fputs(kCheckUsage, stdout), 0;
  Plan plan = load_plan(a.plan, a.overrides);
  auto suites = build_suites(plan, all_suite_kinds(), {});
  std::printf("%s: valid plan, %zu suite(s), target %s\n", a.plan.c_str(), suites.size(),
              plan.redactor->redact(plan.target.base_url).c_str());
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
