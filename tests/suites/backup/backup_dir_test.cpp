// A backup directory on disk with files whose modification times are set
// here: which files count as backups, their order, and every policy
// violation (stale, too few, empty, unreadable) named with the file.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "suites/backup/backup_dir.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using SysClock = std::chrono::system_clock;

namespace {

// A file of `bytes` bytes, last modified `age` before `now`.
void make(const TempDir& dir, const std::string& name, size_t bytes, std::chrono::seconds age, SysClock::time_point now) {
  std::ofstream(dir.file(name), std::ios::binary) << std::string(bytes, 'x');
  fs::last_write_time(dir.file(name), std::chrono::file_clock::from_sys(now - age));
}

std::vector<std::string> names(const std::vector<BackupFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.path.filename().string());
  return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("list_backups lists backup files newest first", "[backup][backup_dir]") {
  TempDir dir;
  const auto now = SysClock::now();
  make(dir, "app-1.dump", 10, 72h, now);
  make(dir, "app-2.sql.gz", 20, 48h, now);
  make(dir, "app-3.db.gz", 30, 24h, now);
  make(dir, "app-4.DB", 40, 1h, now);
  make(dir, "app-5.sqlite3", 50, 2h, now);
  make(dir, "README.txt", 5, 0s, now);
  make(dir, "app.dump.partial", 5, 0s, now);
  make(dir, ".db", 5, 0s, now);  // an extension alone names no backup
  fs::create_directory(dir.file("old.db"));

  std::vector<BackupFile> files = list_backups(dir.path());
  CHECK(names(files) == Lines{"app-4.DB", "app-5.sqlite3", "app-3.db.gz", "app-2.sql.gz", "app-1.dump"});
  REQUIRE(files.size() == 5);
  CHECK(files[0].size_bytes == 40);
  CHECK(files[0].path == fs::path(dir.file("app-4.DB")));
  auto age = std::chrono::duration_cast<std::chrono::minutes>(now - files[4].modified);
  CHECK(age == 72h);

  SECTION("a directory that cannot be read") {
    CHECK_THROWS_WITH(list_backups(dir.file("missing")),
                      Catch::Contains("cannot read the backup directory " + dir.file("missing")));
  }
}

TEST_CASE("check_dir_policy passes a healthy directory", "[backup][backup_dir]") {
  TempDir dir;
  const auto now = SysClock::now();
  for (int i = 0; i < 7; ++i) make(dir, "app-" + std::to_string(i) + ".dump", 100, std::chrono::hours(24 * i + 2), now);
  DirPolicy policy{std::chrono::hours(26), 7};
  CHECK(check_dir_policy(list_backups(dir.path()), policy, now) == Lines{});
  CHECK(check_dir_policy(list_backups(dir.path()), DirPolicy{}, now) == Lines{});
}

TEST_CASE("check_dir_policy finds a stale newest backup", "[backup][backup_dir]") {
  TempDir dir;
  const auto now = SysClock::now();
  make(dir, "app-old.dump", 100, 80h, now);
  make(dir, "app-newest.dump", 100, 31h, now);
  DirPolicy policy{std::chrono::hours(26), std::nullopt};
  CHECK(check_dir_policy(list_backups(dir.path()), policy, now) ==
        Lines{"the newest backup app-newest.dump is 31h old, more than --max-age 26h"});

  SECTION("fresh enough under a longer max-age") {
    policy.max_age = std::chrono::hours(32);
    CHECK(check_dir_policy(list_backups(dir.path()), policy, now) == Lines{});
  }
  SECTION("an empty newer file does not make the directory fresh") {
    make(dir, "app-today.dump", 0, 1h, now);
    CHECK(check_dir_policy(list_backups(dir.path()), policy, now) ==
          Lines{"app-today.dump is 0 bytes",
                "the newest backup app-newest.dump is 31h old, more than --max-age 26h "
                "(newer files are empty or unreadable: app-today.dump)"});
  }
  SECTION("ages in days") {
    make(dir, "app-newest.dump", 100, 24h * 9 + 5h, now);
    make(dir, "app-old.dump", 100, 24h * 10, now);
    CHECK(check_dir_policy(list_backups(dir.path()), policy, now) ==
          Lines{"the newest backup app-newest.dump is 9d 5h old, more than --max-age 26h"});
  }
}

TEST_CASE("check_dir_policy counts the backups retention keeps", "[backup][backup_dir]") {
  TempDir dir;
  const auto now = SysClock::now();
  for (int i = 0; i < 3; ++i) make(dir, "app-" + std::to_string(i) + ".sql.gz", 100, std::chrono::hours(i + 1), now);
  DirPolicy policy{std::nullopt, 7};
  CHECK(check_dir_policy(list_backups(dir.path()), policy, now) == Lines{"only 3 usable backups present, fewer than --keep 7"});
  policy.keep = 3;
  CHECK(check_dir_policy(list_backups(dir.path()), policy, now) == Lines{});

  SECTION("empty files do not count") {
    make(dir, "app-9.sql.gz", 0, 10h, now);
    CHECK(check_dir_policy(list_backups(dir.path()), policy, now) ==
          Lines{"app-9.sql.gz is 0 bytes"});
    policy.keep = 4;
    CHECK(check_dir_policy(list_backups(dir.path()), policy, now) ==
          Lines{"app-9.sql.gz is 0 bytes", "only 3 usable backups present, fewer than --keep 4 (4 files in all)"});
  }
}

TEST_CASE("check_dir_policy names zero-byte and unreadable files", "[backup][backup_dir]") {
  TempDir dir;
  const auto now = SysClock::now();
  make(dir, "app-2026-11-01.dump", 0, 2h, now);
  make(dir, "app-2026-10-31.dump", 500, 26h, now);
  fs::create_symlink(dir.file("gone.dump"), dir.file("app-link.dump"));  // dangling
  CHECK(check_dir_policy(list_backups(dir.path()), DirPolicy{}, now) ==
        Lines{"app-2026-11-01.dump is 0 bytes", "app-link.dump cannot be read: No such file or directory"});

  SECTION("nothing usable at all") {
    fs::remove(dir.file("app-2026-10-31.dump"));
    Lines problems = check_dir_policy(list_backups(dir.path()), DirPolicy{std::chrono::hours(26), 1}, now);
    REQUIRE(problems.size() == 3);
    CHECK(problems[2] == "no usable backup: all 2 files are empty or unreadable");
  }
  SECTION("no backup file at all") {
    TempDir empty;
    CHECK_THAT(check_dir_policy(list_backups(empty.path()), DirPolicy{}, now).at(0),
               Catch::StartsWith("no backup file found"));
  }
}
