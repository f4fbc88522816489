// --metrics-out: the exact exposition of a hand-built run, escaping and
// special values, judged by the real `promtool check metrics` and by a real
// Prometheus scraping the file through nginx, and the atomic file write.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <sys/stat.h>

#include "reports/metrics_out.h"
#include "tests/support/nginx_server.h"
#include "tests/support/prometheus_server.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;
namespace fs = std::filesystem;

namespace {

constexpr double kLastDrill = 1795000000;

// A gate run with one of each kind of headline figure and figures that are
// not headline figures (which must stay out of the file).
RunResult gate_run() {
  RunResult run;
  run.tool_version = "0.2.0";
  run.plan_file = "greenlight.yaml";
  run.target = "http://127.0.0.1:8080";
  run.started_at = "2026-11-21T23:14:58Z";
  run.duration_s = 42.5;
  run.profile = "gate";
  run.revision = "abc123";

  SuiteResult smoke{"smoke", {{"health", Outcome::passed, "", {}, {{"latency", 12.5, "ms"}}, 0.01}}, 1.25};
  SuiteResult load{"load", {}, 30};
  load.checks.push_back({"checkout", Outcome::passed, "", {},
                         {{"requests", 48290, ""}, {"rps", 402.4, "req/s"}, {"errors", 3, ""}, {"error_rate", 0.07, "%"},
                          {"dropped", 0, ""}, {"p50", 8.3, "ms"}, {"p90", 16.4, "ms"}, {"p99", 38.5, "ms"}},
                         30});
  load.checks.push_back({"capacity", Outcome::failed, "capacity 1600 req/s is below 1800 req/s", {},
                         {{"capacity", 1600, "req/s"}, {"knee", 1400, "req/s"}, {"steps", 9, ""}}, 0});
  SuiteResult backup{"backup", {}, 11};
  backup.checks.push_back({"rto", Outcome::passed, "", {}, {{"rto_s", 8.5, "s"}}, 0});
  backup.checks.push_back({"drill", Outcome::passed, "", {},
                           {{"backup_duration", 2.5, "s"}, {"restore_duration", 4, "s"}, {"verify_duration", 4.5, "s"},
                            {"rto", 8.5, "s"}, {"size", 1048576, "bytes"}, {"rpo", 3600, "s"}},
                           11});
  run.suites = {smoke, load, backup};
  return run;
}

const char* kGateText = R"(# HELP greenlight_run_info The run's greenlight version and deployed revision (value always 1).
# TYPE greenlight_run_info gauge
greenlight_run_info{profile="gate",target="http://127.0.0.1:8080",revision="abc123",version="0.2.0"} 1
# HELP greenlight_run_timestamp_seconds When the run started, in Unix time.
# TYPE greenlight_run_timestamp_seconds gauge
greenlight_run_timestamp_seconds{profile="gate",target="http://127.0.0.1:8080"} 1795302898
# HELP greenlight_run_success 1 when every check passed and the run was not interrupted, else 0.
# TYPE greenlight_run_success gauge
greenlight_run_success{profile="gate",target="http://127.0.0.1:8080"} 0
# HELP greenlight_run_duration_seconds How long the whole run took.
# TYPE greenlight_run_duration_seconds gauge
greenlight_run_duration_seconds{profile="gate",target="http://127.0.0.1:8080"} 42.5
# HELP greenlight_run_checks Checks of the run per outcome.
# TYPE greenlight_run_checks gauge
greenlight_run_checks{profile="gate",target="http://127.0.0.1:8080",outcome="passed"} 4
greenlight_run_checks{profile="gate",target="http://127.0.0.1:8080",outcome="failed"} 1
greenlight_run_checks{profile="gate",target="http://127.0.0.1:8080",outcome="skipped"} 0
greenlight_run_checks{profile="gate",target="http://127.0.0.1:8080",outcome="error"} 0
# HELP greenlight_suite_success 1 when no check of the suite failed or errored, else 0.
# TYPE greenlight_suite_success gauge
greenlight_suite_success{profile="gate",target="http://127.0.0.1:8080",suite="smoke"} 1
greenlight_suite_success{profile="gate",target="http://127.0.0.1:8080",suite="load"} 0
greenlight_suite_success{profile="gate",target="http://127.0.0.1:8080",suite="backup"} 1
# HELP greenlight_suite_duration_seconds How long each suite took.
# TYPE greenlight_suite_duration_seconds gauge
greenlight_suite_duration_seconds{profile="gate",target="http://127.0.0.1:8080",suite="smoke"} 1.25
greenlight_suite_duration_seconds{profile="gate",target="http://127.0.0.1:8080",suite="load"} 30
greenlight_suite_duration_seconds{profile="gate",target="http://127.0.0.1:8080",suite="backup"} 11
# HELP greenlight_figure A headline figure of a check (latency, throughput, capacity, RTO, RPO), in the unit its label names.
# TYPE greenlight_figure gauge
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="load",check="checkout",figure="rps",unit="req/s"} 402.4
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="load",check="checkout",figure="errors",unit=""} 3
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="load",check="checkout",figure="error_rate",unit="%"} 0.07
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="load",check="checkout",figure="dropped",unit=""} 0
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="load",check="checkout",figure="p50",unit="ms"} 8.3
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="load",check="checkout",figure="p99",unit="ms"} 38.5
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="load",check="capacity",figure="capacity",unit="req/s"} 1600
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="load",check="capacity",figure="knee",unit="req/s"} 1400
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="backup",check="drill",figure="backup_duration",unit="s"} 2.5
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="backup",check="drill",figure="restore_duration",unit="s"} 4
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="backup",check="drill",figure="verify_duration",unit="s"} 4.5
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="backup",check="drill",figure="rto",unit="s"} 8.5
greenlight_figure{profile="gate",target="http://127.0.0.1:8080",suite="backup",check="drill",figure="rpo",unit="s"} 3600
# HELP greenlight_backup_drill_last_success_timestamp_seconds When the last passing restore drill against the target ran, in Unix time.
# TYPE greenlight_backup_drill_last_success_timestamp_seconds gauge
greenlight_backup_drill_last_success_timestamp_seconds{profile="gate",target="http://127.0.0.1:8080"} 1795000000
)";

// A check name with everything the exposition format must escape (backslash,
// double quote, newline), plus bytes that are not UTF-8.
const std::string kNastyName = "say \"hi\"\\now\nsecond line \xff end";
const std::string kNastyTarget = "http://example.com/?q=\"x\"";

RunResult nasty_run() {
  RunResult run;
  run.started_at = "2026-11-21T23:14:58Z";
  run.target = kNastyTarget;
  run.profile = "nightly";
  SuiteResult load{"load", {}, 5};
  load.checks.push_back({kNastyName, Outcome::passed, "", {}, {{"p99", 12, "ms"}}, 5});
  run.suites = {load};
  return run;
}

struct Promtool {
  int exit_code;
  std::string output;
};

// `promtool check metrics` reads the exposition on stdin; exit 0 means it
// parsed and passed the lint (names, units, HELP), 1 a parse error, 3 lint problems.
Promtool promtool_check(const std::string& text) {
  TempDir dir("greenlight-promtool");
  std::ofstream(dir.file("run.prom"), std::ios::binary) << text;
  ToolResult r = run_tool("sh", {"-c", "exec promtool check metrics < \"$1\"", "sh", dir.file("run.prom")});
  return {r.exit_code, r.out + r.err};
}

size_t occurrences(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t p = haystack.find(needle); p != std::string::npos; p = haystack.find(needle, p + 1)) ++n;
  return n;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("metrics_text writes every headline figure of a hand-built run, and nothing else", "[metrics_out]") {
  std::string text = metrics_text(gate_run(), kLastDrill);
  // Line by line first, so that a difference names its line.
  std::vector<std::string> got = lines_of(text), want = lines_of(kGateText);
  for (size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
    INFO("line " << i + 1);
    CHECK(got[i] == want[i]);
  }
  CHECK(got.size() == want.size());
  CHECK(text == kGateText);
  // Not headline figures: a smoke latency, the scenario's request count and
  // p90, the capacity search's step count, the drill's size, the rto check's own figure.
  for (const char* absent : {"\"latency\"", "\"requests\"", "\"p90\"", "\"steps\"", "\"size\"", "\"rto_s\""})
    CHECK(text.find(absent) == std::string::npos);
}

TEST_CASE("metrics_text output passes promtool check metrics, a broken file does not", "[metrics_out][promtool]") {
  Promtool good = promtool_check(metrics_text(gate_run(), kLastDrill));
  INFO(good.output);
  CHECK(good.exit_code == 0);

  // The other side: promtool is a real judge here. A repeated family, a
  // lint problem and an unescaped quote are each refused.
  std::string repeated = std::string(kGateText) +
                         "# HELP greenlight_figure again\n# TYPE greenlight_figure gauge\ngreenlight_figure{suite=\"x\"} 1\n";
  Promtool twice = promtool_check(repeated);
  CHECK(twice.exit_code != 0);
  CHECK(twice.output.find("second HELP line for metric name \"greenlight_figure\"") != std::string::npos);

  Promtool unescaped = promtool_check("# HELP greenlight_figure x\n# TYPE greenlight_figure gauge\ngreenlight_figure{check=\"say \"hi\"\"} 1\n");
  CHECK(unescaped.exit_code != 0);
  CHECK(unescaped.output.find("text format parsing error in line 3") != std::string::npos);

  Promtool lint = promtool_check("# HELP greenlight_latency_ms x\n# TYPE greenlight_latency_ms gauge\ngreenlight_latency_ms 1\n");
  CHECK(lint.exit_code != 0);
  CHECK(lint.output.find("abbreviated units") != std::string::npos);
}

TEST_CASE("label values are escaped (backslash, quote, newline) and made UTF-8, so promtool accepts them", "[metrics_out][promtool]") {
  std::string text = metrics_text(nasty_run(), std::nullopt);
  CHECK(text.find("target=\"http://example.com/?q=\\\"x\\\"\"") != std::string::npos);
  CHECK(text.find("check=\"say \\\"hi\\\"\\\\now\\nsecond line \xEF\xBF\xBD end\"") != std::string::npos);
  // One line per sample: the newline in the name did not break the line.
  for (const std::string& line : lines_of(text))
    CHECK((line.rfind("# ", 0) == 0 || line.rfind("greenlight_", 0) == 0));

  Promtool r = promtool_check(text);
  INFO(text << "\n" << r.output);
  CHECK(r.exit_code == 0);

  // The other side: the same text without the UTF-8 repair is refused.
  std::string raw = text;
  raw.replace(raw.find("\xEF\xBF\xBD"), 3, "\xff");
  Promtool bad = promtool_check(raw);
  CHECK(bad.exit_code != 0);
  CHECK(bad.output.find("invalid label value") != std::string::npos);
}

TEST_CASE("NaN and infinite figures are written as Prometheus writes them", "[metrics_out][promtool]") {
  RunResult run = nasty_run();
  run.target = "http://127.0.0.1:8080";
  Check& c = run.suites[0].checks[0];
  c.name = "checkout";
  c.figures = {{"p50", std::numeric_limits<double>::quiet_NaN(), "ms"},
               {"p99", std::numeric_limits<double>::infinity(), "ms"},
               {"rps", -std::numeric_limits<double>::infinity(), "req/s"},
               {"error_rate", 1.5e-7, "%"}};
  std::string text = metrics_text(run, std::nullopt);
  CHECK(text.find("figure=\"p50\",unit=\"ms\"} NaN\n") != std::string::npos);
  CHECK(text.find("figure=\"p99\",unit=\"ms\"} +Inf\n") != std::string::npos);
  CHECK(text.find("figure=\"rps\",unit=\"req/s\"} -Inf\n") != std::string::npos);
  CHECK(text.find("figure=\"error_rate\",unit=\"%\"} 1.5e-07\n") != std::string::npos);
  Promtool r = promtool_check(text);
  INFO(text << "\n" << r.output);
  CHECK(r.exit_code == 0);
}

TEST_CASE("each family appears once with its samples together, a duplicate series keeps its first value", "[metrics_out]") {
  RunResult run = gate_run();
  // Two scenarios with one name would make the same series twice.
  Check twin = run.suites[1].checks[0];
  for (Figure& f : twin.figures) f.value = -1;
  run.suites[1].checks.push_back(twin);
  std::string text = metrics_text(run, kLastDrill);
  CHECK(occurrences(text, "check=\"checkout\",figure=\"p99\",unit=\"ms\"} 38.5\n") == 1);
  CHECK(text.find("} -1\n") == std::string::npos);

  std::set<std::string> closed;  // families whose samples ended
  std::string current;
  for (const std::string& line : lines_of(text)) {
    std::string family = line.rfind("# ", 0) == 0 ? line.substr(7, line.find(' ', 7) - 7)
                                                  : line.substr(0, line.find_first_of("{ "));
    if (family != current) {
      CHECK(closed.count(family) == 0);
      if (!current.empty()) closed.insert(current);
      current = family;
    }
  }
  CHECK(occurrences(text, "# TYPE ") == 9);
  CHECK(occurrences(text, "# HELP ") == 9);
  CHECK(text.back() == '\n');
}

TEST_CASE("unknown facts are left out rather than written as zero", "[metrics_out]") {
  RunResult run = gate_run();
  run.started_at = "";
  std::string text = metrics_text(run, std::nullopt);
  CHECK(text.find("greenlight_run_timestamp_seconds") == std::string::npos);
  CHECK(text.find("greenlight_backup_drill_last_success_timestamp_seconds") == std::string::npos);
  CHECK(text.find("greenlight_run_success{") != std::string::npos);

  RunResult empty;  // an interrupted run before any suite: still a valid file
  empty.interrupted = true;
  std::string minimal = metrics_text(empty, std::nullopt);
  CHECK(minimal.find("greenlight_run_success{profile=\"\",target=\"\"} 0\n") != std::string::npos);
  CHECK(minimal.find("greenlight_figure") == std::string::npos);
  Promtool r = promtool_check(minimal);
  INFO(minimal << "\n" << r.output);
  CHECK(r.exit_code == 0);
}

TEST_CASE("a real Prometheus scraping the file reads back the exact label values and figures", "[metrics_out][prometheus]") {
  TempDir dir("greenlight-metrics-scrape");
  RunResult run = nasty_run();
  run.suites[0].checks.push_back({"capacity", Outcome::passed, "", {}, {{"capacity", 1600, "req/s"}}, 1});
  write_metrics_file(dir.file("run.prom"), metrics_text(run, kLastDrill));
  NginxServer nginx("location = /metrics { default_type \"text/plain; version=0.0.4\"; alias " + dir.file("run.prom") + "; }");
  PrometheusOptions options;
  options.scrape_targets = {"127.0.0.1:" + std::to_string(nginx.port())};
  options.job_name = "greenlight";
  PrometheusServer prometheus(options);
  prometheus.wait_for_targets_up();

  nlohmann::json result;
  bool scraped = prometheus.wait_until(
      [&] {
        result = prometheus.api("/api/v1/query?query=greenlight_figure")["result"];
        return result.size() == 2;
      },
      std::chrono::seconds(20));
  INFO(result.dump(2) << "\n" << prometheus.log());
  REQUIRE(scraped);
  std::set<std::string> checks;
  for (const auto& s : result) {
    const auto& m = s["metric"];
    checks.insert(m["check"].get<std::string>());
    CHECK(m["target"] == kNastyTarget);
    CHECK(m["profile"] == "nightly");
    CHECK(m["job"] == "greenlight");
    if (m["figure"] == "capacity") CHECK(s["value"][1] == "1600");
    if (m["figure"] == "p99") CHECK(s["value"][1] == "12");
  }
  // Exactly the name the check had, the bad byte repaired to U+FFFD.
  CHECK(checks == std::set<std::string>{"capacity", "say \"hi\"\\now\nsecond line \xEF\xBF\xBD end"});

  nlohmann::json drill = prometheus.api("/api/v1/query?query=greenlight_backup_drill_last_success_timestamp_seconds")["result"];
  REQUIRE(drill.size() == 1);
  CHECK(drill[0]["value"][1] == "1795000000");
}

TEST_CASE("write_metrics_file replaces the file atomically, readable by other users", "[metrics_out]") {
  TempDir dir("greenlight-metrics-file");
  fs::path path = fs::path(dir.path()) / "textfile" / "greenlight.prom";  // the folder does not exist yet
  write_metrics_file(path, "first\n");
  CHECK(slurp(path) == "first\n");
  write_metrics_file(path, metrics_text(gate_run(), kLastDrill));
  CHECK(slurp(path) == kGateText);

  struct stat st {};
  REQUIRE(stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0644);
  // Nothing left beside it: no temporary file for the collector to trip over.
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(path.parent_path())) names.push_back(e.path().filename().string());
  CHECK(names == std::vector<std::string>{"greenlight.prom"});
}

TEST_CASE("write_metrics_file names the path it cannot write", "[metrics_out]") {
  TempDir dir("greenlight-metrics-file");
  std::ofstream(dir.file("not-a-folder")) << "x";
  fs::path path = fs::path(dir.file("not-a-folder")) / "run.prom";
  try {
    write_metrics_file(path, "x\n");
    FAIL("writing under a regular file succeeded");
  } catch (const std::runtime_error& e) {
    std::string what = e.what();
    CHECK(what.find(path.string()) != std::string::npos);
    CHECK(what.find("Not a directory") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(path));
}
