// The rehearsal on scratch: every migration applied in order to an empty
// database (timed), and each one reversed (up, down, up) with the schema
// compared before and after, so that a down that forgets something is caught
// before anyone needs it in an incident.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/database.h"
#include "harness/result.h"
#include "suites/migration/sources.h"

namespace greenlight {

struct ReplayOptions {
  bool reverse = true;
  std::function<bool()> cancelled;                       // stop between migrations
  std::function<void(const std::string&)> progress;     // "applying 3/12 003_x.up.sql"
};

// Checks, in order: "apply <file>" for every migration (failed with file:line
// when it fails; later ones then skipped, naming it), "reverse <file>" for
// every migration when options.reverse (skipped with the reason when there is
// no down or it is declared irreversible), and "schema after all migrations"
// (SQLite integrity_check and foreign_key_check; the snapshot as evidence).
// `scratch` is recreated empty first. Never throws for what the migrations do.
std::vector<Check> replay_migrations(const MigrationSet& set, ScratchDatabase& scratch, const ReplayOptions& options);

// Applies the ups of `migrations` (in the given order) to `scratch`, recreated
// empty first. Throws MigrationError.
void apply_ups(const std::vector<const Migration*>& migrations, Convention convention, ScratchDatabase& scratch);

// The name a migration goes by in check names and messages: its up file,
// relative to the migration directory.
std::string migration_label(const Migration& m);

}  // namespace greenlight
