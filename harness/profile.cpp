// Profile lookup (the plan's own, then the built-ins), the built-in
// defaults, and applying a profile to the plan's suites.
#include "harness/profile.h"

#include <algorithm>
#include <set>

#include "harness/config_error.h"
#include "harness/plan_node.h"

namespace greenlight {

namespace {

const std::set<std::string> kProfileKeys = {"suites", "overrides", "regressions"};

bool plan_has(const Plan& plan, const std::string& suite) {
  for (auto& [name, _] : plan.suites)
    if (name == suite) return true;
  return false;
}

const PlanNode* section_of(const Plan& plan, const std::string& suite) {
  for (auto& [name, section] : plan.suites)
    if (name == suite) return &section;
  return nullptr;
}

// The built-ins are defaults for a plan that says nothing: they only
// override keys the plan's sections can take, so a plan without a load
// `capacity:` keeps running its scenarios in the gate. Regression rules use
// generous slack: a gate that fails on the noise of a shared CI runner gets
// switched off, which protects nobody.
Profile builtin_profile(const Plan& plan, const std::string& name) {
  Profile p;
  p.name = name;
  p.builtin = true;
  const PlanNode* load = section_of(plan, "load");
  const bool has_scenarios = load && load->has("scenarios");
  const bool has_capacity = load && load->has("capacity");
  if (name == "gate") {
    p.suites = {"smoke", "migration", "alerts", "load"};
    p.overrides["alerts"] = YAML::Load("{live: false}");
    if (has_scenarios) p.overrides["load"] = YAML::Load("{parts: [scenarios], max_duration: 10s}");
    else if (has_capacity) p.overrides["load"] = YAML::Load("{max_duration: 2s}");
    p.regressions = {"load/*/p99 <= baseline * 1.25 + 5", "load/*/error_rate <= baseline + 0.5"};
  } else if (name == "nightly") {
    p.regressions = {"load/*/p99 <= baseline * 1.25 + 5", "load/*/error_rate <= baseline + 0.5",
                     "load/capacity/capacity >= baseline * 0.8", "backup/drill/rto <= baseline * 1.5 + 10"};
  } else if (name == "capacity") {
    p.suites = {"load"};
    if (has_capacity) p.overrides["load"] = YAML::Load("{parts: [capacity]}");
    p.regressions = {"load/capacity/capacity >= baseline * 0.9"};
  } else if (name == "drill") {
    p.suites = {"backup"};
    p.regressions = {"backup/drill/rto <= baseline * 1.5 + 10"};
  } else {
    throw std::logic_error("no built-in profile " + name);
  }
  p.regressions_lines.assign(p.regressions.size(), 0);
  return p;
}

Profile parse_profile(const std::string& name, const PlanNode& n, const Plan& plan) {
  n.require_map();
  n.allow_keys(kProfileKeys);
  Profile p;
  p.name = name;
  if (auto suites = n.find("suites")) {
    for (const PlanNode& s : suites->items()) {
      std::string suite = s.str();
      if (!plan_has(plan, suite)) {
        std::set<std::string> known;
        for (auto& [k, _] : plan.suites) known.insert(k);
        std::string hint = closest_match(suite, known);
        s.fail("the plan has no suite '" + suite + "'" + (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
      p.suites.push_back(suite);
    }
    if (p.suites.empty()) suites->fail("list at least one suite (or leave 'suites' out to run them all)");
  }
  if (auto overrides = n.find("overrides")) {
    overrides->require_map();
    for (auto& [suite, section] : overrides->entries()) {
      if (!plan_has(plan, suite)) section.fail("the plan has no suite '" + suite + "' to override");
      section.require_map();
      p.overrides[suite] = section.yaml();
    }
  }
  if (auto rules = n.find("regressions")) {
    p.regressions_file = rules->file();
    for (const PlanNode& r : rules->items()) {
      p.regressions.push_back(r.str());
      p.regressions_lines.push_back(r.line());
    }
  }
  return p;
}

Profile find_profile(const Plan& plan, const std::string& name) {
  if (plan.profiles)
    if (auto own = plan.profiles->find(name)) return parse_profile(name, *own, plan);
  const auto& builtins = builtin_profile_names();
  if (std::find(builtins.begin(), builtins.end(), name) != builtins.end()) return builtin_profile(plan, name);
  std::set<std::string> known(builtins.begin(), builtins.end());
  if (plan.profiles)
    for (auto& [k, _] : plan.profiles->entries()) known.insert(k);
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  std::string hint = closest_match(name, known);
  throw ConfigError("--profile " + name + ": no such profile in " + plan.file + " or built in" +
                    (hint.empty() ? "" : " (did you mean '" + hint + "'?)") + "; known: " + list);
}

}  // namespace

const std::vector<std::string>& builtin_profile_names() {
  static const std::vector<std::string> names = {"gate", "nightly", "capacity", "drill"};
  return names;
}

YAML::Node merge_yaml(const YAML::Node& base, const YAML::Node& over) {
  if (!base || !base.IsMap() || !over.IsMap()) return over;
  YAML::Node out(YAML::NodeType::Map);
  for (auto it = base.begin(); it != base.end(); ++it) {
    const std::string key = yaml_key_text(it->first, "", 0, "profiles");
    out[key] = over[key] ? merge_yaml(it->second, over[key]) : it->second;
  }
  for (auto it = over.begin(); it != over.end(); ++it) {
    const std::string key = yaml_key_text(it->first, "", 0, "profiles");
    if (!base[key]) out[key] = it->second;
  }
  return out;
}

Profile apply_profile(Plan& plan, const std::string& name) {
  Profile p = find_profile(plan, name);
  std::vector<std::pair<std::string, PlanNode>> kept;
  for (auto& [suite, section] : plan.suites) {
    if (!p.suites.empty() && std::find(p.suites.begin(), p.suites.end(), suite) == p.suites.end()) continue;
    auto o = p.overrides.find(suite);
    if (o == p.overrides.end()) {
      kept.emplace_back(suite, section);
    } else {
      kept.emplace_back(suite, PlanNode(merge_yaml(section.yaml(), o->second), section.file(), section.path(),
                                        plan.interpolation.get()));
    }
  }
  if (kept.empty()) {
    std::string wanted;
    for (const std::string& s : p.suites) wanted += (wanted.empty() ? "" : ", ") + s;
    throw ConfigError(plan.file, 0, "profiles." + name,
                      "the profile '" + name + "' runs " + wanted + ", and the plan has none of them");
  }
  plan.suites = std::move(kept);
  return p;
}

void check_profiles(const Plan& plan) {
  if (!plan.profiles) return;
  for (auto& [name, node] : plan.profiles->entries()) parse_profile(name, node, plan);
}

}  // namespace greenlight
