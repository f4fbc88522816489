// compute_status end to end: real migration files in a folder, the history
// table each tool creates (its own DDL) filled on a real SQLite file or
// PostgreSQL server, read through a read-only connection, and the ledger in a
// real SQLite file. Every state is produced from the data, never stubbed.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include <fstream>
#include <sstream>
#include <string>

#include "harness/database.h"
#include "harness/redactor.h"
#include "suites/migration/history_table.h"
#include "suites/migration/ledger.h"
#include "suites/migration/migration_status.h"
#include "suites/migration/sources.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

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

const char* kGolangSqlite = R"(CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);
  CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version);)";
const char* kGolangPostgres =
    R"(CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint not null primary key, dirty boolean not null))";
const char* kDbmateSqlite = R"(create table if not exists "schema_migrations" (version varchar(128) primary key))";
const char* kDbmatePostgres = "create table if not exists public.schema_migrations (version varchar(255) primary key)";

// CRC32 of "SELECT 1;", computed outside this code (Python zlib.crc32): what
// Flyway stores for a file holding just that line.
constexpr int32_t kSelectOneChecksum = 78787420;

void write(const TempDir& dir, const std::string& name, const std::string& content) {
  std::ofstream out(dir.file(name), std::ios::binary);
  out << content;
  REQUIRE(out.good());
}

void sqlite_exec(const std::string& path, const std::string& sql) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(sql);
}

std::string describe(const MigrationStatus& st) {
  std::ostringstream s;
  s << "applied_version '" << st.applied_version << "' has_history " << st.has_history << "\n";
  for (const StatusEntry& e : st.entries)
    s << "  " << e.version << " '" << e.description << "' " << e.file << ": " << to_string(e.state) << " — " << e.detail
      << "\n";
  return s.str();
}

const StatusEntry& entry(const MigrationStatus& st, const std::string& version, const std::string& description = "") {
  for (const StatusEntry& e : st.entries)
    if (e.version == version && (version != "" || e.description == description)) return e;
  FAIL("no status entry for version '" << version << "' " << description << "\n" << describe(st));
  throw std::logic_error("unreachable");
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

MigrationStatus status_of(const TempDir& files, const std::string& dsn, Convention c, Ledger* ledger) {
  MigrationSet set = load_migrations(files.path(), c);
  auto db = open_database(dsn, Access::read_only);
  return compute_status(set, read_history(*db, c), ledger, redact_dsn(dsn));
}

std::string flyway_row(int rank, const std::string& version, const std::string& description, const std::string& script,
                       int32_t checksum, bool success, const std::string& type = "SQL") {
  std::ostringstream s;
  s << "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, installed_by, "
       "execution_time, success) VALUES ("
    << rank << ", " << (version.empty() ? "NULL" : "'" + version + "'") << ", '" << description << "', '" << type
    << "', '" << script << "', " << checksum << ", 'ci', 1, " << (success ? "TRUE" : "FALSE") << ")";
  return s.str();
}

// V1..V6 and three repeatables; see the Flyway test for what each one is for.
void write_flyway_files(const TempDir& files) {
  write(files, "V1__init.sql", "SELECT 1;");
  write(files, "V2__edited.sql", "SELECT 2;\n");
  write(files, "V3__failed.sql", "SELECT 3;\n");
  write(files, "V4__skipped.sql", "SELECT 4;\n");
  write(files, "V5__fine.sql", "SELECT 5;\n");
  write(files, "V6__new.sql", "SELECT 6;\n");
  write(files, "R__views.sql", "CREATE VIEW v AS SELECT 1;\n");
  write(files, "R__functions.sql", "SELECT 'changed';\n");
  write(files, "R__fresh.sql", "SELECT 'fresh';\n");
}

std::vector<std::string> faulty_flyway_rows() {
  return {
      flyway_row(1, "1", "init", "V1__init.sql", kSelectOneChecksum, true),
      flyway_row(2, "2", "edited", "V2__edited.sql", 12345, true),
      flyway_row(3, "3", "failed", "V3__failed.sql", flyway_checksum("SELECT 3;\n"), false),
      flyway_row(4, "4.5", "gone", "V4_5__gone.sql", 77, true),
      flyway_row(5, "5", "fine", "V5__fine.sql", flyway_checksum("SELECT 5;\n"), true),
      flyway_row(6, "", "views", "R__views.sql", flyway_checksum("CREATE VIEW v AS SELECT 1;\n"), true),
      flyway_row(7, "", "functions", "R__functions.sql", flyway_checksum("SELECT 'before';\n"), true),
      flyway_row(8, "", "dropped", "R__dropped.sql", 5, true),
  };
}

void check_faulty_flyway(const MigrationStatus& st) {
  INFO(describe(st));
  CHECK(st.has_history);
  CHECK_FALSE(st.ok());
  CHECK(st.applied_version == "5");
  CHECK(entry(st, "1").state == MigrationState::applied);
  CHECK(entry(st, "1").file == "V1__init.sql");

  const StatusEntry& edited = entry(st, "2");
  CHECK(edited.state == MigrationState::modified);
  CHECK(contains(edited.detail, "checksum 12345 on the target, " + std::to_string(flyway_checksum("SELECT 2;\n")) +
                                    " in the file"));
  CHECK(contains(edited.detail, "V2__edited.sql"));

  CHECK(entry(st, "3").state == MigrationState::failed);
  CHECK(contains(entry(st, "3").detail, "success=false"));

  CHECK(entry(st, "4").state == MigrationState::out_of_order);
  CHECK(contains(entry(st, "4").detail, "older than 5"));

  const StatusEntry& gone = entry(st, "4.5");
  CHECK(gone.state == MigrationState::missing);
  CHECK(gone.file.empty());
  CHECK(contains(gone.detail, "V4_5__gone.sql"));

  CHECK(entry(st, "5").state == MigrationState::applied);
  CHECK(entry(st, "6").state == MigrationState::pending);

  CHECK(entry(st, "", "views").state == MigrationState::applied);
  const StatusEntry& functions = entry(st, "", "functions");
  CHECK(functions.state == MigrationState::pending);
  CHECK(contains(functions.detail, "changed since last applied, will be re-applied"));
  CHECK(entry(st, "", "fresh").state == MigrationState::pending);
  CHECK(entry(st, "", "dropped").state == MigrationState::missing);

  // Version order, 4.5 between 4 and 5, repeatables last.
  std::vector<std::string> order;
  for (const StatusEntry& e : st.entries) order.push_back(e.version.empty() ? "R:" + e.description : e.version);
  CHECK(order == std::vector<std::string>{"1", "2", "3", "4", "4.5", "5", "6", "R:dropped", "R:fresh", "R:functions",
                                          "R:views"});
}

}  // namespace

TEST_CASE("Flyway status on SQLite shows every state", "[migration][status][flyway][sqlite]") {
  TempDir files, dbs;
  write_flyway_files(files);

  const std::string faulty = dbs.file("faulty.db");
  sqlite_exec(faulty, kFlywaySqlite);
  for (const std::string& row : faulty_flyway_rows()) sqlite_exec(faulty, row);
  check_faulty_flyway(status_of(files, "sqlite://" + faulty, Convention::flyway, nullptr));

  // Healthy: everything applied with the checksums of the files as they are.
  const std::string healthy = dbs.file("healthy.db");
  sqlite_exec(healthy, kFlywaySqlite);
  MigrationSet set = load_migrations(files.path(), Convention::flyway);
  int rank = 1;
  for (const Migration& m : set.migrations)
    sqlite_exec(healthy, flyway_row(rank++, m.version, m.description, m.up.file.filename().string(), m.flyway_checksum, true));
  MigrationStatus ok = status_of(files, "sqlite://" + healthy, Convention::flyway, nullptr);
  INFO(describe(ok));
  CHECK(ok.ok());
  CHECK(ok.applied_version == "6");
  for (const StatusEntry& e : ok.entries) CHECK(e.state == MigrationState::applied);

  // A baseline at 3: V1..V3 are never run on this target, V4 is applied after it.
  const std::string baselined = dbs.file("baseline.db");
  sqlite_exec(baselined, kFlywaySqlite);
  sqlite_exec(baselined, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
                         "installed_by, execution_time, success) VALUES (1, '3', '<< Flyway Baseline >>', 'BASELINE', "
                         "'<< Flyway Baseline >>', NULL, 'ci', 0, 1)");
  sqlite_exec(baselined, flyway_row(2, "4", "skipped", "V4__skipped.sql", flyway_checksum("SELECT 4;\n"), true));
  MigrationStatus base = status_of(files, "sqlite://" + baselined, Convention::flyway, nullptr);
  INFO(describe(base));
  CHECK(entry(base, "1").state == MigrationState::applied);
  CHECK(contains(entry(base, "2").detail, "baseline"));
  CHECK(entry(base, "4").state == MigrationState::applied);
  CHECK(entry(base, "5").state == MigrationState::pending);
  CHECK(base.applied_version == "4");

  // No history table: nothing applied yet, and the detail says why.
  const std::string empty = dbs.file("empty.db");
  sqlite_exec(empty, "CREATE TABLE app (id int)");
  MigrationStatus none = status_of(files, "sqlite://" + empty, Convention::flyway, nullptr);
  INFO(describe(none));
  CHECK_FALSE(none.has_history);
  CHECK(none.ok());
  CHECK(none.applied_version.empty());
  CHECK(entry(none, "1").state == MigrationState::pending);
  CHECK(contains(entry(none, "1").detail, "no flyway_schema_history table"));
}

TEST_CASE("golang-migrate status on SQLite with the ledger", "[migration][status][golang][sqlite]") {
  TempDir files, dbs;
  for (int v = 1; v <= 4; ++v) {
    write(files, std::to_string(v) + "_step.up.sql", "CREATE TABLE t" + std::to_string(v) + " (id int);\n");
    write(files, std::to_string(v) + "_step.down.sql", "DROP TABLE t" + std::to_string(v) + ";\n");
  }
  const std::string path = dbs.file("app.db");
  const std::string dsn = "sqlite://" + path;
  sqlite_exec(path, kGolangSqlite);
  sqlite_exec(path, "INSERT INTO schema_migrations (version, dirty) VALUES (2, 0)");
  Ledger ledger(dbs.file("ledger/greenlight.db"));

  MigrationStatus first = status_of(files, dsn, Convention::golang_migrate, &ledger);
  {
    INFO(describe(first));
    CHECK(first.ok());
    CHECK(first.has_history);
    CHECK(first.applied_version == "2");
    CHECK(entry(first, "1").state == MigrationState::applied);
    CHECK(contains(entry(first, "1").detail, "golang-migrate keeps only the current version"));
    CHECK(contains(entry(first, "1").detail, "first sighting"));
    CHECK(entry(first, "2").state == MigrationState::applied);
    CHECK(entry(first, "3").state == MigrationState::pending);
    CHECK(entry(first, "4").state == MigrationState::pending);
    CHECK(ledger.find(redact_dsn(dsn), "3") == std::nullopt);  // only applied files are recorded
  }

  MigrationStatus second = status_of(files, dsn, Convention::golang_migrate, &ledger);
  {
    INFO(describe(second));
    CHECK(second.ok());
    CHECK(contains(entry(second, "1").detail, "unchanged since"));
  }

  // The applied file is edited after the fact.
  const std::string before = sha256_hex("CREATE TABLE t1 (id int);\n");
  write(files, "1_step.up.sql", "CREATE TABLE t1 (id bigint);\n");
  const std::string after = sha256_hex("CREATE TABLE t1 (id bigint);\n");
  MigrationStatus edited = status_of(files, dsn, Convention::golang_migrate, &ledger);
  {
    INFO(describe(edited));
    CHECK_FALSE(edited.ok());
    const StatusEntry& e = entry(edited, "1");
    CHECK(e.state == MigrationState::modified);
    CHECK(contains(e.detail, "1_step.up.sql"));
    CHECK(contains(e.detail, before.substr(0, 12)));
    CHECK(contains(e.detail, after.substr(0, 12)));
    CHECK(entry(edited, "2").state == MigrationState::applied);
  }
  write(files, "1_step.up.sql", "CREATE TABLE t1 (id int);\n");  // put back

  // Dirty: the current version failed halfway.
  sqlite_exec(path, "UPDATE schema_migrations SET dirty = 1");
  MigrationStatus dirty = status_of(files, dsn, Convention::golang_migrate, &ledger);
  {
    INFO(describe(dirty));
    CHECK_FALSE(dirty.ok());
    CHECK(entry(dirty, "2").state == MigrationState::failed);
    CHECK(contains(entry(dirty, "2").detail, "dirty: the last migration failed halfway"));
    CHECK(contains(entry(dirty, "2").detail, "migrate force"));
    CHECK(entry(dirty, "1").state == MigrationState::applied);
  }

  // The target is at a version no file has.
  sqlite_exec(path, "UPDATE schema_migrations SET version = 7, dirty = 0");
  MigrationStatus missing = status_of(files, dsn, Convention::golang_migrate, &ledger);
  {
    INFO(describe(missing));
    CHECK_FALSE(missing.ok());
    const StatusEntry& e = entry(missing, "7");
    CHECK(e.state == MigrationState::missing);
    CHECK(e.file.empty());
    CHECK(entry(missing, "4").state == MigrationState::applied);
    CHECK(missing.entries.back().version == "7");
  }

  // Without a ledger edits cannot be seen, and the detail says so.
  MigrationStatus no_ledger = status_of(files, dsn, Convention::golang_migrate, nullptr);
  INFO(describe(no_ledger));
  CHECK(contains(entry(no_ledger, "1").detail, "no ledger"));
}

TEST_CASE("dbmate status on SQLite with the ledger", "[migration][status][dbmate][sqlite]") {
  TempDir files, dbs;
  for (const char* v : {"001", "002", "003", "004"})
    write(files, std::string(v) + "_step.sql",
          std::string("-- migrate:up\nCREATE TABLE t") + v + " (id int);\n-- migrate:down\nDROP TABLE t" + v + ";\n");
  const std::string path = dbs.file("app.db");
  const std::string dsn = "sqlite://" + path;
  sqlite_exec(path, kDbmateSqlite);
  sqlite_exec(path, "INSERT INTO schema_migrations (version) VALUES ('001'), ('003')");
  Ledger ledger(dbs.file("ledger.db"));

  MigrationStatus st = status_of(files, dsn, Convention::dbmate, &ledger);
  {
    INFO(describe(st));
    CHECK_FALSE(st.ok());
    CHECK(st.applied_version == "003");
    CHECK(entry(st, "001").state == MigrationState::applied);
    CHECK(contains(entry(st, "001").detail, "first sighting"));
    CHECK(entry(st, "002").state == MigrationState::out_of_order);
    CHECK(contains(entry(st, "002").detail, "older than 003"));
    CHECK(entry(st, "003").state == MigrationState::applied);
    CHECK(entry(st, "004").state == MigrationState::pending);
  }

  // Healthy once 002 is applied too.
  sqlite_exec(path, "INSERT INTO schema_migrations (version) VALUES ('002')");
  MigrationStatus healthy = status_of(files, dsn, Convention::dbmate, &ledger);
  {
    INFO(describe(healthy));
    CHECK(healthy.ok());
  }

  // Edited after being applied; and a version the files no longer have.
  write(files, "003_step.sql", "-- migrate:up\nCREATE TABLE t003 (id int, name text);\n-- migrate:down\nDROP TABLE t003;\n");
  sqlite_exec(path, "INSERT INTO schema_migrations (version) VALUES ('009')");
  MigrationStatus faulty = status_of(files, dsn, Convention::dbmate, &ledger);
  INFO(describe(faulty));
  CHECK_FALSE(faulty.ok());
  CHECK(entry(faulty, "003").state == MigrationState::modified);
  CHECK(contains(entry(faulty, "003").detail, "003_step.sql"));
  CHECK(entry(faulty, "009").state == MigrationState::missing);
  CHECK(entry(faulty, "004").state == MigrationState::out_of_order);  // now older than 009
}

TEST_CASE("plain files say that no history can be read", "[migration][status][plain]") {
  TempDir files;
  write(files, "1_init.sql", "SELECT 1;\n");
  write(files, "2_more.sql", "SELECT 2;\n");
  MigrationSet set = load_migrations(files.path());
  MigrationStatus st = compute_status(set, TargetHistory{}, nullptr, "sqlite:///x.db");
  INFO(describe(st));
  CHECK_FALSE(st.has_history);
  CHECK(st.ok());
  REQUIRE(st.entries.size() == 2);
  for (const StatusEntry& e : st.entries) {
    CHECK(e.state == MigrationState::pending);
    CHECK(contains(e.detail, "plain files keep no history table"));
  }
  CHECK(std::string(to_string(MigrationState::out_of_order)) == "out of order");
}

TEST_CASE("migration status against PostgreSQL for every tool", "[migration][status][postgres]") {
  PostgresServer pg;
  TempDir dbs;

  // Flyway: the same faulty history as on SQLite.
  {
    TempDir files;
    write_flyway_files(files);
    pg.create_database("flyway");
    pg.exec(kFlywayPostgres, "flyway");
    for (const std::string& row : faulty_flyway_rows()) pg.exec(row, "flyway");
    check_faulty_flyway(status_of(files, pg.dsn("flyway"), Convention::flyway, nullptr));
  }

  // golang-migrate: ledger records, then an edit and a dirty flag.
  {
    TempDir files;
    for (int v = 1; v <= 3; ++v) {
      write(files, std::to_string(v) + "_step.up.sql", "CREATE TABLE t" + std::to_string(v) + " (id int);\n");
      write(files, std::to_string(v) + "_step.down.sql", "DROP TABLE t" + std::to_string(v) + ";\n");
    }
    pg.create_database("golang");
    pg.exec(kGolangPostgres, "golang");
    pg.exec("INSERT INTO schema_migrations (version, dirty) VALUES (2, false)", "golang");
    Ledger ledger(dbs.file("golang-ledger.db"));
    MigrationStatus first = status_of(files, pg.dsn("golang"), Convention::golang_migrate, &ledger);
    {
      INFO(describe(first));
      CHECK(first.ok());
      CHECK(entry(first, "2").state == MigrationState::applied);
      CHECK(entry(first, "3").state == MigrationState::pending);
    }
    write(files, "2_step.up.sql", "CREATE TABLE t2 (id int, extra text);\n");
    pg.exec("UPDATE schema_migrations SET dirty = true", "golang");
    MigrationStatus later = status_of(files, pg.dsn("golang"), Convention::golang_migrate, &ledger);
    INFO(describe(later));
    CHECK_FALSE(later.ok());
    CHECK(entry(later, "2").state == MigrationState::failed);
    pg.exec("UPDATE schema_migrations SET dirty = false", "golang");
    MigrationStatus edited = status_of(files, pg.dsn("golang"), Convention::golang_migrate, &ledger);
    INFO(describe(edited));
    CHECK(entry(edited, "2").state == MigrationState::modified);
    CHECK(entry(edited, "1").state == MigrationState::applied);
  }

  // dbmate: out of order and missing.
  {
    TempDir files;
    for (const char* v : {"20240101000000", "20240102000000", "20240103000000"})
      write(files, std::string(v) + "_step.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n");
    pg.create_database("dbmate");
    pg.exec(kDbmatePostgres, "dbmate");
    pg.exec("INSERT INTO public.schema_migrations (version) VALUES ('20240101000000'), ('20240103000000'), "
            "('20231231000000')",
            "dbmate");
    Ledger ledger(dbs.file("dbmate-ledger.db"));
    MigrationStatus st = status_of(files, pg.dsn("dbmate"), Convention::dbmate, &ledger);
    INFO(describe(st));
    CHECK_FALSE(st.ok());
    CHECK(st.applied_version == "20240103000000");
    CHECK(entry(st, "20240101000000").state == MigrationState::applied);
    CHECK(entry(st, "20240102000000").state == MigrationState::out_of_order);
    CHECK(entry(st, "20240103000000").state == MigrationState::applied);
    CHECK(entry(st, "20231231000000").state == MigrationState::missing);
    CHECK(st.entries.front().version == "20231231000000");
  }
}
