// One migration set and what to verify about it: the unit shared by the plan's
// `migration` suite and `greenlight migrate verify|status|lint`. Checks run in
// this order: sources, lint (one per file), apply and reverse (one per
// migration, on scratch), schema, status and drift (read-only on the target).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "harness/database.h"
#include "harness/result.h"
#include "suites/migration/lint.h"
#include "suites/migration/sources.h"

namespace greenlight {

struct MigrationJob {
  std::string name;  // prefixes check names when a plan has several sets ("app: apply 001_x.up.sql")
  std::filesystem::path dir;
  std::optional<Convention> convention;  // detected when absent
  std::optional<Dialect> dialect;        // default: the scratch's, else the target's, else PostgreSQL
  std::string scratch;  // server for the rehearsal; default sqlite:// (a temp file) for SQLite
  std::string target;   // read-only: status and drift; empty: those checks are skipped
  std::filesystem::path ledger;  // greenlight's checksum ledger (SQLite file)
  bool lint = true, apply = true, reverse = true, status = true, drift = true;
  bool strict = false;  // lint warnings fail too
  LintOptions lint_options;
};

struct JobHooks {
  std::function<bool()> cancelled;
  std::function<void(const std::string&)> progress;
};

// Never throws for anything the files or databases do: each becomes a failed
// (or error) check naming the file, line and object.
std::vector<Check> run_migration_job(const MigrationJob& job, const JobHooks& hooks = {});

// The dialect the job lints and rehearses for.
Dialect job_dialect(const MigrationJob& job);

}  // namespace greenlight
