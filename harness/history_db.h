// greenlight's own history database: one SQLite file on the machine running
// greenlight (never the target), shared by the migration checksum ledger and
// the restore drill history and the run history. Its schema has one
// owner, here: every table is created by the numbered steps in the .cpp and
// the file's PRAGMA user_version says which steps ran, so components sharing
// the file never disagree about it, and a file from a newer greenlight is
// refused rather than misread.
#pragma once

#include <filesystem>
#include <memory>

#include <SQLiteCpp/Database.h>

namespace greenlight {

// Opens (creating the file and its folder) and brings the schema up to date.
// Throws std::runtime_error naming the path and the cause.
std::unique_ptr<SQLite::Database> open_history_db(const std::filesystem::path& path);

}  // namespace greenlight
