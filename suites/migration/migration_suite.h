// The migration suite from the plan: one or more migration sets, each
// rehearsed on scratch, linted, and compared with the target (read-only).
//
//   migration:
//     dir: db/migrations              # relative to the plan
//     convention: golang-migrate      # flyway, golang-migrate, dbmate, plain; detected when absent
//     dialect: postgresql             # default: the scratch's, else the target's
//     scratch: postgresql://ci@127.0.0.1/postgres   # where to rehearse; SQLite default: a temp file
//     target: ${var:database}         # read-only, for status and drift; default: the plan's target.database
//     ledger: .greenlight/history.db  # greenlight's checksum ledger (relative to the plan)
//     checks: [lint, apply, reverse, status, drift]   # default: all
//     strict: false                   # lint warnings fail too
//     lint: {rules: {prefer-bigint-over-int: off}, sqlite_version: "3.40.1"}
//
// or several sets: `migration: {sets: [{name: app, dir: ...}, {name: audit, dir: ...}]}`.
#pragma once

#include <memory>
#include <vector>

#include "harness/plan_node.h"
#include "harness/suite.h"
#include "suites/migration/migration_job.h"

namespace greenlight {

// Validates the section (throws ConfigError naming file, line and key).
std::vector<MigrationJob> parse_migration_plan(const PlanNode& section);
std::unique_ptr<Suite> build_migration_suite(const PlanNode& section);

}  // namespace greenlight
