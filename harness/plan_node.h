// A read-only view of one node of the plan file that knows where it came from,
// so every error can name file, line and key. Suites parse their own sections
// through it; unknown keys are rejected with a "did you mean" suggestion.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "harness/duration.h"

namespace greenlight {

class Redactor;

// What string values may refer to while the plan loads: ${env:NAME} (a secret,
// registered with the redactor) and ${var:NAME} (a plain value from the plan's
// `vars:` or --var NAME=VALUE).
struct Interpolation {
  Redactor* redactor = nullptr;
  std::map<std::string, std::string> vars;
};

// A map key as text. A list or a map used as a key is a ConfigError at the
// key's line (fallback_line when yaml-cpp knows none), naming file and path.
std::string yaml_key_text(const YAML::Node& key, const std::string& file, int fallback_line, const std::string& path);

class PlanNode {
 public:
  PlanNode(YAML::Node node, std::string file, std::string path, const Interpolation* interpolation);

  const std::string& path() const { return path_; }  // "suites.smoke.checks[2].expect"
  const std::string& file() const { return file_; }
  int line() const;  // 1-based
  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  const YAML::Node& yaml() const { return node_; }

  // Throws ConfigError for a key not in `allowed`, suggesting the closest one.
  void allow_keys(const std::set<std::string>& allowed) const;
  // Throws unless this is a map.
  void require_map() const;

  bool has(const std::string& key) const;
  PlanNode at(const std::string& key) const;  // throws when missing
  std::optional<PlanNode> find(const std::string& key) const;
  std::vector<PlanNode> items() const;  // elements of a sequence (throws otherwise)
  std::vector<std::pair<std::string, PlanNode>> entries() const;  // map entries, in file order

  // Scalars. ${env:NAME} and ${var:NAME} are expanded; ${capture:x} and
  // ${run:id} are left for the suite to expand at run time.
  std::string str() const;
  double number() const;
  int integer() const;
  bool boolean() const;
  Duration duration() const;

  std::string str(const std::string& key, const std::string& fallback) const;
  int integer(const std::string& key, int fallback) const;
  bool boolean(const std::string& key, bool fallback) const;
  Duration duration(const std::string& key, Duration fallback) const;

  [[noreturn]] void fail(const std::string& message) const;

 private:
  YAML::Node node_;
  std::string file_;
  std::string path_;
  const Interpolation* interp_;
};

// The closest of `candidates` to `word` if it is plausibly a typo of it, else "".
std::string closest_match(const std::string& word, const std::set<std::string>& candidates);

// Expands ${env:NAME} and ${var:NAME} in `text`; throws std::runtime_error naming
// an unset one. Every ${env:} value is registered with the redactor.
std::string expand_plan_vars(const std::string& text, const Interpolation& interpolation);

}  // namespace greenlight
