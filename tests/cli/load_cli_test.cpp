// `greenlight load` from the command line: the summary, the JSON file, and
// exit codes for thresholds (1 when one fails, 2 for a malformed one).
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/command.h"
#include "tests/support/fixture_process.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"

using namespace greenlight::test;

TEST_CASE("greenlight load: summary, JSON and a passing threshold", "[cli][load][fixture]") {
  FixtureProcess fixture;
  TempDir dir;
  CommandResult r = run_greenlight({"load", fixture.url() + "/health", "--duration", "1s", "--connections", "4",
                                    "--threads", "1", "--threshold", "p(99)<2s", "--json", dir.file("load.json"),
                                    "--junit", dir.file("load.xml"), "--html", dir.file("load.html")});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("p99.9") && Catch::Contains("req/s"));
  auto j = nlohmann::json::parse(read_file(dir.file("load.json")));
  CHECK(j["requests"].get<int64_t>() > 0);
  for (const char* key : {"min", "mean", "p50", "p90", "p99", "p999", "max"}) CHECK(j["latency_ms"].contains(key));
  CHECK(j["thresholds"][0]["passed"] == true);
  CHECK_THAT(read_file(dir.file("load.xml")), Catch::Contains("p(99)&lt;2s"));
}

TEST_CASE("greenlight load: a failing threshold exits 1", "[cli][load][fixture]") {
  FixtureProcess fixture;
  fixture.set_fault("latency", "100");
  CommandResult r = run_greenlight({"load", fixture.url() + "/health", "--rate", "20", "--duration", "1s",
                                    "--threads", "1", "--threshold", "p(50)<10ms"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("FAIL") && Catch::Contains("limit <10ms"));
}

TEST_CASE("greenlight load: a malformed threshold exits 2 with the position", "[cli][load]") {
  CommandResult r = run_greenlight({"load", "http://127.0.0.1:1/", "--threshold", "p99<50ms"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--threshold: position 2:"));
  CHECK(run_greenlight({"load"}).exit_code == 2);
  CHECK(run_greenlight({"load", "https://127.0.0.1:1/"}).exit_code == 2);
}

TEST_CASE("greenlight load: Ctrl-C stops within a second and still writes the reports", "[cli][load][fixture][interrupt]") {
  FixtureProcess fixture;
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  CommandResult r = run_greenlight({"load", fixture.url() + "/health", "--rate", "200", "--duration", "30s", "--threads", "1",
                                    "--json", dir.file("load.json"), "--junit", dir.file("load.xml")},
                                   {}, [](int pid) {
                                     std::this_thread::sleep_for(std::chrono::milliseconds(1000));
                                     kill(pid, SIGINT);
                                   });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(seconds < 3);
  CHECK(r.exit_code == 1);  // an interrupted run is not a pass
  auto j = nlohmann::json::parse(read_file(dir.file("load.json")));
  CHECK(j["scenarios"][0]["interrupted"] == true);
  CHECK(j["requests"].get<int64_t>() > 100);
  CHECK_THAT(read_file(dir.file("load.xml")), Catch::Contains("<testsuite"));
}

TEST_CASE("greenlight load: a target that dies mid-run gives errors, not a hang", "[cli][load][fixture]") {
  auto fixture = std::make_unique<FixtureProcess>();
  std::string url = fixture->url() + "/health";
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  CommandResult r = run_greenlight({"load", url, "--rate", "200", "--duration", "3s", "--threads", "1", "--timeout", "1s",
                                    "--json", dir.file("load.json")},
                                   {}, [&](int) {
                                     std::this_thread::sleep_for(std::chrono::milliseconds(1000));
                                     fixture.reset();  // the target dies
                                   });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(seconds < 10);
  auto j = nlohmann::json::parse(read_file(dir.file("load.json")));
  CHECK(j["requests"].get<int64_t>() > 50);
  CHECK_FALSE(j["errors"].empty());
}

TEST_CASE("greenlight load --abort-on-fail stops a run whose threshold failed", "[cli][load][fixture][abort]") {
  FixtureProcess fixture;
  fixture.set_fault("latency", "200");
  TempDir dir;
  auto started = std::chrono::steady_clock::now();
  CommandResult r = run_greenlight({"load", fixture.url() + "/health", "--rate", "50", "--duration", "30s", "--threads", "1",
                                    "--threshold", "p(99)<50ms", "--abort-on-fail", "--junit", dir.file("load.xml"),
                                    "--json", dir.file("load.json")});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(r.out << r.err);
  CHECK(seconds < 4);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("aborted after") && Catch::Contains("threshold p(99)<50ms failed"));
  CHECK_THAT(read_file(dir.file("load.xml")), Catch::Contains("<failure"));
  auto j = nlohmann::json::parse(read_file(dir.file("load.json")));
  CHECK(j["thresholds"][0]["passed"] == false);
  CHECK_THAT(j["scenarios"][0]["aborted"].get<std::string>(), Catch::StartsWith("aborted after 1."));
  CHECK(j["scenarios"][0]["interrupted"] == false);
}

TEST_CASE("greenlight load --abort-on-fail lets a passing run finish", "[cli][load][fixture][abort]") {
  FixtureProcess fixture;
  CommandResult r = run_greenlight({"load", fixture.url() + "/health", "--rate", "50", "--duration", "2s", "--threads", "1",
                                    "--threshold", "p(99)<1s", "--threshold", "requests>=50", "--abort-on-fail"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, !Catch::Contains("aborted"));
  CHECK(run_greenlight({"load", fixture.url(), "--abort-on-fail"}).exit_code == 2);  // nothing to judge
}

TEST_CASE("greenlight load --data fills ${data:column} templates from a CSV file", "[cli][load][fixture][data]") {
  FixtureProcess fixture;
  TempDir dir;
  std::ofstream(dir.file("names.csv")) << "name\r\nann\r\nbob\r\n";
  CommandResult r = run_greenlight({"load", fixture.url() + "/api/items", "--method", "POST", "--header",
                                    "Content-Type: application/json", "--body", R"({"name": "${data:name}"})", "--data",
                                    dir.file("names.csv"), "--connections", "1", "--threads", "1", "--duration", "1s",
                                    "--threshold", "error_rate==0"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  std::string rows = sqlite_query(fixture.db_path(), "SELECT DISTINCT name FROM items ORDER BY name");
  CHECK(rows == "ann\nbob");
  CommandResult missing = run_greenlight({"load", fixture.url() + "/u/${data:email}", "--data", dir.file("names.csv")});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.err, Catch::Contains("no column 'email'"));
  CHECK(run_greenlight({"load", fixture.url() + "/u/${data:name}"}).exit_code == 2);
}
