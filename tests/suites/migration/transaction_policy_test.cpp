// Tests of the transaction policy: each tool's behaviour for plain files,
// opt-outs, files that manage their own transactions and statements that
// cannot run in one; and a real PostgreSQL proving why golang-migrate's
// multi-statement file with CONCURRENTLY fails while a single statement works.
#include "suites/migration/transaction_policy.h"

#include "suites/migration/sql_tokens.h"

#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;

namespace {

SqlPart part(const std::string& sql, bool transaction = true) {
  SqlPart p;
  p.file = "V1__x.sql";
  p.sql = sql;
  p.transaction = transaction;
  return p;
}

const Dialect pg = Dialect::postgresql;
const Dialect lite = Dialect::sqlite;

}  // namespace

TEST_CASE("plain DDL runs in a transaction under every tool", "[migration][transaction_policy]") {
  const SqlPart p = part("CREATE TABLE a (id bigint);\nCREATE INDEX a_idx ON a (id);");
  for (auto c : {Convention::flyway, Convention::golang_migrate, Convention::dbmate, Convention::plain}) {
    CHECK(runs_in_transaction(p, c, pg));
    CHECK(runs_in_transaction(p, c, lite));
  }
}

TEST_CASE("dbmate transaction false opts out", "[migration][transaction_policy]") {
  const SqlPart p = part("CREATE TABLE a (id bigint);", false);
  CHECK_FALSE(runs_in_transaction(p, Convention::dbmate, pg));
  CHECK_FALSE(runs_in_transaction(p, Convention::dbmate, lite));
}

TEST_CASE("SQL that manages its own transaction is not wrapped", "[migration][transaction_policy]") {
  for (const char* sql : {"BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;", "START TRANSACTION;\nCREATE TABLE a (id int);\nCOMMIT;",
                          "CREATE TABLE a (id int);\nCOMMIT;", "BEGIN IMMEDIATE;\nCREATE TABLE a (id int);\nEND;",
                          "CREATE TABLE a (id int);\nROLLBACK;"}) {
    INFO(sql);
    CHECK_FALSE(runs_in_transaction(part(sql), Convention::golang_migrate, pg));
    CHECK_FALSE(runs_in_transaction(part(sql), Convention::flyway, lite));
  }
  // A savepoint rollback stays inside the transaction; BEGIN ATOMIC is a body.
  CHECK(runs_in_transaction(part("SAVEPOINT s;\nCREATE TABLE a (id int);\nROLLBACK TO SAVEPOINT s;"), Convention::flyway, pg));
  CHECK(runs_in_transaction(part("CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n SELECT 1;\nEND;"),
                            Convention::flyway, pg));
  // Words inside strings and comments are not statements.
  CHECK(runs_in_transaction(part("-- BEGIN;\nINSERT INTO a VALUES ('COMMIT;');"), Convention::flyway, pg));
}

TEST_CASE("statements that cannot run in a transaction follow each tool", "[migration][transaction_policy]") {
  const char* non_transactional[] = {
      "CREATE INDEX CONCURRENTLY a_idx ON a (id)",  "CREATE UNIQUE INDEX CONCURRENTLY a_idx ON a (id)",
      "DROP INDEX CONCURRENTLY a_idx",              "REINDEX INDEX CONCURRENTLY a_idx",
      "VACUUM a",                                   "VACUUM (FULL, ANALYZE) a",
      "CREATE DATABASE other",                      "DROP DATABASE other",
      "ALTER SYSTEM SET work_mem = '64MB'",         "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY",
      "CREATE TABLESPACE ts LOCATION '/tmp/ts'",    "REINDEX DATABASE app"};
  for (const char* statement : non_transactional) {
    INFO(statement);
    const SqlPart one = part(std::string(statement) + ";");
    const SqlPart several = part("CREATE TABLE b (id int);\n" + std::string(statement) + ";");
    // Flyway detects them and runs the file outside a transaction; so does
    // greenlight for plain files.
    CHECK_FALSE(runs_in_transaction(several, Convention::flyway, pg));
    CHECK_FALSE(runs_in_transaction(several, Convention::plain, pg));
    // golang-migrate: one statement is no transaction block, several are.
    CHECK_FALSE(runs_in_transaction(one, Convention::golang_migrate, pg));
    CHECK(runs_in_transaction(several, Convention::golang_migrate, pg));
    // dbmate keeps its transaction unless told otherwise.
    CHECK(runs_in_transaction(one, Convention::dbmate, pg));
    CHECK_FALSE(runs_in_transaction(part(std::string(statement) + ";", false), Convention::dbmate, pg));
  }
  // Look-alikes that do run in a transaction.
  for (const char* statement : {"REFRESH MATERIALIZED VIEW CONCURRENTLY v", "CREATE INDEX a_idx ON a (id)",
                                "REINDEX INDEX a_idx", "ALTER TABLE p DETACH PARTITION p1", "CREATE TABLE concurrently (id int)"}) {
    INFO(statement);
    CHECK(runs_in_transaction(part(std::string(statement) + ";"), Convention::flyway, pg));
  }
}

TEST_CASE("SQLite VACUUM is non-transactional and golang-migrate still wraps it", "[migration][transaction_policy]") {
  const SqlPart p = part("DELETE FROM a;\nVACUUM;");
  CHECK_FALSE(runs_in_transaction(p, Convention::flyway, lite));
  CHECK(runs_in_transaction(part("VACUUM;"), Convention::golang_migrate, lite));
  CHECK(runs_in_transaction(p, Convention::dbmate, lite));
  // CONCURRENTLY means nothing to SQLite.
  CHECK(runs_in_transaction(part("CREATE INDEX CONCURRENTLY ON a (id);"), Convention::flyway, lite));

  // What the policy predicts is what SQLite does.
  greenlight::test::TempDir dir;
  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("CREATE TABLE a (id INTEGER)");
  db.exec("BEGIN");
  CHECK_THROWS_WITH(db.exec("VACUUM"), Catch::Contains("cannot VACUUM from within a transaction"));
  db.exec("ROLLBACK");
  CHECK_NOTHROW(db.exec("VACUUM"));
}

TEST_CASE("PostgreSQL wraps a multi-statement query in one transaction", "[migration][transaction_policy]") {
  // golang-migrate's postgres driver sends the file as one query: this is
  // the real behaviour the policy models.
  greenlight::test::PostgresServer server;
  server.exec("CREATE TABLE a (id bigint)");
  const std::string several = "CREATE TABLE b (id bigint);\nCREATE INDEX CONCURRENTLY a_idx ON a (id);";
  const std::string one = "CREATE INDEX CONCURRENTLY a_idx ON a (id);";

  CHECK(runs_in_transaction(part(several), Convention::golang_migrate, pg));
  CHECK_THROWS_WITH(server.exec(several), Catch::Contains("cannot run inside a transaction block"));
  CHECK(server.query_value("SELECT count(*) FROM pg_class WHERE relname = 'b'") == "0");  // rolled back as one

  CHECK_FALSE(runs_in_transaction(part(one), Convention::golang_migrate, pg));
  CHECK_NOTHROW(server.exec(one));
  CHECK(server.query_value("SELECT count(*) FROM pg_indexes WHERE indexname = 'a_idx'") == "1");
}

TEST_CASE("a syntax error in the part propagates as SqlSyntaxError", "[migration][transaction_policy]") {
  CHECK_THROWS_AS(runs_in_transaction(part("SELECT 'open;"), Convention::flyway, pg), SqlSyntaxError);
}
