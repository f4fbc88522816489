// Runs migration SQL against a scratch database, one statement at a time, so
// that a failure names the file and line of the statement that broke, and in
// one transaction where the owning tool would use one (transaction_policy.h),
// so that a migration failing halfway leaves what the real deploy would leave.
#pragma once

#include <stdexcept>
#include <string>

#include "harness/database.h"
#include "suites/migration/sources.h"

namespace greenlight {

// "db/V2__add_email.sql:7: ERROR: column "email" already exists (in ALTER TABLE users ADD ...)"
struct MigrationError : std::runtime_error {
  std::string file;
  int line = 0;
  MigrationError(const std::string& file, int line, const std::string& message);
};

struct ApplyResult {
  double seconds = 0;
  int statements = 0;
  bool in_transaction = false;
};

// Throws MigrationError (database error or SQL syntax error, with file:line);
// when in a transaction it is rolled back first.
ApplyResult apply_part(Database& db, const SqlPart& part, Convention convention);

}  // namespace greenlight
