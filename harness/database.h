// The one seam to databases (SQLite through SQLiteCpp, PostgreSQL through
// libpqxx) shared by the migration and backup suites. Two ways in:
//  - open_database(dsn, Access::read_only) for the target: SQLite opened
//    read-only with query_only on; PostgreSQL with default_transaction_read_only
//    and every query in a READ ONLY transaction, one statement at a time. A
//    write through it fails; tests prove it.
//  - ScratchDatabase: a database greenlight creates, may write to, and always
//    removes (destructor), even when a check failed or the run was interrupted.
// Errors are DatabaseError with a message that names the database (password
// redacted) and the cause. A handle is for one thread at a time; threads that
// read side by side open a handle each.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight {

enum class Dialect { sqlite, postgresql };
const char* to_string(Dialect d);

struct DatabaseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One row of a result, every value as text (NULL as nullopt), the way both
// client libraries hand them out.
using Row = std::vector<std::optional<std::string>>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
};

enum class Access { read_only, read_write };

class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const = 0;
  // The DSN with its password redacted, for messages.
  virtual const std::string& name() const = 0;
  // "15.18", "3.40.1".
  virtual std::string server_version() = 0;

  // Runs one statement; inside begin()/commit() when a transaction is open.
  virtual void exec(const std::string& sql) = 0;
  // Streams the rows of one query in constant memory (backup checksums).
  virtual void for_each_row(const std::string& sql, const std::function<void(const Row&)>& row) = 0;
  // The same rows, each as one byte string that holds every value exactly
  // (type, NULL apart from ''), for checksums of big tables: equal rows give
  // equal bytes, different rows different bytes. The encoding is the
  // handle's own (PostgreSQL: the row's COPY text line, streamed by COPY;
  // SQLite: storage class and raw bytes of each value; otherwise: the text
  // values of for_each_row, length-prefixed), so only bytes from the same
  // kind of handle compare. Same access rules as for_each_row; a query only.
  virtual void for_each_row_bytes(const std::string& sql, const std::function<void(std::string_view)>& row);
  QueryResult query(const std::string& sql);
  // The first column of the first row; nullopt when there is no row or it is NULL.
  std::optional<std::string> query_value(const std::string& sql);

  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;  // never throws
  virtual bool in_transaction() const = 0;
};

// sqlite:///abs/path, sqlite://relative/path, postgresql://..., postgres://...
// Throws DatabaseError (unreachable, wrong credentials, missing file: a
// read-only SQLite open never creates one) or std::invalid_argument for a DSN
// of no known scheme.
std::unique_ptr<Database> open_database(const std::string& dsn, Access access);
Dialect dialect_of(const std::string& dsn);  // throws std::invalid_argument

// A scratch database on the server named by `server_dsn`:
//  - sqlite:///path/to/file.db: that file, which must not exist yet (greenlight
//    refuses to take over an existing file); sqlite:// alone: a temporary file.
//  - postgresql://user@host/db: a new database greenlight_scratch_<random> on
//    that server (the user needs CREATEDB), dropped WITH (FORCE) at the end.
// `refuse_same_as`, when given, is a source/target DSN: a scratch that would be
// the same database is refused with DatabaseError before anything is written.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(const std::string& server_dsn, const std::string& refuse_same_as = "");
  ~ScratchDatabase();  // closes and removes; never throws
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  Database& db();                   // read-write connection, opened on first use
  const std::string& dsn() const;   // of the scratch database itself (may hold a password)
  std::string name() const;         // redacted, for messages
  void close();                     // closes the connection (e.g. before pg_restore writes to it)
  void recreate();                  // drop and create again, empty

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace greenlight
