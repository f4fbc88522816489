// Loading rule files as Prometheus' rulefmt does: every error kind is caught
// with its file, line, group and rule, and the same file fixed loads clean;
// what loads is read into the structs with the lines it came from.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "suites/alerts/promql/ast.h"
#include "suites/alerts/rule_file.h"
#include "tests/support/temp_dir.h"

using greenlight::load_rule_file;
using greenlight::RuleFile;
using greenlight::RuleFinding;
using greenlight::test::TempDir;

namespace {

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string all_findings(const RuleFile& rf) {
  std::string out;
  for (const auto& f : rf.findings) out += f.file + ":" + std::to_string(f.line) + ": " + f.message + " [" + f.id + "]\n";
  return out;
}

const RuleFinding* find(const RuleFile& rf, const std::string& id) {
  for (const auto& f : rf.findings)
    if (f.id == id) return &f;
  return nullptr;
}

struct ErrorCase {
  std::string id;
  std::string bad;
  int line;            // where the error is
  std::string needle;  // part of the message: the group, the rule, the fault
  std::string fixed;   // the same file, corrected
};

const std::string kHead = "groups:\n  - name: api\n    rules:\n";  // rules start on line 4

const std::vector<ErrorCase> kErrors = {
    {"yaml", "groups:\n  - name: api\n   rules: []\n", 3, "YAML syntax error", "groups:\n  - name: api\n    rules: []\n"},
    {"yaml", "groups:\n  - name: api\n    rules: [\n", 4, "YAML syntax error", "groups:\n  - name: api\n    rules: []\n"},
    {"yaml", "groups:\n  - name: \"caf\xe9\"\n    rules: []\n", 2, "invalid UTF-8",
     "groups:\n  - name: \"caf\xc3\xa9\"\n    rules: []\n"},
    {"yaml-type", "groups: api\n", 1, "cannot unmarshal !!str `api` into []rulefmt.RuleGroup",
     "groups:\n  - name: api\n"},
    {"yaml-type", "- name: api\n", 1, "cannot unmarshal !!seq into rulefmt.RuleGroups", "groups:\n- name: api\n"},
    {"yaml-type", kHead + "      - up == 0\n", 4, "cannot unmarshal !!str `up == 0` into rulefmt.RuleNode",
     kHead + "      - {alert: Down, expr: up == 0}\n"},
    {"yaml-type", "groups:\n  - name: api\n    limit: \"10\"\n", 3, "group \"api\": limit: cannot unmarshal !!str `10` into int",
     "groups:\n  - name: api\n    limit: 10\n"},
    {"yaml-type", kHead + "      - alert: Down\n        expr: up == 0\n        labels: [severity]\n", 6,
     "group \"api\", alert \"Down\": labels: cannot unmarshal !!seq into map[string]string",
     kHead + "      - alert: Down\n        expr: up == 0\n        labels: {severity: page}\n"},
    {"yaml-type", kHead + "      - alert: Down\n        expr: up == 0\n        labels:\n          severity: [page]\n", 7,
     "group \"api\", alert \"Down\": labels \"severity\": cannot unmarshal !!seq into string",
     kHead + "      - alert: Down\n        expr: up == 0\n        labels:\n          severity: page\n"},
    {"yaml-type", kHead + "      - alert: Down\n        expr: up == 0\n        for: [5m]\n", 6,
     "group \"api\", alert \"Down\": for: cannot unmarshal !!seq into string",
     kHead + "      - alert: Down\n        expr: up == 0\n        for: 5m\n"},
    {"unknown-field", "rule_groups:\n  - name: api\n", 1, "field rule_groups not found in type rulefmt.RuleGroups",
     "groups:\n  - name: api\n"},
    {"unknown-field", "groups:\n  - name: api\n    evaluation_interval: 1m\n", 3,
     "group \"api\": field evaluation_interval not found in type rulefmt.RuleGroup", "groups:\n  - name: api\n    interval: 1m\n"},
    {"unknown-field", kHead + "      - alert: Down\n        expr: up == 0\n        annotation: {summary: down}\n", 6,
     "group \"api\", alert \"Down\": field annotation not found in type rulefmt.RuleNode",
     kHead + "      - alert: Down\n        expr: up == 0\n        annotations: {summary: down}\n"},
    {"duplicate-key", kHead + "      - alert: Down\n        expr: up == 0\n        expr: up < 1\n", 6,
     "group \"api\", alert \"Down\": mapping key \"expr\" already defined at line 5", kHead + "      - alert: Down\n        expr: up < 1\n"},
    {"group-name-empty", "groups:\n  - rules: []\n", 2, "group name must not be empty", "groups:\n  - name: api\n    rules: []\n"},
    {"group-name-duplicate", "groups:\n  - name: api\n  - name: db\n  - name: api\n", 4,
     "group name \"api\" is repeated in the file (first at line 2)", "groups:\n  - name: api\n  - name: db\n  - name: api2\n"},
    {"invalid-duration", "groups:\n  - name: api\n    interval: 1 minute\n", 3,
     "group \"api\": interval: not a valid duration string: \"1 minute\"", "groups:\n  - name: api\n    interval: 1m\n"},
    {"invalid-duration", kHead + "      - alert: Down\n        expr: up == 0\n        for: 5\n", 6,
     "group \"api\", alert \"Down\": for: not a valid duration string: \"5\"",
     kHead + "      - alert: Down\n        expr: up == 0\n        for: 5m\n"},
    {"invalid-duration", kHead + "      - alert: Down\n        expr: up == 0\n        keep_firing_for: -5m\n", 6,
     "group \"api\", alert \"Down\": keep_firing_for: not a valid duration string: \"-5m\"",
     kHead + "      - alert: Down\n        expr: up == 0\n        keep_firing_for: 5m\n"},
    {"invalid-duration", kHead + "      - alert: Down\n        expr: up == 0\n        for: \"\"\n", 6,
     "for: empty duration string", kHead + "      - alert: Down\n        expr: up == 0\n        for:\n"},
    {"rule-kind", kHead + "      - record: job:up:sum\n        alert: Down\n        expr: sum by (job) (up)\n", 4,
     "group \"api\", alert \"Down\": only one of 'record' and 'alert' must be set",
     kHead + "      - record: job:up:sum\n        expr: sum by (job) (up)\n"},
    {"rule-kind", kHead + "      - expr: up == 0\n", 4, "group \"api\", rule 1: one of 'record' or 'alert' must be set",
     kHead + "      - alert: Down\n        expr: up == 0\n"},
    {"expr-missing", kHead + "      - alert: Down\n        for: 5m\n", 4,
     "group \"api\", alert \"Down\": field 'expr' must be set in rule", kHead + "      - alert: Down\n        expr: up == 0\n        for: 5m\n"},
    {"expr-missing", kHead + "      - alert: Down\n        expr: \"\"\n", 5, "field 'expr' must be set",
     kHead + "      - alert: Down\n        expr: up == 0\n"},
    {"promql-syntax", kHead + "      - alert: Errors\n        expr: sum(rate(x[5m])) by\n", 5,
     "group \"api\", alert \"Errors\": could not parse expression: 1:20: parse error: unexpected end of input in grouping opts",
     kHead + "      - alert: Errors\n        expr: sum(rate(x[5m])) by (job) > 1\n"},
    {"promql-syntax", kHead + "      - alert: Errors\n        expr: rate(x) > 1\n", 5,
     "expected type range vector in call to function \"rate\", got instant vector",
     kHead + "      - alert: Errors\n        expr: rate(x[5m]) > 1\n"},
    {"promql-syntax", kHead + "      - alert: Errors\n        expr: rat(x[5m]) > 1\n", 5, "unknown function with name \"rat\"",
     kHead + "      - alert: Errors\n        expr: rate(x[5m]) > 1\n"},
    {"record-field", kHead + "      - record: job:up:sum\n        expr: sum by (job) (up)\n        for: 5m\n", 4,
     "group \"api\", record \"job:up:sum\": invalid field 'for' in recording rule",
     kHead + "      - record: job:up:sum\n        expr: sum by (job) (up)\n        for: 0s\n"},
    {"record-field", kHead + "      - record: job:up:sum\n        expr: sum by (job) (up)\n        keep_firing_for: 5m\n", 4,
     "invalid field 'keep_firing_for' in recording rule", kHead + "      - record: job:up:sum\n        expr: sum by (job) (up)\n"},
    {"record-field", kHead + "      - record: job:up:sum\n        expr: sum by (job) (up)\n        annotations: {summary: x}\n", 4,
     "invalid field 'annotations' in recording rule",
     kHead + "      - record: job:up:sum\n        expr: sum by (job) (up)\n        annotations: {}\n"},
    {"record-name", kHead + "      - record: job:up sum\n        expr: sum by (job) (up)\n", 4,
     "group \"api\", record \"job:up sum\": invalid recording rule name: job:up sum",
     kHead + "      - record: job:up:sum\n        expr: sum by (job) (up)\n"},
    {"record-name", kHead + "      - record: 5xx_rate\n        expr: sum by (job) (up)\n", 4, "invalid recording rule name: 5xx_rate",
     kHead + "      - record: http_5xx_rate\n        expr: sum by (job) (up)\n"},
    {"label-name", kHead + "      - alert: Down\n        expr: up == 0\n        labels:\n          team-name: payments\n", 7,
     "group \"api\", alert \"Down\": invalid label name: team-name",
     kHead + "      - alert: Down\n        expr: up == 0\n        labels:\n          team_name: payments\n"},
    {"label-name", kHead + "      - record: job:up:sum\n        expr: sum by (job) (up)\n        labels: {__name__: other}\n", 6,
     "group \"api\", record \"job:up:sum\": invalid label name: __name__",
     kHead + "      - record: job:up:sum\n        expr: sum by (job) (up)\n        labels: {__source: other}\n"},
    {"annotation-name", kHead + "      - alert: Down\n        expr: up == 0\n        annotations:\n          runbook-url: x\n", 7,
     "group \"api\", alert \"Down\": invalid annotation name: runbook-url",
     kHead + "      - alert: Down\n        expr: up == 0\n        annotations:\n          runbook_url: x\n"},
    {"template-syntax", kHead + "      - alert: Down\n        expr: up == 0\n        annotations:\n          summary: \"{{ $labels.instance is down\"\n",
     7, "group \"api\", alert \"Down\": annotation \"summary\": template: __alert_Down:1: function \"is\" not defined",
     kHead + "      - alert: Down\n        expr: up == 0\n        annotations:\n          summary: \"{{ $labels.instance }} is down\"\n"},
    {"template-syntax", kHead + "      - alert: Down\n        expr: up == 0\n        annotations:\n          summary: \"{{ $label.instance }}\"\n",
     7, "undefined variable \"$label\"",
     kHead + "      - alert: Down\n        expr: up == 0\n        annotations:\n          summary: \"{{ $labels.instance }}\"\n"},
    {"template-syntax", kHead + "      - alert: Down\n        expr: up == 0\n        annotations:\n          summary: \"{{ $labels.pod-name }}\"\n",
     7, "bad character U+002D '-'",
     kHead + "      - alert: Down\n        expr: up == 0\n        annotations:\n          summary: '{{ index $labels \"pod-name\" }}'\n"},
    {"template-syntax", kHead + "      - alert: Down\n        expr: up == 0\n        labels:\n          team: \"{{ $labels.team }\"\n", 7,
     "group \"api\", alert \"Down\": label \"team\": template: __alert_Down:1: unexpected \"}\" in operand",
     kHead + "      - alert: Down\n        expr: up == 0\n        labels:\n          team: \"{{ $labels.team }}\"\n"},
};

}  // namespace

TEST_CASE("every rulefmt error is caught with its file line group and rule", "[rulefile]") {
  TempDir dir;
  int n = 0;
  for (const ErrorCase& c : kErrors) {
    ++n;
    std::string bad = write(dir, "bad" + std::to_string(n) + ".yml", c.bad);
    std::string fixed = write(dir, "fixed" + std::to_string(n) + ".yml", c.fixed);
    INFO("case " << n << " [" << c.id << "]:\n" << c.bad);
    RuleFile rf = load_rule_file(bad);
    INFO("findings:\n" << all_findings(rf));
    CHECK_FALSE(rf.ok());
    const RuleFinding* f = find(rf, c.id);
    REQUIRE(f != nullptr);
    CHECK(f->error);
    CHECK(f->file == bad);
    CHECK(f->line == c.line);
    CHECK_THAT(f->message, Catch::Contains(c.needle));

    RuleFile good = load_rule_file(fixed);
    INFO("fixed:\n" << c.fixed << "findings:\n" << all_findings(good));
    CHECK(good.ok());
    CHECK(good.findings.empty());
  }
}

TEST_CASE("a rule file is read with every field and the line it came from", "[rulefile]") {
  TempDir dir;
  std::string path = write(dir, "rules.yml",
                           "# API rules\n"
                           "groups:\n"
                           "  - name: api\n"
                           "    interval: 30s\n"
                           "    limit: 10\n"
                           "    rules:\n"
                           "      - record: job:http_requests:rate5m\n"
                           "        expr: sum by (job) (rate(http_requests_total[5m]))\n"
                           "        labels: {team: payments}\n"
                           "      - alert: HighErrorRate\n"
                           "        expr: |\n"
                           "          job:http_errors:rate5m\n"
                           "            / job:http_requests:rate5m > 0.05\n"
                           "        for: 1h30m\n"
                           "        keep_firing_for: 5m\n"
                           "        labels:\n"
                           "          severity: page\n"
                           "        annotations:\n"
                           "          summary: \"{{ $labels.job }} fails\"\n"
                           "  - name: batch\n"
                           "    rules: []\n");
  RuleFile rf = load_rule_file(path);
  INFO(all_findings(rf));
  REQUIRE(rf.ok());
  CHECK(rf.path == path);
  REQUIRE(rf.groups.size() == 2);
  const auto& api = rf.groups[0];
  CHECK(api.name == "api");
  CHECK(api.line == 3);
  CHECK(api.interval_ms == 30'000);
  CHECK(api.limit == 10);
  REQUIRE(api.rules.size() == 2);
  const auto& rec = api.rules[0];
  CHECK(rec.record == "job:http_requests:rate5m");
  CHECK(rec.alert.empty());
  CHECK(rec.name() == "job:http_requests:rate5m");
  CHECK(rec.line == 7);
  CHECK(rec.expr_line == 8);
  CHECK(rec.labels.at("team") == "payments");
  REQUIRE(rec.parsed);
  CHECK(rec.parsed->as<greenlight::promql::Aggregate>() != nullptr);
  const auto& alert = api.rules[1];
  CHECK(alert.alert == "HighErrorRate");
  CHECK(alert.line == 10);
  CHECK(alert.expr_line == 11);
  CHECK(alert.expr == "job:http_errors:rate5m\n  / job:http_requests:rate5m > 0.05\n");
  CHECK(alert.for_ms == 5'400'000);
  CHECK(alert.keep_firing_for_ms == 300'000);
  CHECK(alert.labels.at("severity") == "page");
  CHECK(alert.label_lines.at("severity") == 17);
  CHECK(alert.annotations.at("summary") == "{{ $labels.job }} fails");
  CHECK(alert.annotation_lines.at("summary") == 19);
  REQUIRE(alert.parsed);
  CHECK(alert.parsed->as<greenlight::promql::Binary>() != nullptr);
  CHECK(rf.groups[1].name == "batch");
  CHECK(rf.groups[1].interval_ms == 0);
  CHECK(rf.groups[1].rules.empty());
}

TEST_CASE("an expression error in a block points at the line inside the block", "[rulefile]") {
  TempDir dir;
  std::string literal = write(dir, "literal.yml",
                              kHead + "      - alert: Errors\n"
                                      "        expr: |\n"
                                      "          sum by (job) (rate(http_requests_total[5m]))\n"
                                      "            * * 2\n"
                                      "          > 1\n");
  RuleFile rf = load_rule_file(literal);
  const RuleFinding* f = find(rf, "promql-syntax");
  REQUIRE(f != nullptr);
  INFO(f->message);
  CHECK(f->line == 7);  // the expression's second line, as promtool's "2:5" says
  CHECK_THAT(f->message, Catch::Contains("2:5: parse error: unexpected <op:*>"));

  std::string eof = write(dir, "eof.yml", kHead + "      - alert: Errors\n        expr: |\n          sum(\n");
  rf = load_rule_file(eof);
  f = find(rf, "promql-syntax");
  REQUIRE(f != nullptr);
  CHECK(f->line == 6);  // "end of input" is after the final newline: shown on the block's last line

  std::string folded = write(dir, "plain.yml",
                             kHead + "      - alert: Errors\n"
                                     "        expr: sum by (job) (rate(http_requests_total[5m]))\n"
                                     "          > on (job)\n"
                                     "          sum(\n");
  rf = load_rule_file(folded);
  f = find(rf, "promql-syntax");
  REQUIRE(f != nullptr);
  INFO(f->message);
  CHECK(f->line == 7);  // a plain scalar folds into one line; the error is on the file's third line of it
}

TEST_CASE("a template error in a block points at the line inside the block", "[rulefile]") {
  TempDir dir;
  std::string path = write(dir, "t.yml",
                           kHead + "      - alert: Down\n"
                                   "        expr: up == 0\n"
                                   "        annotations:\n"
                                   "          description: |\n"
                                   "            {{ $labels.instance }} is down.\n"
                                   "            Since {{ humanizeDuration $value }} and {{ humanise $value }}.\n");
  RuleFile rf = load_rule_file(path);
  const RuleFinding* f = find(rf, "template-syntax");
  REQUIRE(f != nullptr);
  CHECK(f->line == 9);
  CHECK_THAT(f->message, Catch::Contains("__alert_Down:2: function \"humanise\" not defined"));

  std::string eof = write(dir, "eof.yml",
                          kHead + "      - alert: Down\n"
                                  "        expr: up == 0\n"
                                  "        annotations:\n"
                                  "          description: |\n"
                                  "            {{ if eq $labels.env \"prod\" }}\n"
                                  "            Production is down.\n");
  rf = load_rule_file(eof);
  f = find(rf, "template-syntax");
  REQUIRE(f != nullptr);
  CHECK(f->line == 9);  // the last line of the block, not the line after it
  CHECK_THAT(f->message, Catch::Contains("unexpected EOF"));
}

TEST_CASE("recording rule templates are not parsed and alert templates are", "[rulefile]") {
  TempDir dir;
  RuleFile rec = load_rule_file(write(dir, "rec.yml", kHead + "      - record: a\n        expr: up\n        labels: {x: \"{{ nope }}\"}\n"));
  CHECK(rec.ok());
  RuleFile alert = load_rule_file(write(dir, "alert.yml", kHead + "      - alert: A\n        expr: up\n        labels: {x: \"{{ nope }}\"}\n"));
  CHECK_FALSE(alert.ok());
  CHECK(find(alert, "template-syntax") != nullptr);
}

TEST_CASE("what Prometheus reads loosely loads here too", "[rulefile]") {
  TempDir dir;
  SECTION("an empty file or one with only comments has no groups") {
    CHECK(load_rule_file(write(dir, "empty.yml", "")).ok());
    RuleFile rf = load_rule_file(write(dir, "comments.yml", "# nothing yet\n"));
    CHECK(rf.ok());
    CHECK(rf.groups.empty());
  }
  SECTION("only the first YAML document counts") {
    RuleFile rf = load_rule_file(
        write(dir, "multi.yml", kHead + "      - record: a\n        expr: up\n---\ngroups:\n  - name: ''\n    rules: [x]\n"));
    INFO(all_findings(rf));
    CHECK(rf.ok());
    REQUIRE(rf.groups.size() == 1);
  }
  SECTION("null groups and rules are dropped, and null values are empty") {
    RuleFile rf = load_rule_file(write(dir, "nulls.yml",
                                       "groups:\n  -\n  - name: api\n    rules:\n      -\n      - alert: Down\n"
                                       "        expr: up == 0\n        for:\n        labels: {severity: }\n"));
    INFO(all_findings(rf));
    CHECK(rf.ok());
    REQUIRE(rf.groups.size() == 1);
    REQUIRE(rf.groups[0].rules.size() == 1);
    CHECK(rf.groups[0].rules[0].for_ms == 0);
    CHECK(rf.groups[0].rules[0].labels.at("severity").empty());
  }
  SECTION("anchors aliases and merge keys are resolved") {
    RuleFile rf = load_rule_file(write(dir, "merge.yml",
                                       kHead + "      - alert: A\n        expr: up == 0\n        labels: &l {severity: page}\n"
                                               "      - alert: B\n        <<: {expr: 'up < 1', for: 5m}\n        labels: *l\n"));
    INFO(all_findings(rf));
    CHECK(rf.ok());
    REQUIRE(rf.groups.at(0).rules.size() == 2);
    const auto& b = rf.groups[0].rules[1];
    CHECK(b.expr == "up < 1");
    CHECK(b.for_ms == 300'000);
    CHECK(b.labels.at("severity") == "page");
  }
  SECTION("scalars of any type are strings, as yaml.v3 reads them") {
    RuleFile rf = load_rule_file(write(dir, "scalars.yml",
                                       "groups:\n  - name: 5\n    limit: 1.5\n    rules:\n      - alert: null\n"
                                       "        expr: up\n        for: 0\n        labels: {answer: 42, flag: true}\n"));
    INFO(all_findings(rf));
    CHECK(rf.ok());
    const auto& g = rf.groups.at(0);
    CHECK(g.name == "5");
    CHECK(g.limit == 1);
    CHECK(g.rules.at(0).alert == "null");
    CHECK(g.rules[0].labels.at("answer") == "42");
  }
}

TEST_CASE("Prometheus 3 group fields load with a warning", "[rulefile]") {
  TempDir dir;
  std::string path = write(dir, "v3.yml",
                           "groups:\n  - name: api\n    query_offset: 1m\n    labels:\n      team: payments\n    rules: []\n");
  RuleFile rf = load_rule_file(path);
  INFO(all_findings(rf));
  CHECK(rf.ok());
  REQUIRE(rf.groups.size() == 1);
  CHECK(rf.groups[0].query_offset_ms == 60'000);
  CHECK(rf.groups[0].labels.at("team") == "payments");
  REQUIRE(rf.findings.size() == 2);
  for (const auto& f : rf.findings) {
    CHECK_FALSE(f.error);
    CHECK(f.id == "prometheus3-only");
  }
  CHECK(rf.findings[0].line == 3);
  CHECK(rf.findings[1].line == 4);

  RuleFile bad = load_rule_file(write(dir, "v3bad.yml", "groups:\n  - name: api\n    labels:\n      team-x: a\n"));
  CHECK_FALSE(bad.ok());
  CHECK(find(bad, "label-name") != nullptr);
}

TEST_CASE("a missing file is an error finding not an exception", "[rulefile]") {
  TempDir dir;
  RuleFile rf = load_rule_file(dir.file("missing.yml"));
  CHECK_FALSE(rf.ok());
  REQUIRE(rf.findings.size() == 1);
  CHECK(rf.findings[0].id == "file");
  CHECK_THAT(rf.findings[0].message, Catch::Contains("missing.yml"));
}

TEST_CASE("several errors in one file are all reported", "[rulefile]") {
  TempDir dir;
  RuleFile rf = load_rule_file(write(dir, "many.yml",
                                     kHead + "      - alert: A\n        expr: up +\n        labels: {a-b: x}\n"
                                             "      - record: b c\n        expr: up\n        for: 1m\n"));
  CHECK(find(rf, "promql-syntax") != nullptr);
  CHECK(find(rf, "label-name") != nullptr);
  CHECK(find(rf, "record-name") != nullptr);
  CHECK(find(rf, "record-field") != nullptr);
  CHECK(rf.groups.at(0).rules.size() == 2);
}
