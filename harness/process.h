// Runs an external program (pg_dump, pg_restore, promtool, a team's backup
// script) through Boost.Process: no shell unless asked, a timeout, extra
// environment, output captured up to a bound (the tail is kept: that is where
// tools print their errors), and the Ctrl-C flag honoured.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace greenlight {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0] is looked up on PATH unless it holds a '/'
  std::map<std::string, std::string> env;  // added to (or replacing in) the inherited environment
  std::filesystem::path cwd;               // empty: the current directory
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};
  const std::atomic<bool>* cancel = nullptr;  // set: the child is terminated (SIGTERM, then SIGKILL)
  size_t output_limit = 64 * 1024;           // bytes kept of stdout and of stderr each (the last ones)
  std::optional<std::filesystem::path> stdout_file;  // stream stdout there instead of capturing it
};

struct ProcessResult {
  std::string program;  // argv[0] as given, for failure()
  std::chrono::milliseconds timeout{0};  // the spec's limit, for failure()
  int exit_code = -1;  // 128+N when killed by signal N
  bool timed_out = false;
  bool cancelled = false;
  std::string out, err;  // trimmed to output_limit, "[... N bytes cut]" in front when cut
  double seconds = 0;
  // "pg_dump exited with 1: <last line of stderr that mentions an error, else
  // its last line>", "pg_dump timed out after 30s", "" when exit 0.
  std::string failure() const;
};

// Throws std::runtime_error when the program cannot be started at all
// ("pg_dump: not found on PATH (install postgresql-client)" is the caller's
// to phrase: the message names the program and the OS error).
ProcessResult run_process(const ProcessSpec& spec);

// The full path of `program` on PATH (or on `path`, a PATH value searched
// instead of this process's, e.g. the one a ProcessSpec's env sets), or nullopt.
std::optional<std::filesystem::path> find_program(const std::string& program,
                                                  const std::optional<std::string>& path = std::nullopt);

// Splits a command line the way a POSIX shell splits words (quotes and
// backslashes; no variables, globs or pipes), for --backup-cmd templates.
// Throws std::invalid_argument on an unterminated quote, and on unquoted shell
// syntax (| ; & < > ( ) ` $ #) that would silently become arguments: such a
// command must be written as sh -c '...' or put in a script.
std::vector<std::string> split_command(const std::string& command);

}  // namespace greenlight
