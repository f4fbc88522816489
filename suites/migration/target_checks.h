// The checks that look at the target, read-only: where its migrations stand
// (status) and whether its real schema is what the migrations say it should
// be at that version (drift, e.g. a column someone added by hand).
#pragma once

#include <string>

#include "harness/database.h"
#include "harness/result.h"
#include "suites/migration/ledger.h"
#include "suites/migration/migration_status.h"
#include "suites/migration/sources.h"

namespace greenlight {

// "status": fails on modified, missing, failed (dirty) or out-of-order
// migrations, naming each file; pending ones are what the release will apply
// and are listed, not failed. The table of every migration is evidence.
Check status_check(const MigrationStatus& status, const std::string& target_name);

// "drift": the target's schema against `scratch` with the target's applied
// migrations replayed. Skipped, with the reason, when the target's version is
// unknown (no history table) or dirty.
Check drift_check(const MigrationSet& set, const MigrationStatus& status, Database& target, ScratchDatabase& scratch);

// A table of the status for a terminal: "applied   V1__init.sql", ...
std::string format_status(const MigrationStatus& status);

}  // namespace greenlight
