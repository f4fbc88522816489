// The record of every restore drill, in greenlight's history database
// (SQLite, on the machine running greenlight): when, which source and backup,
// the phase timings, RTO, RPO, size, verdict. `greenlight backup history`
// lists it and the HTML report draws the RTO trend from it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace greenlight {

struct DrillRecord {
  int64_t id = 0;              // assigned on append
  std::string started_at;      // ISO 8601 UTC
  std::string source;          // redacted DSN
  std::string artifact;        // path or "built-in pg_dump"
  std::string artifact_sha256;
  double backup_s = 0, restore_s = 0, verify_s = 0;
  double rto_s = 0;                 // restore start to passing verification
  std::optional<double> rpo_s;      // age of the newest data in the backup
  double size_bytes = 0;
  std::string verdict;         // "passed", "failed", "interrupted"
  std::string message;         // first failure, when any
};

class DrillHistory {
 public:
  explicit DrillHistory(const std::filesystem::path& path);  // opens or creates (and its folder)
  ~DrillHistory();
  int64_t append(const DrillRecord& r);
  // Newest first; `source` filters when not empty.
  std::vector<DrillRecord> list(size_t limit = 50, const std::string& source = "") const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace greenlight
