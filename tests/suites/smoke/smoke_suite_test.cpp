// The smoke suite end to end against the real fixture (and nginx for TLS
// protocol versions): for every check kind, the healthy target passes and the
// target with the matching fault fails with a message that names the fault.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "harness/plan.h"
#include "harness/runner.h"
#include "suites/all_suites.h"
#include "tests/support/fixture_process.h"
#include "tests/support/http_get.h"
#include "tests/support/nginx_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/tls_cert.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

// Runs a smoke section (YAML of `checks:` etc.) against `base_url`; returns its result.
SuiteResult run_smoke(const std::string& base_url, const std::string& section, const std::string& database = "",
                      const std::string& extra_top = "") {
  TempDir dir;
  std::string path = dir.file("greenlight.yaml");
  std::ofstream(path) << "target:\n  base_url: " << base_url << "\n"
                      << (database.empty() ? "" : "  database: " + database + "\n") << extra_top
                      << "suites:\n  smoke:\n" << section;
  Plan plan = load_plan(path);
  auto suites = build_suites(plan, all_suite_kinds(), {});
  RunOptions options;
  RunResult run = run_suites(plan, suites, options);
  REQUIRE(run.suites.size() == 1);
  return run.suites[0];
}

const Check& check_named(const SuiteResult& r, const std::string& name) {
  for (const Check& c : r.checks)
    if (c.name == name) return c;
  FAIL("no check named " << name);
  throw;
}

std::string subdir(const TempDir& dir, const std::string& name) {
  std::filesystem::create_directories(dir.file(name));
  return dir.file(name);
}

std::string one_check(const std::string& yaml_check) { return "    checks:\n      - " + yaml_check + "\n"; }

}  // namespace

TEST_CASE("status, JSON and latency: healthy passes, /health 500 fails", "[smoke][fixture]") {
  FixtureProcess fixture;
  std::string check = one_check("{name: health, request: {path: /health}, expect: {status: 200, json: {/status: ok}, max_latency: 500ms}}");
  const Check healthy = run_smoke(fixture.url(), check).checks[0];
  CHECK(healthy.outcome == Outcome::passed);
  CHECK(healthy.message == "");
  fixture.set_fault("health-500");
  const Check broken = run_smoke(fixture.url(), check).checks[0];
  CHECK(broken.outcome == Outcome::failed);
  CHECK_THAT(broken.message, Catch::Contains("status 500, expected 200") && Catch::Contains("JSON /status is \"error\""));
  CHECK_THAT(broken.evidence.at(1).text, Catch::Contains("injected fault health-500"));
}

TEST_CASE("latency budget: injected latency fails the budget", "[smoke][fixture]") {
  FixtureProcess fixture;
  std::string check = one_check("{name: fast, request: {path: /health}, expect: {max_latency: 150ms}}");
  CHECK(run_smoke(fixture.url(), check).checks[0].outcome == Outcome::passed);
  fixture.set_fault("latency", "400");
  const Check slow = run_smoke(fixture.url(), check).checks[0];
  CHECK(slow.outcome == Outcome::failed);
  CHECK_THAT(slow.message, Catch::Contains("exceeds the budget of 150ms"));
}

TEST_CASE("header expectations: a missing header is named", "[smoke][fixture]") {
  FixtureProcess fixture;
  std::string check = one_check("{name: h, request: {path: /health}, expect: {headers: {X-Content-Type-Options: nosniff, Content-Type: {matches: json}}}}");
  CHECK(run_smoke(fixture.url(), check).checks[0].outcome == Outcome::passed);
  fixture.set_fault("missing-header", "X-Content-Type-Options");
  CHECK(run_smoke(fixture.url(), check).checks[0].message == "header X-Content-Type-Options is missing");
}

TEST_CASE("body and JSON expectations: a non-JSON body fails clearly", "[smoke][fixture]") {
  FixtureProcess fixture;
  std::string check = one_check("{name: j, request: {path: /health}, expect: {json: {/status: ok}, body: {contains: status}}}");
  CHECK(run_smoke(fixture.url(), check).checks[0].outcome == Outcome::passed);
  fixture.set_fault("health-not-json");
  const Check c = run_smoke(fixture.url(), check).checks[0];
  CHECK(c.outcome == Outcome::failed);
  CHECK_THAT(c.message, Catch::Contains("body is not JSON (Content-Type: text/plain") && Catch::Contains("body does not contain 'status'"));
}

TEST_CASE("response size, redirects", "[smoke][fixture]") {
  FixtureProcess fixture;
  auto r = run_smoke(fixture.url(), R"(    checks:
      - {name: size-ok, request: {path: "/bytes?n=100"}, expect: {min_size: 100, max_size: 100}}
      - {name: size-big, request: {path: "/bytes?n=5000"}, expect: {max_size: 4KiB}}
      - {name: redirect-ok, request: {path: "/redirect?to=/health"}, expect: {redirect_to: /health}}
      - {name: redirect-wrong, request: {path: "/redirect?to=/login"}, expect: {redirect_to: /health}}
      - {name: followed, request: {path: "/redirect?to=/health", follow_redirects: true}, expect: {status: 200, json: {/status: ok}}}
)");
  CHECK(check_named(r, "size-ok").outcome == Outcome::passed);
  CHECK(check_named(r, "size-big").message == "body is 5000 bytes, more than the maximum of 4096");
  CHECK(check_named(r, "redirect-ok").outcome == Outcome::passed);
  CHECK(check_named(r, "redirect-wrong").message == "redirects to '/login', expected '/health'");
  CHECK(check_named(r, "followed").outcome == Outcome::passed);
}

TEST_CASE("security-headers preset: the missing header is named", "[smoke][fixture][preset]") {
  FixtureProcess fixture;
  std::string check = one_check("{name: headers, preset: security-headers}");
  CHECK(run_smoke(fixture.url(), check).checks[0].outcome == Outcome::passed);
  fixture.set_fault("missing-header", "X-Frame-Options");
  const Check c = run_smoke(fixture.url(), check).checks[0];
  CHECK(c.outcome == Outcome::failed);
  CHECK_THAT(c.message, Catch::Contains("X-Frame-Options is missing"));
}

TEST_CASE("hidden-files preset: a served /.env fails without leaking it", "[smoke][fixture][preset]") {
  FixtureProcess fixture;
  std::string check = one_check("{name: hidden, preset: hidden-files}");
  CHECK(run_smoke(fixture.url(), check).checks[0].outcome == Outcome::passed);
  fixture.set_fault("serve-dotenv");
  const Check c = run_smoke(fixture.url(), check).checks[0];
  CHECK(c.outcome == Outcome::failed);
  CHECK_THAT(c.message, Catch::StartsWith("/.env is served (HTTP 200"));
  for (const Evidence& e : c.evidence) CHECK_THAT(e.text, !Catch::Contains("hunter2"));
}

TEST_CASE("health-contract preset: a broken /ready is named with its reason", "[smoke][fixture][preset]") {
  FixtureProcess fixture;
  std::string check = one_check("{name: contract, preset: health-contract}");
  CHECK(run_smoke(fixture.url(), check).checks[0].outcome == Outcome::passed);
  fixture.set_fault("ready-503");
  const Check c = run_smoke(fixture.url(), check).checks[0];
  CHECK(c.outcome == Outcome::failed);
  CHECK_THAT(c.message, Catch::Contains("/ready answered 503, not ready") && Catch::Contains("injected fault ready-503"));
}

TEST_CASE("metrics: assertions hold on a healthy exposition", "[smoke][fixture][metrics]") {
  FixtureProcess fixture;
  std::string check = one_check(
      "{name: m, metrics: ['app_worker_healthy == 1', 'app_jobs_queue_depth{queue=\"default\"} < 100', "
      "'count(app_jobs_queue_depth) == 2', 'app_http_request_duration_seconds_count > 0']}");
  http_get(fixture.url() + "/health");  // so that the request counters have samples
  const Check c = run_smoke(fixture.url(), check).checks[0];
  CHECK(c.message == "");
  CHECK(c.outcome == Outcome::passed);
}

TEST_CASE("metrics: a metric over its limit and an unhealthy worker are named", "[smoke][fixture][metrics]") {
  FixtureProcess fixture;
  fixture.set_fault("queue-depth", "250");
  fixture.set_fault("worker-unhealthy");
  const Check c = run_smoke(fixture.url(), one_check("{name: m, metrics: ['app_worker_healthy == 1', "
                                                     "'app_jobs_queue_depth{queue=\"default\"} < 100']}")).checks[0];
  CHECK(c.outcome == Outcome::failed);
  CHECK_THAT(c.message, Catch::Contains("app_jobs_queue_depth{queue=\"default\"} is 250, expected < 100"));
  CHECK_THAT(c.message, Catch::Contains("app_worker_healthy is 0, expected == 1"));
}

TEST_CASE("metrics: a malformed exposition fails naming the line", "[smoke][fixture][metrics]") {
  FixtureProcess fixture;
  fixture.set_fault("metrics-malformed");
  const Check c = run_smoke(fixture.url(), one_check("{name: m, metrics: ['app_worker_healthy == 1']}")).checks[0];
  CHECK(c.outcome == Outcome::failed);
  CHECK_THAT(c.message, Catch::StartsWith("malformed metrics exposition: line "));
}

TEST_CASE("idempotency: one row for repeated deliveries and a non-idempotent webhook fails", "[smoke][fixture][idempotency]") {
  FixtureProcess fixture;
  std::string db = "sqlite://" + fixture.db_path();
  std::string check = one_check(
      "{name: webhook, request: {method: POST, path: /webhook, json: {event_id: 'evt-${run:id}'}}, "
      "idempotency: {times: 3, count_query: \"SELECT count(*) FROM webhook_events WHERE event_id = 'evt-${run:id}'\"}}");
  const Check ok = run_smoke(fixture.url(), check, db).checks[0];
  CHECK(ok.message == "");
  CHECK(ok.outcome == Outcome::passed);
  fixture.set_fault("webhook-not-idempotent");
  const Check bad = run_smoke(fixture.url(), check, db).checks[0];
  CHECK(bad.outcome == Outcome::failed);
  CHECK_THAT(bad.message, Catch::Contains("3 identical deliveries changed the count by 3, expected exactly 1: not idempotent"));
}

TEST_CASE("idempotency: concurrent duplicates are also caught", "[smoke][fixture][idempotency]") {
  FixtureProcess fixture;
  fixture.set_fault("webhook-not-idempotent");
  const Check bad = run_smoke(fixture.url(), one_check(
      "{name: webhook, request: {method: POST, path: /webhook, json: {event_id: 'c-${run:id}'}}, "
      "idempotency: {times: 4, concurrent: true, count_query: \"SELECT count(*) FROM webhook_events WHERE event_id = 'c-${run:id}'\"}}"),
      "sqlite://" + fixture.db_path()).checks[0];
  CHECK_THAT(bad.message, Catch::Contains("changed the count by 4"));
}

TEST_CASE("captures: a token from one check authenticates the next, and is redacted", "[smoke][fixture][captures]") {
  FixtureProcess fixture;
  auto section = [](const std::string& password) {
    return R"(    checks:
      - name: login
        request: {method: POST, path: /api/login, json: {user: demo, password: )" + password + R"(}}
        expect: {status: 200}
        capture: {token: {json: /token}}
      - name: me
        request: {path: /api/me, headers: {Authorization: "Bearer ${capture:token}"}}
        expect: {status: 200, json: {/user: demo}}
)";
  };
  SuiteResult ok = run_smoke(fixture.url(), section("demo"));
  CHECK(check_named(ok, "login").outcome == Outcome::passed);
  CHECK(check_named(ok, "me").outcome == Outcome::passed);
  std::string login_body = check_named(ok, "login").evidence.at(1).text;
  CHECK_THAT(login_body, Catch::Contains("[redacted]"));

  SuiteResult bad = run_smoke(fixture.url(), section("wrong"));
  CHECK(check_named(bad, "login").message == "status 401, expected 200");
  CHECK(check_named(bad, "me").outcome == Outcome::skipped);
  CHECK_THAT(check_named(bad, "me").message, Catch::Contains("capture token (check 'login' failed) is not available"));
}

TEST_CASE("retries: a check passes once the target recovers", "[smoke][fixture]") {
  FixtureProcess fixture;
  fixture.set_fault("health-500");
  std::thread heal([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    fixture.clear_faults();
  });
  const Check c = run_smoke(fixture.url(), one_check("{name: h, request: {path: /health}, retries: 5, retry_delay: 200ms, expect: {status: 200}}")).checks[0];
  heal.join();
  CHECK(c.outcome == Outcome::passed);
  bool retried = false;
  for (const Figure& f : c.figures) retried |= f.name == "attempts" && f.value > 1;
  CHECK(retried);
}

TEST_CASE("wait_until_ready: gives up with the last answer", "[smoke][fixture]") {
  FixtureProcess fixture;
  fixture.set_fault("ready-503");
  SuiteResult r = run_smoke(fixture.url(), "    wait_until_ready: {path: /ready, timeout: 1s, interval: 100ms}\n" +
                                               one_check("{name: h, request: {path: /health}}"));
  const Check& wait = check_named(r, "wait_until_ready");
  CHECK(wait.outcome == Outcome::failed);
  CHECK_THAT(wait.message, Catch::StartsWith("not ready after") && Catch::Contains("last answer HTTP 503, expected 200"));
  fixture.clear_faults();
  CHECK(check_named(run_smoke(fixture.url(), "    wait_until_ready: {path: /ready, timeout: 5s}\n" +
                                                 one_check("{name: h, request: {path: /health}}")),
                    "wait_until_ready").outcome == Outcome::passed);
}

TEST_CASE("bad targets: refused, timeout, truncated, unreachable each fail with the cause", "[smoke][fixture][errors]") {
  FixtureProcess fixture;
  auto r = run_smoke(fixture.url(), R"(    checks:
      - {name: timeout, request: {path: "/slow?ms=3000", timeout: 300ms}}
      - {name: truncated, request: {path: /truncated}}
      - {name: refused, request: {url: "http://127.0.0.1:1/health"}}
)");
  CHECK_THAT(check_named(r, "timeout").message, Catch::StartsWith("timeout:"));
  CHECK_THAT(check_named(r, "truncated").message, Catch::StartsWith("truncated response:"));
  CHECK_THAT(check_named(r, "refused").message, Catch::StartsWith("cannot connect:"));
  for (const Check& c : r.checks) CHECK(c.outcome == Outcome::failed);
}

TEST_CASE("the plan's deadline stops a run that would overrun it", "[smoke][fixture][errors]") {
  FixtureProcess fixture;
  SuiteResult r = run_smoke(fixture.url(), one_check("{name: slow, request: {path: \"/slow?ms=5000\", timeout: 10s}}"), "",
                            "deadline: 500ms\n");
  CHECK(r.checks[0].outcome == Outcome::error);
  CHECK(r.checks[0].message == "not finished: the plan's deadline passed");
}

TEST_CASE("TLS: days left, host name and trust", "[smoke][fixture][tls]") {
  TempDir dir;
  CertFiles good = make_self_signed_cert(subdir(dir, "good"), 365, "127.0.0.1", {"IP:127.0.0.1"});
  CertFiles expiring = make_self_signed_cert(subdir(dir, "soon"), 10, "127.0.0.1", {"IP:127.0.0.1"});
  CertFiles other_host = make_self_signed_cert(subdir(dir, "other"), 365, "example.com", {"DNS:example.com"});
  std::string expect = "expect: {status: 200, tls: {min_days_left: 30, hostname_match: true, min_version: TLSv1.2}}";

  {
    FixtureProcess fixture(FixtureOptions{.tls = true, .cert_path = good.cert_path, .key_path = good.key_path});
    const Check c = run_smoke(fixture.url(), one_check("{name: tls, request: {url: '" + fixture.tls_url() + "/health', tls: {ca_file: '" +
                                                       good.cert_path + "'}}, " + expect + "}")).checks[0];
    CHECK(c.message == "");
    CHECK(c.outcome == Outcome::passed);
  }
  {
    FixtureProcess fixture(FixtureOptions{.tls = true, .cert_path = expiring.cert_path, .key_path = expiring.key_path});
    const Check c = run_smoke(fixture.url(), one_check("{name: tls, request: {url: '" + fixture.tls_url() + "/health', tls: {ca_file: '" +
                                                       expiring.cert_path + "'}}, " + expect + "}")).checks[0];
    CHECK(c.outcome == Outcome::failed);
    CHECK_THAT(c.message, Catch::Matches("TLS certificate expires in (9|10) days .*expected at least 30 days left.*"));
  }
  {
    FixtureProcess fixture(FixtureOptions{.tls = true, .cert_path = other_host.cert_path, .key_path = other_host.key_path});
    std::string url = fixture.tls_url() + "/health";
    const Check trusted = run_smoke(fixture.url(), one_check("{name: tls, request: {url: '" + url + "', tls: {ca_file: '" +
                                                             other_host.cert_path + "'}}, " + expect + "}")).checks[0];
    CHECK(trusted.outcome == Outcome::failed);
    CHECK_THAT(trusted.message, Catch::StartsWith("TLS error:"));
    const Check unverified = run_smoke(fixture.url(), one_check("{name: tls, request: {url: '" + url + "', tls: {verify: false}}, " +
                                                                expect + "}")).checks[0];
    CHECK(unverified.outcome == Outcome::failed);
    CHECK_THAT(unverified.message, Catch::Contains("does not match the host name"));
    const Check untrusted = run_smoke(fixture.url(), one_check("{name: tls, request: {url: '" + url + "'}, " + expect + "}")).checks[0];
    CHECK_THAT(untrusted.message, Catch::StartsWith("TLS error:"));
  }
}

TEST_CASE("TLS: an expired certificate is named, verified or not", "[smoke][fixture][tls]") {
  TempDir dir;
  auto now = std::chrono::system_clock::now();
  CertFiles expired = make_cert_valid_between(subdir(dir, "expired"), now - std::chrono::hours(24 * 40),
                                              now - std::chrono::hours(24 * 5), "127.0.0.1", {"IP:127.0.0.1"});
  FixtureProcess fixture(FixtureOptions{.tls = true, .cert_path = expired.cert_path, .key_path = expired.key_path});
  std::string url = fixture.tls_url() + "/health";
  const Check verified = run_smoke(fixture.url(), one_check("{name: tls, request: {url: '" + url + "', tls: {ca_file: '" +
                                                            expired.cert_path + "'}}, expect: {tls: {min_days_left: 14}}}")).checks[0];
  CHECK(verified.outcome == Outcome::failed);
  CHECK_THAT(verified.message, Catch::StartsWith("TLS error:") && Catch::Contains("expired"));
  const Check unverified = run_smoke(fixture.url(), one_check("{name: tls, request: {url: '" + url +
                                                              "', tls: {verify: false}}, expect: {tls: {min_days_left: 14}}}")).checks[0];
  CHECK(unverified.outcome == Outcome::failed);
  CHECK_THAT(unverified.message, Catch::StartsWith("TLS certificate expired 5 days ago"));
}

TEST_CASE("TLS: the minimum protocol version, against real nginx", "[smoke][nginx][tls]") {
  TempDir dir;
  CertFiles cert = make_self_signed_cert(dir.path(), 365, "127.0.0.1", {"IP:127.0.0.1"});
  auto run_against = [&](const std::string& protocols) {
    NginxServer nginx("location / { return 200 'ok'; }",
                      NginxOptions{.tls = true, .cert_path = cert.cert_path, .key_path = cert.key_path, .ssl_protocols = protocols});
    return run_smoke(nginx.url(), one_check("{name: tls, request: {path: /, tls: {ca_file: '" + cert.cert_path +
                                            "'}}, expect: {status: 200, tls: {min_version: TLSv1.3}}}")).checks[0];
  };
  CHECK(run_against("TLSv1.2 TLSv1.3").outcome == Outcome::passed);
  const Check old = run_against("TLSv1.2");
  CHECK(old.outcome == Outcome::failed);
  CHECK(old.message == "TLS protocol TLSv1.2 negotiated, expected at least TLSv1.3");
}

TEST_CASE("TLS: a client certificate opens a door that stays shut without it", "[smoke][nginx][tls]") {
  TempDir dir;
  CertFiles server = make_self_signed_cert(subdir(dir, "server"), 365, "127.0.0.1", {"IP:127.0.0.1"});
  CertFiles client = make_self_signed_cert(subdir(dir, "client"), 365, "greenlight-client", {"DNS:greenlight-client"});
  NginxServer nginx("ssl_client_certificate " + client.cert_path + ";\n    ssl_verify_client on;\n    location / { return 200 'hello $ssl_client_s_dn'; }",
                    NginxOptions{.tls = true, .cert_path = server.cert_path, .key_path = server.key_path});
  std::string tls = "{ca_file: '" + server.cert_path + "'";
  const Check with = run_smoke(nginx.url(), one_check("{name: mtls, request: {path: /, tls: " + tls + ", client_cert: '" +
                                                      client.cert_path + "', client_key: '" + client.key_path +
                                                      "'}}, expect: {status: 200, body: {contains: greenlight-client}}}")).checks[0];
  CHECK(with.message == "");
  CHECK(with.outcome == Outcome::passed);
  const Check without = run_smoke(nginx.url(), one_check("{name: mtls, request: {path: /, tls: " + tls + "}}, expect: {status: 200}}")).checks[0];
  CHECK(without.outcome == Outcome::failed);
  CHECK(without.message == "status 400, expected 200");  // nginx: "No required SSL certificate was sent"
}
