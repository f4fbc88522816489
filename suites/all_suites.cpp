// The suite registry. Suites not built yet are known by name so that a plan
// naming them is valid, and they report themselves skipped with the reason,
// never passed.
#include "suites/all_suites.h"

#include "harness/version.h"
#include "suites/backup/backup_suite.h"
#include "suites/load/load_suite.h"
#include "suites/migration/migration_suite.h"
#include "suites/smoke/smoke_suite.h"

namespace greenlight {

namespace {

class NotYetBuilt : public Suite {
 public:
  explicit NotYetBuilt(std::string name) : name_(std::move(name)) {}
  SuiteResult run(const SuiteContext&) override {
    SuiteResult r;
    r.checks.push_back({name_, Outcome::skipped,
                        std::string("skipped, because the ") + name_ + " suite is not part of greenlight " + kVersion +
                            " yet: nothing was verified"});
    return r;
  }

 private:
  std::string name_;
};

SuiteKind planned(const std::string& name) {
  return {name, [name](const PlanNode&) { return std::make_unique<NotYetBuilt>(name); }};
}

}  // namespace

std::vector<SuiteKind> all_suite_kinds() {
  return {
      {"smoke", [](const PlanNode& section) { return build_smoke_suite(section); }},
      {"migration", [](const PlanNode& section) { return build_migration_suite(section); }},
      {"backup", [](const PlanNode& section) { return build_backup_suite(section); }},
      planned("alerts"),
      {"load", [](const PlanNode& section) { return build_load_suite(section); }},
  };
}

}  // namespace greenlight
