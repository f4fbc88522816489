// The policy of a backup directory: the newest backup is recent enough,
// retention keeps the expected number, no file is empty or unreadable.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace greenlight {

struct BackupFile {
  std::filesystem::path path;
  uint64_t size_bytes = 0;
  std::chrono::system_clock::time_point modified;
};

// Backup files in `dir` (.sql, .sql.gz, .dump, .db, .db.gz, .sqlite, .sqlite3,
// .gz of those), newest first. Throws std::runtime_error when `dir` cannot be read.
std::vector<BackupFile> list_backups(const std::filesystem::path& dir);

struct DirPolicy {
  std::optional<std::chrono::seconds> max_age;  // newest must be younger
  std::optional<int> keep;                      // at least this many backups present
};

// One line per violation, naming the file ("app-2026-11-01.dump is 0 bytes",
// "the newest backup app-...dump is 31h old, more than --max-age 26h"). Empty: all fine.
std::vector<std::string> check_dir_policy(const std::vector<BackupFile>& files, const DirPolicy& policy,
                                          std::chrono::system_clock::time_point now);

}  // namespace greenlight
