// The plan's `alerts` section, and the suite run on the demo rules: lint and
// unit tests pass, a broken expectation fails naming the test, and without a
// Prometheus the live checks say they were skipped and why.
#include <catch2/catch.hpp>

#include <fstream>

#include "suites/alerts/alerts_suite.h"
#include "tests/support/plan_section.h"
#include "tests/support/checks.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

const std::string kDemo = SOURCE_DIR "/fixtures/demo/rules";

}  // namespace

TEST_CASE("an alerts section parses with globs and lint settings", "[alerts][plan]") {
  bool from_target = false;
  AlertsJob job = parse_alerts_plan(
      plan_section("rules: ['" + kDemo + "/*.rules.yml']\ntests: '" + kDemo + "/*.test.yml'\nstrict: true\n"
                   "lint: {required_annotations: [summary, runbook_url], scrape_interval: 15s}\n"
                   "gate_severities: [critical]\nsemantics: v3\n",
                   "suites.alerts"),
      &from_target);
  CHECK(from_target);
  REQUIRE(job.rule_files.size() == 1);
  CHECK(job.rule_files[0] == kDemo + "/app.rules.yml");
  REQUIRE(job.test_files.size() == 1);
  CHECK(job.strict);
  CHECK(job.lint.scrape_interval_ms == 15000);
  CHECK(job.lint.required_annotations.size() == 2);
  CHECK(job.unit.semantics_v3);
}

TEST_CASE("mistakes in the alerts section name file, line and key", "[alerts][plan]") {
  auto error = [](const std::string& yaml) {
    return plan_error([](const PlanNode& n) { parse_alerts_plan(n); }, yaml, "suites.alerts");
  };
  CHECK_THAT(error("strict: true\n"), Catch::Contains("give rule files"));
  CHECK_THAT(error("rules: [a.yml]\ntest: [b.yml]\n"), Catch::Contains("did you mean 'tests'"));
  CHECK_THAT(error("rules: [a.yml]\nsemantics: v4\n"), Catch::Contains("v2 or v3"));
  CHECK_THAT(error("rules: [a.yml]\nlint: {levels: {no-such-lint: off}}\n"), Catch::Contains("no-such-lint"));
}

TEST_CASE("the demo rules pass lint and unit tests and a broken expectation fails", "[alerts]") {
  AlertsJob job;
  job.rule_files = {kDemo + "/app.rules.yml"};
  job.test_files = {kDemo + "/app.rules.test.yml"};
  auto checks = run_alerts_job(job);
  CHECK(failures(checks) == "");
  CHECK(checks.size() > 10);

  TempDir d;
  std::ifstream in(kDemo + "/app.rules.test.yml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.replace(text.find("- app.rules.yml"), 15, "- " + kDemo + "/app.rules.yml");
  text.replace(text.find("holds 350 jobs"), 14, "holds 349 jobs");
  std::ofstream(d.file("bad.test.yml")) << text;
  job.test_files = {d.file("bad.test.yml")};
  std::string f = failures(run_alerts_job(job));
  CHECK_THAT(f, Catch::Contains("a queue backlog names the queue"));
  CHECK_THAT(f, Catch::Contains("annotation summary: expected \"queue email holds 349 jobs\" got \"queue email holds 350 jobs\""));
}
