// Backups and restores for real: the SQLite online backup of a database that
// another connection keeps writing, pg_dump/pg_restore/psql against a real
// PostgreSQL 15 server into ScratchDatabases, the team's own commands as
// shell scripts, and the faults: a failing command, one that loads nothing,
// a missing or too old pg_dump, and passwords that must never show.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include <SQLiteCpp/SQLiteCpp.h>

#include "harness/database.h"
#include "suites/backup/artifact.h"
#include "suites/backup/backup_methods.h"
#include "tests/support/command.h"
#include "tests/support/postgres_server.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

std::string sqlite_dsn(const std::string& path) { return "sqlite://" + path; }

// A database where every transaction adds one row to `events` and sets
// meta.n to the row count: in any consistent snapshot the two agree.
void make_counted_db(const std::string& path, int rows) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("CREATE TABLE events(id INTEGER PRIMARY KEY, payload TEXT NOT NULL);"
          "CREATE TABLE meta(n INTEGER NOT NULL); INSERT INTO meta VALUES (0);");
  SQLite::Transaction tx(db);
  SQLite::Statement ins(db, "INSERT INTO events(payload) VALUES (?)");
  for (int i = 0; i < rows; ++i) {
    ins.bind(1, std::string(400, 'a' + i % 26));
    ins.exec();
    ins.reset();
  }
  db.exec("UPDATE meta SET n = (SELECT count(*) FROM events)");
  tx.commit();
}

std::string script(const TempDir& dir, const std::string& name, const std::string& body) {
  const std::string path = dir.file(name);
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  fs::permissions(path, fs::perms::owner_all);
  return path;
}

std::string db_name_of(const std::string& dsn) {
  std::string name = dsn.substr(dsn.rfind('/') + 1);
  return name.substr(0, name.find('?'));
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

void make_pg_app(const PostgresServer& pg) {
  pg.create_database("app");
  pg.exec("CREATE TABLE users(id int PRIMARY KEY, name text NOT NULL);"
          "INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 30000) g;"
          "CREATE TABLE items(id serial PRIMARY KEY, user_id int REFERENCES users(id), price numeric(10,2));"
          "INSERT INTO items(user_id, price) SELECT g, g / 7.0 FROM generate_series(1, 12000) g;",
          "app");
}

const std::string kPassword = "Sup3r-secret-pw";

// One server for every test and SECTION of this file: Catch runs a test case
// again for each SECTION, and a server takes a second or two to start.
const PostgresServer& shared_pg() {
  static PostgresServer pg;
  static bool made = [] {
    make_pg_app(pg);
    pg.create_role("backup_user", kPassword);
    pg.exec("GRANT SELECT ON ALL TABLES IN SCHEMA public TO backup_user;"
            "GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO backup_user;",
            "app");
    pg.exec("ALTER ROLE backup_user CREATEDB");
    return true;
  }();
  (void)made;
  return pg;
}

}  // namespace

TEST_CASE("SQLite backup of a database written meanwhile is consistent and complete", "[backup][backup_methods]") {
  TempDir dir;
  const std::string src = dir.file("live.db");
  const int initial = 20000;  // ~10 MB: many backup steps
  make_counted_db(src, initial);

  std::atomic<bool> stop{false};
  std::atomic<int> committed{initial};
  std::thread writer([&] {
    SQLite::Database db(src, SQLite::OPEN_READWRITE, 5000);
    SQLite::Statement ins(db, "INSERT INTO events(payload) VALUES ('written during the backup')");
    while (!stop) {
      SQLite::Transaction tx(db);
      ins.exec();
      ins.reset();
      db.exec("UPDATE meta SET n = n + 1");
      tx.commit();
      ++committed;
      std::this_thread::sleep_for(1ms);
    }
  });
  // Let the writer get going, so the copy certainly overlaps writes.
  while (committed < initial + 20) std::this_thread::sleep_for(1ms);
  const int before = committed;
  const std::string artifact = dir.file("backup.db");
  StepResult step;
  REQUIRE_NOTHROW(step = take_backup(sqlite_dsn(src), artifact, BackupOptions{}));
  const int after = committed;
  stop = true;
  writer.join();

  CHECK(step.seconds > 0);
  CHECK_THAT(step.command, Catch::Contains(src) && Catch::Contains(artifact));
  CHECK_THAT(step.output, Catch::Contains("pages copied"));
  // One consistent snapshot: the row count and the counter agree, and it
  // holds at least everything committed before the backup began.
  const int rows = std::stoi(sqlite_query(artifact, "SELECT count(*) FROM events"));
  CHECK(sqlite_query(artifact, "SELECT n FROM meta") == std::to_string(rows));
  CHECK(rows >= before);
  CHECK(rows <= after + 1);
  CHECK(sqlite_query(artifact, "PRAGMA integrity_check") == "ok");
  // A self-contained file: no WAL needed to read it.
  CHECK(sqlite_query(artifact, "PRAGMA journal_mode") == "delete");
  CHECK(inspect_artifact(artifact).ok());

  SECTION("restored into a SQLite scratch, all rows are there") {
    ScratchDatabase scratch("sqlite://");
    // A connection opened before the restore sees the restored data too.
    REQUIRE(scratch.db().query_value("SELECT count(*) FROM sqlite_schema") == "0");
    StepResult r = restore_backup(artifact, scratch.dsn(), BackupOptions{});
    CHECK_THAT(r.command, Catch::Contains(artifact));
    CHECK_THAT(r.output, Catch::Contains("pages copied"));
    CHECK(scratch.db().query_value("SELECT count(*) FROM events") == std::to_string(rows));
    CHECK(scratch.db().query_value("SELECT n FROM meta") == std::to_string(rows));
  }
  SECTION("restored from .gz") {
    REQUIRE(run_tool("gzip", {"-k", artifact}).exit_code == 0);
    ScratchDatabase scratch("sqlite://");
    restore_backup(artifact + ".gz", scratch.dsn(), BackupOptions{});
    CHECK(scratch.db().query_value("SELECT count(*) FROM events") == std::to_string(rows));
  }
}

TEST_CASE("SQLite restore by file copy gives the artifact byte for byte", "[backup][backup_methods]") {
  TempDir dir;
  const std::string src = dir.file("app.db");
  make_counted_db(src, 3000);
  const std::string artifact = dir.file("b.db");
  take_backup(sqlite_dsn(src), artifact, BackupOptions{});
  BackupOptions copy;
  copy.sqlite_copy_file = true;
  ScratchDatabase scratch("sqlite://");
  scratch.close();  // no connection may be open on the scratch during a file copy
  const std::string path = scratch.dsn().substr(std::string("sqlite://").size());

  SECTION("the copy is the artifact, byte for byte") {
    StepResult r = restore_backup(artifact, scratch.dsn(), copy);
    CHECK_THAT(r.command, Catch::Contains("copy " + artifact));
    CHECK_THAT(r.output, Catch::Contains(std::to_string(fs::file_size(artifact)) + " bytes copied"));
    CHECK(run_tool("cmp", {artifact, path}).exit_code == 0);
    CHECK(scratch.db().query_value("SELECT count(*) FROM events") == "3000");
    CHECK(scratch.db().query_value("PRAGMA integrity_check") == "ok");
  }
  SECTION("a copy out of time fails naming the restore and leaves an empty scratch, not half a database") {
    copy.timeout = 0ms;
    CHECK_THROWS_WITH(restore_backup(artifact, scratch.dsn(), copy),
                      Catch::Contains("restore of " + artifact) && Catch::Contains("timed out"));
    CHECK(fs::file_size(path) == 0);
  }
  SECTION("a scratch that already holds tables is still refused") {
    CHECK_THROWS_WITH(restore_backup(artifact, sqlite_dsn(src), copy), Catch::Contains("refusing to restore into " + src));
    CHECK(sqlite_query(src, "SELECT count(*) FROM events") == "3000");
  }
  SECTION("a .gz artifact is not copied but decompressed through the backup API") {
    REQUIRE(run_tool("gzip", {"-k", artifact}).exit_code == 0);
    StepResult r = restore_backup(artifact + ".gz", scratch.dsn(), copy);
    CHECK_THAT(r.output, Catch::Contains("pages copied"));
    CHECK(scratch.db().query_value("SELECT count(*) FROM events") == "3000");
  }
}

TEST_CASE("SQLite backup and restore handle their faults", "[backup][backup_methods]") {
  TempDir dir;
  const std::string src = dir.file("app.db");
  make_counted_db(src, 3000);

  SECTION("a missing source file") {
    CHECK_THROWS_WITH(take_backup(sqlite_dsn(dir.file("none.db")), dir.file("b.db"), BackupOptions{}),
                      Catch::Contains(dir.file("none.db") + " does not exist"));
    CHECK_FALSE(fs::exists(dir.file("b.db")));
  }
  SECTION("cancelled: nothing is left behind") {
    std::atomic<bool> cancel{true};
    BackupOptions o;
    o.cancel = &cancel;
    CHECK_THROWS_WITH(take_backup(sqlite_dsn(src), dir.file("b.db"), o), Catch::Contains("cancelled"));
    CHECK_FALSE(fs::exists(dir.file("b.db")));
  }
  SECTION("a scratch that already holds tables is refused") {
    take_backup(sqlite_dsn(src), dir.file("b.db"), BackupOptions{});
    CHECK_THROWS_WITH(restore_backup(dir.file("b.db"), sqlite_dsn(src), BackupOptions{}),
                      Catch::Contains("refusing to restore into " + src) && Catch::Contains("schema objects"));
    CHECK(sqlite_query(src, "SELECT count(*) FROM events") == "3000");
  }
  SECTION("a SQL dump is executed into the scratch") {
    ToolResult dump = run_tool("sqlite3", {src, ".dump"});
    REQUIRE(dump.exit_code == 0);
    std::ofstream(dir.file("app.sql")) << dump.out;
    ScratchDatabase scratch("sqlite://");
    restore_backup(dir.file("app.sql"), scratch.dsn(), BackupOptions{});
    CHECK(scratch.db().query_value("SELECT count(*) FROM events") == "3000");
  }
  SECTION("a SQL dump with an error names the line") {
    std::ofstream(dir.file("bad.sql")) << "CREATE TABLE a(x);\nINSERT INTO a VALUES (1);\n\nINSERT INTO nope VALUES (2);\n";
    ScratchDatabase scratch("sqlite://");
    CHECK_THROWS_WITH(restore_backup(dir.file("bad.sql"), scratch.dsn(), BackupOptions{}),
                      Catch::Contains(dir.file("bad.sql") + ":4") && Catch::Contains("no such table: nope"));
  }
  SECTION("a pg_dump archive cannot go into SQLite") {
    std::ofstream(dir.file("x.dump")) << "PGDMP\x01\x0e\x00";
    ScratchDatabase scratch("sqlite://");
    CHECK_THROWS_WITH(restore_backup(dir.file("x.dump"), scratch.dsn(), BackupOptions{}),
                      Catch::Contains("pg_dump archive"));
  }
  SECTION("a missing artifact") {
    ScratchDatabase scratch("sqlite://");
    CHECK_THROWS_WITH(restore_backup(dir.file("gone.db"), scratch.dsn(), BackupOptions{}),
                      Catch::Contains(dir.file("gone.db") + ": the file does not exist"));
  }
}

TEST_CASE("pg_dump and pg_restore round trip into a scratch database", "[backup][backup_methods][postgres]") {
  const PostgresServer& pg = shared_pg();
  TempDir dir;
  const std::string artifact = dir.file("app.dump");
  StepResult b = take_backup(pg.dsn("app"), artifact, BackupOptions{});
  CHECK_THAT(b.command, Catch::Contains("pg_dump") && Catch::Contains("-Fc") && Catch::Contains(artifact));
  CHECK_THAT(b.output, Catch::Contains("pg_dump (PostgreSQL) 15"));
  ArtifactInfo info = inspect_artifact(artifact);
  CHECK(info.ok());
  CHECK(info.tables == std::vector<std::string>{"public.items", "public.users"});

  ScratchDatabase scratch(pg.dsn("postgres"), pg.dsn("app"));
  scratch.close();
  BackupOptions o;
  o.restore_jobs = 3;
  StepResult r = restore_backup(artifact, scratch.dsn(), o);
  CHECK_THAT(r.command, Catch::Contains("pg_restore -j 3 --exit-on-error --no-owner --no-privileges"));
  const std::string db = db_name_of(scratch.dsn());
  CHECK(pg.query_value("SELECT count(*) FROM users", db) == "30000");
  CHECK(pg.query_value("SELECT count(*) FROM items", db) == "12000");
  CHECK(pg.query_value("SELECT sum(price) FROM items", db) == pg.query_value("SELECT sum(price) FROM items", "app"));
  CHECK(pg.query_value("SELECT last_value FROM items_id_seq", db) == "12000");

  SECTION("a truncated dump fails the restore with pg_restore's error") {
    fs::resize_file(artifact, fs::file_size(artifact) - 2000);
    ScratchDatabase again(pg.dsn("postgres"));
    std::string msg = message_of([&] { restore_backup(artifact, again.dsn(), BackupOptions{}); });
    CHECK_THAT(msg, Catch::Contains("restore of " + artifact) && Catch::Contains("pg_restore exited with 1"));
  }
  SECTION("a plain SQL dump, gzipped, goes in through psql") {
    REQUIRE(run_tool("pg_dump", {"-f", dir.file("app.sql"), pg.dsn("app")}).exit_code == 0);
    REQUIRE(run_tool("gzip", {dir.file("app.sql")}).exit_code == 0);
    ScratchDatabase plain(pg.dsn("postgres"));
    StepResult p = restore_backup(dir.file("app.sql.gz"), plain.dsn(), BackupOptions{});
    CHECK_THAT(p.command, Catch::Contains("psql") && Catch::Contains("ON_ERROR_STOP=1"));
    CHECK(pg.query_value("SELECT count(*) FROM users", db_name_of(plain.dsn())) == "30000");
  }
  SECTION("plain SQL that fails stops at the error") {
    std::ofstream(dir.file("bad.sql")) << "CREATE TABLE a(x int);\nINSERT INTO missing VALUES (1);\nCREATE TABLE b(x int);\n";
    ScratchDatabase plain(pg.dsn("postgres"));
    std::string msg = message_of([&] { restore_backup(dir.file("bad.sql"), plain.dsn(), BackupOptions{}); });
    CHECK_THAT(msg, Catch::Contains("psql exited with 3") && Catch::Contains("relation \"missing\" does not exist"));
    CHECK(pg.query_value("SELECT count(*) FROM pg_tables WHERE tablename = 'b'", db_name_of(plain.dsn())) == "0");
  }
  SECTION("a SQLite file cannot go into PostgreSQL") {
    { SQLite::Database s(dir.file("x.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE); s.exec("CREATE TABLE t(x)"); }
    ScratchDatabase other(pg.dsn("postgres"));
    CHECK_THROWS_WITH(restore_backup(dir.file("x.db"), other.dsn(), BackupOptions{}),
                      Catch::Contains("SQLite database, which restores into SQLite only"));
  }
  SECTION("a source that cannot be reached") {
    CHECK_THROWS_WITH(take_backup(pg.dsn("no_such_db"), dir.file("x.dump"), BackupOptions{}),
                      Catch::Contains("cannot read the server version") && Catch::Contains("no_such_db"));
  }
}

TEST_CASE("PostgreSQL passwords never reach commands or output", "[backup][backup_methods][postgres]") {
  const PostgresServer& pg = shared_pg();
  const std::string pw = kPassword;
  TempDir dir;
  const std::string source = pg.dsn_with_password("app", "backup_user", pw);

  StepResult b = take_backup(source, dir.file("app.dump"), BackupOptions{});
  CHECK_THAT(b.command, !Catch::Contains(pw) && Catch::Contains("backup_user@"));
  CHECK_THAT(b.output, !Catch::Contains(pw));

  ScratchDatabase scratch(pg.dsn_with_password("postgres", "backup_user", pw));
  scratch.close();
  StepResult r = restore_backup(dir.file("app.dump"), scratch.dsn(), BackupOptions{});
  CHECK_THAT(r.command, !Catch::Contains(pw));
  CHECK_THAT(r.output, !Catch::Contains(pw));
  CHECK(pg.query_value("SELECT count(*) FROM users", db_name_of(scratch.dsn())) == "30000");

  SECTION("a wrong password fails without showing either password") {
    const std::string wrong = pg.dsn_with_password("app", "backup_user", "Wrong-password-1");
    std::string msg = message_of([&] { take_backup(wrong, dir.file("x.dump"), BackupOptions{}); });
    CHECK_THAT(msg, Catch::Contains("password authentication failed"));
    CHECK_THAT(msg, !Catch::Contains("Wrong-password-1") && !Catch::Contains(pw));
  }
  SECTION("the team's command gets the DSN, the evidence does not show its password") {
    const std::string sh = script(dir, "dump.sh", "pg_dump -Fc -f \"$2\" \"$1\" && echo \"dumped $1\"");
    BackupOptions o;
    o.backup_cmd = sh + " {source} {artifact}";
    StepResult c = take_backup(source, dir.file("team.dump"), o);
    CHECK(inspect_artifact(dir.file("team.dump")).ok());
    CHECK_THAT(c.command, !Catch::Contains(pw) && Catch::Contains("[redacted]"));
    CHECK_THAT(c.output, Catch::StartsWith("dumped postgresql://backup_user:[redacted]@"));
  }
}

TEST_CASE("pg_dump missing or older than the server is a clear error", "[backup][backup_methods][postgres]") {
  const PostgresServer& pg = shared_pg();
  TempDir dir, bin;
  BackupOptions o;
  o.env["PATH"] = bin.path();  // nothing in it

  CHECK(message_of([&] { take_backup(pg.dsn("app"), dir.file("a.dump"), o); }) ==
        "pg_dump not found on PATH (Debian: apt install postgresql-client-15)");
  std::ofstream(dir.file("a.dump")) << "PGDMP";
  ScratchDatabase scratch(pg.dsn("postgres"));
  CHECK(message_of([&] { restore_backup(dir.file("a.dump"), scratch.dsn(), o); }) ==
        "pg_restore not found on PATH (Debian: apt install postgresql-client-15)");
  std::ofstream(dir.file("a.sql")) << "SELECT 1;\n";
  CHECK(message_of([&] { restore_backup(dir.file("a.sql"), scratch.dsn(), o); }) ==
        "psql not found on PATH (Debian: apt install postgresql-client-15)");

  SECTION("an older pg_dump is refused before it runs") {
    script(bin, "pg_dump", "if [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) 13.4'; exit 0; fi\n"
                           "echo ran > " + dir.file("ran") + "; exit 0");
    std::string msg = message_of([&] { take_backup(pg.dsn("app"), dir.file("b.dump"), o); });
    CHECK_THAT(msg, Catch::Contains("'pg_dump (PostgreSQL) 13.4', older than the server") &&
                        Catch::Contains("PostgreSQL 15.") && Catch::Contains("apt install postgresql-client-15"));
    CHECK_FALSE(fs::exists(dir.file("ran")));
  }
}

TEST_CASE("custom backup and restore commands run with placeholders", "[backup][backup_methods]") {
  TempDir dir;
  const std::string src = dir.file("app.db");
  make_counted_db(src, 500);
  fs::create_directory(dir.file("my backups"));
  const std::string artifact = dir.file("my backups/app copy.db");  // spaces: one argument all the same
  const std::string backup_sh =
      script(dir, "backup.sh", "[ $# -eq 2 ] || { echo \"expected 2 arguments, got $#\" >&2; exit 9; }\n"
                               "sqlite3 \"${1#sqlite://}\" \".backup '$2'\" && echo \"backed up to $2\"");
  const std::string restore_sh =
      script(dir, "restore.sh", "[ $# -eq 2 ] || exit 9\ncp \"$1\" \"${2#sqlite://}\" && echo restored >&2");

  BackupOptions o;
  o.backup_cmd = backup_sh + " {source} {artifact}";
  o.restore_cmd = "'" + restore_sh + "' {artifact} {scratch}";
  StepResult b = take_backup(sqlite_dsn(src), artifact, o);
  CHECK(b.output == "backed up to " + artifact + "\n");
  CHECK_THAT(b.command, Catch::Contains("'" + artifact + "'"));
  CHECK(sqlite_query(artifact, "SELECT count(*) FROM events") == "500");

  ScratchDatabase scratch("sqlite://");
  StepResult r = restore_backup(artifact, scratch.dsn(), o);
  CHECK(r.output == "restored\n");
  CHECK(scratch.db().query_value("SELECT count(*) FROM events") == "500");

  SECTION("a command that exits 1 fails with its stderr") {
    o.backup_cmd = script(dir, "fail.sh", "echo 'starting'\necho 'no space left on device' >&2\nexit 1") + " {artifact}";
    std::string msg = message_of([&] { take_backup(sqlite_dsn(src), dir.file("x.db"), o); });
    CHECK_THAT(msg, Catch::Contains("the backup command failed: fail.sh exited with 1: no space left on device") &&
                        Catch::Contains("its output ended with:\nno space left on device"));
  }
  SECTION("a backup command that writes nothing") {
    o.backup_cmd = "true {artifact}";
    CHECK_THROWS_WITH(take_backup(sqlite_dsn(src), dir.file("x.db"), o),
                      Catch::Contains("exited 0 but wrote nothing to " + dir.file("x.db")));
  }
  SECTION("a restore command that exits 0 but loads nothing succeeds: the comparison must catch it") {
    o.restore_cmd = "true {artifact} {scratch}";
    ScratchDatabase empty("sqlite://");
    CHECK_NOTHROW(restore_backup(artifact, empty.dsn(), o));
    CHECK(empty.db().query_value("SELECT count(*) FROM sqlite_schema") == "0");
  }
  SECTION("a command over its timeout is stopped") {
    o.backup_cmd = "sh -c 'sleep 30' {artifact}";
    o.timeout = 300ms;
    auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(take_backup(sqlite_dsn(src), dir.file("x.db"), o), Catch::Contains("sh timed out after 300ms"));
    CHECK(std::chrono::steady_clock::now() - start < 3s);
  }
  SECTION("the environment reaches the command") {
    o.backup_cmd = script(dir, "env.sh", "echo \"$BACKUP_BUCKET\" > \"$1\"") + " {artifact}";
    o.env["BACKUP_BUCKET"] = "s3://team-backups";
    take_backup(sqlite_dsn(src), dir.file("env.out"), o);
    CHECK(read_file(dir.file("env.out")) == "s3://team-backups\n");
  }
  SECTION("templates without their placeholders are refused") {
    o.backup_cmd = backup_sh + " {source}";
    CHECK_THROWS_WITH(take_backup(sqlite_dsn(src), artifact, o), Catch::Contains("no {artifact} placeholder"));
    o.restore_cmd = restore_sh + " {artifact}";
    CHECK_THROWS_WITH(restore_backup(artifact, scratch.dsn(), o), Catch::Contains("no {scratch} placeholder"));
  }
  SECTION("a program that does not exist") {
    o.backup_cmd = dir.file("nope.sh") + " {artifact}";
    CHECK_THROWS_WITH(take_backup(sqlite_dsn(src), dir.file("x.db"), o),
                      Catch::Contains("the backup command failed: cannot start") && Catch::Contains("nope.sh"));
  }
}

TEST_CASE("expand_command replaces placeholders inside words", "[backup][backup_methods]") {
  using V = std::vector<std::string>;
  std::map<std::string, std::string> values{{"artifact", "/tmp/my backup.dump"}, {"source", "postgresql://u@h/db"},
                                            {"scratch", "{artifact}"}};
  CHECK(expand_command("./b.sh {source} {artifact}", values) == V{"./b.sh", "postgresql://u@h/db", "/tmp/my backup.dump"});
  CHECK(expand_command("tool --out={artifact} '{source}'", values) ==
        V{"tool", "--out=/tmp/my backup.dump", "postgresql://u@h/db"});
  // A value is not expanded again; unknown braces stay as written.
  CHECK(expand_command("r {scratch} awk '{print}' {nope}", values) == V{"r", "{artifact}", "awk", "{print}", "{nope}"});
  CHECK_THROWS_AS(expand_command("b.sh '{artifact}", values), std::invalid_argument);
}
