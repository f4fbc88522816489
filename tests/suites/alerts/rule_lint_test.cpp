// The alert-rule lint: every warning fires on a rule that has the problem,
// names the file, line, group and rule, and is quiet once the rule is fixed;
// levels, configuration and `# greenlight:ignore` suppressions change it.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "suites/alerts/rule_file.h"
#include "suites/alerts/rule_lint.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using greenlight::test::TempDir;

namespace {

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.file(name);
  std::ofstream(path) << text;
  return path;
}

std::vector<RuleFinding> lint(const TempDir& dir, const std::string& text, const LintConfig& config = {}) {
  static int n = 0;
  RuleFile rf = load_rule_file(write(dir, "rules" + std::to_string(++n) + ".yml", text));
  return lint_rule_file(rf, config);
}

std::string listing(const std::vector<RuleFinding>& fs) {
  std::string out;
  for (const auto& f : fs) out += format_rule_finding(f) + "\n";
  return out;
}

std::vector<RuleFinding> with_id(const std::vector<RuleFinding>& fs, const std::string& id) {
  std::vector<RuleFinding> out;
  for (const auto& f : fs)
    if (f.id == id) out.push_back(f);
  return out;
}

// An alert with everything the default configuration asks for, in group "api".
std::string alert(const std::string& name, const std::string& expr, const std::string& extra = "",
                  const std::string& severity = "ticket") {
  return "      - alert: " + name + "\n        expr: " + expr + "\n        for: 5m\n        labels:\n          severity: " +
         severity + "\n        annotations:\n          summary: \"" + name + "\"\n" + extra;
}

const std::string kHead = "groups:\n  - name: api\n    rules:\n";  // the first rule is on line 4

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  return text.replace(text.find(from), from.size(), to);
}

struct WarningCase {
  std::string id;
  std::string bad;
  int line;
  std::string needle;
  std::string fixed;
  LintConfig config = {};
};

std::vector<WarningCase> cases() {
  std::vector<WarningCase> c;
  c.push_back({"missing-for-on-page",
               kHead + "      - alert: Down\n        expr: up == 0\n        labels: {severity: page}\n        annotations: {summary: down}\n",
               4, "group \"api\", alert \"Down\": pages (severity \"page\") without `for`",
               kHead + "      - alert: Down\n        expr: up == 0\n        for: 2m\n        labels: {severity: page}\n"
                       "        annotations: {summary: down}\n"});
  c.push_back({"missing-for-on-page",
               kHead + "      - alert: Down\n        expr: up == 0\n        labels: {severity: critical}\n        annotations: {summary: down}\n",
               4, "severity \"critical\"",
               kHead + "      - alert: Down\n        expr: up == 0\n        labels: {severity: warning}\n        annotations: {summary: down}\n"});
  c.push_back({"missing-label", kHead + "      - alert: Down\n        expr: up == 0\n        for: 5m\n        annotations: {summary: down}\n", 4,
               "group \"api\", alert \"Down\": has no label \"severity\"", kHead + alert("Down", "up == 0")});
  {
    LintConfig team;
    team.required_labels = {"severity", "team"};
    c.push_back({"missing-label", kHead + alert("Down", "up == 0"), 4, "has no label \"team\"",
                 kHead + "      - alert: Down\n        expr: up == 0\n        for: 5m\n        labels: {severity: ticket, team: db}\n"
                         "        annotations: {summary: down}\n",
                 team});
  }
  c.push_back({"missing-annotation",
               kHead + "      - alert: Down\n        expr: up == 0\n        for: 5m\n        labels: {severity: ticket}\n", 4,
               "group \"api\", alert \"Down\": has no annotation \"summary\"", kHead + alert("Down", "up == 0")});
  {
    LintConfig runbook;
    runbook.required_annotations = {"summary", "runbook_url"};
    c.push_back({"missing-annotation", kHead + alert("Down", "up == 0"), 4, "has no annotation \"runbook_url\"",
                 kHead + alert("Down", "up == 0", "          runbook_url: https://runbooks.example.com/down\n"), runbook});
  }
  c.push_back({"template-label",
               kHead + alert("Errors", "sum by (job) (rate(http_requests_total{code=\"500\"}[5m])) > 1",
                             "          description: \"{{ $labels.instance }} fails\"\n"),
               11, "annotation \"description\" uses $labels.instance, but the expression cannot return a label \"instance\" (its result carries only job)",
               kHead + alert("Errors", "sum by (job) (rate(http_requests_total{code=\"500\"}[5m])) > 1",
                             "          description: \"{{ $labels.job }} fails\"\n")});
  c.push_back({"template-label",
               kHead + alert("Errors", "sum without (instance) (rate(http_requests_total[5m])) > 1",
                             "          description: '{{ .Labels.instance }} {{ index $labels \"instance\" }}'\n"),
               11, "its result drops __name__, instance",
               kHead + alert("Errors", "sum without (instance) (rate(http_requests_total[5m])) > 1",
                             "          description: '{{ .Labels.pod }} {{ index $labels \"job\" }}'\n")});
  c.push_back({"template-label",
               kHead + "      - alert: Down\n        expr: count(up == 0) > 3\n        for: 5m\n        labels:\n          severity: ticket\n"
                       "          instance: \"{{ $labels.instance }}\"\n        annotations: {summary: down}\n",
               9, "label \"instance\" uses $labels.instance, but the expression cannot return a label \"instance\" (its result has no labels)",
               kHead + "      - alert: Down\n        expr: count by (instance) (up == 0) > 3\n        for: 5m\n        labels:\n"
                       "          severity: ticket\n          instance: \"{{ $labels.instance }}\"\n        annotations: {summary: down}\n"});
  c.push_back({"value-in-label",
               kHead + "      - alert: Busy\n        expr: queue_depth > 100\n        for: 5m\n        labels:\n          severity: ticket\n"
                       "          depth: \"{{ $value }}\"\n        annotations: {summary: busy}\n",
               9, "label \"depth\" uses $value",
               kHead + alert("Busy", "queue_depth > 100", "          description: \"depth {{ $value }}\"\n")});
  c.push_back({"rate-on-gauge", kHead + alert("Memory", "rate(node_memory_used_bytes[5m]) > 1e6"), 5,
               "rate(node_memory_used_bytes[5m]): node_memory_used_bytes is named like a gauge",
               kHead + alert("Memory", "deriv(node_memory_used_bytes[5m]) > 1e6")});
  c.push_back({"rate-on-gauge", kHead + alert("Flapping", "increase(up[10m]) > 2"), 5, "increase(up[10m]): up is named like a gauge",
               kHead + alert("Flapping", "changes(up[10m]) > 2")});
  c.push_back({"range-too-short", kHead + alert("Errors", "rate(http_requests_total[1m]) > 1"), 5,
               "rate(http_requests_total[1m]) uses a range of 1m, less than twice the scrape interval (1m)",
               kHead + alert("Errors", "rate(http_requests_total[2m]) > 1")});
  {
    LintConfig fast;
    fast.scrape_interval_ms = 15'000;
    c.push_back({"range-too-short", kHead + alert("Errors", "irate(http_requests_total[20s]) > 1"), 5,
                 "less than twice the scrape interval (15s)", kHead + alert("Errors", "irate(http_requests_total[1m]) > 1"), fast});
  }
  c.push_back({"impossible-comparison", kHead + alert("ApiAbsent", "absent(up{job=\"api\"}) > 1"), 5,
               "`absent(up{job=\"api\"}) > 1` can never be true (absent() returns 1 or nothing): the alert can never fire",
               kHead + alert("ApiAbsent", "absent(up{job=\"api\"})")});
  c.push_back({"impossible-comparison", kHead + alert("ApiAbsent", "absent(up{job=\"api\"}) == 0"), 5, "can never be true",
               kHead + alert("ApiAbsent", "absent(up{job=\"api\"}) == 1")});
  c.push_back({"impossible-comparison", kHead + alert("NoBackend", "count by (backend) (backend_up) == 0"), 5,
               "(count() is at least 1)", kHead + alert("NoBackend", "count by (backend) (backend_up == 1) < 2")});
  c.push_back({"impossible-comparison", kHead + alert("Restarts", "0 > changes(process_start_time_seconds[1h])"), 5,
               "changes() is never negative", kHead + alert("Restarts", "2 < changes(process_start_time_seconds[1h])")});
  c.push_back({"for-shorter-than-interval", "groups:\n  - name: api\n    interval: 10m\n    rules:\n" + alert("Down", "up == 0"), 5,
               "`for: 5m` is shorter than the group's evaluation interval (10m)",
               "groups:\n  - name: api\n    interval: 5m\n    rules:\n" + alert("Down", "up == 0")});
  {
    LintConfig slow;
    slow.evaluation_interval_ms = 600'000;
    c.push_back({"for-shorter-than-interval", kHead + alert("Down", "up == 0"), 4, "evaluation interval (10m)",
                 replaced(kHead + alert("Down", "up == 0"), "for: 5m", "for: 0s"), slow});
  }
  c.push_back({"duplicate-rule", kHead + alert("Down", "up == 0") + alert("Down", "up{job=\"api\"} == 0"), 11,
               "group \"api\", alert \"Down\": has the same name and labels as the rule at line 4",
               kHead + alert("Down", "up == 0") + alert("Down", "up{job=\"api\"} == 0", "", "page")});
  c.push_back({"prometheus3-only", kHead + alert("Top", "limitk(5, up) > 0"), 5, "limitk is known to Prometheus 3 only",
               kHead + alert("Top", "topk(5, up) > 0")});
  c.push_back({"prometheus3-only",
               kHead + alert("Slow", "up == 0", "          description: \"{{ $value | toDuration }}\"\n"), 11,
               "calls the template function toDuration, which only Prometheus 3 knows",
               kHead + alert("Slow", "up == 0", "          description: \"{{ $value | humanizeDuration }}\"\n")});
  c.push_back({"prometheus3-only", "groups:\n  - name: api\n    query_offset: 1m\n    rules:\n" + alert("Down", "up == 0"), 3,
               "field query_offset is known to Prometheus 3 only", "groups:\n  - name: api\n    rules:\n" + alert("Down", "up == 0")});
  {
    LintConfig v3;
    v3.prometheus_major = 3;
    c.push_back({"experimental-function", kHead + alert("Sorted", "sort_by_label(up, \"job\") == 0"), 5,
                 "sort_by_label is experimental in Prometheus 3", kHead + alert("Sorted", "sort(up) == 0"), v3});
    c.push_back({"removed-in-prometheus3", kHead + alert("Trend", "holt_winters(x[1h], 0.5, 0.5) > 1"), 5,
                 "holt_winters was removed in Prometheus 3", kHead + alert("Trend", "predict_linear(x[1h], 3600) > 1"), v3});
  }
  return c;
}

}  // namespace

TEST_CASE("every lint warning fires on the faulty rule and not on the fixed one", "[rulelint]") {
  TempDir dir;
  int n = 0;
  for (const WarningCase& c : cases()) {
    ++n;
    INFO("case " << n << " [" << c.id << "]:\n" << c.bad);
    std::string path = write(dir, "bad" + std::to_string(n) + ".yml", c.bad);
    RuleFile rf = load_rule_file(path);
    REQUIRE(rf.ok());
    std::vector<RuleFinding> fs = lint_rule_file(rf, c.config);
    INFO("findings:\n" << listing(fs));
    std::vector<RuleFinding> hits = with_id(fs, c.id);
    REQUIRE(hits.size() == 1);
    CHECK_FALSE(hits[0].error);
    CHECK(hits[0].file == path);
    CHECK(hits[0].line == c.line);
    CHECK_THAT(hits[0].message, Catch::Contains(c.needle));
    CHECK(lint_rule_ids().count(c.id) == 1);

    std::vector<RuleFinding> fixed = lint(dir, c.fixed, c.config);
    INFO("fixed:\n" << c.fixed << "findings:\n" << listing(fixed));
    CHECK(fixed.empty());
  }
}

TEST_CASE("a greenlight:ignore comment silences a finding of its rule only", "[rulelint]") {
  TempDir dir;
  const std::string page = "      - alert: Down\n        expr: up == 0\n        labels: {severity: page}\n        annotations: {summary: down}\n";
  SECTION("on the line above the rule") {
    auto fs = lint(dir, kHead + "      # greenlight:ignore missing-for-on-page\n" + page);
    INFO(listing(fs));
    CHECK(fs.empty());
  }
  SECTION("on one of the rule's lines") {
    auto fs = lint(dir, kHead + "      - alert: Down\n        expr: up == 0  # greenlight:ignore missing-for-on-page\n"
                                "        labels: {severity: page}\n        annotations: {summary: down}\n");
    INFO(listing(fs));
    CHECK(fs.empty());
  }
  SECTION("naming another id does not silence it") {
    auto fs = lint(dir, kHead + "      # greenlight:ignore missing-label, range-too-short\n" + page);
    CHECK(with_id(fs, "missing-for-on-page").size() == 1);
  }
  SECTION("without an id it silences every lint finding of the rule") {
    auto fs = lint(dir, kHead + "      # greenlight:ignore\n      - alert: Down\n        expr: rate(up[1m]) > 0\n"
                                "        labels: {severity: page}\n");
    INFO(listing(fs));
    CHECK(fs.empty());
  }
  SECTION("a comment above the next rule does not silence the previous one") {
    auto fs = lint(dir, kHead + page + "      # greenlight:ignore missing-for-on-page\n" + alert("Other", "up == 0"));
    INFO(listing(fs));
    REQUIRE(with_id(fs, "missing-for-on-page").size() == 1);
    CHECK(with_id(fs, "missing-for-on-page")[0].line == 4);
  }
  SECTION("errors Prometheus refuses the file for are never silenced") {
    auto fs = lint(dir, kHead + "      # greenlight:ignore\n      - alert: Down\n        expr: up ==\n");
    REQUIRE(with_id(fs, "promql-syntax").size() == 1);
    CHECK(fs[0].error);
  }
}

TEST_CASE("lint levels turn a warning off or into an error", "[rulelint]") {
  TempDir dir;
  const std::string text = kHead + "      - alert: Down\n        expr: up == 0\n        labels: {severity: page}\n";
  LintConfig config;
  auto fs = lint(dir, text, config);
  REQUIRE(with_id(fs, "missing-for-on-page").size() == 1);
  REQUIRE(with_id(fs, "missing-annotation").size() == 1);
  CHECK_FALSE(with_id(fs, "missing-for-on-page")[0].error);

  config.levels["missing-for-on-page"] = LintLevel::Error;
  config.levels["missing-annotation"] = LintLevel::Off;
  fs = lint(dir, text, config);
  INFO(listing(fs));
  REQUIRE(fs.size() == 1);
  CHECK(fs[0].id == "missing-for-on-page");
  CHECK(fs[0].error);
}

TEST_CASE("Prometheus 3 findings depend on the targeted version", "[rulelint]") {
  TempDir dir;
  const std::string text = "groups:\n  - name: api\n    labels: {team: db}\n    rules:\n" + alert("Top", "limitk(3, up) > 0");
  LintConfig v2;
  auto fs = lint(dir, text, v2);
  INFO(listing(fs));
  CHECK(with_id(fs, "prometheus3-only").size() == 2);  // the group's labels and limitk
  LintConfig v3;
  v3.prometheus_major = 3;
  fs = lint(dir, text, v3);
  INFO(listing(fs));
  CHECK(with_id(fs, "prometheus3-only").empty());
  CHECK(with_id(fs, "experimental-function").size() == 1);  // limitk needs the feature flag in 3
}

TEST_CASE("findings are sorted by line and formatted as file line level message id", "[rulelint]") {
  TempDir dir;
  std::string path = write(dir, "f.yml", kHead + "      - alert: Down\n        expr: up ==\n" + alert("Later", "rate(x_total[30s]) > 1"));
  auto fs = lint_rule_file(load_rule_file(path));
  REQUIRE(fs.size() >= 3);
  for (std::size_t i = 1; i < fs.size(); ++i) CHECK(fs[i - 1].line <= fs[i].line);
  CHECK(format_rule_finding(fs[0]) ==
        path + ":4: warning: group \"api\", alert \"Down\": has no label \"severity\" (required by the lint configuration) [missing-label]");
  const auto errors = with_id(fs, "promql-syntax");
  REQUIRE(errors.size() == 1);
  CHECK_THAT(format_rule_finding(errors[0]),
             Catch::StartsWith(path + ":5: error: group \"api\", alert \"Down\": could not parse expression: 1:6: parse error: unexpected end of input"));
  CHECK_THAT(format_rule_finding(errors[0]), Catch::EndsWith("[promql-syntax]"));
}

TEST_CASE("the clean fixture has no lint finding", "[rulelint]") {
  RuleFile rf = load_rule_file(SOURCE_DIR "/fixtures/rules/valid/lint-clean.yml");
  REQUIRE(rf.ok());
  auto fs = lint_rule_file(rf);
  INFO(listing(fs));
  CHECK(fs.empty());
  REQUIRE(rf.groups.size() == 1);
  CHECK(rf.groups[0].rules.size() == 3);
}
