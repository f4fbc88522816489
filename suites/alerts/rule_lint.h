// The alert-rule lint: warnings about rules Prometheus loads but that will not
// page when they should (or page when they should not), each with an id whose
// level the user sets, and `# greenlight:ignore <id>` suppressions in the file.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "suites/alerts/rule_file.h"

namespace greenlight {

enum class LintLevel { Off, Warning, Error };

struct LintConfig {
  std::map<std::string, LintLevel> levels;  // by id; an id not listed is a warning
  std::vector<std::string> required_labels = {"severity"};
  std::vector<std::string> required_annotations = {"summary"};  // add "runbook_url" to require it
  std::set<std::string> page_severities = {"page", "critical"};  // values of `severity` that page someone
  std::int64_t scrape_interval_ms = 60'000;
  std::int64_t evaluation_interval_ms = 60'000;  // for groups without `interval`
  int prometheus_major = 2;                      // 2: warn about what only Prometheus 3 knows
};

// Every lint id with a one-line description, for --help and the docs.
const std::map<std::string, std::string>& lint_rule_ids();

// The file's own findings (errors and loader warnings) and the lint's, with
// the configured levels applied and suppressed or "off" findings removed,
// sorted by line. Reads the file again for `# greenlight:ignore` comments.
std::vector<RuleFinding> lint_rule_file(const RuleFile& file, const LintConfig& config = {});

// `file:line: error|warning: message [id]`
std::string format_rule_finding(const RuleFinding& finding);

}  // namespace greenlight
