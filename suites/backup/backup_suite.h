// The backup suite from the plan: a restore drill of the target's database
// (a new backup, a given one, or a folder's newest with its policy).
//
//   backup:
//     source: ${var:database}         # default: the plan's target.database (only ever read)
//     scratch: postgresql://ci@127.0.0.1/postgres   # SQLite default: a temporary file
//     dir: /var/backups/app           # or artifact: /var/backups/app/latest.dump; neither: a new backup
//     max_age: 26h                    # dir: the newest backup is younger
//     keep: 7                         # dir: at least this many backups
//     backup_cmd: ./scripts/db_backup.sh {source} {artifact}
//     restore_cmd: ./scripts/db_restore.sh {artifact} {scratch}
//     volatile: [sessions]            # compared by row count only
//     volatile_tolerance: 100
//     compare_rows: false             # SQLite: rows even when the page images prove the copy equal
//     rpo_column: orders.created_at   # RPO from the newest row; default: the artifact's time
//     thresholds: ["rto<15m", "rpo<24h"]
//     jobs: 2                         # pg_restore -j
//     timeout: 2h                     # per backup/restore command
//     history: .greenlight/history.db # relative to the plan
#pragma once

#include <memory>

#include "harness/plan_node.h"
#include "harness/suite.h"
#include "suites/backup/backup_job.h"

namespace greenlight {

// Validates the section (throws ConfigError naming file, line and key).
// `source_from_target` is set when the job must take the plan's target.database.
BackupJob parse_backup_plan(const PlanNode& section, bool* source_from_target = nullptr);
std::unique_ptr<Suite> build_backup_suite(const PlanNode& section);

}  // namespace greenlight
