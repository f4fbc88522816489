// Backup and restore steps. Built in: the SQLite online backup API in page
// batches (cancellable) or, for the drill's restore, a plain file copy (in
// the kernel); pg_dump -Fc / pg_restore -j / psql for PostgreSQL with
// the password handed over in PGPASSWORD, never on a command line (where `ps`
// and the evidence would show it). Or the team's own commands, split like a
// shell would and run without one. Every text kept as evidence has the
// passwords of the DSNs involved replaced.
#include "suites/backup/backup_methods.h"

#include <fcntl.h>
#include <unistd.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "harness/database.h"
#include "harness/redactor.h"
#include "suites/backup/artifact.h"

namespace greenlight {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kPagesPerStep = 1024;
// After this many restarts (a writer changed the source between two steps),
// the rest is copied in one step, i.e. one read transaction, or it never ends.
constexpr int kMaxRestarts = 3;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

bool cancelled(const BackupOptions& o) { return o.cancel && o.cancel->load(); }

std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A PostgreSQL DSN split into the URI without its password and the password
// itself (decoded), from the user-info part or a password= parameter.
struct PgLogin {
  std::string dsn;       // no password in it
  std::string password;  // empty: none given (libpq may still find ~/.pgpass or PGPASSWORD)
};

PgLogin split_password(const std::string& dsn) {
  PgLogin l;
  size_t scheme = dsn.find("://");
  if (scheme == std::string::npos) return {dsn, ""};
  size_t auth_begin = scheme + 3;
  size_t auth_end = dsn.find_first_of("/?", auth_begin);
  if (auth_end == std::string::npos) auth_end = dsn.size();
  std::string authority = dsn.substr(auth_begin, auth_end - auth_begin);
  size_t at = authority.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = authority.substr(0, at);
    size_t colon = userinfo.find(':');
    if (colon != std::string::npos) {
      l.password = percent_decode(userinfo.substr(colon + 1));
      authority = userinfo.substr(0, colon) + authority.substr(at);
    }
  }
  std::string rest = dsn.substr(auth_end);
  size_t q = rest.find('?');
  if (q != std::string::npos) {
    std::string kept;
    size_t pos = q + 1;
    while (pos <= rest.size()) {
      size_t amp = rest.find('&', pos);
      if (amp == std::string::npos) amp = rest.size();
      std::string param = rest.substr(pos, amp - pos);
      if (param.rfind("password=", 0) == 0)
        l.password = percent_decode(param.substr(9));
      else if (!param.empty())
        kept += (kept.empty() ? "" : "&") + param;
      pos = amp + 1;
    }
    rest = rest.substr(0, q) + (kept.empty() ? "" : "?" + kept);
  }
  l.dsn = dsn.substr(0, auth_begin) + authority + rest;
  return l;
}

// The passwords of `dsns`, raw and decoded, for replacing in evidence.
void add_secrets(Redactor& r, const std::string& dsn) {
  if (dsn.rfind("sqlite:", 0) == 0) return;
  r.add(dsn_password(dsn));
  r.add(split_password(dsn).password);
}

// argv as a person would type it, for the evidence.
std::string display(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& w : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !w.empty();
    for (unsigned char c : w)
      if (!std::isalnum(c) && !std::strchr("/-_.,:=@+%{}", c)) plain = false;
    if (plain) {
      out += w;
    } else {
      out += '\'';
      for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
      out += '\'';
    }
  }
  return out;
}

// The last lines of a command's stderr (or stdout), for an error message.
std::string tail_lines(const std::string& text, size_t lines = 10) {
  size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  size_t pos = end + 1;
  for (size_t n = 0; n < lines && pos > 0; ++n) {
    size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) {
      pos = 0;
      break;
    }
    pos = nl;
  }
  std::string t = text.substr(pos == 0 ? 0 : pos + 1, end + 1 - (pos == 0 ? 0 : pos + 1));
  return t.size() > 2000 ? "..." + t.substr(t.size() - 2000) : t;
}

std::string combined_output(const ProcessResult& r) {
  if (r.out.empty()) return r.err;
  if (r.err.empty()) return r.out;
  return r.out + (r.out.back() == '\n' ? "" : "\n") + r.err;
}

std::optional<std::string> path_of(const BackupOptions& o) {
  if (auto it = o.env.find("PATH"); it != o.env.end()) return it->second;
  return std::nullopt;
}

// Runs one step's program; throws naming the step, its exit and its stderr tail.
ProcessResult run_step(const std::string& label, const std::vector<std::string>& argv,
                       const std::map<std::string, std::string>& extra_env, const BackupOptions& o,
                       const Redactor& secrets, StepResult& step) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.env = o.env;
  for (const auto& [k, v] : extra_env) spec.env[k] = v;
  spec.timeout = o.timeout;
  spec.cancel = o.cancel;
  step.command = secrets.redact(display(argv));
  ProcessResult r;
  try {
    r = run_process(spec);
  } catch (const std::exception& e) {
    throw std::runtime_error(label + " failed: " + secrets.redact(e.what()));
  }
  step.seconds = r.seconds;
  step.output = secrets.redact(combined_output(r));
  if (r.cancelled) throw std::runtime_error(label + " was cancelled (interrupted): " + step.command);
  if (r.timed_out || r.exit_code != 0) {
    std::string msg = label + " failed: " + secrets.redact(r.failure()) + "\ncommand: " + step.command;
    std::string tail = tail_lines(r.err.empty() ? r.out : r.err);
    if (!tail.empty()) msg += "\nits output ended with:\n" + secrets.redact(tail);
    throw std::runtime_error(msg);
  }
  return r;
}

// "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)" -> 15; "9.6.24" -> 9.
int tool_major(const std::string& version_line) {
  size_t paren = version_line.find(')');
  size_t pos = version_line.find_first_of("0123456789", paren == std::string::npos ? 0 : paren);
  if (pos == std::string::npos) return 0;
  return std::atoi(version_line.c_str() + pos);
}

std::string first_line(const std::string& s) {
  std::string l = s.substr(0, s.find('\n'));
  while (!l.empty() && std::isspace(static_cast<unsigned char>(l.back()))) l.pop_back();
  return l;
}

// The server's version: "150018" -> {15, "15.18"}.
struct ServerVersion {
  int major = 0;
  std::string text;
};

ServerVersion server_version_of(const std::string& dsn) {
  auto db = open_database(dsn, Access::read_only);
  std::string num = db->query_value("SHOW server_version_num").value_or("0");
  ServerVersion v;
  v.major = std::stoi(num) / 10000;
  v.text = db->query_value("SHOW server_version").value_or(num);
  return v;
}

fs::path find_pg_tool(const std::string& tool, int server_major, const BackupOptions& o) {
  auto found = find_program(tool, path_of(o));
  if (!found)
    throw std::runtime_error(tool + " not found on PATH (Debian: apt install postgresql-client-" +
                             std::to_string(server_major > 0 ? server_major : 15) + ")");
  return *found;
}

std::map<std::string, std::string> password_env(const PgLogin& login) {
  if (login.password.empty()) return {};
  return {{"PGPASSWORD", login.password}};
}

std::string sqlite_path(const std::string& dsn) { return dsn.substr(std::string("sqlite://").size()); }

void remove_sqlite_files(const fs::path& p) {
  std::error_code ec;
  for (const char* s : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + s, ec);
}

std::string unique_suffix() {
  std::random_device rd;
  return std::to_string(::getpid()) + "-" + std::to_string(rd());
}

// A decompressed copy in the temporary directory, removed at the end.
struct TempCopy {
  fs::path path;
  ~TempCopy() {
    std::error_code ec;
    if (!path.empty()) fs::remove(path, ec);
  }
};

// The artifact as a plain file: itself, or decompressed into `tmp`.
fs::path plain_file(const fs::path& artifact, bool gz, const std::string& ext, TempCopy& tmp) {
  if (!gz) return artifact;
  tmp.path = fs::temp_directory_path() / ("greenlight-restore-" + unique_suffix() + ext);
  gunzip_file(artifact, tmp.path);
  return tmp.path;
}

// ------------------------------------------------------------------- SQLite

std::string sqlite_uri(const fs::path& file, const char* params) {
  static const char* digits = "0123456789ABCDEF";
  std::string out = "file:";
  for (unsigned char c : fs::absolute(file).string()) {
    if (std::isalnum(c) || std::strchr("/-._~", c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out + "?" + params;
}

struct PageCopy {
  int pages = 0;
  int restarts = 0;
  std::string summary() const {
    std::string s = std::to_string(pages) + " pages copied";
    if (restarts > 0)
      s += "; the copy restarted " + std::to_string(restarts) + " times because the source was written meanwhile" +
           (restarts >= kMaxRestarts ? ", then finished in one read transaction" : "");
    return s;
  }
};

// Copies every page of `source` into `dest` with the online backup API, a
// batch at a time so that the cancel flag and the deadline are honoured.
// Any connection to `dest` sees the new content (unlike a file copied over it).
PageCopy copy_pages(SQLite::Database& source, SQLite::Database& dest, const std::string& label,
                    const BackupOptions& o) {
  const auto deadline = Clock::now() + o.timeout;
  PageCopy copy;
  SQLite::Backup backup(dest, "main", source, "main");
  int batch = kPagesPerStep;
  int last_remaining = -1;
  for (;;) {
    if (cancelled(o)) throw std::runtime_error(label + " was cancelled (interrupted)");
    if (Clock::now() > deadline) throw std::runtime_error(label + " timed out: the database stayed locked");
    int rc = backup.executeStep(batch);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    int remaining = backup.getRemainingPageCount();
    if (last_remaining >= 0 && remaining > last_remaining && ++copy.restarts >= kMaxRestarts) batch = -1;
    last_remaining = remaining;
  }
  copy.pages = backup.getTotalPageCount();
  return copy;
}

StepResult sqlite_backup(const std::string& source_dsn, const fs::path& artifact, const BackupOptions& o) {
  const std::string src = sqlite_path(source_dsn);
  std::error_code ec;
  if (src.empty() || !fs::exists(src, ec))
    throw std::runtime_error("SQLite backup: the source database file " + src + " does not exist");
  StepResult step;
  step.command = "SQLite online backup API: " + src + " -> " + artifact.string();
  const std::string label = "SQLite backup of " + src + " to " + artifact.string();
  const auto start = Clock::now();
  remove_sqlite_files(artifact);
  try {
    SQLite::Database source(src, SQLite::OPEN_READONLY, 5000);
    SQLite::Database dest(artifact.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    if (o.throwaway_artifact) dest.exec("PRAGMA synchronous = OFF");
    step.output = copy_pages(source, dest, label, o).summary();
    // The copy's header keeps the source's journal mode; a backup is one
    // self-contained file, so leave it in rollback-journal mode.
    dest.exec("PRAGMA journal_mode = DELETE");
  } catch (const SQLite::Exception& e) {
    remove_sqlite_files(artifact);
    throw std::runtime_error(label + " failed: " + e.what());
  } catch (...) {
    remove_sqlite_files(artifact);
    throw;
  }
  step.seconds = seconds_since(start);
  return step;
}

// A scratch file that is absent, empty, or a database with no schema may be
// replaced; anything else is refused rather than overwritten.
void require_empty_sqlite_scratch(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec) || fs::file_size(path, ec) == 0) return;
  int objects = 0;
  try {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    objects = db.execAndGet("SELECT count(*) FROM sqlite_schema").getInt();
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("refusing to restore into " + path + ": it exists and is no readable SQLite database (" +
                             e.what() + "); the scratch must be new or empty");
  }
  if (objects > 0)
    throw std::runtime_error("refusing to restore into " + path + ": it already holds " + std::to_string(objects) +
                             " schema objects; the scratch must be empty");
}

// An open file descriptor, closed when this goes out of scope.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Copies `from` over `to` in the kernel (copy_file_range: no pass through
// user space; a plain read/write loop where the file system cannot), a chunk
// at a time so that the cancel flag and the deadline are honoured. Not
// synced to disk: the scratch is removed after the drill and read back
// through the page cache. On failure `to` is cut to 0 bytes: half a
// database must not pass for a restore.
uint64_t copy_file(const fs::path& from, const fs::path& to, const std::string& label, const BackupOptions& o) {
  constexpr size_t kChunk = 64 << 20;
  const auto deadline = Clock::now() + o.timeout;
  auto sys_fail = [&](const std::string& what) {
    return std::runtime_error(label + " failed: " + what + ": " + std::strerror(errno));
  };
  Fd in, out;
  in.fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in.fd < 0) throw sys_fail("cannot read " + from.string());
  out.fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out.fd < 0) throw sys_fail("cannot write " + to.string());
  uint64_t copied = 0;
  try {
    bool in_kernel = true;
    std::vector<char> buf;
    for (;;) {
      if (cancelled(o)) throw std::runtime_error(label + " was cancelled (interrupted)");
      if (Clock::now() > deadline) throw std::runtime_error(label + " timed out after " + std::to_string(copied) + " bytes");
      ssize_t n = -1;
      if (in_kernel) {
        n = ::copy_file_range(in.fd, nullptr, out.fd, nullptr, kChunk, 0);
        if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == EINVAL) && copied == 0) {
          in_kernel = false;
          continue;
        }
      } else {
        buf.resize(1 << 20);
        n = ::read(in.fd, buf.data(), buf.size());
        for (ssize_t done = 0; n > 0 && done < n;) {
          ssize_t w = ::write(out.fd, buf.data() + done, static_cast<size_t>(n - done));
          if (w < 0 && errno == EINTR) continue;
          if (w < 0) throw sys_fail("write error on " + to.string());
          done += w;
        }
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw sys_fail("copy error from " + from.string() + " at byte " + std::to_string(copied));
      if (n == 0) break;
      copied += static_cast<uint64_t>(n);
    }
    if (::close(out.fd) != 0) {
      out.fd = -1;
      throw sys_fail("write error on " + to.string());
    }
    out.fd = -1;
    return copied;
  } catch (...) {
    std::error_code ec;
    fs::resize_file(to, 0, ec);
    throw;
  }
}

// Executes a SQL script statement by statement (sqlite3_complete decides
// where one ends), so a large dump is never held in memory whole.
void run_sql_script(SQLite::Database& db, const fs::path& script, const std::string& label, const BackupOptions& o) {
  std::ifstream in(script, std::ios::binary);
  if (!in) throw std::runtime_error(label + ": cannot read " + script.string());
  std::string stmt;
  size_t line_no = 0, stmt_line = 1;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (stmt.find_first_not_of(" \t\r\n") == std::string::npos) {  // blank lines start no statement
      stmt.clear();
      stmt_line = line_no;
    }
    stmt += line;
    stmt += '\n';
    if (!sqlite3_complete(stmt.c_str())) continue;
    if (cancelled(o)) throw std::runtime_error(label + " was cancelled (interrupted)");
    try {
      db.exec(stmt);
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error(label + " failed at " + script.string() + ":" + std::to_string(stmt_line) + ": " +
                               e.what());
    }
    stmt.clear();
  }
  if (stmt.find_first_not_of(" \t\r\n") != std::string::npos)
    throw std::runtime_error(label + ": " + script.string() + " ends inside an unterminated statement that starts at line " +
                             std::to_string(stmt_line));
}

StepResult sqlite_restore(const fs::path& artifact, ArtifactFormat format, bool gz, const std::string& scratch_dsn,
                          const BackupOptions& o) {
  const std::string path = sqlite_path(scratch_dsn);
  if (path.empty()) throw std::runtime_error("restore: the scratch DSN " + scratch_dsn + " names no file");
  const std::string label = "restore of " + artifact.string() + " into the SQLite scratch " + path;
  if (format == ArtifactFormat::pg_custom)
    throw std::runtime_error(label + " is impossible: the artifact is a pg_dump archive, which restores into PostgreSQL only");
  if (format == ArtifactFormat::unknown)
    throw std::runtime_error(label + " is impossible: the artifact is neither a SQLite database nor SQL");
  require_empty_sqlite_scratch(path);
  if (cancelled(o)) throw std::runtime_error(label + " was cancelled (interrupted)");
  StepResult step;
  const auto start = Clock::now();
  if (format == ArtifactFormat::sqlite && !gz && o.sqlite_copy_file) {
    // Stale journal files of the scratch would be applied to the copy.
    std::error_code ec;
    for (const char* suffix : {"-journal", "-wal", "-shm"}) fs::remove(path + suffix, ec);
    step.command = "copy " + artifact.string() + " -> " + path;
    step.output = std::to_string(copy_file(artifact, path, label, o)) + " bytes copied";
  } else if (format == ArtifactFormat::sqlite) {
    TempCopy tmp;
    fs::path file;
    try {
      file = plain_file(artifact, gz, ".db", tmp);
    } catch (const std::exception& e) {
      throw std::runtime_error(label + " failed: " + e.what());
    }
    step.command = "SQLite online backup API: " + artifact.string() + " -> " + path;
    try {
      // immutable: the artifact is read as it is, nothing is created beside it.
      SQLite::Database source(sqlite_uri(file, "immutable=1"), SQLite::OPEN_READONLY | SQLite::OPEN_URI);
      SQLite::Database dest(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
      step.output = copy_pages(source, dest, label, o).summary();
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error(label + " failed: " + e.what());
    }
  } else {
    TempCopy tmp;
    fs::path script = plain_file(artifact, gz, ".sql", tmp);
    step.command = "execute " + artifact.string() + " on " + path;
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, 5000);
    run_sql_script(db, script, label, o);
  }
  step.seconds = seconds_since(start);
  return step;
}

// --------------------------------------------------------------- PostgreSQL

StepResult pg_dump_backup(const std::string& source_dsn, const fs::path& artifact, const BackupOptions& o,
                          const Redactor& secrets) {
  ServerVersion server;
  try {
    server = server_version_of(source_dsn);
  } catch (const std::exception& e) {
    throw std::runtime_error("pg_dump: cannot read the server version of " + redact_dsn(source_dsn) + ": " +
                             secrets.redact(e.what()));
  }
  fs::path pg_dump = find_pg_tool("pg_dump", server.major, o);
  StepResult version_step;
  ProcessResult v = run_step("pg_dump --version", {pg_dump.string(), "--version"}, {}, o, secrets, version_step);
  const std::string version = first_line(v.out);
  if (tool_major(version) < server.major)
    throw std::runtime_error(pg_dump.string() + " is '" + version + "', older than the server " + redact_dsn(source_dsn) +
                             " (PostgreSQL " + server.text + "): pg_dump cannot dump a newer server; install "
                             "postgresql-client-" + std::to_string(server.major) + " (Debian: apt install postgresql-client-" +
                             std::to_string(server.major) + ") and put its bin directory first on PATH");

  PgLogin login = split_password(source_dsn);
  std::error_code ec;
  fs::remove(artifact, ec);
  StepResult step;
  try {
    run_step("pg_dump of " + redact_dsn(source_dsn),
             {pg_dump.string(), "-Fc", "--no-owner", "--no-password", "-f", artifact.string(), "-d", login.dsn},
             password_env(login), o, secrets, step);
  } catch (...) {
    fs::remove(artifact, ec);  // half a dump must not be taken for a backup
    throw;
  }
  step.output = version + (step.output.empty() ? "" : "\n" + step.output);
  return step;
}

StepResult pg_restore_into(const fs::path& artifact, ArtifactFormat format, bool gz, const std::string& scratch_dsn,
                           const BackupOptions& o, const Redactor& secrets) {
  const std::string label = "restore of " + artifact.string() + " into " + redact_dsn(scratch_dsn);
  if (format == ArtifactFormat::sqlite)
    throw std::runtime_error(label + " is impossible: the artifact is a SQLite database, which restores into SQLite only");
  if (format == ArtifactFormat::unknown)
    throw std::runtime_error(label + " is impossible: the artifact is neither a pg_dump archive nor SQL");
  const std::string tool = format == ArtifactFormat::pg_custom ? "pg_restore" : "psql";
  fs::path program;
  if (auto found = find_program(tool, path_of(o))) {
    program = *found;
  } else {
    int major = 0;
    try {
      major = server_version_of(scratch_dsn).major;
    } catch (const std::exception&) {
      // Only for the install hint; the missing tool is the error to report.
    }
    find_pg_tool(tool, major, o);  // throws with the hint
  }
  PgLogin login = split_password(scratch_dsn);
  TempCopy tmp;
  fs::path file;
  try {
    file = plain_file(artifact, gz, format == ArtifactFormat::pg_custom ? ".dump" : ".sql", tmp);
  } catch (const std::exception& e) {
    throw std::runtime_error(label + " failed: " + e.what());
  }
  std::vector<std::string> argv;
  if (format == ArtifactFormat::pg_custom)
    argv = {program.string(), "-j", std::to_string(std::max(1, o.restore_jobs)), "--exit-on-error", "--no-owner",
            "--no-privileges", "--no-password", "-d", login.dsn, file.string()};
  else
    argv = {program.string(), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--no-password", "-d", login.dsn, "-f", file.string()};
  StepResult step;
  run_step(label, argv, password_env(login), o, secrets, step);
  return step;
}

}  // namespace

std::vector<std::string> expand_command(const std::string& tmpl, const std::map<std::string, std::string>& values) {
  std::vector<std::string> words = split_command(tmpl);
  for (std::string& w : words) {
    std::string out;
    size_t i = 0;
    while (i < w.size()) {
      bool replaced = false;
      if (w[i] == '{') {
        size_t close = w.find('}', i + 1);
        if (close != std::string::npos) {
          auto it = values.find(w.substr(i + 1, close - i - 1));
          if (it != values.end()) {
            out += it->second;  // not scanned again: a value may itself hold braces
            i = close + 1;
            replaced = true;
          }
        }
      }
      if (!replaced) out += w[i++];
    }
    w = std::move(out);
  }
  return words;
}

StepResult take_backup(const std::string& source_dsn, const fs::path& artifact, const BackupOptions& o) {
  Redactor secrets;
  add_secrets(secrets, source_dsn);
  if (!o.backup_cmd.empty()) {
    if (o.backup_cmd.find("{artifact}") == std::string::npos)
      throw std::invalid_argument("the backup command '" + secrets.redact(o.backup_cmd) +
                                  "' has no {artifact} placeholder: greenlight must tell it where to write the backup");
    std::vector<std::string> argv = expand_command(o.backup_cmd, {{"source", source_dsn}, {"artifact", artifact.string()}});
    StepResult step;
    run_step("the backup command", argv, {}, o, secrets, step);
    std::error_code ec;
    if (!fs::exists(artifact, ec))
      throw std::runtime_error("the backup command exited 0 but wrote nothing to " + artifact.string() +
                               " (its {artifact})\ncommand: " + step.command);
    return step;
  }
  switch (dialect_of(source_dsn)) {
    case Dialect::sqlite: return sqlite_backup(source_dsn, artifact, o);
    case Dialect::postgresql: return pg_dump_backup(source_dsn, artifact, o, secrets);
  }
  throw std::invalid_argument("unknown database DSN scheme");
}

StepResult restore_backup(const fs::path& artifact, const std::string& scratch_dsn, const BackupOptions& o) {
  Redactor secrets;
  add_secrets(secrets, scratch_dsn);
  if (!o.restore_cmd.empty()) {
    for (const char* p : {"{artifact}", "{scratch}"})
      if (o.restore_cmd.find(p) == std::string::npos)
        throw std::invalid_argument("the restore command '" + secrets.redact(o.restore_cmd) + "' has no " + p +
                                    " placeholder: it must restore the given artifact into the given scratch "
                                    "database, never anywhere else");
    std::vector<std::string> argv = expand_command(o.restore_cmd, {{"artifact", artifact.string()}, {"scratch", scratch_dsn}});
    StepResult step;
    run_step("the restore command", argv, {}, o, secrets, step);
    return step;
  }
  std::error_code ec;
  if (!fs::exists(artifact, ec))
    throw std::runtime_error("cannot restore " + artifact.string() + ": the file does not exist");
  bool gz = false;
  ArtifactFormat format = detect_format(artifact, &gz);
  switch (dialect_of(scratch_dsn)) {
    case Dialect::sqlite: return sqlite_restore(artifact, format, gz, scratch_dsn, o);
    case Dialect::postgresql: return pg_restore_into(artifact, format, gz, scratch_dsn, o, secrets);
  }
  throw std::invalid_argument("unknown database DSN scheme");
}

}  // namespace greenlight
