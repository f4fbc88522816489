// Running a command-line tool (openssl, sqlite3, ...) to completion and
// collecting its exit code and output, for setup steps and assertions.
#pragma once

#include <string>
#include <vector>

namespace greenlight::test {

struct ToolResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// `program` is looked up in PATH unless it contains a '/'. Throws when it
// cannot be started at all.
ToolResult run_tool(const std::string& program, const std::vector<std::string>& args);

// The rows of `sql` run by the sqlite3 CLI on `db_path` (a separate process,
// read-only, the way greenlight itself reads a target's database); one row a
// line, columns separated by '|', trailing newline removed. Throws on failure.
std::string sqlite_query(const std::string& db_path, const std::string& sql);

}  // namespace greenlight::test
