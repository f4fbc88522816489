// SQLite (SQLiteCpp) and PostgreSQL (libpqxx) read-only scalar queries.
// Both sides accept exactly one statement: with several, a PostgreSQL query
// could end the read-only transaction ("COMMIT; INSERT ...") and write, and a
// SQLite query would silently run only the first.
#include "harness/target_database.h"

#include <stdexcept>

#include <SQLiteCpp/SQLiteCpp.h>
#include <pqxx/pqxx>
#include <sqlite3.h>

#include "harness/redactor.h"

namespace greenlight {

namespace {

// Why `sql` must not run, or "" when it may. SQLite::Statement compiles only
// the first statement and keeps the sqlite3_stmt to itself, so the SQL is
// compiled here once more, to look at.
std::string sqlite_refusal(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, &tail) != SQLITE_OK) return "";  // Statement reports it
  if (!stmt) return "no SQL statement";
  // OPEN_READONLY and query_only do not cover everything: VACUUM INTO still
  // writes a new file, and PRAGMA journal_mode answers instead of failing.
  // SQLite flags every statement that may write as not read-only.
  bool readonly = sqlite3_stmt_readonly(stmt);
  sqlite3_finalize(stmt);
  if (!readonly) return "not a read-only statement";
  sqlite3_stmt* next = nullptr;  // whatever follows must compile to nothing (spaces, comments, ';')
  int rc = sqlite3_prepare_v2(db, tail, -1, &next, nullptr);
  sqlite3_finalize(next);
  if (rc != SQLITE_OK || next) return "only one statement is allowed";
  return "";
}

}  // namespace

std::string sqlite_path(const std::string& dsn) {
  const std::string scheme = "sqlite://";
  if (dsn.rfind(scheme, 0) != 0) return "";
  return dsn.substr(scheme.size());
}

long long query_scalar_readonly(const std::string& dsn, const std::string& sql) {
  if (dsn.empty()) throw std::runtime_error("the plan's target has no database to query");
  if (std::string path = sqlite_path(dsn); !path.empty()) {
    try {
      SQLite::Database db(path, SQLite::OPEN_READONLY);
      db.exec("PRAGMA query_only = ON");
      db.setBusyTimeout(5000);
      if (std::string why = sqlite_refusal(db.getHandle(), sql); !why.empty())
        throw std::runtime_error("SQLite " + path + ": " + why + ": " + sql);
      SQLite::Statement q(db, sql);
      if (!q.executeStep()) throw std::runtime_error("query returned no row: " + sql);
      if (q.getColumnCount() < 1) throw std::runtime_error("query returned no column: " + sql);
      return q.getColumn(0).getInt64();
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error("SQLite " + path + ": " + e.what());
    }
  }
  try {
    pqxx::connection conn(dsn);
    pqxx::read_transaction tx(conn);
    // exec_params uses the extended query protocol, where the server itself
    // refuses more than one statement; the simple protocol (exec) would run
    // "COMMIT; INSERT ..." as two, the INSERT outside this transaction.
    pqxx::result r = tx.exec_params(sql);
    if (r.empty() || r.columns() < 1) throw std::runtime_error("query returned no value: " + sql);
    if (r[0][0].is_null()) throw std::runtime_error("query returned NULL, expected a number: " + sql);
    return r[0][0].as<long long>();
  } catch (const pqxx::conversion_error& e) {
    throw std::runtime_error("PostgreSQL " + redact_dsn(dsn) + ": the query's value is not a whole number: " + e.what());
  } catch (const pqxx::failure& e) {
    throw std::runtime_error("PostgreSQL " + redact_dsn(dsn) + ": " + e.what());
  }
}

}  // namespace greenlight
