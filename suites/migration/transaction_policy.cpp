// Decides whether a migration part runs inside one transaction, the way the
// tool that owns the files runs it (see transaction_policy.h for the rules
// and why they matter).
#include "suites/migration/transaction_policy.h"

#include "suites/migration/sql_tokens.h"

namespace greenlight {

namespace {

bool has_word(const Statement& s, std::string_view w) {
  for (const auto& t : s.tokens)
    if (t.is(w)) return true;
  return false;
}

// BEGIN, START TRANSACTION, COMMIT, END, ROLLBACK (not ROLLBACK TO a
// savepoint, which stays inside the transaction), ABORT.
bool manages_transaction(const Statement& s) {
  const auto& t = s.tokens;
  if (t.empty()) return false;
  if (t[0].is("begin") || t[0].is("commit") || t[0].is("end") || t[0].is("abort")) return true;
  if (t[0].is("start") && t.size() > 1 && t[1].is("transaction")) return true;
  if (t[0].is("rollback")) {
    for (size_t i = 1; i < t.size(); ++i)
      if (t[i].is("to")) return false;
    return true;
  }
  return false;
}

// Statements PostgreSQL refuses inside a transaction block ("cannot run
// inside a transaction block"); SQLite refuses VACUUM the same way.
bool cannot_run_in_transaction(const Statement& s, Dialect dialect) {
  const auto& t = s.tokens;
  if (t.empty()) return false;
  if (t[0].is("vacuum")) return true;
  if (dialect != Dialect::postgresql) return false;
  auto word = [&](size_t i, std::string_view w) { return i < t.size() && t[i].is(w); };
  if (word(0, "create")) {
    size_t i = 1;
    if (word(i, "unique")) ++i;
    if (word(i, "index")) return word(i + 1, "concurrently");
    return word(1, "database") || word(1, "tablespace");
  }
  if (word(0, "drop")) {
    if (word(1, "index")) return word(2, "concurrently");
    return word(1, "database") || word(1, "tablespace");
  }
  if (word(0, "reindex"))
    return has_word(s, "concurrently") || has_word(s, "system") || has_word(s, "database");
  if (word(0, "alter")) {
    if (word(1, "system")) return true;
    if (word(1, "table")) return has_word(s, "detach") && has_word(s, "concurrently");
  }
  return false;
}

}  // namespace

bool runs_in_transaction(const SqlPart& part, Convention convention, Dialect dialect) {
  if (!part.transaction) return false;
  const std::vector<Statement> statements = split_statements(part.sql, dialect, part.first_line);
  bool non_transactional = false;
  for (const auto& s : statements) {
    if (manages_transaction(s)) return false;
    if (cannot_run_in_transaction(s, dialect)) non_transactional = true;
  }
  if (!non_transactional) return true;
  switch (convention) {
    case Convention::flyway:
    case Convention::plain:
      return false;
    case Convention::golang_migrate:
      // The postgres driver sends the file as one query: PostgreSQL wraps a
      // multi-statement query in one implicit transaction, a single
      // statement not. The sqlite3 driver always wraps the file in BEGIN.
      return dialect == Dialect::sqlite || statements.size() > 1;
    case Convention::dbmate:
      return true;
  }
  return true;
}

}  // namespace greenlight
