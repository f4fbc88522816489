// Runs the greenlight binary as a user would, capturing stdout, stderr and the
// exit code, for end-to-end tests of the command line.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace greenlight::test {

struct CommandResult {
  int exit_code = -1;  // 128 + N when killed by signal N
  std::string out, err;
  long max_rss_kb = 0;   // the child's peak resident set (wait4's ru_maxrss)
  double seconds = 0;    // wall time from fork to exit
};

// Runs GREENLIGHT_BIN with `args`; `env` is added to the environment.
// `while_running` (optional) is called once after start with the child's pid,
// e.g. to send it a signal. The child is killed after `timeout`.
CommandResult run_greenlight(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                             std::function<void(int pid)> while_running = nullptr,
                             std::chrono::seconds timeout = std::chrono::seconds(120));

std::string read_file(const std::string& path);

}  // namespace greenlight::test
