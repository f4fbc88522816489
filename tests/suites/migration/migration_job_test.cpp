// The migration checks end to end on real SQLite files and a real PostgreSQL
// server: a healthy set passes everything, and each fault the suite exists
// for (a down that forgets an index, a migration failing halfway, an edited
// applied file, a hand-made column, a dirty golang-migrate state) is caught
// with a message that names the file and the object. Scratch databases are
// gone afterwards, whatever happened.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "suites/migration/migration_job.h"
#include "tests/support/migration_fixture.h"
#include "tests/support/postgres_server.h"
#include "tests/support/checks.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

MigrationJob job_for(const Backend& b, const std::string& dir, const std::string& ledger = "") {
  MigrationJob job;
  job.dir = dir;
  job.scratch = b.scratch_dsn();
  job.target = b.target_dsn();
  job.ledger = ledger;
  job.lint = false;  // lint has its own tests; these are about applying and comparing
  return job;
}

std::unique_ptr<Backend> backend(const std::string& kind) {
  return kind == "sqlite" ? Backend::sqlite() : Backend::postgres();
}

const std::vector<std::string> kAllUps = {"1_create_users.up.sql", "2_users_email_idx.up.sql", "3_add_nickname.up.sql"};

}  // namespace

TEST_CASE("a healthy migration set passes every check on both databases", "[migration]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = backend(kind);
    TempDir d;
    write_files(d.file("m"), healthy_golang_migrate_set());
    b->deploy_golang_migrate(d.file("m"), kAllUps);
    auto checks = run_migration_job(job_for(*b, d.file("m"), d.file("ledger.db")));
    CHECK(failures(checks) == "");
    CHECK(checks.size() == 1 + 3 + 3 + 1 + 2);  // sources, apply x3, reverse x3, schema, status, drift
    CHECK(find_check(checks, "apply 2_users_email_idx.up.sql").figures.at(0).name == "duration");
    CHECK(b->scratch_leftovers() == 0);
  }
}

TEST_CASE("a down that forgets an index fails reversibility naming the file and the index", "[migration]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = backend(kind);
    TempDir d;
    auto files = healthy_golang_migrate_set();
    files["2_users_email_idx.down.sql"] = "-- forgot: DROP INDEX users_email_idx\nSELECT 1;\n";
    write_files(d.file("m"), files);
    MigrationJob job = job_for(*b, d.file("m"));
    job.target.clear();
    auto checks = run_migration_job(job);
    const Check& c = find_check(checks, "reverse 2_users_email_idx.up.sql");
    CHECK(c.outcome == Outcome::failed);
    CHECK_THAT(c.message, Catch::Contains("2_users_email_idx.down.sql does not reverse 2_users_email_idx.up.sql"));
    CHECK_THAT(c.message, Catch::Contains("users_email_idx is left behind"));
    // The others still pass: the scratch was rebuilt after the failure.
    CHECK(find_check(checks, "reverse 3_add_nickname.up.sql").outcome == Outcome::passed);
    CHECK(find_check(checks, "apply 3_add_nickname.up.sql").outcome == Outcome::passed);
    CHECK(b->scratch_leftovers() == 0);
  }
}

TEST_CASE("a down that drops too much is caught naming what is missing", "[migration]") {
  auto b = Backend::sqlite();
  TempDir d;
  auto files = healthy_golang_migrate_set();
  files["3_add_nickname.down.sql"] = "ALTER TABLE users DROP COLUMN nickname;\nDROP INDEX users_email_idx;\n";
  write_files(d.file("m"), files);
  MigrationJob job = job_for(*b, d.file("m"));
  job.target.clear();
  std::vector<Check> checks = run_migration_job(job);
  const Check& c = find_check(checks, "reverse 3_add_nickname.up.sql");
  CHECK(c.outcome == Outcome::failed);
  CHECK_THAT(c.message, Catch::Contains("users_email_idx is missing"));
}

TEST_CASE("a migration failing halfway is reported with file and line and later ones are skipped", "[migration]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = backend(kind);
    TempDir d;
    auto files = healthy_golang_migrate_set();
    files["2_users_email_idx.up.sql"] =
        "CREATE INDEX users_email_idx ON users (email);\n\n-- then a typo'd table\nINSERT INTO userz (id, email) VALUES (1, 'a');\n";
    write_files(d.file("m"), files);
    MigrationJob job = job_for(*b, d.file("m"));
    job.target.clear();
    auto checks = run_migration_job(job);
    const Check& c = find_check(checks, "apply 2_users_email_idx.up.sql");
    CHECK(c.outcome == Outcome::failed);
    CHECK_THAT(c.message, Catch::Contains("2_users_email_idx.up.sql:4:"));
    CHECK_THAT(c.message, Catch::Contains("userz"));
    const Check& later = find_check(checks, "apply 3_add_nickname.up.sql");
    CHECK(later.outcome == Outcome::skipped);
    CHECK_THAT(later.message, Catch::Contains("2_users_email_idx.up.sql failed"));
    CHECK(b->scratch_leftovers() == 0);
  }
}

TEST_CASE("an applied file edited afterwards is reported as modified through the ledger", "[migration]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = backend(kind);
    TempDir d;
    write_files(d.file("m"), healthy_golang_migrate_set());
    b->deploy_golang_migrate(d.file("m"), kAllUps);
    MigrationJob job = job_for(*b, d.file("m"), d.file("ledger.db"));
    job.apply = false;
    REQUIRE(failures(run_migration_job(job)) == "");  // first sighting: recorded
    write_files(d.file("m"), {{"2_users_email_idx.up.sql", "CREATE INDEX users_email_idx ON users (email, id);\n"}});
    auto checks = run_migration_job(job);
    const Check& status = find_check(checks, "status");
    CHECK(status.outcome == Outcome::failed);
    CHECK_THAT(status.message, Catch::Contains("2_users_email_idx.up.sql was modified after it was applied"));
  }
}

TEST_CASE("a column made by hand on the target is schema drift naming the column", "[migration]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = backend(kind);
    TempDir d;
    write_files(d.file("m"), healthy_golang_migrate_set());
    b->deploy_golang_migrate(d.file("m"), {"1_create_users.up.sql", "2_users_email_idx.up.sql"});
    b->exec("ALTER TABLE users ADD COLUMN hack text");
    auto checks = run_migration_job(job_for(*b, d.file("m"), d.file("ledger.db")));
    const Check& drift = find_check(checks, "drift");
    CHECK(drift.outcome == Outcome::failed);
    CHECK_THAT(drift.message, Catch::Contains("users.hack exists on the target but no migration creates it"));
    CHECK_THAT(drift.message, Catch::Contains("at version 2"));
    // Version 3 is pending, which is what a release applies: not a failure.
    CHECK(find_check(checks, "status").outcome == Outcome::passed);
    CHECK(b->scratch_leftovers() == 0);
  }
}

TEST_CASE("a dirty golang-migrate state fails status and skips drift", "[migration]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = backend(kind);
    TempDir d;
    write_files(d.file("m"), healthy_golang_migrate_set());
    b->deploy_golang_migrate(d.file("m"), {"1_create_users.up.sql", "2_users_email_idx.up.sql"}, /*dirty=*/true);
    auto checks = run_migration_job(job_for(*b, d.file("m"), d.file("ledger.db")));
    const Check& status = find_check(checks, "status");
    CHECK(status.outcome == Outcome::failed);
    CHECK_THAT(status.message, Catch::Contains("2_users_email_idx.up.sql failed on the target"));
    CHECK_THAT(status.message, Catch::Contains("dirty"));
    CHECK(find_check(checks, "drift").outcome == Outcome::skipped);
  }
}

TEST_CASE("status and drift never write to the target", "[migration]") {
  auto b = Backend::sqlite();
  TempDir d;
  write_files(d.file("m"), healthy_golang_migrate_set());
  b->deploy_golang_migrate(d.file("m"), kAllUps);
  const std::string path = b->target_dsn().substr(std::string("sqlite://").size());
  auto bytes = [&] {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string before = bytes();
  const auto mtime = std::filesystem::last_write_time(path);
  REQUIRE(failures(run_migration_job(job_for(*b, d.file("m"), d.file("ledger.db")))) == "");
  CHECK(bytes() == before);
  CHECK(std::filesystem::last_write_time(path) == mtime);
}

TEST_CASE("bad input gives a clear failed check and leaves nothing behind", "[migration]") {
  TempDir d;
  SECTION("an empty directory") {
    std::filesystem::create_directories(d.file("empty"));
    MigrationJob job;
    job.dir = d.file("empty");
    job.scratch = "sqlite://";
    auto checks = run_migration_job(job);
    CHECK(find_check(checks, "sources").outcome == Outcome::failed);
    CHECK_THAT(find_check(checks, "sources").message, Catch::Contains("no migration files"));
  }
  SECTION("mixed conventions") {
    write_files(d.file("mixed"), {{"V1__init.sql", "CREATE TABLE a (id int);\n"},
                                  {"2_more.up.sql", "CREATE TABLE b (id int);\n"},
                                  {"2_more.down.sql", "DROP TABLE b;\n"}});
    MigrationJob job;
    job.dir = d.file("mixed");
    job.scratch = "sqlite://";
    auto checks = run_migration_job(job);
    const Check& c = find_check(checks, "sources");
    CHECK(c.outcome == Outcome::failed);
    CHECK_THAT(c.message, Catch::Contains("V1__init.sql"));
    CHECK_THAT(c.message, Catch::Contains("2_more."));
    CHECK_THAT(c.message, Catch::Contains("more than one migration convention"));
  }
  SECTION("a syntax error is reported with file and line") {
    write_files(d.file("syntax"), {{"1_a.up.sql", "CREATE TABLE a (id int);\n\nCREATE TABEL b (id int);\n"},
                                   {"1_a.down.sql", "DROP TABLE a;\n"}});
    MigrationJob job;
    job.dir = d.file("syntax");
    job.scratch = "sqlite://";
    job.lint = false;
    std::vector<Check> checks = run_migration_job(job);
    const Check& c = find_check(checks, "apply 1_a.up.sql");
    CHECK(c.outcome == Outcome::failed);
    CHECK_THAT(c.message, Catch::Contains("1_a.up.sql:3:"));
  }
  SECTION("an unreachable database server") {
    write_files(d.file("m"), healthy_golang_migrate_set());
    MigrationJob job;
    job.dir = d.file("m");
    job.scratch = "postgresql://nobody@127.0.0.1:1/postgres";
    job.target = "postgresql://nobody:s3cret-pw@127.0.0.1:1/app";
    job.lint = false;
    auto checks = run_migration_job(job);
    CHECK(find_check(checks, "apply").outcome == Outcome::failed);
    CHECK_THAT(find_check(checks, "apply").message, Catch::Contains("127.0.0.1"));
    CHECK(find_check(checks, "status").outcome == Outcome::failed);
    for (const Check& c : checks) CHECK_THAT(c.message, !Catch::Contains("s3cret-pw"));
  }
}

TEST_CASE("wrong credentials fail clearly without showing the password", "[migration]") {
  PostgresServer pg;
  pg.create_role("app_ro", "right-password");
  pg.create_database("app");
  TempDir d;
  write_files(d.file("m"), healthy_golang_migrate_set());
  MigrationJob job;
  job.dir = d.file("m");
  job.target = pg.dsn_with_password("app", "app_ro", "wrong-password");
  job.apply = job.drift = job.lint = false;
  auto checks = run_migration_job(job);
  const Check& c = find_check(checks, "status");
  CHECK(c.outcome == Outcome::failed);
  CHECK_THAT(c.message, Catch::Contains("authentication failed"));
  CHECK_THAT(c.message, !Catch::Contains("wrong-password"));
}
