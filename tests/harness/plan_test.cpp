// Plan loading: the documented shape loads; every kind of mistake is a
// ConfigError naming file, line and key.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "harness/config_error.h"
#include "harness/plan.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using greenlight::test::TempDir;

namespace {

std::string write_plan(const TempDir& dir, const std::string& text) {
  std::string path = dir.file("greenlight.yaml");
  std::ofstream(path) << text;
  return path;
}

std::string load_error(const std::string& text) {
  TempDir dir;
  std::string path = write_plan(dir, text);
  try {
    load_plan(path);
  } catch (const ConfigError& e) {
    return std::string(e.what()).substr(path.size());  // ":LINE: KEY: MESSAGE"
  }
  return "no error";
}

}  // namespace

TEST_CASE("the documented plan shape loads", "[plan]") {
  TempDir dir;
  std::string path = write_plan(dir, R"(target:
  base_url: http://127.0.0.1:8080/
  database: sqlite:///var/lib/app/app.db
  headers: {X-Env: staging}
suites:
  smoke:
    checks:
      - name: health
        request: {method: GET, path: /health}
        expect: {status: 200, json: {/status: ok}, max_latency: 500ms}
)");
  Plan plan = load_plan(path);
  CHECK(plan.target.base_url == "http://127.0.0.1:8080");
  CHECK(plan.target.database == "sqlite:///var/lib/app/app.db");
  REQUIRE(plan.target.headers.size() == 1);
  CHECK(plan.target.headers[0].second == "staging");
  REQUIRE(plan.suites.size() == 1);
  CHECK(plan.suites[0].first == "smoke");
  CHECK(plan.suites[0].second.line() == 7);
}

TEST_CASE("a typo'd key names file, line and key and suggests the right one", "[plan]") {
  CHECK(load_error("target:\n  base_url: http://x\n  databse: sqlite:///a.db\nsuites: {smoke: {}}\n") ==
        ":3: target.databse: unknown key 'databse' (did you mean 'database'?)");
  CHECK(load_error("targt:\n  base_url: http://x\nsuites: {}\n") == ":1: targt: unknown key 'targt' (did you mean 'target'?)");
}

TEST_CASE("a list or a map as a key is a config error at the key, not a yaml-cpp exception (fuzz/regressions/plan)", "[plan]") {
  CHECK(load_error("target: {base_url: http://x}\n[a, b]: 1\nsuites: {smoke: {}}\n") ==
        ":2: a key must be a single value, not a list or a map");
  CHECK(load_error("target: {base_url: http://x}\nsuites:\n  ? {smoke: 1}\n  : {}\n") ==
        ":3: suites: a key must be a single value, not a list or a map");
}

TEST_CASE("invalid YAML gives the line of the syntax error", "[plan]") {
  std::string e = load_error("target:\n  base_url: http://x\nsuites:\n  smoke: [unclosed\n");
  CHECK(e.rfind(":5: invalid YAML", 0) == 0);
}

TEST_CASE("missing sections and bad values are named", "[plan]") {
  CHECK(load_error("suites: {smoke: {}}\n") == ":1: missing required key 'target'");
  CHECK(load_error("target: {base_url: ftp://x}\nsuites: {smoke: {}}\n") == ":1: target.base_url: must start with http:// or https://");
  CHECK(load_error("target: {base_url: http://x, database: mysql://x}\nsuites: {smoke: {}}\n") ==
        ":1: target.database: must be a DSN starting with sqlite:// or postgresql://");
  CHECK(load_error("target: {base_url: http://x}\ndeadline: soon\nsuites: {smoke: {}}\n") ==
        ":2: deadline: expected a duration such as 500ms, 2s or 1m, got 'soon'");
  CHECK(load_error("") == ":1: the plan is empty: it needs 'target' and 'suites'");
}

TEST_CASE("a missing plan file is a config error", "[plan]") {
  CHECK_THROWS_AS(load_plan("/nonexistent/greenlight.yaml"), ConfigError);
}

TEST_CASE("env:NAME values are expanded and registered as secrets", "[plan][secrets]") {
  setenv("GL_TEST_DB_PASSWORD", "s3cr3t-pw", 1);
  TempDir dir;
  std::string path = write_plan(dir, "target:\n  base_url: http://127.0.0.1:1\n  database: postgresql://app:${env:GL_TEST_DB_PASSWORD}@127.0.0.1/app\nsuites: {smoke: {}}\n");
  Plan plan = load_plan(path);
  CHECK(plan.target.database == "postgresql://app:s3cr3t-pw@127.0.0.1/app");
  CHECK(plan.redactor->redact("connecting with s3cr3t-pw") == "connecting with [redacted]");
}

TEST_CASE("an unset environment variable is a config error naming it", "[plan][secrets]") {
  unsetenv("GL_TEST_UNSET");
  CHECK(load_error("target: {base_url: 'http://x/${env:GL_TEST_UNSET}'}\nsuites: {smoke: {}}\n") ==
        ":1: target.base_url: environment variable GL_TEST_UNSET is not set");
}

TEST_CASE("var:NAME values come from vars: and are overridden by --var", "[plan]") {
  TempDir dir;
  std::string path = write_plan(dir, "vars: {host: 'http://127.0.0.1:1'}\ntarget: {base_url: '${var:host}'}\nsuites: {smoke: {}}\n");
  CHECK(load_plan(path).target.base_url == "http://127.0.0.1:1");
  PlanOverrides o;
  o.vars["host"] = "http://127.0.0.1:2";
  CHECK(load_plan(path, o).target.base_url == "http://127.0.0.1:2");
  CHECK(load_error("target: {base_url: '${var:nope}'}\nsuites: {smoke: {}}\n") ==
        ":1: target.base_url: variable nope is not defined (plan 'vars:' or --var)");
}

TEST_CASE("the --target-url option replaces the plan's base URL", "[plan]") {
  TempDir dir;
  std::string path = write_plan(dir, "target: {base_url: 'http://127.0.0.1:1'}\nsuites: {smoke: {}}\n");
  PlanOverrides o;
  o.target_url = "https://staging.example.com/";
  CHECK(load_plan(path, o).target.base_url == "https://staging.example.com");
}
