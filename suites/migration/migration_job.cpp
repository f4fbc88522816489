// Runs one migration set's checks, turning every failure into a check.
#include "suites/migration/migration_job.h"

#include <map>
#include <memory>

#include "harness/redactor.h"
#include "suites/migration/ledger.h"
#include "suites/migration/migration_status.h"
#include "suites/migration/replay.h"
#include "suites/migration/target_checks.h"

namespace greenlight {

namespace {

Check sources_check(const MigrationSet& set) {
  Check c{"sources"};
  std::string errors, all;
  for (const SourceFinding& f : set.findings) {
    std::string line = f.file + (f.line ? ":" + std::to_string(f.line) : "") + ": " + (f.error ? "error: " : "warning: ") + f.message;
    all += line + "\n";
    if (f.error) errors += (errors.empty() ? "" : "; ") + line;
  }
  c.figures = {{"migrations", double(set.migrations.size()), ""}};
  c.evidence.push_back({"migrations", std::to_string(set.migrations.size()) + " " + to_string(set.convention) +
                                          " migrations in " + set.dir.string() + "\n" + all});
  if (!errors.empty()) c.outcome = Outcome::failed, c.message = errors;
  return c;
}

// One check per migration file: failed on error findings (and warnings when strict).
std::vector<Check> lint_checks(const MigrationSet& set, const MigrationJob& job) {
  std::map<std::string, std::vector<LintFinding>> by_file;
  for (const LintFinding& f : lint_migrations(set, job_dialect(job), job.lint_options)) by_file[f.file].push_back(f);
  std::vector<Check> out;
  std::vector<std::string> files;
  for (const Migration& m : set.migrations) {
    files.push_back(m.up.file.string());
    if (m.down && m.down->file != m.up.file) files.push_back(m.down->file.string());
  }
  for (const std::string& file : files) {
    Check c{"lint " + std::filesystem::path(file).filename().string()};
    std::string failing, text;
    int warnings = 0;
    for (const LintFinding& f : by_file[file]) {
      text += format_finding(f) + "\n";
      warnings += f.severity == Severity::warning;
      if (f.severity == Severity::error || (job.strict && f.severity == Severity::warning))
        failing += (failing.empty() ? "" : "\n") + format_finding(f);
    }
    c.figures = {{"findings", double(by_file[file].size()), ""}, {"warnings", double(warnings), ""}};
    if (!text.empty()) c.evidence.push_back({"findings", text});
    if (!failing.empty()) c.outcome = Outcome::failed, c.message = failing;
    out.push_back(std::move(c));
  }
  return out;
}

void add(std::vector<Check>& out, std::vector<Check> more) {
  out.insert(out.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

std::vector<Check> target_checks(const MigrationSet& set, const MigrationJob& job, ScratchDatabase* scratch) {
  std::vector<Check> out;
  std::unique_ptr<Database> target;
  MigrationStatus status;
  try {
    target = open_database(job.target, Access::read_only);
    std::unique_ptr<Ledger> ledger;
    if (!job.ledger.empty()) ledger = std::make_unique<Ledger>(job.ledger);
    status = compute_status(set, read_history(*target, set.convention), ledger.get(), target->name());
  } catch (const std::exception& e) {
    std::string why = std::string("cannot read the migration history of the target: ") + e.what();
    if (job.status) out.push_back({"status", Outcome::failed, why});
    if (job.drift) out.push_back(skipped_check("drift", "the target's migration history could not be read"));
    return out;
  }
  if (job.status) out.push_back(status_check(status, target->name()));
  if (job.drift) {
    if (!scratch) out.push_back(skipped_check("drift", "no scratch database to replay the migrations on (set scratch:)"));
    else out.push_back(drift_check(set, status, *target, *scratch));
  }
  return out;
}

}  // namespace

Dialect job_dialect(const MigrationJob& job) {
  if (job.dialect) return *job.dialect;
  if (!job.scratch.empty()) return dialect_of(job.scratch);
  if (!job.target.empty()) return dialect_of(job.target);
  return Dialect::postgresql;
}

std::vector<Check> run_migration_job(const MigrationJob& job, const JobHooks& hooks) {
  std::vector<Check> out;
  MigrationSet set;
  try {
    set = load_migrations(job.dir, job.convention);
  } catch (const std::exception& e) {
    out.push_back({"sources", Outcome::failed, e.what()});
    return out;
  }
  out.push_back(sources_check(set));
  if (set.has_errors() || set.migrations.empty()) {
    // Replaying a set with duplicate versions or unreadable names would judge
    // something other than what the tool will run.
    const std::string why = "the migration files have errors (see sources)";
    if (job.apply) out.push_back(skipped_check("apply", why));
    if (job.status && !job.target.empty()) out.push_back(skipped_check("status", why));
    return out;
  }
  if (job.lint) add(out, lint_checks(set, job));

  const bool needs_scratch = job.apply || (job.drift && !job.target.empty());
  std::unique_ptr<ScratchDatabase> scratch;
  std::string scratch_dsn = job.scratch;
  if (scratch_dsn.empty() && job_dialect(job) == Dialect::sqlite) scratch_dsn = "sqlite://";
  if (needs_scratch && scratch_dsn.empty()) {
    if (job.apply) out.push_back(skipped_check("apply", "no scratch server is given to rehearse the migrations on (scratch: postgresql://user@host/postgres)"));
  } else if (needs_scratch) {
    try {
      scratch = std::make_unique<ScratchDatabase>(scratch_dsn, job.target);
      scratch->db();  // connect now, so that an unreachable server is one clear failure
    } catch (const std::exception& e) {
      scratch.reset();
      out.push_back({job.apply ? "apply" : "scratch", Outcome::failed, std::string("cannot create the scratch database: ") + e.what()});
    }
  }
  if (job.apply && scratch) add(out, replay_migrations(set, *scratch, {job.reverse, hooks.cancelled, hooks.progress}));
  if (!job.target.empty() && (job.status || job.drift)) {
    if (hooks.cancelled && hooks.cancelled()) out.push_back(skipped_check("status", "the run was interrupted"));
    else add(out, target_checks(set, job, scratch.get()));
  }
  if (!job.name.empty())
    for (Check& c : out) c.name = job.name + ": " + c.name;
  return out;
}

}  // namespace greenlight
