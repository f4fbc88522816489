// What one backup verification does, shared by the plan's `backup` suite and
// `greenlight backup drill|verify`: optionally the policy of a backup folder
// (freshness, retention, no empty file), then the restore drill of a new
// backup, a given one, or the folder's newest.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "harness/result.h"
#include "suites/backup/backup_dir.h"
#include "suites/backup/drill.h"

namespace greenlight {

struct BackupJob {
  DrillSpec drill;
  std::filesystem::path dir;  // a backup folder: its policy is checked and its newest backup drilled
  DirPolicy policy;
};

std::vector<Check> run_backup_job(const BackupJob& job, const std::function<void(const std::string&)>& progress = nullptr);

// "rto<15m", "rpo<=24h": sets max_rto_s / max_rpo_s. Throws std::invalid_argument
// naming what is wrong and what is accepted.
void parse_drill_threshold(const std::string& text, DrillSpec& spec);

}  // namespace greenlight
