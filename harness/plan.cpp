// Loads the plan's top level: target, deadline and the suites map.
#include "harness/plan.h"

#include <filesystem>
#include <fstream>

#include "harness/config_error.h"

namespace greenlight {

namespace {

Target parse_target(const PlanNode& n) {
  n.allow_keys({"base_url", "database", "prometheus", "headers"});
  Target t;
  t.base_url = n.str("base_url", "");
  while (!t.base_url.empty() && t.base_url.back() == '/') t.base_url.pop_back();
  if (!t.base_url.empty() && t.base_url.rfind("http://", 0) != 0 && t.base_url.rfind("https://", 0) != 0)
    n.at("base_url").fail("must start with http:// or https://");
  t.database = n.str("database", "");
  if (!t.database.empty() && t.database.rfind("sqlite://", 0) != 0 && t.database.rfind("postgresql://", 0) != 0 &&
      t.database.rfind("postgres://", 0) != 0)
    n.at("database").fail("must be a DSN starting with sqlite:// or postgresql://");
  t.prometheus = n.str("prometheus", "");
  if (auto h = n.find("headers")) {
    for (auto& [name, value] : h->entries()) t.headers.emplace_back(name, value.str());
  }
  return t;
}

}  // namespace

Plan load_plan(const std::string& file, const PlanOverrides& overrides) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file, 0, "", "cannot read the plan file");
  Plan plan;
  plan.file = file;
  plan.redactor = std::make_shared<Redactor>();
  YAML::Node root;
  try {
    root = YAML::Load(in);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file, e.mark.line + 1, "", "invalid YAML: " + e.msg);
  }
  plan.interpolation = std::make_shared<Interpolation>();
  plan.interpolation->redactor = plan.redactor.get();
  PlanNode top(root, file, "", plan.interpolation.get());
  if (!root || root.IsNull()) throw ConfigError(file, 1, "", "the plan is empty: it needs 'target' and 'suites'");
  top.allow_keys({"target", "suites", "deadline", "vars", "profiles", "history"});
  if (auto vars = top.find("vars"))
    for (auto& [name, value] : vars->entries()) plan.interpolation->vars[name] = value.str();
  for (auto& [name, value] : overrides.vars) plan.interpolation->vars[name] = value;
  plan.target = parse_target(top.at("target"));
  if (!overrides.target_url.empty()) {
    plan.target.base_url = overrides.target_url;
    while (!plan.target.base_url.empty() && plan.target.base_url.back() == '/') plan.target.base_url.pop_back();
  }
  plan.redactor->add(dsn_password(plan.target.database));
  plan.deadline = top.duration("deadline", plan.deadline);
  plan.profiles = top.find("profiles");
  if (plan.profiles) plan.profiles->require_map();
  if (auto h = top.find("history")) {
    std::filesystem::path p = h->str();
    if (p.empty()) h->fail("a path to the run history database (SQLite)");
    if (p.is_relative()) p = std::filesystem::path(file).parent_path() / p;
    plan.history = p.string();
  }
  PlanNode suites = top.at("suites");
  suites.require_map();
  plan.suites = suites.entries();
  if (plan.suites.empty()) suites.fail("no suites: name at least one (smoke, migration, backup, alerts, load)");
  return plan;
}

}  // namespace greenlight
