// SQLite (SQLiteCpp) and PostgreSQL (libpqxx) read-only scalar queries.
#include "harness/target_database.h"

#include <stdexcept>

#include <SQLiteCpp/SQLiteCpp.h>
#include <pqxx/pqxx>

#include "harness/redactor.h"

namespace greenlight {

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
    pqxx::result r = tx.exec(sql);
    if (r.empty() || r.columns() < 1) throw std::runtime_error("query returned no value: " + sql);
    return r[0][0].as<long long>();
  } catch (const pqxx::failure& e) {
    throw std::runtime_error("PostgreSQL " + redact_dsn(dsn) + ": " + e.what());
  }
}

}  // namespace greenlight
