// Statement-by-statement application with file:line errors.
#include "suites/migration/apply.h"

#include <chrono>

#include "suites/migration/sql_tokens.h"
#include "suites/migration/transaction_policy.h"

namespace greenlight {

namespace {

// The first line of a statement, shortened: enough to recognise it in a message.
std::string excerpt(const std::string& sql) {
  std::string first = sql.substr(0, sql.find('\n'));
  if (first.size() > 80) first = first.substr(0, 77) + "...";
  return first;
}

}  // namespace

MigrationError::MigrationError(const std::string& file, int line, const std::string& message)
    : std::runtime_error(file + ":" + std::to_string(line) + ": " + message), file(file), line(line) {}

ApplyResult apply_part(Database& db, const SqlPart& part, Convention convention) {
  const std::string file = part.file.string();
  std::vector<Statement> statements;
  try {
    statements = split_statements(part.sql, db.dialect(), part.first_line);
  } catch (const SqlSyntaxError& e) {
    throw MigrationError(file, e.line, e.what());
  }
  ApplyResult r;
  r.in_transaction = runs_in_transaction(part, convention, db.dialect());
  auto start = std::chrono::steady_clock::now();
  if (r.in_transaction) db.begin();
  for (const Statement& s : statements) {
    try {
      db.exec(s.text);
      ++r.statements;
    } catch (const std::exception& e) {
      if (db.in_transaction()) {
        db.rollback();
      } else {
        // A file that opened its own transaction leaves the connection in it
        // (and on PostgreSQL, aborted). Ending it is cleanup: when there is no
        // transaction, ROLLBACK fails or warns, which changes nothing here.
        try {
          db.exec("ROLLBACK");
        } catch (const std::exception&) {
        }
      }
      throw MigrationError(file, s.line, std::string(e.what()) + " (in " + excerpt(s.text) + ")");
    }
  }
  if (r.in_transaction) {
    try {
      db.commit();
    } catch (const std::exception& e) {
      db.rollback();
      throw MigrationError(file, statements.empty() ? part.first_line : statements.back().line,
                           std::string("commit failed: ") + e.what());
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace greenlight
