// Profiles: the four jobs a team runs with one plan — the CI gate before a
// release, the nightly staging verification, the capacity planning run and
// the monthly restore drill. A profile selects suites, deep-merges partial
// sections over the plan's (to make the gate short, say) and names the
// regression rules judged against the run history. Built-in profiles exist
// for those four names; a plan's `profiles:` may define others or replace a
// built-in one of the same name. docs/profiles.md has the details.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "harness/plan.h"

namespace greenlight {

struct Profile {
  std::string name;
  bool builtin = false;
  std::vector<std::string> suites;              // empty: every suite of the plan
  std::map<std::string, YAML::Node> overrides;  // suite name -> partial section (a map)
  std::vector<std::string> regressions;         // "load/*/p99 <= baseline * 1.25 + 5"
  std::string regressions_file;                 // where the rules were written, for errors
  std::vector<int> regressions_lines;           // their lines (0 for built-in ones)
};

// The names of the built-in profiles, in the order documented.
const std::vector<std::string>& builtin_profile_names();

// Looks `name` up in the plan's `profiles:` section, then among the
// built-ins, and applies it: plan.suites keeps the profile's suites that the
// plan has (in plan order) with the overrides merged into their sections.
// A plan profile naming a suite the plan lacks is a ConfigError with its
// line; a built-in one just skips it (a plan without a backup section has no
// drill to run, which the drill profile then reports as an error: nothing to run).
// Throws ConfigError for an unknown profile (listing the known ones) or a bad
// `profiles:` section, and when the profile leaves no suite to run.
Profile apply_profile(Plan& plan, const std::string& name);

// Validates the plan's `profiles:` section without applying any (for `greenlight check`).
void check_profiles(const Plan& plan);

// `over` merged into `base`: maps merge key by key (recursively), anything
// else in `over` replaces what `base` has. Neither input is modified; the
// result shares unmodified nodes (and so their file positions) with them.
YAML::Node merge_yaml(const YAML::Node& base, const YAML::Node& over);

}  // namespace greenlight
