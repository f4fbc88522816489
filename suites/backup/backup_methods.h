// Taking a backup and restoring it into a scratch database, by the built-in
// methods (SQLite online backup API; pg_dump -Fc / pg_restore -j) or by the
// team's own commands with {source}, {artifact} and {scratch} placeholders.
// Every step is timed, and every external command's output is kept (redacted
// by the caller) as evidence.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "harness/process.h"

namespace greenlight {

struct StepResult {
  double seconds = 0;
  std::string command;  // what ran, for evidence (contains DSNs: redact before showing)
  std::string output;   // captured stderr/stdout tail
};

struct BackupOptions {
  std::string backup_cmd;   // empty: built in. Template: "./backup.sh {source} {artifact}"
  std::string restore_cmd;  // empty: built in. Template: "./restore.sh {artifact} {scratch}"
  int restore_jobs = 2;     // pg_restore -j
  std::chrono::milliseconds timeout{std::chrono::hours(2)};
  const std::atomic<bool>* cancel = nullptr;
  // Added to the environment of every program run (the commands, pg_dump,
  // pg_restore, psql); a PATH here is also where pg_dump & co are looked up.
  std::map<std::string, std::string> env;
  // Built-in restore of a plain SQLite file: copy the file into the scratch
  // path (copy_file_range) instead of the backup API (a fraction of the CPU
  // for a big file). No connection may be open on the scratch meanwhile (it
  // would not see the new file). The drill sets it.
  bool sqlite_copy_file = false;
  // Built-in SQLite backup into a file that is removed after use (the
  // drill's temporary artifact): not synced to disk, since nothing will read
  // it after a crash. The drill sets it.
  bool throwaway_artifact = false;
};

// Writes a backup of `source_dsn` to `artifact`. SQLite: the online backup
// API from a read-only connection (a consistent copy of a live database).
// PostgreSQL: pg_dump -Fc, after checking that pg_dump's major version is at
// least the server's; the password goes in PGPASSWORD, never on the command
// line. Throws std::runtime_error naming the step and cause ("pg_dump not
// found on PATH (Debian: apt install postgresql-client-15)"). A backup_cmd
// must contain {artifact} (std::invalid_argument otherwise) and write it.
// StepResult texts never hold the DSN's password ([redacted]).
StepResult take_backup(const std::string& source_dsn, const std::filesystem::path& artifact, const BackupOptions& o);

// Restores `artifact` into the (empty) scratch database `scratch_dsn`.
// SQLite: the scratch file must be absent, empty or without schema (else
// refused); its pages are copied in with the backup API (decompressing .gz
// first), so a connection already open on it sees the result, or, with
// sqlite_copy_file and a plain SQLite file, the file itself is copied (its
// stale -journal/-wal/-shm removed); a .sql is
// executed statement by statement. PostgreSQL: pg_restore -j N
// --exit-on-error --no-owner --no-privileges (custom format) or psql
// -v ON_ERROR_STOP=1 (plain SQL). A restore_cmd must contain {artifact} and
// {scratch}. Throws std::runtime_error on failure. A restore that succeeds
// but loads nothing is not detected here: that is the comparison's job.
StepResult restore_backup(const std::filesystem::path& artifact, const std::string& scratch_dsn, const BackupOptions& o);

// The template split like a shell would (split_command), then "{source}" etc.
// replaced inside each word: a value with spaces stays one argument. Unknown
// {names} stay as written.
std::vector<std::string> expand_command(const std::string& tmpl, const std::map<std::string, std::string>& values);

}  // namespace greenlight
