// A normalized model of a database schema, read from the catalogs
// (PostgreSQL: pg_catalog; SQLite: sqlite_schema and pragmas), so that two
// databases built the same way compare equal and any difference can be named.
// Objects: tables, columns (type, default, nullability, position), primary
// keys, unique constraints, foreign keys, check constraints, indexes, views,
// triggers, sequences (definition, not current value), functions and enum
// types. Data is never read. Used by migration (reversibility, drift) and
// backup (restored schema equals source).
#pragma once

#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "harness/database.h"

namespace greenlight {

// One object: kind "table", "column", "primary key", "unique", "foreign key",
// "check", "index", "view", "trigger", "sequence", "function", "type"; on
// PostgreSQL also "schema", "extension", "exclusion" and "policy".
// Names are qualified by their table where they belong to one ("users.email",
// "users.users_email_key"); PostgreSQL names outside schema public carry the
// schema ("audit.log"). Attributes are normalized text ("type" -> "text",
// "nullable" -> "no", "definition" -> "CREATE INDEX ... (email)").
struct SchemaObject {
  std::string kind;
  std::string name;
  std::map<std::string, std::string> attributes;
};

struct SchemaSnapshot {
  Dialect dialect = Dialect::sqlite;
  std::map<std::string, SchemaObject> objects;  // key: kind + " " + name
  bool operator==(const SchemaSnapshot& o) const;
};

struct SnapshotOptions {
  // Tables left out with everything on them: the migration tools' history
  // tables, which the migrations themselves do not create.
  std::set<std::string> exclude_tables = {"flyway_schema_history", "schema_migrations"};
};

// Reads the schema through `db` (read-only queries only, so it works on the
// target). Throws DatabaseError.
SchemaSnapshot snapshot_schema(Database& db, const SnapshotOptions& options = {});

nlohmann::json to_json(const SchemaSnapshot& s);

}  // namespace greenlight
