// The shared tail of the single-suite commands.
#include "harness/command_run.h"

#include <cctype>
#include <cstdio>

#include "harness/runner.h"
#include "harness/version.h"
#include "reports/reports.h"

namespace greenlight {

int finish_command_run(const CommandRun& cmd, std::vector<Check> checks, const Redactor& redactor,
                       const std::function<void(const Check&)>& print) {
  redact_checks(checks, redactor);
  RunResult run;
  run.tool_version = kVersion;
  run.plan_file = "(command line: " + cmd.command + ")";
  run.target = redactor.redact(redact_dsn(cmd.target));
  run.started_at = cmd.started_at;
  run.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - cmd.start).count();
  run.interrupted = cmd.interrupted;
  run.suites.push_back({cmd.suite, std::move(checks), run.duration_s});

  for (const Check& c : run.suites[0].checks) {
    if (print) {
      print(c);
    } else if (c.outcome != Outcome::passed || !cmd.quiet) {
      std::printf("  %-7s %s%s%s\n", to_string(c.outcome), c.name.c_str(), c.message.empty() ? "" : ": ", c.message.c_str());
    }
  }
  if (!cmd.out_dir.empty()) {
    try {
      ReportPaths paths = write_reports(run, cmd.out_dir);
      if (!cmd.quiet) std::printf("reports: %s\n", paths.html.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "greenlight: cannot write reports: %s\n", e.what());
      return 2;
    }
  }
  std::string v = verdict(run);
  for (auto& ch : v) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  Counts n = count(run);
  std::printf("%s: %d passed, %d failed, %d skipped, %d errors (%s)\n", v.c_str(), n.passed, n.failed, n.skipped,
              n.error, cmd.command.c_str());
  return exit_code(run);
}

}  // namespace greenlight
