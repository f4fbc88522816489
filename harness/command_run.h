// What the single-suite commands (`migrate`, `backup`, `rules`) share after
// their checks ran: secrets masked, one line per check that did not pass,
// the usual reports when asked for (--out), the verdict line and exit code.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "harness/redactor.h"
#include "harness/result.h"

namespace greenlight {

struct CommandRun {
  std::string suite;        // "migration"
  std::string command;      // "migrate verify", for the report's plan field and the verdict line
  std::string target;       // shown in reports (redacted here)
  std::string out_dir;      // empty: no report files
  bool quiet = false;
  bool interrupted = false;
  std::string started_at;   // ISO 8601 UTC
  std::chrono::steady_clock::time_point start;
};

// Prints `checks` (each through `print` when given, else one line per check
// that did not pass), writes reports, prints the verdict; returns the exit
// code (0 passed, 1 failed or interrupted, 2 reports could not be written).
int finish_command_run(const CommandRun& run, std::vector<Check> checks, const Redactor& redactor,
                       const std::function<void(const Check&)>& print = nullptr);

}  // namespace greenlight
