// `greenlight migrate verify|status|lint` end to end: what a person reads in
// the terminal, exit codes, reports, and scratch databases dropped even when
// the run is interrupted. Also the demo plan's migration and backup suites
// against the demo target, as ./ci/demo runs them.
#include <catch2/catch.hpp>

#include <csignal>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/command.h"
#include "tests/support/fixture_process.h"
#include "tests/support/migration_fixture.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"
#include <filesystem>
#include <set>

using namespace greenlight::test;

TEST_CASE("migrate lint prints one finding per line with file, line and rule id", "[cli][migration]") {
  TempDir d;
  write_files(d.file("m"), healthy_golang_migrate_set());
  CommandResult bad = run_greenlight({"migrate", "lint", "--dir", d.file("m"), "--dialect", "postgresql"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.out, Catch::Contains("2_users_email_idx.up.sql:1: error:"));
  CHECK_THAT(bad.out, Catch::Contains("[require-concurrent-index-creation]"));
  CHECK_THAT(bad.out, Catch::Contains("users_email_idx"));

  write_files(d.file("m"), {{"2_users_email_idx.up.sql", "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);\n"},
                            {"2_users_email_idx.down.sql", "DROP INDEX CONCURRENTLY users_email_idx;\n"},
                            {"1_create_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"},
                            {"3_add_nickname.down.sql",
                             "-- greenlight:ignore ban-drop-column\nALTER TABLE users DROP COLUMN nickname;\n"}});
  CommandResult good = run_greenlight({"migrate", "lint", "--dir", d.file("m"), "--dialect", "postgresql"});
  CHECK(good.exit_code == 0);
  CHECK_THAT(good.out, !Catch::Contains(": error:"));
}

TEST_CASE("migrate verify exits 0 on a healthy set and 1 naming a down that does not reverse", "[cli][migration]") {
  TempDir d;
  auto files = healthy_golang_migrate_set();
  write_files(d.file("m"), files);
  CommandResult ok = run_greenlight({"migrate", "verify", "--dir", d.file("m"), "--db", "sqlite://" + d.file("scratch.db"),
                                     "--out", d.file("reports")});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("PASSED"));
  CHECK_FALSE(std::filesystem::exists(d.file("scratch.db")));
  auto json = nlohmann::json::parse(read_file(d.file("reports/greenlight.json")));
  CHECK(json["suites"][0]["name"] == "migration");

  write_files(d.file("m"), {{"3_add_nickname.down.sql", "SELECT 1;\n"}});
  CommandResult bad = run_greenlight({"migrate", "verify", "--dir", d.file("m"), "--db", "sqlite://"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.out, Catch::Contains("3_add_nickname.down.sql does not reverse 3_add_nickname.up.sql"));
  CHECK_THAT(bad.out, Catch::Contains("users.nickname"));
}

TEST_CASE("migrate verify refuses a SQLite scratch file that already exists", "[cli][migration]") {
  TempDir d;
  write_files(d.file("m"), healthy_golang_migrate_set());
  write_files(d.path(), {{"prod.db", "not empty"}});
  CommandResult r = run_greenlight({"migrate", "verify", "--dir", d.file("m"), "--db", "sqlite://" + d.file("prod.db")});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("prod.db"));
  CHECK(read_file(d.file("prod.db")) == "not empty");
}

TEST_CASE("migrate status shows each migration's state and exits 1 on a dirty target", "[cli][migration]") {
  TempDir d;
  write_files(d.file("m"), healthy_golang_migrate_set());
  auto b = Backend::sqlite();
  b->deploy_golang_migrate(d.file("m"), {"1_create_users.up.sql", "2_users_email_idx.up.sql"});
  CommandResult ok = run_greenlight({"migrate", "status", "--dir", d.file("m"), "--target", b->target_dsn(),
                                     "--ledger", d.file("ledger.db")});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("applied"));
  CHECK_THAT(ok.out, Catch::Contains("pending"));
  CHECK_THAT(ok.out, Catch::Contains("3_add_nickname.up.sql"));

  b->exec("UPDATE schema_migrations SET dirty = 1");
  CommandResult dirty = run_greenlight({"migrate", "status", "--dir", d.file("m"), "--target", b->target_dsn(),
                                        "--ledger", d.file("ledger.db")});
  CHECK(dirty.exit_code == 1);
  CHECK_THAT(dirty.out, Catch::Contains("dirty"));
}

TEST_CASE("migrate usage errors exit 2 with the reason", "[cli][migration]") {
  TempDir d;
  write_files(d.file("m"), healthy_golang_migrate_set());
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"migrate"}, "needs an action"},
      {{"migrate", "apply", "--dir", d.file("m")}, "unknown migrate action 'apply'"},
      {{"migrate", "lint"}, "needs --dir"},
      {{"migrate", "lint", "--dir", d.file("nope")}, "no such directory"},
      {{"migrate", "verify", "--dir", d.file("m")}, "needs --db"},
      {{"migrate", "status", "--dir", d.file("m")}, "needs --target"},
      {{"migrate", "verify", "--dir", d.file("m"), "--db", "mysql://x@y/z"}, "mysql"},
      {{"migrate", "lint", "--dir", d.file("m"), "--convention", "liquibase"}, "unknown convention 'liquibase'"},
  };
  for (const Case& c : cases) {
    CommandResult r = run_greenlight(c.args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
  }
}

TEST_CASE("Ctrl-C during migrate verify drops the scratch database and writes reports", "[cli][migration][interrupt]") {
  PostgresServer pg;
  TempDir d;
  auto files = healthy_golang_migrate_set();
  files["2_users_email_idx.up.sql"] = "SELECT pg_sleep(3);\nCREATE INDEX users_email_idx ON users (email);\n";
  write_files(d.file("m"), files);
  CommandResult r = run_greenlight({"migrate", "verify", "--dir", d.file("m"), "--db", pg.dsn("postgres"), "--out",
                                    d.file("reports")},
                                   {}, [](int pid) {
                                     std::this_thread::sleep_for(std::chrono::milliseconds(1500));
                                     kill(pid, SIGINT);
                                   });
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("INTERRUPTED"));
  CHECK(pg.query_value("SELECT count(*) FROM pg_database WHERE datname LIKE 'greenlight_scratch_%'") == "0");
  auto json = nlohmann::json::parse(read_file(d.file("reports/greenlight.json")));
  CHECK(json["interrupted"] == true);
}

TEST_CASE("the demo plan's migration and backup suites pass against the demo target", "[cli][migration][backup][demo]") {
  TempDir d;
  FixtureOptions o;
  o.extra_args = {"--migrations", SOURCE_DIR "/fixtures/demo/migrations/app"};
  FixtureProcess fixture(o);
  CommandResult r = run_greenlight({"run", SOURCE_DIR "/fixtures/demo/greenlight.yaml", "--suite", "migration", "--suite", "backup", "--out",
                                    d.file("reports"), "--target-url", fixture.url(), "--var",
                                    "database=sqlite://" + fixture.db_path(), "--var", "history=" + d.file("history.db")});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  auto json = nlohmann::json::parse(read_file(d.file("reports/greenlight.json")));
  std::set<std::string> names;
  for (auto& c : json["suites"][0]["checks"]) names.insert(c["name"].get<std::string>());
  CHECK(names.count("app: drift"));
  CHECK(names.count("app: status"));
  CHECK(names.count("audit: reverse 20261115100000_add_audit_log_subject.sql"));
  REQUIRE(json["suites"].size() == 2);
  std::set<std::string> drill;
  for (auto& c : json["suites"][1]["checks"]) drill.insert(c["name"].get<std::string>());
  CHECK(drill.count("table items"));
  CHECK(drill.count("rto"));
}
