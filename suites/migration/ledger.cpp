// greenlight's ledger of the files it has seen applied, in a SQLite file on
// the machine running greenlight (never in the target). The first sighting of
// (target, version) is the reference; it is never overwritten, so a later edit
// of the file shows up as a different SHA-256.
#include "suites/migration/ledger.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include "harness/history_db.h"
#include "harness/timestamp.h"

#include <stdexcept>

namespace greenlight {

struct Ledger::Impl {
  std::filesystem::path path;
  std::unique_ptr<SQLite::Database> db;

  std::runtime_error fail(const std::string& what, const std::exception& e) const {
    return std::runtime_error("migration ledger " + path.string() + ": " + what + ": " + e.what());
  }
};

Ledger::Ledger(const std::filesystem::path& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->db = open_history_db(path);
}

Ledger::~Ledger() = default;

std::optional<LedgerEntry> Ledger::find(const std::string& target, const std::string& version) const {
  try {
    SQLite::Statement q(*impl_->db,
                        "SELECT sha256, file, first_seen FROM migration_ledger WHERE target = ? AND version = ?");
    q.bind(1, target);
    q.bind(2, version);
    if (!q.executeStep()) return std::nullopt;
    return LedgerEntry{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString()};
  } catch (const std::exception& e) {
    throw impl_->fail("cannot read version " + version + " of " + target, e);
  }
}

void Ledger::record_if_absent(const std::string& target, const std::string& version, const LedgerEntry& entry) {
  try {
    SQLite::Statement q(*impl_->db,
                        "INSERT OR IGNORE INTO migration_ledger (target, version, file, sha256, first_seen) "
                        "VALUES (?, ?, ?, ?, ?)");
    q.bind(1, target);
    q.bind(2, version);
    q.bind(3, entry.file);
    q.bind(4, entry.sha256);
    q.bind(5, entry.first_seen.empty() ? iso8601_utc() : entry.first_seen);
    q.exec();
  } catch (const std::exception& e) {
    throw impl_->fail("cannot record version " + version + " of " + target, e);
  }
}

}  // namespace greenlight
