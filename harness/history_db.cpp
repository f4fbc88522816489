// The history database's schema steps, applied in order in one transaction.
#include "harness/history_db.h"

#include <stdexcept>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

namespace greenlight {

namespace {

// Step N brings user_version N-1 to N. Never edit a step that has shipped:
// add the next one.
const std::vector<const char*> kSteps = {
    // 1: the migration ledger and the restore drills.
    R"(CREATE TABLE migration_ledger (
         target TEXT NOT NULL,
         version TEXT NOT NULL,
         file TEXT NOT NULL,
         sha256 TEXT NOT NULL,
         first_seen TEXT NOT NULL,
         PRIMARY KEY (target, version));
       CREATE TABLE restore_drills (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         started_at TEXT NOT NULL,
         source TEXT NOT NULL,
         artifact TEXT NOT NULL,
         artifact_sha256 TEXT NOT NULL,
         backup_s REAL NOT NULL,
         restore_s REAL NOT NULL,
         verify_s REAL NOT NULL,
         rto_s REAL NOT NULL,
         rpo_s REAL,
         size_bytes REAL NOT NULL,
         verdict TEXT NOT NULL,
         message TEXT NOT NULL);
       CREATE INDEX restore_drills_source ON restore_drills (source, id);)",
    // 2: the run history (harness/run_history.h).
    R"(CREATE TABLE runs (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         started_at TEXT NOT NULL,
         started_unix REAL NOT NULL,
         plan TEXT NOT NULL,
         target TEXT NOT NULL,
         profile TEXT NOT NULL,
         revision TEXT NOT NULL,
         verdict TEXT NOT NULL,
         duration_s REAL NOT NULL,
         passed INTEGER NOT NULL,
         failed INTEGER NOT NULL,
         skipped INTEGER NOT NULL,
         errors INTEGER NOT NULL,
         tool_version TEXT NOT NULL);
       CREATE INDEX runs_profile_target ON runs (profile, target, id);
       CREATE TABLE run_suites (
         run_id INTEGER NOT NULL REFERENCES runs (id),
         suite TEXT NOT NULL,
         verdict TEXT NOT NULL,
         duration_s REAL NOT NULL,
         PRIMARY KEY (run_id, suite));
       CREATE TABLE run_figures (
         run_id INTEGER NOT NULL REFERENCES runs (id),
         key TEXT NOT NULL,
         value REAL NOT NULL,
         unit TEXT NOT NULL,
         PRIMARY KEY (run_id, key));)",
};

constexpr int kBusyTimeoutMs = 5000;  // two greenlights finishing at once wait for each other

}  // namespace

std::unique_ptr<SQLite::Database> open_history_db(const std::filesystem::path& path) {
  auto fail = [&](const std::string& cause) {
    return std::runtime_error("greenlight history " + path.string() + ": " + cause);
  };
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) throw fail("cannot create its folder: " + ec.message());
  }
  try {
    auto db = std::make_unique<SQLite::Database>(path.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
    // IMMEDIATE: two greenlights creating the file at once must not both run step 1.
    db->exec("BEGIN IMMEDIATE");
    try {
      int version = db->execAndGet("PRAGMA user_version").getInt();
      const int known = static_cast<int>(kSteps.size());
      if (version > known)
        throw fail("schema version " + std::to_string(version) + " is newer than this greenlight knows (" +
                   std::to_string(known) + "): upgrade greenlight or name another history file");
      if (version == 0 && db->tableExists("restore_drills"))
        throw fail("it has greenlight's tables but no schema version: not a greenlight history file");
      for (int step = version; step < known; ++step) db->exec(kSteps[step]);
      db->exec("PRAGMA user_version = " + std::to_string(known));
      db->exec("COMMIT");
    } catch (...) {
      db->exec("ROLLBACK");
      throw;
    }
    return db;
  } catch (const SQLite::Exception& e) {
    throw fail(e.what());
  }
}

}  // namespace greenlight
