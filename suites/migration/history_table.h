// What the target says it has applied, read (read-only) from the migration
// tool's own history table: Flyway's flyway_schema_history (versions,
// checksums, success), golang-migrate's schema_migrations (one version and a
// dirty flag), dbmate's schema_migrations (one row per applied version).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "harness/database.h"
#include "suites/migration/sources.h"

namespace greenlight {

struct AppliedMigration {
  std::string version;      // empty for a Flyway repeatable
  std::string description;  // Flyway only
  std::string script;       // Flyway only: the file name it applied
  std::optional<int32_t> checksum;  // Flyway only
  bool success = true;      // Flyway success=false rows
  std::string installed_on; // Flyway only, as text
  std::string type;         // Flyway only: SQL, BASELINE, UNDO_SQL, DELETE, ... (baselines and undos are no applied files)
};

struct TargetHistory {
  std::string table;  // the table read, empty when the target has none
  std::vector<AppliedMigration> applied;  // in the order applied
  // golang-migrate: the one current version, and whether the last run failed
  // halfway (dirty) so that the tool refuses to go on.
  std::optional<std::string> current_version;
  bool dirty = false;
};

// Reads the history table the convention uses; a target with no such table
// has nothing applied (table empty). Throws DatabaseError when the table
// exists but cannot be read, or has columns the convention does not expect.
TargetHistory read_history(Database& target, Convention convention);

}  // namespace greenlight
