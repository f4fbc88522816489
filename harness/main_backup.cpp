// `greenlight backup drill|verify|history`: the restore drill from the
// command line, and the record of past drills.
#include <chrono>
#include <cstdio>
#include <string>

#include "harness/command_run.h"
#include "harness/commands.h"
#include "harness/duration.h"
#include "harness/interrupt.h"
#include "harness/status_line.h"
#include "harness/timestamp.h"
#include "suites/backup/backup_job.h"

namespace greenlight {

namespace {

const char* kBackupUsage = R"(Usage:
  greenlight backup drill --db DSN [--scratch DSN] [--artifact FILE]   back up DSN (or take FILE), restore into a
                                                                       scratch database, compare table by table
  greenlight backup verify --dir DIR --db DSN [--max-age 26h] [--keep 7]   the folder's policy, then the drill of
                                                                       its newest backup
  greenlight backup history [--db DSN]                                 past drills: date, backup, RTO, RPO, verdict

DSN: sqlite:///var/lib/app/app.db or postgresql://user:pw@host:5432/app (only ever read).
--scratch: where to restore: a PostgreSQL server on which greenlight creates and drops
greenlight_scratch_* (the user needs CREATEDB); SQLite default: a temporary file.

Options:
  --backup-cmd 'CMD {source} {artifact}'    the team's own backup command (default: SQLite backup API, pg_dump -Fc)
  --restore-cmd 'CMD {artifact} {scratch}'  the team's own restore command (default: copy, pg_restore -j)
  --jobs N            pg_restore -j N (default 2)
  --timeout D         per backup or restore command (default 2h)
  --volatile TABLE    a table that changes during the drill: compared by row count only (repeatable)
  --volatile-tolerance N   rows a volatile table's restored count may trail the source's (default 0)
  --compare-rows      SQLite: compare every table row by row even when the restored copy is
                      page for page the source's image (which proves it equal much faster)
  --rpo-column T.C    RPO from the newest value of column C of table T (default: the artifact's time)
  --threshold EXPR    rto<15m, rpo<24h: the drill fails when broken (repeatable)
  --history PATH      greenlight's history database (default .greenlight/history.db)
  --out DIR           also write greenlight.junit.xml, greenlight.json and greenlight.html to DIR
  --quiet             print only failures and the verdict
Exit codes: 0 all passed, 1 a check failed, 2 usage or configuration error.
)";

struct BackupArgs {
  std::string action;
  BackupJob job;
  std::string out;
  bool quiet = false;
  bool help = false;
};

BackupArgs parse_args(int argc, char** argv) {
  BackupArgs a;
  DrillSpec& d = a.job.drill;
  d.history = ".greenlight/history.db";
  auto duration = [](const std::string& flag, const std::string& v) {
    auto parsed = parse_duration(v);
    if (!parsed) throw UsageError(flag + ": '" + v + "' is not a duration (e.g. 26h, 90m)");
    return *parsed;
  };
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--help" || arg == "-h") a.help = true;
    else if (arg == "--db") d.source = value();
    else if (arg == "--scratch") d.scratch = value();
    else if (arg == "--artifact") d.artifact = value();
    else if (arg == "--dir") a.job.dir = value();
    else if (arg == "--backup-cmd") d.methods.backup_cmd = value();
    else if (arg == "--restore-cmd") d.methods.restore_cmd = value();
    else if (arg == "--jobs") d.methods.restore_jobs = std::stoi(value());
    else if (arg == "--timeout") d.methods.timeout = std::chrono::milliseconds(int64_t(duration(arg, value()).count() * 1000));
    else if (arg == "--volatile") d.digest.volatile_tables.insert(value());
    else if (arg == "--volatile-tolerance") d.volatile_tolerance = std::stoull(value());
    else if (arg == "--compare-rows") d.compare_rows = true;
    else if (arg == "--history") d.history = value();
    else if (arg == "--out") a.out = value();
    else if (arg == "--quiet") a.quiet = true;
    else if (arg == "--max-age") a.job.policy.max_age = std::chrono::seconds(int64_t(duration(arg, value()).count()));
    else if (arg == "--keep") a.job.policy.keep = std::stoi(value());
    else if (arg == "--rpo-column") {
      std::string v = value();
      auto dot = v.rfind('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == v.size()) throw UsageError("--rpo-column needs TABLE.COLUMN");
      d.rpo_table = v.substr(0, dot), d.rpo_column = v.substr(dot + 1);
    } else if (arg == "--threshold") {
      try {
        parse_drill_threshold(value(), d);
      } catch (const std::invalid_argument& e) {
        throw UsageError(e.what());
      }
    } else if (!arg.empty() && arg[0] == '-') throw UsageError("unknown option " + arg);
    else if (a.action.empty()) a.action = arg;
    else throw UsageError("unexpected argument " + arg);
  }
  if (a.help) return a;
  if (a.action != "drill" && a.action != "verify" && a.action != "history")
    throw UsageError(a.action.empty() ? "backup needs an action: drill, verify or history"
                                      : "unknown backup action '" + a.action + "' (drill, verify or history)");
  for (const std::string* dsn : {&d.source, &d.scratch}) {
    try {
      if (!dsn->empty()) dialect_of(*dsn);
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  if (a.action == "history") return a;
  if (d.source.empty()) throw UsageError("backup " + a.action + " needs --db DSN (the database backed up)");
  if (a.action == "verify" && a.job.dir.empty()) throw UsageError("backup verify needs --dir DIR (the backup folder)");
  if (a.action == "drill" && !a.job.dir.empty()) throw UsageError("--dir belongs to backup verify; drill takes --artifact FILE");
  if (a.action == "drill" && (a.job.policy.max_age || a.job.policy.keep))
    throw UsageError("--max-age and --keep belong to backup verify");
  return a;
}

int print_history(const BackupArgs& a) {
  DrillHistory history(a.job.drill.history);
  auto drills = history.list(50, a.job.drill.source.empty() ? "" : redact_dsn(a.job.drill.source));
  if (drills.empty()) {
    std::printf("no drills recorded in %s\n", a.job.drill.history.c_str());
    return 0;
  }
  std::printf("%-5s %-20s %-11s %9s %9s %10s  %s\n", "id", "started", "verdict", "rto", "rpo", "size", "source / backup");
  for (const DrillRecord& r : drills) {
    std::string rpo = r.rpo_s ? format_duration(Duration(*r.rpo_s)) : "-";
    std::printf("%-5lld %-20s %-11s %9s %9s %10.0f  %s  %s\n", static_cast<long long>(r.id), r.started_at.c_str(),
                r.verdict.c_str(), format_duration(Duration(r.rto_s)).c_str(), rpo.c_str(), r.size_bytes,
                r.source.c_str(), r.artifact.c_str());
    if (!r.message.empty()) std::printf("      %s\n", r.message.c_str());
  }
  return 0;
}

}  // namespace

int cmd_backup(int argc, char** argv) {
  BackupArgs a = parse_args(argc, argv);
  if (a.help) return std::fputs(kBackupUsage, stdout), 0;
  if (a.action == "history") return print_history(a);
  Redactor redactor;
  for (const std::string& dsn : {a.job.drill.source, a.job.drill.scratch}) redactor.add(dsn_password(dsn));

  install_interrupt_handler();
  a.job.drill.methods.cancel = &interrupt_flag();
  StatusLine status(StatusLine::stderr_is_tty() && !a.quiet);
  CommandRun run{"backup", "backup " + a.action, a.job.drill.source, a.out, a.quiet};
  run.started_at = iso8601_utc();
  run.start = std::chrono::steady_clock::now();
  std::vector<Check> checks = run_backup_job(a.job, [&status](const std::string& text) { status.set(text); });
  status.clear();
  run.interrupted = interrupt_flag().load();
  return finish_command_run(run, std::move(checks), redactor);
}

}  // namespace greenlight
