// The database seam against real databases (SQLite files, a PostgreSQL 15
// server started here): queries and NULLs, streaming, transactions, the
// read-only contract (no statement changes the target), errors that name the
// cause without the password, and scratch databases that really go away.
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

#include "harness/database.h"
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

// Bytes, mtime and neighbours of a SQLite file: what any write would disturb
// (-shm left out: readers record their marks there).
std::string file_state(const std::string& db) {
  std::ostringstream s;
  const std::string bytes = read_file(db);
  s << bytes.size() << " bytes, hash " << std::hash<std::string>{}(bytes) << ", mtime "
    << fs::last_write_time(db).time_since_epoch().count() << ", files:";
  for (const std::string& f : listing(fs::path(db).parent_path()))
    if (!f.ends_with("-shm")) s << " " << f;
  return s.str();
}

std::string make_sqlite_db(const TempDir& dir) {
  const std::string path = dir.file("app.db");
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec("CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, price REAL);"
            "INSERT INTO items VALUES (1, 'a', 1.5), (2, NULL, NULL), (3, 'c', 3.0);");
  }
  fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::hours(1));
  return path;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

// One server per process (ctest runs each case in a process of its own).
PostgresServer& pg() {
  static PostgresServer server;
  return server;
}

std::string make_pg_db(const std::string& name) {
  pg().create_database(name);
  pg().exec("CREATE TABLE items(id serial PRIMARY KEY, name text, price numeric);"
            "INSERT INTO items(name, price) VALUES ('a', 1.5), (NULL, NULL), ('c', 3.0);",
            name);
  return pg().dsn(name);
}

// The data as the server itself sees it, not through the code under test.
std::string pg_state(const std::string& db) {
  return pg().query_value(
      "SELECT (SELECT string_agg(id || '=' || coalesce(name, '-'), ',' ORDER BY id) FROM items)"
      " || ' seq=' || (SELECT last_value || '/' || is_called FROM items_id_seq)"
      " || ' rels=' || (SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace)"
      " || ' roles=' || (SELECT count(*) FROM pg_roles)"
      " || ' dbs=' || (SELECT count(*) FROM pg_database)",
      db);
}

std::string scratch_count(const std::string& dbname) {
  return pg().query_value("SELECT count(*) FROM pg_database WHERE datname = '" + dbname + "'");
}

// Rows as "a|-|1.5" lines, NULL as "-".
std::vector<std::string> flat(const QueryResult& r) {
  std::vector<std::string> out;
  for (const Row& row : r.rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("-");
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("DSN schemes name their dialect and unknown ones are refused", "[database]") {
  CHECK(dialect_of("sqlite:///tmp/x.db") == Dialect::sqlite);
  CHECK(dialect_of("sqlite://rel/x.db") == Dialect::sqlite);
  CHECK(dialect_of("postgresql://u@h/db") == Dialect::postgresql);
  CHECK(dialect_of("postgres://u@h/db") == Dialect::postgresql);
  CHECK(std::string(to_string(Dialect::sqlite)) == "sqlite");
  CHECK(std::string(to_string(Dialect::postgresql)) == "postgresql");
  CHECK_THROWS_AS(dialect_of("mysql://u:pw@h/db"), std::invalid_argument);
  CHECK_THAT(message_of([] { open_database("mysql://u:Secret-Pw@h/db", Access::read_only); }),
             Catch::Contains("mysql://u:***@h/db") && !Catch::Contains("Secret-Pw"));
}

TEST_CASE("SQLite: query for_each_row and query_value hand out text and NULLs", "[database][sqlite]") {
  TempDir dir("greenlight-db");
  const std::string path = make_sqlite_db(dir);
  auto db = open_database("sqlite://" + path, Access::read_only);
  CHECK(db->dialect() == Dialect::sqlite);
  CHECK(db->name() == "sqlite://" + path);
  CHECK_THAT(db->server_version(), Catch::StartsWith("3."));

  QueryResult r = db->query("SELECT id, name, price FROM items ORDER BY id");
  CHECK(r.columns == std::vector<std::string>{"id", "name", "price"});
  CHECK(flat(r) == std::vector<std::string>{"1|a|1.5", "2|-|-", "3|c|3.0"});
  CHECK(db->query("SELECT id FROM items WHERE 0").rows.empty());

  CHECK(db->query_value("SELECT count(*) FROM items") == std::optional<std::string>("3"));
  CHECK(db->query_value("SELECT name FROM items WHERE id = 2") == std::nullopt);
  CHECK(db->query_value("SELECT name FROM items WHERE id = 99") == std::nullopt);

  // Blobs keep their NUL bytes.
  CHECK(db->query_value("SELECT x'610062'") == std::optional<std::string>(std::string("a\0b", 3)));

  // Streaming: rows reach the callback before a later row fails.
  int seen = 0;
  std::string msg = message_of([&] {
    db->for_each_row(
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 5000) "
        "SELECT CASE WHEN x = 3000 THEN abs(-9223372036854775807 - 1) ELSE x END FROM c",
        [&](const Row& row) {
          ++seen;
          REQUIRE(row.size() == 1);
        });
  });
  CHECK(seen == 2999);
  CHECK_THAT(msg, Catch::Contains("integer overflow") && Catch::Contains(path));
}

TEST_CASE("SQLite: a syntax error names the database and the statement", "[database][sqlite]") {
  TempDir dir("greenlight-db");
  const std::string path = make_sqlite_db(dir);
  auto db = open_database("sqlite://" + path, Access::read_only);
  std::string msg = message_of([&] { db->query("SELEC nope FROM items"); });
  CHECK_THAT(msg, Catch::Contains(path) && Catch::Contains("syntax error") && Catch::Contains("SELEC nope FROM items"));
  msg = message_of([&] { db->query("SELECT nope FROM items"); });
  CHECK_THAT(msg, Catch::Contains("no such column: nope"));
}

TEST_CASE("SQLite: a read-only handle refuses every write and leaves the file as it was", "[database][sqlite]") {
  TempDir dir("greenlight-db");
  const std::string path = make_sqlite_db(dir);
  auto db = open_database("sqlite://" + path, Access::read_only);
  const std::string before = file_state(path);
  for (const std::string& sql : std::vector<std::string>{
           "INSERT INTO items(name) VALUES ('x')",
           "UPDATE items SET name = 'x'",
           "DELETE FROM items",
           "CREATE TABLE evil(x)",
           "DROP TABLE items",
           "PRAGMA user_version = 7",
           "PRAGMA journal_mode = WAL",
           "VACUUM",
           "VACUUM INTO '" + dir.file("copy.db") + "'",
           "ATTACH '" + dir.file("other.db") + "' AS other",
           "COMMIT; INSERT INTO items(name) VALUES ('x')",
           "PRAGMA query_only = OFF; INSERT INTO items(name) VALUES ('x')",
           "SELECT count(*) FROM items; DELETE FROM items",
           "INSERT INTO items(name) VALUES ('x') RETURNING id",
       }) {
    INFO(sql);
    CHECK_THROWS_AS(db->exec(sql), DatabaseError);
    CHECK_THROWS_AS(db->query(sql), DatabaseError);
    CHECK(file_state(path) == before);
  }
  // In a transaction as well.
  db->begin();
  CHECK_THROWS_AS(db->exec("INSERT INTO items(name) VALUES ('x')"), DatabaseError);
  db->rollback();
  CHECK_FALSE(db->in_transaction());
  CHECK_THAT(message_of([&] { db->exec("DELETE FROM items"); }), Catch::Contains("read-only") && Catch::Contains(path));
  CHECK_FALSE(fs::exists(dir.file("copy.db")));
  CHECK_FALSE(fs::exists(dir.file("other.db")));
  CHECK(db->query_value("SELECT count(*) FROM items") == std::optional<std::string>("3"));
  CHECK(file_state(path) == before);
}

TEST_CASE("SQLite: opening a missing file fails and creates nothing", "[database][sqlite]") {
  TempDir dir("greenlight-db");
  const std::string path = dir.file("missing.db");
  for (Access a : {Access::read_only, Access::read_write}) {
    std::string msg = message_of([&] { open_database("sqlite://" + path, a); });
    CHECK_THAT(msg, Catch::Contains(path) && Catch::Contains("does not exist"));
    CHECK(listing(dir.path()).empty());
  }
  // A file that is no database fails at open, naming it.
  std::ofstream(dir.file("junk.db")) << "this is not a database file, not at all, no";
  CHECK_THAT(message_of([&] { open_database("sqlite://" + dir.file("junk.db"), Access::read_only); }),
             Catch::Contains(dir.file("junk.db")) && Catch::Contains("not a database"));
}

TEST_CASE("SQLite: a relative DSN path is relative to the working directory", "[database][sqlite]") {
  TempDir dir("greenlight-db");
  make_sqlite_db(dir);
  const fs::path old = fs::current_path();
  fs::current_path(dir.path());
  std::string value;
  try {
    value = open_database("sqlite://app.db", Access::read_only)->query_value("SELECT count(*) FROM items").value_or("");
  } catch (...) {
    fs::current_path(old);
    throw;
  }
  fs::current_path(old);
  CHECK(value == "3");
}

TEST_CASE("SQLite scratch: writes and transactions then the file is gone", "[database][sqlite][scratch]") {
  TempDir dir("greenlight-db");
  const std::string path = dir.file("scratch.db");
  {
    ScratchDatabase s("sqlite://" + path);
    CHECK(s.dsn() == "sqlite://" + path);
    CHECK(fs::exists(path));
    Database& db = s.db();
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1)");
    db.begin();
    CHECK(db.in_transaction());
    db.exec("INSERT INTO t VALUES (2)");
    db.rollback();
    CHECK_FALSE(db.in_transaction());
    CHECK(db.query_value("SELECT group_concat(x) FROM t") == std::optional<std::string>("1"));
    db.begin();
    db.exec("INSERT INTO t VALUES (3)");
    db.commit();
    CHECK(db.query_value("SELECT group_concat(x) FROM t") == std::optional<std::string>("1,3"));
    CHECK(fs::exists(path + "-wal"));

    s.recreate();
    CHECK(s.db().query_value("SELECT count(*) FROM sqlite_schema") == std::optional<std::string>("0"));
  }
  CHECK(listing(dir.path()).empty());
}

TEST_CASE("SQLite scratch: sqlite:// alone is a temporary file removed at the end", "[database][sqlite][scratch]") {
  std::string path;
  {
    ScratchDatabase s("sqlite://");
    path = s.dsn().substr(std::string("sqlite://").size());
    CHECK(fs::path(path).parent_path() == fs::temp_directory_path());
    CHECK_THAT(path, Catch::Contains("greenlight_scratch_"));
    CHECK(fs::exists(path));
    s.db().exec("CREATE TABLE t(x)");
  }
  CHECK_FALSE(fs::exists(path));
}

TEST_CASE("SQLite scratch: an existing file or the source itself is refused untouched", "[database][sqlite][scratch]") {
  TempDir dir("greenlight-db");
  const std::string source = make_sqlite_db(dir);
  const std::string before = file_state(source);
  std::string msg = message_of([&] { ScratchDatabase s("sqlite://" + source); });
  CHECK_THAT(msg, Catch::Contains(source) && Catch::Contains("already exists"));
  CHECK(file_state(source) == before);

  // The same file spelled differently, and not existing yet: refused as the source.
  const std::string planned = dir.file("planned.db");
  msg = message_of([&] { ScratchDatabase s("sqlite://" + dir.path() + "/./planned.db", "sqlite://" + planned); });
  CHECK_THAT(msg, Catch::Contains("source database"));
  CHECK_FALSE(fs::exists(planned));
  // Another file is fine.
  CHECK_NOTHROW(ScratchDatabase("sqlite://" + dir.file("other.db"), "sqlite://" + source));
  CHECK(file_state(source) == before);
}

TEST_CASE("PostgreSQL: query for_each_row and query_value hand out text and NULLs", "[database][postgres]") {
  const std::string dsn = make_pg_db("query_db");
  auto db = open_database(dsn, Access::read_only);
  CHECK(db->dialect() == Dialect::postgresql);
  CHECK_THAT(db->server_version(), Catch::StartsWith("15."));

  QueryResult r = db->query("SELECT id, name, price FROM items ORDER BY id");
  CHECK(r.columns == std::vector<std::string>{"id", "name", "price"});
  CHECK(flat(r) == std::vector<std::string>{"1|a|1.5", "2|-|-", "3|c|3.0"});
  QueryResult none = db->query("SELECT id, name FROM items WHERE false");
  CHECK(none.rows.empty());
  CHECK(none.columns == std::vector<std::string>{"id", "name"});
  CHECK(db->query("SHOW server_version").rows.size() == 1);

  CHECK(db->query_value("SELECT count(*) FROM items;") == std::optional<std::string>("3"));
  CHECK(db->query_value("SELECT name FROM items WHERE id = 2") == std::nullopt);
  CHECK(db->query_value("SELECT name FROM items WHERE id = 99") == std::nullopt);
  CHECK(db->query_value("SELECT current_setting('transaction_read_only')") == std::optional<std::string>("on"));

  // Every row of a result larger than one fetch, in order.
  long long sum = 0, count = 0;
  db->for_each_row("SELECT g FROM generate_series(1, 10000) g ORDER BY g", [&](const Row& row) {
    ++count;
    sum += std::stoll(*row.at(0));
    REQUIRE(std::stoll(*row.at(0)) == count);
  });
  CHECK(count == 10000);
  CHECK(sum == 50005000);

  // Streaming: rows reach the callback before a later row fails, which a
  // fully buffered result could not do.
  long long seen = 0;
  std::string msg = message_of([&] {
    db->for_each_row("SELECT 1 / (5000 - g) FROM generate_series(1, 6000) g", [&](const Row&) { ++seen; });
  });
  CHECK(seen >= 1000);
  CHECK(seen < 5000);
  CHECK_THAT(msg, Catch::Contains("division by zero") && Catch::Contains("query_db"));

  // The handle is usable after a failed query.
  CHECK(db->query_value("SELECT 42") == std::optional<std::string>("42"));
}

TEST_CASE("PostgreSQL: a syntax error names the database and the statement", "[database][postgres]") {
  const std::string dsn = make_pg_db("syntax_db");
  auto db = open_database(dsn, Access::read_only);
  std::string msg = message_of([&] { db->query("SELEC nope FROM items"); });
  CHECK_THAT(msg, Catch::Contains("syntax_db") && Catch::Contains("syntax error") &&
                      Catch::Contains("SELEC nope FROM items"));
  msg = message_of([&] { db->exec("SELECT nope FROM items"); });
  CHECK_THAT(msg, Catch::Contains("column \"nope\" does not exist"));
}

TEST_CASE("PostgreSQL: a read-only handle refuses every write and the data stays", "[database][postgres]") {
  const std::string dsn = make_pg_db("readonly_db");
  auto db = open_database(dsn, Access::read_only);
  const std::string before = pg_state("readonly_db");
  for (const char* sql : {
           "INSERT INTO items(name) VALUES ('x')",
           "UPDATE items SET name = 'x'",
           "DELETE FROM items",
           "CREATE TABLE evil(x int)",
           "SELECT nextval('items_id_seq')",
           "WITH w AS (INSERT INTO items(name) VALUES ('x') RETURNING id) SELECT count(*) FROM w",
           "DO $$ BEGIN INSERT INTO items(name) VALUES ('x'); END $$",
           "COMMIT; INSERT INTO items(name) VALUES ('x')",
           "SELECT 1; COMMIT; INSERT INTO items(name) VALUES ('x')",
           "SET default_transaction_read_only = off; COMMIT; INSERT INTO items(name) VALUES ('x')",
           "COMMIT",
           "/* hidden */ END",
           "ROLLBACK",
           "CREATE DATABASE evil_db",
       }) {
    INFO(sql);
    CHECK_THROWS_AS(db->exec(sql), DatabaseError);
    CHECK_THROWS_AS(db->query(sql), DatabaseError);
    CHECK(pg_state("readonly_db") == before);
  }

  // Session settings the caller changes do not open a way to write.
  CHECK_NOTHROW(db->exec("SET default_transaction_read_only = off"));
  CHECK_THROWS_AS(db->exec("INSERT INTO items(name) VALUES ('x')"), DatabaseError);
  CHECK_NOTHROW(db->query("SELECT set_config('default_transaction_read_only', 'off', false)"));
  CHECK_THROWS_AS(db->exec("INSERT INTO items(name) VALUES ('x')"), DatabaseError);

  // Nor inside begin(): the transaction cannot be switched or ended from within.
  db->begin();
  CHECK_THROWS_AS(db->exec("SET transaction_read_only = off"), DatabaseError);
  db->rollback();
  db->begin();
  CHECK_THROWS_AS(db->exec("COMMIT"), DatabaseError);
  CHECK_NOTHROW(db->exec("SET default_transaction_read_only = off"));
  CHECK_THROWS_AS(db->exec("INSERT INTO items(name) VALUES ('x')"), DatabaseError);
  db->rollback();
  db->begin();
  CHECK(db->query_value("SELECT count(*) FROM items") == std::optional<std::string>("3"));
  db->commit();
  CHECK(pg_state("readonly_db") == before);
  CHECK_THAT(message_of([&] { db->exec("DELETE FROM items"); }), Catch::Contains("read-only transaction"));
}

TEST_CASE("PostgreSQL: an unreachable server is named by host and port", "[database][postgres]") {
  const unsigned short port = free_port();
  const std::string dsn = "postgresql://someone:Hidden-Pw-1@127.0.0.1:" + std::to_string(port) + "/app";
  std::string msg = message_of([&] { open_database(dsn, Access::read_only); });
  CHECK_THAT(msg, Catch::Contains("127.0.0.1:" + std::to_string(port)) && Catch::Contains("cannot connect"));
  CHECK_THAT(msg, !Catch::Contains("Hidden-Pw-1"));
  msg = message_of([&] { ScratchDatabase s(dsn); });
  CHECK_THAT(msg, Catch::Contains("127.0.0.1:" + std::to_string(port)) && !Catch::Contains("Hidden-Pw-1"));
  CHECK_THAT(msg, Catch::Contains("cannot create the scratch database") && !Catch::Contains("CREATEDB"));
}

TEST_CASE("PostgreSQL: a wrong password says authentication failed and hides the password",
          "[database][postgres][secrets]") {
  make_pg_db("auth_db");
  const std::string password = "Right-Reader-Pw";
  pg().create_role("reader", password);
  pg().exec("GRANT SELECT ON items TO reader", "auth_db");
  auto db = open_database(pg().dsn_with_password("auth_db", "reader", password), Access::read_only);
  CHECK(db->query_value("SELECT count(*) FROM items") == std::optional<std::string>("3"));
  CHECK_THAT(db->name(), !Catch::Contains(password));
  CHECK_THAT(message_of([&] { db->query("SELECT nope FROM items"); }), !Catch::Contains(password));

  const std::string wrong = "Wr0ng-Guess-Pw";
  std::string msg = message_of([&] { open_database(pg().dsn_with_password("auth_db", "reader", wrong), Access::read_only); });
  CHECK_THAT(msg, Catch::Contains("authentication failed") && Catch::Contains("reader"));
  CHECK_THAT(msg, !Catch::Contains(wrong));
}

TEST_CASE("PostgreSQL scratch: created with the caller's credentials and dropped at the end",
          "[database][postgres][scratch]") {
  const std::string password = "Scratch-Maker-Pw";
  pg().create_role("maker", password);
  pg().exec("ALTER ROLE maker CREATEDB");
  const std::string server = pg().dsn_with_password("postgres", "maker", password) + "?sslmode=disable";
  std::string dbname;
  {
    ScratchDatabase s(server, pg().dsn("postgres"));
    Database& db = s.db();
    dbname = *db.query_value("SELECT current_database()");
    CHECK_THAT(dbname, Catch::StartsWith("greenlight_scratch_"));
    CHECK(scratch_count(dbname) == "1");
    CHECK(db.query_value("SELECT current_user") == std::optional<std::string>("maker"));
    CHECK_THAT(s.dsn(), Catch::Contains(password) && Catch::Contains("/" + dbname) &&
                            Catch::Contains("sslmode=disable"));
    CHECK_THAT(s.name(), !Catch::Contains(password) && Catch::Contains(dbname));

    db.exec("CREATE TABLE t(x int)");
    db.begin();
    db.exec("INSERT INTO t VALUES (1)");
    db.rollback();
    CHECK(db.query_value("SELECT count(*) FROM t") == std::optional<std::string>("0"));
    db.begin();
    db.exec("INSERT INTO t VALUES (2)");
    CHECK(db.in_transaction());
    db.commit();
    CHECK(db.query_value("SELECT count(*) FROM t") == std::optional<std::string>("1"));
    // A statement with rows that is no query runs and stays, outside begin().
    CHECK(db.query_value("INSERT INTO t VALUES (7) RETURNING x") == std::optional<std::string>("7"));
    CHECK(pg().query_value("SELECT count(*) FROM t", dbname) == "2");

    // Statements that cannot run in a transaction block work outside begin(), and fail inside.
    db.exec("CREATE INDEX CONCURRENTLY t_x_idx ON t (x)");
    CHECK(pg().query_value("SELECT count(*) FROM pg_indexes WHERE indexname = 't_x_idx'", dbname) == "1");
    db.begin();
    CHECK_THAT(message_of([&] { db.exec("CREATE INDEX CONCURRENTLY t_x2_idx ON t (x)"); }),
               Catch::Contains("cannot run inside a transaction block") && Catch::Contains("t_x2_idx"));
    db.rollback();

    // recreate() leaves the same database, empty, even while its connection was open.
    s.recreate();
    CHECK(scratch_count(dbname) == "1");
    CHECK(s.db().query_value("SELECT count(*) FROM pg_class WHERE relname = 't'") == std::optional<std::string>("0"));
    s.db().exec("CREATE TABLE u(x int)");
    s.close();
    CHECK(scratch_count(dbname) == "1");
    CHECK(s.db().query_value("SELECT count(*) FROM u") == std::optional<std::string>("0"));
  }
  CHECK(scratch_count(dbname) == "0");
}

TEST_CASE("PostgreSQL scratch: a user without CREATEDB gets a message saying so", "[database][postgres][scratch]") {
  const std::string password = "Plain-User-Pw";
  pg().create_role("plain", password);
  const std::string before = pg().query_value("SELECT count(*) FROM pg_database");
  std::string msg = message_of([&] { ScratchDatabase s(pg().dsn_with_password("postgres", "plain", password)); });
  CHECK_THAT(msg, Catch::Contains("CREATEDB") && Catch::Contains("permission denied"));
  CHECK_THAT(msg, !Catch::Contains(password));
  CHECK(pg().query_value("SELECT count(*) FROM pg_database") == before);
}

namespace {

std::vector<std::string> row_bytes(Database& db, const std::string& sql) {
  std::vector<std::string> out;
  db.for_each_row_bytes(sql, [&](std::string_view row) { out.emplace_back(row); });
  return out;
}

}  // namespace

TEST_CASE("SQLite: row bytes tell every value apart", "[database][sqlite][bytes]") {
  TempDir dir("greenlight-db");
  const std::string path = dir.file("bytes.db");
  {
    SQLite::Database w(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    w.exec("CREATE TABLE t (v); INSERT INTO t VALUES (1), (1.0), ('1'), (NULL), (''), ('NULL'), (x'31')");
  }
  auto db = open_database("sqlite://" + path, Access::read_only);
  auto rows = row_bytes(*db, "SELECT v FROM t ORDER BY rowid");
  REQUIRE(rows.size() == 7);
  // Integer 1, real 1.0, text '1', NULL, '', 'NULL' and blob x'31': seven different rows.
  CHECK(std::set<std::string>(rows.begin(), rows.end()).size() == 7);
  CHECK(row_bytes(*db, "SELECT v FROM t ORDER BY rowid") == rows);  // and the same bytes every time
  CHECK_THROWS(row_bytes(*db, "DELETE FROM t"));
}

TEST_CASE("PostgreSQL: row bytes tell values apart and a smuggled statement is refused", "[database][postgres][bytes]") {
  const std::string dsn = make_pg_db("bytes_db");
  auto db = open_database(dsn, Access::read_only);
  auto rows = row_bytes(*db, "SELECT v FROM (VALUES (NULL::text), (''), ('NULL'), ('a\tb')) AS x(v)");
  REQUIRE(rows.size() == 4);
  CHECK(std::set<std::string>(rows.begin(), rows.end()).size() == 4);
  CHECK_THROWS(row_bytes(*db, "SELECT 1; CREATE TABLE smuggled (id int)"));
  auto rw = open_database(dsn, Access::read_write);
  CHECK(rw->query_value("SELECT count(*) FROM pg_class WHERE relname = 'smuggled'") == std::optional<std::string>("0"));
}
