// Table-by-table proof that a restored database holds its source's data.
//
// How a table's content becomes one checksum, in constant memory:
//  - every row is read as one byte string that is exact and the same
//    wherever the same data lives (Database::for_each_row_bytes):
//    SQLite values carry their storage class, integers and reals their 8
//    bytes (1, 1.0 and '1' differ; no decimal rounding), text and blobs
//    their length; PostgreSQL rows are their COPY text line (NULL is \N, ''
//    is empty, tabs and backslashes escaped), streamed by COPY, under fixed
//    output settings (extra_float_digits, TimeZone UTC, DateStyle ISO, bytea
//    hex, ...);
//  - each row is hashed with SHA-256 and the digests are added modulo
//    2^256 (RowSum): the sum does not depend on the order of rows but does
//    on every duplicate or missing one (XOR would let two equal rows cancel
//    out). Being a sum, it also adds up over slices of a table: a restored
//    SQLite copy, which nothing writes to, is read in rowid ranges over
//    several connections at once.
// Reading is most of a drill's verification time: COPY and the typed SQLite
// read avoid a text conversion per value, which used to cost more than the
// backup itself.
//
// Which tables: SQLite tables of sqlite_schema except sqlite_* and virtual
// tables (their data lives in their shadow tables, which are compared);
// PostgreSQL ordinary tables (relkind r) of every schema but the system ones,
// each read with ONLY. A partitioned table (relkind p) holds no rows of its
// own: it is compared through its partitions, which are ordinary tables, so
// a difference names the partition where it is.
#include "suites/backup/table_compare.h"

#include "suites/backup/row_sum.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>

namespace greenlight {

namespace {

std::string digest_quote_ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// A table as named in results ("audit.log") and as spelled in SQL.
struct digest_Table {
  std::string name;
  std::string sql;
};

int64_t digest_int(const std::optional<std::string>& v, const std::string& what) {
  if (!v) throw DatabaseError(what + ": no value");
  try {
    size_t used = 0;
    long long n = std::stoll(*v, &used);
    if (used != v->size()) throw std::invalid_argument(*v);
    return n;
  } catch (const std::exception&) {
    throw DatabaseError(what + ": '" + *v + "' is not an integer");
  }
}

uint64_t digest_count(Database& db, const digest_Table& t) {
  std::optional<std::string> n = db.query_value("SELECT count(*) FROM " + t.sql);
  return static_cast<uint64_t>(digest_int(n, db.name() + ": row count of table " + t.name));
}

// ------------------------------------------------------------------- SQLite

std::vector<digest_Table> digest_sqlite_tables(Database& db) {
  std::vector<digest_Table> out;
  db.for_each_row(
      "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
      "AND coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name",
      [&](const Row& r) { out.push_back({*r.at(0), digest_quote_ident(*r.at(0))}); });
  return out;
}

void digest_sqlite_sequences(Database& db, const DigestOptions& options, DatabaseDigest& out) {
  if (!db.query_value("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_sequence'")) return;
  db.for_each_row("SELECT name, seq FROM sqlite_sequence", [&](const Row& r) {
    if (!r.at(0)) return;
    const std::string& table = *r.at(0);
    if (options.volatile_tables.count(table) || options.exclude_tables.count(table)) return;
    out.sequences[table] = digest_int(r.at(1), db.name() + ": sqlite_sequence of table " + table);
  });
}

// --------------------------------------------------------------- PostgreSQL

// The name of a relation the way the schema snapshot names it.
constexpr const char* kPgName =
    "CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE n.nspname || '.' || c.relname END";
constexpr const char* kPgUserSchema = "n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'";

std::vector<digest_Table> digest_pg_tables(Database& db) {
  std::vector<digest_Table> out;
  db.for_each_row(std::string("SELECT ") + kPgName +
                      ", format('ONLY %I.%I', n.nspname, c.relname) FROM pg_class c "
                      "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
                      "AND c.relpersistence <> 't' AND " +
                      kPgUserSchema + " ORDER BY 1",
                  [&](const Row& r) { out.push_back({*r.at(0), *r.at(1)}); });
  return out;
}

// Output settings that make the text of a value depend on the value only,
// not on the session; LOCAL, so they end with the snapshot.
void digest_pg_settings(Database& db) {
  for (const char* setting :
       {"SET LOCAL extra_float_digits = 3", "SET LOCAL TimeZone = 'UTC'", "SET LOCAL DateStyle = 'ISO, YMD'",
        "SET LOCAL IntervalStyle = 'postgres'", "SET LOCAL bytea_output = 'hex'", "SET LOCAL lc_monetary = 'C'"})
    db.exec(setting);
}

// Sequences owned by a volatile or excluded table (serial, identity) move
// with it and are left out like it.
void digest_pg_sequences(Database& db, const DigestOptions& options, DatabaseDigest& out) {
  std::vector<std::string> unreadable;
  db.for_each_row(std::string("SELECT ") + kPgName +
                      ", CASE WHEN has_sequence_privilege(c.oid, 'SELECT,USAGE') "
                      "THEN pg_sequence_last_value(c.oid) END, has_sequence_privilege(c.oid, 'SELECT,USAGE'), "
                      "(SELECT CASE WHEN tn.nspname = 'public' THEN t.relname::text ELSE tn.nspname || '.' || "
                      "t.relname END FROM pg_depend d JOIN pg_class t ON t.oid = d.refobjid "
                      "JOIN pg_namespace tn ON tn.oid = t.relnamespace WHERE d.classid = 'pg_class'::regclass "
                      "AND d.objid = c.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
                      "LIMIT 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                      "WHERE c.relkind = 'S' AND c.relpersistence <> 't' AND " +
                      kPgUserSchema + " ORDER BY 1",
                  [&](const Row& r) {
                    const std::string& name = *r.at(0);
                    if (options.exclude_tables.count(name)) return;
                    if (r.at(3) && (options.volatile_tables.count(*r.at(3)) || options.exclude_tables.count(*r.at(3))))
                      return;
                    if (r.at(2) != std::optional<std::string>("t")) {
                      unreadable.push_back(name);
                      return;
                    }
                    // NULL: never used (or reset with setval(..., false)); pg_dump restores it so.
                    if (r.at(1)) out.sequences[name] = digest_int(r.at(1), db.name() + ": sequence " + name);
                  });
  if (!unreadable.empty()) {
    std::string names;
    for (const auto& n : unreadable) names += (names.empty() ? "" : ", ") + n;
    throw DatabaseError("PostgreSQL " + db.name() + ": cannot read the value of sequence(s) " + names +
                        ": the user lacks SELECT or USAGE on them (GRANT SELECT ON ALL SEQUENCES IN SCHEMA ... "
                        "TO the user, or exclude them)");
  }
}

// REPEATABLE READ: one snapshot for every table. A read-only handle's begin()
// already is; a read-write one (a scratch copy) is switched before its first query.
void digest_pg_snapshot(Database& db, bool own_transaction) {
  std::string level = db.query_value("SHOW transaction_isolation").value_or("");
  if (level == "repeatable read" || level == "serializable") return;
  if (!own_transaction)
    throw DatabaseError("PostgreSQL " + db.name() + ": the open transaction is " + level +
                        ": reading every table in one snapshot needs REPEATABLE READ");
  db.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
}

// -------------------------------------------------------------------- both

// A slice of a table to read: all of it, or a range of its rowids.
struct digest_Part {
  size_t table;     // index into the tables being read
  std::string sql;
};

std::string digest_quote_literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// Below this many rowids a table is read in one piece: splitting saves less
// than it costs.
constexpr uint64_t kSplitRowids = 100000;

// The SELECTs that read table `t` in `pieces` rowid ranges which together
// hold every row exactly once (rowids are never NULL, and each range is
// bounded by integers); one SELECT of the whole table where it has no rowid
// (WITHOUT ROWID, or a column named like every alias of it) or is small.
std::vector<std::string> digest_sqlite_slices(Database& db, const digest_Table& t, size_t pieces) {
  const std::string all = "SELECT * FROM " + t.sql + " AS r";
  if (pieces < 2) return {all};
  std::set<std::string> columns;
  db.for_each_row("SELECT lower(name) FROM pragma_table_xinfo(" + digest_quote_literal(t.name) + ")",
                  [&](const Row& r) { columns.insert(r.at(0).value_or("")); });
  std::string rowid;
  for (const char* alias : {"rowid", "_rowid_", "oid"})
    if (!columns.count(alias)) {
      rowid = alias;
      break;
    }
  if (rowid.empty()) return {all};
  std::optional<std::string> low, high;
  try {
    db.for_each_row("SELECT min(r." + rowid + "), max(r." + rowid + ") FROM " + t.sql + " AS r", [&](const Row& r) {
      low = r.at(0);
      high = r.at(1);
    });
  } catch (const DatabaseError&) {
    return {all};  // WITHOUT ROWID: "no such column"
  }
  if (!low || !high) return {all};  // empty
  const int64_t lo = digest_int(low, db.name() + ": rowids of table " + t.name);
  const int64_t hi = digest_int(high, db.name() + ": rowids of table " + t.name);
  const uint64_t span = uint64_t(hi) - uint64_t(lo);  // no overflow, whatever the signs
  if (span < kSplitRowids) return {all};
  std::vector<std::string> out;
  std::string previous;  // upper bound of the slice before, exclusive
  for (size_t i = 1; i <= pieces; ++i) {
    std::string where;
    if (!previous.empty()) where = "r." + rowid + " > " + previous;
    if (i < pieces) {
      previous = std::to_string(int64_t(uint64_t(lo) + span / pieces * i));
      where += (where.empty() ? "" : " AND ") + ("r." + rowid + " <= " + previous);
    }
    out.push_back(all + " WHERE " + where);
  }
  return out;
}

// Reads every part into its own sum, `db` and each of `more` taking the next
// part until none is left; the first error stops the others and is thrown.
void digest_parts(Database& db, const std::vector<Database*>& more, const std::vector<digest_Part>& parts,
                  const std::vector<digest_Table>& tables, const DigestOptions& options,
                  std::vector<std::unique_ptr<RowSum>>& sums) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mutex;
  std::exception_ptr first_error;
  auto work = [&](Database& conn) {
    try {
      for (size_t i; !failed && (i = next++) < parts.size();) {
        const digest_Part& part = parts[i];
        auto sum = std::make_unique<RowSum>();
        conn.for_each_row_bytes(part.sql, [&](std::string_view row) {
          // A big table takes minutes: look at the flags every 64k rows.
          if ((sum->rows() & 0xffff) == 0 && (failed || (options.cancel && options.cancel->load())))
            throw DatabaseError(conn.name() + ": reading table " + tables[part.table].name + " was interrupted");
          sum->add(row);
        });
        sums[i] = std::move(sum);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(mutex);
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  };
  // Each further connection reads in a transaction of its own (the caller
  // promises the database does not change).
  auto work_in_transaction = [&](Database* conn) {
    bool own = !conn->in_transaction();
    try {
      if (own) conn->begin();
      work(*conn);
      if (own) conn->commit();
    } catch (...) {
      if (own) conn->rollback();
      std::lock_guard<std::mutex> lock(mutex);
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> threads;
  for (Database* conn : more) threads.emplace_back(work_in_transaction, conn);
  work(db);
  for (std::thread& t : threads) t.join();
  if (first_error) std::rethrow_exception(first_error);
}

void digest_tables(Database& db, const std::vector<Database*>& more, const DigestOptions& options,
                   DatabaseDigest& out) {
  bool sqlite = db.dialect() == Dialect::sqlite;
  std::vector<digest_Table> tables = sqlite ? digest_sqlite_tables(db) : digest_pg_tables(db);
  std::vector<digest_Part> parts;
  for (size_t i = 0; i < tables.size(); ++i) {
    const digest_Table& t = tables[i];
    if (options.exclude_tables.count(t.name)) continue;
    if (options.count_only || options.volatile_tables.count(t.name)) {
      out.tables[t.name] = {t.name, digest_count(db, t), "", 0};
      continue;
    }
    if (sqlite && !more.empty()) {
      for (std::string& sql : digest_sqlite_slices(db, t, more.size() + 1)) parts.push_back({i, std::move(sql)});
    } else {
      parts.push_back({i, "SELECT * FROM " + t.sql + " AS r"});
    }
  }
  std::vector<std::unique_ptr<RowSum>> sums(parts.size());
  digest_parts(db, sqlite ? more : std::vector<Database*>{}, parts, tables, options, sums);
  // Sums of a table's slices add up to the sum of the whole table.
  std::map<size_t, RowSum> whole;
  for (size_t i = 0; i < parts.size(); ++i) whole[parts[i].table].merge(*sums[i]);
  for (auto& [index, sum] : whole) {
    TableDigest d;
    d.table = tables[index].name;
    d.rows = sum.rows();
    d.checksum = sum.hex();
    d.bytes = sum.bytes();
    out.tables[d.table] = d;
  }
}

std::string digest_rows(uint64_t n) { return std::to_string(n) + (n == 1 ? " row" : " rows"); }

}  // namespace

DatabaseDigest digest_database(Database& db, const DigestOptions& options) { return digest_database(db, {}, options); }

DatabaseDigest digest_database(Database& db, const std::vector<Database*>& more, const DigestOptions& options) {
  DatabaseDigest out;
  bool own = !db.in_transaction();
  // SQLite: BEGIN is deferred; the first SELECT below takes the read snapshot.
  if (own) db.begin();
  try {
    if (db.dialect() == Dialect::postgresql) {
      digest_pg_snapshot(db, own);
      digest_pg_settings(db);
    }
    digest_tables(db, more, options, out);
    if (db.dialect() == Dialect::sqlite)
      digest_sqlite_sequences(db, options, out);
    else
      digest_pg_sequences(db, options, out);
    if (own) db.commit();
  } catch (...) {
    if (own) db.rollback();
    throw;
  }
  return out;
}

std::vector<TableDifference> compare_digests(const DatabaseDigest& source, const DatabaseDigest& restored,
                                             const DigestOptions& options, uint64_t volatile_tolerance) {
  std::vector<TableDifference> out;
  auto add = [&](const std::string& table, std::string message) { out.push_back({table, std::move(message)}); };

  for (const auto& [name, s] : source.tables) {
    if (options.exclude_tables.count(name)) continue;
    auto it = restored.tables.find(name);
    if (it == restored.tables.end()) {
      add(name, "table " + name + " is missing in the restored copy");
      continue;
    }
    const TableDigest& r = it->second;
    if (options.volatile_tables.count(name)) {
      uint64_t gap = s.rows > r.rows ? s.rows - r.rows : r.rows - s.rows;
      if (gap > volatile_tolerance)
        add(name, "table " + name + " (volatile): " + digest_rows(s.rows) + " in the source, " +
                      std::to_string(r.rows) + " in the restored copy, " + std::to_string(gap) +
                      " apart where at most " + std::to_string(volatile_tolerance) + " may be");
      continue;
    }
    if (s.rows != r.rows) {
      add(name, "table " + name + ": " + digest_rows(s.rows) + " in the source, " + std::to_string(r.rows) +
                    " in the restored copy");
    } else if (s.checksum.empty() || r.checksum.empty()) {
      // Digested as volatile on one side but compared as a stable table:
      // equal counts alone must not pass as equal content.
      add(name, "table " + name + ": no content checksum in the " + (s.checksum.empty() ? "source" : "restored") +
                    " digest (it was read as volatile there), so its content cannot be compared");
    } else if (s.checksum != r.checksum) {
      add(name, "table " + name + ": content differs with the same row count (a changed value)");
    }
  }
  for (const auto& [name, r] : restored.tables) {
    if (options.exclude_tables.count(name) || source.tables.count(name)) continue;
    add(name, "table " + name + " is in the restored copy but not in the source");
  }

  for (const auto& [name, s] : source.sequences) {
    auto it = restored.sequences.find(name);
    if (it == restored.sequences.end())
      add(name, "sequence " + name + ": " + std::to_string(s) +
                    " in the source, never used or missing in the restored copy");
    else if (it->second != s)
      add(name, "sequence " + name + ": " + std::to_string(s) + " in the source, " + std::to_string(it->second) +
                    " restored");
  }
  for (const auto& [name, r] : restored.sequences)
    if (!source.sequences.count(name))
      add(name, "sequence " + name + ": never used or missing in the source, " + std::to_string(r) + " restored");
  return out;
}

std::vector<std::string> sqlite_integrity(Database& db) {
  if (db.dialect() != Dialect::sqlite)
    throw std::invalid_argument("sqlite_integrity: " + db.name() + " is not a SQLite database");
  std::vector<std::string> out;
  db.for_each_row("PRAGMA integrity_check", [&](const Row& r) {
    std::string line = r.empty() || !r[0] ? "" : *r[0];
    if (line != "ok") out.push_back("integrity_check: " + line);
  });
  db.for_each_row("PRAGMA foreign_key_check", [&](const Row& r) {
    auto at = [&](size_t i) { return i < r.size() && r[i] ? *r[i] : std::string("?"); };
    out.push_back("foreign_key_check: table " + at(0) + (r.size() > 1 && r[1] ? " rowid " + *r[1] : "") +
                  " references a missing row of table " + at(2) + " (foreign key " + at(3) + ")");
  });
  return out;
}

std::optional<std::string> newest_value(Database& db, const std::string& table, const std::string& column) {
  std::string from;
  if (db.dialect() == Dialect::postgresql) {
    // The snapshot's names: "audit.log" is table log of schema audit; "users" is in public.
    size_t dot = table.find('.');
    from = dot == std::string::npos
               ? "public." + digest_quote_ident(table)
               : digest_quote_ident(table.substr(0, dot)) + "." + digest_quote_ident(table.substr(dot + 1));
  } else {
    from = digest_quote_ident(table);
  }
  return db.query_value("SELECT max(" + digest_quote_ident(column) + ") FROM " + from);
}

}  // namespace greenlight
