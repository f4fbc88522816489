// read_history against real SQLite files and a real PostgreSQL server, with
// the history tables created by the DDL each tool itself runs (copied from
// Flyway's createMetaDataTable/getRawCreateScript, golang-migrate's
// ensureVersionTable and dbmate's CreateMigrationsTable), read through a
// read-only connection.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include <string>

#include "harness/database.h"
#include "suites/migration/history_table.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

// Flyway (SQLiteDatabase): schema "main", quoted names.
const char* kFlywaySqlite = R"(CREATE TABLE "flyway_schema_history" (
    "installed_rank" INT NOT NULL PRIMARY KEY,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INT,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f','now')),
    "execution_time" INT NOT NULL,
    "success" BOOLEAN NOT NULL
);
CREATE INDEX "main"."flyway_schema_history_s_idx" ON "flyway_schema_history" ("success");)";

// Flyway (PostgreSQLDatabase).
const char* kFlywayPostgres = R"(CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");)";

// golang-migrate database/sqlite3 and database/postgres.
const char* kGolangSqlite = R"(CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);
  CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version);)";
const char* kGolangPostgres =
    R"(CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint not null primary key, dirty boolean not null))";

// dbmate pkg/driver/sqlite and pkg/driver/postgres.
const char* kDbmateSqlite = R"(create table if not exists "schema_migrations" (version varchar(128) primary key))";
const char* kDbmatePostgres = "create table if not exists public.schema_migrations (version varchar(255) primary key)";

// Rows as Flyway writes them: out of installed_rank order on purpose.
const char* kFlywayRows = R"(INSERT INTO flyway_schema_history
  (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success) VALUES
  (3, NULL, 'views', 'SQL', 'R__views.sql', -623083431, 'ci', 3, TRUE),
  (1, '1', 'init', 'SQL', 'V1__init.sql', 78787420, 'ci', 5, TRUE),
  (2, '1.1', 'add users', 'SQL', 'V1_1__add_users.sql', -5, 'ci', 7, FALSE);)";

void sqlite_exec(const std::string& path, const std::string& sql) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(sql);
}

void check_flyway(const TargetHistory& h) {
  REQUIRE(h.applied.size() == 3);
  CHECK(h.applied[0].version == "1");
  CHECK(h.applied[0].description == "init");
  CHECK(h.applied[0].script == "V1__init.sql");
  CHECK(h.applied[0].checksum == 78787420);
  CHECK(h.applied[0].success);
  CHECK(h.applied[0].type == "SQL");
  CHECK_FALSE(h.applied[0].installed_on.empty());
  CHECK(h.applied[1].version == "1.1");
  CHECK(h.applied[1].checksum == -5);
  CHECK_FALSE(h.applied[1].success);
  CHECK(h.applied[2].version.empty());  // repeatable
  CHECK(h.applied[2].script == "R__views.sql");
  CHECK(h.applied[2].checksum == -623083431);
  CHECK_FALSE(h.current_version.has_value());
}

}  // namespace

TEST_CASE("history tables are read from SQLite through a read-only connection", "[migration][history][sqlite]") {
  TempDir dir;

  const std::string flyway = dir.file("flyway.db");
  sqlite_exec(flyway, kFlywaySqlite);
  sqlite_exec(flyway, kFlywayRows);
  {
    auto db = open_database("sqlite://" + flyway, Access::read_only);
    TargetHistory h = read_history(*db, Convention::flyway);
    CHECK(h.table == "\"flyway_schema_history\"");
    check_flyway(h);
    // Nothing of golang-migrate's or dbmate's there: no history for them.
    CHECK(read_history(*db, Convention::golang_migrate).table.empty());
    CHECK(read_history(*db, Convention::dbmate).table.empty());
    CHECK(read_history(*db, Convention::plain).applied.empty());
  }

  const std::string golang = dir.file("golang.db");
  sqlite_exec(golang, kGolangSqlite);
  {
    auto db = open_database("sqlite://" + golang, Access::read_only);
    TargetHistory empty = read_history(*db, Convention::golang_migrate);
    CHECK_FALSE(empty.table.empty());
    CHECK_FALSE(empty.current_version.has_value());
    CHECK_FALSE(empty.dirty);
  }
  sqlite_exec(golang, "INSERT INTO schema_migrations (version, dirty) VALUES (20240102, 1)");
  {
    auto db = open_database("sqlite://" + golang, Access::read_only);
    TargetHistory h = read_history(*db, Convention::golang_migrate);
    CHECK(h.current_version == "20240102");
    CHECK(h.dirty);
    // golang-migrate's table read as dbmate's: refused, with the reason.
    CHECK_THROWS_AS(read_history(*db, Convention::dbmate), DatabaseError);
    CHECK_THROWS_WITH(read_history(*db, Convention::dbmate),
                      Catch::Contains("dirty column") && Catch::Contains("golang-migrate") && Catch::Contains("golang.db"));
  }

  const std::string dbmate = dir.file("dbmate.db");
  sqlite_exec(dbmate, kDbmateSqlite);
  sqlite_exec(dbmate, "INSERT INTO schema_migrations (version) VALUES ('20240103000000'), ('20240101000000')");
  {
    auto db = open_database("sqlite://" + dbmate, Access::read_only);
    TargetHistory h = read_history(*db, Convention::dbmate);
    REQUIRE(h.applied.size() == 2);
    CHECK(h.applied[0].version == "20240101000000");
    CHECK(h.applied[1].version == "20240103000000");
    // dbmate's table read as golang-migrate's: no dirty column.
    CHECK_THROWS_WITH(read_history(*db, Convention::golang_migrate),
                      Catch::Contains("no dirty column") && Catch::Contains("dbmate"));
  }

  // A flyway_schema_history that Flyway did not make.
  const std::string odd = dir.file("odd.db");
  sqlite_exec(odd, "CREATE TABLE flyway_schema_history (installed_rank INT, version TEXT)");
  {
    auto db = open_database("sqlite://" + odd, Access::read_only);
    CHECK_THROWS_WITH(read_history(*db, Convention::flyway),
                      Catch::Contains("flyway_schema_history") && Catch::Contains("no description column"));
  }
}

TEST_CASE("history tables are read from PostgreSQL through a read-only connection", "[migration][history][postgres]") {
  PostgresServer pg;

  pg.create_database("flyway");
  pg.exec(kFlywayPostgres, "flyway");
  pg.exec(kFlywayRows, "flyway");
  {
    auto db = open_database(pg.dsn("flyway"), Access::read_only);
    TargetHistory h = read_history(*db, Convention::flyway);
    CHECK(h.table == "flyway_schema_history");
    check_flyway(h);
    CHECK(read_history(*db, Convention::golang_migrate).table.empty());
  }

  pg.create_database("golang");
  pg.exec(kGolangPostgres, "golang");
  pg.exec("INSERT INTO schema_migrations (version, dirty) VALUES (3, false)", "golang");
  {
    auto db = open_database(pg.dsn("golang"), Access::read_only);
    TargetHistory h = read_history(*db, Convention::golang_migrate);
    CHECK(h.current_version == "3");
    CHECK_FALSE(h.dirty);
    CHECK_THROWS_WITH(read_history(*db, Convention::dbmate), Catch::Contains("dirty column"));
  }
  pg.exec("UPDATE schema_migrations SET dirty = true", "golang");
  {
    auto db = open_database(pg.dsn("golang"), Access::read_only);
    CHECK(read_history(*db, Convention::golang_migrate).dirty);
  }

  pg.create_database("dbmate");
  pg.exec(kDbmatePostgres, "dbmate");
  pg.exec("INSERT INTO public.schema_migrations (version) VALUES ('002'), ('001')", "dbmate");
  {
    auto db = open_database(pg.dsn("dbmate"), Access::read_only);
    TargetHistory h = read_history(*db, Convention::dbmate);
    REQUIRE(h.applied.size() == 2);
    CHECK(h.applied[0].version == "001");
    CHECK(h.applied[1].version == "002");
    CHECK_THROWS_WITH(read_history(*db, Convention::golang_migrate), Catch::Contains("no dirty column"));
  }

  // The table in another schema, found through the database's search_path
  // (as the tools, which create it in current_schema(), would find it).
  pg.create_database("schemas");
  pg.exec("CREATE SCHEMA app; ALTER DATABASE schemas SET search_path = app", "schemas");
  pg.exec("CREATE TABLE app.schema_migrations (version varchar(255) primary key); "
          "INSERT INTO app.schema_migrations VALUES ('7')",
          "schemas");
  {
    auto db = open_database(pg.dsn("schemas"), Access::read_only);
    TargetHistory h = read_history(*db, Convention::dbmate);
    CHECK(h.table == "schema_migrations");
    REQUIRE(h.applied.size() == 1);
    CHECK(h.applied[0].version == "7");
  }
  // Not on the search_path and not in public: the target has no history.
  pg.exec("ALTER DATABASE schemas SET search_path = elsewhere", "schemas");
  {
    auto db = open_database(pg.dsn("schemas"), Access::read_only);
    CHECK(read_history(*db, Convention::dbmate).table.empty());
  }
  // In public while search_path leaves public out: public is the fallback.
  pg.exec("CREATE TABLE public.flyway_schema_history (installed_rank int, version varchar(50), description varchar(200), "
          "type varchar(20), script varchar(1000), checksum int, success boolean); "
          "INSERT INTO public.flyway_schema_history VALUES (1, '1', 'x', 'SQL', 'V1__x.sql', 1, true)",
          "schemas");
  {
    auto db = open_database(pg.dsn("schemas"), Access::read_only);
    TargetHistory h = read_history(*db, Convention::flyway);
    CHECK(h.table == "public.flyway_schema_history");
    REQUIRE(h.applied.size() == 1);
    CHECK(h.applied[0].installed_on.empty());  // a table without installed_on still reads
  }
}
