// Migration files as the tools that own them see them: Flyway
// (V<ver>__<desc>.sql, U<ver>__ undo, R__ repeatable), golang-migrate
// (<ver>_<name>.up.sql / .down.sql), dbmate (one file with -- migrate:up /
// -- migrate:down) and plain ordered .sql files. Version syntax, ordering,
// duplicates and pairs follow each tool's rules; what a tool would reject or
// silently ignore becomes a SourceFinding naming the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace greenlight {

enum class Convention { flyway, golang_migrate, dbmate, plain };
const char* to_string(Convention c);                             // "flyway", "golang-migrate", "dbmate", "plain"
std::optional<Convention> parse_convention(const std::string&);  // the names above; nullopt otherwise

// SQL to run, and where it came from (dbmate's up and down share one file).
struct SqlPart {
  std::filesystem::path file;
  std::string sql;
  int first_line = 1;        // line of `sql`'s first character in `file`
  bool transaction = true;   // false: dbmate "transaction:false"
};

struct Migration {
  std::string version;      // as written: "1.2", "20240101120000", "003"
  std::string description;  // "create users"
  SqlPart up;
  std::optional<SqlPart> down;  // absent: no down/undo file or section
  bool repeatable = false;      // Flyway R__ (no version; re-applied when its checksum changes)
  // Declared irreversible: a down file or section with no statement in it, or
  // "-- greenlight:irreversible" in the up. Reported, never failed.
  bool irreversible = false;
  std::string sha256;              // hex, of the bytes of the up file (dbmate: the whole file)
  int32_t flyway_checksum = 0;     // Flyway's CRC32 over the up file's lines
};

struct SourceFinding {
  std::string file;  // file name, relative to the directory
  int line = 0;      // 0 when the finding is about the name
  std::string message;
  bool error = true;  // false: a warning (e.g. an up without a down)
};

struct MigrationSet {
  Convention convention = Convention::plain;
  std::filesystem::path dir;
  std::vector<Migration> migrations;  // versioned in apply order, then repeatables by description
  std::vector<SourceFinding> findings;
  bool has_errors() const;
};

// Reads every migration in `dir` (not recursive). With no convention given it
// is detected from the files; files of several conventions are an error
// finding naming one file of each. Throws std::runtime_error when `dir` does
// not exist or cannot be read.
MigrationSet load_migrations(const std::filesystem::path& dir, std::optional<Convention> convention = {});

// <0, 0, >0 like strcmp, by the convention's rules (Flyway "1.10" > "1.9";
// golang-migrate and dbmate compare as integers; plain by natural order).
int compare_versions(Convention c, const std::string& a, const std::string& b);

// Flyway's checksum: CRC32 over each line's UTF-8 bytes without line endings
// (and without a BOM), as a signed 32-bit integer, the value stored in
// flyway_schema_history.checksum.
int32_t flyway_checksum(const std::string& content);
std::string sha256_hex(const std::string& bytes);

}  // namespace greenlight
