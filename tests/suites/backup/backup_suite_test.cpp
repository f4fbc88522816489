// The plan's `backup` section: what it accepts, and that every mistake is an
// error naming file, line and key before anything runs.
#include <catch2/catch.hpp>

#include "suites/backup/backup_suite.h"
#include "tests/support/plan_section.h"

using namespace greenlight;
using namespace greenlight::test;

TEST_CASE("a backup section parses into a drill", "[backup][plan]") {
  bool from_target = false;
  BackupJob job = parse_backup_plan(plan_section(
      "scratch: postgresql://ci@127.0.0.1/postgres\ndir: /var/backups/app\nmax_age: 26h\nkeep: 7\n"
      "volatile: [sessions]\nvolatile_tolerance: 100\nrpo_column: orders.created_at\n"
      "thresholds: ['rto<15m', 'rpo<=24h']\njobs: 4\ntimeout: 30m\n",
      "suites.backup"), &from_target);
  CHECK(from_target);
  CHECK(job.dir == "/var/backups/app");
  CHECK(job.policy.max_age == std::chrono::hours(26));
  CHECK(job.policy.keep == 7);
  CHECK(job.drill.digest.volatile_tables.count("sessions"));
  CHECK(job.drill.volatile_tolerance == 100);
  CHECK(job.drill.rpo_table == "orders");
  CHECK(job.drill.rpo_column == "created_at");
  CHECK(job.drill.max_rto_s == 900);
  CHECK(job.drill.max_rpo_s == 86400);
  CHECK(job.drill.methods.restore_jobs == 4);
  CHECK(job.drill.methods.timeout == std::chrono::minutes(30));
}

TEST_CASE("mistakes in the backup section name file, line and key", "[backup][plan]") {
  auto error = [](const std::string& yaml) {
    return plan_error([](const PlanNode& n) { parse_backup_plan(n); }, yaml, "suites.backup");
  };
  CHECK_THAT(error("scratch: 'sqlite://'\nthreshold: ['rto<1m']\n"), Catch::Contains("did you mean 'thresholds'"));
  CHECK_THAT(error("thresholds: ['rto<1m', 'rpo>1h']\n"), Catch::Contains("plan.yaml:1"));
  CHECK_THAT(error("thresholds: ['rto<soon']\n"), Catch::Contains("not a duration"));
  CHECK_THAT(error("source: 'mysql://x/y'\n"), Catch::Contains("mysql"));
  CHECK_THAT(error("max_age: 26h\n"), Catch::Contains("set dir too"));
  CHECK_THAT(error("dir: /a\nartifact: /a/x.db\n"), Catch::Contains("either dir or artifact"));
  CHECK_THAT(error("rpo_column: created_at\n"), Catch::Contains("TABLE.COLUMN"));
  CHECK_THAT(error("dir: /a\nkeep: 0\n"), Catch::Contains("at least 1"));
}
