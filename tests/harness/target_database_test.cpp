// The read-only contract of query_scalar_readonly, proven against real
// databases (a SQLite file, a PostgreSQL server): counting works, and no
// statement, however crafted, changes the target's data or files.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "harness/target_database.h"
#include "tests/support/command.h"
#include "tests/support/ports.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;
namespace fs = std::filesystem;

namespace {


std::set<std::string> listing(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  return names;
}

// Everything a write could disturb, as text so that a failed comparison shows
// what changed: the bytes (hashed) and mtime of the database, the bytes of its
// WAL if any, and which files exist beside it. The -shm file is left out on
// purpose: every reader, even a read-only one, records its read marks there.
std::string file_state(const std::string& db) {
  std::ostringstream s;
  const std::string bytes = read_file(db);
  s << "db: " << bytes.size() << " bytes, hash " << std::hash<std::string>{}(bytes) << ", mtime "
    << fs::last_write_time(db).time_since_epoch().count();
  if (fs::exists(db + "-wal")) {
    const std::string wal = read_file(db + "-wal");
    s << "; wal: " << wal.size() << " bytes, hash " << std::hash<std::string>{}(wal);
  }
  s << "; files:";
  for (const std::string& f : listing(fs::path(db).parent_path()))
    if (!f.ends_with("-shm")) s << " " << f;
  return s.str();
}

// A SQLite file with three items, its mtime pushed an hour back so that a
// write within the same clock tick would still show.
std::string make_sqlite_db(const TempDir& dir, bool wal) {
  const std::string path = dir.file("x.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    if (wal) db.execAndGet("PRAGMA journal_mode=WAL");
    db.exec("CREATE TABLE items(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);"
            "INSERT INTO items(name) VALUES ('a'), ('b'), ('c');");
  }
  fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(1));
  return path;
}

// Statements that would change a SQLite database, or create files beside it.
std::vector<std::string> sqlite_write_attempts(const TempDir& dir) {
  return {
      "INSERT INTO items(name) VALUES ('x')",
      "UPDATE items SET name = 'x'",
      "DELETE FROM items",
      "CREATE TABLE evil(x)",
      "DROP TABLE items",
      "PRAGMA user_version = 7",
      "PRAGMA journal_mode = DELETE",
      "PRAGMA journal_mode = WAL",
      "VACUUM",
      "VACUUM INTO '" + dir.file("copy.db") + "'",
      "ATTACH '" + dir.file("other.db") + "' AS other",
      "PRAGMA query_only = OFF; INSERT INTO items(name) VALUES ('x')",
      "SELECT count(*) FROM items; DELETE FROM items",
      "BEGIN IMMEDIATE",
      "INSERT INTO items(name) VALUES ('x') RETURNING id",
  };
}

void check_sqlite_contract(bool wal) {
  TempDir dir("greenlight-targetdb");
  const std::string path = make_sqlite_db(dir, wal);
  const std::string dsn = "sqlite://" + path;
  // A live writer holds a WAL database open, as the target's service would:
  // without it the last connection to close would checkpoint and remove the WAL.
  // Its last row is only in the WAL, not yet checkpointed into the file.
  std::unique_ptr<SQLite::Database> writer;
  if (wal) {
    writer = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE);
    writer->exec("INSERT INTO items(name) VALUES ('d')");
  }
  const long long rows = wal ? 4 : 3;

  CHECK(query_scalar_readonly(dsn, "SELECT count(*) FROM items") == rows);
  CHECK(query_scalar_readonly(dsn, "SELECT count(*) FROM items; -- a trailing ';' or comment is no second statement") ==
        rows);
  const std::string before = file_state(path);

  for (const std::string& sql : sqlite_write_attempts(dir)) {
    INFO(sql);
    CHECK_THROWS(query_scalar_readonly(dsn, sql));
    CHECK(file_state(path) == before);
  }
  CHECK_FALSE(fs::exists(dir.file("copy.db")));
  CHECK_FALSE(fs::exists(dir.file("other.db")));
  CHECK(query_scalar_readonly(dsn, "SELECT count(*) FROM items WHERE name IN ('a', 'b', 'c', 'd')") == rows);
  CHECK(file_state(path) == before);
}

// One server for every test case in this process (ctest runs each case in a
// process of its own); each case works in a database of its own.
PostgresServer& pg() {
  static PostgresServer server;
  return server;
}

// A fresh database with three items (ids from a sequence) and its DSN.
std::string make_pg_db(const std::string& name) {
  pg().create_database(name);
  pg().exec("CREATE TABLE items(id serial PRIMARY KEY, name text NOT NULL);"
            "INSERT INTO items(name) VALUES ('a'), ('b'), ('c');",
            name);
  return pg().dsn(name);
}

// The data as seen by the server itself, not through the code under test.
std::string pg_state(const std::string& db) {
  return pg().query_value(
      "SELECT (SELECT string_agg(id || '=' || name, ',' ORDER BY id) FROM items)"
      " || ' seq=' || (SELECT last_value || '/' || is_called FROM items_id_seq)"
      " || ' tables=' || (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)"
      " || ' roles=' || (SELECT count(*) FROM pg_roles)"
      " || ' dbs=' || (SELECT count(*) FROM pg_database)",
      db);
}

std::string message_of(const std::string& dsn, const std::string& sql) {
  try {
    query_scalar_readonly(dsn, sql);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

}  // namespace

TEST_CASE("SQLite: counting works and writes neither succeed nor touch the file", "[target_database][sqlite]") {
  check_sqlite_contract(false);
}

TEST_CASE("SQLite in WAL mode with a live writer: reads see the WAL, writes change nothing",
          "[target_database][sqlite]") {
  check_sqlite_contract(true);
}

TEST_CASE("SQLite: a missing file is an error naming it, and is not created", "[target_database][sqlite]") {
  TempDir dir("greenlight-targetdb");
  const std::string path = dir.file("missing.db");
  std::string message = message_of("sqlite://" + path, "SELECT 1");
  CHECK_THAT(message, Catch::Contains(path));
  CHECK_FALSE(fs::exists(path));
  CHECK(listing(dir.path()).empty());
}

TEST_CASE("PostgreSQL: counting works in a read-only transaction", "[target_database][postgres]") {
  const std::string dsn = make_pg_db("count_db");
  CHECK(query_scalar_readonly(dsn, "SELECT count(*) FROM items") == 3);
  CHECK(query_scalar_readonly(dsn, "SELECT count(*) FROM items WHERE name = 'b';") == 1);
  CHECK(query_scalar_readonly(dsn, "SELECT (current_setting('transaction_read_only') = 'on')::int") == 1);
  CHECK_THAT(message_of(dsn, "SELECT name FROM items WHERE false"), Catch::Contains("no value"));
}

TEST_CASE("PostgreSQL: writes fail as a read-only transaction and change nothing", "[target_database][postgres]") {
  const std::string dsn = make_pg_db("writes_db");
  const std::string before = pg_state("writes_db");
  for (const char* sql : {
           "INSERT INTO items(name) VALUES ('x')",
           "UPDATE items SET name = 'x'",
           "DELETE FROM items",
           "CREATE TABLE evil(x int)",
           "SELECT nextval('items_id_seq')",
           "SELECT setval('items_id_seq', 100)",
           "WITH w AS (INSERT INTO items(name) VALUES ('x') RETURNING id) SELECT count(*) FROM w",
           "DO $$ BEGIN INSERT INTO items(name) VALUES ('x'); END $$",
       }) {
    INFO(sql);
    CHECK_THAT(message_of(dsn, sql), Catch::Contains("read-only transaction"));
    CHECK(pg_state("writes_db") == before);
  }
}

TEST_CASE("PostgreSQL: ending or reopening the transaction cannot smuggle a write in",
          "[target_database][postgres]") {
  const std::string dsn = make_pg_db("tricks_db");
  const std::string before = pg_state("tricks_db");
  for (const char* sql : {
           "COMMIT; INSERT INTO items(name) VALUES ('x')",
           "COMMIT; INSERT INTO items(name) VALUES ('x'); SELECT 1",
           "END; INSERT INTO items(name) VALUES ('x'); SELECT 1",
           "ROLLBACK; BEGIN; INSERT INTO items(name) VALUES ('x'); COMMIT; SELECT 1",
           "SET TRANSACTION READ WRITE; INSERT INTO items(name) VALUES ('x'); COMMIT; SELECT 1",
           "SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; COMMIT; INSERT INTO items(name) VALUES ('x')",
           "SET default_transaction_read_only = off; COMMIT; INSERT INTO items(name) VALUES ('x'); SELECT 1",
           "SELECT 1; COMMIT; CREATE TABLE evil(x int); SELECT 1",
           "COMMIT; CREATE DATABASE evil_db; SELECT 1",
           "COMMIT; CREATE ROLE evil; SELECT 1",
           "COMMIT",
           "SET TRANSACTION READ WRITE",
       }) {
    INFO(sql);
    CHECK_THROWS(query_scalar_readonly(dsn, sql));
    CHECK(pg_state("tricks_db") == before);
  }
  // Nothing left behind on the server's side either: a later query is still read-only.
  CHECK(query_scalar_readonly(dsn, "SELECT count(*) FROM items") == 3);
}

TEST_CASE("PostgreSQL: connection failures never reveal the password", "[target_database][postgres][secrets]") {
  const std::string db = "secrets_db";
  make_pg_db(db);
  const std::string password = "s3cret-Reader-Pw";
  pg().create_role("reader", password);
  pg().exec("GRANT SELECT ON items TO reader", db);

  // The right password works, and errors after login do not echo it either.
  CHECK(query_scalar_readonly(pg().dsn_with_password(db, "reader", password), "SELECT count(*) FROM items") == 3);
  std::string bad_sql = message_of(pg().dsn_with_password(db, "reader", password), "SELECT nope FROM items");
  CHECK_THAT(bad_sql, Catch::Contains("nope"));
  CHECK_THAT(bad_sql, !Catch::Contains(password));

  const std::string wrong = "Wr0ng-Guess-Pw";
  std::string refused_auth = message_of(pg().dsn_with_password(db, "reader", wrong), "SELECT count(*) FROM items");
  CHECK_THAT(refused_auth, Catch::Contains("password authentication failed"));
  CHECK_THAT(refused_auth, !Catch::Contains(wrong));

  const std::string nobody = "postgresql://reader:" + password + "@127.0.0.1:" + std::to_string(free_port()) + "/" + db;
  std::string refused_port = message_of(nobody, "SELECT 1");
  CHECK_THAT(refused_port, Catch::Contains("refused"));
  CHECK_THAT(refused_port, !Catch::Contains(password));
}
