// The suite registry: a plan's suite name to the builder of its section.
#include "suites/all_suites.h"

#include "suites/alerts/alerts_suite.h"
#include "suites/backup/backup_suite.h"
#include "suites/load/load_suite.h"
#include "suites/migration/migration_suite.h"
#include "suites/smoke/smoke_suite.h"

namespace greenlight {

std::vector<SuiteKind> all_suite_kinds() {
  return {
      {"smoke", [](const PlanNode& section) { return build_smoke_suite(section); }},
      {"migration", [](const PlanNode& section) { return build_migration_suite(section); }},
      {"backup", [](const PlanNode& section) { return build_backup_suite(section); }},
      {"alerts", [](const PlanNode& section) { return build_alerts_suite(section); }},
      {"load", [](const PlanNode& section) { return build_load_suite(section); }},
  };
}

}  // namespace greenlight
