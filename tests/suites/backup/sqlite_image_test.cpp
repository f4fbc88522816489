// The page-image comparison on real SQLite files: a backup of an unchanged
// source is its image (in WAL mode too, and after the drill switches the
// artifact to rollback mode); a changed value, a missing page, an extra page,
// a changed header byte that matters and a source written after the backup
// are each reported with the page or size that differs.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>

#include "suites/backup/sqlite_image.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;
namespace fs = std::filesystem;

namespace {

// A WAL database of ~1,000 pages, all of them still in the WAL while the
// returned connection stays open (the last one to close checkpoints).
std::unique_ptr<SQLite::Database> make_source(const std::string& path) {
  auto db = std::make_unique<SQLite::Database>(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db->exec("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0");
  db->exec("CREATE TABLE events (id INTEGER PRIMARY KEY, note TEXT); CREATE INDEX events_note ON events (note)");
  db->exec("INSERT INTO events (note) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 8000) "
           "SELECT printf('%0200d', i) FROM c");
  return db;
}

// A source (its writer connection kept open) and a backup of it.
struct BackedUp {
  TempDir dir;
  const std::string src = dir.file("app.db"), copy = dir.file("copy.db");
  std::unique_ptr<SQLite::Database> writer = make_source(src);
  BackedUp() {
    SQLite::Database from(src, SQLite::OPEN_READONLY);
    SQLite::Database to(copy, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    SQLite::Backup(to, from).executeStep(-1);
  }
};

void overwrite(const std::string& path, uint64_t offset, const std::string& bytes) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace

TEST_CASE("a backup of an unchanged source is its page image", "[backup][sqlite_image]") {
  BackedUp b;
  const std::string &src = b.src, &copy = b.copy;
  REQUIRE(fs::file_size(src + "-wal") > 500 * 4096);
  ImageComparison c = compare_sqlite_image(src, copy);
  CHECK(c.difference == "");
  CHECK(c.identical);
  CHECK(c.page_size == 4096);
  CHECK(c.pages == fs::file_size(copy) / 4096);
  CHECK(c.pages > 500);

  SECTION("also once switched to rollback mode, as the drill leaves its artifact") {
    SQLite::Database(copy, SQLite::OPEN_READWRITE).exec("PRAGMA journal_mode = DELETE");
    CHECK(compare_sqlite_image(src, copy).identical);
  }
}

TEST_CASE("the page image names what differs", "[backup][sqlite_image]") {
  BackedUp b;
  const std::string &src = b.src, &copy = b.copy;
  const uint64_t pages = fs::file_size(copy) / 4096;

  SECTION("a changed value") {
    SQLite::Database(copy, SQLite::OPEN_READWRITE).exec("UPDATE events SET note = 'x' WHERE id = 4000");
    ImageComparison c = compare_sqlite_image(src, copy);
    CHECK_FALSE(c.identical);
    CHECK_THAT(c.difference, Catch::Matches("page [0-9]+ of " + std::to_string(pages) + " differs"));
  }
  SECTION("a byte flipped in the middle of the file") {
    overwrite(copy, 300 * 4096 + 1000, "\x01");
    CHECK(compare_sqlite_image(src, copy).difference == "page 301 of " + std::to_string(pages) + " differs");
  }
  SECTION("a header byte that matters (the schema cookie)") {
    overwrite(copy, 40, "\x7f");
    CHECK(compare_sqlite_image(src, copy).difference == "page 1 of " + std::to_string(pages) + " differs");
  }
  SECTION("a copy missing its last page") {
    fs::resize_file(copy, (pages - 1) * 4096);
    CHECK_THAT(compare_sqlite_image(src, copy).difference,
               Catch::Equals("the copy is " + std::to_string((pages - 1) * 4096) + " bytes, the source's image " +
                             std::to_string(pages * 4096)));
  }
  SECTION("a copy with a page more") {
    fs::resize_file(copy, (pages + 1) * 4096);
    CHECK_FALSE(compare_sqlite_image(src, copy).identical);
  }
  SECTION("a source written after the backup") {
    b.writer->exec("INSERT INTO events (note) VALUES ('late')");
    ImageComparison c = compare_sqlite_image(src, copy);
    CHECK_FALSE(c.identical);
    CHECK_THAT(c.difference, Catch::Contains("differs") || Catch::Contains("bytes, the source's image"));
  }
  SECTION("another database altogether") {
    const std::string other = b.dir.file("other.db");
    auto other_writer = make_source(other);
    other_writer->exec("DELETE FROM events WHERE id % 2 = 0; VACUUM");
    CHECK_FALSE(compare_sqlite_image(src, other).identical);
  }
}

TEST_CASE("the page image stops when cancelled and names a source it cannot read", "[backup][sqlite_image]") {
  BackedUp b;
  const std::string &src = b.src, &copy = b.copy;
  std::atomic<bool> cancel{true};
  ImageComparison c = compare_sqlite_image(src, copy, &cancel);
  CHECK_FALSE(c.identical);
  CHECK(c.difference == "cancelled");
  CHECK_THROWS_WITH(compare_sqlite_image(b.dir.file("absent.db"), copy), Catch::Contains(b.dir.file("absent.db")));
  CHECK_THROWS_WITH(compare_sqlite_image(src, b.dir.file("absent-copy.db")), Catch::Contains("absent-copy.db"));
  // Neither the source nor its WAL changed.
  CHECK(SQLite::Database(src, SQLite::OPEN_READONLY).execAndGet("SELECT count(*) FROM events").getInt() == 8000);
}
