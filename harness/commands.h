// The subcommands that live outside main.cpp, and the error they share for
// bad usage (exit code 2, printed with the usage text).
#pragma once

#include <stdexcept>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace greenlight {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int cmd_load(int argc, char** argv);      // greenlight load URL ...
int cmd_capacity(int argc, char** argv);  // greenlight capacity URL --slo ...
int cmd_migrate(int argc, char** argv);   // greenlight migrate verify|status|lint ...
int cmd_backup(int argc, char** argv);    // greenlight backup drill|verify|history ...
int cmd_rules(int argc, char** argv);     // greenlight rules lint|test|check ...
int cmd_report(int argc, char** argv);    // greenlight report merge DIR_OR_FILE...
int cmd_history(int argc, char** argv);   // greenlight history ...

struct RunResult;
// The end of `load`, `capacity` and `report merge`: writes the summary JSON,
// JUnit and HTML to the paths given (empty: not asked for), prints the
// verdict line and returns the exit code; 2, with `who` in the message, when
// a file cannot be written.
int write_load_outputs(const RunResult& run, const nlohmann::json& summary, const std::string& json,
                       const std::string& junit, const std::string& html, const char* who);

}  // namespace greenlight
