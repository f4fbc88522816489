// Read-only access to the target's database, for checks that look at data
// (e.g. "a webhook delivered three times adds exactly one row"). It can never
// write: SQLite is opened read-only with query_only on, PostgreSQL queries run
// in a READ ONLY transaction that is rolled back.
#pragma once

#include <string>

namespace greenlight {

// Runs `sql`, which must return one row with one numeric column, on the
// database named by `dsn` (sqlite:///path or postgresql://...). Throws
// std::runtime_error with a message that names the cause (but not the password).
long long query_scalar_readonly(const std::string& dsn, const std::string& sql);

// "/var/lib/app.db" for "sqlite:///var/lib/app.db"; empty for other schemes.
std::string sqlite_path(const std::string& dsn);

}  // namespace greenlight
