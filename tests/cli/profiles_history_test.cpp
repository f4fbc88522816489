// Profiles, the run history and regression gates, end to end through the
// greenlight binary against a real fixture: a profile selects and resizes
// suites, every run is recorded, and a slower target fails the gate against
// the recorded baseline with both figures in the message.
#include <catch2/catch.hpp>

#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/support/command.h"
#include "tests/support/fixture_process.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.file(name);
  std::ofstream(path) << text;
  return path;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// A small plan: one smoke check, an open-model load scenario long enough
// that the gate's max_duration visibly shortens it, a drill of the fixture's
// database, and a gate of its own with a tight p99 rule.
std::string plan_text(const std::string& url, const std::string& db) {
  return "target:\n  base_url: " + url + "\n  database: sqlite://" + db +
         "\n"
         "suites:\n"
         "  smoke:\n"
         "    checks:\n"
         "      - {name: health, request: {path: /health}, expect: {status: 200}}\n"
         "  load:\n"
         "    scenarios:\n"
         "      steady:\n"
         "        executor: constant-arrival-rate\n"
         "        rate: 100\n"
         "        duration: 30s\n"
         "        connections: 4\n"
         "        requests: [{path: /health}]\n"
         "  backup: {}\n"
         "profiles:\n"
         "  gate:\n"
         "    suites: [smoke, load]\n"
         "    overrides:\n"
         "      load: {max_duration: 1s}\n"
         "    regressions:\n"
         "      - load/steady/p99 <= baseline * 1.5 + 15\n";
}

std::vector<std::string> suite_names(const nlohmann::json& report) {
  std::vector<std::string> out;
  for (auto& s : report["suites"]) out.push_back(s["name"]);
  return out;
}

}  // namespace

TEST_CASE("profiles: a plan's gate selects and resizes suites, built-in drill runs the backup only", "[cli][profiles][fixture]") {
  TempDir dir;
  FixtureProcess fx;
  std::string plan = write(dir, "plan.yaml", plan_text(fx.url(), fx.db_path()));
  std::string out = dir.file("out");

  CommandResult gate = run_greenlight({"run", plan, "--profile", "gate", "--out", out, "--revision", "abc123"});
  INFO(gate.out << gate.err);
  REQUIRE(gate.exit_code == 0);
  nlohmann::json r = read_json(out + "/greenlight.json");
  CHECK(suite_names(r) == std::vector<std::string>{"smoke", "load", "regression"});
  CHECK(r["profile"] == "gate");
  CHECK(r["revision"] == "abc123");
  CHECK(r["run_id"] == 1);
  // max_duration: 1s cut the 30 s scenario.
  CHECK(r["duration_s"].get<double>() < 15);

  CommandResult drill = run_greenlight({"run", plan, "--profile", "drill", "--out", out});
  INFO(drill.out << drill.err);
  CHECK(drill.exit_code == 0);
  r = read_json(out + "/greenlight.json");
  CHECK(suite_names(r) == std::vector<std::string>{"backup", "regression"});

  CommandResult bad = run_greenlight({"run", plan, "--profile", "gaet", "--out", out});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("did you mean 'gate'"));

  // A bad regression rule is a configuration error with the plan's line.
  std::string broken = write(dir, "broken.yaml",
                             plan_text(fx.url(), fx.db_path()) + "  custom:\n    regressions: ['load/*/p99 <= 1.1 * baseline']\n");
  CommandResult check = run_greenlight({"check", broken, "--profile", "custom"});
  CHECK(check.exit_code == 2);
  CHECK_THAT(check.err, Catch::Contains("broken.yaml:") && Catch::Contains("expected 'baseline'"));
}

TEST_CASE("regression gate: a slower target fails against the recorded baseline", "[cli][profiles][history][fixture]") {
  TempDir dir;
  FixtureProcess fx;
  std::string plan = write(dir, "plan.yaml", plan_text(fx.url(), fx.db_path()));
  std::string out = dir.file("out");
  std::string history = dir.file("runs.db");
  auto gate = [&](const std::string& rev) {
    return run_greenlight({"run", plan, "--profile", "gate", "--out", out, "--history", history, "--revision", rev,
                           "--metrics-out", out + "/run.prom"});
  };

  CommandResult first = gate("r1");
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_THAT(first.out, Catch::Contains("no passing run of profile 'gate'"));  // skipped, saying why

  CommandResult second = gate("r2");
  INFO(second.out << second.err);
  REQUIRE(second.exit_code == 0);
  nlohmann::json r = read_json(out + "/greenlight.json");
  REQUIRE(r["suites"].back()["name"] == "regression");
  CHECK(r["suites"].back()["checks"][0]["outcome"] == "passed");
  // Trends hold both recorded runs.
  bool p99_trend = false;
  for (auto& t : r["trends"])
    if (t["chart"] == "load/steady/p99") p99_trend = t["points"].size() == 2;
  CHECK(p99_trend);

  fx.set_fault("latency", "60");
  CommandResult slow = gate("r3");
  INFO(slow.out << slow.err);
  CHECK(slow.exit_code == 1);
  CHECK_THAT(slow.out, Catch::Contains("load/steady/p99 regressed") && Catch::Contains("baseline") &&
                           Catch::Contains("run #2") && Catch::Contains("revision r2"));
  // The HTML shows the trend and the failed rule; the metrics file says the run failed.
  std::ifstream html(out + "/greenlight.html");
  std::string page((std::istreambuf_iterator<char>(html)), {});
  CHECK_THAT(page, Catch::Contains("Trends") && Catch::Contains("regressed"));
  std::ifstream prom(out + "/run.prom");
  std::string metrics((std::istreambuf_iterator<char>(prom)), {});
  CHECK_THAT(metrics, Catch::Contains("greenlight_run_success{profile=\"gate\""));
  CHECK_THAT(metrics, Catch::Contains("} 0\n"));

  // The failed run is not a baseline: healthy again, the gate compares with run #2 and passes.
  fx.clear_faults();
  CommandResult healthy = gate("r4");
  INFO(healthy.out << healthy.err);
  CHECK(healthy.exit_code == 0);

  CommandResult list = run_greenlight({"history", "--history", history});
  INFO(list.err);
  REQUIRE(list.exit_code == 0);
  CHECK_THAT(list.out, Catch::Contains("r3") && Catch::Contains("failed") && Catch::Contains("r4"));
  CommandResult trend = run_greenlight({"history", "--history", history, "--trend", "load/steady/p99", "--json"});
  REQUIRE(trend.exit_code == 0);
  nlohmann::json series = nlohmann::json::parse(trend.out);
  REQUIRE(series.size() == 4);
  CHECK(series[2]["value"].get<double>() > series[1]["value"].get<double>() + 30);  // the 60 ms fault shows

  // A named baseline that does not exist stops before anything runs.
  CommandResult missing = run_greenlight({"run", plan, "--profile", "gate", "--history", history, "--baseline", "99", "--out", out});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("--baseline 99: no such run"));
  CHECK(run_greenlight({"history", "--history", dir.file("nope.db")}).exit_code == 2);
}
