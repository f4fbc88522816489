// A real PostgreSQL server for one test: a fresh cluster (initdb) in a
// TempDir, listening on a free loopback port, stopped and removed in the
// destructor. Tuned for speed, not durability (fsync off).
#pragma once

#include <memory>
#include <string>

namespace greenlight::test {

class TempDir;

class PostgresServer {
 public:
  // The bootstrap superuser (initdb -U); it logs in over TCP without a password.
  static constexpr const char* kSuperuser = "greenlight";

  // Starts the server; throws if the PostgreSQL binaries are missing, or with
  // the server's log when it does not accept connections within 10 s.
  PostgresServer();
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // "postgresql://USER@127.0.0.1:PORT/DB".
  std::string dsn(const std::string& db = "postgres", const std::string& user = kSuperuser) const;
  // "postgresql://USER:PASSWORD@127.0.0.1:PORT/DB", user and password percent-encoded.
  std::string dsn_with_password(const std::string& db, const std::string& user, const std::string& password) const;

  // Runs `sql` (several statements allowed) as the superuser, outside any
  // transaction block so that e.g. CREATE DATABASE works on its own.
  void exec(const std::string& sql, const std::string& db = "postgres") const;
  // The first column of the first row of `sql` as text ("" for NULL); throws
  // when there is no row. For assertions that must not trust the code under test.
  std::string query_value(const std::string& sql, const std::string& db = "postgres") const;

  void create_database(const std::string& name, const std::string& owner = kSuperuser) const;
  // A LOGIN role that must authenticate with `password` (scram-sha-256).
  void create_role(const std::string& name, const std::string& password) const;

  unsigned short port() const { return port_; }
  const std::string& dir() const;
  std::string log() const;  // the server's stderr so far

 private:
  struct Child;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<Child> child_;
  unsigned short port_ = 0;
  void stop();
};

}  // namespace greenlight::test
