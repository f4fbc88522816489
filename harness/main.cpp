// The greenlight command line: subcommands, their options, exit codes.
//   0 every check passed, 1 a check failed, 2 usage or configuration error.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include <curl/curl.h>

#include "harness/config_error.h"
#include "harness/interrupt.h"
#include "harness/plan.h"
#include "harness/runner.h"
#include "harness/status_line.h"
#include "harness/version.h"
#include "reports/reports.h"
#include "suites/all_suites.h"
#include "suites/load/load_plan.h"
#include "suites/load/load_report.h"
#include "suites/load/load_suite.h"

using namespace greenlight;

namespace {

const char* kUsage = R"(greenlight — is this deployment ready for production? Proves it with evidence.

Usage:
  greenlight run PLAN [options]     run the plan's suites against its target
  greenlight check PLAN             validate the plan only
  greenlight load URL [options]     a load test from the command line (like wrk, wrk2)
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

const char* kLoadUsage = R"(Usage: greenlight load URL [options]

Sends HTTP/1.1 load to URL with the native engine and reports throughput, errors
by class and the latency spectrum. Without --rate it is a closed loop at maximum
rate (like wrk); with --rate it is an open model at a constant arrival rate and
latency is measured from each request's intended start (like wrk2), so a stalled
server shows in the percentiles.

Options:
  --duration D          how long (default 10s)
  --connections N       connections (default 64; open model: initial pool, default 16)
  --max-connections N   open model: at most this many connections (default 256)
  --threads N           worker threads (default: the cores)
  --rate R              requests per second (open model)
  --method M, --header 'Name: value', --body TEXT
  --timeout D           per request (default 10s)
  --threshold EXPR      e.g. 'p(99)<50ms', 'error_rate<0.1%', 'rps>=1000' (repeatable): exit 1 when one fails
  --json FILE           load summary (docs/report-json.md)
  --junit FILE, --html FILE   the standard reports, one testcase per threshold
  -h, --help

Exit codes: 0 thresholds held, 1 a threshold failed or nothing completed, 2 usage error.
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

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

Duration duration_arg(const std::string& flag, const std::string& v) {
  auto d = parse_duration(v);
  if (!d) throw UsageError(flag + ": expected a duration such as 30s, got '" + v + "'");
  return *d;
}

double number_arg(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end) throw UsageError(flag + ": expected a number, got '" + v + "'");
  return d;
}

void write_text(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw std::runtime_error("cannot write " + path);
  std::fwrite(text.data(), 1, text.size(), f);
  std::fclose(f);
}

int cmd_load(int argc, char** argv) {
  LoadSpec spec;
  Endpoint endpoint;
  std::vector<Threshold> thresholds;
  std::string json_path, junit_path, html_path;
  bool connections_given = false;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") return std::fputs(kLoadUsage, stdout), 0;
    else if (arg == "--duration") spec.duration_s = duration_arg(arg, value()).count();
    else if (arg == "--connections") spec.connections = static_cast<int>(number_arg(arg, value())), connections_given = true;
    else if (arg == "--max-connections") spec.max_connections = static_cast<int>(number_arg(arg, value()));
    else if (arg == "--threads") spec.threads = static_cast<int>(number_arg(arg, value()));
    else if (arg == "--rate") spec.rate = number_arg(arg, value()), spec.executor = ExecutorKind::constant_arrival_rate;
    else if (arg == "--timeout") spec.timeout_s = duration_arg(arg, value()).count();
    else if (arg == "--method") endpoint.method = value();
    else if (arg == "--body") endpoint.body = value();
    else if (arg == "--header") {
      std::string h = value();
      size_t colon = h.find(':');
      if (colon == std::string::npos) throw UsageError("--header needs 'Name: value', got '" + h + "'");
      endpoint.headers.emplace_back(h.substr(0, colon), h.substr(h.find_first_not_of(' ', colon + 1)));
    } else if (arg == "--threshold") {
      std::string t = value();
      try {
        thresholds.push_back(parse_threshold(t));
      } catch (const ThresholdError& e) {
        throw UsageError("--threshold: " + std::string(e.what()));
      }
    } else if (arg == "--json") json_path = value();
    else if (arg == "--junit") junit_path = value();
    else if (arg == "--html") html_path = value();
    else if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg);
    else if (endpoint.url.empty()) endpoint.url = arg;
    else throw UsageError("unexpected argument " + arg);
  }
  if (endpoint.url.empty()) throw UsageError("missing the URL to load");
  if (endpoint.url.rfind("http://", 0) != 0) throw UsageError("the native engine loads http:// URLs, got '" + endpoint.url + "'");
  bool open = spec.executor == ExecutorKind::constant_arrival_rate;
  if (!connections_given) spec.connections = open ? 16 : 64;
  if (open && spec.max_connections == 0) spec.max_connections = std::max(spec.connections, 256);
  endpoint.name = endpoint.url;
  spec.endpoints.push_back(endpoint);

  install_interrupt_handler();
  StatusLine status(StatusLine::stderr_is_tty());
  auto started = std::chrono::system_clock::now();
  LoadResult result;
  try {
    result = run_with_status(spec, "load", &interrupt_flag(), &status);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  ScenarioOutcome outcome{"load", &spec, &result, judge_thresholds(thresholds, result)};
  std::fputs(load_summary_text(outcome).c_str(), stdout);

  RunResult run;
  run.tool_version = kVersion;
  run.plan_file = "(command line)";
  run.target = endpoint.url;
  std::time_t t = std::chrono::system_clock::to_time_t(started);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  run.started_at = buf;
  run.duration_s = result.duration_s;
  run.interrupted = result.interrupted;
  run.suites.push_back({"load", load_checks(outcome), result.duration_s});
  for (const auto& [th, v] : outcome.thresholds)
    std::printf("  threshold %-24s %s  %s\n", th.text.c_str(), v.passed ? "ok  " : "FAIL", v.message.c_str());
  try {
    if (!json_path.empty()) write_text(json_path, load_summary_json({outcome}).dump(2) + "\n");
    if (!junit_path.empty()) write_text(junit_path, junit_xml(run));
    if (!html_path.empty()) write_text(html_path, html_report(run));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "greenlight: %s\n", e.what());
    return 2;
  }
  std::string v = verdict(run);
  for (auto& ch : v) ch = static_cast<char>(toupper(ch));
  Counts c = count(run);
  std::printf("%s: %d passed, %d failed\n", v.c_str(), c.passed, c.failed + c.error);
  return exit_code(run);
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
    throw UsageError("unknown command '" + cmd + "'");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "greenlight: %s\n\n%s", e.what(), kUsage);
    return 2;
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "greenlight: %s\n", e.what());
    return 2;
  }
}
