// The plan's `backup` section and the suite that runs its drill.
#include "suites/backup/backup_suite.h"

#include "harness/redactor.h"
#include "harness/status_line.h"

namespace greenlight {

namespace {

std::filesystem::path relative_to(const std::filesystem::path& dir, const std::string& p) {
  std::filesystem::path path(p);
  return path.is_absolute() ? path : dir / path;
}

class BackupSuite : public Suite {
 public:
  BackupSuite(BackupJob job, bool source_from_target) : job_(std::move(job)), source_from_target_(source_from_target) {}

  SuiteResult run(const SuiteContext& ctx) override {
    BackupJob job = job_;
    if (source_from_target_) job.drill.source = ctx.target.database;
    SuiteResult out;
    if (job.drill.source.empty()) {
      out.checks.push_back({"drill", Outcome::error, "no database to drill: set backup.source or target.database"});
      return out;
    }
    for (const std::string& dsn : {job.drill.source, job.drill.scratch}) ctx.redactor->add(dsn_password(dsn));
    job.drill.methods.cancel = ctx.cancel;
    out.checks = run_backup_job(job, [&ctx](const std::string& text) {
      if (ctx.status) ctx.status->set(text);
    });
    return out;
  }

 private:
  BackupJob job_;
  bool source_from_target_;
};

}  // namespace

BackupJob parse_backup_plan(const PlanNode& section, bool* source_from_target) {
  section.require_map();
  section.allow_keys({"source", "scratch", "dir", "artifact", "max_age", "keep", "backup_cmd", "restore_cmd", "volatile",
                      "volatile_tolerance", "compare_rows", "rpo_column", "thresholds", "jobs", "timeout", "history"});
  const std::filesystem::path plan_dir = std::filesystem::absolute(section.file()).parent_path();
  BackupJob job;
  DrillSpec& d = job.drill;
  for (const char* key : {"source", "scratch"}) {
    if (auto n = section.find(key)) {
      try {
        dialect_of(n->str());
      } catch (const std::invalid_argument& e) {
        n->fail(e.what());
      }
    }
  }
  d.source = section.str("source", "");
  if (source_from_target) *source_from_target = !section.has("source");
  d.scratch = section.str("scratch", "");
  if (section.has("dir") && section.has("artifact")) section.at("artifact").fail("give either dir or artifact, not both");
  if (auto n = section.find("dir")) job.dir = relative_to(plan_dir, n->str());
  if (auto n = section.find("artifact")) d.artifact = relative_to(plan_dir, n->str());
  for (const char* key : {"max_age", "keep"})
    if (section.has(key) && job.dir.empty()) section.at(key).fail(std::string(key) + " applies to a backup folder: set dir too");
  if (section.has("max_age"))
    job.policy.max_age = std::chrono::seconds(int64_t(section.duration("max_age", Duration(0)).count()));
  if (auto n = section.find("keep")) {
    job.policy.keep = n->integer();
    if (*job.policy.keep < 1) n->fail("keep must be at least 1");
  }
  d.methods.backup_cmd = section.str("backup_cmd", "");
  d.methods.restore_cmd = section.str("restore_cmd", "");
  if (auto n = section.find("volatile"))
    for (const PlanNode& t : n->items()) d.digest.volatile_tables.insert(t.str());
  d.volatile_tolerance = section.integer("volatile_tolerance", 0);
  d.compare_rows = section.boolean("compare_rows", false);
  if (auto n = section.find("rpo_column")) {
    std::string v = n->str();
    auto dot = v.rfind('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == v.size()) n->fail("rpo_column must be TABLE.COLUMN, not '" + v + "'");
    d.rpo_table = v.substr(0, dot);
    d.rpo_column = v.substr(dot + 1);
  }
  if (auto n = section.find("thresholds")) {
    for (const PlanNode& t : n->items()) {
      try {
        parse_drill_threshold(t.str(), d);
      } catch (const std::invalid_argument& e) {
        t.fail(e.what());
      }
    }
  }
  d.methods.restore_jobs = section.integer("jobs", 2);
  if (auto n = section.find("timeout"))
    d.methods.timeout = std::chrono::milliseconds(int64_t(n->duration().count() * 1000));
  d.history = relative_to(plan_dir, section.str("history", ".greenlight/history.db"));
  return job;
}

std::unique_ptr<Suite> build_backup_suite(const PlanNode& section) {
  bool from_target = false;
  BackupJob job = parse_backup_plan(section, &from_target);
  return std::make_unique<BackupSuite>(std::move(job), from_target);
}

}  // namespace greenlight
