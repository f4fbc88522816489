// Deploys migration sets to real databases for the migration suite's tests.
#include "tests/support/migration_fixture.h"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <SQLiteCpp/SQLiteCpp.h>

#include "tests/support/command.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace greenlight::test {

void write_files(const std::string& dir, const std::map<std::string, std::string>& files) {
  std::filesystem::create_directories(dir);
  for (const auto& [name, content] : files) {
    std::ofstream out(dir + "/" + name, std::ios::binary);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + dir + "/" + name);
  }
}

std::map<std::string, std::string> healthy_golang_migrate_set() {
  return {
      {"1_create_users.up.sql", "-- the accounts\nCREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text NOT NULL\n);\n"},
      {"1_create_users.down.sql", "DROP TABLE users;\n"},
      {"2_users_email_idx.up.sql", "CREATE INDEX users_email_idx ON users (email);\n"},
      {"2_users_email_idx.down.sql", "DROP INDEX users_email_idx;\n"},
      {"3_add_nickname.up.sql", "ALTER TABLE users ADD COLUMN nickname text;\n"},
      {"3_add_nickname.down.sql", "ALTER TABLE users DROP COLUMN nickname;\n"},
  };
}

std::unique_ptr<Backend> Backend::sqlite() {
  std::unique_ptr<Backend> b(new Backend);
  b->dir_ = std::make_unique<TempDir>("greenlight-migration");
  b->sqlite_path_ = b->dir_->file("app.db");
  SQLite::Database db(b->sqlite_path_, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  return b;
}

std::unique_ptr<Backend> Backend::postgres() {
  std::unique_ptr<Backend> b(new Backend);
  b->pg_ = std::make_unique<PostgresServer>();
  b->pg_->create_database("app");
  return b;
}

Backend::~Backend() = default;

std::string Backend::kind() const { return pg_ ? "postgresql" : "sqlite"; }

std::string Backend::target_dsn() const { return pg_ ? pg_->dsn("app") : "sqlite://" + sqlite_path_; }

std::string Backend::scratch_dsn() const { return pg_ ? pg_->dsn("postgres") : "sqlite://"; }

void Backend::exec(const std::string& sql) const {
  if (pg_) return pg_->exec(sql, "app");
  SQLite::Database db(sqlite_path_, SQLite::OPEN_READWRITE);
  db.exec(sql);
}

std::string Backend::query(const std::string& sql) const {
  if (pg_) return pg_->query_value(sql, "app");
  SQLite::Database db(sqlite_path_, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, sql);
  if (!q.executeStep()) throw std::runtime_error("no row: " + sql);
  return q.getColumn(0).isNull() ? "" : q.getColumn(0).getString();
}

void Backend::deploy_golang_migrate(const std::string& dir, const std::vector<std::string>& ups, bool dirty) const {
  for (const std::string& up : ups) exec(read_file(dir + "/" + up));
  // The tables exactly as golang-migrate's postgres and sqlite3 drivers create them.
  exec(pg_ ? "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary key, dirty boolean not null)"
           : "CREATE TABLE IF NOT EXISTS schema_migrations (version uint64,dirty bool);"
             "CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations (version);");
  const std::string version = ups.back().substr(0, ups.back().find('_'));
  exec("DELETE FROM schema_migrations");
  exec("INSERT INTO schema_migrations (version, dirty) VALUES (" + version + ", " +
       (dirty ? (pg_ ? "true" : "1") : (pg_ ? "false" : "0")) + ")");
}

int Backend::scratch_leftovers() const {
  if (!pg_) return 0;
  return std::stoi(pg_->query_value("SELECT count(*) FROM pg_database WHERE datname LIKE 'greenlight_scratch_%'"));
}

}  // namespace greenlight::test
