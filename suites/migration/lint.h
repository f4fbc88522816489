// Static lint of migration SQL for changes that lock or rewrite a busy table,
// break running application code, or cannot be done in place (squawk's rules
// for PostgreSQL, SQLite's ALTER TABLE limits). Works on tokens from
// sql_tokens.h, never on raw text. Tables created in the same migration are
// exempt from lock rules (nobody uses them yet). A statement may silence a rule
// with a comment inside or directly before it:
//   -- greenlight:ignore require-concurrent-index-creation
#pragma once

#include <map>
#include <string>
#include <vector>

#include "suites/migration/sources.h"
#include "suites/migration/sql_tokens.h"

namespace greenlight {

enum class Severity { off, warning, error };
const char* to_string(Severity s);

struct LintRule {
  std::string id;        // "require-concurrent-index-creation"
  Dialect dialect;
  Severity default_severity;
  std::string why;       // one line: what goes wrong in production
  std::string fix;       // one line: what to write instead
};

// Every rule greenlight knows, in a stable order (docs and --help list them).
const std::vector<LintRule>& lint_rules();

struct LintFinding {
  std::string file;  // as given in SqlPart::file
  int line = 0;
  std::string rule;  // rule id, or "syntax-error"
  Severity severity = Severity::error;
  std::string message;  // names the object: "CREATE INDEX users_email_idx on existing table users without CONCURRENTLY"
};

struct LintOptions {
  std::map<std::string, Severity> severity;  // overrides by rule id (Severity::off disables)
  std::string sqlite_version;                // e.g. "3.40.1"; empty: the linked library's
};

// Lints one SQL part (an up or a down). `in_transaction`: whether the runner
// wraps it in a transaction (CONCURRENTLY inside one is an error).
std::vector<LintFinding> lint_sql(const SqlPart& part, Dialect dialect, bool in_transaction,
                                  const LintOptions& options = {});

// Lints every up (and down) of the set.
std::vector<LintFinding> lint_migrations(const MigrationSet& set, Dialect dialect, const LintOptions& options = {});

// "file:line: severity: message [rule-id]"
std::string format_finding(const LintFinding& f);

}  // namespace greenlight
