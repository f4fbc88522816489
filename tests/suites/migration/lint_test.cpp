// Tests of the migration lint. For every rule: a bad example that is caught
// (file, line, rule id and object in the finding) and its fix, which lints
// clean. Then the examples go to real databases: every PostgreSQL example is
// run on a PostgreSQL 15 server the test starts, every SQLite one on a real
// SQLite file; where a rule says "SQLite rejects this", SQLite must reject
// the bad example, and accept the fix. Plus exemptions, suppression comments,
// severities, transactions, and lint_migrations over a whole set.
#include "suites/migration/lint.h"

#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include <fstream>
#include <set>
#include <sstream>

#include "suites/migration/sql_tokens.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;

namespace {

const Dialect kPg = Dialect::postgresql;
const Dialect kLite = Dialect::sqlite;

// Timeouts first, as every clean PostgreSQL migration should.
#define TIMEOUTS "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\n"

struct Case {
  const char* rule;
  Dialect dialect;
  const char* bad;
  int bad_line;
  const char* object;  // the finding's message must name it
  const char* good;
  bool bad_in_transaction = true;
  bool good_in_transaction = true;
  // Non-empty: the real database must reject the bad example with this.
  const char* rejected_with = "";
  const char* sqlite_version = "";
};

// Tables the examples work on: they exist before the migration.
const char* const kPgSchema = R"(
CREATE TABLE users (id bigint PRIMARY KEY, email text, name text, age integer, created_at timestamptz, legacy text);
CREATE INDEX users_name_idx ON users (name);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, total numeric, note text);
CREATE TABLE accounts (id bigint PRIMARY KEY, balance numeric);
CREATE TABLE visits (id bigint NOT NULL, path text);
)";

const char* const kSqliteSchema = R"(
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT, legacy TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id), note TEXT);
INSERT INTO users (email, name, legacy) VALUES ('a@example.com', 'Ann', 'x');
INSERT INTO orders (user_id, note) VALUES (1, 'first');
)";

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      // ---- PostgreSQL ----
      {"require-concurrent-index-creation", kPg, "CREATE INDEX users_email_idx ON users (email);", 1, "users_email_idx",
       TIMEOUTS "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);", false, false},
      {"require-concurrent-index-deletion", kPg, "SET lock_timeout = '2s';\nDROP INDEX users_name_idx;", 2, "users_name_idx",
       TIMEOUTS "DROP INDEX CONCURRENTLY users_name_idx;", false, false},
      {"ban-concurrent-index-creation-in-transaction", kPg,
       "CREATE TABLE audit (id bigint PRIMARY KEY);\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);", 2,
       "users_email_idx", TIMEOUTS "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);", true, false,
       "cannot run inside a transaction block"},
      {"constraint-missing-not-valid", kPg,
       "ALTER TABLE accounts ADD CONSTRAINT positive_balance CHECK (balance >= 0);", 1, "positive_balance",
       TIMEOUTS
       "ALTER TABLE accounts ADD CONSTRAINT positive_balance CHECK (balance >= 0) NOT VALID;\n"
       "ALTER TABLE accounts VALIDATE CONSTRAINT positive_balance;",
       true, false},
      {"adding-foreign-key-constraint", kPg,
       "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);", 1,
       "orders_user_fk",
       TIMEOUTS
       "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n"
       "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
       true, false},
      {"adding-not-nullable-field", kPg, "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", 1, "users.email",
       TIMEOUTS
       "ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n"
       "ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\n"
       "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
       "ALTER TABLE users DROP CONSTRAINT users_email_not_null;",
       true, false},
      {"adding-field-with-default", kPg, "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();", 1,
       "users.token",
       TIMEOUTS
       "ALTER TABLE users ADD COLUMN token uuid;\n"
       "ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();"},
      {"changing-column-type", kPg, "ALTER TABLE users ALTER COLUMN age TYPE bigint;", 1, "users.age",
       TIMEOUTS "ALTER TABLE users ADD COLUMN age_v2 bigint;"},
      {"disallowed-unique-constraint", kPg, "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", 1,
       "users_email_key",
       TIMEOUTS
       "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);\n"
       "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;",
       true, false},
      {"adding-serial-primary-key-field", kPg, "ALTER TABLE visits ADD CONSTRAINT visits_pkey PRIMARY KEY (id);", 1,
       "visits_pkey",
       TIMEOUTS
       "CREATE UNIQUE INDEX CONCURRENTLY visits_pkey ON visits (id);\n"
       "ALTER TABLE visits ADD CONSTRAINT visits_pkey PRIMARY KEY USING INDEX visits_pkey;",
       true, false},
      {"adding-required-field", kPg, "ALTER TABLE users ADD COLUMN nickname text NOT NULL;", 1, "users.nickname",
       TIMEOUTS "ALTER TABLE users ADD COLUMN nickname text NOT NULL DEFAULT '';"},
      {"ban-drop-column", kPg, "ALTER TABLE users DROP COLUMN legacy;", 1, "users.legacy",
       TIMEOUTS "-- greenlight:ignore ban-drop-column (unused since release 41)\nALTER TABLE users DROP COLUMN legacy;"},
      {"ban-drop-table", kPg, "DROP TABLE orders;", 1, "orders",
       TIMEOUTS "-- greenlight:ignore ban-drop-table: moved to the billing service in release 40\nDROP TABLE orders;"},
      {"renaming-column", kPg, "ALTER TABLE users RENAME COLUMN name TO full_name;", 1, "users.name",
       TIMEOUTS "ALTER TABLE users ADD COLUMN full_name text;"},
      {"renaming-table", kPg, "ALTER TABLE orders RENAME TO purchases;", 1, "orders",
       TIMEOUTS "CREATE TABLE purchases (id bigint PRIMARY KEY, user_id bigint, total numeric);"},
      {"ban-truncate-cascade", kPg, "TRUNCATE orders CASCADE;", 1, "orders", TIMEOUTS "TRUNCATE orders;"},
      {"require-lock-timeout", kPg, "SET statement_timeout = '60s';\n\nALTER TABLE users ADD COLUMN bio text;", 3, "users",
       TIMEOUTS "ALTER TABLE users ADD COLUMN bio text;"},
      {"require-statement-timeout", kPg, "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN bio text;", 2, "users",
       "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ADD COLUMN bio text;"},
      {"prefer-bigint-over-int", kPg, "CREATE TABLE counters (id integer PRIMARY KEY, hits bigint);", 1, "counters.id",
       "CREATE TABLE counters (id bigint PRIMARY KEY, hits bigint);"},
      {"prefer-bigint-over-smallint", kPg, "CREATE TABLE ratings (id bigint PRIMARY KEY, stars smallint);", 1,
       "ratings.stars", "CREATE TABLE ratings (id bigint PRIMARY KEY, stars bigint);"},
      {"prefer-timestamptz", kPg,
       "CREATE TABLE audit_log (id bigint PRIMARY KEY,\n  happened_at timestamp(3) without time zone);", 1,
       "audit_log.happened_at", "CREATE TABLE audit_log (id bigint PRIMARY KEY,\n  happened_at timestamptz(3));"},
      {"syntax-error", kPg,
       TIMEOUTS "CREATE FUNCTION one() RETURNS bigint LANGUAGE plpgsql AS $body$\nBEGIN RETURN 1; END;\n", 3, "$body$",
       TIMEOUTS "CREATE FUNCTION one() RETURNS bigint LANGUAGE plpgsql AS $body$\nBEGIN RETURN 1; END;\n$body$;", true,
       true, "unterminated dollar-quoted string"},

      // ---- SQLite ----
      {"sqlite-alter-column", kLite, "ALTER TABLE users ALTER COLUMN name SET NOT NULL;", 1, "users.name",
       "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT NOT NULL DEFAULT '', legacy TEXT);\n"
       "INSERT INTO users_new (id, email, name, legacy) SELECT id, email, coalesce(name, ''), legacy FROM users;\n"
       "DROP TABLE users;\n"
       "ALTER TABLE users_new RENAME TO users;",
       true, true, "syntax error"},
      {"sqlite-add-constraint", kLite, "ALTER TABLE users ADD UNIQUE (name);", 1, "users",
       "CREATE UNIQUE INDEX users_name_key ON users (name);", true, true, "syntax error"},
      {"sqlite-add-column-not-null-without-default", kLite, "ALTER TABLE users ADD COLUMN nickname TEXT NOT NULL;", 1,
       "users.nickname", "ALTER TABLE users ADD COLUMN nickname TEXT NOT NULL DEFAULT '';", true, true,
       "Cannot add a NOT NULL column with default value NULL"},
      {"sqlite-add-column-non-constant-default", kLite,
       "ALTER TABLE users ADD COLUMN created_at TEXT DEFAULT CURRENT_TIMESTAMP;", 1, "users.created_at",
       "ALTER TABLE users ADD COLUMN created_at TEXT;\nUPDATE users SET created_at = CURRENT_TIMESTAMP;", true, true,
       "Cannot add a column with non-constant default"},
      {"sqlite-add-column-stored-generated", kLite,
       "ALTER TABLE users ADD COLUMN domain TEXT GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) STORED;", 1,
       "users.domain",
       "ALTER TABLE users ADD COLUMN domain TEXT GENERATED ALWAYS AS (substr(email, instr(email, '@') + 1)) VIRTUAL;",
       true, true, "cannot add a STORED column"},
      {"sqlite-add-column-unique-or-primary-key", kLite, "ALTER TABLE users ADD COLUMN code TEXT UNIQUE;", 1,
       "users.code", "ALTER TABLE users ADD COLUMN code TEXT;\nCREATE UNIQUE INDEX users_code_key ON users (code);", true,
       true, "Cannot add a UNIQUE column"},
      {"sqlite-drop-column", kLite,
       "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT UNIQUE, color TEXT);\nALTER TABLE tags DROP COLUMN name;", 2,
       "tags.name", "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT UNIQUE, color TEXT);\nALTER TABLE tags DROP COLUMN color;",
       true, true, "cannot drop UNIQUE column"},
      {"sqlite-rename-column", kLite, "ALTER TABLE users RENAME COLUMN name TO full_name;", 1, "users.name",
       "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT UNIQUE, full_name TEXT, legacy TEXT);\n"
       "INSERT INTO users_new SELECT id, email, name, legacy FROM users;\n"
       "DROP TABLE users;\n"
       "ALTER TABLE users_new RENAME TO users;",
       true, true, "", "3.24.0"},
      {"ban-drop-column", kLite, "ALTER TABLE users DROP COLUMN legacy;", 1, "users.legacy",
       "-- greenlight:ignore ban-drop-column (unused since release 41)\nALTER TABLE users DROP COLUMN legacy;"},
      {"ban-drop-table", kLite, "DROP TABLE orders;", 1, "orders",
       "/* greenlight:ignore ban-drop-table */\nDROP TABLE orders;"},
      {"renaming-column", kLite, "ALTER TABLE users RENAME COLUMN name TO full_name;", 1, "users.name",
       "ALTER TABLE users ADD COLUMN full_name TEXT;"},
      {"renaming-table", kLite, "ALTER TABLE orders RENAME TO purchases;", 1, "orders",
       "CREATE TABLE purchases (id INTEGER PRIMARY KEY, user_id INTEGER, note TEXT);"},
      {"syntax-error", kLite, "CREATE TABLE t (id INTEGER);\nCREATE TRIGGER trg AFTER INSERT ON users\nBEGIN\n  UPDATE users SET name = 'x';\n",
       3, "CREATE TRIGGER",
       "CREATE TRIGGER trg AFTER INSERT ON users\nBEGIN\n  UPDATE users SET name = 'x' WHERE id = new.id;\nEND;", true, true,
       "incomplete input"},
  };
  return all;
}

SqlPart part(const std::string& sql, const std::string& file = "db/migrations/V7__change.sql") {
  SqlPart p;
  p.file = file;
  p.sql = sql;
  return p;
}

std::vector<LintFinding> lint(const std::string& sql, Dialect d, bool in_transaction = true, LintOptions options = {}) {
  return lint_sql(part(sql), d, in_transaction, options);
}

std::vector<LintFinding> of_rule(const std::vector<LintFinding>& all, const std::string& rule) {
  std::vector<LintFinding> out;
  for (const auto& f : all)
    if (f.rule == rule) out.push_back(f);
  return out;
}

std::string dump(const std::vector<LintFinding>& findings) {
  std::string out;
  for (const auto& f : findings) out += format_finding(f) + "\n";
  return out.empty() ? "(no findings)" : out;
}

LintOptions options_for(const Case& c) {
  LintOptions o;
  o.sqlite_version = c.sqlite_version;
  return o;
}

void run_sqlite(const std::string& path, const std::string& sql) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(kSqliteSchema);
  db.exec(sql);
}

// Runs a migration the way its runner would: inside one transaction as one
// multi-statement query (golang-migrate), or statement by statement.
void run_postgres(const test::PostgresServer& pg, const std::string& db, const std::string& sql, bool in_transaction) {
  if (in_transaction) return pg.exec(sql, db);
  for (const auto& s : split_statements(sql, kPg)) pg.exec(s.text, db);
}

}  // namespace

TEST_CASE("every rule has a bad example and a fix", "[migration][lint]") {
  std::set<std::pair<std::string, Dialect>> covered;
  for (const auto& c : cases()) covered.insert({c.rule, c.dialect});
  for (const auto& r : lint_rules()) {
    INFO(r.id << " (" << (r.dialect == kPg ? "postgresql" : "sqlite") << ")");
    CHECK(covered.count({r.id, r.dialect}) == 1);
  }
}

TEST_CASE("docs/migration-lint.md lists every rule", "[migration][lint]") {
  std::ifstream in(std::string(SOURCE_DIR) + "/docs/migration-lint.md");
  REQUIRE(in);
  std::stringstream doc;
  doc << in.rdbuf();
  for (const auto& r : lint_rules()) {
    INFO(r.id);
    CHECK_THAT(doc.str(), Catch::Contains("| `" + r.id + "` | " + to_string(r.default_severity) + " | " + r.why));
  }
}

TEST_CASE("other locking statements need the timeouts too", "[migration][lint]") {
  for (const char* sql : {"LOCK TABLE orders IN ACCESS EXCLUSIVE MODE;", "VACUUM (FULL, ANALYZE) orders;", "VACUUM FULL orders;",
                          "CLUSTER orders USING orders_pkey;", "REINDEX TABLE orders;",
                          "CREATE TRIGGER t BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION f();",
                          "REFRESH MATERIALIZED VIEW order_totals;", "DROP TABLE orders;", "TRUNCATE orders;"}) {
    INFO(sql);
    auto f = of_rule(lint(sql, kPg), "require-lock-timeout");
    REQUIRE(f.size() == 1);
    CHECK_THAT(f[0].message, Catch::Contains("orders") || Catch::Contains("order_totals"));
  }
  for (const char* sql : {"VACUUM orders;", "REINDEX TABLE CONCURRENTLY orders;", "REFRESH MATERIALIZED VIEW CONCURRENTLY order_totals;",
                          "CREATE INDEX CONCURRENTLY orders_idx ON orders (note);", "SELECT 1;", "INSERT INTO orders VALUES (1);"}) {
    INFO(sql);
    CHECK(of_rule(lint(sql, kPg, false), "require-lock-timeout").empty());
  }
}

TEST_CASE("each bad example is caught and its fix lints clean", "[migration][lint]") {
  for (const auto& c : cases()) {
    INFO("rule " << c.rule << "\nbad:\n" << c.bad);
    auto findings = lint_sql(part(c.bad), c.dialect, c.bad_in_transaction, options_for(c));
    auto hits = of_rule(findings, c.rule);
    INFO("findings:\n" << dump(findings));
    REQUIRE(hits.size() >= 1);
    const LintFinding& f = hits.front();
    CHECK(f.file == "db/migrations/V7__change.sql");
    CHECK(f.line == c.bad_line);
    CHECK_THAT(f.message, Catch::Contains(c.object));
    CHECK_THAT(format_finding(f), Catch::StartsWith("db/migrations/V7__change.sql:" + std::to_string(c.bad_line) + ": "));
    CHECK_THAT(format_finding(f), Catch::EndsWith("[" + std::string(c.rule) + "]"));

    INFO("good:\n" << c.good);
    auto clean = lint_sql(part(c.good), c.dialect, c.good_in_transaction, options_for(c));
    INFO("findings on the fix:\n" << dump(clean));
    CHECK(clean.empty());
  }
}

TEST_CASE("the PostgreSQL examples are real SQL that PostgreSQL 15 runs", "[migration][lint][postgres]") {
  test::PostgresServer pg;
  pg.create_database("base");
  pg.exec(kPgSchema, "base");
  int n = 0;
  for (const auto& c : cases()) {
    if (c.dialect != kPg) continue;
    INFO("rule " << c.rule);
    const std::string good_db = "good_" + std::to_string(n), bad_db = "bad_" + std::to_string(n);
    ++n;
    pg.exec("CREATE DATABASE " + good_db + " TEMPLATE base");
    pg.exec("CREATE DATABASE " + bad_db + " TEMPLATE base");
    INFO("good:\n" << c.good);
    CHECK_NOTHROW(run_postgres(pg, good_db, c.good, c.good_in_transaction));
    INFO("bad:\n" << c.bad);
    if (*c.rejected_with) {
      // Sent whole, as the runner does: PostgreSQL must refuse it.
      CHECK_THROWS_WITH(pg.exec(c.bad, bad_db), Catch::Contains(c.rejected_with));
    } else {
      CHECK_NOTHROW(run_postgres(pg, bad_db, c.bad, c.bad_in_transaction));
    }
  }
}

TEST_CASE("the SQLite examples are judged by a real SQLite", "[migration][lint][sqlite]") {
  test::TempDir dir;
  int n = 0;
  for (const auto& c : cases()) {
    if (c.dialect != kLite) continue;
    INFO("rule " << c.rule << "\ngood:\n" << c.good);
    CHECK_NOTHROW(run_sqlite(dir.file("good" + std::to_string(n) + ".db"), c.good));
    INFO("bad:\n" << c.bad);
    if (*c.rejected_with) CHECK_THROWS_WITH(run_sqlite(dir.file("bad" + std::to_string(n) + ".db"), c.bad), Catch::Contains(c.rejected_with));
    else CHECK_NOTHROW(run_sqlite(dir.file("bad" + std::to_string(n) + ".db"), c.bad));
    ++n;
  }
  // Several actions in one ALTER TABLE: flagged, and SQLite refuses them.
  const std::string multi = "ALTER TABLE users ADD COLUMN a TEXT, ADD COLUMN b TEXT;";
  CHECK(of_rule(lint(multi, kLite), "sqlite-alter-column").size() == 1);
  CHECK_THROWS_WITH(run_sqlite(dir.file("multi.db"), multi), Catch::Contains("syntax error"));
  // The same NOT NULL column on a table created empty in the same migration
  // works, and is not flagged; once rows are inserted first, it fails and is.
  const std::string empty_table = "CREATE TABLE notes (id INTEGER PRIMARY KEY);\nALTER TABLE notes ADD COLUMN body TEXT NOT NULL;";
  CHECK(lint(empty_table, kLite).empty());
  CHECK_NOTHROW(run_sqlite(dir.file("empty.db"), empty_table));
  const std::string filled = "CREATE TABLE notes (id INTEGER PRIMARY KEY);\nINSERT INTO notes VALUES (1);\nALTER TABLE notes ADD COLUMN body TEXT NOT NULL;";
  CHECK(of_rule(lint(filled, kLite), "sqlite-add-column-not-null-without-default").size() == 1);
  CHECK_THROWS_WITH(run_sqlite(dir.file("filled.db"), filled), Catch::Contains("NOT NULL column"));
  // An index in the same migration makes a column undroppable too.
  const std::string indexed = "CREATE TABLE tags (id INTEGER PRIMARY KEY, color TEXT);\nCREATE INDEX tags_color ON tags (color);\nALTER TABLE tags DROP COLUMN color;";
  auto f = of_rule(lint(indexed, kLite), "sqlite-drop-column");
  REQUIRE(f.size() == 1);
  CHECK_THAT(f[0].message, Catch::Contains("indexed by tags_color"));
  CHECK_THROWS_WITH(run_sqlite(dir.file("indexed.db"), indexed), Catch::Contains("tags_color"));
  CHECK(lint("CREATE TABLE tags (id INTEGER PRIMARY KEY, color TEXT);\nCREATE INDEX tags_color ON tags (color);\n"
             "DROP INDEX tags_color;\nALTER TABLE tags DROP COLUMN color;",
             kLite)
            .empty());
  // A table-level FOREIGN KEY pins its column; a column-level REFERENCES
  // goes away with the column.
  const std::string table_fk = "CREATE TABLE items (id INTEGER PRIMARY KEY, user_id INTEGER, FOREIGN KEY (user_id) REFERENCES users (id));\n"
                               "ALTER TABLE items DROP COLUMN user_id;";
  CHECK(of_rule(lint(table_fk, kLite), "sqlite-drop-column").size() == 1);
  CHECK_THROWS_WITH(run_sqlite(dir.file("table_fk.db"), table_fk), Catch::Contains("foreign key"));
  const std::string column_fk = "CREATE TABLE items (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\n"
                                "ALTER TABLE items DROP COLUMN user_id;";
  CHECK(lint(column_fk, kLite).empty());
  CHECK_NOTHROW(run_sqlite(dir.file("column_fk.db"), column_fk));
  // A composite primary key pins every column in it.
  const std::string composite = "CREATE TABLE pairs (a INTEGER, b INTEGER, PRIMARY KEY (a, b));\nALTER TABLE pairs DROP COLUMN b;";
  CHECK(of_rule(lint(composite, kLite), "sqlite-drop-column").size() == 1);
  CHECK_THROWS_WITH(run_sqlite(dir.file("composite.db"), composite), Catch::Contains("PRIMARY KEY"));
  // Constant defaults SQLite accepts on a table with rows are not flagged.
  for (const char* d : {"'x'", "-1", "(2)", "NULL", "x'00'", "TRUE", "((3))"}) {
    const std::string sql = std::string("ALTER TABLE users ADD COLUMN c TEXT DEFAULT ") + d + ";";
    INFO(sql);
    CHECK(lint(sql, kLite).empty());
    CHECK_NOTHROW(run_sqlite(dir.file("const" + std::to_string(n++) + ".db"), sql));
  }
  for (const char* d : {"(1 + 1)", "CURRENT_DATE", "(datetime('now'))", "('a' || 'b')"}) {
    const std::string sql = std::string("ALTER TABLE users ADD COLUMN c TEXT DEFAULT ") + d + ";";
    INFO(sql);
    CHECK(of_rule(lint(sql, kLite), "sqlite-add-column-non-constant-default").size() == 1);
    CHECK_THROWS_WITH(run_sqlite(dir.file("const" + std::to_string(n++) + ".db"), sql), Catch::Contains("non-constant default"));
  }
}

TEST_CASE("SQLite version gates DROP COLUMN and RENAME COLUMN", "[migration][lint][sqlite]") {
  LintOptions old_sqlite;
  old_sqlite.sqlite_version = "3.34.1";
  auto f = of_rule(lint("ALTER TABLE users DROP COLUMN legacy;", kLite, true, old_sqlite), "sqlite-drop-column");
  REQUIRE(f.size() == 1);
  CHECK_THAT(f[0].message, Catch::Contains("3.35.0") && Catch::Contains("3.34.1") && Catch::Contains("users.legacy"));
  LintOptions new_sqlite;
  new_sqlite.sqlite_version = "3.35.0";
  CHECK(of_rule(lint("ALTER TABLE users DROP COLUMN legacy;", kLite, true, new_sqlite), "sqlite-drop-column").empty());
  // Empty: the linked library's version, which has both.
  CHECK(of_rule(lint("ALTER TABLE users DROP COLUMN legacy;", kLite), "sqlite-drop-column").empty());
  CHECK(of_rule(lint("ALTER TABLE users RENAME COLUMN name TO n;", kLite), "sqlite-rename-column").empty());
  old_sqlite.sqlite_version = "3.25.0";
  CHECK(of_rule(lint("ALTER TABLE users RENAME COLUMN name TO n;", kLite, true, old_sqlite), "sqlite-rename-column").empty());
  LintOptions bad;
  bad.sqlite_version = "three";
  CHECK_THROWS_AS(lint("SELECT 1;", kLite, true, bad), std::invalid_argument);
}

TEST_CASE("tables created in the same migration are exempt from lock and breaking rules", "[migration][lint]") {
  const std::string body = R"(ALTER TABLE invoices ADD COLUMN note text NOT NULL;
ALTER TABLE invoices ADD COLUMN code uuid DEFAULT gen_random_uuid();
ALTER TABLE invoices ADD CONSTRAINT invoices_user_fk FOREIGN KEY (user_id) REFERENCES users (id);
ALTER TABLE invoices ADD CONSTRAINT invoices_code_key UNIQUE (code);
ALTER TABLE invoices ALTER COLUMN note SET NOT NULL;
ALTER TABLE invoices ALTER COLUMN total TYPE numeric(12, 2);
CREATE INDEX invoices_user_idx ON invoices (user_id);
DROP INDEX invoices_user_idx;
ALTER TABLE invoices RENAME COLUMN note TO memo;
ALTER TABLE invoices DROP COLUMN memo;
)";
  const std::string created = "CREATE TABLE invoices (id bigint PRIMARY KEY, user_id bigint, total numeric, amount integer);\n" + body;
  auto findings = lint(created, kPg);
  INFO(dump(findings));
  // Only the type rule remains: types outlive the migration.
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "prefer-bigint-over-int");
  CHECK_THAT(findings[0].message, Catch::Contains("invoices.amount"));

  // The same statements on a table that already exists are all flagged.
  std::set<std::string> rules;
  for (const auto& f : lint(body, kPg)) rules.insert(f.rule);
  for (const char* r : {"adding-required-field", "adding-field-with-default", "constraint-missing-not-valid",
                        "adding-foreign-key-constraint", "disallowed-unique-constraint", "adding-not-nullable-field",
                        "changing-column-type", "require-concurrent-index-creation", "require-concurrent-index-deletion",
                        "renaming-column", "ban-drop-column", "require-lock-timeout", "require-statement-timeout"}) {
    INFO(r);
    CHECK(rules.count(r) == 1);
  }

  test::PostgresServer pg;
  pg.exec(kPgSchema);
  CHECK_NOTHROW(pg.exec(created));
}

TEST_CASE("suppression comments silence named rules for a statement or the file", "[migration][lint]") {
  const std::string two = "SET lock_timeout = '2s';\nSET statement_timeout = '60s';\n"
                          "-- greenlight:ignore ban-drop-column, renaming-column\n"
                          "ALTER TABLE users DROP COLUMN legacy;\n"
                          "ALTER TABLE users RENAME COLUMN name TO full_name;\n"
                          "ALTER TABLE users DROP COLUMN age /* greenlight:ignore renaming-column */;\n";
  auto findings = lint(two, kPg);
  INFO(dump(findings));
  // The first statement is silenced; the comment does not reach the next
  // one; a comment inside a statement covers only the rules it names.
  REQUIRE(findings.size() == 2);
  CHECK(findings[0].rule == "renaming-column");
  CHECK(findings[0].line == 5);
  CHECK(findings[1].rule == "ban-drop-column");
  CHECK(findings[1].line == 6);

  // ignore-file anywhere, even after the last statement.
  auto file_wide = lint(two + "-- greenlight:ignore-file ban-drop-column renaming-column\n", kPg);
  CHECK(file_wide.empty());
  auto other_rule = lint("-- greenlight:ignore-file renaming-table\nDROP TABLE orders;", kPg);
  CHECK(of_rule(other_rule, "ban-drop-table").size() == 1);
  // No rule named: every rule of that statement.
  CHECK(lint("-- greenlight:ignore\nDROP TABLE orders;", kPg).empty());
  // A look-alike is no directive.
  CHECK(of_rule(lint("-- greenlight:ignored ban-drop-table\nDROP TABLE orders;", kPg), "ban-drop-table").size() == 1);
  // SQLite the same.
  CHECK(lint("/* greenlight:ignore ban-drop-table */ DROP TABLE orders;", kLite).empty());
}

TEST_CASE("severities default per rule and can be overridden or turned off", "[migration][lint]") {
  for (const auto& r : lint_rules()) {
    INFO(r.id);
    CHECK_FALSE(r.why.empty());
    CHECK_FALSE(r.fix.empty());
    bool warning = r.id == "require-lock-timeout" || r.id == "require-statement-timeout" ||
                   r.id.rfind("prefer-", 0) == 0;
    CHECK(r.default_severity == (warning ? Severity::warning : Severity::error));
  }
  const std::string sql = "CREATE INDEX users_email_idx ON users (email);\nCREATE TABLE t (id integer PRIMARY KEY);";
  auto defaults = lint(sql, kPg);
  REQUIRE(of_rule(defaults, "require-concurrent-index-creation").size() == 1);
  CHECK(of_rule(defaults, "require-concurrent-index-creation")[0].severity == Severity::error);
  CHECK(of_rule(defaults, "prefer-bigint-over-int")[0].severity == Severity::warning);
  CHECK(of_rule(defaults, "require-lock-timeout")[0].severity == Severity::warning);

  LintOptions o;
  o.severity["require-concurrent-index-creation"] = Severity::warning;
  o.severity["prefer-bigint-over-int"] = Severity::error;
  o.severity["require-lock-timeout"] = Severity::off;
  o.severity["require-statement-timeout"] = Severity::off;
  auto changed = lint(sql, kPg, true, o);
  INFO(dump(changed));
  REQUIRE(changed.size() == 2);
  CHECK(of_rule(changed, "require-concurrent-index-creation")[0].severity == Severity::warning);
  CHECK(of_rule(changed, "prefer-bigint-over-int")[0].severity == Severity::error);
  CHECK(format_finding(of_rule(changed, "require-concurrent-index-creation")[0]) ==
        "db/migrations/V7__change.sql:1: warning: CREATE INDEX users_email_idx on existing table users without CONCURRENTLY "
        "blocks writes to users while the index builds [require-concurrent-index-creation]");
  CHECK(std::string(to_string(Severity::off)) == "off");
}

TEST_CASE("transactions decide CONCURRENTLY SET LOCAL and VALIDATE", "[migration][lint]") {
  const std::string concurrently = "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);";
  CHECK(of_rule(lint(concurrently, kPg, true), "ban-concurrent-index-creation-in-transaction").size() == 1);
  CHECK(of_rule(lint(concurrently, kPg, false), "ban-concurrent-index-creation-in-transaction").empty());
  // An explicit block in a part the runner does not wrap.
  auto block = lint("BEGIN;\nDROP INDEX CONCURRENTLY users_name_idx;\nCOMMIT;\nDROP INDEX CONCURRENTLY users_name_idx;", kPg, false);
  auto banned = of_rule(block, "ban-concurrent-index-creation-in-transaction");
  REQUIRE(banned.size() == 1);
  CHECK(banned[0].line == 2);

  // SET LOCAL lasts until COMMIT, and means nothing outside a transaction.
  const std::string local = "SET LOCAL lock_timeout = '2s';\nSET LOCAL statement_timeout = '60s';\nALTER TABLE users ADD COLUMN bio text;";
  CHECK(lint(local, kPg, true).empty());
  CHECK(of_rule(lint(local, kPg, false), "require-lock-timeout").size() == 1);
  auto after_commit = lint("BEGIN;\n" + local + "\nCOMMIT;\nALTER TABLE users ADD COLUMN bio2 text;", kPg, false);
  auto lt = of_rule(after_commit, "require-lock-timeout");
  REQUIRE(lt.size() == 1);
  CHECK(lt[0].line == 6);
  // RESET and = 0 turn it off again; reported once per part.
  auto reset = lint("SET lock_timeout = '2s';\nSET statement_timeout = 0;\nALTER TABLE users ADD COLUMN a text;\n"
                    "ALTER TABLE users ADD COLUMN b text;",
                    kPg);
  CHECK(of_rule(reset, "require-lock-timeout").empty());
  CHECK(of_rule(reset, "require-statement-timeout").size() == 1);
  CHECK(of_rule(lint("SET lock_timeout = '2s';\nRESET lock_timeout;\nTRUNCATE orders;", kPg), "require-lock-timeout").size() == 1);
  CHECK(of_rule(lint("SELECT set_config('lock_timeout', '2s', false);\nTRUNCATE orders;", kPg), "require-lock-timeout").empty());

  // NOT VALID then VALIDATE in the same transaction holds the lock for the scan.
  const std::string same = "ALTER TABLE accounts ADD CONSTRAINT positive CHECK (balance >= 0) NOT VALID;\n"
                           "ALTER TABLE accounts VALIDATE CONSTRAINT positive;";
  auto in_one = of_rule(lint(same, kPg, true), "constraint-missing-not-valid");
  REQUIRE(in_one.size() == 1);
  CHECK(in_one[0].line == 2);
  CHECK_THAT(in_one[0].message, Catch::Contains("positive") && Catch::Contains("accounts"));
  CHECK(of_rule(lint(same, kPg, false), "constraint-missing-not-valid").empty());
  CHECK(of_rule(lint("BEGIN;\n" + same + "\nCOMMIT;", kPg, false), "constraint-missing-not-valid").size() == 1);
}

TEST_CASE("ADD COLUMN defaults are judged by their volatility as PostgreSQL records it", "[migration][lint][postgres]") {
  test::PostgresServer pg;
  pg.exec(kPgSchema);
  // Each function against pg_proc: flagged exactly when it is volatile (or
  // unknown to PostgreSQL, i.e. user-defined: VOLATILE by default).
  for (const char* fn : {"random", "gen_random_uuid", "clock_timestamp", "timeofday", "nextval", "setval", "currval",
                         "lastval", "now", "transaction_timestamp", "statement_timestamp", "current_setting", "lower",
                         "upper", "length", "concat", "format", "md5", "date_trunc", "to_char", "to_timestamp",
                         "make_date", "jsonb_build_object", "to_jsonb", "my_own_function"}) {
    INFO(fn);
    const std::string volatile_in_pg = pg.query_value(std::string("SELECT coalesce(bool_or(provolatile = 'v'), true) FROM pg_proc WHERE proname = '") + fn + "'");
    auto f = of_rule(lint(std::string("ALTER TABLE users ADD COLUMN c text DEFAULT ") + fn + "();", kPg), "adding-field-with-default");
    CHECK((volatile_in_pg == "t") == (f.size() == 1));
  }
  CHECK(of_rule(lint("ALTER TABLE users ADD COLUMN c timestamptz DEFAULT CURRENT_TIMESTAMP;", kPg), "adding-field-with-default").empty());
  CHECK(of_rule(lint("ALTER TABLE users ADD COLUMN c jsonb DEFAULT '{}'::jsonb;", kPg), "adding-field-with-default").empty());

  // And the rewrite itself: a table rewrite gives the table a new file.
  pg.exec("INSERT INTO users (id, email) SELECT g, 'u' || g FROM generate_series(1, 100) g");
  auto rewrites = [&](const std::string& alter) {
    std::string before = pg.query_value("SELECT pg_relation_filenode('users')");
    pg.exec(alter);
    return pg.query_value("SELECT pg_relation_filenode('users')") != before;
  };
  struct Add {
    const char* sql;
    bool flagged;
  };
  for (const Add& a : {Add{"ALTER TABLE users ADD COLUMN c1 text DEFAULT 'x'", false},
                       Add{"ALTER TABLE users ADD COLUMN c2 timestamptz DEFAULT now()", false},
                       Add{"ALTER TABLE users ADD COLUMN c3 double precision DEFAULT random()", true},
                       Add{"ALTER TABLE users ADD COLUMN c4 uuid DEFAULT gen_random_uuid()", true},
                       Add{"ALTER TABLE users ADD COLUMN c5 bigserial", true},
                       Add{"ALTER TABLE users ADD COLUMN c6 bigint GENERATED ALWAYS AS (id * 2) STORED", true},
                       Add{"ALTER TABLE users ADD COLUMN c7 bigint GENERATED BY DEFAULT AS IDENTITY", true},
                       Add{"ALTER TABLE users ALTER COLUMN age TYPE bigint", true}}) {
    INFO(a.sql);
    std::set<std::string> rules;
    for (const auto& f : lint(std::string(a.sql) + ";", kPg)) rules.insert(f.rule);
    bool flagged = rules.count("adding-field-with-default") || rules.count("changing-column-type");
    CHECK(flagged == a.flagged);
    CHECK(rewrites(a.sql) == a.flagged);
  }
}

TEST_CASE("the SQLite rebuild pattern is not a dropped table", "[migration][lint]") {
  const std::string rebuild = "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT);\n"
                              "INSERT INTO users_new SELECT id, email FROM users;\n"
                              "DROP TABLE users;\n"
                              "ALTER TABLE users_new RENAME TO users;\n"
                              "CREATE INDEX users_email ON users (email);";
  CHECK(lint(rebuild, kLite).empty());
  auto dropped = of_rule(lint("DROP TABLE users;\nALTER TABLE orders RENAME TO purchases;", kLite), "ban-drop-table");
  CHECK(dropped.size() == 1);
}

TEST_CASE("a syntax error is one finding with the line where the construct opened", "[migration][lint]") {
  SqlPart p = part("SELECT 1;\nINSERT INTO t VALUES ('open;\nSELECT 2;", "V2__bad.sql");
  p.first_line = 20;
  auto findings = lint_sql(p, kPg, true);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].rule == "syntax-error");
  CHECK(findings[0].line == 21);
  CHECK(format_finding(findings[0]) == "V2__bad.sql:21: error: unterminated string literal starting at line 21 [syntax-error]");
  LintOptions off;
  off.severity["syntax-error"] = Severity::off;
  CHECK(lint_sql(p, kPg, true, off).empty());
}

TEST_CASE("lint_migrations lints ups and downs with the runner transaction", "[migration][lint]") {
  MigrationSet set;
  set.convention = Convention::golang_migrate;
  Migration m1;
  m1.version = "1";
  m1.up = part("SET lock_timeout = '2s';\nSET statement_timeout = '60s';\n"
               "CREATE TABLE invoices (id bigint PRIMARY KEY, email text);\n"
               "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
               "1_init.up.sql");
  m1.down = part("DROP INDEX users_email_idx;\nDROP TABLE invoices;\nALTER TABLE users RENAME TO people;", "1_init.down.sql");
  Migration m2;
  m2.version = "2";
  m2.up = part("CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);", "2_idx.up.sql");
  set.migrations = {m1, m2};

  auto findings = lint_migrations(set, kPg);
  INFO(dump(findings));
  // 1 up: golang-migrate sends the three statements as one query, in one
  // transaction: CONCURRENTLY fails there.
  auto banned = of_rule(findings, "ban-concurrent-index-creation-in-transaction");
  REQUIRE(banned.size() == 1);
  CHECK(banned[0].file == "1_init.up.sql");
  CHECK(banned[0].line == 4);
  // 1 down: dropping and renaming is what a down does; the lock is not.
  CHECK(of_rule(findings, "ban-drop-table").empty());
  CHECK(of_rule(findings, "renaming-table").empty());
  auto deletion = of_rule(findings, "require-concurrent-index-deletion");
  REQUIRE(deletion.size() == 1);
  CHECK(deletion[0].file == "1_init.down.sql");
  CHECK(deletion[0].line == 1);
  CHECK(of_rule(findings, "require-lock-timeout").empty());  // timeouts are not asked of downs
  // 2 up: a single statement is no transaction block.
  for (const auto& f : findings) CHECK(f.file != "2_idx.up.sql");
}

TEST_CASE("lint_migrations carries what earlier migrations declared", "[migration][lint]") {
  SECTION("SQLite: a UNIQUE column from migration 1 cannot be dropped in migration 2") {
    MigrationSet set;
    set.convention = Convention::flyway;
    Migration m1, m2;
    m1.up = part("CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT UNIQUE, color TEXT);", "V1__tags.sql");
    m2.up = part("ALTER TABLE tags DROP COLUMN color;\nALTER TABLE tags DROP COLUMN name;", "V2__drop.sql");
    set.migrations = {m1, m2};
    auto f = of_rule(lint_migrations(set, kLite), "sqlite-drop-column");
    REQUIRE(f.size() == 1);
    CHECK(f[0].file == "V2__drop.sql");
    CHECK(f[0].line == 2);
    CHECK_THAT(f[0].message, Catch::Contains("tags.name") && Catch::Contains("UNIQUE"));
    // Linted alone, migration 2 cannot know.
    CHECK(of_rule(lint_sql(m2.up, kLite, true), "sqlite-drop-column").empty());
  }
  SECTION("PostgreSQL: a CHECK added NOT VALID in migration 1 and validated in 2 proves SET NOT NULL") {
    MigrationSet set;
    set.convention = Convention::flyway;
    Migration m1, m2;
    m1.up = part(TIMEOUTS "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK ((email IS NOT NULL)) NOT VALID;", "V1__check.sql");
    m2.up = part(TIMEOUTS "ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
                 "V2__not_null.sql");
    set.migrations = {m1, m2};
    CHECK(lint_migrations(set, kPg).empty());
    // Without the validation the scan is back.
    set.migrations[1].up = part(TIMEOUTS "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", "V2__not_null.sql");
    CHECK(of_rule(lint_migrations(set, kPg), "adding-not-nullable-field").size() == 1);
  }
}
