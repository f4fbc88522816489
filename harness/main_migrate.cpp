// `greenlight migrate verify|status|lint`: the migration suite from the
// command line, printing what a person reads in a terminal and (with --out)
// the same reports as `run`.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "harness/command_run.h"
#include "harness/commands.h"
#include "harness/interrupt.h"
#include "harness/status_line.h"
#include "harness/timestamp.h"
#include "suites/migration/migration_job.h"

namespace greenlight {

namespace {

const char* kMigrateUsage = R"(Usage:
  greenlight migrate verify --dir DIR --db DSN [--target DSN]   apply, reverse (up, down, up) and re-apply every
                                                                migration on a scratch database created on DSN
  greenlight migrate status --dir DIR --target DSN              applied / pending / modified / missing / failed /
                                                                out of order, and schema drift (read-only)
  greenlight migrate lint --dir DIR [--dialect postgresql|sqlite]   unsafe DDL, one finding per line

DSN: sqlite:///path/app.db, sqlite:// (verify: a temporary file), postgresql://user:pw@host:5432/db.
verify creates greenlight_scratch_* on the PostgreSQL server of --db (the user needs CREATEDB) and drops it
afterwards; a SQLite --db must not exist yet. --target is only ever read.

Options:
  --convention NAME   flyway, golang-migrate, dbmate or plain (default: detected from the file names)
  --dialect NAME      sqlite or postgresql (default: from --db or --target; lint alone: postgresql)
  --db DSN            status: the scratch server used for the drift check (default for SQLite: a temp file)
  --no-reverse        verify: apply only, do not run the downs
  --ledger PATH       greenlight's checksum ledger for tools that keep none (default .greenlight/history.db)
  --strict            lint warnings fail too
  --out DIR           also write greenlight.junit.xml, greenlight.json and greenlight.html to DIR
  --quiet             print only failures and the verdict
Exit codes: 0 all passed, 1 a check failed, 2 usage or configuration error.
)";

struct MigrateArgs {
  std::string action;
  MigrationJob job;
  std::string out;
  bool quiet = false;
  bool help = false;
};

MigrateArgs parse_args(int argc, char** argv) {
  MigrateArgs a;
  a.job.ledger = ".greenlight/history.db";
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") a.help = true;
    else if (arg == "--dir") a.job.dir = value();
    else if (arg == "--db") a.job.scratch = value();
    else if (arg == "--target") a.job.target = value();
    else if (arg == "--ledger") a.job.ledger = value();
    else if (arg == "--out") a.out = value();
    else if (arg == "--strict") a.job.strict = true;
    else if (arg == "--no-reverse") a.job.reverse = false;
    else if (arg == "--quiet") a.quiet = true;
    else if (arg == "--convention") {
      std::string v = value();
      a.job.convention = parse_convention(v);
      if (!a.job.convention) throw UsageError("unknown convention '" + v + "' (flyway, golang-migrate, dbmate or plain)");
    } else if (arg == "--dialect") {
      std::string v = value();
      if (v == "sqlite") a.job.dialect = Dialect::sqlite;
      else if (v == "postgresql") a.job.dialect = Dialect::postgresql;
      else throw UsageError("unknown dialect '" + v + "' (sqlite or postgresql)");
    } else if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg);
    else if (a.action.empty()) a.action = arg;
    else throw UsageError("unexpected argument " + arg);
  }
  if (a.help) return a;
  if (a.action != "verify" && a.action != "status" && a.action != "lint")
    throw UsageError(a.action.empty() ? "migrate needs an action: verify, status or lint"
                                      : "unknown migrate action '" + a.action + "' (verify, status or lint)");
  if (a.job.dir.empty()) throw UsageError("migrate " + a.action + " needs --dir DIR");
  if (!std::filesystem::is_directory(a.job.dir)) throw UsageError("--dir " + a.job.dir.string() + ": no such directory");
  for (const std::string* dsn : {&a.job.scratch, &a.job.target}) {
    try {
      if (!dsn->empty()) dialect_of(*dsn);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  MigrationJob& j = a.job;
  j.lint = a.action == "lint";
  j.apply = a.action == "verify";
  j.reverse = j.apply && j.reverse;
  j.status = j.drift = !j.target.empty() && a.action != "lint";
  if (a.action == "verify" && j.scratch.empty()) throw UsageError("migrate verify needs --db DSN (the scratch server)");
  if (a.action == "status" && j.target.empty()) throw UsageError("migrate status needs --target DSN");
  return a;
}

// Lint prints its findings one per line (file:line: severity: message [rule]),
// status its table; otherwise one line per check (only failures when quiet).
void print_check(const Check& c, const std::string& action, bool quiet) {
  if (action == "lint" && c.name.rfind("lint ", 0) == 0) {
    for (const Evidence& e : c.evidence)
      if (e.label == "findings" && (!quiet || c.outcome != Outcome::passed)) std::fputs(e.text.c_str(), stdout);
    return;
  }
  if (action == "status" && c.name == "status" && !quiet)
    for (const Evidence& e : c.evidence) std::printf("%s", e.text.c_str());
  if (c.outcome == Outcome::passed && quiet) return;
  std::printf("  %-7s %s%s%s\n", to_string(c.outcome), c.name.c_str(), c.message.empty() ? "" : ": ", c.message.c_str());
}

}  // namespace

int cmd_migrate(int argc, char** argv) {
  MigrateArgs a = parse_args(argc, argv);
  if (a.help) return std::fputs(kMigrateUsage, stdout), 0;
  Redactor redactor;
  for (const std::string& dsn : {a.job.scratch, a.job.target}) redactor.add(dsn_password(dsn));

  install_interrupt_handler();
  StatusLine status(StatusLine::stderr_is_tty() && !a.quiet);
  JobHooks hooks;
  hooks.cancelled = [] { return interrupt_flag().load(); };
  hooks.progress = [&status](const std::string& text) { status.set(text); };
  CommandRun run{"migration", "migrate " + a.action + " " + a.job.dir.string(),
                 a.job.target.empty() ? a.job.scratch : a.job.target, a.out, a.quiet};
  run.started_at = iso8601_utc();
  run.start = std::chrono::steady_clock::now();
  std::vector<Check> checks = run_migration_job(a.job, hooks);
  status.clear();
  run.interrupted = interrupt_flag().load();
  return finish_command_run(run, std::move(checks), redactor,
                            [&](const Check& c) { print_check(c, a.action, a.quiet); });
}

}  // namespace greenlight
