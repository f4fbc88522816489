// Lint, unit tests and live checks of alert rules, each failure a check.
#include "suites/alerts/alerts_job.h"

#include <glob.h>

#include <filesystem>

namespace greenlight {

std::vector<std::string> expand_globs(const std::vector<std::string>& patterns, const std::string& dir) {
  std::vector<std::string> out;
  for (const std::string& p : patterns) {
    std::string full = std::filesystem::path(p).is_absolute() || dir.empty() ? p : dir + "/" + p;
    glob_t g{};
    if (::glob(full.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.push_back(g.gl_pathv[i]);
    } else {
      out.push_back(full);
    }
    globfree(&g);
  }
  return out;
}

namespace {

Check lint_check(const RuleFile& file, const AlertsJob& job) {
  Check c{"lint " + std::filesystem::path(file.path).filename().string()};
  std::string failing, all;
  int warnings = 0, rules = 0;
  for (const RuleGroup& g : file.groups) rules += static_cast<int>(g.rules.size());
  for (const RuleFinding& f : lint_rule_file(file, job.lint)) {
    all += format_rule_finding(f) + "\n";
    warnings += !f.error;
    if (f.error || job.strict) failing += (failing.empty() ? "" : "\n") + format_rule_finding(f);
  }
  c.figures = {{"rules", double(rules), ""}, {"warnings", double(warnings), ""}};
  if (!all.empty()) c.evidence.push_back({"findings", all});
  if (!failing.empty()) c.outcome = Outcome::failed, c.message = failing;
  return c;
}

}  // namespace

std::vector<Check> run_alerts_job(const AlertsJob& job) {
  std::vector<Check> out;
  std::vector<RuleFile> files;
  for (const std::string& path : job.rule_files) {
    files.push_back(load_rule_file(path));
    out.push_back(lint_check(files.back(), job));
  }
  for (const std::string& path : job.test_files) {
    try {
      for (Check& c : run_unit_test_file(path, job.unit)) out.push_back(std::move(c));
    } catch (const std::exception& e) {
      out.push_back({"test " + std::filesystem::path(path).filename().string(), Outcome::failed, e.what()});
    }
  }
  if (job.live) {
    for (Check& c : live_checks(files, job.live_options)) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace greenlight
