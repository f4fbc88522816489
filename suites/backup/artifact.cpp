// Inspecting a backup artifact in one streaming pass: SHA-256 of the bytes on
// disk (OpenSSL EVP), gzip inflated to the end with zlib (which checks the CRC
// and length of every member), the format decided from the first content
// bytes, then the format's own check: SQLite header arithmetic and PRAGMA
// quick_check on an immutable read-only open; pg_restore reading the table of
// contents and then every data block; plain SQL dumps ending with the line
// their tool writes last. Before a byte-for-byte copy (InspectDepth::
// before_copy) a plain SQLite file is judged by its head alone, since the
// copy reads every byte anyway (restore_backup hashes them) and the drill's
// integrity_check of the copy reads every page.
#include "suites/backup/artifact.h"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <stdexcept>

#include <SQLiteCpp/SQLiteCpp.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "harness/process.h"

namespace greenlight {

namespace fs = std::filesystem;

namespace {

constexpr size_t kChunk = 1 << 20;
constexpr size_t kHeadBytes = 4096;  // enough to recognise every format
constexpr const char* kSqliteMagic = "SQLite format 3";  // followed by a NUL: 16 bytes

// ------------------------------------------------------------------ helpers

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) throw std::runtime_error("OpenSSL: cannot start SHA-256");
  }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const char* data, size_t n) { EVP_DigestUpdate(ctx_, data, n); }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_, md, &len);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
      out += digits[md[i] >> 4];
      out += digits[md[i] & 15];
    }
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

// Inflates a gzip file fed in chunks (several concatenated members allowed,
// as gzip itself writes them), handing out the content; the first fault is
// kept with the byte offset in the compressed file where zlib met it.
class Gunzip {
 public:
  using Sink = std::function<void(const char*, size_t)>;
  Gunzip() {
    std::memset(&z_, 0, sizeof z_);
    if (inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) throw std::runtime_error("zlib: cannot start inflate");
  }
  ~Gunzip() { inflateEnd(&z_); }
  Gunzip(const Gunzip&) = delete;
  Gunzip& operator=(const Gunzip&) = delete;

  // Returns false once a fault was found (see error()).
  bool feed(const char* data, size_t n, uint64_t offset, const Sink& sink) {
    if (!error_.empty()) return false;
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
    z_.avail_in = static_cast<uInt>(n);
    while (z_.avail_in > 0) {
      const uint64_t at = offset + (n - z_.avail_in);
      if (!in_member_) {
        if (members_ > 0 && static_cast<unsigned char>(*z_.next_in) != 0x1f) {
          error_ = "unexpected data after the end of the gzip stream at byte " + std::to_string(at);
          return false;
        }
        inflateReset(&z_);
        in_member_ = true;
      }
      z_.next_out = reinterpret_cast<Bytef*>(out_);
      z_.avail_out = sizeof out_;
      int rc = inflate(&z_, Z_NO_FLUSH);
      size_t produced = sizeof out_ - z_.avail_out;
      content_ += produced;
      if (produced) sink(out_, produced);
      if (rc == Z_STREAM_END) {
        in_member_ = false;
        ++members_;
      } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && z_.avail_in == 0)) {
        const uint64_t where = offset + (n - z_.avail_in);
        std::string msg = z_.msg ? z_.msg : zError(rc);
        if (msg == "incorrect data check")
          error_ = "gzip CRC check failed at byte " + std::to_string(where) + ": the compressed data is corrupted";
        else if (msg == "incorrect length check")
          error_ = "gzip length check failed at byte " + std::to_string(where) + ": the compressed data is corrupted";
        else
          error_ = "gzip data corrupted at byte " + std::to_string(where) + " (zlib: " + msg + ")";
        return false;
      }
    }
    return true;
  }

  // After the last byte: a member still open means the file was cut short.
  bool finish(uint64_t size) {
    if (error_.empty() && in_member_)
      error_ = "gzip data truncated at byte " + std::to_string(size) + ": the stream ends before its end marker (" +
               std::to_string(content_) + " bytes decompressed so far)";
    return error_.empty();
  }

  const std::string& error() const { return error_; }
  uint64_t content_bytes() const { return content_; }

 private:
  z_stream z_;
  bool in_member_ = false;
  int members_ = 0;
  uint64_t content_ = 0;
  std::string error_;
  char out_[64 * 1024];
};

bool has_gzip_magic(const char* p, size_t n) {
  return n >= 2 && static_cast<unsigned char>(p[0]) == 0x1f && static_cast<unsigned char>(p[1]) == 0x8b;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The name without a trailing .gz, lower case: "app.db.gz" -> "app.db".
std::string base_name(const fs::path& p) {
  std::string name = lower(p.filename().string());
  if (name.size() > 3 && name.ends_with(".gz")) name.resize(name.size() - 3);
  return name;
}

ArtifactFormat format_by_name(const fs::path& p) {
  std::string name = base_name(p);
  for (const char* ext : {".db", ".sqlite", ".sqlite3"})
    if (name.ends_with(ext)) return ArtifactFormat::sqlite;
  if (name.ends_with(".dump")) return ArtifactFormat::pg_custom;
  if (name.ends_with(".sql")) return ArtifactFormat::sql;
  return ArtifactFormat::unknown;
}

bool looks_like_text(const std::string& head) {
  if (head.find('\0') != std::string::npos) return false;
  size_t control = 0;
  for (unsigned char c : head)
    if (c < 32 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++control;
  return control * 100 <= head.size();  // a stray control character is no binary file
}

bool looks_like_sql(const std::string& head) {
  std::string h = lower(head);
  for (const char* word : {"create ", "insert ", "begin", "pragma ", "set ", "copy ", "--", "/*", "select "})
    if (h.find(word) != std::string::npos) return true;
  return false;
}

ArtifactFormat classify(const std::string& head, const fs::path& path) {
  if (head.size() >= 16 && head.compare(0, 16, std::string(kSqliteMagic, 16)) == 0) return ArtifactFormat::sqlite;
  if (head.size() >= 5 && head.compare(0, 5, "PGDMP") == 0) return ArtifactFormat::pg_custom;
  if (looks_like_text(head) && (format_by_name(path) == ArtifactFormat::sql || looks_like_sql(head)))
    return ArtifactFormat::sql;
  return ArtifactFormat::unknown;
}

std::string hex_prefix(const std::string& head) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < head.size() && i < 16; ++i) {
    unsigned char c = static_cast<unsigned char>(head[i]);
    if (i) out += ' ';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

// A file in the temporary directory, removed when this goes out of scope.
class TempFile {
 public:
  explicit TempFile(const std::string& suffix) {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("greenlight-artifact-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(counter++) + "-" + std::to_string(rd()) + suffix);
  }
  ~TempFile() {
    std::error_code ec;
    for (const char* s : {"", "-wal", "-shm", "-journal"}) fs::remove(path_.string() + s, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Line-by-line view of plain SQL for its CREATE TABLE names and its last
// bytes, keeping at most the start of each line (INSERT lines can be huge).
class SqlScan {
 public:
  void feed(const char* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      char c = p[i];
      if (c == '\n') {
        line_done();
      } else if (line_.size() < 512) {
        line_ += c;
      }
    }
    tail_.append(p, n);
    if (tail_.size() > 4096) tail_.erase(0, tail_.size() - 512);
  }
  void finish() { line_done(); }
  const std::vector<std::string>& tables() const { return tables_; }
  std::string tail() const {
    std::string t = tail_;
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    return t;
  }

 private:
  void line_done() {
    std::string l = lower(line_);
    if (l.rfind("create table ", 0) == 0 || l.rfind("create unlogged table ", 0) == 0) {
      size_t pos = l.find("table ") + 6;
      if (l.compare(pos, 14, "if not exists ") == 0) pos += 14;
      std::string name;
      bool quoted = false;
      for (size_t i = pos; i < line_.size(); ++i) {
        char c = line_[i];
        if (c == '"' || c == '`') {
          quoted = !quoted;
          continue;
        }
        if (!quoted && (c == '(' || c == ' ' || c == '\t')) break;
        if (c == '[' || c == ']') continue;
        name += c;
      }
      if (!name.empty()) tables_.push_back(name);
    }
    line_.clear();
  }
  std::string line_;
  std::string tail_;
  std::vector<std::string> tables_;
};

uint32_t be32(const unsigned char* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

std::string sqlite_uri(const fs::path& file) {
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
  // immutable: no locks, no -wal/-shm files created next to the backup.
  return out + "?immutable=1";
}

// `what` names the artifact in messages: "app.db.gz (decompressed)".
// `every_page`: PRAGMA quick_check too; without it only the header and the
// schema are read.
void check_sqlite(const fs::path& file, uint64_t size, const std::string& what, ArtifactInfo& info,
                  bool every_page = true) {
  unsigned char h[100] = {};
  {
    std::ifstream in(file, std::ios::binary);
    in.read(reinterpret_cast<char*>(h), sizeof h);
    if (in.gcount() < 100) {
      info.problems.push_back(what + " is only " + std::to_string(size) +
                              " bytes: too short for a SQLite header (100 bytes)");
      return;
    }
  }
  uint32_t page_size = (uint32_t(h[16]) << 8) | h[17];
  if (page_size == 1) page_size = 65536;
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0) {
    info.problems.push_back(what + " has an invalid page size " + std::to_string(page_size) + " in its SQLite header");
    return;
  }
  if (size % page_size != 0) {
    info.problems.push_back(what + " is " + std::to_string(size) + " bytes, not a multiple of its page size " +
                            std::to_string(page_size) + ": the file is truncated or has bytes appended");
    return;
  }
  // The page count in the header is valid when its change counter matches the
  // "version-valid-for" field; a file shorter than it lost pages at the end.
  uint32_t header_pages = be32(h + 28);
  if (header_pages != 0 && be32(h + 24) == be32(h + 92) && uint64_t(header_pages) * page_size > size) {
    info.problems.push_back(what + " holds " + std::to_string(size / page_size) + " pages but its SQLite header says " +
                            std::to_string(header_pages) + ": the file is truncated");
    return;
  }
  try {
    SQLite::Database db(sqlite_uri(file), SQLite::OPEN_READONLY | SQLite::OPEN_URI);
    SQLite::Statement check(db, every_page ? "PRAGMA quick_check" : "SELECT 'ok'");
    std::vector<std::string> faults;
    while (check.executeStep()) {
      std::string row = check.getColumn(0).getString();
      if (row != "ok") faults.push_back(row);
    }
    for (size_t i = 0; i < faults.size() && i < 5; ++i)
      info.problems.push_back(what + ": PRAGMA quick_check: " + faults[i]);
    if (faults.size() > 5)
      info.problems.push_back(what + ": PRAGMA quick_check: " + std::to_string(faults.size() - 5) + " more faults");
    SQLite::Statement tables(db,
                             "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
                             "ESCAPE '\\' ORDER BY name");
    while (tables.executeStep()) info.tables.push_back(tables.getColumn(0).getString());
  } catch (const SQLite::Exception& e) {
    info.problems.push_back(what + " cannot be read as a SQLite database: " + e.what());
  }
}

// "215; 1259 16386 TABLE public users greenlight" -> "public.users".
std::optional<std::string> toc_table(const std::string& line) {
  if (line.empty() || line[0] == ';') return std::nullopt;
  size_t semi = line.find("; ");
  if (semi == std::string::npos) return std::nullopt;
  std::vector<std::string> words;
  size_t pos = semi + 2;
  while (pos < line.size()) {
    size_t space = line.find(' ', pos);
    if (space == std::string::npos) space = line.size();
    if (space > pos) words.push_back(line.substr(pos, space - pos));
    pos = space + 1;
  }
  // catalog oid, object oid, then the description.
  if (words.size() < 5 || words[2] != "TABLE" || words[3] == "DATA") return std::nullopt;
  std::string name;
  size_t last = words.size() >= 6 ? words.size() - 1 : words.size();  // the owner, when present
  for (size_t i = 4; i < last; ++i) name += (i > 4 ? " " : "") + words[i];
  return words[3] + "." + name;
}

void check_pg_custom(const fs::path& file, const std::string& what, ArtifactInfo& info) {
  if (!find_program("pg_restore")) {
    info.problems.push_back("pg_restore not found on PATH: cannot read the table of contents of " + what +
                            " (Debian: apt install postgresql-client-15)");
    return;
  }
  TempFile toc(".toc");
  ProcessSpec list;
  list.argv = {"pg_restore", "--list", file.string()};
  list.stdout_file = toc.path();
  ProcessResult r = run_process(list);
  if (r.exit_code != 0) {
    info.problems.push_back("pg_restore --list cannot read the table of contents of " + what + ": " + r.failure());
    return;
  }
  std::ifstream in(toc.path());
  for (std::string line; std::getline(in, line);)
    if (auto t = toc_table(line)) info.tables.push_back(*t);

  // --list reads the table of contents only, which sits at the start: a dump
  // cut short still lists fine. Reading every data block finds the cut.
  ProcessSpec read_all;
  read_all.argv = {"pg_restore", "-f", "/dev/null", file.string()};
  ProcessResult data = run_process(read_all);
  if (data.exit_code != 0)
    info.problems.push_back(what + " is incomplete or corrupt: reading its data failed: " + data.failure());
}

void check_sql(const SqlScan& scan, const std::string& head, const std::string& what, ArtifactInfo& info) {
  if (head.find("-- PostgreSQL database dump") != std::string::npos) {
    if (scan.tail().find("-- PostgreSQL database dump complete") == std::string::npos)
      info.problems.push_back(what + " ends before pg_dump's closing line '-- PostgreSQL database dump complete': "
                              "the dump is truncated");
  } else if (head.rfind("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;", 0) == 0) {
    if (!scan.tail().ends_with("COMMIT;"))
      info.problems.push_back(what + " does not end with the COMMIT; that sqlite3 .dump writes last: the dump is truncated");
  }
  info.tables = scan.tables();
}

std::chrono::system_clock::time_point to_system(fs::file_time_type t) {
  return std::chrono::file_clock::to_sys(t);
}

}  // namespace

const char* to_string(ArtifactFormat f) {
  switch (f) {
    case ArtifactFormat::sqlite: return "sqlite";
    case ArtifactFormat::pg_custom: return "pg_custom";
    case ArtifactFormat::sql: return "sql";
    case ArtifactFormat::unknown: return "unknown";
  }
  return "unknown";
}

namespace {

void inspect_into(const fs::path& path, ArtifactInfo& info);

// before_copy: a plain SQLite file is judged by its head; true when it was.
bool inspect_head_only(const fs::path& path, ArtifactInfo& info) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  const uint64_t size = fs::file_size(path, ec);
  if (ec || size == 0) return false;
  bool gz = false;
  try {
    if (detect_format(path, &gz) != ArtifactFormat::sqlite || gz) return false;
  } catch (const std::exception&) {
    return false;  // unreadable: the full inspection says so
  }
  info.format = ArtifactFormat::sqlite;
  info.size_bytes = info.content_bytes = size;
  if (auto t = fs::last_write_time(path, ec); !ec) info.modified = to_system(t);
  info.deferred = true;
  check_sqlite(path, size, path.string(), info, /*every_page=*/false);
  return true;
}

}  // namespace

ArtifactInfo inspect_artifact(const fs::path& path, InspectDepth depth) {
  ArtifactInfo info;
  info.path = path;
  try {
    if (depth == InspectDepth::before_copy && inspect_head_only(path, info)) return info;
    inspect_into(path, info);
  } catch (const std::exception& e) {
    // Our own trouble (no room for a temporary file, OpenSSL): the artifact
    // is not shown to be intact, and the message says why.
    info.problems.push_back(path.string() + ": cannot inspect it: " + e.what());
  }
  return info;
}

namespace {

void inspect_into(const fs::path& path, ArtifactInfo& info) {
  const std::string name = path.string();
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    info.problems.push_back(name + " does not exist");
    return;
  }
  if (fs::is_directory(st)) {
    info.problems.push_back(name + " is a directory, not a backup file");
    return;
  }
  info.size_bytes = fs::file_size(path, ec);
  if (auto t = fs::last_write_time(path, ec); !ec) info.modified = to_system(t);
  info.gzip = lower(path.filename().string()).ends_with(".gz");
  if (info.size_bytes == 0) {
    info.format = format_by_name(path);
    info.problems.push_back(name + " is empty (0 bytes)");
    return;
  }

  std::ifstream in(path, std::ios::binary);
  if (!in) {
    info.problems.push_back(name + " cannot be read: " + std::strerror(errno));
    return;
  }

  Sha256 sha;
  std::optional<Gunzip> gz;
  std::string head;           // the first content bytes, until the format is decided
  bool decided = false;
  std::optional<TempFile> content_copy;  // decompressed SQLite/pg_dump content, checked as a file
  std::ofstream copy_out;
  SqlScan sql;
  uint64_t content = 0;

  auto process = [&](const char* p, size_t n) {
    content += n;
    if (info.format == ArtifactFormat::sql) sql.feed(p, n);
    if (copy_out.is_open()) copy_out.write(p, n);
  };
  auto decide = [&] {
    decided = true;
    info.format = classify(head, path);
    if (gz && (info.format == ArtifactFormat::sqlite || info.format == ArtifactFormat::pg_custom)) {
      content_copy.emplace(info.format == ArtifactFormat::sqlite ? ".db" : ".dump");
      copy_out.open(content_copy->path(), std::ios::binary | std::ios::trunc);
      if (!copy_out) throw std::runtime_error("cannot write the temporary file " + content_copy->path().string());
    }
    std::string h = std::move(head);
    process(h.data(), h.size());
    head = h.substr(0, kHeadBytes);
  };
  auto content_sink = [&](const char* p, size_t n) {
    if (decided) return process(p, n);
    head.append(p, n);
    if (head.size() >= kHeadBytes) decide();
  };

  info.gzip = false;  // the bytes decide, not the name
  std::vector<char> buf(kChunk);
  uint64_t offset = 0;
  bool read_error = false;
  while (in) {
    in.read(buf.data(), buf.size());
    size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    if (offset == 0 && has_gzip_magic(buf.data(), n)) {
      gz.emplace();
      info.gzip = true;
    }
    sha.update(buf.data(), n);
    if (gz) {
      if (gz->error().empty()) gz->feed(buf.data(), n, offset, content_sink);
    } else {
      content_sink(buf.data(), n);
    }
    offset += n;
  }
  if (in.bad() || offset != info.size_bytes) {
    read_error = true;
    info.problems.push_back(name + ": read error at byte " + std::to_string(offset) + " of " +
                            std::to_string(info.size_bytes));
  }
  info.sha256 = sha.hex();
  if (!decided) decide();
  sql.finish();
  if (copy_out.is_open()) copy_out.close();

  bool content_complete = !read_error;
  if (gz) {
    if (!gz->finish(offset)) {
      info.problems.push_back(name + ": " + gz->error());
      content_complete = false;
    }
    info.content_bytes = gz->content_bytes();
  } else {
    info.content_bytes = content;
  }
  if (!content_complete) return;  // the format checks would only repeat the fault

  const std::string what = gz ? name + " (decompressed)" : name;
  const fs::path file = content_copy ? content_copy->path() : path;
  try {
    switch (info.format) {
      case ArtifactFormat::sqlite: check_sqlite(file, info.content_bytes, what, info); break;
      case ArtifactFormat::pg_custom: check_pg_custom(file, what, info); break;
      case ArtifactFormat::sql: check_sql(sql, head, what, info); break;
      case ArtifactFormat::unknown:
        if (format_by_name(path) == ArtifactFormat::sql)
          info.problems.push_back(what + " is named like plain SQL but holds binary data (first bytes: " +
                                  hex_prefix(head) + ")");
        else
          info.problems.push_back(what + " is in no known backup format: neither a SQLite database, a pg_dump "
                                  "custom-format archive (pg_dump -Fc) nor plain SQL (first bytes: " +
                                  hex_prefix(head) + ")");
        break;
    }
  } catch (const std::exception& e) {
    // The check itself could not run (pg_restore would not start): still an
    // artifact not shown to be intact.
    info.problems.push_back(what + ": cannot check it: " + e.what());
  }
}

}  // namespace

std::string file_sha256(const fs::path& path, const std::atomic<bool>* cancel) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
  Sha256 sha;
  std::vector<char> buf(kChunk);
  while (in) {
    if (cancel && cancel->load()) throw std::runtime_error("the SHA-256 of " + path.string() + " was cancelled");
    in.read(buf.data(), buf.size());
    sha.update(buf.data(), static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error("read error in " + path.string() + ": " + std::strerror(errno));
  return sha.hex();
}

ArtifactFormat detect_format(const fs::path& path, bool* gzip) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
  std::string raw(kHeadBytes, '\0');
  in.read(raw.data(), raw.size());
  raw.resize(static_cast<size_t>(in.gcount()));
  bool is_gz = has_gzip_magic(raw.data(), raw.size());
  if (gzip) *gzip = is_gz;
  if (!is_gz) return classify(raw, path);
  // Inflate only until the head is known; a fault further on is inspect_artifact's to report.
  std::string head;
  Gunzip gz;
  uint64_t offset = 0;
  std::vector<char> buf(64 * 1024);
  std::memcpy(buf.data(), raw.data(), raw.size());
  size_t n = raw.size();
  while (n > 0 && head.size() < kHeadBytes) {
    if (!gz.feed(buf.data(), n, offset, [&](const char* p, size_t k) { head.append(p, k); })) break;
    offset += n;
    in.read(buf.data(), buf.size());
    n = static_cast<size_t>(in.gcount());
  }
  return classify(head.substr(0, kHeadBytes), path);
}

void gunzip_file(const fs::path& gz_path, const fs::path& out_path) {
  std::ifstream in(gz_path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + gz_path.string() + ": " + std::strerror(errno));
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + out_path.string() + ": " + std::strerror(errno));
  auto fail = [&](const std::string& why) {
    out.close();
    std::error_code ec;
    fs::remove(out_path, ec);  // half a database must not pass for a restore
    throw std::runtime_error("cannot decompress " + gz_path.string() + ": " + why);
  };
  Gunzip gz;
  std::vector<char> buf(kChunk);
  uint64_t offset = 0;
  while (in) {
    in.read(buf.data(), buf.size());
    size_t n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    if (offset == 0 && !has_gzip_magic(buf.data(), n)) fail("it is not gzip-compressed");
    if (!gz.feed(buf.data(), n, offset, [&](const char* p, size_t k) { out.write(p, k); })) fail(gz.error());
    if (!out) fail("write error on " + out_path.string() + ": " + std::strerror(errno));
    offset += n;
  }
  if (in.bad()) fail("read error at byte " + std::to_string(offset));
  if (offset == 0) fail("the file is empty (0 bytes)");
  if (!gz.finish(offset)) fail(gz.error());
  out.close();
  if (!out) fail("write error on " + out_path.string());
}

}  // namespace greenlight
