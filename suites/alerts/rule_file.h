// Prometheus rule files as Prometheus reads them (rulefmt): groups of
// recording and alerting rules, every field with the line it came from, the
// expressions parsed by greenlight's own PromQL parser. What Prometheus would
// refuse to load is an error finding; the lint (rule_lint.h) adds warnings.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "suites/alerts/promql/ast.h"

namespace greenlight {

struct RuleFinding {
  std::string file;
  int line = 0;
  std::string id;       // "yaml", "promql-syntax", "duplicate-rule", "missing-for-on-page", ...
  bool error = true;    // false: a warning
  std::string message;  // names the group and rule: `group "api", alert "HighErrorRate": ...`
};

struct Rule {
  std::string record;  // exactly one of record and alert is set
  std::string alert;
  std::string expr;
  int line = 0;       // of the rule's first key
  int expr_line = 0;  // of `expr:`
  std::int64_t for_ms = 0;
  std::int64_t keep_firing_for_ms = 0;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::map<std::string, int> label_lines;       // line of each label's key
  std::map<std::string, int> annotation_lines;  // line of each annotation's key
  promql::NodePtr parsed;  // null when expr does not parse
  const std::string& name() const { return alert.empty() ? record : alert; }
};

struct RuleGroup {
  std::string name;
  int line = 0;
  std::int64_t interval_ms = 0;  // 0: the global evaluation interval
  int limit = 0;
  // Prometheus 3 only (2.42 refuses them; greenlight accepts them with a
  // "prometheus3-only" warning finding).
  std::int64_t query_offset_ms = 0;
  std::map<std::string, std::string> labels;
  std::vector<Rule> rules;
};

struct RuleFile {
  std::string path;
  std::vector<RuleGroup> groups;
  // Errors Prometheus would refuse the file for, plus warnings only the
  // loader can see (a Prometheus 3 field); rule_lint.h adds the rest.
  std::vector<RuleFinding> findings;
  bool ok() const;  // no error finding
};

// Reads and validates `path` (never throws for its content; an unreadable file
// is an error finding too).
RuleFile load_rule_file(const std::string& path);

}  // namespace greenlight
