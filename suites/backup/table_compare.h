// Proves a restored database holds the same data as its source, table by
// table, in constant memory: the table set, row counts, an order-independent
// content checksum per table (so row order and physical layout do not matter,
// but every value, every duplicate row and every missing row does), and
// sequence values. The source is read in one consistent snapshot (SQLite: one
// read transaction; PostgreSQL: REPEATABLE READ READ ONLY), so a live source
// compares with a backup taken from it as of that moment.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "harness/database.h"

namespace greenlight {

struct TableDigest {
  std::string table;      // "users", "audit.log"
  uint64_t rows = 0;
  std::string checksum;   // hex; equal iff same multiset of rows (with overwhelming probability); empty for a volatile table
  uint64_t bytes = 0;     // bytes of row data hashed, for throughput figures
};

struct DatabaseDigest {
  std::map<std::string, TableDigest> tables;
  // PostgreSQL sequences' last values (a never-used one has none and is left
  // out); SQLite sqlite_sequence, by table name. Sequences owned by a volatile
  // or excluded table are left out with it.
  std::map<std::string, int64_t> sequences;
};

struct DigestOptions {
  std::set<std::string> volatile_tables;  // counted only (rows may change during the drill)
  std::set<std::string> exclude_tables;   // not read at all (tables or sequences)
  bool count_only = false;                // every table counted only, as if volatile (no checksum)
  const std::atomic<bool>* cancel = nullptr;  // set: the digest stops with DatabaseError (Ctrl-C)
};

// Reads every user table through `db` (read-only queries in one snapshot: a
// transaction it opens and ends, or the caller's when one is open). Throws
// DatabaseError.
DatabaseDigest digest_database(Database& db, const DigestOptions& options = {});

// The same digest read over `db` and `more` connections to the same SQLite
// database at once, one thread each: big rowid tables are split into rowid
// ranges, whose sums add up to the table's. Only for a database nothing
// writes to meanwhile (a restored copy): each connection reads in its own
// transaction. PostgreSQL: `more` is not used.
DatabaseDigest digest_database(Database& db, const std::vector<Database*>& more, const DigestOptions& options = {});

struct TableDifference {
  std::string table;      // or sequence
  std::string message;    // a sentence naming it: "table orders: 1000 rows in the source, 998 in the restored copy"
};

// Differences from source to restored. Volatile tables compare by count within
// `volatile_tolerance` rows either way (the restored count may trail the
// source's, or lead it where rows were deleted since).
std::vector<TableDifference> compare_digests(const DatabaseDigest& source, const DatabaseDigest& restored,
                                             const DigestOptions& options = {}, uint64_t volatile_tolerance = 0);

// SQLite: PRAGMA integrity_check and foreign_key_check problems, one per line;
// empty when clean. std::invalid_argument for a PostgreSQL handle.
std::vector<std::string> sqlite_integrity(Database& db);

// The newest value of `column` in `table` (e.g. created_at), as text, for RPO.
std::optional<std::string> newest_value(Database& db, const std::string& table, const std::string& column);

}  // namespace greenlight
