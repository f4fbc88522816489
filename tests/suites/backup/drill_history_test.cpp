// The drill history file: records survive reopening, come back newest first,
// filter by source, keep an absent RPO absent, and a file from a newer
// greenlight or of another program is refused with its path in the message.
#include "suites/backup/drill_history.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>

#include <filesystem>

#include "suites/migration/ledger.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using greenlight::test::TempDir;

namespace {

DrillRecord record(const std::string& source, const std::string& started_at, double rto) {
  DrillRecord r;
  r.started_at = started_at;
  r.source = source;
  r.artifact = "/var/backups/app/2024-05-01.dump";
  r.artifact_sha256 = std::string(64, 'a');
  r.backup_s = 1.5;
  r.restore_s = 2.25;
  r.verify_s = 0.5;
  r.rto_s = rto;
  r.rpo_s = 3600.0;
  r.size_bytes = 1048576;
  r.verdict = "passed";
  return r;
}

}  // namespace

TEST_CASE("drill history appends and lists newest first across reopening", "[backup][history]") {
  TempDir dir;
  std::filesystem::path path = dir.file("state/nested/history.db");  // folders created on open

  int64_t first = 0, second = 0, third = 0;
  {
    DrillHistory h(path);
    first = h.append(record("sqlite:///a.db", "2024-05-01T10:00:00Z", 10));
    DrillRecord failed = record("postgresql://ro:[redacted]@db/app", "2024-05-02T10:00:00Z", 20);
    failed.rpo_s.reset();
    failed.verdict = "failed";
    failed.message = "table orders: 1000 rows in the source, 998 in the restored copy";
    second = h.append(failed);
    third = h.append(record("sqlite:///a.db", "2024-05-03T10:00:00Z", 30));
  }
  REQUIRE(std::filesystem::exists(path));
  CHECK(first < second);
  CHECK(second < third);

  DrillHistory h(path);
  std::vector<DrillRecord> all = h.list();
  REQUIRE(all.size() == 3);
  CHECK(all[0].id == third);
  CHECK(all[1].id == second);
  CHECK(all[2].id == first);

  const DrillRecord& f = all[1];
  CHECK(f.started_at == "2024-05-02T10:00:00Z");
  CHECK(f.source == "postgresql://ro:[redacted]@db/app");
  CHECK(f.artifact == "/var/backups/app/2024-05-01.dump");
  CHECK(f.artifact_sha256 == std::string(64, 'a'));
  CHECK(f.backup_s == 1.5);
  CHECK(f.restore_s == 2.25);
  CHECK(f.verify_s == 0.5);
  CHECK(f.rto_s == 20);
  CHECK_FALSE(f.rpo_s.has_value());
  CHECK(f.size_bytes == 1048576);
  CHECK(f.verdict == "failed");
  CHECK(f.message == "table orders: 1000 rows in the source, 998 in the restored copy");
  REQUIRE(all[0].rpo_s.has_value());
  CHECK(*all[0].rpo_s == 3600.0);

  SECTION("limit keeps the newest") {
    std::vector<DrillRecord> one = h.list(1);
    REQUIRE(one.size() == 1);
    CHECK(one[0].id == third);
  }
  SECTION("source filters") {
    std::vector<DrillRecord> a = h.list(50, "sqlite:///a.db");
    REQUIRE(a.size() == 2);
    CHECK(a[0].id == third);
    CHECK(a[1].id == first);
    CHECK(h.list(50, "sqlite:///other.db").empty());
  }
  SECTION("the schema version is recorded") {
    SQLite::Database raw(path.string());
    CHECK(raw.execAndGet("PRAGMA user_version").getInt() == 2);  // 1: ledger and drills, 2: run history
  }
}

TEST_CASE("drill history starts empty", "[backup][history]") {
  TempDir dir;
  DrillHistory h(dir.file("history.db"));
  CHECK(h.list().empty());
}

TEST_CASE("drill history refuses a file of a newer greenlight", "[backup][history]") {
  TempDir dir;
  std::string path = dir.file("history.db");
  {
    SQLite::Database raw(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    raw.exec("PRAGMA user_version = 7");
  }
  try {
    DrillHistory h(path);
    FAIL("a history of schema version 7 was opened");
  } catch (const std::exception& e) {
    std::string m = e.what();
    CHECK_THAT(m, Catch::Contains(path) && Catch::Contains("schema version 7") && Catch::Contains("upgrade greenlight"));
  }
}

TEST_CASE("drill history refuses a file that is no SQLite database", "[backup][history]") {
  TempDir dir;
  std::string path = dir.file("history.db");
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    REQUIRE(f);
    std::fputs("this is not a database, just some text long enough to be read as a header............\n", f);
    std::fclose(f);
  }
  try {
    DrillHistory h(path);
    FAIL("a text file was opened as the history");
  } catch (const std::exception& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains(path) && Catch::Contains("not a database"));
  }
}

TEST_CASE("the migration ledger and the drill history share one history file in either order", "[backup][history]") {
  for (bool ledger_first : {true, false}) {
    TempDir dir;
    const std::string path = dir.file("history.db");
    auto use_ledger = [&] {
      Ledger ledger(path);
      ledger.record_if_absent("sqlite:///app.db", "1", {"abc", "1_init.up.sql", "2026-11-22T00:00:00Z"});
    };
    auto use_drills = [&] {
      DrillHistory history(path);
      DrillRecord r;
      r.started_at = "2026-11-22T00:00:00Z", r.source = "sqlite:///app.db", r.verdict = "passed";
      history.append(r);
    };
    if (ledger_first) use_ledger(), use_drills();
    else use_drills(), use_ledger();
    CHECK(DrillHistory(path).list().size() == 1);
    CHECK(Ledger(path).find("sqlite:///app.db", "1")->sha256 == "abc");
  }
}
