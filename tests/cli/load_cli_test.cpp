// `greenlight load` from the command line: the summary, the JSON file, and
// exit codes for thresholds (1 when one fails, 2 for a malformed one).
#include <catch2/catch.hpp>

#include <csignal>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/command.h"
#include "tests/support/fixture_process.h"
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
