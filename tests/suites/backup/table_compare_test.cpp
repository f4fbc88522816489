// Table digests against real SQLite files and a real PostgreSQL 15 server:
// the same data written in another order (and read under other session
// settings) digests equal; each fault a backup can have (missing table,
// missing rows, one changed value, a duplicated row, NULL for '', a pair of
// equal rows replaced by another pair, a sequence behind) yields one
// difference naming the table; volatile tables compare by count within a
// tolerance; the source is read in one snapshot; memory stays bounded.
#include "suites/backup/table_compare.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <mutex>
#include <iostream>
#include <string>
#include <vector>

#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using greenlight::test::PostgresServer;
using greenlight::test::TempDir;

namespace {

// ------------------------------------------------------------------ helpers

struct Fault {
  std::string what;
  std::string sql;       // applied to the restored copy
  std::string table;     // the difference must name it
  std::string message;   // exactly
};

std::string differences_text(const std::vector<TableDifference>& d) {
  std::string out;
  for (const auto& x : d) out += "[" + x.table + "] " + x.message + "\n";
  return out;
}

// Runs each fault on a fresh copy and requires exactly the expected difference.
void check_faults(const std::vector<Fault>& faults, const DatabaseDigest& source,
                  const std::function<void()>& fresh_copy, const std::function<void(const std::string&)>& apply,
                  const std::function<DatabaseDigest()>& digest_copy) {
  for (const Fault& f : faults) {
    INFO("fault: " << f.what);
    fresh_copy();
    {
      std::vector<TableDifference> none = compare_digests(source, digest_copy());
      INFO(differences_text(none));
      REQUIRE(none.empty());  // the healthy copy passes, so the fault below is what fails it
    }
    apply(f.sql);
    std::vector<TableDifference> d = compare_digests(source, digest_copy());
    INFO(differences_text(d));
    REQUIRE(d.size() == 1);
    CHECK(d[0].table == f.table);
    CHECK(d[0].message == f.message);
  }
}

// Peak RSS since the last reset, in kB (VmHWM of /proc/self/status).
long status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  return -1;
}

void reset_peak_rss() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";  // resets VmHWM to the current RSS (Linux >= 4.0)
}

// A test double around a real database: runs `hook` once, just before the
// first statement whose SQL contains `trigger`, so that another connection
// can write between two tables of one digest.
class HookedDatabase : public Database {
 public:
  HookedDatabase(Database& inner, std::string trigger, std::function<void()> hook)
      : inner_(inner), trigger_(std::move(trigger)), hook_(std::move(hook)) {}
  Dialect dialect() const override { return inner_.dialect(); }
  const std::string& name() const override { return inner_.name(); }
  std::string server_version() override { return inner_.server_version(); }
  void exec(const std::string& sql) override {
    maybe_fire(sql);
    inner_.exec(sql);
  }
  void for_each_row(const std::string& sql, const std::function<void(const Row&)>& row) override {
    maybe_fire(sql);
    inner_.for_each_row(sql, row);
  }
  void begin() override { inner_.begin(); }
  void commit() override { inner_.commit(); }
  void rollback() override { inner_.rollback(); }
  bool in_transaction() const override { return inner_.in_transaction(); }
  bool fired = false;

 private:
  Database& inner_;
  std::string trigger_;
  std::function<void()> hook_;
  void maybe_fire(const std::string& sql) {
    if (fired || sql.find(trigger_) == std::string::npos) return;
    fired = true;
    hook_();
  }
};

// ------------------------------------------------------------------ SQLite

std::unique_ptr<Database> sqlite_ro(const std::string& path) { return open_database("sqlite://" + path, Access::read_only); }

void sqlite_exec(const std::string& path, const std::string& sql) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(sql);
}

// The same rows in ascending or descending order of insertion.
void sqlite_fill(const std::string& path, bool descending) {
  std::remove(path.c_str());
  std::string order = descending ? " ORDER BY x DESC" : " ORDER BY x";
  std::string gen = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000) ";
  sqlite_exec(path,
              "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT, score REAL, avatar BLOB, "
              "note TEXT, misc);"
              "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total REAL);"
              "CREATE TABLE audit_log (at TEXT, what TEXT);"
              "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT);"
              "BEGIN;"
              "INSERT INTO users " +
                  gen +
                  "SELECT x, 'user' || x || '@example.com', x / 3.0, CAST(x'00ff' || x AS BLOB), "
                  "CASE x % 10 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'a \"quoted\", (paren) note ' || x END, "
                  "CASE x % 3 WHEN 0 THEN x WHEN 1 THEN x * 1.5 ELSE 'text ' || x END FROM c" +
                  order +
                  ";"
                  "INSERT INTO orders " +
                  gen + "SELECT x, x % 97, x * 0.1 FROM c" + order +
                  ";"
                  "INSERT INTO audit_log " +
                  gen +
                  "SELECT '2024-01-01T00:00:' || (x % 50), CASE WHEN x <= 2 THEN 'login' ELSE 'event ' || x END "
                  "FROM c WHERE x <= 50" +
                  order +
                  ";"
                  "INSERT INTO events (id, kind) " +
                  gen + "SELECT x, 'kind ' || x FROM c WHERE x <= 100" + order +
                  ";"
                  "COMMIT;");
}

// ---------------------------------------------------------------- PostgreSQL

void pg_fill(const PostgresServer& pg, const std::string& db, bool descending) {
  std::string order = descending ? " ORDER BY g DESC" : " ORDER BY g";
  pg.exec(
      "CREATE SCHEMA audit;"
      "CREATE TABLE users (id serial PRIMARY KEY, email text, score float8, born date, seen timestamptz, "
      "wait interval, avatar bytea, balance numeric(12,2), flags boolean, note text, tags text[], doc jsonb);"
      "CREATE TABLE orders (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, user_id int, total float8);"
      "CREATE TABLE audit.log (at timestamptz, what text);"
      "CREATE TABLE events (id serial, kind text);"
      "CREATE TABLE measurements (day date, v int) PARTITION BY RANGE (day);"
      "CREATE TABLE measurements_2024_01 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');"
      "CREATE TABLE measurements_2024_02 PARTITION OF measurements FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');"
      "INSERT INTO users (id, email, score, born, seen, wait, avatar, balance, flags, note, tags, doc) "
      "SELECT g, 'user' || g || '@example.com', g / 3.0::float8, date '2000-01-01' + g, "
      "timestamptz '2024-01-01 00:00:00.123456+00' + g * interval '1 minute 1 microsecond', "
      "g * interval '1 day 2 hours', decode(md5(g::text), 'hex'), g * 1.25, g % 2 = 0, "
      "CASE g % 10 WHEN 0 THEN NULL WHEN 1 THEN '' ELSE 'a \"quoted\", (paren) note ' || g END, "
      "ARRAY['t' || g, NULL], jsonb_build_object('n', g, 'f', g / 7.0) "
      "FROM generate_series(1, 1000) g" +
          order +
          ";"
          "SELECT setval('users_id_seq', 1000);"
          "INSERT INTO orders (id, user_id, total) SELECT g, g % 97, g * 0.1::float8 FROM generate_series(1, 1000) g" +
          order +
          ";"
          "SELECT setval('orders_id_seq', 1000);"
          "INSERT INTO audit.log SELECT timestamptz '2024-01-01 00:00:00+00' + (g % 50) * interval '1 second', "
          "CASE WHEN g <= 2 THEN 'login' ELSE 'event ' || g END FROM generate_series(1, 50) g" +
          order +
          ";"
          "INSERT INTO events (id, kind) SELECT g, 'kind ' || g FROM generate_series(1, 100) g" + order +
          ";"
          "SELECT setval('events_id_seq', 100);"
          "INSERT INTO measurements SELECT date '2024-01-01' + g, g FROM generate_series(0, 58) g" + order + ";",
      db);
}

void pg_recreate(const PostgresServer& pg, const std::string& db) {
  pg.exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  pg.create_database(db);
  // Session defaults unlike the source's: the digest must not depend on them.
  pg.exec("ALTER DATABASE " + db + " SET TimeZone = 'Asia/Tokyo';" + "ALTER DATABASE " + db +
          " SET extra_float_digits = 0;" + "ALTER DATABASE " + db + " SET DateStyle = 'SQL, DMY';" +
          "ALTER DATABASE " + db + " SET IntervalStyle = 'sql_standard';" + "ALTER DATABASE " + db +
          " SET bytea_output = 'escape'");
}

DatabaseDigest pg_digest(const PostgresServer& pg, const std::string& db, const DigestOptions& options = {}) {
  auto handle = open_database(pg.dsn(db), Access::read_only);
  return digest_database(*handle, options);
}

}  // namespace

// ==================================================================== SQLite

TEST_CASE("sqlite digests are equal for the same data inserted in another order", "[backup][compare][sqlite]") {
  TempDir dir;
  sqlite_fill(dir.file("a.db"), false);
  sqlite_fill(dir.file("b.db"), true);
  DatabaseDigest a = digest_database(*sqlite_ro(dir.file("a.db")));
  DatabaseDigest b = digest_database(*sqlite_ro(dir.file("b.db")));

  REQUIRE(a.tables.size() == 4);
  CHECK(a.tables.at("users").rows == 1000);
  CHECK(a.tables.at("orders").rows == 1000);
  CHECK(a.tables.at("audit_log").rows == 50);
  CHECK(a.tables.at("users").checksum.size() == 64);
  CHECK(a.tables.at("users").bytes > 0);
  CHECK(a.tables.at("users").checksum != a.tables.at("orders").checksum);
  CHECK(a.sequences.at("users") == 1000);
  CHECK(a.sequences.at("events") == 100);
  CHECK(a.tables.at("users").checksum == b.tables.at("users").checksum);
  std::vector<TableDifference> d = compare_digests(a, b);
  INFO(differences_text(d));
  CHECK(d.empty());
}

TEST_CASE("sqlite digests name each fault of a restored copy", "[backup][compare][sqlite]") {
  TempDir dir;
  std::string source = dir.file("source.db"), copy = dir.file("copy.db");
  sqlite_fill(source, false);
  DatabaseDigest s = digest_database(*sqlite_ro(source));

  std::vector<Fault> faults = {
      {"a missing table", "DROP TABLE audit_log", "audit_log", "table audit_log is missing in the restored copy"},
      {"missing rows", "DELETE FROM orders WHERE id IN (1, 2)", "orders",
       "table orders: 1000 rows in the source, 998 in the restored copy"},
      {"one changed text", "UPDATE users SET email = 'x@example.com' WHERE id = 500", "users",
       "table users: content differs with the same row count (a changed value)"},
      {"a real one ulp apart", "UPDATE users SET score = 0.33333333333333337 WHERE id = 1", "users",
       "table users: content differs with the same row count (a changed value)"},
      {"an integer stored as text", "UPDATE users SET misc = CAST(misc AS TEXT) WHERE id = 3", "users",
       "table users: content differs with the same row count (a changed value)"},
      {"NULL restored as ''", "UPDATE users SET note = '' WHERE id = 10", "users",
       "table users: content differs with the same row count (a changed value)"},
      {"NULL restored as 'NULL'", "UPDATE users SET note = 'NULL' WHERE id = 10", "users",
       "table users: content differs with the same row count (a changed value)"},
      {"one changed blob byte", "UPDATE users SET avatar = CAST(x'00fe' || 7 AS BLOB) WHERE id = 7", "users",
       "table users: content differs with the same row count (a changed value)"},
      {"a duplicated row", "INSERT INTO audit_log SELECT * FROM audit_log WHERE what = 'event 7'", "audit_log",
       "table audit_log: 50 rows in the source, 51 in the restored copy"},
      // Two equal rows replaced by two other equal rows: an XOR of row hashes would not see it.
      {"a pair of equal rows replaced", "UPDATE audit_log SET what = 'logout' WHERE what = 'login'", "audit_log",
       "table audit_log: content differs with the same row count (a changed value)"},
      {"a table the source lacks", "CREATE TABLE extra (x)", "extra",
       "table extra is in the restored copy but not in the source"},
      {"a sequence behind", "UPDATE sqlite_sequence SET seq = 990 WHERE name = 'users'", "users",
       "sequence users: 1000 in the source, 990 restored"},
  };
  check_faults(
      faults, s, [&] { sqlite_fill(copy, true); }, [&](const std::string& sql) { sqlite_exec(copy, sql); },
      [&] { return digest_database(*sqlite_ro(copy)); });
}

TEST_CASE("sqlite volatile tables compare by count within the tolerance", "[backup][compare][sqlite]") {
  TempDir dir;
  std::string source = dir.file("source.db"), copy = dir.file("copy.db");
  sqlite_fill(source, false);
  sqlite_fill(copy, false);
  // The copy trails the source by three events and its content changed too.
  sqlite_exec(copy, "DELETE FROM events WHERE id > 97; UPDATE events SET kind = 'changed' WHERE id = 1;"
                    "UPDATE sqlite_sequence SET seq = 97 WHERE name = 'events'");
  DigestOptions options;
  options.volatile_tables = {"events"};
  DatabaseDigest s = digest_database(*sqlite_ro(source), options);
  DatabaseDigest c = digest_database(*sqlite_ro(copy), options);
  CHECK(s.tables.at("events").rows == 100);
  CHECK(s.tables.at("events").checksum.empty());
  CHECK(s.sequences.count("events") == 0);  // moves with its volatile table

  CHECK(compare_digests(s, c, options, 3).empty());
  std::vector<TableDifference> d = compare_digests(s, c, options, 2);
  REQUIRE(d.size() == 1);
  CHECK(d[0].table == "events");
  CHECK(d[0].message ==
        "table events (volatile): 100 rows in the source, 97 in the restored copy, 3 apart where at most 2 may be");

  // Without the volatile option the same copy fails on count and on the sequence.
  std::vector<TableDifference> strict = compare_digests(digest_database(*sqlite_ro(source)),
                                                        digest_database(*sqlite_ro(copy)));
  INFO(differences_text(strict));
  REQUIRE(strict.size() == 2);
  CHECK(strict[0].message == "table events: 100 rows in the source, 97 in the restored copy");
  CHECK(strict[1].message == "sequence events: 100 in the source, 97 restored");
}

TEST_CASE("sqlite excluded tables are not read", "[backup][compare][sqlite]") {
  TempDir dir;
  std::string source = dir.file("source.db"), copy = dir.file("copy.db");
  sqlite_fill(source, false);
  sqlite_fill(copy, false);
  sqlite_exec(copy, "DROP TABLE audit_log");
  DigestOptions options;
  options.exclude_tables = {"audit_log"};
  DatabaseDigest s = digest_database(*sqlite_ro(source), options);
  CHECK(s.tables.count("audit_log") == 0);
  CHECK(compare_digests(s, digest_database(*sqlite_ro(copy), options), options).empty());
  CHECK(compare_digests(digest_database(*sqlite_ro(source)), digest_database(*sqlite_ro(copy))).size() == 1);
}

TEST_CASE("sqlite digest reads one snapshot while another connection writes", "[backup][compare][sqlite]") {
  TempDir dir;
  std::string path = dir.file("live.db");
  sqlite_exec(path,
              "PRAGMA journal_mode = WAL;"  // a writer next to a reader, as a live application runs
              "CREATE TABLE a (x INTEGER); CREATE TABLE b (x INTEGER);"
              "INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES (1), (2), (3)");
  auto source = sqlite_ro(path);
  HookedDatabase hooked(*source, "FROM \"a\"", [&] { sqlite_exec(path, "INSERT INTO b VALUES (4)"); });

  DatabaseDigest during = digest_database(hooked);
  REQUIRE(hooked.fired);  // the write happened after the digest began and before it read b
  CHECK(during.tables.at("b").rows == 3);
  CHECK_FALSE(source->in_transaction());

  // The write was committed: a digest started after it sees it.
  DatabaseDigest after = digest_database(*source);
  CHECK(after.tables.at("b").rows == 4);
  CHECK(after.tables.at("b").checksum != during.tables.at("b").checksum);
}

namespace {

// Passes everything to a real connection and keeps the SQL of every
// row-bytes read (the slices a digest reads), from whichever thread.
class RecordingDatabase : public Database {
 public:
  explicit RecordingDatabase(std::unique_ptr<Database> inner, std::vector<std::string>& log, std::mutex& mutex)
      : inner_(std::move(inner)), log_(log), mutex_(mutex) {}
  Dialect dialect() const override { return inner_->dialect(); }
  const std::string& name() const override { return inner_->name(); }
  std::string server_version() override { return inner_->server_version(); }
  void exec(const std::string& sql) override { inner_->exec(sql); }
  void for_each_row(const std::string& sql, const std::function<void(const Row&)>& row) override {
    inner_->for_each_row(sql, row);
  }
  void for_each_row_bytes(const std::string& sql, const std::function<void(std::string_view)>& row) override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      log_.push_back(sql);
    }
    inner_->for_each_row_bytes(sql, row);
  }
  void begin() override { inner_->begin(); }
  void commit() override { inner_->commit(); }
  void rollback() override { inner_->rollback(); }
  bool in_transaction() const override { return inner_->in_transaction(); }

 private:
  std::unique_ptr<Database> inner_;
  std::vector<std::string>& log_;
  std::mutex& mutex_;
};

// Tables of every kind a rowid split must handle: a big one with an INTEGER
// PRIMARY KEY spanning negative and huge rowids, a big one without one
// (rowids are not content), a WITHOUT ROWID one, one whose column takes the
// name rowid (the split uses _rowid_), one whose columns take every alias
// (read whole), and a small one (read whole).
void sqlite_fill_split(const std::string& path) {
  std::remove(path.c_str());
  std::string gen = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 150000) ";
  sqlite_exec(path,
              "CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, amount REAL, note);"
              "CREATE TABLE plain (name TEXT, n INTEGER);"
              "CREATE TABLE keyed (k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
              "CREATE TABLE shadow (rowid TEXT, v INTEGER);"
              "CREATE TABLE hidden (rowid TEXT, _rowid_ TEXT, oid TEXT);"
              "CREATE TABLE small (id INTEGER PRIMARY KEY, v);"
              "BEGIN;"
              "INSERT INTO big " + gen +
                  "SELECT CASE WHEN x % 1000 = 0 THEN x * 1000000000000 ELSE x - 70000 END, 'name ' || x, x / 7.0, "
                  "CASE x % 5 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN x ELSE CAST('b' || x AS BLOB) END FROM c;"
                  "INSERT INTO plain " + gen + "SELECT 'p' || (x % 1000), x FROM c;"
                  "INSERT INTO keyed " + gen + "SELECT 'k' || x, x FROM c;"
                  "INSERT INTO shadow " + gen + "SELECT 'r' || x, x FROM c;"
                  "INSERT INTO hidden " + gen + "SELECT x, x, x FROM c WHERE x <= 1000;"
                  "INSERT INTO small VALUES (1, 'a'), (2, 'b');"
                  "COMMIT;");
}

DatabaseDigest split_digest(const std::string& path, std::vector<std::string>* log = nullptr) {
  std::vector<std::string> local;
  std::mutex mutex;
  RecordingDatabase main(sqlite_ro(path), log ? *log : local, mutex);
  RecordingDatabase second(sqlite_ro(path), log ? *log : local, mutex);
  return digest_database(main, {&second});
}

}  // namespace

TEST_CASE("sqlite digest over two connections equals the digest over one", "[backup][compare][sqlite]") {
  TempDir dir;
  std::string path = dir.file("split.db");
  sqlite_fill_split(path);
  std::vector<std::string> log;
  DatabaseDigest split = split_digest(path, &log);
  DatabaseDigest whole = digest_database(*sqlite_ro(path));
  REQUIRE(split.tables.size() == 6);
  for (const auto& [name, t] : whole.tables) {
    INFO(name);
    CHECK(split.tables.at(name).rows == t.rows);
    CHECK(split.tables.at(name).checksum == t.checksum);
    CHECK(split.tables.at(name).bytes == t.bytes);
  }
  CHECK(split.tables.at("big").rows == 150000);
  CHECK(compare_digests(whole, split).empty());

  auto reads_of = [&](const std::string& table) {
    std::vector<std::string> out;
    for (const auto& sql : log)
      if (sql.find("FROM \"" + table + "\" ") != std::string::npos) out.push_back(sql);
    return out;
  };
  std::vector<std::string> big = reads_of("big");
  REQUIRE(big.size() == 2);
  CHECK_THAT(big[0] + big[1], Catch::Contains("r.rowid <= ") && Catch::Contains("r.rowid > "));
  REQUIRE(reads_of("plain").size() == 2);
  REQUIRE(reads_of("shadow").size() == 2);
  CHECK_THAT(reads_of("shadow")[0], Catch::Contains("r._rowid_"));
  CHECK(reads_of("keyed").size() == 1);   // WITHOUT ROWID
  CHECK(reads_of("hidden").size() == 1);  // every alias is a column
  CHECK(reads_of("small").size() == 1);
  CHECK_THAT(reads_of("keyed")[0], !Catch::Contains("WHERE"));
}

TEST_CASE("sqlite digest over two connections names each fault of a restored copy", "[backup][compare][sqlite]") {
  TempDir dir;
  std::string source = dir.file("source.db"), copy = dir.file("copy.db");
  sqlite_fill_split(source);
  DatabaseDigest s = digest_database(*sqlite_ro(source));
  const std::string same = "content differs with the same row count (a changed value)";
  std::vector<Fault> faults = {
      {"a changed value in the upper slice", "UPDATE big SET name = 'changed' WHERE id = 69999", "big",
       "table big: " + same},
      {"a changed value at the huge rowids", "UPDATE big SET amount = 0 WHERE id = 150000 * 1000000000000", "big",
       "table big: " + same},
      {"a missing row in the lower slice", "DELETE FROM big WHERE id = -69990", "big",
       "table big: 150000 rows in the source, 149999 in the restored copy"},
      {"NULL restored as '' in a table without an integer key",
       "UPDATE plain SET name = NULL WHERE rowid = (SELECT min(rowid) FROM plain)", "plain", "table plain: " + same},
      {"a duplicated row", "INSERT INTO plain SELECT * FROM plain WHERE rowid = 77", "plain",
       "table plain: 150000 rows in the source, 150001 in the restored copy"},
      {"a changed value in a WITHOUT ROWID table", "UPDATE keyed SET v = 0 WHERE k = 'k5'", "keyed",
       "table keyed: " + same},
      {"a changed value where rowid is a column", "UPDATE shadow SET v = 0 WHERE rowid = 'r149999'", "shadow",
       "table shadow: " + same},
  };
  check_faults(
      faults, s, [&] { sqlite_fill_split(copy); }, [&](const std::string& sql) { sqlite_exec(copy, sql); },
      [&] { return split_digest(copy); });

  // Rowids of a table without an integer key are not content: renumbered
  // rows (as VACUUM may leave them) still compare equal, slice by slice.
  sqlite_fill_split(copy);
  sqlite_exec(copy, "CREATE TABLE t2 AS SELECT * FROM plain ORDER BY n DESC; DELETE FROM plain;"
                    "INSERT INTO plain SELECT * FROM t2; DROP TABLE t2");
  CHECK(compare_digests(s, split_digest(copy)).empty());
}

TEST_CASE("sqlite digest of a million rows stays in constant memory", "[backup][compare][sqlite][slow]") {
  TempDir dir;
  std::string path = dir.file("big.db");
  sqlite_exec(path,
              "CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, amount REAL, payload BLOB);"
              "INSERT INTO big WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) "
              "SELECT x, 'customer number ' || x || ' of the big table', x * 0.25, randomblob(48) FROM c");
  auto db = sqlite_ro(path);
  reset_peak_rss();
  long before = status_kb("VmRSS");
  long peak_before = status_kb("VmHWM");
  REQUIRE(before > 0);
  REQUIRE(peak_before <= before + 1024);  // the reset worked, so the peak below is the digest's
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpu_start = std::clock();
  DatabaseDigest d = digest_database(*db);
  double cpu = double(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  long growth_mb = (status_kb("VmHWM") - before) / 1024;
  const TableDigest& t = d.tables.at("big");
  std::cout << "sqlite digest: " << t.rows << " rows, " << t.bytes / 1e6 << " MB hashed in " << seconds
            << " s (" << cpu << " s CPU in greenlight): " << t.rows / seconds << " rows/s, " << t.bytes / 1e6 / seconds
            << " MB/s; peak RSS growth "
            << growth_mb << " MB\n";
  CHECK(t.rows == 1000000);
  // Collecting the rows instead of streaming them would take several hundred MB.
  CHECK(growth_mb < 100);
}

TEST_CASE("sqlite integrity reports corruption and foreign key violations", "[backup][compare][sqlite]") {
  TempDir dir;
  std::string path = dir.file("app.db");
  sqlite_exec(path,
              "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);"
              "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));"
              "CREATE INDEX users_email ON users (email);"
              "INSERT INTO users VALUES (1, 'a'), (2, 'b'); INSERT INTO orders VALUES (10, 1), (11, 2)");
  CHECK(sqlite_integrity(*sqlite_ro(path)).empty());

  SECTION("a foreign key pointing nowhere") {
    sqlite_exec(path, "PRAGMA foreign_keys = OFF; DELETE FROM users WHERE id = 2");
    std::vector<std::string> problems = sqlite_integrity(*sqlite_ro(path));
    REQUIRE(problems.size() == 1);
    CHECK(problems[0] == "foreign_key_check: table orders rowid 11 references a missing row of table users (foreign key 0)");
  }
  SECTION("an index that disagrees with its table") {
    // The index claims to cover id while its entries hold email: SQLite's own check finds it.
    sqlite_exec(path,
                "PRAGMA writable_schema = ON;"
                "UPDATE sqlite_schema SET sql = 'CREATE INDEX users_email ON users (id)' WHERE name = 'users_email'");
    std::vector<std::string> problems = sqlite_integrity(*sqlite_ro(path));
    REQUIRE_FALSE(problems.empty());
    CHECK_THAT(problems[0], Catch::StartsWith("integrity_check: ") && Catch::Contains("users_email"));
  }
}

TEST_CASE("sqlite newest value quotes its identifiers", "[backup][compare][sqlite]") {
  TempDir dir;
  std::string path = dir.file("app.db");
  sqlite_exec(path,
              "CREATE TABLE \"order \"\"items\"\"\" (\"created at\" TEXT);"
              "INSERT INTO \"order \"\"items\"\"\" VALUES ('2024-05-01T10:00:00Z'), ('2024-05-03T09:00:00Z'), "
              "('2024-05-02T11:00:00Z')");
  auto db = sqlite_ro(path);
  CHECK(newest_value(*db, "order \"items\"", "created at") == std::optional<std::string>("2024-05-03T09:00:00Z"));
  sqlite_exec(path, "CREATE TABLE empty (at TEXT)");
  CHECK_FALSE(newest_value(*sqlite_ro(path), "empty", "at").has_value());
  CHECK_THROWS_WITH(newest_value(*db, "missing", "at"), Catch::Contains("missing"));
}

// ================================================================ PostgreSQL

TEST_CASE("postgresql digests are equal for the same data inserted in another order", "[backup][compare][postgresql]") {
  PostgresServer pg;
  pg.create_database("src");
  pg_fill(pg, "src", false);
  pg_recreate(pg, "dst");
  pg_fill(pg, "dst", true);
  // Another physical layout too: every row of the copy rewritten once.
  pg.exec("UPDATE users SET email = email", "dst");
  pg.exec("VACUUM FULL users", "dst");

  DatabaseDigest s = pg_digest(pg, "src");
  DatabaseDigest d = pg_digest(pg, "dst");
  std::vector<std::string> names;
  for (const auto& [name, t] : s.tables) names.push_back(name);
  // Partitions stand for their partitioned table; schema public is implied.
  CHECK(names == std::vector<std::string>{"audit.log", "events", "measurements_2024_01", "measurements_2024_02",
                                          "orders", "users"});
  CHECK(s.tables.at("users").rows == 1000);
  CHECK(s.tables.at("measurements_2024_01").rows == 31);
  CHECK(s.tables.at("measurements_2024_02").rows == 28);
  CHECK(s.sequences.at("users_id_seq") == 1000);
  CHECK(s.sequences.at("orders_id_seq") == 1000);
  CHECK(s.sequences.at("events_id_seq") == 100);
  std::vector<TableDifference> diff = compare_digests(s, d);
  INFO(differences_text(diff));
  CHECK(diff.empty());
}

TEST_CASE("postgresql digests name each fault of a restored copy", "[backup][compare][postgresql]") {
  PostgresServer pg;
  pg.create_database("src");
  pg_fill(pg, "src", false);
  pg.exec("CREATE SEQUENCE unused_seq", "src");
  DatabaseDigest s = pg_digest(pg, "src");
  CHECK(s.sequences.count("unused_seq") == 0);  // never used: no value, the same after pg_dump

  const std::string changed = "table users: content differs with the same row count (a changed value)";
  std::vector<Fault> faults = {
      {"a missing table", "DROP TABLE audit.log", "audit.log", "table audit.log is missing in the restored copy"},
      {"missing rows", "DELETE FROM orders WHERE id IN (1, 2)", "orders",
       "table orders: 1000 rows in the source, 998 in the restored copy"},
      {"missing rows of a partition", "DELETE FROM measurements WHERE day = '2024-02-03'", "measurements_2024_02",
       "table measurements_2024_02: 28 rows in the source, 27 in the restored copy"},
      {"one changed text", "UPDATE users SET email = 'x@example.com' WHERE id = 500", "users", changed},
      {"a float one ulp apart", "UPDATE users SET score = '0.33333333333333337' WHERE id = 1", "users", changed},
      {"a timestamp one microsecond apart", "UPDATE users SET seen = seen + interval '1 microsecond' WHERE id = 9",
       "users", changed},
      {"one changed bytea byte", "UPDATE users SET avatar = set_byte(avatar, 0, 255) WHERE id = 5", "users", changed},
      {"NULL restored as ''", "UPDATE users SET note = '' WHERE id = 10", "users", changed},
      {"'' restored as NULL", "UPDATE users SET note = NULL WHERE id = 11", "users", changed},
      {"NULL restored as 'NULL'", "UPDATE users SET note = 'NULL' WHERE id = 10", "users", changed},
      {"a NULL array element restored as ''", "UPDATE users SET tags = ARRAY['t4', ''] WHERE id = 4", "users", changed},
      {"a duplicated row", "INSERT INTO audit.log SELECT * FROM audit.log WHERE what = 'event 7'", "audit.log",
       "table audit.log: 50 rows in the source, 51 in the restored copy"},
      {"a pair of equal rows replaced", "UPDATE audit.log SET what = 'logout' WHERE what = 'login'", "audit.log",
       "table audit.log: content differs with the same row count (a changed value)"},
      {"a table the source lacks", "CREATE TABLE extra (x int)", "extra",
       "table extra is in the restored copy but not in the source"},
      {"a sequence behind", "SELECT setval('users_id_seq', 990)", "users_id_seq",
       "sequence users_id_seq: 1000 in the source, 990 restored"},
      {"a sequence never set", "SELECT setval('orders_id_seq', 1, false)", "orders_id_seq",
       "sequence orders_id_seq: 1000 in the source, never used or missing in the restored copy"},
  };
  check_faults(
      faults, s,
      [&] {
        pg_recreate(pg, "dst");
        pg_fill(pg, "dst", true);
        pg.exec("CREATE SEQUENCE unused_seq", "dst");
      },
      [&](const std::string& sql) { pg.exec(sql, "dst"); }, [&] { return pg_digest(pg, "dst"); });
}

TEST_CASE("postgresql volatile tables compare by count within the tolerance", "[backup][compare][postgresql]") {
  PostgresServer pg;
  pg.create_database("src");
  pg_fill(pg, "src", false);
  pg_recreate(pg, "dst");
  pg_fill(pg, "dst", false);
  pg.exec("DELETE FROM events WHERE id > 97; UPDATE events SET kind = 'changed' WHERE id = 1;"
          "SELECT setval('events_id_seq', 97)",
          "dst");
  DigestOptions options;
  options.volatile_tables = {"events"};
  DatabaseDigest s = pg_digest(pg, "src", options);
  DatabaseDigest d = pg_digest(pg, "dst", options);
  CHECK(s.tables.at("events").checksum.empty());
  CHECK(s.sequences.count("events_id_seq") == 0);  // owned by the volatile table

  CHECK(compare_digests(s, d, options, 3).empty());
  std::vector<TableDifference> diff = compare_digests(s, d, options, 2);
  REQUIRE(diff.size() == 1);
  CHECK(diff[0].message ==
        "table events (volatile): 100 rows in the source, 97 in the restored copy, 3 apart where at most 2 may be");

  std::vector<TableDifference> strict = compare_digests(pg_digest(pg, "src"), pg_digest(pg, "dst"));
  INFO(differences_text(strict));
  REQUIRE(strict.size() == 2);
  CHECK(strict[0].message == "table events: 100 rows in the source, 97 in the restored copy");
  CHECK(strict[1].message == "sequence events_id_seq: 100 in the source, 97 restored");
}

TEST_CASE("postgresql digest reads one snapshot while another connection writes", "[backup][compare][postgresql]") {
  PostgresServer pg;
  pg.create_database("live");
  pg.exec("CREATE TABLE a (x int); CREATE TABLE b (x int); CREATE SEQUENCE s;"
          "INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES (1), (2), (3)",
          "live");
  auto source = open_database(pg.dsn("live"), Access::read_only);
  std::optional<std::string> digits = source->query_value("SHOW extra_float_digits");
  REQUIRE(digits != std::optional<std::string>("3"));
  HookedDatabase hooked(*source, "ONLY public.a AS r", [&] { pg.exec("INSERT INTO b VALUES (4)", "live"); });

  DatabaseDigest during = digest_database(hooked);
  REQUIRE(hooked.fired);
  CHECK(during.tables.at("b").rows == 3);
  CHECK_FALSE(source->in_transaction());
  // The snapshot's output settings were LOCAL: the session is as it was.
  CHECK(source->query_value("SHOW extra_float_digits") == digits);

  DatabaseDigest after = digest_database(*source);
  CHECK(after.tables.at("b").rows == 4);
}

TEST_CASE("postgresql digest of a read-write handle also reads one snapshot", "[backup][compare][postgresql]") {
  PostgresServer pg;
  pg.create_database("live");
  pg.exec("CREATE TABLE a (x int); CREATE TABLE b (x int); INSERT INTO b VALUES (1)", "live");
  auto handle = open_database(pg.dsn("live"), Access::read_write);
  HookedDatabase hooked(*handle, "ONLY public.a AS r", [&] { pg.exec("INSERT INTO b VALUES (2)", "live"); });
  DatabaseDigest during = digest_database(hooked);
  REQUIRE(hooked.fired);
  CHECK(during.tables.at("b").rows == 1);
  CHECK(digest_database(*handle).tables.at("b").rows == 2);
}

TEST_CASE("postgresql digest names sequences the user cannot read", "[backup][compare][postgresql]") {
  PostgresServer pg;
  pg.create_database("app");
  pg.exec("CREATE TABLE t (id serial, v text); INSERT INTO t (v) VALUES ('a')", "app");
  pg.create_role("reader", "secret-pw");
  pg.exec("GRANT SELECT ON t TO reader", "app");
  auto db = open_database(pg.dsn_with_password("app", "reader", "secret-pw"), Access::read_only);
  try {
    digest_database(*db);
    FAIL("a sequence without privileges passed as never used");
  } catch (const DatabaseError& e) {
    std::string m = e.what();
    CHECK_THAT(m, Catch::Contains("t_id_seq") && Catch::Contains("GRANT SELECT ON ALL SEQUENCES"));
    CHECK_THAT(m, !Catch::Contains("secret-pw"));
  }
  pg.exec("GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO reader", "app");
  CHECK(digest_database(*db).sequences.at("t_id_seq") == 1);
}

TEST_CASE("postgresql newest value quotes its identifiers", "[backup][compare][postgresql]") {
  PostgresServer pg;
  pg.create_database("app");
  pg.exec("CREATE SCHEMA \"Audit\"; CREATE TABLE \"Audit\".\"order \"\"items\"\"\" (\"created at\" date);"
          "INSERT INTO \"Audit\".\"order \"\"items\"\"\" VALUES ('2024-05-01'), ('2024-05-03'), ('2024-05-02');"
          "CREATE TABLE events (at int); INSERT INTO events VALUES (3), (9), (4)",
          "app");
  auto db = open_database(pg.dsn("app"), Access::read_only);
  CHECK(newest_value(*db, "Audit.order \"items\"", "created at") == std::optional<std::string>("2024-05-03"));
  CHECK(newest_value(*db, "events", "at") == std::optional<std::string>("9"));
  CHECK_THROWS_WITH(newest_value(*db, "events", "missing"), Catch::Contains("missing"));
}

// Throughput figures for the report (a million rows each); hidden from ctest.
TEST_CASE("digest throughput of a million rows", "[.][bench]") {
  PostgresServer pg;
  pg.create_database("big");
  pg.exec("CREATE TABLE big (id int PRIMARY KEY, name text, amount float8, payload bytea);"
          "INSERT INTO big SELECT g, 'customer number ' || g || ' of the big table', g * 0.25, "
          "decode(repeat(md5(g::text), 3), 'hex') FROM generate_series(1, 1000000) g",
          "big");
  auto db = open_database(pg.dsn("big"), Access::read_only);
  reset_peak_rss();
  long before = status_kb("VmRSS");
  auto start = std::chrono::steady_clock::now();
  std::clock_t cpu_start = std::clock();
  DatabaseDigest d = digest_database(*db);
  double cpu = double(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const TableDigest& t = d.tables.at("big");
  std::cout << "postgresql digest: " << t.rows << " rows, " << t.bytes / 1e6 << " MB hashed in " << seconds
            << " s (" << cpu << " s CPU in greenlight): " << t.rows / seconds << " rows/s, " << t.bytes / 1e6 / seconds
            << " MB/s; peak RSS growth "
            << (status_kb("VmHWM") - before) / 1024 << " MB\n";
  CHECK(t.rows == 1000000);
}
