// The plan file: what to verify (target) and how (suites). Loading validates
// the top level; each suite validates its own section when it is built.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/duration.h"
#include "harness/plan_node.h"
#include "harness/redactor.h"

namespace greenlight {

struct Target {
  std::string base_url;    // "http://127.0.0.1:8080", no trailing slash
  std::string database;    // DSN: sqlite:///path or postgresql://user@host:port/db
  std::string prometheus;  // URL of a Prometheus server, optional
  std::vector<std::pair<std::string, std::string>> headers;  // sent with every request
};

struct Plan {
  std::string file;
  Target target;
  Duration deadline{600};  // the whole run; checks not finished by then fail
  std::vector<std::pair<std::string, PlanNode>> suites;  // in file order
  std::optional<PlanNode> profiles;  // the plan's own profiles (harness/profile.h)
  std::string history;               // `history:` the run history database, "" when not set
  // Owns the secrets found while loading; shared with the run so that
  // captures add to the same set.
  std::shared_ptr<Redactor> redactor;
  std::shared_ptr<Interpolation> interpolation;  // the PlanNodes above point into it
};

struct PlanOverrides {
  std::string target_url;                     // --target-url
  std::map<std::string, std::string> vars;    // --var NAME=VALUE, over the plan's vars:
};

// Throws ConfigError (file:line: key: message) for anything wrong.
Plan load_plan(const std::string& file, const PlanOverrides& overrides = {});

}  // namespace greenlight
