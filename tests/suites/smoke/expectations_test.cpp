// Expectations judged on constructed responses: each kind holds on a good
// response and fails on a bad one with a message naming what differed.
#include <catch2/catch.hpp>

#include "tests/support/plan_section.h"
#include "suites/smoke/expectations.h"

using namespace greenlight;

namespace {

Expectations expect_from(const std::string& yaml) {
  std::string plan = "checks: [{name: x, request: {path: /}, expect: " + yaml + "}]";
  return parse_smoke_plan(test::plan_section(plan, "suites.smoke")).checks[0].expect;
}

HttpResponse response(long status, std::string body, Headers headers = {{"Content-Type", "application/json"}}) {
  HttpResponse r;
  r.ok = true;
  r.status = status;
  r.body = std::move(body);
  r.size = r.body.size();
  r.headers = std::move(headers);
  r.seconds = 0.012;
  r.effective_url = "http://127.0.0.1/x";
  return r;
}

std::vector<std::string> failures(const std::string& yaml, const HttpResponse& r) { return judge(expect_from(yaml), r).failures; }

}  // namespace

TEST_CASE("status: exact, list, class and the 2xx default", "[smoke][expect]") {
  CHECK(failures("{status: 200}", response(200, "{}")).empty());
  CHECK(failures("{status: 200}", response(503, "{}")) == std::vector<std::string>{"status 503, expected 200"});
  CHECK(failures("{status: [200, 204]}", response(204, "")).empty());
  CHECK(failures("{status: 4xx}", response(404, "")).empty());
  CHECK(failures("{}", response(500, "")) == std::vector<std::string>{"status 500, expected 2xx"});
}

TEST_CASE("headers: present, absent, equals, matches", "[smoke][expect]") {
  HttpResponse r = response(200, "{}", {{"Content-Type", "application/json; charset=utf-8"}, {"X-Frame-Options", "DENY"}});
  CHECK(failures("{headers: {X-Frame-Options: DENY, Content-Type: {matches: '^application/json'}, Server: {absent: true}}}", r).empty());
  CHECK(failures("{headers: {X-Frame-Options: SAMEORIGIN}}", r) ==
        std::vector<std::string>{"header X-Frame-Options is 'DENY', expected 'SAMEORIGIN'"});
  CHECK(failures("{headers: {X-Request-Id: {present: true}}}", r) == std::vector<std::string>{"header X-Request-Id is missing"});
  CHECK(failures("{headers: {content-type: {matches: '^text/'}}}", r) ==
        std::vector<std::string>{"header content-type is 'application/json; charset=utf-8', which does not match /^text//"});
}

TEST_CASE("body: contains, not_contains, matches", "[smoke][expect]") {
  HttpResponse r = response(200, "hello world");
  CHECK(failures("{body: {contains: hello, not_contains: error, matches: 'w.rld'}}", r).empty());
  CHECK(failures("{body: {contains: [hello, bye]}}", r) == std::vector<std::string>{"body does not contain 'bye'"});
  CHECK(failures("{body: {not_contains: world}}", r) == std::vector<std::string>{"body contains 'world', which it must not"});
}

TEST_CASE("JSON: equals, matches, type, comparisons, length, absence", "[smoke][expect]") {
  HttpResponse r = response(200, R"({"status":"ok","n":5,"items":[1,2],"v":"1.4.2"})");
  CHECK(failures("{json: {/status: ok, /n: {'>': 3, '<=': 5, type: integer}, /items: {length: 2}, /v: {matches: '^1\\.'}, /err: {absent: true}}}", r).empty());
  CHECK(failures("{json: {/status: down}}", r) == std::vector<std::string>{"JSON /status is \"ok\", expected \"down\""});
  CHECK(failures("{json: {/n: {'>': 10}}}", r) == std::vector<std::string>{"JSON /n is 5, expected > 10"});
  CHECK(failures("{json: {/missing: 1}}", r) == std::vector<std::string>{"JSON /missing is missing from the response"});
  CHECK(failures("{json: {/items: {type: object}}}", r) == std::vector<std::string>{"JSON /items is [1,2], expected a object"});
}

TEST_CASE("a non-JSON body under a JSON expectation fails and says so", "[smoke][expect]") {
  auto f = failures("{json: {/status: ok}}", response(200, "<html>oops</html>", {{"Content-Type", "text/html"}}));
  REQUIRE(f.size() == 1);
  CHECK_THAT(f[0], Catch::StartsWith("body is not JSON (Content-Type: text/html)"));
}

TEST_CASE("latency budget and size limits", "[smoke][expect]") {
  HttpResponse r = response(200, std::string(100, 'x'));
  r.seconds = 0.7;
  CHECK(failures("{max_latency: 500ms}", r) == std::vector<std::string>{"latency 700ms exceeds the budget of 500ms"});
  CHECK(failures("{max_latency: 1s, max_size: 100, min_size: 100}", r).empty());
  CHECK(failures("{max_size: 99}", r) == std::vector<std::string>{"body is 100 bytes, more than the maximum of 99"});
}

TEST_CASE("a transfer error is the failure, with its cause", "[smoke][expect]") {
  HttpResponse r;
  r.error = "cannot connect: Failed to connect to 127.0.0.1 port 1";
  CHECK(failures("{status: 200}", r) == std::vector<std::string>{"cannot connect: Failed to connect to 127.0.0.1 port 1"});
}

TEST_CASE("TLS expectations on an unencrypted response fail", "[smoke][expect]") {
  CHECK_THAT(failures("{tls: {min_days_left: 30}}", response(200, "{}"))[0], Catch::Contains("was not TLS"));
}
