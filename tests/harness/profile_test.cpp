// Profiles: lookup (plan first, then built-in), suite selection, the deep
// merge of overrides keeping file positions, and errors with their lines.
#include <catch2/catch.hpp>

#include <fstream>

#include "harness/config_error.h"
#include "harness/profile.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using greenlight::test::TempDir;

namespace {

const char* kPlan = R"(target: {base_url: http://127.0.0.1:8080}
suites:
  smoke: {checks: []}
  load:
    scenarios: {steady: {rate: 10}}
    capacity: {slos: ["p(99)<50ms"]}
  backup: {thresholds: ["rto<1m"]}
profiles:
  quick:
    suites: [load]
    overrides:
      load: {max_duration: 2s, scenarios: {steady: {rate: 20}}}
    regressions: ["load/*/p99 <= baseline * 1.1"]
  typo:
    suites: [smok]
)";

Plan load(const TempDir& dir) {
  std::string path = dir.file("plan.yaml");
  std::ofstream(path) << kPlan;
  return load_plan(path);
}

std::vector<std::string> names(const Plan& p) {
  std::vector<std::string> out;
  for (auto& [n, _] : p.suites) out.push_back(n);
  return out;
}

}  // namespace

TEST_CASE("a plan profile selects suites and deep-merges its overrides", "[profile]") {
  TempDir dir;
  Plan plan = load(dir);
  Profile p = apply_profile(plan, "quick");
  CHECK(names(plan) == std::vector<std::string>{"load"});
  const PlanNode& load = plan.suites[0].second;
  CHECK(load.at("max_duration").str() == "2s");
  CHECK(load.at("scenarios").at("steady").at("rate").integer() == 20);     // replaced
  CHECK(load.at("capacity").at("slos").items().size() == 1);             // kept from the plan
  CHECK(load.at("scenarios").at("steady").at("rate").line() == 12);      // the override's own line
  CHECK(load.at("capacity").line() == 6);
  CHECK(p.regressions == std::vector<std::string>{"load/*/p99 <= baseline * 1.1"});
  CHECK(p.regressions_lines == std::vector<int>{13});
}

TEST_CASE("built-in profiles: gate shortens load and turns live alerts off, drill keeps backup only", "[profile]") {
  TempDir dir;
  Plan gate_plan = load(dir);
  Profile gate = apply_profile(gate_plan, "gate");
  CHECK(gate.builtin);
  CHECK(names(gate_plan) == std::vector<std::string>{"smoke", "load"});  // no migration or alerts in this plan
  CHECK(gate_plan.suites[1].second.at("max_duration").str() == "10s");
  CHECK(gate_plan.suites[1].second.at("parts").items()[0].str() == "scenarios");

  Plan drill_plan = load(dir);
  apply_profile(drill_plan, "drill");
  CHECK(names(drill_plan) == std::vector<std::string>{"backup"});
  Plan capacity_plan = load(dir);
  apply_profile(capacity_plan, "capacity");
  CHECK(capacity_plan.suites[0].second.at("parts").items()[0].str() == "capacity");
}

TEST_CASE("profile errors: unknown name with a hint, a suite the plan lacks with its line", "[profile]") {
  TempDir dir;
  Plan plan = load(dir);
  CHECK_THROWS_WITH(apply_profile(plan, "gaet"), Catch::Contains("did you mean 'gate'") && Catch::Contains("quick"));
  Plan again = load(dir);
  CHECK_THROWS_WITH(apply_profile(again, "typo"), Catch::Contains("plan.yaml:15") && Catch::Contains("did you mean 'smoke'"));
  CHECK_THROWS_AS(check_profiles(load(dir)), ConfigError);
}

TEST_CASE("merge_yaml: maps merge key by key, anything else replaces", "[profile]") {
  YAML::Node base = YAML::Load("{a: 1, m: {x: 1, y: [1, 2]}, l: [1]}");
  YAML::Node over = YAML::Load("{m: {y: [3], z: 4}, l: [9, 9], n: new}");
  YAML::Node m = merge_yaml(base, over);
  CHECK(m["a"].as<int>() == 1);
  CHECK(m["m"]["x"].as<int>() == 1);
  CHECK(m["m"]["y"].size() == 1);
  CHECK(m["m"]["z"].as<int>() == 4);
  CHECK(m["l"].size() == 2);
  CHECK(m["n"].as<std::string>() == "new");
  CHECK(base["m"]["y"].size() == 2);  // inputs untouched
  // A list as a key: a ConfigError, not yaml-cpp's bad conversion.
  CHECK_THROWS_AS(merge_yaml(YAML::Load("{[a]: 1}"), YAML::Load("{b: 2}")), ConfigError);
  CHECK_THROWS_AS(merge_yaml(YAML::Load("{a: 1}"), YAML::Load("{? {b: 1} : 2}")), ConfigError);
}
