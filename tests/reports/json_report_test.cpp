// JSON report: parses back, has every documented field in docs/report-json.md,
// and survives evidence that is not valid UTF-8.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "reports/reports.h"
#include "sample_load_run.h"
#include "sample_run.h"

using namespace greenlight;
using namespace greenlight::test;
using nlohmann::json;

TEST_CASE("JSON report round-trips with the documented top-level fields") {
  std::string text;
  REQUIRE_NOTHROW(text = json_report(sample_run()));
  json j = json::parse(text);  // throws, failing the test, if not valid JSON/UTF-8
  CHECK(j["schema_version"] == 1);
  CHECK(j["tool"] == "greenlight");
  CHECK(j["version"] == "0.1.0-test");
  CHECK(j["plan"] == "plans/shop.yaml");
  CHECK(j["target"] == "https://shop.example.com/?q=<b>&x='y'");
  CHECK(j["started_at"] == "2026-11-21T23:14:58Z");
  CHECK(j["duration_s"].get<double>() == Approx(3.25));
  CHECK(j["verdict"] == "failed");
  CHECK(j["interrupted"] == false);
  CHECK(j["counts"] == json{{"passed", 3}, {"failed", 1}, {"skipped", 1}, {"error", 1}, {"total", 6}});
  REQUIRE(j["suites"].size() == 2);
  // The documented key order, so diffs of two reports line up.
  CHECK(text.rfind("{\n  \"schema_version\": 1,\n  \"tool\": \"greenlight\",", 0) == 0);
}

TEST_CASE("JSON report holds suites, checks, evidence and figures") {
  json j = json::parse(json_report(sample_run()));
  const json& smoke = j["suites"][0];
  CHECK(smoke["name"] == "smoke");
  CHECK(smoke["duration_s"].get<double>() == Approx(1.5));
  CHECK(smoke["counts"] == json{{"passed", 2}, {"failed", 1}, {"skipped", 1}, {"error", 0}, {"total", 4}});
  REQUIRE(smoke["checks"].size() == 4);

  const json& health = smoke["checks"][0];
  CHECK(health["name"] == "health endpoint answers");
  CHECK(health["outcome"] == "passed");
  CHECK(health["message"] == "");
  CHECK(health["duration_s"].get<double>() == Approx(0.013).margin(0.0011));
  CHECK(health["evidence"] == json::array({json{{"label", "request"}, {"text", "GET /health"}},
                                           json{{"label", "response"}, {"text", "200 OK"}}}));
  CHECK(health["figures"][0] == json{{"name", "latency"}, {"value", 12.5}, {"unit", "ms"}});
  CHECK(health["figures"][1] == json{{"name", "body_bytes"}, {"value", 41}, {"unit", "bytes"}});

  const json& login = smoke["checks"][1];
  CHECK(login["outcome"] == "failed");
  CHECK(login["message"] == kFailMessage);
  CHECK(login["evidence"][1]["label"] == "response");

  CHECK(smoke["checks"][2]["outcome"] == "skipped");
  CHECK(smoke["checks"][2]["message"] == "skipped: the target is plain http, no certificate to check");
  CHECK(smoke["checks"][2]["evidence"] == json::array());
  CHECK(smoke["checks"][2]["figures"] == json::array());

  const json& db = j["suites"][1];
  CHECK(db["checks"][0]["outcome"] == "error");
  // JSON has no NaN: a reading that is not a number is null.
  CHECK(db["checks"][1]["figures"][1]["value"].is_null());
  CHECK(db["checks"][1]["figures"][0] == json{{"name", "pool_size"}, {"value", 20}, {"unit", ""}});
}

TEST_CASE("JSON report keeps hostile evidence as data and repairs invalid UTF-8") {
  json j = json::parse(json_report(sample_run()));
  std::string body = j["suites"][0]["checks"][1]["evidence"][1]["text"];
  // JSON needs no markup escaping: the text comes back exactly, controls included.
  CHECK(body.find("<script>alert(1)</script>") != std::string::npos);
  CHECK(body.find("]]> & \"quoted\" 'single'") != std::string::npos);
  CHECK(body.find(std::string("ctl:\x01\x02\x1b[31m") + std::string(1, '\0') + "end") != std::string::npos);
  CHECK(body.find("ok: caf\xc3\xa9 \xe2\x9c\x93") != std::string::npos);
  // Each invalid byte became U+FFFD instead of an exception.
  CHECK(body.find("bad utf8: \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd(") != std::string::npos);
  CHECK(body.find('\xff') == std::string::npos);
}

TEST_CASE("JSON report of an interrupted run and of an empty run") {
  RunResult run = sample_run();
  run.interrupted = true;
  json j = json::parse(json_report(run));
  CHECK(j["verdict"] == "interrupted");
  CHECK(j["interrupted"] == true);

  RunResult empty;
  empty.tool_version = "0.1.0";
  json e = json::parse(json_report(empty));
  CHECK(e["verdict"] == "passed");
  CHECK(e["suites"] == json::array());
  CHECK(e["counts"]["total"] == 0);
}

TEST_CASE("JSON report round-trips series, every point kept") {
  RunResult run = sample_load_run();
  json j = json::parse(json_report(run));
  for (size_t c = 0; c < run.suites[0].checks.size(); ++c) {
    const Check& k = run.suites[0].checks[c];
    const json& series = j["suites"][0]["checks"][c]["series"];
    REQUIRE(series.size() == k.series.size());
    for (size_t i = 0; i < k.series.size(); ++i) {
      const Series& s = k.series[i];
      INFO(k.name << " / " << s.chart << " / " << s.name);
      CHECK(series[i]["chart"] == s.chart);
      CHECK(series[i]["name"] == s.name);
      CHECK(series[i]["x_unit"] == s.x_unit);
      CHECK(series[i]["y_unit"] == s.y_unit);
      CHECK(series[i]["log_x"] == s.log_x);
      // Exactly, not approximately: the HTML thins points out, the JSON does not.
      CHECK(series[i]["points"].get<std::vector<std::pair<double, double>>>() == s.points);
    }
  }
  const json& spectrum = j["suites"][0]["checks"][1]["series"][5];
  CHECK(spectrum["log_x"] == true);
  CHECK(spectrum["points"][6] == json::array({99.9, 590}));
}

TEST_CASE("JSON series in the documented key order with one point per line and null for non-numbers") {
  RunResult run = sample_load_run();
  Check& capacity = run.suites[0].checks[2];
  capacity.series[0].points.push_back({std::numeric_limits<double>::quiet_NaN(), 12.5});
  capacity.series[0].points.push_back({1800, std::numeric_limits<double>::infinity()});
  std::string text = json_report(run);
  CHECK(text.find("\"figures\": [\n") != std::string::npos);
  CHECK(text.find(R"(          "series": [
            {
              "chart": "throughput vs latency",
              "name": "p99",
              "x_unit": "req/s",
              "y_unit": "ms",
              "log_x": false,
              "points": [
                [200.0, 11.8],
                [400.0, 12.9],)") != std::string::npos);
  CHECK(text.find("[null, 12.5],\n") != std::string::npos);
  CHECK(text.find("[1800.0, null]\n") != std::string::npos);
  json j = json::parse(text);
  const json& points = j["suites"][0]["checks"][2]["series"][0]["points"];
  CHECK(points[10] == json::array({nullptr, 12.5}));
  CHECK(points[11] == json::array({1800, nullptr}));

  // A check without series has an empty array, like evidence and figures.
  json plain = json::parse(json_report(sample_run()));
  CHECK(plain["suites"][0]["checks"][0]["series"] == json::array());
}

TEST_CASE("JSON keeps evidence that looks like a point as text") {
  RunResult run = sample_run();
  run.suites[0].checks[0].evidence = {{"response", "[\n  1,\n  2\n]"}};
  run.suites[0].checks[0].series = {Series{"c", "[\n 3,\n 4\n]", "", "", false, {{1, 2}}}};
  std::string text = json_report(run);
  json j = json::parse(text);
  CHECK(j["suites"][0]["checks"][0]["evidence"][0]["text"] == "[\n  1,\n  2\n]");
  CHECK(j["suites"][0]["checks"][0]["series"][0]["name"] == "[\n 3,\n 4\n]");
  CHECK(j["suites"][0]["checks"][0]["series"][0]["points"] == json::array({json::array({1, 2})}));
}
