// The restore drill: take (or pick) a backup, check the artifact, restore it
// into a scratch database, prove the data is all there, and measure how long
// it took (RTO) and how old the data was (RPO). Shared by the plan's `backup`
// suite and `greenlight backup drill|verify`.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/result.h"
#include "suites/backup/backup_methods.h"
#include "suites/backup/drill_history.h"
#include "suites/backup/table_compare.h"

namespace greenlight {

struct DrillSpec {
  std::string source;                  // DSN of the database backed up; only ever read
  std::string scratch;                 // server for the restore; SQLite default: a temporary file
  std::filesystem::path artifact;      // drill this existing backup; empty: take a new one
  BackupOptions methods;               // own backup/restore commands, pg_restore -j, timeout, cancel
  std::filesystem::path work_dir;      // where a new backup is written; empty: a temp folder, removed after
  DigestOptions digest;                // volatile and excluded tables
  uint64_t volatile_tolerance = 0;     // rows a volatile table's restored count may trail the source's
  std::string rpo_table, rpo_column;   // the newest value of this column is the data's age; default: artifact time
  std::optional<double> max_rto_s, max_rpo_s;  // thresholds: fail the drill when broken
  std::filesystem::path history;       // append the drill here; empty: not recorded
  // SQLite, built-in backup and restore: when the restored copy is page for
  // page the image of the source (sqlite_image.h), that proves every table
  // equal without reading rows; true reads and compares the rows anyway.
  bool compare_rows = false;
};

struct DrillOutcome {
  std::vector<Check> checks;  // backup, artifact, restore, schema, table <name>..., integrity, rto, rpo, drill
  DrillRecord record;         // as appended to the history
};

// Never throws for what the databases, tools or artifacts do: each becomes a
// failed check naming the step and the cause. The scratch database and a
// temporary backup are removed whatever happens.
DrillOutcome run_drill(const DrillSpec& spec, const std::function<void(const std::string&)>& progress = nullptr);

}  // namespace greenlight
