// The demo's alert rules and their unit tests (fixtures/demo/rules/) with
// greenlight and with promtool 2.42 (Debian's prometheus package): both load
// the rules without error and pass the tests; and with the backup-age
// threshold moved from 35 to 30 days, both fail the test that says a 34-day-old
// drill stays quiet, so the test really pins the threshold.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "suites/alerts/rule_lint.h"
#include "suites/alerts/unit_test_run.h"
#include "tests/support/checks.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;
namespace fs = std::filesystem;

namespace {

const std::string kRules = SOURCE_DIR "/fixtures/demo/rules";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("the demo rules load and pass their unit tests in greenlight and in promtool", "[alerts][demo][promtool]") {
  RuleFile file = load_rule_file(kRules + "/app.rules.yml");
  LintConfig lint;
  lint.required_annotations = {"summary", "runbook_url"};  // as the demo plan asks
  lint.scrape_interval_ms = 15'000;
  std::string findings;
  for (const auto& f : lint_rule_file(file, lint)) findings += format_rule_finding(f) + "\n";
  CHECK(findings == "");

  std::vector<Check> checks = run_unit_test_file(kRules + "/app.rules.test.yml");
  CHECK(failures(checks) == "");
  int backup_entries = 0;
  for (const auto& c : checks) backup_entries += c.name.find("alert AppBackupDrillTooOld") != std::string::npos;
  CHECK(backup_entries == 6);

  ToolResult check = run_tool("promtool", {"check", "rules", kRules + "/app.rules.yml"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  ToolResult test = run_tool("promtool", {"test", "rules", kRules + "/app.rules.test.yml"});
  INFO(test.out << test.err);
  CHECK(test.exit_code == 0);
}

TEST_CASE("a backup-age threshold of 30 days fails the demo's 34-day test in both tools", "[alerts][demo][promtool]") {
  TempDir dir;
  std::string rules = slurp(kRules + "/app.rules.yml");
  const std::string threshold = "> 35 * 86400";
  REQUIRE(rules.find(threshold) != std::string::npos);
  rules.replace(rules.find(threshold), threshold.size(), "> 30 * 86400");
  std::ofstream(dir.file("app.rules.yml")) << rules;
  fs::copy_file(kRules + "/app.rules.test.yml", dir.file("app.rules.test.yml"));

  std::string f = failures(run_unit_test_file(dir.file("app.rules.test.yml")));
  CHECK_THAT(f, Catch::Contains("a restore drill 34 days old stays quiet, and a new drill resolves an old one: "
                                "alert AppBackupDrillTooOld at 1h30m"));
  CHECK_THAT(f, Catch::Contains("target=\"app\""));

  ToolResult test = run_tool("promtool", {"test", "rules", dir.file("app.rules.test.yml")});
  INFO(test.out << test.err);
  CHECK(test.exit_code == 1);
  CHECK_THAT(test.err, Catch::Contains("alertname: AppBackupDrillTooOld, time: 1h30m"));
}
