// Builds a PlanNode from YAML text, as if it were one section of a plan file
// named plan.yaml, for tests of the suites' plan parsers.
#pragma once

#include <string>

#include "harness/config_error.h"

#include "harness/plan_node.h"
#include "harness/redactor.h"

namespace greenlight::test {

inline PlanNode plan_section(const std::string& yaml, const std::string& path) {
  static Redactor redactor;
  static Interpolation interpolation{&redactor, {}};
  return PlanNode(YAML::Load(yaml), "plan.yaml", path, &interpolation);
}

// The ConfigError message that parsing `yaml` as the section at `path` with
// `parse` gives, or "no error".
template <class Parse>
std::string plan_error(Parse parse, const std::string& yaml, const std::string& path) {
  try {
    parse(plan_section(yaml, path));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace greenlight::test
