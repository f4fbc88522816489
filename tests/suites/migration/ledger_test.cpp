// The ledger against a real SQLite file: created with its folder, the first
// sighting kept whatever is recorded later, entries kept per target and across
// reopening, and a ledger from a newer greenlight refused by name.
#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>

#include <filesystem>
#include <fstream>
#include <regex>

#include "suites/migration/ledger.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;
namespace fs = std::filesystem;

TEST_CASE("the ledger keeps the first sighting per target and version", "[migration][ledger]") {
  TempDir dir;
  const fs::path path = fs::path(dir.path()) / "state" / "nested" / "ledger.db";
  const std::string a = "postgresql://app:***@db.example/app";
  const std::string b = "sqlite:///var/lib/app.db";
  {
    Ledger ledger(path);
    CHECK(fs::exists(path));
    CHECK_FALSE(ledger.find(a, "1").has_value());

    ledger.record_if_absent(a, "1", LedgerEntry{"aaaa1111", "1_init.up.sql", ""});
    auto first = ledger.find(a, "1");
    REQUIRE(first.has_value());
    CHECK(first->sha256 == "aaaa1111");
    CHECK(first->file == "1_init.up.sql");
    CHECK(std::regex_match(first->first_seen, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));

    // A later, different sighting must not replace the reference.
    ledger.record_if_absent(a, "1", LedgerEntry{"bbbb2222", "1_init.up.sql", "2030-01-01T00:00:00Z"});
    CHECK(ledger.find(a, "1")->sha256 == "aaaa1111");
    CHECK(ledger.find(a, "1")->first_seen == first->first_seen);

    // Another target, another version: separate entries.
    CHECK_FALSE(ledger.find(b, "1").has_value());
    ledger.record_if_absent(b, "1", LedgerEntry{"cccc3333", "1_init.up.sql", "2024-05-01T10:00:00Z"});
    CHECK(ledger.find(b, "1")->sha256 == "cccc3333");
    CHECK(ledger.find(b, "1")->first_seen == "2024-05-01T10:00:00Z");
    CHECK_FALSE(ledger.find(a, "2").has_value());
  }
  // Reopened: everything is still there.
  Ledger again(path);
  CHECK(again.find(a, "1")->sha256 == "aaaa1111");
  CHECK(again.find(b, "1")->sha256 == "cccc3333");

  // Checked without the code under test: the table and its schema version.
  SQLite::Database raw(path.string(), SQLite::OPEN_READONLY);
  CHECK(raw.execAndGet("PRAGMA user_version").getInt() == 2);  // step 2 added the run history
  CHECK(raw.execAndGet("SELECT count(*) FROM migration_ledger").getInt() == 2);
  CHECK(raw.execAndGet("SELECT sha256 FROM migration_ledger WHERE target = 'sqlite:///var/lib/app.db' AND version = '1'")
            .getString() == "cccc3333");
}

TEST_CASE("a ledger written by a newer greenlight or in an unusable place is refused by name", "[migration][ledger]") {
  TempDir dir;
  const fs::path path = fs::path(dir.path()) / "ledger.db";
  { Ledger create(path); }
  {
    SQLite::Database raw(path.string(), SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = 7");
  }
  CHECK_THROWS_WITH(Ledger(path), Catch::Contains(path.string()) && Catch::Contains("newer than this greenlight"));

  // The parent "folder" is a file: neither the folder nor the database can be made.
  const fs::path blocker = fs::path(dir.path()) / "not-a-dir";
  std::ofstream(blocker) << "x";
  CHECK_THROWS_WITH(Ledger(blocker / "ledger.db"), Catch::Contains((blocker / "ledger.db").string()));
}
