// The plan's `migration` section and the suite that runs its sets.
#include "suites/migration/migration_suite.h"

#include <set>

#include "harness/redactor.h"
#include "harness/status_line.h"

namespace greenlight {

namespace {

const std::set<std::string> kCheckNames = {"lint", "apply", "reverse", "status", "drift"};

std::filesystem::path relative_to(const std::filesystem::path& dir, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() ? path : dir / path;
}

LintOptions parse_lint(const PlanNode& node) {
  node.allow_keys({"rules", "sqlite_version"});
  LintOptions o;
  o.sqlite_version = node.str("sqlite_version", "");
  if (auto rules = node.find("rules")) {
    std::set<std::string> ids;
    for (const LintRule& r : lint_rules()) ids.insert(r.id);
    rules->allow_keys(ids);
    for (auto& [id, value] : rules->entries()) {
      std::string s = value.str();
      if (s == "off") o.severity[id] = Severity::off;
      else if (s == "warning") o.severity[id] = Severity::warning;
      else if (s == "error") o.severity[id] = Severity::error;
      else value.fail("severity must be off, warning or error, not '" + s + "'");
    }
  }
  return o;
}

// `target_given`: false when the set takes the plan's target.database at run time.
MigrationJob parse_set(const PlanNode& node, const std::filesystem::path& plan_dir, bool named, bool& target_given) {
  node.allow_keys({"name", "dir", "convention", "dialect", "scratch", "target", "ledger", "checks", "strict", "lint"});
  MigrationJob job;
  if (named) job.name = node.at("name").str();
  job.dir = relative_to(plan_dir, node.at("dir").str());
  if (!std::filesystem::is_directory(job.dir)) node.at("dir").fail("no such directory: " + job.dir.string());
  if (auto c = node.find("convention")) {
    job.convention = parse_convention(c->str());
    if (!job.convention) c->fail("unknown convention '" + c->str() + "' (flyway, golang-migrate, dbmate or plain)");
  }
  if (auto d = node.find("dialect")) {
    if (d->str() == "sqlite") job.dialect = Dialect::sqlite;
    else if (d->str() == "postgresql") job.dialect = Dialect::postgresql;
    else d->fail("unknown dialect '" + d->str() + "' (sqlite or postgresql)");
  }
  for (const char* key : {"scratch", "target"}) {
    if (auto n = node.find(key)) {
      try {
        dialect_of(n->str());
      } catch (const std::invalid_argument& e) {
        n->fail(e.what());
      }
    }
  }
  job.scratch = node.str("scratch", "");
  target_given = node.has("target");
  job.target = node.str("target", "");
  job.ledger = relative_to(plan_dir, node.str("ledger", ".greenlight/history.db"));
  if (auto checks = node.find("checks")) {
    job.lint = job.apply = job.reverse = job.status = job.drift = false;
    for (const PlanNode& c : checks->items()) {
      std::string name = c.str();
      if (!kCheckNames.count(name)) c.fail("unknown check '" + name + "' (lint, apply, reverse, status, drift)");
      if (name == "lint") job.lint = true;
      if (name == "apply") job.apply = true;
      if (name == "reverse") job.apply = job.reverse = true;
      if (name == "status") job.status = true;
      if (name == "drift") job.drift = true;
    }
  }
  job.strict = node.boolean("strict", false);
  if (auto lint = node.find("lint")) job.lint_options = parse_lint(*lint);
  return job;
}

struct PlannedSet {
  MigrationJob job;
  bool target_given = false;
};

class MigrationSuite : public Suite {
 public:
  explicit MigrationSuite(std::vector<PlannedSet> sets) : sets_(std::move(sets)) {}

  SuiteResult run(const SuiteContext& ctx) override {
    SuiteResult out;
    for (PlannedSet& s : sets_) {
      MigrationJob job = s.job;
      if (!s.target_given) job.target = ctx.target.database;
      for (const std::string& dsn : {job.scratch, job.target}) ctx.redactor->add(dsn_password(dsn));
      JobHooks hooks;
      hooks.cancelled = [&ctx] { return ctx.cancelled() || ctx.past_deadline(); };
      hooks.progress = [&ctx, &job](const std::string& text) {
        if (ctx.status) ctx.status->set("migration " + (job.name.empty() ? "" : job.name + " ") + text);
      };
      for (Check& c : run_migration_job(job, hooks)) out.checks.push_back(std::move(c));
    }
    return out;
  }

 private:
  std::vector<PlannedSet> sets_;
};

std::vector<PlannedSet> parse_sets(const PlanNode& section) {
  section.require_map();
  const std::filesystem::path plan_dir = std::filesystem::absolute(section.file()).parent_path();
  std::vector<PlannedSet> sets;
  if (auto list = section.find("sets")) {
    section.allow_keys({"sets"});
    std::set<std::string> names;
    for (const PlanNode& item : list->items()) {
      PlannedSet s;
      s.job = parse_set(item, plan_dir, true, s.target_given);
      if (!names.insert(s.job.name).second) item.at("name").fail("two sets are named '" + s.job.name + "'");
      sets.push_back(std::move(s));
    }
    if (sets.empty()) list->fail("no migration sets: give at least one {name, dir}");
  } else {
    PlannedSet s;
    s.job = parse_set(section, plan_dir, false, s.target_given);
    sets.push_back(std::move(s));
  }
  return sets;
}

}  // namespace

std::vector<MigrationJob> parse_migration_plan(const PlanNode& section) {
  std::vector<MigrationJob> jobs;
  for (PlannedSet& s : parse_sets(section)) jobs.push_back(std::move(s.job));
  return jobs;
}

std::unique_ptr<Suite> build_migration_suite(const PlanNode& section) {
  return std::make_unique<MigrationSuite>(parse_sets(section));
}

}  // namespace greenlight
