// The plan's `migration` section: what it accepts, and that every mistake is
// an error naming file, line and key before anything runs.
#include <catch2/catch.hpp>

#include "suites/migration/migration_suite.h"
#include "tests/support/migration_fixture.h"
#include "tests/support/plan_section.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;

TEST_CASE("a migration section with one set or several sets parses", "[migration][plan]") {
  TempDir d;
  write_files(d.file("app"), healthy_golang_migrate_set());
  write_files(d.file("audit"), healthy_golang_migrate_set());
  auto one = parse_migration_plan(plan_section(
      "dir: " + d.file("app") +
          "\nconvention: golang-migrate\nscratch: 'sqlite://'\nchecks: [lint, status]\nstrict: true\n"
          "lint: {rules: {prefer-bigint-over-int: off}}\n",
      "suites.migration"));
  REQUIRE(one.size() == 1);
  CHECK(one[0].convention == Convention::golang_migrate);
  CHECK(one[0].lint);
  CHECK(one[0].status);
  CHECK_FALSE(one[0].apply);
  CHECK(one[0].strict);
  CHECK(one[0].lint_options.severity.at("prefer-bigint-over-int") == Severity::off);

  auto two = parse_migration_plan(plan_section(
      "sets:\n  - {name: app, dir: " + d.file("app") + "}\n  - {name: audit, dir: " + d.file("audit") + ", dialect: sqlite}\n",
      "suites.migration"));
  REQUIRE(two.size() == 2);
  CHECK(two[1].name == "audit");
  CHECK(two[1].dialect == Dialect::sqlite);
  CHECK(two[0].apply);
}

TEST_CASE("mistakes in the migration section name file, line and key", "[migration][plan]") {
  TempDir d;
  write_files(d.file("app"), healthy_golang_migrate_set());
  const std::string dir = "dir: " + d.file("app") + "\n";
  auto error = [](const std::string& yaml) { return plan_error(parse_migration_plan, yaml, "suites.migration"); };
  CHECK_THAT(error(dir + "conventoin: flyway\n"), Catch::Contains("did you mean 'convention'"));
  CHECK_THAT(error(dir + "convention: liquibase\n"), Catch::Contains("unknown convention 'liquibase'"));
  CHECK_THAT(error(dir + "dialect: mysql\n"), Catch::Contains("unknown dialect 'mysql'"));
  CHECK_THAT(error("convention: flyway\n"), Catch::Contains("dir"));
  CHECK_THAT(error("dir: " + d.file("nope") + "\n"), Catch::Contains("no such directory"));
  CHECK_THAT(error(dir + "checks: [apply, migrate]\n"), Catch::Contains("unknown check 'migrate'"));
  CHECK_THAT(error(dir + "lint: {rules: {require-concurent-index-creation: off}}\n"),
             Catch::Contains("did you mean 'require-concurrent-index-creation'"));
  CHECK_THAT(error(dir + "lint: {rules: {ban-drop-table: fatal}}\n"), Catch::Contains("off, warning or error"));
  CHECK_THAT(error(dir + "scratch: 'mysql://root@db/x'\n"), Catch::Contains("plan.yaml:2"));
  CHECK_THAT(error("sets:\n  - {name: a, " + dir.substr(0, dir.size() - 1) + "}\n  - {name: a, " +
                   dir.substr(0, dir.size() - 1) + "}\n"),
             Catch::Contains("two sets are named 'a'"));
}
