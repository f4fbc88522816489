// The restore drill end to end on real SQLite files and a real PostgreSQL
// server: a healthy drill passes and is recorded; each fault the drill exists
// for (a backup missing a table, missing rows, a changed value, a truncated
// artifact, a restore that loads nothing, a stale backup, a scratch that is
// the source, a missing pg_dump, broken RTO/RPO) fails naming the step and the
// table; the source is never touched and no scratch database is left behind.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>

#include <SQLiteCpp/SQLiteCpp.h>

#include "suites/backup/backup_job.h"
#include "tests/support/command.h"
#include "tests/support/migration_fixture.h"
#include "tests/support/postgres_server.h"
#include "tests/support/checks.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;
namespace fs = std::filesystem;

namespace {

// users (with a created_at two days old) and orders, 20 rows each.
const char* kSourceSql =
    "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, created_at text NOT NULL);"
    "CREATE TABLE orders (id integer PRIMARY KEY, user_id integer NOT NULL REFERENCES users (id), total numeric);"
    "CREATE INDEX orders_user_id ON orders (user_id);";

void fill(Backend& b, const std::string& created_at) {
  b.exec(kSourceSql);
  for (int i = 1; i <= 20; ++i) {
    b.exec("INSERT INTO users VALUES (" + std::to_string(i) + ", 'u" + std::to_string(i) + "@example.com', '" +
           created_at + "')");
    b.exec("INSERT INTO orders VALUES (" + std::to_string(i) + ", " + std::to_string(i) + ", " + std::to_string(i * 10) + ")");
  }
}

std::string days_ago(int days) {
  std::time_t t = std::time(nullptr) - days * 86400;
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::gmtime(&t));
  return buf;
}

std::unique_ptr<Backend> source(const std::string& kind) {
  auto b = kind == "sqlite" ? Backend::sqlite() : Backend::postgres();
  fill(*b, days_ago(2));
  return b;
}

std::string script(const TempDir& d, const std::string& name, const std::string& body) {
  write_files(d.path(), {{name, "#!/bin/sh\nset -e\n" + body}});
  fs::permissions(d.file(name), fs::perms::owner_all);
  return d.file(name);
}

DrillSpec spec_for(const Backend& b, const TempDir& d) {
  DrillSpec s;
  s.source = b.target_dsn();
  s.scratch = b.kind() == "sqlite" ? "" : b.scratch_dsn();
  s.history = d.file("history.db");
  return s;
}

// A backup command that takes a real backup and then damages it with `sql`.
DrillSpec damaged_backup(const Backend& b, const TempDir& d, const std::string& sqlite_sql, const std::string& pg_dump_args) {
  DrillSpec s = spec_for(b, d);
  if (b.kind() == "sqlite") {
    s.methods.backup_cmd = script(d, "backup.sh", "cp \"${1#sqlite://}\" \"$2\"\nsqlite3 \"$2\" \"" + sqlite_sql + "\"\n") +
                           " {source} {artifact}";
    s.methods.restore_cmd = "";
  } else {
    s.methods.backup_cmd = script(d, "backup.sh", "pg_dump -Fc " + pg_dump_args + " -f \"$2\" \"$1\"\n") + " {source} {artifact}";
  }
  return s;
}

}  // namespace

TEST_CASE("a healthy restore drill passes, measures RTO and RPO, and is recorded", "[backup][drill]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = source(kind);
    TempDir d;
    DrillSpec s = spec_for(*b, d);
    s.rpo_table = "users", s.rpo_column = "created_at";
    parse_drill_threshold("rto<10m", s);
    parse_drill_threshold("rpo<72h", s);
    DrillOutcome o = run_drill(s);
    CHECK(failures(o.checks) == "");
    CHECK(find_check(o.checks, "table users").figures.at(0).value == 20);
    CHECK(find_check(o.checks, "table orders").outcome == Outcome::passed);
    CHECK(o.record.verdict == "passed");
    REQUIRE(o.record.rpo_s);
    CHECK(*o.record.rpo_s > 47 * 3600);
    CHECK(*o.record.rpo_s < 49 * 3600);
    CHECK(o.record.rto_s > 0);
    CHECK(DrillHistory(d.file("history.db")).list().size() == 1);
    CHECK(b->scratch_leftovers() == 0);
  }
}

TEST_CASE("a backup missing a table fails naming the table", "[backup][drill]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = source(kind);
    TempDir d;
    DrillOutcome o = run_drill(damaged_backup(*b, d, "DROP TABLE orders", "-T orders"));
    CHECK(find_check(o.checks, "table orders").outcome == Outcome::failed);
    CHECK_THAT(find_check(o.checks, "table orders").message, Catch::Contains("missing in the restored copy"));
    CHECK(find_check(o.checks, "schema").outcome == Outcome::failed);
    CHECK(find_check(o.checks, "table users").outcome == Outcome::passed);
    CHECK(o.record.verdict == "failed");
    CHECK(b->scratch_leftovers() == 0);
  }
}

TEST_CASE("a backup missing rows fails naming the table and both counts", "[backup][drill]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = source(kind);
    TempDir d;
    DrillOutcome o = run_drill(damaged_backup(*b, d, "DELETE FROM orders WHERE id > 15", "--exclude-table-data=orders"));
    const Check& c = find_check(o.checks, "table orders");
    CHECK(c.outcome == Outcome::failed);
    CHECK_THAT(c.message, Catch::Contains("20"));
    CHECK_THAT(c.message, Catch::Contains(kind == "sqlite" ? "15" : "0"));
  }
}

TEST_CASE("a changed value with the same row count is caught", "[backup][drill]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = source(kind);
    TempDir d;
    DrillSpec s = spec_for(*b, d);
    if (kind == "sqlite") {
      s = damaged_backup(*b, d, "UPDATE users SET email = 'evil@example.com' WHERE id = 7", "");
    } else {
      // The dump is fine; the team's restore script changes a value after loading it.
      s.methods.restore_cmd =
          script(d, "restore.sh",
                 "pg_restore --no-owner -d \"$2\" \"$1\"\npsql -q \"$2\" -c \"UPDATE users SET email = 'evil@example.com' WHERE id = 7\"\n") +
          " {artifact} {scratch}";
    }
    DrillOutcome o = run_drill(s);
    const Check& c = find_check(o.checks, "table users");
    CHECK(c.outcome == Outcome::failed);
    CHECK_THAT(c.message, Catch::Contains("content differs"));
    CHECK(find_check(o.checks, "table orders").outcome == Outcome::passed);
  }
}

TEST_CASE("a truncated artifact fails the artifact check and nothing is restored from it", "[backup][drill]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = source(kind);
    TempDir d;
    DrillSpec good = spec_for(*b, d);
    good.work_dir = d.file("work");
    fs::create_directories(good.work_dir);
    REQUIRE(failures(run_drill(good).checks) == "");
    fs::path artifact = d.file(kind == "sqlite" ? "work/backup.db" : "work/backup.dump");
    fs::resize_file(artifact, fs::file_size(artifact) / 2);
    DrillSpec s = spec_for(*b, d);
    s.artifact = artifact;
    DrillOutcome o = run_drill(s);
    CHECK(find_check(o.checks, "artifact").outcome == Outcome::failed);
    CHECK_THAT(find_check(o.checks, "artifact").message, Catch::Contains("backup." + std::string(kind == "sqlite" ? "db" : "dump")));
    CHECK(find_check(o.checks, "restore").outcome == Outcome::skipped);
    CHECK(b->scratch_leftovers() == 0);
  }
}

TEST_CASE("a SQLite artifact with a damaged page fails the drill naming the damage and the artifact", "[backup][drill]") {
  auto b = source("sqlite");
  b->exec("CREATE TABLE filler (x TEXT); INSERT INTO filler WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
          "FROM c WHERE i < 3000) SELECT printf('%0200d', i) FROM c");
  TempDir d;
  DrillSpec good = spec_for(*b, d);
  good.work_dir = d.file("work");
  fs::create_directories(good.work_dir);
  DrillOutcome healthy = run_drill(good);
  REQUIRE(failures(healthy.checks) == "");
  const fs::path artifact = d.file("work/backup.db");
  // The built-in restore copies the file and the drill hashes it beside the
  // copy: the artifact's SHA-256 is the file's.
  CHECK(healthy.record.artifact_sha256 == run_tool("sha256sum", {artifact.string()}).out.substr(0, 64));
  CHECK_THAT(find_check(healthy.checks, "artifact").evidence.at(0).text,
             Catch::Contains("sha256: " + healthy.record.artifact_sha256 + "\n"));
  {
    std::fstream f(artifact, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(artifact) - 3 * 4096));
    std::string junk(4096, '\x7f');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  DrillSpec s = spec_for(*b, d);
  s.artifact = artifact;
  DrillOutcome o = run_drill(s);
  CHECK(o.record.verdict == "failed");
  CHECK(find_check(o.checks, "integrity").outcome == Outcome::failed);
  CHECK_THAT(find_check(o.checks, "integrity").message,
             Catch::Contains("damaged") && Catch::Contains("byte-for-byte copy of the artifact backup.db"));
  CHECK(b->scratch_leftovers() == 0);
}

TEST_CASE("a restore command that exits 0 but loads nothing fails every table", "[backup][drill]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = source(kind);
    TempDir d;
    DrillSpec s = spec_for(*b, d);
    s.methods.restore_cmd = "sh -c 'exit 0' {artifact} {scratch}";
    DrillOutcome o = run_drill(s);
    CHECK(find_check(o.checks, "restore").outcome == Outcome::passed);  // the command said it worked...
    CHECK(find_check(o.checks, "table users").outcome == Outcome::failed);  // ...the comparison says it did not
    CHECK_THAT(find_check(o.checks, "table users").message, Catch::Contains("missing in the restored copy"));
    CHECK(o.record.verdict == "failed");
  }
}

TEST_CASE("a stale backup folder fails the policy naming the newest file", "[backup][drill]") {
  auto b = source("sqlite");
  TempDir d;
  fs::create_directories(d.file("backups"));
  const std::string path = b->target_dsn().substr(std::string("sqlite://").size());
  fs::copy_file(path, d.file("backups/app-old.db"));
  fs::last_write_time(d.file("backups/app-old.db"), fs::file_time_type::clock::now() - std::chrono::hours(30));
  BackupJob job;
  job.drill = spec_for(*b, d);
  job.dir = d.file("backups");
  job.policy.max_age = std::chrono::hours(26);
  auto checks = run_backup_job(job);
  const Check& policy = find_check(checks, "backup directory");
  CHECK(policy.outcome == Outcome::failed);
  CHECK_THAT(policy.message, Catch::Contains("app-old.db"));
  // The data itself is fine: the newest backup restores and compares equal.
  CHECK(find_check(checks, "table users").outcome == Outcome::passed);

  fs::last_write_time(d.file("backups/app-old.db"), fs::file_time_type::clock::now() - std::chrono::hours(1));
  CHECK(find_check(run_backup_job(job), "backup directory").outcome == Outcome::passed);
}

TEST_CASE("a scratch that is the source itself is refused and the source is untouched", "[backup][drill]") {
  auto b = source("sqlite");
  TempDir d;
  const std::string path = b->target_dsn().substr(std::string("sqlite://").size());
  const std::string before = read_file(path);
  DrillSpec s = spec_for(*b, d);
  s.scratch = b->target_dsn();
  DrillOutcome o = run_drill(s);
  CHECK(find_check(o.checks, "restore").outcome == Outcome::failed);
  CHECK_THAT(find_check(o.checks, "restore").message, Catch::Contains(path));
  CHECK(read_file(path) == before);
}

TEST_CASE("a drill never writes to its source", "[backup][drill]") {
  auto b = source("sqlite");
  TempDir d;
  const std::string path = b->target_dsn().substr(std::string("sqlite://").size());
  const std::string before = read_file(path);
  const auto mtime = fs::last_write_time(path);
  REQUIRE(failures(run_drill(spec_for(*b, d)).checks) == "");
  CHECK(read_file(path) == before);
  CHECK(fs::last_write_time(path) == mtime);
}

TEST_CASE("a missing pg_dump is a failed backup step with the fix", "[backup][drill]") {
  auto b = source("postgresql");
  TempDir d;
  DrillSpec s = spec_for(*b, d);
  s.methods.env["PATH"] = d.path();  // nothing in there
  DrillOutcome o = run_drill(s);
  const Check& c = find_check(o.checks, "backup");
  CHECK(c.outcome == Outcome::failed);
  CHECK_THAT(c.message, Catch::Contains("pg_dump not found"));
  CHECK(find_check(o.checks, "restore").outcome == Outcome::skipped);
}

TEST_CASE("broken RTO and RPO thresholds fail the drill", "[backup][drill]") {
  auto b = source("sqlite");
  TempDir d;
  DrillSpec s = spec_for(*b, d);
  s.rpo_table = "users", s.rpo_column = "created_at";
  parse_drill_threshold("rpo<24h", s);
  parse_drill_threshold("rto<1ms", s);
  DrillOutcome o = run_drill(s);
  CHECK(find_check(o.checks, "rpo").outcome == Outcome::failed);
  CHECK_THAT(find_check(o.checks, "rpo").message, Catch::Contains("age of the newest data"));
  CHECK(find_check(o.checks, "rto").outcome == Outcome::failed);
  CHECK(find_check(o.checks, "table users").outcome == Outcome::passed);
  CHECK_THROWS_WITH(parse_drill_threshold("rto>5m", s), Catch::Contains("no '<'"));
  CHECK_THROWS_WITH(parse_drill_threshold("rpx<5m", s), Catch::Contains("unknown figure 'rpx'"));
}

TEST_CASE("a drill interrupted after the restore leaves no scratch database", "[backup][drill]") {
  for (std::string kind : {"sqlite", "postgresql"}) {
    INFO(kind);
    auto b = source(kind);
    TempDir d;
    std::atomic<bool> cancel{false};
    DrillSpec s = spec_for(*b, d);
    s.methods.cancel = &cancel;
    DrillOutcome o = run_drill(s, [&](const std::string& step) {
      if (step.find("restore") != std::string::npos) cancel = true;
    });
    // Ctrl-C arrived as the restore began: the copy or pg_restore was
    // stopped, nothing after it ran.
    CHECK(find_check(o.checks, "restore").outcome == Outcome::skipped);
    CHECK_THAT(find_check(o.checks, "restore").message, Catch::Contains("interrupted"));
    if (kind == "sqlite")  // compared after the restore by page image: never read
      CHECK_THAT(find_check(o.checks, "source").message, Catch::Contains("interrupted"));
    for (const Check& c : o.checks) CHECK(c.outcome != Outcome::failed);
    CHECK(o.record.verdict == "interrupted");
    CHECK(b->scratch_leftovers() == 0);
  }
}

TEST_CASE("a built-in SQLite drill proves the copy by page image, or row by row when asked", "[backup][drill]") {
  auto b = source("sqlite");
  TempDir d;
  DrillSpec s = spec_for(*b, d);
  DrillOutcome by_image = run_drill(s);
  CHECK(failures(by_image.checks) == "");
  CHECK_THAT(find_check(by_image.checks, "source").evidence.at(0).text, Catch::StartsWith("page by page: the restored copy is the image"));
  CHECK(find_check(by_image.checks, "table users").figures.at(0).value == 20);
  CHECK_THAT(find_check(by_image.checks, "table orders").evidence.at(0).text, Catch::Contains("equal: its pages are the source's"));

  s.compare_rows = true;
  DrillOutcome by_rows = run_drill(s);
  CHECK(failures(by_rows.checks) == "");
  CHECK(find_check(by_rows.checks, "source").evidence.empty());
  CHECK(find_check(by_rows.checks, "table users").figures.at(0).value == 20);
  CHECK(find_check(by_rows.checks, "table users").evidence.empty());
  CHECK(b->scratch_leftovers() == 0);
}

TEST_CASE("a SQLite source written during the drill is compared row by row", "[backup][drill]") {
  auto b = source("sqlite");
  TempDir d;
  DrillSpec s = spec_for(*b, d);
  // A user signs up between the backup and the comparison: the page images
  // differ, and the rows say where.
  auto sign_up = [&](const std::string& step) {
    if (step.find("restore") != std::string::npos)
      b->exec("INSERT INTO users VALUES (21, 'late@example.com', '2026-01-01 00:00:00')");
  };
  DrillOutcome o = run_drill(s, sign_up);
  CHECK_THAT(find_check(o.checks, "source").evidence.at(0).text,
             Catch::StartsWith("row by row: the page images differ (page "));
  const Check& users = find_check(o.checks, "table users");
  CHECK(users.outcome == Outcome::failed);
  CHECK_THAT(users.message, Catch::Contains("21 rows in the source, 20 in the restored copy"));
  CHECK(find_check(o.checks, "table orders").outcome == Outcome::passed);

  // Listed as volatile, with room for one row, the same drill passes.
  b->exec("DELETE FROM users WHERE id = 21");
  auto again = [&](const std::string& step) {
    if (step.find("restore") != std::string::npos)
      b->exec("INSERT INTO users VALUES (22, 'later@example.com', '2026-01-01 00:00:00')");
  };
  s.digest.volatile_tables = {"users"};
  s.volatile_tolerance = 1;
  CHECK(failures(run_drill(s, again).checks) == "");
  CHECK(b->scratch_leftovers() == 0);
}
