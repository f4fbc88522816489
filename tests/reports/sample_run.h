// Shared by the report tests: a RunResult with every outcome and the nastiest
// evidence a target can send, plus small helpers (temp dirs, files, commands).
#pragma once

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

#include <sys/wait.h>

#include "harness/result.h"

namespace greenlight::test {

// Markup, a CDATA terminator, C0 controls (NUL included), ESC and invalid UTF-8:
// everything that breaks a naive XML or HTML writer.
inline std::string hostile_body() {
  return std::string("HTTP/1.1 500 Internal Server Error\r\n\r\n") +
         "<script>document.title='pwned'</script><script>alert(1)</script>\n" + "]]> & \"quoted\" 'single'\n" +
         "ctl:\x01\x02\x1b[31m" + std::string(1, '\0') + "end\n" + "bad utf8: \xff\xfe \xc3( \xed\xa0\x80 ok: caf\xc3\xa9 \xe2\x9c\x93\n";
}

inline constexpr const char* kFailMessage = "expected status 200 from POST /login, got 500";

inline RunResult sample_run() {
  RunResult run;
  run.tool_version = "0.1.0-test";
  run.plan_file = "plans/shop.yaml";
  run.target = "https://shop.example.com/?q=<b>&x='y'";
  run.started_at = "2026-11-21T23:14:58Z";
  run.duration_s = 3.2504;

  SuiteResult smoke;
  smoke.name = "smoke";
  smoke.duration_s = 1.5;
  Check health{"health endpoint answers", Outcome::passed, "", {{"request", "GET /health"}, {"response", "200 OK"}},
               {{"latency", 12.5, "ms"}, {"body_bytes", 41, "bytes"}}, 0.0125};
  Check login{"login returns 200 \"quoted\" 'name' <b>", Outcome::failed, kFailMessage,
              {{"request", "POST /login\nuser=demo"}, {"response", hostile_body()}},
              {{"latency", 230.25, "ms"}}, 0.231};
  Check tls{"certificate valid for 30 days", Outcome::skipped, "skipped: the target is plain http, no certificate to check",
            {}, {}, 0};
  Check version{"version endpoint", Outcome::passed, "", {}, {}, 0.004};
  smoke.checks = {health, login, tls, version};

  SuiteResult db;
  db.name = "database";
  db.duration_s = 0.75;
  Check migrations{"migrations applied", Outcome::error, "suite stopped: connection refused (127.0.0.1:5432)",
                   {{"sql", "SELECT version FROM schema_migrations;\x07"}}, {}, 0.5};
  Check pool{"connection pool", Outcome::passed, "", {}, {{"pool_size", 20, ""}, {"nan_reading", std::numeric_limits<double>::quiet_NaN(), "ms"}}, 0.1};
  db.checks = {migrations, pool};

  run.suites = {smoke, db};
  return run;
}

// A fresh directory removed (with its content) when the test ends.
// Not named TempDir or CommandResult: tests/support has classes of those
// names in this namespace, and test_reports links tests/support/temp_dir.cpp.
// Two different classes with one name are an ODR violation; the linker had
// support's out-of-line ~TempDir() destroy this struct (a std::filesystem::path,
// not a std::string), which leaked the path's components (LeakSanitizer,
// docs/robustness.md).
struct ReportDir {
  std::filesystem::path path;
  ReportDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "greenlight-reports-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~ReportDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  ReportDir(const ReportDir&) = delete;
  ReportDir& operator=(const ReportDir&) = delete;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::filesystem::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary);
  out << content;
}

struct ShellResult {
  int status = -1;  // exit code, or -1 when it did not exit normally
  std::string output;
};

// Runs `cmd` through the shell and captures its stdout.
inline ShellResult run_command(const std::string& cmd) {
  ShellResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

inline bool have_program(const std::string& name) {
  return run_command("command -v " + name + " >/dev/null 2>&1").status == 0;
}

inline size_t occurrences(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + needle.size())) ++n;
  return n;
}

}  // namespace greenlight::test
