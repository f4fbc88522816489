// A backup folder's policy and the drill of its newest backup (or of a new one).
#include "suites/backup/backup_job.h"

#include <stdexcept>

#include "harness/duration.h"

namespace greenlight {

void parse_drill_threshold(const std::string& text, DrillSpec& spec) {
  std::string t;
  for (char c : text)
    if (c != ' ') t += c;
  auto lt = t.find('<');
  const std::string accepted = " (accepted: rto<DURATION, rpo<DURATION, e.g. rto<15m)";
  if (lt == std::string::npos) throw std::invalid_argument("threshold '" + text + "' has no '<'" + accepted);
  std::string name = t.substr(0, lt);
  std::string value = t.substr(lt + 1);
  if (!value.empty() && value[0] == '=') value = value.substr(1);
  auto d = parse_duration(value);
  if (!d) throw std::invalid_argument("threshold '" + text + "': '" + value + "' is not a duration" + accepted);
  if (name == "rto") spec.max_rto_s = d->count();
  else if (name == "rpo") spec.max_rpo_s = d->count();
  else throw std::invalid_argument("threshold '" + text + "': unknown figure '" + name + "'" + accepted);
}

std::vector<Check> run_backup_job(const BackupJob& job, const std::function<void(const std::string&)>& progress) {
  std::vector<Check> out;
  DrillSpec drill = job.drill;
  if (!job.dir.empty()) {
    Check policy{"backup directory"};
    std::vector<BackupFile> files;
    try {
      files = list_backups(job.dir);
    } catch (const std::exception& e) {
      out.push_back({"backup directory", Outcome::failed, e.what()});
      return out;
    }
    policy.figures = {{"backups", double(files.size()), ""}};
    std::string listing;
    for (const BackupFile& f : files) listing += f.path.filename().string() + "  " + std::to_string(f.size_bytes) + " bytes\n";
    policy.evidence.push_back({"backups in " + job.dir.string(), listing.empty() ? "(none)\n" : listing});
    std::string problems;
    for (const std::string& p : check_dir_policy(files, job.policy, std::chrono::system_clock::now()))
      problems += (problems.empty() ? "" : "; ") + p;
    if (files.empty()) problems = "no backup file in " + job.dir.string() + (problems.empty() ? "" : "; " + problems);
    if (!problems.empty()) policy.outcome = Outcome::failed, policy.message = problems;
    out.push_back(std::move(policy));
    if (files.empty()) return out;
    drill.artifact = files.front().path;
  }
  DrillOutcome d = run_drill(drill, progress);
  out.insert(out.end(), std::make_move_iterator(d.checks.begin()), std::make_move_iterator(d.checks.end()));
  return out;
}

}  // namespace greenlight
