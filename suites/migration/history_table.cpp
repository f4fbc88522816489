// Reads the migration tool's own history table from the target, with
// read-only queries only. The table is looked up where the tool would create
// it: SQLite's one schema, or on PostgreSQL the first schema of the
// search_path that has it (to_regclass), falling back to public. Its columns
// are checked before it is read, because golang-migrate and dbmate both name
// their table schema_migrations and reading one as the other would report
// nonsense.
#include "suites/migration/history_table.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

namespace greenlight {

namespace {

std::string literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Table {
  std::string name;  // as the database shows it, for messages and FROM
  std::set<std::string> columns;
};

std::optional<Table> find_table(Database& db, const std::string& name) {
  Table t;
  if (db.dialect() == Dialect::sqlite) {
    if (!db.query_value("SELECT name FROM sqlite_master WHERE type = 'table' AND name = " + literal(name))) return std::nullopt;
    t.name = "\"" + name + "\"";
    for (const Row& r : db.query("SELECT name FROM pragma_table_info(" + literal(name) + ")").rows)
      if (!r.empty() && r[0]) t.columns.insert(lower(*r[0]));
    return t;
  }
  std::optional<std::string> reg = db.query_value("SELECT to_regclass(" + literal(name) + ")::text");
  if (!reg) reg = db.query_value("SELECT to_regclass(" + literal("public." + name) + ")::text");
  if (!reg) return std::nullopt;
  t.name = *reg;
  for (const Row& r : db.query("SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = " + literal(*reg) +
                               "::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")
                          .rows)
    if (!r.empty() && r[0]) t.columns.insert(lower(*r[0]));
  return t;
}

std::string where(const Table& t, Database& db) { return t.name + " in " + db.name(); }

void require_columns(const Table& t, Database& db, std::initializer_list<const char*> needed, const std::string& tool) {
  for (const char* c : needed)
    if (!t.columns.count(c))
      throw DatabaseError(where(t, db) + " has no " + c + " column: it is not the table " + tool +
                          " creates, so greenlight cannot read the target's migration history from it");
}

bool parse_bool(const std::optional<std::string>& v, const Table& t, Database& db, const char* column) {
  std::string s = lower(v.value_or(""));
  if (s == "1" || s == "t" || s == "true") return true;
  if (s == "0" || s == "f" || s == "false") return false;
  throw DatabaseError(where(t, db) + ": column " + column + " holds \"" + v.value_or("NULL") + "\", not a boolean");
}

std::optional<int32_t> parse_checksum(const std::optional<std::string>& v, const Table& t, Database& db) {
  if (!v) return std::nullopt;
  try {
    size_t used = 0;
    long long n = std::stoll(*v, &used);
    if (used == v->size() && n >= std::numeric_limits<int32_t>::min() && n <= std::numeric_limits<int32_t>::max())
      return static_cast<int32_t>(n);
  } catch (const std::exception&) {
  }
  throw DatabaseError(where(t, db) + ": checksum \"" + *v + "\" is not a 32-bit integer");
}

TargetHistory read_flyway(Database& db) {
  TargetHistory h;
  auto t = find_table(db, "flyway_schema_history");
  if (!t) return h;
  require_columns(*t, db, {"installed_rank", "version", "description", "type", "script", "checksum", "success"}, "Flyway");
  h.table = t->name;
  const std::string installed_on = t->columns.count("installed_on") ? "installed_on" : "NULL";
  QueryResult r = db.query("SELECT version, description, script, checksum, " + installed_on + ", success, type FROM " +
                           t->name + " ORDER BY installed_rank");
  for (const Row& row : r.rows) {
    AppliedMigration a;
    a.version = row[0].value_or("");
    a.description = row[1].value_or("");
    a.script = row[2].value_or("");
    a.checksum = parse_checksum(row[3], *t, db);
    a.installed_on = row[4].value_or("");
    a.success = parse_bool(row[5], *t, db, "success");
    a.type = row[6].value_or("");
    h.applied.push_back(std::move(a));
  }
  return h;
}

TargetHistory read_golang_migrate(Database& db) {
  TargetHistory h;
  auto t = find_table(db, "schema_migrations");
  if (!t) return h;
  if (t->columns.count("version") && !t->columns.count("dirty"))
    throw DatabaseError(where(*t, db) +
                        " has a version column but no dirty column: that is dbmate's table (one row per applied "
                        "version), not golang-migrate's (one row: version, dirty). Set the migration convention to dbmate");
  require_columns(*t, db, {"version", "dirty"}, "golang-migrate");
  h.table = t->name;
  QueryResult r = db.query("SELECT version, dirty FROM " + t->name);
  if (r.rows.size() > 1)
    throw DatabaseError(where(*t, db) + " holds " + std::to_string(r.rows.size()) +
                        " rows; golang-migrate keeps exactly one (the current version), so this table was written by "
                        "something else");
  if (r.rows.empty()) return h;
  const Row& row = r.rows.front();
  std::string version = row[0].value_or("");
  h.dirty = parse_bool(row[1], *t, db, "dirty");
  // -1 (NilVersion) stays only when a down of the first migration failed: nothing is applied.
  if (!version.empty() && version != "-1") {
    h.current_version = version;
    AppliedMigration a;
    a.version = version;
    a.success = !h.dirty;
    h.applied.push_back(std::move(a));
  }
  return h;
}

TargetHistory read_dbmate(Database& db) {
  TargetHistory h;
  auto t = find_table(db, "schema_migrations");
  if (!t) return h;
  if (t->columns.count("dirty"))
    throw DatabaseError(where(*t, db) +
                        " has a dirty column: that is golang-migrate's table (one row: version, dirty), not dbmate's "
                        "(one row per applied version). Set the migration convention to golang-migrate");
  require_columns(*t, db, {"version"}, "dbmate");
  h.table = t->name;
  for (const Row& row : db.query("SELECT version FROM " + t->name + " ORDER BY version").rows) {
    if (!row[0]) continue;
    AppliedMigration a;
    a.version = *row[0];
    h.applied.push_back(std::move(a));
  }
  return h;
}

}  // namespace

TargetHistory read_history(Database& target, Convention convention) {
  switch (convention) {
    case Convention::flyway: return read_flyway(target);
    case Convention::golang_migrate: return read_golang_migrate(target);
    case Convention::dbmate: return read_dbmate(target);
    case Convention::plain: break;
  }
  return {};  // plain files keep no history on the target
}

}  // namespace greenlight
