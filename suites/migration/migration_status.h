// The target's migration status: every file and every history row put side
// by side, the way `flyway info`/`validate` would, for every convention.
#pragma once

#include <string>
#include <vector>

#include "suites/migration/history_table.h"
#include "suites/migration/ledger.h"
#include "suites/migration/sources.h"

namespace greenlight {

enum class MigrationState {
  applied,       // on the target, file unchanged (or no way to tell: see detail)
  pending,       // not on the target yet, newer than everything applied
  out_of_order,  // not on the target, but older than something applied
  modified,      // applied, but the file changed since (checksum)
  missing,       // applied on the target, no file for it
  failed,        // Flyway success=false, or golang-migrate dirty at this version
};
const char* to_string(MigrationState s);

struct StatusEntry {
  std::string version;
  std::string description;
  std::string file;  // empty for missing
  MigrationState state;
  std::string detail;  // "checksum 1234 on the target, -5678 in the file", "checksum recorded now (first sighting)"
};

struct MigrationStatus {
  std::vector<StatusEntry> entries;  // in version order
  std::string applied_version;       // the highest applied, empty when none
  bool has_history = false;          // false: the target has no history table
  bool ok() const;                   // nothing modified, missing, failed or out of order
};

// `target_id` keys the ledger (redacted DSN). The ledger may be null (then
// conventions without checksums cannot detect edits, and say so in detail).
MigrationStatus compute_status(const MigrationSet& set, const TargetHistory& history, Ledger* ledger,
                               const std::string& target_id);

}  // namespace greenlight
