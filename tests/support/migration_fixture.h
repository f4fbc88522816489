// Migration sets and deployed targets for the migration suite's tests: writes
// migration files into a folder and "deploys" them to a real SQLite file or
// PostgreSQL database the way the owning tool would (schema plus its history
// table), so that tests can then break one thing and see it caught.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace greenlight::test {

class PostgresServer;
class TempDir;

// Writes each {file name, content} into `dir` (created if missing).
void write_files(const std::string& dir, const std::map<std::string, std::string>& files);

// A healthy golang-migrate set valid on SQLite and PostgreSQL: users table,
// an index on it, a nickname column; every down reverses its up.
std::map<std::string, std::string> healthy_golang_migrate_set();

// One database for a test, SQLite or PostgreSQL, with a scratch server DSN
// beside it. PostgreSQL ones start their own server (one per Backend).
class Backend {
 public:
  static std::unique_ptr<Backend> sqlite();
  static std::unique_ptr<Backend> postgres();
  ~Backend();

  std::string kind() const;         // "sqlite" or "postgresql"
  std::string target_dsn() const;   // the deployed "production" database
  std::string scratch_dsn() const;  // where greenlight may create scratch databases
  void exec(const std::string& sql) const;          // on the target, as its owner
  std::string query(const std::string& sql) const;  // first value on the target, "" for NULL
  // Applies the given up files of `dir` in order to the target and records
  // them in golang-migrate's schema_migrations (version of the last, dirty).
  void deploy_golang_migrate(const std::string& dir, const std::vector<std::string>& ups, bool dirty = false) const;
  // Number of greenlight_scratch_* databases (PostgreSQL) or files left (SQLite: always 0 here).
  int scratch_leftovers() const;
  PostgresServer* server() const { return pg_.get(); }

 private:
  Backend() = default;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<PostgresServer> pg_;
  std::string sqlite_path_;
};

}  // namespace greenlight::test
