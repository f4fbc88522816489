// Preset rules on constructed responses; the fixture-backed tests in
// smoke_suite_test.cpp check them end to end.
#include <catch2/catch.hpp>

#include "suites/smoke/presets.h"

using namespace greenlight;

namespace {
HttpResponse with_headers(Headers h, long status = 200, std::string body = "{}") {
  HttpResponse r;
  r.ok = true;
  r.status = status;
  r.headers = std::move(h);
  r.body = std::move(body);
  r.size = r.body.size();
  return r;
}
const Headers kGood = {{"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
                       {"Content-Security-Policy", "default-src 'self'"},
                       {"X-Frame-Options", "DENY"},
                       {"X-Content-Type-Options", "nosniff"},
                       {"Referrer-Policy", "no-referrer"}};
}  // namespace

TEST_CASE("security headers: a complete set passes", "[smoke][preset]") {
  CHECK(judge_security_headers(with_headers(kGood)).empty());
}

TEST_CASE("security headers: each missing or weak header is named", "[smoke][preset]") {
  for (size_t drop = 0; drop < kGood.size(); ++drop) {
    Headers h = kGood;
    std::string name = h[drop].first;
    h.erase(h.begin() + drop);
    auto f = judge_security_headers(with_headers(h));
    REQUIRE(f.size() == 1);
    CHECK_THAT(f[0], Catch::Contains(name) && Catch::Contains("missing"));
  }
  Headers weak = kGood;
  weak[0].second = "max-age=300";
  weak[4].second = "unsafe-url";
  auto f = judge_security_headers(with_headers(weak));
  REQUIRE(f.size() == 2);
  CHECK_THAT(f[0], Catch::Contains("shorter than 180 days"));
  CHECK_THAT(f[1], Catch::Contains("sends full URLs"));
}

TEST_CASE("CSP frame-ancestors stands in for X-Frame-Options", "[smoke][preset]") {
  Headers h = kGood;
  h[1].second = "default-src 'self'; frame-ancestors 'none'";
  h.erase(h.begin() + 2);
  CHECK(judge_security_headers(with_headers(h)).empty());
}

TEST_CASE("hidden files: a served path fails, a 404 or an SPA fallback does not", "[smoke][preset]") {
  HttpResponse not_found = with_headers({}, 404, "not found");
  CHECK(judge_hidden_path("/.env", with_headers({}, 404, "nope"), not_found).empty());
  std::string f = judge_hidden_path("/.env", with_headers({}, 200, "SECRET_KEY=abc"), not_found);
  CHECK_THAT(f, Catch::StartsWith("/.env is served (HTTP 200, 14 bytes)"));
  CHECK_THAT(f, !Catch::Contains("SECRET_KEY"));
  HttpResponse spa = with_headers({}, 200, "<html>app</html>");
  CHECK(judge_hidden_path("/.env", spa, spa).empty());
}

TEST_CASE("health contract: 503 with a reason is named and so is one without", "[smoke][preset]") {
  HttpResponse health = with_headers({}, 200, R"({"status":"ok"})");
  CHECK(judge_health_contract("/health", health, "/ready", with_headers({}, 200, "{}")).empty());
  auto f = judge_health_contract("/health", health, "/ready", with_headers({}, 503, R"({"status":"not ready","reason":"database unavailable"})"));
  CHECK(f == std::vector<std::string>{"/ready answered 503, not ready: database unavailable"});
  f = judge_health_contract("/health", with_headers({}, 200, "OK"), "/ready", with_headers({}, 503, ""));
  REQUIRE(f.size() == 2);
  CHECK_THAT(f[0], Catch::Contains("not a JSON object"));
  CHECK_THAT(f[1], Catch::Contains("does not say why"));
}
