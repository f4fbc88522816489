// `greenlight backup drill|verify|history` end to end: exit codes, what the
// terminal shows, the history of drills, and a password that appears nowhere.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/support/command.h"
#include "tests/support/migration_fixture.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight::test;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Backend> sqlite_source() {
  auto b = Backend::sqlite();
  b->exec("CREATE TABLE items (id integer PRIMARY KEY, name text NOT NULL);"
          "INSERT INTO items (name) VALUES ('a'), ('b'), ('c');");
  return b;
}

}  // namespace

TEST_CASE("backup drill passes on a healthy SQLite database and backup history lists it", "[cli][backup]") {
  auto b = sqlite_source();
  TempDir d;
  CommandResult r = run_greenlight({"backup", "drill", "--db", b->target_dsn(), "--history", d.file("h.db"), "--threshold",
                                    "rto<5m", "--out", d.file("reports")});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("PASSED"));
  CHECK(fs::exists(d.file("reports/greenlight.html")));
  CommandResult h = run_greenlight({"backup", "history", "--history", d.file("h.db")});
  CHECK(h.exit_code == 0);
  CHECK_THAT(h.out, Catch::Contains("passed"));
  CHECK_THAT(h.out, Catch::Contains(b->target_dsn()));
}

TEST_CASE("backup verify exits 1 naming a stale backup", "[cli][backup]") {
  auto b = sqlite_source();
  TempDir d;
  fs::create_directories(d.file("backups"));
  fs::copy_file(b->target_dsn().substr(9), d.file("backups/app.db"));
  fs::last_write_time(d.file("backups/app.db"), fs::file_time_type::clock::now() - std::chrono::hours(48));
  CommandResult r = run_greenlight({"backup", "verify", "--dir", d.file("backups"), "--db", b->target_dsn(), "--max-age",
                                    "26h", "--history", d.file("h.db")});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("app.db"));
  CHECK_THAT(r.out, Catch::Contains("26h"));
}

TEST_CASE("backup usage errors exit 2 with the reason", "[cli][backup]") {
  TempDir d;
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"backup"}, "needs an action"},
      {{"backup", "restore"}, "unknown backup action 'restore'"},
      {{"backup", "drill"}, "needs --db"},
      {{"backup", "verify", "--db", "sqlite:///x.db"}, "needs --dir"},
      {{"backup", "drill", "--db", "oracle://x"}, "oracle"},
      {{"backup", "drill", "--db", "sqlite:///x.db", "--threshold", "rto>5m"}, "no '<'"},
      {{"backup", "drill", "--db", "sqlite:///x.db", "--max-age", "26h"}, "belong to backup verify"},
  };
  for (const Case& c : cases) {
    CommandResult r = run_greenlight(c.args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains(c.message));
  }
}

TEST_CASE("a PostgreSQL drill keeps the password out of every output", "[cli][backup][secrets]") {
  PostgresServer pg;
  pg.create_database("app");
  pg.create_role("app_owner", "very-secret-pw-123");
  pg.exec("ALTER ROLE app_owner CREATEDB; ALTER DATABASE app OWNER TO app_owner");
  const std::string dsn = pg.dsn_with_password("app", "app_owner", "very-secret-pw-123");
  const std::string server = pg.dsn_with_password("postgres", "app_owner", "very-secret-pw-123");
  TempDir d;
  CommandResult r = run_greenlight({"backup", "drill", "--db", dsn, "--scratch", server, "--history", d.file("h.db"),
                                    "--out", d.file("reports")});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  for (const std::string& text : {r.out, r.err, read_file(d.file("reports/greenlight.json")),
                                  read_file(d.file("reports/greenlight.html")), read_file(d.file("reports/greenlight.junit.xml")),
                                  read_file(d.file("h.db"))})
    CHECK_THAT(text, !Catch::Contains("very-secret-pw-123"));
}
