// Issue #8, "Hostile target": greenlight against servers that never finish,
// never answer, lie about sizes, break the framing or reset mid-response
// (tests/support/hostile_server.h). Each case runs the real binary and
// asserts that it gives up by itself and says why: exit code 1 (not 0, not 2,
// not a signal), the check failed with a message naming the cause, wall time
// and peak RSS of the greenlight process bounded.
//
// The bounds, from measurements on the 2-core CI machine (figures in
// docs/robustness.md, "Hostile targets"):
//  - wall time < 30 s. Smoke checks use a 3 s request timeout, so a run takes
//    3-4 s at most; `greenlight load --duration 2s` with the default 10 s
//    request timeout drains for up to 10 s after the schedule ends, so ~12-13 s.
//    30 s leaves room for a loaded machine while still catching a hang (the
//    run_greenlight watchdog kills the child at 60 s: a hang shows as a signal).
//  - peak RSS < 256 MB (512 MB in the AddressSanitizer build: kMaxRssKb).
//    Measured peaks: 16-33 MB for every mode but the million series, ~150 MB there (the parser stops at kMaxExpositionSeries
//    = 500 000 series, ~300 bytes each once parsed). Without that limit the
//    same run peaked at ~300 MB, and 1.6 million one-sample families in a
//    16 MiB body at ~640 MB: the bound catches both. A client that buffered
//    what these servers send (10 GB, endless headers) would pass it within the
//    time limit. ru_maxrss of the child also counts the test process's pages
//    at fork time (a few MB).
#include <catch2/catch.hpp>

#include <cctype>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/support/command.h"
#include "tests/support/hostile_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight::test;
using Mode = HostileServer::Mode;

namespace {

constexpr double kMaxSeconds = 30;

// The RSS bound is the product build's. Under AddressSanitizer (the build
// ./ci/test runs the tests on, ci/sanitize) the same greenlight run needs
// more than twice the memory: every heap block gets a header and redzones
// (the parser's blocks are small strings and map nodes, so that about doubles
// them), the heap has 1/8 more in shadow memory, and freed blocks wait in a
// quarantine of up to 256 MB (ASan's default; ci/sanitize keeps it). The
// million-series run peaked at 420-430 MB there against ~150 MB in the
// product build, and the other modes at 120-165 MB (17-49 MB). So the bound
// is doubled in that build only. It still fails a parser without
// kMaxExpositionSeries: built that way, the million-series run peaked at
// 674 MB under ASan (462 MB with quarantine_size_mb=0, which would let it
// pass: do not lower the quarantine for this test). docs/robustness.md,
// "Sanitizers".
#if defined(__SANITIZE_ADDRESS__)
#define GL_HOSTILE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GL_HOSTILE_ASAN 1
#endif
#endif
#ifdef GL_HOSTILE_ASAN
constexpr long kMaxRssKb = 2 * 256 * 1024;
#else
constexpr long kMaxRssKb = 256 * 1024;
#endif

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.file(name);
  std::ofstream(path) << text;
  return path;
}

// The one check of a run's JSON report.
nlohmann::json only_check(const std::string& report) {
  auto j = nlohmann::json::parse(report);
  REQUIRE(j["suites"].size() == 1);
  REQUIRE(j["suites"][0]["checks"].size() == 1);
  return j["suites"][0]["checks"][0];
}

void report_figures(const char* what, Mode mode, const CommandResult& r) {
  // Shown with -s, and in the log of a failing test: the figures for docs/robustness.md.
  std::printf("hostile %-6s %-26s exit %d  %.2f s  %ld KB peak RSS\n", what, HostileServer::name(mode), r.exit_code,
              r.seconds, r.max_rss_kb);
}

void check_bounded(const CommandResult& r) {
  CHECK(r.exit_code == 1);  // not 0 (a pass), not 2 (a usage error), not 128+N (a signal)
  CHECK(r.seconds < kMaxSeconds);
  CHECK(r.max_rss_kb > 0);
  CHECK(r.max_rss_kb < kMaxRssKb);
}

// `greenlight run` with one smoke check against the hostile server.
void smoke_against(Mode mode, const std::string& check_yaml, const std::vector<std::string>& causes) {
  HostileServer server(mode);
  TempDir dir;
  std::string plan = write(dir, "plan.yaml",
                           "target:\n  base_url: " + server.url("") +
                               "\nsuites:\n  smoke:\n    timeout: 3s\n    checks:\n      - " + check_yaml + "\n");
  CommandResult r = run_greenlight({"run", plan, "--out", dir.file("reports")}, {}, nullptr, std::chrono::seconds(60));
  report_figures("smoke", mode, r);
  INFO(HostileServer::name(mode) << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
  check_bounded(r);
  CHECK(server.connections() >= 1);
  nlohmann::json check = only_check(read_file(dir.file("reports/greenlight.json")));
  CHECK(check["outcome"] == "failed");
  std::string message = check["message"];
  INFO("message: " << message);
  auto lower = [](std::string s) {
    for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  bool named = false;
  for (const std::string& cause : causes) named = named || lower(message).find(lower(cause)) != std::string::npos;
  CHECK(named);
}

// `greenlight load URL --duration 2s --rate 50` against the hostile server.
void load_against(Mode mode, const std::vector<std::string>& classes) {
  HostileServer server(mode);
  TempDir dir;
  CommandResult r = run_greenlight({"load", server.url("/"), "--duration", "2s", "--rate", "50", "--threads", "1",
                                    "--json", dir.file("out.json")},
                                   {}, nullptr, std::chrono::seconds(60));
  report_figures("load", mode, r);
  INFO(HostileServer::name(mode) << "\nstdout:\n" << r.out << "\nstderr:\n" << r.err);
  check_bounded(r);
  CHECK_THAT(r.out, Catch::Contains("load (constant-arrival-rate): 0 requests in") && Catch::Contains("FAILED"));
  auto j = nlohmann::json::parse(read_file(dir.file("out.json")));
  INFO("errors: " << j["errors"].dump());
  CHECK(j["requests"] == 0);
  int64_t classified = 0;
  for (const std::string& c : classes) classified += j["errors"].value(c, int64_t(0));
  CHECK(classified > 0);
  for (const std::string& c : classes) {
    if (j["errors"].contains(c)) CHECK_THAT(r.out, Catch::Contains("errors " + c + ":"));
  }
  CHECK(j["errors"].value("other", int64_t(0)) == 0);
}

const char* kRequestCheck = "{name: hostile, request: {path: /}}";

}  // namespace

TEST_CASE("hostile target, smoke: a response that never ends times out", "[cli][hostile]") {
  smoke_against(Mode::endless_body, kRequestCheck, {"timed out"});
}

TEST_CASE("hostile target, smoke: endless headers are refused as too large", "[cli][hostile]") {
  smoke_against(Mode::endless_headers, kRequestCheck, {"too large", "larger than"});
}

TEST_CASE("hostile target, smoke: a 10 GB body stops at the body limit", "[cli][hostile]") {
  smoke_against(Mode::huge_body, kRequestCheck, {"larger than"});
}

TEST_CASE("hostile target, smoke: invalid chunked encoding is named", "[cli][hostile]") {
  smoke_against(Mode::bad_chunked, kRequestCheck, {"chunk"});
}

TEST_CASE("hostile target, smoke: a server that never answers times out", "[cli][hostile]") {
  smoke_against(Mode::silent, kRequestCheck, {"timed out"});
}

TEST_CASE("hostile target, smoke: a reset mid-response is named", "[cli][hostile]") {
  smoke_against(Mode::reset_mid_body, kRequestCheck, {"reset"});
}

TEST_CASE("hostile target, smoke: a /metrics of a million series", "[cli][hostile]") {
  smoke_against(Mode::million_series, "{name: metrics, metrics: [\"count(h) < 1000\"]}",
                {"more than 500000 series"});
}

TEST_CASE("hostile target, load: a response that never ends", "[cli][hostile][load]") {
  load_against(Mode::endless_body, {"timeout"});
}

TEST_CASE("hostile target, load: endless headers", "[cli][hostile][load]") {
  load_against(Mode::endless_headers, {"parse_error"});
}

TEST_CASE("hostile target, load: a 10 GB body", "[cli][hostile][load]") {
  load_against(Mode::huge_body, {"timeout"});
}

TEST_CASE("hostile target, load: a server that never answers", "[cli][hostile][load]") {
  load_against(Mode::silent, {"timeout"});
}
