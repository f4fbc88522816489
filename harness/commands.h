// The subcommands that live outside main.cpp, and the error they share for
// bad usage (exit code 2, printed with the usage text).
#pragma once

#include <stdexcept>

namespace greenlight {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int cmd_load(int argc, char** argv);      // greenlight load URL ...
int cmd_capacity(int argc, char** argv);  // greenlight capacity URL --slo ...
int cmd_migrate(int argc, char** argv);   // greenlight migrate verify|status|lint ...
int cmd_backup(int argc, char** argv);    // greenlight backup drill|verify|history ...
int cmd_rules(int argc, char** argv);     // greenlight rules lint|test|check ...

}  // namespace greenlight
