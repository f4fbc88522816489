// The database seam: SQLite through SQLiteCpp, PostgreSQL through libpqxx
// (Debian 12 ships libpqxx 6.4, whose API this uses), read-only targets and
// read-write scratch databases.
//
// How a read-only handle stays read-only:
//  - SQLite: opened OPEN_READONLY (never creates a file), query_only on, and
//    every statement compiled first: one that SQLite flags as possibly
//    writing (VACUUM INTO writes a new file despite both) or that is followed
//    by a second statement is refused.
//  - PostgreSQL: the session default is read-only (connection option) and
//    every statement runs inside a transaction libpqxx opened READ ONLY, sent
//    with the extended protocol, where the server refuses a second statement
//    ("COMMIT; INSERT ..."). Statements that would end that transaction from
//    inside (COMMIT, ROLLBACK, ...) are refused before they are sent, so a
//    session setting changed by the caller can never apply to a write.
//    for_each_row_bytes streams through COPY (query) TO STDOUT, which only
//    the simple protocol carries: its query is first parsed alone through
//    the extended protocol, so nothing can follow it either.
#include "harness/database.h"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include <SQLiteCpp/SQLiteCpp.h>
#include <pqxx/pqxx>
#include <sqlite3.h>

#include "harness/redactor.h"

namespace greenlight {

namespace {

namespace fs = std::filesystem;

constexpr int kBusyTimeoutMs = 5000;
constexpr int kFetchBatch = 1000;
constexpr size_t kMaxSqlInMessage = 400;

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// A length as LEB128 (7 bits a byte, high bit: more follows): prefix-free,
// so values written after it cannot be mistaken for part of it.
void append_length(std::string& out, uint64_t n) {
  while (n >= 0x80) {
    out += static_cast<char>((n & 0x7f) | 0x80);
    n >>= 7;
  }
  out += static_cast<char>(n);
}

// Server messages span lines ("ERROR: ...\nLINE 1: ...\n ^"); messages of
// greenlight are read in one line of a report.
std::string one_line(const std::string& s) {
  std::string out;
  bool space = false;
  for (char c : trim(s)) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ') {
      if (!space) out += c;
      space = true;
    } else {
      out += c;
      space = false;
    }
  }
  return out;
}

std::string sql_for_message(const std::string& sql) {
  std::string s = one_line(sql);
  if (s.size() > kMaxSqlInMessage) s = s.substr(0, kMaxSqlInMessage) + "...";
  return s;
}

// The libraries' messages may echo the connection string; the password must
// not travel with them.
std::string scrub(const std::string& text, const std::string& dsn) {
  Redactor r;
  r.add(dsn_password(dsn));
  return r.redact(text);
}

// The first word of a statement, lower case, after spaces, comments and
// opening parentheses: enough to know whether it is a query or ends a
// transaction.
std::string first_keyword(const std::string& sql) {
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '(') {
      ++i;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t nl = sql.find('\n', i);
      i = nl == std::string::npos ? sql.size() : nl + 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      int depth = 0;  // PostgreSQL nests block comments
      while (i < sql.size()) {
        if (sql.compare(i, 2, "/*") == 0) {
          ++depth;
          i += 2;
        } else if (sql.compare(i, 2, "*/") == 0) {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
    } else {
      break;
    }
  }
  size_t b = i;
  while (i < sql.size() && (std::isalpha(static_cast<unsigned char>(sql[i])) || sql[i] == '_')) ++i;
  return lower(sql.substr(b, i - b));
}

std::string strip_trailing_semicolons(std::string sql) {
  while (!sql.empty() && (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back())))) sql.pop_back();
  return sql;
}

std::string random_hex(size_t digits) {
  static const char* hex = "0123456789abcdef";
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  std::string out;
  for (size_t i = 0; i < digits; ++i) out += hex[gen() % 16];
  return out;
}

// ---------------------------------------------------------------- DSN parsing

std::string sqlite_file(const std::string& dsn) { return dsn.substr(std::string("sqlite://").size()); }

// postgresql://[userinfo@]hostlist[/dbname][?params], split where the
// database name and parameters can be replaced or extended.
struct PgUri {
  std::string scheme_authority;  // "postgresql://user:pw@host:5432"
  std::string dbname;            // may be empty (libpq then uses the user name)
  std::vector<std::pair<std::string, std::string>> params;  // still percent-encoded

  static PgUri parse(const std::string& dsn) {
    PgUri u;
    size_t after_scheme = dsn.find("://") + 3;
    size_t q = dsn.find('?', after_scheme);
    std::string before_q = dsn.substr(0, q);
    size_t slash = before_q.find('/', after_scheme);
    u.scheme_authority = before_q.substr(0, slash);
    if (slash != std::string::npos) u.dbname = before_q.substr(slash + 1);
    if (q != std::string::npos) {
      std::string rest = dsn.substr(q + 1);
      size_t pos = 0;
      while (pos <= rest.size()) {
        size_t amp = rest.find('&', pos);
        std::string kv = rest.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
        if (!kv.empty()) {
          size_t eq = kv.find('=');
          u.params.emplace_back(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
        }
        if (amp == std::string::npos) break;
        pos = amp + 1;
      }
    }
    // A dbname parameter overrides the path in libpq; fold it in so that
    // replacing the database name replaces it for real.
    for (auto it = u.params.begin(); it != u.params.end();) {
      if (it->first == "dbname") {
        u.dbname = it->second;
        it = u.params.erase(it);
      } else {
        ++it;
      }
    }
    return u;
  }

  std::string param(const std::string& key) const {
    for (const auto& [k, v] : params)
      if (k == key) return v;
    return "";
  }
  bool has_param(const std::string& key) const {
    for (const auto& kv : params)
      if (kv.first == key) return true;
    return false;
  }
  void set_param(const std::string& key, const std::string& value) {
    for (auto& kv : params)
      if (kv.first == key) {
        kv.second = value;
        return;
      }
    params.emplace_back(key, value);
  }

  std::string str() const {
    std::string s = scheme_authority + "/" + dbname;
    for (size_t i = 0; i < params.size(); ++i) s += (i ? "&" : "?") + params[i].first + "=" + params[i].second;
    return s;
  }

  // "127.0.0.1:5432" for messages; the port libpq would use by default when none is given.
  std::string endpoint() const {
    size_t at = scheme_authority.rfind('@');
    size_t start = at == std::string::npos ? scheme_authority.find("://") + 3 : at + 1;
    std::string hosts = scheme_authority.substr(start);
    if (hosts.empty()) hosts = param("host");
    if (hosts.empty()) return "the local socket";
    if (hosts.find(':') == std::string::npos || (hosts.front() == '[' && hosts.back() == ']')) {
      std::string port = param("port");
      hosts += ":" + (port.empty() ? std::string("5432") : port);
    }
    return hosts;
  }
};

// ------------------------------------------------------------ the base class

// Gives Database::query the column names, which for_each_row does not pass.
class RowSource : public Database {
 public:
  virtual void stream(const std::string& sql, std::vector<std::string>* columns,
                      const std::function<void(const Row&)>& row) = 0;
  void for_each_row(const std::string& sql, const std::function<void(const Row&)>& row) override {
    stream(sql, nullptr, row);
  }
};

// ------------------------------------------------------------------- SQLite

// Why `sql` must not run on a read-only handle, or "" when it may. The SQL is
// compiled here to ask SQLite itself, which knows every statement that writes.
std::string sqlite_refusal(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, &tail) != SQLITE_OK) return "";  // Statement reports it
  if (!stmt) return "no SQL statement";
  bool readonly = sqlite3_stmt_readonly(stmt);
  sqlite3_finalize(stmt);
  if (!readonly) return "refused on a read-only database: the statement may write";
  sqlite3_stmt* next = nullptr;  // whatever follows must compile to nothing (spaces, comments, ';')
  int rc = sqlite3_prepare_v2(db, tail, -1, &next, nullptr);
  sqlite3_finalize(next);
  if (rc != SQLITE_OK || next) return "refused on a read-only database: only one statement is allowed";
  return "";
}

class SqliteDatabase final : public RowSource {
 public:
  SqliteDatabase(const std::string& dsn, Access access) : name_(redact_dsn(dsn)), access_(access) {
    path_ = sqlite_file(dsn);
    if (path_.empty()) throw DatabaseError("SQLite " + name_ + ": the DSN names no file");
    std::error_code ec;
    if (!fs::exists(path_, ec))
      throw DatabaseError("SQLite " + name_ + ": the database file " + path_ + " does not exist");
    try {
      // NOMUTEX: a handle is used by one thread at a time (like a libpqxx
      // connection), so SQLite need not lock the connection on every call;
      // reading a big table calls it several times per value.
      int flags = (access == Access::read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE) | SQLite::OPEN_NOMUTEX;
      db_ = std::make_unique<SQLite::Database>(path_, flags, kBusyTimeoutMs);
      if (access == Access::read_only) db_->exec("PRAGMA query_only = ON");
      // Opening is lazy in SQLite: read the schema now so that a file that is
      // no database fails here, not at the first query.
      db_->exec("SELECT count(*) FROM sqlite_schema");
    } catch (const SQLite::Exception& e) {
      throw DatabaseError("SQLite " + name_ + ": cannot open " + path_ + ": " + e.what());
    }
  }

  Dialect dialect() const override { return Dialect::sqlite; }
  const std::string& name() const override { return name_; }
  std::string server_version() override { return sqlite3_libversion(); }

  void exec(const std::string& sql) override {
    check_allowed(sql);
    try {
      if (access_ == Access::read_only) {
        SQLite::Statement st(*db_, sql);
        while (st.executeStep()) {
        }
      } else {
        db_->exec(sql);
      }
    } catch (const SQLite::Exception& e) {
      throw error(e.what(), sql);
    }
  }

  void stream(const std::string& sql, std::vector<std::string>* columns,
              const std::function<void(const Row&)>& row) override {
    check_allowed(sql);
    try {
      SQLite::Statement st(*db_, sql);
      int n = st.getColumnCount();
      if (columns) {
        columns->clear();
        for (int i = 0; i < n; ++i) columns->push_back(st.getColumnName(i));
      }
      Row r(static_cast<size_t>(n));
      while (st.executeStep()) {
        for (int i = 0; i < n; ++i) {
          SQLite::Column c = st.getColumn(i);
          if (c.isNull())
            r[i].reset();
          else
            r[i] = c.getString();  // with its length: blobs may hold NUL bytes
        }
        row(r);
      }
    } catch (const SQLite::Exception& e) {
      throw error(e.what(), sql);
    }
  }

  // Each value as its storage class and its exact bytes straight from the
  // statement (integers and reals as their 8 bytes, text and blobs
  // length-prefixed): no text conversion, no allocation per value. Several
  // times faster than for_each_row on a big table, and 1 and 1.0 and '1'
  // stay apart.
  void for_each_row_bytes(const std::string& sql, const std::function<void(std::string_view)>& row) override {
    check_allowed(sql);
    // The C API directly: SQLiteCpp's Column objects cost a reference count
    // per value, which shows on millions of rows.
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_->getHandle(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK)
      throw error(sqlite3_errmsg(db_->getHandle()), sql);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    sqlite3_stmt* s = stmt.get();
    if (!s) throw error("no SQL statement", sql);
    const int n = sqlite3_column_count(s);
    std::string bytes;
    for (;;) {
      int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) throw error(sqlite3_errmsg(db_->getHandle()), sql);
      bytes.clear();
      for (int i = 0; i < n; ++i) {
        // One call into the statement per value: the sqlite3_value_*
        // accessors below do not check the statement again.
        sqlite3_value* v = sqlite3_column_value(s, i);
        const int type = sqlite3_value_type(v);
        bytes += static_cast<char>(type);  // SQLITE_INTEGER 1, FLOAT 2, TEXT 3, BLOB 4, NULL 5
        if (type == SQLITE_INTEGER || type == SQLITE_FLOAT) {
          uint64_t bits = 0;
          if (type == SQLITE_INTEGER) {
            bits = static_cast<uint64_t>(sqlite3_value_int64(v));
          } else {
            double d = sqlite3_value_double(v);
            std::memcpy(&bits, &d, sizeof bits);
          }
          char le[8];  // little-endian whatever the machine
          for (int b = 0; b < 8; ++b) le[b] = static_cast<char>((bits >> (8 * b)) & 0xff);
          bytes.append(le, sizeof le);
        } else if (type == SQLITE_TEXT || type == SQLITE_BLOB) {
          const void* p = type == SQLITE_TEXT ? static_cast<const void*>(sqlite3_value_text(v)) : sqlite3_value_blob(v);
          const int size = sqlite3_value_bytes(v);
          append_length(bytes, static_cast<uint64_t>(size));
          if (size > 0) bytes.append(static_cast<const char*>(p), static_cast<size_t>(size));
        }
      }
      row(bytes);
    }
  }

  void begin() override {
    if (in_tx_) throw DatabaseError("SQLite " + name_ + ": begin() while a transaction is already open");
    run_control("BEGIN");
    in_tx_ = true;
  }
  void commit() override {
    if (!in_tx_) throw DatabaseError("SQLite " + name_ + ": commit() without begin()");
    in_tx_ = false;
    run_control("COMMIT");
  }
  void rollback() override {
    if (!in_tx_) return;
    in_tx_ = false;
    try {
      db_->exec("ROLLBACK");
    } catch (const SQLite::Exception&) {
      // SQLite already rolled back on its own (e.g. after SQLITE_FULL): nothing left to undo.
    }
  }
  bool in_transaction() const override { return in_tx_; }

 private:
  std::string name_;
  std::string path_;
  Access access_;
  std::unique_ptr<SQLite::Database> db_;
  bool in_tx_ = false;

  void check_allowed(const std::string& sql) {
    if (access_ != Access::read_only) return;
    if (std::string why = sqlite_refusal(db_->getHandle(), sql); !why.empty()) throw error(why, sql);
  }
  void run_control(const std::string& sql) {
    try {
      db_->exec(sql);
    } catch (const SQLite::Exception& e) {
      throw error(e.what(), sql);
    }
  }
  DatabaseError error(const std::string& cause, const std::string& sql) const {
    return DatabaseError("SQLite " + name_ + ": " + one_line(cause) + " in statement: " + sql_for_message(sql));
  }
};

// --------------------------------------------------------------- PostgreSQL

// A transaction that only reads, at one snapshot for all its statements:
// begin() on a read-only handle is how a caller gets a consistent view.
using ReadOnlySnapshot = pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::read_only>;

class PostgresDatabase final : public RowSource {
 public:
  PostgresDatabase(const std::string& dsn, Access access) : dsn_(dsn), name_(redact_dsn(dsn)), access_(access) {
    PgUri uri = PgUri::parse(dsn);
    endpoint_ = uri.endpoint();
    if (access == Access::read_only) {
      // The server's default for every transaction of this session; the
      // READ ONLY transactions below do not rely on it alone.
      std::string ro = "-c%20default_transaction_read_only%3Don";
      std::string existing = uri.param("options");
      uri.set_param("options", existing.empty() ? ro : existing + "%20" + ro);
    }
    // libpq waits forever for a host that drops packets.
    if (!uri.has_param("connect_timeout")) uri.set_param("connect_timeout", "10");
    if (!uri.has_param("application_name")) uri.set_param("application_name", "greenlight");
    try {
      conn_ = std::make_unique<pqxx::connection>(uri.str());
      // Server notices (NOTICE: ... skipping) would land on greenlight's stderr.
      quiet_ = std::make_unique<pqxx::quiet_errorhandler>(*conn_);
    } catch (const pqxx::broken_connection& e) {
      throw connect_error(e.what());
    } catch (const std::exception& e) {
      throw connect_error(e.what());
    }
  }

  ~PostgresDatabase() override {
    rollback();
    quiet_.reset();
  }

  Dialect dialect() const override { return Dialect::postgresql; }
  const std::string& name() const override { return name_; }
  std::string server_version() override {
    int v = conn_->server_version();  // 150018
    if (v >= 100000) return std::to_string(v / 10000) + "." + std::to_string(v % 10000);
    return std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
  }

  void exec(const std::string& sql) override {
    check_allowed(sql);
    try {
      if (tx_) {
        run_in(*tx_, sql);
      } else if (access_ == Access::read_only) {
        pqxx::read_transaction t(*conn_);
        t.exec_params(sql);
        t.commit();
      } else {
        // Outside begin(): autocommit, so that statements that cannot run in a
        // transaction block (CREATE INDEX CONCURRENTLY, VACUUM) work.
        pqxx::nontransaction t(*conn_);
        t.exec(sql);
        t.commit();
      }
    } catch (const pqxx::broken_connection& e) {
      throw lost_error(e.what(), sql);
    } catch (const pqxx::sql_error& e) {
      throw error(e.what(), sql);
    } catch (const pqxx::failure& e) {
      throw error(e.what(), sql);
    }
  }

  void stream(const std::string& sql, std::vector<std::string>* columns,
              const std::function<void(const Row&)>& row) override {
    check_allowed(sql);
    try {
      if (tx_) {
        stream_in(*tx_, sql, columns, row);
      } else if (access_ == Access::read_write && !cursor_query(sql)) {
        // As exec(): autocommit, for statements that refuse a transaction block.
        pqxx::nontransaction t(*conn_);
        pqxx::result r = t.exec(sql);
        t.commit();
        deliver(r, columns, row);
      } else if (access_ == Access::read_only) {
        pqxx::read_transaction t(*conn_);
        stream_in(t, sql, columns, row);
        t.commit();
      } else {
        pqxx::work t(*conn_);  // a cursor lives in a transaction block
        stream_in(t, sql, columns, row);
        t.commit();
      }
    } catch (const pqxx::broken_connection& e) {
      throw lost_error(e.what(), sql);
    } catch (const pqxx::sql_error& e) {
      throw error(e.what(), sql);
    } catch (const pqxx::failure& e) {
      throw error(e.what(), sql);
    }
  }

  void for_each_row_bytes(const std::string& sql, const std::function<void(std::string_view)>& row) override {
    check_allowed(sql);
    try {
      if (tx_) {
        copy_out(*tx_, sql, row);
      } else if (access_ == Access::read_only) {
        pqxx::read_transaction t(*conn_);
        copy_out(t, sql, row);
        t.commit();
      } else {
        pqxx::work t(*conn_);
        copy_out(t, sql, row);
        t.commit();
      }
    } catch (const pqxx::broken_connection& e) {
      throw lost_error(e.what(), sql);
    } catch (const pqxx::sql_error& e) {
      throw error(e.what(), sql);
    } catch (const pqxx::failure& e) {
      throw error(e.what(), sql);
    }
  }

  void begin() override {
    if (tx_) throw DatabaseError("PostgreSQL " + name_ + ": begin() while a transaction is already open");
    try {
      if (access_ == Access::read_only) {
        tx_ = std::make_unique<ReadOnlySnapshot>(*conn_);
        // Takes the snapshot now: after it, PostgreSQL refuses to switch the
        // transaction to read-write (SET transaction_read_only = off).
        tx_->exec("SELECT 1");
      } else {
        tx_ = std::make_unique<pqxx::work>(*conn_);
      }
    } catch (const pqxx::failure& e) {
      tx_.reset();
      throw error(e.what(), "BEGIN");
    }
  }
  void commit() override {
    if (!tx_) throw DatabaseError("PostgreSQL " + name_ + ": commit() without begin()");
    std::unique_ptr<pqxx::transaction_base> t = std::move(tx_);
    try {
      t->commit();
    } catch (const pqxx::failure& e) {
      throw error(e.what(), "COMMIT");
    }
  }
  void rollback() override {
    if (!tx_) return;
    std::unique_ptr<pqxx::transaction_base> t = std::move(tx_);
    try {
      t->abort();
    } catch (...) {
      // The connection is gone or the transaction already failed: the server
      // rolls back on its own; nothing is left to undo.
    }
  }
  bool in_transaction() const override { return tx_ != nullptr; }

 private:
  std::string dsn_;
  std::string name_;
  std::string endpoint_;
  Access access_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::quiet_errorhandler> quiet_;
  std::unique_ptr<pqxx::transaction_base> tx_;
  unsigned cursor_seq_ = 0;

  // Statements that would end the READ ONLY transaction from inside it; what
  // followed would run under session defaults the caller may have changed.
  void check_allowed(const std::string& sql) {
    if (access_ != Access::read_only) return;
    static const char* ends_tx[] = {"commit", "end", "rollback", "abort", "prepare", "begin", "start"};
    std::string kw = first_keyword(sql);
    for (const char* k : ends_tx)
      if (kw == k)
        throw DatabaseError("PostgreSQL " + name_ + ": refused on a read-only database: " + kw +
                            " controls the transaction, in statement: " + sql_for_message(sql));
  }

  static bool cursor_query(const std::string& sql) {
    std::string kw = first_keyword(sql);
    return kw == "select" || kw == "with" || kw == "values" || kw == "table";
  }

  void run_in(pqxx::transaction_base& t, const std::string& sql) {
    if (access_ == Access::read_only)
      t.exec_params(sql);  // extended protocol: one statement only
    else
      t.exec(sql);
  }

  // Queries go through a server-side cursor, a batch at a time, so that a big
  // table streams in constant memory; other statements (SHOW, EXPLAIN,
  // INSERT ... RETURNING) cannot be declared as cursors and return whole.
  void stream_in(pqxx::transaction_base& t, const std::string& sql, std::vector<std::string>* columns,
                 const std::function<void(const Row&)>& row) {
    if (!cursor_query(sql)) {
      pqxx::result r = access_ == Access::read_only ? t.exec_params(sql) : t.exec(sql);
      deliver(r, columns, row);
      return;
    }
    std::string name = "greenlight_cursor_" + std::to_string(++cursor_seq_);
    // exec_params: the extended protocol refuses a second statement smuggled
    // after the query.
    t.exec_params("DECLARE " + name + " NO SCROLL CURSOR FOR " + strip_trailing_semicolons(sql));
    bool first = true;
    try {
      for (;;) {
        pqxx::result r = t.exec("FETCH " + std::to_string(kFetchBatch) + " FROM " + name);
        deliver(r, first ? columns : nullptr, row);
        first = false;
        if (r.size() < static_cast<size_t>(kFetchBatch)) break;
      }
    } catch (...) {
      // The callback failed (or the fetch): the cursor must not outlive this
      // call inside a transaction the caller keeps using.
      try {
        t.exec("CLOSE " + name);
      } catch (...) {
        // The transaction is already aborted; the original error is rethrown.
      }
      throw;
    }
    t.exec("CLOSE " + name);
  }

  // COPY (query) TO STDOUT: the server writes rows as it reads them, with
  // no cursor round trip per batch and no result set to parse: about three
  // times faster than stream_in for a whole table. A COPY text line is exact
  // (NULL is \N, '' is empty, tabs and backslashes escaped) under the
  // session's output settings, like the text for_each_row delivers.
  // libpqxx 6.4's stream_from takes a table name and pastes it unquoted into
  // COPY ... TO STDOUT, so the query goes in as a parenthesised "table".
  void copy_out(pqxx::transaction_base& t, const std::string& sql, const std::function<void(std::string_view)>& row) {
    const std::string query = strip_trailing_semicolons(sql);
    // COPY goes through the simple protocol, which would also run a
    // statement smuggled after the query ("...) TO STDOUT; COMMIT; ...").
    // The extended protocol refuses a second statement: the query must parse
    // there, alone, as a subquery first (LIMIT 0: planned, never read).
    // The newline ends a trailing -- comment before the closing parenthesis.
    if (access_ == Access::read_only) t.exec_params("SELECT 1 FROM (" + query + "\n) AS greenlight_copy_check LIMIT 0");
    pqxx::stream_from copy(t, "(" + query + "\n)");
    std::string line;
    while (copy.get_raw_line(line)) {
      std::string_view bytes(line);
      if (!bytes.empty() && bytes.back() == '\n') bytes.remove_suffix(1);
      row(bytes);
    }
    copy.complete();
  }

  static void deliver(const pqxx::result& r, std::vector<std::string>* columns,
                      const std::function<void(const Row&)>& row) {
    size_t n = static_cast<size_t>(r.columns());
    if (columns) {
      columns->clear();
      for (size_t i = 0; i < n; ++i) columns->push_back(r.column_name(static_cast<pqxx::row::size_type>(i)));
    }
    Row out(n);
    for (const auto& rr : r) {
      for (size_t i = 0; i < n; ++i) {
        pqxx::field f = rr[static_cast<pqxx::row::size_type>(i)];
        if (f.is_null())
          out[i].reset();
        else
          out[i] = std::string(f.c_str(), f.size());
      }
      row(out);
    }
  }

  DatabaseError connect_error(const std::string& what) const {
    std::string cause = one_line(scrub(what, dsn_));
    std::string l = lower(cause);
    std::string summary;
    if (l.find("authentication failed") != std::string::npos || l.find("password") != std::string::npos)
      summary = "authentication failed";
    else if (l.find("does not exist") != std::string::npos)
      summary = "the database or role does not exist";
    else
      summary = "cannot connect to " + endpoint_;
    return DatabaseError("PostgreSQL " + name_ + ": " + summary + ": " + cause);
  }
  DatabaseError lost_error(const std::string& what, const std::string& sql) const {
    return DatabaseError("PostgreSQL " + name_ + ": connection to " + endpoint_ + " lost: " +
                         one_line(scrub(what, dsn_)) + " in statement: " + sql_for_message(sql));
  }
  DatabaseError error(const std::string& what, const std::string& sql) const {
    return DatabaseError("PostgreSQL " + name_ + ": " + one_line(scrub(what, dsn_)) +
                         " in statement: " + sql_for_message(sql));
  }
};

// ------------------------------------------------------------------ scratch

void remove_sqlite_files(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path + suffix, ec);
}

// The scratch database name is spelled by greenlight; still, quote it.
std::string quote_ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// Runs one statement in autocommit on the server DSN (CREATE/DROP DATABASE
// cannot run in a transaction block).
void pg_admin(const std::string& server_dsn, const std::string& sql) {
  PostgresDatabase admin(server_dsn, Access::read_write);
  admin.exec(sql);
}

fs::path canonical_sqlite(const std::string& file) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(file, ec), ec);
  return ec ? fs::path(file).lexically_normal() : p;
}

}  // namespace

// ------------------------------------------------------------------- public

const char* to_string(Dialect d) {
  switch (d) {
    case Dialect::sqlite: return "sqlite";
    case Dialect::postgresql: return "postgresql";
  }
  return "unknown";
}

Dialect dialect_of(const std::string& dsn) {
  if (starts_with(dsn, "sqlite://")) return Dialect::sqlite;
  if (starts_with(dsn, "postgresql://") || starts_with(dsn, "postgres://")) return Dialect::postgresql;
  throw std::invalid_argument("unknown database DSN scheme in '" + redact_dsn(dsn) +
                              "': expected sqlite:///path, postgresql://... or postgres://...");
}

std::unique_ptr<Database> open_database(const std::string& dsn, Access access) {
  switch (dialect_of(dsn)) {
    case Dialect::sqlite: return std::make_unique<SqliteDatabase>(dsn, access);
    case Dialect::postgresql: return std::make_unique<PostgresDatabase>(dsn, access);
  }
  throw std::invalid_argument("unknown database DSN scheme");
}

QueryResult Database::query(const std::string& sql) {
  QueryResult out;
  auto collect = [&](const Row& r) { out.rows.push_back(r); };
  if (auto* src = dynamic_cast<RowSource*>(this))
    src->stream(sql, &out.columns, collect);
  else
    for_each_row(sql, collect);  // another implementation (a test double): no column names
  return out;
}

// For implementations without their own encoding (test doubles): each value
// as 0 for NULL or 1, its length and its text.
void Database::for_each_row_bytes(const std::string& sql, const std::function<void(std::string_view)>& row) {
  std::string bytes;
  for_each_row(sql, [&](const Row& r) {
    bytes.clear();
    for (const auto& value : r) {
      bytes += value ? '\1' : '\0';
      if (!value) continue;
      append_length(bytes, value->size());
      bytes += *value;
    }
    row(bytes);
  });
}

std::optional<std::string> Database::query_value(const std::string& sql) {
  QueryResult r = query(sql);
  if (r.rows.empty() || r.rows.front().empty()) return std::nullopt;
  return r.rows.front().front();
}

struct ScratchDatabase::Impl {
  Dialect dialect = Dialect::sqlite;
  std::string server_dsn;
  std::string dsn;
  std::string sqlite_path;  // SQLite
  std::string pg_dbname;    // PostgreSQL
  std::unique_ptr<Database> db;

  void create() {
    if (dialect == Dialect::sqlite) {
      try {
        SQLite::Database created(sqlite_path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs);
        created.exec("PRAGMA user_version = 0");  // makes SQLite write the file now
      } catch (const SQLite::Exception& e) {
        throw DatabaseError("SQLite scratch " + dsn + ": cannot create " + sqlite_path + ": " + e.what());
      }
    } else {
      try {
        pg_admin(server_dsn, "CREATE DATABASE " + quote_ident(pg_dbname) + " TEMPLATE template0");
      } catch (const DatabaseError& e) {
        std::string what = e.what();
        std::string hint = what.find("permission denied") != std::string::npos ? " (the user needs CREATEDB)" : "";
        throw DatabaseError("cannot create the scratch database " + pg_dbname + hint + ": " + what);
      }
    }
  }

  void drop() noexcept {
    db.reset();
    if (dialect == Dialect::sqlite) {
      remove_sqlite_files(sqlite_path);
    } else {
      try {
        pg_admin(server_dsn, "DROP DATABASE IF EXISTS " + quote_ident(pg_dbname) + " WITH (FORCE)");
      } catch (const std::exception& e) {
        // A destructor cannot throw; say what is left behind so a person can drop it.
        std::fprintf(stderr, "greenlight: could not drop the scratch database %s on %s: %s\n", pg_dbname.c_str(),
                     redact_dsn(server_dsn).c_str(), e.what());
      }
    }
  }
};

ScratchDatabase::ScratchDatabase(const std::string& server_dsn, const std::string& refuse_same_as)
    : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.dialect = dialect_of(server_dsn);
  s.server_dsn = server_dsn;
  std::string tag = "greenlight_scratch_" + std::to_string(::getpid()) + "_" + random_hex(8);
  if (s.dialect == Dialect::sqlite) {
    std::string file = sqlite_file(server_dsn);
    if (file.empty()) file = (fs::temp_directory_path() / (tag + ".db")).string();
    s.sqlite_path = file;
    s.dsn = "sqlite://" + file;
    if (!refuse_same_as.empty() && dialect_of(refuse_same_as) == Dialect::sqlite &&
        canonical_sqlite(file) == canonical_sqlite(sqlite_file(refuse_same_as)))
      throw DatabaseError("the scratch database " + s.dsn + " would be the source database " +
                          redact_dsn(refuse_same_as) + " itself: name another file for the scratch");
    std::error_code ec;
    if (fs::exists(fs::symlink_status(file, ec)))
      throw DatabaseError("the scratch database file " + file +
                          " already exists: greenlight never takes over an existing file; name a new one");
  } else {
    PgUri uri = PgUri::parse(server_dsn);
    s.pg_dbname = tag;
    uri.dbname = tag;
    s.dsn = uri.str();
    // Only the created database matters: it is new, so it cannot be the
    // source unless the source names it (a leftover scratch), which is refused.
    if (!refuse_same_as.empty() && dialect_of(refuse_same_as) == Dialect::postgresql &&
        PgUri::parse(refuse_same_as).dbname == tag && PgUri::parse(refuse_same_as).endpoint() == uri.endpoint())
      throw DatabaseError("the scratch database " + redact_dsn(s.dsn) + " would be the source database itself");
  }
  s.create();
}

ScratchDatabase::~ScratchDatabase() {
  if (impl_) impl_->drop();
}

Database& ScratchDatabase::db() {
  if (!impl_->db) impl_->db = open_database(impl_->dsn, Access::read_write);
  return *impl_->db;
}

const std::string& ScratchDatabase::dsn() const { return impl_->dsn; }

std::string ScratchDatabase::name() const { return redact_dsn(impl_->dsn); }

void ScratchDatabase::close() { impl_->db.reset(); }

void ScratchDatabase::recreate() {
  impl_->drop();
  impl_->create();
}

}  // namespace greenlight
