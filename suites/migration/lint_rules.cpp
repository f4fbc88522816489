// The lint's rule catalogue: id, dialect, default severity, why and fix.
// Severity policy: error for what locks or rewrites a busy table, fails
// outright, or breaks the code that is running during the deploy; warning
// for the timeout hygiene rules (the connection may already set them) and
// the type rules (a design choice with a long-term cost, not an outage).
#include <cstring>

#include "suites/migration/lint_internal.h"

namespace greenlight {

namespace {

using lint_detail::RuleKind;

struct Entry {
  LintRule rule;
  RuleKind kind;
};

const std::vector<Entry>& entries() {
  const auto pg = Dialect::postgresql;
  const auto lite = Dialect::sqlite;
  const auto E = Severity::error;
  const auto W = Severity::warning;
  static const std::vector<Entry> all = {
      // PostgreSQL: locks and rewrites.
      {{"require-concurrent-index-creation", pg, E,
        "CREATE INDEX without CONCURRENTLY holds a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits.",
        "CREATE INDEX CONCURRENTLY, in a migration that does not run in a transaction."},
       RuleKind::lock},
      {{"require-concurrent-index-deletion", pg, E,
        "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table: reads and writes wait.",
        "DROP INDEX CONCURRENTLY, in a migration that does not run in a transaction."},
       RuleKind::lock},
      {{"ban-concurrent-index-creation-in-transaction", pg, E,
        "CREATE/DROP INDEX CONCURRENTLY (and REINDEX CONCURRENTLY) cannot run inside a transaction block: the migration fails.",
        "Put the statement in its own migration that runs outside a transaction (Flyway does it by itself; golang-migrate: one statement per file; dbmate: -- migrate:up transaction:false)."},
       RuleKind::fails},
      {{"constraint-missing-not-valid", pg, E,
        "ADD CONSTRAINT CHECK/FOREIGN KEY scans the whole table while blocking writes; VALIDATE in the same transaction keeps that lock for the scan.",
        "ADD CONSTRAINT ... NOT VALID, then ALTER TABLE ... VALIDATE CONSTRAINT in a separate transaction."},
       RuleKind::lock},
      {{"adding-foreign-key-constraint", pg, E,
        "A foreign key added in one step takes SHARE ROW EXCLUSIVE locks on both tables and scans the referencing one: writes to both wait.",
        "ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a separate transaction."},
       RuleKind::lock},
      {{"adding-not-nullable-field", pg, E,
        "ALTER COLUMN ... SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock: reads and writes wait.",
        "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (separate transaction); then SET NOT NULL, which PostgreSQL 12+ proves from the valid CHECK without a scan."},
       RuleKind::lock},
      {{"adding-field-with-default", pg, E,
        "ADD COLUMN with a volatile DEFAULT (random(), gen_random_uuid(), clock_timestamp(), nextval()/serial, unknown functions), a STORED generated or an identity column rewrites the table under an ACCESS EXCLUSIVE lock.",
        "Add the column without the default, ALTER COLUMN ... SET DEFAULT, then backfill existing rows in batches. Constants and stable functions such as now() are fine since PostgreSQL 11."},
       RuleKind::lock},
      {{"changing-column-type", pg, E,
        "ALTER COLUMN ... TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock (and breaks code that expects the old type).",
        "Add a column of the new type, backfill it in batches, switch the code, then drop the old column."},
       RuleKind::lock},
      {{"disallowed-unique-constraint", pg, E,
        "ADD CONSTRAINT ... UNIQUE (or ADD COLUMN ... UNIQUE) builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait.",
        "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX."},
       RuleKind::lock},
      {{"adding-serial-primary-key-field", pg, E,
        "ADD PRIMARY KEY (or ADD COLUMN ... PRIMARY KEY) builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait.",
        "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX."},
       RuleKind::lock},
      // PostgreSQL: changes that break the code running during the deploy.
      {{"adding-required-field", pg, E,
        "ADD COLUMN ... NOT NULL without DEFAULT fails on a table with rows, and inserts from the running code (which does not know the column) fail.",
        "Add it nullable or with a constant DEFAULT; make it NOT NULL after the code writes it."},
       RuleKind::breaking},
      {{"ban-drop-column", pg, E,
        "Dropping a column breaks the running code that still reads or writes it (SELECT * and ORMs included).",
        "Stop using the column in a release first; drop it in a later migration and silence this rule there with a reason."},
       RuleKind::breaking},
      {{"ban-drop-table", pg, E,
        "Dropping a table breaks the running code that still uses it, and its data is gone.",
        "Stop using the table in a release first; drop it in a later migration and silence this rule there with a reason."},
       RuleKind::breaking},
      {{"renaming-column", pg, E,
        "Renaming a column breaks the running code that uses the old name.",
        "Add the new column, write both, backfill, switch reads, then drop the old one."},
       RuleKind::breaking},
      {{"renaming-table", pg, E,
        "Renaming a table breaks the running code that uses the old name.",
        "Create the new table (or a view with the old name), move the code, then drop the old one."},
       RuleKind::breaking},
      {{"ban-truncate-cascade", pg, E,
        "TRUNCATE ... CASCADE also empties every table that references the truncated ones, recursively.",
        "Truncate exactly the tables you mean, without CASCADE."},
       RuleKind::breaking},
      // PostgreSQL: hygiene.
      {{"require-lock-timeout", pg, W,
        "Without lock_timeout a DDL statement queued behind a long transaction waits forever, and every query on the table queues behind it.",
        "SET lock_timeout = '2s' (or SET LOCAL inside a transaction) before the first statement that locks an existing table; retry the migration when it times out."},
       RuleKind::timeout},
      {{"require-statement-timeout", pg, W,
        "Without statement_timeout a slow migration statement holds its locks for as long as it runs.",
        "SET statement_timeout = '60s' (or SET LOCAL inside a transaction) before the first statement that locks an existing table."},
       RuleKind::timeout},
      // PostgreSQL: types.
      {{"prefer-bigint-over-int", pg, W,
        "integer/serial columns overflow at 2,147,483,647; widening one later rewrites the table.",
        "bigint (or bigint GENERATED ALWAYS AS IDENTITY for keys)."},
       RuleKind::type},
      {{"prefer-bigint-over-smallint", pg, W,
        "smallint/smallserial columns overflow at 32,767; widening one later rewrites the table.",
        "bigint (or integer when the range is truly bounded)."},
       RuleKind::type},
      {{"prefer-timestamptz", pg, W,
        "timestamp (without time zone) drops the UTC offset: the same instant written from two time zones is stored as two different values.",
        "timestamptz (timestamp with time zone)."},
       RuleKind::type},
      {{"syntax-error", pg, E,
        "The file cannot be split into statements (unterminated string, quoted identifier, comment, dollar quote or BEGIN ATOMIC body): the migration fails.",
        "Close the construct the message names, at the line it gives."},
       RuleKind::syntax},

      // SQLite: what its ALTER TABLE cannot do.
      {{"sqlite-alter-column", lite, E,
        "SQLite has no ALTER TABLE ... ALTER COLUMN (and only one action per ALTER TABLE): the statement is a syntax error.",
        "Rebuild the table: CREATE TABLE new, INSERT INTO new SELECT ..., DROP TABLE old, ALTER TABLE new RENAME TO old (in one transaction)."},
       RuleKind::fails},
      {{"sqlite-add-constraint", lite, E,
        "SQLite's ALTER TABLE cannot add or drop a constraint (ADD CONSTRAINT, ADD PRIMARY KEY, ADD UNIQUE, ADD CHECK, ADD FOREIGN KEY): syntax error.",
        "For UNIQUE: CREATE UNIQUE INDEX; otherwise rebuild the table with the constraint."},
       RuleKind::fails},
      {{"sqlite-add-column-not-null-without-default", lite, E,
        "ADD COLUMN ... NOT NULL without a non-NULL DEFAULT fails on a table with rows ('Cannot add a NOT NULL column with default value NULL').",
        "Give it a constant DEFAULT, or add it nullable."},
       RuleKind::fails},
      {{"sqlite-add-column-non-constant-default", lite, E,
        "ADD COLUMN with a DEFAULT that is not a constant (CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME, an expression) fails on a table with rows ('Cannot add a column with non-constant default').",
        "Add the column with a constant default (or none) and backfill with UPDATE, or rebuild the table."},
       RuleKind::fails},
      {{"sqlite-add-column-stored-generated", lite, E,
        "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED fails on a table with rows ('cannot add a STORED column').",
        "Add it VIRTUAL, or rebuild the table."},
       RuleKind::fails},
      {{"sqlite-add-column-unique-or-primary-key", lite, E,
        "ADD COLUMN ... UNIQUE or PRIMARY KEY is always rejected ('Cannot add a UNIQUE column').",
        "Add the column plain, then CREATE UNIQUE INDEX on it; a new primary key needs a table rebuild."},
       RuleKind::fails},
      {{"sqlite-drop-column", lite, E,
        "DROP COLUMN needs SQLite 3.35.0, and fails for a column that is (part of) the PRIMARY KEY, UNIQUE, indexed or named in a table-level FOREIGN KEY.",
        "Drop the index first, or rebuild the table without the column."},
       RuleKind::fails},
      {{"sqlite-rename-column", lite, E,
        "RENAME COLUMN needs SQLite 3.25.0: before that it is a syntax error.",
        "Rebuild the table with the new column name."},
       RuleKind::fails},
      {{"ban-drop-column", lite, E,
        "Dropping a column breaks the running code that still reads or writes it.",
        "Stop using the column in a release first; drop it in a later migration and silence this rule there with a reason."},
       RuleKind::breaking},
      {{"ban-drop-table", lite, E,
        "Dropping a table breaks the running code that still uses it, and its data is gone (the rebuild pattern, which renames a new table to the dropped name in the same migration, is not flagged).",
        "Stop using the table in a release first; drop it in a later migration and silence this rule there with a reason."},
       RuleKind::breaking},
      {{"renaming-column", lite, E,
        "Renaming a column breaks the running code that uses the old name.",
        "Add the new column, write both, backfill, switch reads, then drop the old one."},
       RuleKind::breaking},
      {{"renaming-table", lite, E,
        "Renaming a table breaks the running code that uses the old name.",
        "Create the new table (or a view with the old name), move the code, then drop the old one."},
       RuleKind::breaking},
      {{"syntax-error", lite, E,
        "The file cannot be split into statements (unterminated string, quoted identifier, comment or CREATE TRIGGER body): the migration fails.",
        "Close the construct the message names, at the line it gives."},
       RuleKind::syntax},
  };
  return all;
}

}  // namespace

const char* to_string(Severity s) {
  switch (s) {
    case Severity::off: return "off";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
  }
  return "error";
}

const std::vector<LintRule>& lint_rules() {
  static const std::vector<LintRule> rules = [] {
    std::vector<LintRule> out;
    for (const auto& e : entries()) out.push_back(e.rule);
    return out;
  }();
  return rules;
}

std::string format_finding(const LintFinding& f) {
  return f.file + ":" + std::to_string(f.line) + ": " + to_string(f.severity) + ": " + f.message + " [" + f.rule + "]";
}

namespace lint_detail {

RuleKind rule_kind(const std::string& id) {
  for (const auto& e : entries())
    if (e.rule.id == id) return e.kind;
  return RuleKind::lock;
}

const LintRule* find_rule(const std::string& id, Dialect dialect) {
  for (const auto& e : entries())
    if (e.rule.id == id && e.rule.dialect == dialect) return &e.rule;
  return nullptr;
}

}  // namespace lint_detail

}  // namespace greenlight
