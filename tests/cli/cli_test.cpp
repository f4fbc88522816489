// The greenlight command line end to end: exit codes (0 passed, 1 a check
// failed, 2 usage or configuration error), messages, reports on disk,
// secrets kept out of every output, and Ctrl-C.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>
#include <thread>

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

std::string plan_for(const std::string& url, const std::string& checks) {
  return "target:\n  base_url: " + url + "\nsuites:\n  smoke:\n    checks:\n" + checks;
}

}  // namespace

TEST_CASE("version and help options exit 0", "[cli]") {
  CommandResult v = run_greenlight({"--version"});
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.out, Catch::StartsWith("greenlight 0."));
  CHECK(run_greenlight({"--help"}).exit_code == 0);
  CommandResult rh = run_greenlight({"run", "--help"});
  CHECK(rh.exit_code == 0);
  CHECK_THAT(rh.out, Catch::Contains("--target-url"));
  CHECK(run_greenlight({"check", "--help"}).exit_code == 0);
}

TEST_CASE("usage errors exit 2 with a message", "[cli]") {
  CommandResult none = run_greenlight({});
  CHECK(none.exit_code == 2);
  CommandResult bad = run_greenlight({"frobnicate"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("unknown command 'frobnicate'"));
  CommandResult opt = run_greenlight({"run", "plan.yaml", "--colour"});
  CHECK(opt.exit_code == 2);
  CHECK_THAT(opt.err, Catch::Contains("unknown option --colour"));
  CHECK(run_greenlight({"run"}).exit_code == 2);
}

TEST_CASE("check: a valid plan exits 0, a typo exits 2 with file:line:key", "[cli]") {
  TempDir dir;
  std::string good = write(dir, "good.yaml", plan_for("http://127.0.0.1:1", "      - {name: h, request: {path: /health}}\n"));
  CHECK(run_greenlight({"check", good}).exit_code == 0);
  std::string typo = write(dir, "typo.yaml", plan_for("http://127.0.0.1:1", "      - name: h\n        request: {path: /health}\n        expect: {max_latancy: 1s}\n"));
  CommandResult r = run_greenlight({"check", typo});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains(typo + ":8: suites.smoke.checks[0].expect.max_latancy: unknown key 'max_latancy' (did you mean 'max_latency'?)"));
  std::string invalid = write(dir, "invalid.yaml", "target: [\n");
  CommandResult i = run_greenlight({"check", invalid});
  CHECK(i.exit_code == 2);
  CHECK_THAT(i.err, Catch::Contains(invalid + ":2: invalid YAML"));
  CommandResult suite = run_greenlight({"run", good, "--suite", "smok"});
  CHECK(suite.exit_code == 2);
  CHECK_THAT(suite.err, Catch::Contains("did you mean 'smoke'?"));
}

TEST_CASE("run: exit 0 on a healthy target, 1 on a failing one, reports written", "[cli][fixture]") {
  FixtureProcess fixture;
  TempDir dir;
  std::string plan = write(dir, "plan.yaml", plan_for(fixture.url(), "      - {name: health, request: {path: /health}, expect: {status: 200, json: {/status: ok}}}\n"));
  std::string out = dir.file("reports");
  CommandResult ok = run_greenlight({"run", plan, "--out", out});
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("PASSED: 1 passed, 0 failed"));
  auto json = nlohmann::json::parse(read_file(out + "/greenlight.json"));
  CHECK(json["verdict"] == "passed");

  fixture.set_fault("health-500");
  CommandResult bad = run_greenlight({"run", plan, "--out", out});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.out, Catch::Contains("status 500, expected 200"));
  CHECK(nlohmann::json::parse(read_file(out + "/greenlight.json"))["verdict"] == "failed");
  CHECK_THAT(read_file(out + "/greenlight.junit.xml"), Catch::Contains("<failure"));
}

TEST_CASE("run --target-url verifies another deployment with the same plan", "[cli][fixture]") {
  FixtureProcess fixture;
  TempDir dir;
  std::string plan = write(dir, "plan.yaml", plan_for("http://127.0.0.1:1", "      - {name: health, request: {path: /health}}\n"));
  CHECK(run_greenlight({"run", plan, "--out", dir.path(), "--target-url", fixture.url()}).exit_code == 0);
  CommandResult unreachable = run_greenlight({"run", plan, "--out", dir.path()});
  CHECK(unreachable.exit_code == 1);
  CHECK_THAT(unreachable.out, Catch::Contains("cannot connect"));
}

TEST_CASE("a hostile body is escaped in the HTML report", "[cli][fixture][html]") {
  FixtureProcess fixture;
  TempDir dir;
  std::string plan = write(dir, "plan.yaml", plan_for(fixture.url(),
      "      - {name: echo, request: {path: \"/echo?body=%3Cscript%3Ealert(1)%3C/script%3E\"}, expect: {body: {contains: nothing}}}\n"));
  CommandResult r = run_greenlight({"run", plan, "--out", dir.path()});
  CHECK(r.exit_code == 1);
  std::string html = read_file(dir.file("greenlight.html"));
  CHECK_THAT(html, Catch::Contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK_THAT(html, !Catch::Contains("<script>alert(1)"));
}

TEST_CASE("secrets from the environment, DSNs and captures appear in no output, report or history", "[cli][fixture][secrets]") {
  FixtureProcess fixture;
  // The password as an ${env:...} in the DSN's user info, and written out in its query string.
  for (std::string dsn : {std::string("postgresql://app:${env:GL_DB_PASSWORD}@127.0.0.1:1/app"),
                          std::string("postgresql://app@127.0.0.1:1/app?connect_timeout=2&password=pg-pass-0451")}) {
    INFO(dsn);
    TempDir dir;
    std::string plan = write(dir, "plan.yaml", "target:\n  base_url: " + fixture.url() +
        "\n  database: " + dsn + "\n  headers: {X-Api-Key: '${env:GL_API_TOKEN}'}\n"
        "suites:\n  smoke:\n    checks:\n"
        "      - {name: echo-token, request: {path: '/echo?body=${env:GL_API_TOKEN}'}, expect: {status: 500}}\n"
        "      - {name: login, request: {method: POST, path: /api/login, json: {user: demo, password: demo}}, capture: {token: {json: /token}}}\n"
        "      - {name: me, request: {path: /api/me, headers: {Authorization: 'Bearer ${capture:token}'}}, expect: {status: 418}}\n"
        "      - {name: db, request: {method: POST, path: /webhook, json: {event_id: x}}, idempotency: {count_query: 'select 1'}}\n");
    std::map<std::string, std::string> env = {{"GL_DB_PASSWORD", "pg-pass-0451"}, {"GL_API_TOKEN", "tok-7f3a9c2e"}};
    CommandResult r = run_greenlight({"run", plan, "--out", dir.path(), "--metrics-out", dir.file("run.prom")}, env);
    CHECK(r.exit_code == 1);
    // Every output, the run history (SQLite, read as bytes) and the metrics file.
    std::vector<std::string> outputs = {r.out, r.err, read_file(dir.file("greenlight.json")),
                                        read_file(dir.file("greenlight.junit.xml")),
                                        read_file(dir.file("greenlight.html")), read_file(dir.file("history.db")),
                                        read_file(dir.file("run.prom"))};
    for (size_t i = 2; i < outputs.size(); ++i) REQUIRE_FALSE(outputs[i].empty());  // each file was written
    for (const std::string& o : outputs) {
      CHECK_THAT(o, !Catch::Contains("pg-pass-0451"));
      CHECK_THAT(o, !Catch::Contains("tok-7f3a9c2e"));
    }
    CHECK_THAT(outputs[2], Catch::Contains("[redacted]"));
    // The captured session token (32 hex characters) never appears either.
    auto json = nlohmann::json::parse(outputs[2]);
    for (const auto& suite : json["suites"])
      for (const auto& check : suite["checks"])
        for (const auto& e : check["evidence"]) {
          std::string text = e["text"];
          CHECK_THAT(text, !Catch::Matches(".*\"token\"\\s*:\\s*\"[0-9a-f]{32}\".*", Catch::CaseSensitive::Yes));
        }
  }
}

TEST_CASE("Ctrl-C stops the run and still writes the reports", "[cli][fixture][interrupt]") {
  FixtureProcess fixture;
  TempDir dir;
  std::string plan = write(dir, "plan.yaml", plan_for(fixture.url(),
      "      - {name: quick, request: {path: /health}}\n      - {name: slow, request: {path: \"/slow?ms=20000\", timeout: 30s}}\n"));
  auto started = std::chrono::steady_clock::now();
  CommandResult r = run_greenlight({"run", plan, "--out", dir.path()}, {}, [](int pid) {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    kill(pid, SIGINT);
  });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  CHECK(seconds < 5);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("INTERRUPTED"));
  auto json = nlohmann::json::parse(read_file(dir.file("greenlight.json")));
  CHECK(json["interrupted"] == true);
  CHECK(json["suites"][0]["checks"][0]["outcome"] == "passed");
  CHECK(json["suites"][0]["checks"][1]["outcome"] == "skipped");
}
