// inspect_artifact on real artifacts: SQLite files made with SQLiteCpp, gzip
// made by the gzip tool, pg_dump archives and plain dumps of a real
// PostgreSQL 15 server, sqlite3 .dump output; each intact and then damaged the
// ways backups break (cut short, a byte flipped, empty, missing).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "suites/backup/artifact.h"
#include "tests/support/command.h"
#include "tests/support/postgres_server.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;
namespace fs = std::filesystem;

namespace {

using Tables = std::vector<std::string>;

std::string make_sqlite(const std::string& path, int rows = 3000) {
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
          "CREATE TABLE orders(id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), note TEXT);"
          "CREATE INDEX orders_user ON orders(user_id);");
  SQLite::Transaction tx(db);
  SQLite::Statement u(db, "INSERT INTO users VALUES (?, ?)");
  SQLite::Statement o(db, "INSERT INTO orders VALUES (?, ?, ?)");
  for (int i = 1; i <= rows; ++i) {
    u.bind(1, i);
    u.bind(2, "user number " + std::to_string(i));
    u.exec();
    u.reset();
    o.bind(1, i);
    o.bind(2, i);
    o.bind(3, std::string(100, 'a' + i % 26));
    o.exec();
    o.reset();
  }
  tx.commit();
  return path;
}

std::string gzip(const std::string& path) {
  ToolResult r = run_tool("gzip", {"-k", "-f", path});
  REQUIRE(r.exit_code == 0);
  return path + ".gz";
}

std::string copy_of(const std::string& from, const std::string& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  return to;
}

void cut(const std::string& path, uint64_t bytes) { fs::resize_file(path, fs::file_size(path) - bytes); }

void flip_byte(const std::string& path, uint64_t at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(at));
  char c = 0;
  f.read(&c, 1);
  f.seekp(static_cast<std::streamoff>(at));
  c = static_cast<char>(c ^ 0x5a);
  f.write(&c, 1);
}

std::string sha256sum(const std::string& path) {
  ToolResult r = run_tool("sha256sum", {path});
  REQUIRE(r.exit_code == 0);
  return r.out.substr(0, 64);
}

std::string all_problems(const ArtifactInfo& info) {
  std::string s;
  for (const auto& p : info.problems) s += p + "\n";
  return s;
}

// Sets PATH for the lifetime of the object (find_program reads the process's PATH).
struct PathGuard {
  std::string saved;
  explicit PathGuard(const std::string& path) : saved(std::getenv("PATH") ? std::getenv("PATH") : "") {
    ::setenv("PATH", path.c_str(), 1);
  }
  ~PathGuard() { ::setenv("PATH", saved.c_str(), 1); }
};

// One server for every test and SECTION of this file: Catch runs a test case
// again for each SECTION, and a server takes a second or two to start.
const PostgresServer& shared_pg();

void make_pg_tables(const PostgresServer& pg) {
  pg.create_database("app");
  pg.exec("CREATE TABLE users(id int PRIMARY KEY, name text);"
          "INSERT INTO users SELECT g, md5(g::text) FROM generate_series(1, 20000) g;"
          "CREATE TABLE items(id serial PRIMARY KEY, user_id int REFERENCES users(id), x text);"
          "INSERT INTO items(user_id, x) SELECT g, repeat('x', 50) FROM generate_series(1, 5000) g;",
          "app");
}

const PostgresServer& shared_pg() {
  static PostgresServer pg;
  static bool made = (make_pg_tables(pg), true);
  (void)made;
  return pg;
}

}  // namespace

TEST_CASE("inspect_artifact accepts an intact SQLite database", "[backup][artifact]") {
  TempDir dir;
  const std::string db = make_sqlite(dir.file("app.db"));
  ArtifactInfo info = inspect_artifact(db);
  INFO(all_problems(info));
  CHECK(info.ok());
  CHECK(info.format == ArtifactFormat::sqlite);
  CHECK(std::string(to_string(info.format)) == "sqlite");
  CHECK_FALSE(info.gzip);
  CHECK(info.size_bytes == fs::file_size(db));
  CHECK(info.content_bytes == info.size_bytes);
  CHECK(info.sha256 == sha256sum(db));
  CHECK(info.tables == Tables{"orders", "users"});
  CHECK(info.modified.time_since_epoch().count() > 0);
  CHECK(std::chrono::system_clock::now() - info.modified < std::chrono::minutes(5));
  // The inspection wrote nothing next to the artifact (no -wal, -shm, -journal).
  CHECK_FALSE(fs::exists(db + "-wal"));
  CHECK_FALSE(fs::exists(db + "-shm"));

  SECTION("a database in WAL mode is read without touching it") {
    const std::string wal = make_sqlite(dir.file("wal.db"), 10);
    { SQLite::Database w(wal, SQLite::OPEN_READWRITE); w.exec("PRAGMA journal_mode = WAL"); }
    ArtifactInfo wi = inspect_artifact(wal);
    INFO(all_problems(wi));
    CHECK(wi.ok());
    CHECK_FALSE(fs::exists(wal + "-shm"));
  }
}

TEST_CASE("inspect_artifact finds a damaged SQLite database", "[backup][artifact]") {
  TempDir dir;
  const std::string good = make_sqlite(dir.file("good.db"));
  const uint64_t size = fs::file_size(good);
  REQUIRE(size > 20 * 4096);

  SECTION("cut in the middle of a page") {
    const std::string db = copy_of(good, dir.file("cut.db"));
    cut(db, 100);
    ArtifactInfo info = inspect_artifact(db);
    CHECK_FALSE(info.ok());
    CHECK_THAT(all_problems(info), Catch::Contains(db) && Catch::Contains("not a multiple of its page size 4096") &&
                                       Catch::Contains("truncated"));
  }
  SECTION("cut by whole pages") {
    const std::string db = copy_of(good, dir.file("pages.db"));
    cut(db, 3 * 4096);
    ArtifactInfo info = inspect_artifact(db);
    CHECK_FALSE(info.ok());
    CHECK_THAT(all_problems(info), Catch::Contains(db) && Catch::Contains("its SQLite header says") &&
                                       Catch::Contains("truncated"));
  }
  SECTION("garbage in a b-tree page") {
    const std::string db = copy_of(good, dir.file("garbage.db"));
    {
      std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(5 * 4096);
      std::string junk(4096, '\x7f');
      f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    ArtifactInfo info = inspect_artifact(db);
    CHECK_FALSE(info.ok());
    CHECK_THAT(all_problems(info), Catch::Contains(db) &&
                                       (Catch::Contains("quick_check") || Catch::Contains("cannot be read as a SQLite")));
  }
  SECTION("a header that is not SQLite's") {
    const std::string db = copy_of(good, dir.file("notsqlite.db"));
    flip_byte(db, 3);
    ArtifactInfo info = inspect_artifact(db);
    CHECK(info.format == ArtifactFormat::unknown);
    CHECK_THAT(all_problems(info), Catch::Contains("in no known backup format") && Catch::Contains("53 51 4c"));
  }
}

TEST_CASE("inspect_artifact before a copy reads a plain SQLite file's head only", "[backup][artifact]") {
  TempDir dir;
  const std::string good = make_sqlite(dir.file("good.db"));
  ArtifactInfo info = inspect_artifact(good, InspectDepth::before_copy);
  INFO(all_problems(info));
  CHECK(info.ok());
  CHECK(info.deferred);
  CHECK(info.sha256.empty());  // the copy computes it
  CHECK(info.format == ArtifactFormat::sqlite);
  CHECK(info.size_bytes == fs::file_size(good));
  CHECK(info.tables == Tables{"orders", "users"});

  SECTION("a truncated file is still caught before anything is copied") {
    const std::string db = copy_of(good, dir.file("pages.db"));
    cut(db, 3 * 4096);
    ArtifactInfo t = inspect_artifact(db, InspectDepth::before_copy);
    CHECK_FALSE(t.ok());
    CHECK_THAT(all_problems(t), Catch::Contains("its SQLite header says") && Catch::Contains("truncated"));
    const std::string mid = copy_of(good, dir.file("cut.db"));
    cut(mid, 100);
    CHECK_THAT(all_problems(inspect_artifact(mid, InspectDepth::before_copy)),
               Catch::Contains("not a multiple of its page size 4096"));
  }
  SECTION("a damaged page is left to the integrity check of the copy") {
    const std::string db = copy_of(good, dir.file("garbage.db"));
    {
      std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(5 * 4096);
      std::string junk(4096, '\x7f');
      f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    CHECK(inspect_artifact(db, InspectDepth::before_copy).ok());
    CHECK_FALSE(inspect_artifact(db).ok());  // the full inspection reads every page
  }
  SECTION("a gzip file is inspected fully: its CRC must hold before anything is restored") {
    REQUIRE(run_tool("gzip", {"-k", good}).exit_code == 0);
    ArtifactInfo gz = inspect_artifact(good + ".gz", InspectDepth::before_copy);
    CHECK_FALSE(gz.deferred);
    CHECK(gz.sha256 == sha256sum(good + ".gz"));
    cut(good + ".gz", 10);
    CHECK_THAT(all_problems(inspect_artifact(good + ".gz", InspectDepth::before_copy)), Catch::Contains("gzip"));
  }
  SECTION("an empty or missing file gets the full inspection's message") {
    std::ofstream(dir.file("empty.db")).close();
    CHECK_THAT(all_problems(inspect_artifact(dir.file("empty.db"), InspectDepth::before_copy)),
               Catch::Contains("is empty (0 bytes)"));
    CHECK_THAT(all_problems(inspect_artifact(dir.file("nope.db"), InspectDepth::before_copy)),
               Catch::Contains("does not exist"));
  }
}

TEST_CASE("inspect_artifact reads gzip to the end and checks it", "[backup][artifact]") {
  TempDir dir;
  const std::string db = make_sqlite(dir.file("app.db"));
  const std::string gz = gzip(db);

  ArtifactInfo info = inspect_artifact(gz);
  INFO(all_problems(info));
  CHECK(info.ok());
  CHECK(info.gzip);
  CHECK(info.format == ArtifactFormat::sqlite);
  CHECK(info.size_bytes == fs::file_size(gz));
  CHECK(info.content_bytes == fs::file_size(db));
  CHECK(info.sha256 == sha256sum(gz));
  CHECK(info.tables == Tables{"orders", "users"});

  SECTION("truncated by some bytes") {
    cut(gz, 50);
    const uint64_t size = fs::file_size(gz);
    ArtifactInfo t = inspect_artifact(gz);
    CHECK_FALSE(t.ok());
    CHECK_THAT(all_problems(t), Catch::Contains(gz) &&
                                    Catch::Contains("gzip data truncated at byte " + std::to_string(size)));
  }
  SECTION("one byte flipped in the compressed payload") {
    flip_byte(gz, fs::file_size(gz) / 2);
    ArtifactInfo c = inspect_artifact(gz);
    CHECK_FALSE(c.ok());
    CHECK_THAT(all_problems(c), Catch::Contains(gz) && (Catch::Contains("gzip data corrupted at byte") ||
                                                        Catch::Contains("gzip CRC check failed at byte")));
  }
  SECTION("the CRC in the trailer does not match") {
    flip_byte(gz, fs::file_size(gz) - 6);  // inside the CRC-32 of the trailer
    ArtifactInfo c = inspect_artifact(gz);
    CHECK_THAT(all_problems(c), Catch::Contains("gzip CRC check failed at byte"));
  }
  SECTION("garbage after the end of the stream") {
    std::ofstream(gz, std::ios::app | std::ios::binary) << "trailing garbage";
    ArtifactInfo g = inspect_artifact(gz);
    CHECK_THAT(all_problems(g), Catch::Contains("unexpected data after the end of the gzip stream"));
  }
  SECTION("a .gz of a damaged database is checked after decompression") {
    const std::string bad = copy_of(db, dir.file("bad.db"));
    cut(bad, 4096);
    const std::string bad_gz = gzip(bad);
    ArtifactInfo b = inspect_artifact(bad_gz);
    CHECK_FALSE(b.ok());
    CHECK_THAT(all_problems(b), Catch::Contains(bad_gz + " (decompressed)") && Catch::Contains("truncated"));
  }
  SECTION("two concatenated members are one valid file") {
    const std::string sql = dir.file("two.sql");
    std::ofstream(dir.file("a.sql")) << "CREATE TABLE a(x);\n";
    std::ofstream(dir.file("b.sql")) << "CREATE TABLE b(x);\n";
    gzip(dir.file("a.sql"));
    gzip(dir.file("b.sql"));
    {
      std::ofstream out(sql + ".gz", std::ios::binary);
      out << read_file(dir.file("a.sql.gz")) << read_file(dir.file("b.sql.gz"));
    }
    ArtifactInfo two = inspect_artifact(sql + ".gz");
    INFO(all_problems(two));
    CHECK(two.ok());
    CHECK(two.tables == Tables{"a", "b"});
  }
}

TEST_CASE("inspect_artifact reports empty and missing files", "[backup][artifact]") {
  TempDir dir;
  std::ofstream(dir.file("empty.dump")).close();
  ArtifactInfo empty = inspect_artifact(dir.file("empty.dump"));
  CHECK_FALSE(empty.ok());
  CHECK(empty.problems == std::vector<std::string>{dir.file("empty.dump") + " is empty (0 bytes)"});
  CHECK(empty.format == ArtifactFormat::pg_custom);  // by its name: there is nothing else to go by

  ArtifactInfo missing = inspect_artifact(dir.file("nope.db"));
  CHECK(missing.problems == std::vector<std::string>{dir.file("nope.db") + " does not exist"});

  ArtifactInfo directory = inspect_artifact(dir.path());
  CHECK_THAT(all_problems(directory), Catch::Contains("is a directory"));
}

TEST_CASE("inspect_artifact checks pg_dump archives with pg_restore", "[backup][artifact][postgres]") {
  const PostgresServer& pg = shared_pg();
  TempDir dir;
  const std::string dump = dir.file("app.dump");
  ToolResult made = run_tool("pg_dump", {"-Fc", "-f", dump, pg.dsn("app")});
  REQUIRE(made.exit_code == 0);

  ArtifactInfo info = inspect_artifact(dump);
  INFO(all_problems(info));
  CHECK(info.ok());
  CHECK(info.format == ArtifactFormat::pg_custom);
  CHECK(info.tables == Tables{"public.items", "public.users"});
  CHECK(info.sha256 == sha256sum(dump));

  SECTION("cut short: the table of contents still lists, the data does not read") {
    cut(dump, 3000);
    ArtifactInfo t = inspect_artifact(dump);
    CHECK_FALSE(t.ok());
    CHECK_THAT(all_problems(t), Catch::Contains(dump + " is incomplete or corrupt") &&
                                    Catch::Contains("could not read from input file"));
  }
  SECTION("cut inside the table of contents") {
    fs::resize_file(dump, 100);
    ArtifactInfo t = inspect_artifact(dump);
    CHECK_THAT(all_problems(t), Catch::Contains("pg_restore --list cannot read the table of contents of " + dump));
  }
  SECTION("a byte flipped inside a data block") {
    flip_byte(dump, fs::file_size(dump) / 2);
    ArtifactInfo c = inspect_artifact(dump);
    CHECK_FALSE(c.ok());
    CHECK_THAT(all_problems(c), Catch::Contains(dump));
  }
  SECTION("gzipped") {
    const std::string gz = gzip(dump);
    ArtifactInfo g = inspect_artifact(gz);
    INFO(all_problems(g));
    CHECK(g.ok());
    CHECK(g.gzip);
    CHECK(g.format == ArtifactFormat::pg_custom);
    CHECK(g.tables == Tables{"public.items", "public.users"});
  }
  SECTION("without pg_restore on PATH a problem says so") {
    TempDir empty_bin;
    PathGuard path(empty_bin.path());
    ArtifactInfo n = inspect_artifact(dump);
    CHECK_THAT(all_problems(n), Catch::Contains("pg_restore not found on PATH") && Catch::Contains(dump));
  }
  SECTION("a plain SQL dump, whole and cut short") {
    const std::string sql = dir.file("app.sql");
    REQUIRE(run_tool("pg_dump", {"-f", sql, pg.dsn("app")}).exit_code == 0);
    ArtifactInfo p = inspect_artifact(sql);
    INFO(all_problems(p));
    CHECK(p.ok());
    CHECK(p.format == ArtifactFormat::sql);
    CHECK(p.tables == Tables{"public.items", "public.users"});
    fs::resize_file(sql, fs::file_size(sql) / 2);
    ArtifactInfo c = inspect_artifact(sql);
    CHECK_THAT(all_problems(c), Catch::Contains(sql) && Catch::Contains("dump is truncated"));
  }
}

TEST_CASE("inspect_artifact recognises plain SQL", "[backup][artifact]") {
  TempDir dir;
  const std::string db = make_sqlite(dir.file("app.db"), 50);
  const std::string dump = dir.file("app.sql");
  {
    ToolResult r = run_tool("sqlite3", {db, ".dump"});
    REQUIRE(r.exit_code == 0);
    std::ofstream(dump) << r.out;
  }
  ArtifactInfo info = inspect_artifact(dump);
  INFO(all_problems(info));
  CHECK(info.ok());
  CHECK(info.format == ArtifactFormat::sql);
  CHECK(info.tables == Tables{"users", "orders"});

  SECTION("a sqlite3 .dump cut short") {
    fs::resize_file(dump, fs::file_size(dump) - 20);
    ArtifactInfo c = inspect_artifact(dump);
    CHECK_THAT(all_problems(c), Catch::Contains(dump) && Catch::Contains("COMMIT;") && Catch::Contains("truncated"));
  }
  SECTION("gzipped") {
    ArtifactInfo g = inspect_artifact(gzip(dump));
    CHECK(g.ok());
    CHECK(g.gzip);
    CHECK(g.format == ArtifactFormat::sql);
    CHECK(g.content_bytes == fs::file_size(dump));
  }
  SECTION("recognised by content without the extension") {
    std::ofstream(dir.file("schema.txt")) << "-- schema\nCREATE TABLE IF NOT EXISTS \"t 1\" (x int);\n";
    ArtifactInfo t = inspect_artifact(dir.file("schema.txt"));
    CHECK(t.format == ArtifactFormat::sql);
    CHECK(t.tables == Tables{"t 1"});
  }
  SECTION("binary data named .sql") {
    std::ofstream(dir.file("bin.sql"), std::ios::binary) << std::string("\x01\x02\x00\x03 binary", 10);
    ArtifactInfo b = inspect_artifact(dir.file("bin.sql"));
    CHECK(b.format == ArtifactFormat::unknown);
    CHECK_THAT(all_problems(b), Catch::Contains("named like plain SQL but holds binary data"));
  }
}

TEST_CASE("detect_format and gunzip_file", "[backup][artifact]") {
  TempDir dir;
  const std::string db = make_sqlite(dir.file("app.db"), 100);
  const std::string gz = gzip(db);
  bool is_gz = true;
  CHECK(detect_format(db, &is_gz) == ArtifactFormat::sqlite);
  CHECK_FALSE(is_gz);
  CHECK(detect_format(gz, &is_gz) == ArtifactFormat::sqlite);
  CHECK(is_gz);
  std::ofstream(dir.file("x.sql")) << "INSERT INTO t VALUES (1);\n";
  CHECK(detect_format(dir.file("x.sql")) == ArtifactFormat::sql);
  std::ofstream(dir.file("x.dump")) << "PGDMP\x01\x0e";
  CHECK(detect_format(dir.file("x.dump")) == ArtifactFormat::pg_custom);
  CHECK_THROWS_WITH(detect_format(dir.file("missing")), Catch::Contains("missing"));

  gunzip_file(gz, dir.file("out.db"));
  CHECK(read_file(dir.file("out.db")) == read_file(db));

  SECTION("a truncated .gz throws and leaves no half file") {
    cut(gz, 30);
    CHECK_THROWS_WITH(gunzip_file(gz, dir.file("half.db")),
                      Catch::Contains("cannot decompress " + gz) && Catch::Contains("truncated"));
    CHECK_FALSE(fs::exists(dir.file("half.db")));
  }
  SECTION("a file that is no gzip") {
    CHECK_THROWS_WITH(gunzip_file(db, dir.file("x.db")), Catch::Contains("not gzip-compressed"));
  }
}

TEST_CASE("file_sha256 is sha256sum's, and names the file it cannot read", "[backup][artifact]") {
  TempDir dir;
  const std::string path = make_sqlite(dir.file("app.db"));
  CHECK(file_sha256(path) == run_tool("sha256sum", {path}).out.substr(0, 64));
  CHECK(file_sha256(path) == inspect_artifact(path).sha256);
  std::ofstream(dir.file("empty")).close();
  CHECK(file_sha256(dir.file("empty")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK_THROWS_WITH(file_sha256(dir.file("absent.db")), Catch::Contains("cannot read " + dir.file("absent.db")));
  std::atomic<bool> cancel{true};
  CHECK_THROWS_WITH(file_sha256(path, &cancel), Catch::Contains("cancelled"));
}
