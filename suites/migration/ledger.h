// greenlight's own record of what each applied migration file looked like,
// for tools that keep no checksum (golang-migrate, dbmate, plain files). It
// lives in greenlight's history database (SQLite, on the machine running
// greenlight), never in the target: the first time a version is seen applied
// on a target, its file's SHA-256 is recorded; later runs compare with it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace greenlight {

struct LedgerEntry {
  std::string sha256;
  std::string file;
  std::string first_seen;  // ISO 8601 UTC
};

class Ledger {
 public:
  // Opens or creates the database at `path` (and its parent folder).
  explicit Ledger(const std::filesystem::path& path);
  ~Ledger();

  // `target` identifies the database: its DSN with the password redacted.
  std::optional<LedgerEntry> find(const std::string& target, const std::string& version) const;
  // Records the entry unless one exists for (target, version): the first
  // sighting is the reference, later edits must not overwrite it.
  void record_if_absent(const std::string& target, const std::string& version, const LedgerEntry& entry);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace greenlight
