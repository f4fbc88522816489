// The restore drill history: table restore_drills of greenlight's history
// database (harness/history_db.h owns its schema).
#include "suites/backup/drill_history.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include "harness/database.h"
#include "harness/history_db.h"

namespace greenlight {

namespace {

namespace fs = std::filesystem;

DrillRecord digest_record_from(SQLite::Statement& st) {
  DrillRecord r;
  r.id = st.getColumn(0).getInt64();
  r.started_at = st.getColumn(1).getString();
  r.source = st.getColumn(2).getString();
  r.artifact = st.getColumn(3).getString();
  r.artifact_sha256 = st.getColumn(4).getString();
  r.backup_s = st.getColumn(5).getDouble();
  r.restore_s = st.getColumn(6).getDouble();
  r.verify_s = st.getColumn(7).getDouble();
  r.rto_s = st.getColumn(8).getDouble();
  if (!st.getColumn(9).isNull()) r.rpo_s = st.getColumn(9).getDouble();
  r.size_bytes = st.getColumn(10).getDouble();
  r.verdict = st.getColumn(11).getString();
  r.message = st.getColumn(12).getString();
  return r;
}

}  // namespace

struct DrillHistory::Impl {
  fs::path path;
  std::unique_ptr<SQLite::Database> db;

  DatabaseError error(const std::string& doing, const std::string& cause) const {
    return DatabaseError("drill history " + path.string() + ": " + doing + ": " + cause);
  }
};

DrillHistory::DrillHistory(const fs::path& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->db = open_history_db(path);
}

DrillHistory::~DrillHistory() = default;

int64_t DrillHistory::append(const DrillRecord& r) {
  try {
    SQLite::Statement st(*impl_->db,
                         "INSERT INTO restore_drills (started_at, source, artifact, artifact_sha256, backup_s, "
                         "restore_s, verify_s, rto_s, rpo_s, size_bytes, verdict, message) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, r.started_at);
    st.bind(2, r.source);
    st.bind(3, r.artifact);
    st.bind(4, r.artifact_sha256);
    st.bind(5, r.backup_s);
    st.bind(6, r.restore_s);
    st.bind(7, r.verify_s);
    st.bind(8, r.rto_s);
    if (r.rpo_s)
      st.bind(9, *r.rpo_s);
    else
      st.bind(9);
    st.bind(10, r.size_bytes);
    st.bind(11, r.verdict);
    st.bind(12, r.message);
    st.exec();
    return impl_->db->getLastInsertRowid();
  } catch (const SQLite::Exception& e) {
    throw impl_->error("cannot record the drill of " + r.source, e.what());
  }
}

std::vector<DrillRecord> DrillHistory::list(size_t limit, const std::string& source) const {
  std::vector<DrillRecord> out;
  try {
    // By id, not started_at: drills started in the same second keep the order they finished in.
    std::string sql =
        "SELECT id, started_at, source, artifact, artifact_sha256, backup_s, restore_s, verify_s, rto_s, rpo_s, "
        "size_bytes, verdict, message FROM restore_drills";
    if (!source.empty()) sql += " WHERE source = ?";
    sql += " ORDER BY id DESC LIMIT ?";
    SQLite::Statement st(*impl_->db, sql);
    int i = 1;
    if (!source.empty()) st.bind(i++, source);
    st.bind(i, static_cast<int64_t>(limit));
    while (st.executeStep()) out.push_back(digest_record_from(st));
  } catch (const SQLite::Exception& e) {
    throw impl_->error("cannot list the drills", e.what());
  }
  return out;
}

}  // namespace greenlight
