// Reads a migration directory the way the tool that owns it would: Flyway's
// V/U/R names and version rules, golang-migrate's <n>_<title>.up/.down files,
// dbmate's one file with -- migrate:up / -- migrate:down sections, or plain
// .sql files in natural order. Where the tool would silently skip a file or
// refuse to start, greenlight says so in a finding naming the file, because a
// skipped migration is exactly the kind of surprise a release gate exists for.
#include "suites/migration/sources.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace greenlight {

namespace fs = std::filesystem;

namespace {

struct SourceFile {
  std::string name;  // relative to the directory
  fs::path path;
  std::string bytes;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }
bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string underscores_to_spaces(std::string s) {
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string strip_leading_zeros(std::string_view digits) {
  size_t i = 0;
  while (i + 1 < digits.size() && digits[i] == '0') ++i;
  return std::string(digits.substr(i));
}

// Arbitrary-length unsigned integers as digit strings (Flyway uses BigInteger,
// timestamps overflow nothing but 20-digit versions exist in the wild).
int compare_digit_strings(std::string_view a, std::string_view b) {
  std::string x = strip_leading_zeros(a), y = strip_leading_zeros(b);
  if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
  int c = x.compare(y);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int compare_text(std::string_view a, std::string_view b) {
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Natural order: runs of digits compare as numbers, everything else as bytes,
// so that 2_x.sql comes before 10_x.sql. Equal numbers with different zero
// padding fall back to the plain text so the order stays total.
int natural_compare(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (is_digit(a[i]) && is_digit(b[j])) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && is_digit(a[i2])) ++i2;
      while (j2 < b.size() && is_digit(b[j2])) ++j2;
      if (int c = compare_digit_strings(a.substr(i, i2 - i), b.substr(j, j2 - j))) return c;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]) ? -1 : 1;
      ++i;
      ++j;
    }
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return compare_text(a, b);
}

// Flyway's MigrationVersion: '_' means '.', parts are BigIntegers, trailing
// zero parts do not count (1.0 == 1), leading zeros do not either (1.01 == 1.1).
std::optional<std::vector<std::string>> flyway_parts(std::string_view version) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : version) {
    if (c == '.' || c == '_') {
      if (cur.empty()) return std::nullopt;
      parts.push_back(cur);
      cur.clear();
    } else if (is_digit(c)) {
      cur += c;
    } else {
      return std::nullopt;
    }
  }
  if (cur.empty()) return std::nullopt;
  parts.push_back(cur);
  return parts;
}

int compare_flyway(const std::string& a, const std::string& b) {
  // A repeatable has no version; Flyway puts the empty schema below everything.
  if (a.empty() || b.empty()) return a.empty() == b.empty() ? 0 : (a.empty() ? -1 : 1);
  auto pa = flyway_parts(a), pb = flyway_parts(b);
  if (!pa || !pb) return natural_compare(a, b);
  size_t n = std::max(pa->size(), pb->size());
  for (size_t i = 0; i < n; ++i) {
    std::string x = i < pa->size() ? (*pa)[i] : "0";
    std::string y = i < pb->size() ? (*pb)[i] : "0";
    if (int c = compare_digit_strings(x, y)) return c;
  }
  return 0;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read migration file " + p.string());
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error("error reading migration file " + p.string());
  return s;
}

// Lines without their terminators (\n, \r\n or a lone \r, as Java's readLine
// and most editors see them), each with its 1-based number.
struct Line {
  int number;
  size_t begin;  // byte offset of the line in the content
  std::string_view text;
};

std::vector<Line> split_lines(std::string_view s) {
  std::vector<Line> lines;
  size_t start = 0;
  int number = 1;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\n' || s[i] == '\r') {
      lines.push_back({number++, start, s.substr(start, i - start)});
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < s.size()) lines.push_back({number, start, s.substr(start)});
  return lines;
}

// Length of the valid UTF-8 sequence at s[i], or 0 plus (in `bad`) the length
// of the ill-formed unit that Java's decoder replaces with one U+FFFD: the
// maximal subpart (Unicode's recommended practice), except that Java reads an
// encoded surrogate (ED A0..BF xx) as one malformed unit of up to 3 bytes.
size_t utf8_sequence(std::string_view s, size_t i, size_t* bad) {
  auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = u(i);
  if (c < 0x80) return 1;
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c >= 0xE0 && c <= 0xEF) {
    need = 2;
    if (c == 0xE0) lo = 0xA0;
    // 0xED: surrogates (second byte A0..BF) are ill-formed, but as one unit.
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    *bad = 1;
    return 0;
  }
  size_t k = 1;
  for (; k <= need; ++k) {
    if (i + k >= s.size()) break;
    unsigned char d = u(i + k);
    unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
    if (d < l || d > h) break;
  }
  bool surrogate = c == 0xED && i + 1 < s.size() && u(i + 1) >= 0xA0;
  if (k > need && !surrogate) return need + 1;
  *bad = std::min(k, need + 1);
  return 0;
}

// The line of the first byte that is not UTF-8, 0 when the content is UTF-8.
int first_invalid_utf8_line(std::string_view s) {
  int line = 1;
  for (size_t i = 0; i < s.size();) {
    size_t bad = 0;
    size_t n = utf8_sequence(s, i, &bad);
    if (!n) return line;
    if (s[i] == '\n') ++line;
    i += n;
  }
  return 0;
}

// What Java's UTF-8 decoder hands Flyway: ill-formed bytes become U+FFFD.
std::string as_java_reads_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t bad = 0;
    size_t n = utf8_sequence(s, i, &bad);
    if (n) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out.append("\xEF\xBF\xBD");
      i += bad;
    }
  }
  return out;
}

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// True when `sql` holds anything besides whitespace, comments and ';': a down
// migration that is only comments declares that there is no way back.
bool has_statement(std::string_view sql) {
  size_t i = 0;
  while (i < sql.size()) {
    char c = sql[i];
    if (is_space(c) || c == ';') {
      ++i;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      while (i < sql.size() && sql[i] != '\n' && sql[i] != '\r') ++i;
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
    } else if (sql.compare(i, kBom.size(), kBom) == 0) {
      i += kBom.size();
    } else {
      return true;
    }
  }
  return false;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "-- greenlight:irreversible" on a line of its own (after optional spaces).
bool declares_irreversible(std::string_view sql) {
  for (const Line& l : split_lines(sql)) {
    std::string_view t = l.text;
    size_t i = 0;
    while (i < t.size() && is_space(t[i])) ++i;
    if (t.compare(i, 2, "--") != 0) continue;
    i += 2;
    while (i < t.size() && is_space(t[i])) ++i;
    if (starts_with(lower(t.substr(i)), "greenlight:irreversible")) return true;
  }
  return false;
}

// dbmate's markers (pkg/dbmate/migration.go): `^--\s*migrate:up(\s*$|\s+\S+)`
// and `^--\s*migrate:down(\s*$|\s+\S+)$`. Returns the options text after the
// marker, or nullopt when the line is no marker.
std::optional<std::string> dbmate_marker(std::string_view line, std::string_view direction) {
  if (!starts_with(line, "--")) return std::nullopt;
  size_t i = 2;
  while (i < line.size() && is_space(line[i])) ++i;
  std::string word = "migrate:" + std::string(direction);
  if (line.compare(i, word.size(), word) != 0) return std::nullopt;
  std::string_view rest = line.substr(i + word.size());
  while (!rest.empty() && is_space(rest.back())) rest.remove_suffix(1);
  if (rest.empty()) return std::string();
  if (!is_space(rest.front())) return std::nullopt;  // "-- migrate:upgrade" is a comment
  size_t k = 0;
  while (k < rest.size() && is_space(rest[k])) ++k;
  std::string options(rest.substr(k));
  if (direction == "down" && options.find_first_of(" \t") != std::string::npos) return std::nullopt;
  return options;
}

bool has_dbmate_up_marker(std::string_view content) {
  for (const Line& l : split_lines(content))
    if (dbmate_marker(l.text, "up")) return true;
  return false;
}

// dbmate's options are key:value words; only "transaction" means anything.
bool dbmate_transaction(const std::string& options) {
  std::istringstream in(options);
  std::string word;
  bool transaction = true;
  while (in >> word) {
    auto colon = word.find(':');
    if (colon == std::string::npos || word.find(':', colon + 1) != std::string::npos) continue;
    if (word.substr(0, colon) == "transaction") transaction = word.substr(colon + 1) != "false";
  }
  return transaction;
}

// golang-migrate's source.Regex: ^([0-9]+)_(.*)\.(down|up)\.(.*)$ (the
// title is greedy, so the last .up./.down. decides).
struct GolangName {
  std::string version, title;
  bool up = true;
};

std::optional<GolangName> parse_golang_name(const std::string& name) {
  size_t i = 0;
  while (i < name.size() && is_digit(name[i])) ++i;
  if (i == 0 || i >= name.size() || name[i] != '_') return std::nullopt;
  size_t up = name.rfind(".up.");
  size_t down = name.rfind(".down.");
  size_t at = std::string::npos;
  bool is_up = true;
  if (up != std::string::npos && up > i && (down == std::string::npos || down < up)) {
    at = up;
  } else if (down != std::string::npos && down > i) {
    at = down;
    is_up = false;
  }
  if (at == std::string::npos) return std::nullopt;
  return GolangName{name.substr(0, i), name.substr(i + 1, at - i - 1), is_up};
}

bool looks_flyway(const std::string& name) {
  if (starts_with(name, "R__")) return true;
  if (name.size() < 3 || (name[0] != 'V' && name[0] != 'U') || !is_digit(name[1])) return false;
  return name.find("__") != std::string::npos;
}

// Flyway's SQL callbacks (beforeMigrate.sql, afterEachMigrate__x.sql, ...).
bool is_flyway_callback(const std::string& name) {
  auto event = [&](std::string_view p) {
    return starts_with(name, p) && name.size() > p.size() && std::isupper(static_cast<unsigned char>(name[p.size()]));
  };
  return event("before") || event("after") || starts_with(name, "createSchema");
}

enum class Kind { dbmate, golang, flyway, none };

Kind classify(const SourceFile& f) {
  if (has_dbmate_up_marker(f.bytes)) return Kind::dbmate;
  if (parse_golang_name(f.name)) return Kind::golang;
  if (looks_flyway(f.name)) return Kind::flyway;
  return Kind::none;
}

Convention convention_of(Kind k) {
  switch (k) {
    case Kind::dbmate: return Convention::dbmate;
    case Kind::golang: return Convention::golang_migrate;
    case Kind::flyway: return Convention::flyway;
    case Kind::none: break;
  }
  return Convention::plain;
}

std::string stem_of(const std::string& name) { return name.substr(0, name.size() - 4); }  // without ".sql"

SqlPart whole_file(const SourceFile& f) {
  SqlPart p;
  p.file = f.path;
  p.sql = f.bytes;
  return p;
}

Migration base_migration(const SourceFile& up) {
  Migration m;
  m.up = whole_file(up);
  m.sha256 = sha256_hex(up.bytes);
  m.flyway_checksum = flyway_checksum(up.bytes);
  m.irreversible = declares_irreversible(up.bytes);
  return m;
}

void attach_down(Migration& m, SqlPart down) {
  if (!has_statement(down.sql)) m.irreversible = true;
  m.down = std::move(down);
}

class Loader {
 public:
  explicit Loader(MigrationSet& set) : set_(set) {}

  void error(const std::string& file, const std::string& message, int line = 0) {
    set_.findings.push_back({file, line, message, true});
  }
  void warning(const std::string& file, const std::string& message, int line = 0) {
    set_.findings.push_back({file, line, message, false});
  }

  void flyway(const std::vector<SourceFile>& files) {
    std::vector<std::pair<Migration, std::string>> versioned;  // with the file name, for duplicate messages
    std::vector<std::pair<Migration, std::string>> repeatable;
    std::vector<std::pair<std::string, const SourceFile*>> undo;  // version, file
    for (const SourceFile& f : files) {
      const std::string stem = stem_of(f.name);
      if (is_flyway_callback(f.name)) {
        warning(f.name, "a Flyway callback, not a migration: greenlight does not replay it");
        continue;
      }
      char prefix = stem.empty() ? '\0' : stem[0];
      if (prefix != 'V' && prefix != 'U' && prefix != 'R') {
        error(f.name, "Flyway ignores this file: the name does not start with V (versioned), U (undo) or R (repeatable); "
                      "it should look like V1__" + (stem.empty() ? std::string("description") : stem) + ".sql");
        continue;
      }
      const std::string rest = stem.substr(1);
      size_t sep = rest.find("__");
      std::string version = sep == std::string::npos ? rest : rest.substr(0, sep);
      std::string description = sep == std::string::npos ? "" : underscores_to_spaces(rest.substr(sep + 2));
      if (prefix == 'R') {
        if (!version.empty()) {
          error(f.name, "Flyway ignores this file: a repeatable migration cannot have a version; it should look like R__" +
                            (sep == std::string::npos ? rest : rest.substr(sep + 2)) + ".sql");
          continue;
        }
        Migration m = base_migration(f);
        m.up.sql = strip_bom(m.up.sql);
        m.repeatable = true;
        m.description = description;
        repeatable.emplace_back(std::move(m), f.name);
        continue;
      }
      if (version.empty() || !flyway_parts(version)) {
        error(f.name, "Flyway ignores this file: " +
                          (version.empty() ? std::string("it has no version")
                                           : "could not recognise version number \"" + version + "\"") +
                          "; it should look like " + flyway_suggestion(prefix, rest));
        continue;
      }
      std::string normalized = version;
      std::replace(normalized.begin(), normalized.end(), '_', '.');
      if (prefix == 'U') {
        undo.emplace_back(normalized, &f);
        continue;
      }
      Migration m = base_migration(f);
      m.up.sql = strip_bom(m.up.sql);
      m.version = normalized;
      m.description = description;
      versioned.emplace_back(std::move(m), f.name);
    }

    auto by_version = [](const auto& a, const auto& b) {
      int c = compare_flyway(a.first.version, b.first.version);
      return c != 0 ? c < 0 : a.second < b.second;
    };
    std::sort(versioned.begin(), versioned.end(), by_version);
    for (size_t i = 1; i < versioned.size(); ++i) {
      if (compare_flyway(versioned[i - 1].first.version, versioned[i].first.version) == 0)
        error(versioned[i].second, "duplicate version " + versioned[i].first.version + ": " + versioned[i - 1].second +
                                       " has the same version (Flyway compares 1.1, 1_1 and 1.01 as equal) and refuses "
                                       "to migrate: \"Found more than one migration with version\"");
    }
    std::map<std::string, const SourceFile*> undo_seen;
    for (const auto& undo_file : undo) {
      // Not a structured binding: clang 14 (the fuzz build) cannot capture one in a lambda.
      const auto& version = undo_file.first;
      const auto& file = undo_file.second;
      auto it = std::find_if(versioned.begin(), versioned.end(),
                             [&](const auto& v) { return compare_flyway(v.first.version, version) == 0; });
      if (it == versioned.end()) {
        error(file->name, "undo migration for version " + version + " has no versioned migration V" + version +
                              "__*.sql to undo");
        continue;
      }
      if (it->first.down) {
        error(file->name, "duplicate undo migration for version " + version + ": " + it->first.down->file.filename().string() +
                              " undoes the same version");
        continue;
      }
      SqlPart down = whole_file(*file);
      down.sql = strip_bom(down.sql);
      attach_down(it->first, std::move(down));
    }
    std::sort(repeatable.begin(), repeatable.end(), [](const auto& a, const auto& b) {
      return a.first.description != b.first.description ? a.first.description < b.first.description : a.second < b.second;
    });
    for (size_t i = 1; i < repeatable.size(); ++i) {
      if (repeatable[i - 1].first.description == repeatable[i].first.description)
        error(repeatable[i].second, "duplicate repeatable migration \"" + repeatable[i].first.description + "\": " +
                                        repeatable[i - 1].second +
                                        " has the same description and Flyway refuses to migrate");
    }
    for (auto& v : versioned) set_.migrations.push_back(std::move(v.first));
    for (auto& r : repeatable) set_.migrations.push_back(std::move(r.first));
  }

  void golang(const std::vector<SourceFile>& files) {
    struct Pair {
      std::string version;  // as first seen; "3" and "003" are one version to golang-migrate
      std::string up_version;
      const SourceFile* up = nullptr;
      const SourceFile* down = nullptr;
      std::string title;
    };
    std::vector<Pair> pairs;
    auto pair_for = [&](const std::string& version) -> Pair& {
      for (Pair& p : pairs)
        if (compare_digit_strings(p.version, version) == 0) return p;
      pairs.push_back({version});
      return pairs.back();
    };
    for (const SourceFile& f : files) {
      auto parsed = parse_golang_name(f.name);
      if (!parsed) {
        error(f.name, "golang-migrate ignores this file: the name does not match <version>_<title>.up.sql / "
                      "<version>_<title>.down.sql; it should look like " + golang_suggestion(f.name));
        continue;
      }
      if (compare_digit_strings(parsed->version, "18446744073709551615") > 0) {
        error(f.name, "golang-migrate ignores this file: version " + parsed->version + " does not fit in 64 bits");
        continue;
      }
      Pair& p = pair_for(parsed->version);
      const SourceFile*& slot = parsed->up ? p.up : p.down;
      if (slot) {
        error(f.name, "duplicate " + std::string(parsed->up ? "up" : "down") + " migration for version " +
                          parsed->version + ": " + slot->name + " has the same version; golang-migrate refuses to start "
                          "(duplicate migration file)");
        continue;
      }
      slot = &f;
      if (parsed->up) p.up_version = parsed->version;
      if (parsed->up || p.title.empty()) p.title = parsed->title;
    }
    std::sort(pairs.begin(), pairs.end(),
              [](const Pair& a, const Pair& b) { return compare_digit_strings(a.version, b.version) < 0; });
    for (const Pair& p : pairs) {
      if (!p.up) {
        error(p.down->name, "down migration without an up migration for version " + p.version +
                                ": golang-migrate would record version " + p.version + " as applied without running anything");
        continue;
      }
      Migration m = base_migration(*p.up);
      m.version = p.up_version;
      m.description = underscores_to_spaces(p.title);
      if (p.down)
        attach_down(m, whole_file(*p.down));
      else
        warning(p.up->name, "no down migration: reversibility cannot be checked");
      set_.migrations.push_back(std::move(m));
    }
  }

  void dbmate(const std::vector<SourceFile>& files) {
    std::vector<std::pair<Migration, std::string>> found;
    for (const SourceFile& f : files) {
      size_t digits = 0;
      while (digits < f.name.size() && is_digit(f.name[digits])) ++digits;
      if (digits == 0) {
        error(f.name, "dbmate ignores this file: the name must start with its version digits; it should look like "
                      "20240101120000_" + stem_of(f.name) + ".sql");
        continue;
      }
      std::optional<Migration> m = dbmate_file(f);
      if (!m) continue;
      m->version = f.name.substr(0, digits);
      std::string rest = stem_of(f.name).substr(digits);
      while (!rest.empty() && (rest[0] == '_' || rest[0] == '-' || rest[0] == '.')) rest.erase(0, 1);
      m->description = underscores_to_spaces(rest);
      found.emplace_back(std::move(*m), f.name);
    }
    std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
      int c = compare_digit_strings(a.first.version, b.first.version);
      return c != 0 ? c < 0 : a.second < b.second;
    });
    for (size_t i = 1; i < found.size(); ++i) {
      const auto& prev = found[i - 1];
      const auto& cur = found[i];
      if (compare_digit_strings(prev.first.version, cur.first.version) == 0) {
        error(cur.second, "duplicate version " + cur.first.version + ": " + prev.second +
                              " has the same version; dbmate records one row per version, so once one is applied it "
                              "treats the other as applied too and never runs it");
      } else if (cur.second < prev.second) {
        // dbmate sorts by file name, not by number.
        error(cur.second, "dbmate applies files in file-name order, so " + cur.second + " runs before " + prev.second +
                              " although its version is higher; give every version the same number of digits");
      }
    }
    for (auto& m : found) set_.migrations.push_back(std::move(m.first));
  }

  void plain(const std::vector<SourceFile>& files) {
    std::vector<const SourceFile*> sorted;
    for (const SourceFile& f : files) sorted.push_back(&f);
    std::sort(sorted.begin(), sorted.end(),
              [](const SourceFile* a, const SourceFile* b) { return natural_compare(a->name, b->name) < 0; });
    std::map<std::string, std::string> by_number;  // leading number without zeros -> file
    for (const SourceFile* f : sorted) {
      std::string stem = stem_of(f->name);
      size_t digits = 0;
      while (digits < stem.size() && is_digit(stem[digits])) ++digits;
      Migration m = base_migration(*f);
      m.version = digits ? stem.substr(0, digits) : stem;
      std::string rest = stem.substr(digits);
      while (!rest.empty() && (rest[0] == '_' || rest[0] == '-' || rest[0] == '.' || rest[0] == ' ')) rest.erase(0, 1);
      m.description = underscores_to_spaces(digits ? rest : stem);
      if (digits) {
        auto [it, fresh] = by_number.emplace(strip_leading_zeros(m.version), f->name);
        if (!fresh)
          error(f->name, "duplicate version " + m.version + ": " + it->second +
                             " starts with the same number, so their order is a matter of luck");
      }
      set_.migrations.push_back(std::move(m));
    }
  }

 private:
  MigrationSet& set_;

  static std::string strip_bom(std::string s) {
    if (starts_with(s, kBom)) s.erase(0, kBom.size());
    return s;
  }

  static std::string flyway_suggestion(char prefix, const std::string& rest) {
    // The common slip: one underscore instead of two after the version.
    size_t i = 0;
    while (i < rest.size() && (is_digit(rest[i]) || rest[i] == '.')) ++i;
    if (i > 0 && i < rest.size() && rest[i] == '_' && rest.compare(i, 2, "__") != 0)
      return std::string(1, prefix) + rest.substr(0, i) + "__" + rest.substr(i + 1) + ".sql";
    return std::string(1, prefix) + "1.2__description.sql";
  }

  static std::string golang_suggestion(const std::string& name) {
    std::string stem = stem_of(name);
    size_t i = 0;
    while (i < stem.size() && is_digit(stem[i])) ++i;
    if (i > 0 && i < stem.size() && stem[i] == '_') return stem + ".up.sql and " + stem + ".down.sql";
    return "1_create_users.up.sql and 1_create_users.down.sql";
  }

  // Splits one dbmate file into its sections the way dbmate 2 does, with the
  // checks it makes before running anything.
  std::optional<Migration> dbmate_file(const SourceFile& f) {
    std::vector<Line> lines = split_lines(f.bytes);
    const Line* up = nullptr;
    const Line* down = nullptr;
    std::string up_options, down_options;
    for (const Line& l : lines) {
      if (!up) {
        if (auto o = dbmate_marker(l.text, "up")) {
          up = &l;
          up_options = *o;
        }
      }
      if (!down) {
        if (auto o = dbmate_marker(l.text, "down")) {
          down = &l;
          down_options = *o;
        }
      }
    }
    if (!up) {
      error(f.name, "no '-- migrate:up' line: dbmate requires each migration to define an up block with '-- migrate:up'");
      return std::nullopt;
    }
    if (!down) {
      error(f.name, "no '-- migrate:down' line: dbmate (since 2.0) requires each migration to define a down block; "
                    "leave it empty to declare the migration irreversible", up->number);
      return std::nullopt;
    }
    if (down->number < up->number) {
      error(f.name, "'-- migrate:down' comes before '-- migrate:up': dbmate requires the up block first", down->number);
      return std::nullopt;
    }
    for (const Line& l : lines) {
      if (l.number >= up->number) break;
      std::string_view t = l.text;
      size_t i = 0;
      while (i < t.size() && is_space(t[i])) ++i;
      if (i < t.size() && t.compare(i, 2, "--") != 0) {
        error(f.name, "a statement before '-- migrate:up': dbmate refuses files with statements outside the blocks",
              l.number);
        return std::nullopt;
      }
    }
    auto section = [&](const Line& marker, size_t end, const std::string& options) {
      SqlPart p;
      p.file = f.path;
      size_t begin = marker.begin + marker.text.size();
      if (begin < f.bytes.size() && f.bytes[begin] == '\r') ++begin;
      if (begin < f.bytes.size() && f.bytes[begin] == '\n') ++begin;
      p.sql = f.bytes.substr(std::min(begin, end), end > begin ? end - begin : 0);
      p.first_line = marker.number + 1;
      p.transaction = dbmate_transaction(options);
      return p;
    };
    Migration m;
    m.up = section(*up, down->begin, up_options);
    attach_down(m, section(*down, f.bytes.size(), down_options));
    m.irreversible = m.irreversible || declares_irreversible(m.up.sql);
    m.sha256 = sha256_hex(f.bytes);
    m.flyway_checksum = flyway_checksum(f.bytes);
    return m;
  }
};

}  // namespace

const char* to_string(Convention c) {
  switch (c) {
    case Convention::flyway: return "flyway";
    case Convention::golang_migrate: return "golang-migrate";
    case Convention::dbmate: return "dbmate";
    case Convention::plain: return "plain";
  }
  return "plain";
}

std::optional<Convention> parse_convention(const std::string& s) {
  for (Convention c : {Convention::flyway, Convention::golang_migrate, Convention::dbmate, Convention::plain})
    if (s == to_string(c)) return c;
  return std::nullopt;
}

bool MigrationSet::has_errors() const {
  return std::any_of(findings.begin(), findings.end(), [](const SourceFinding& f) { return f.error; });
}

int compare_versions(Convention c, const std::string& a, const std::string& b) {
  switch (c) {
    case Convention::flyway: return compare_flyway(a, b);
    case Convention::golang_migrate:
      if (all_digits(a) && all_digits(b)) return compare_digit_strings(a, b);
      return natural_compare(a, b);
    case Convention::dbmate:
      // dbmate keys its history by the version text: "001" and "1" are two versions.
      if (all_digits(a) && all_digits(b)) {
        if (int n = compare_digit_strings(a, b)) return n;
        return compare_text(a, b);
      }
      return natural_compare(a, b);
    case Convention::plain: return natural_compare(a, b);
  }
  return natural_compare(a, b);
}

int32_t flyway_checksum(const std::string& content) {
  // ChecksumCalculator: a BufferedReader over the UTF-8 decoded file, the BOM
  // filtered from the first line, CRC32 updated with each line's UTF-8 bytes
  // (terminators dropped), the unsigned value cast to a Java int.
  std::string text = as_java_reads_utf8(content);
  std::string_view view = text;
  if (starts_with(view, kBom)) view.remove_prefix(kBom.size());
  uLong crc = crc32(0L, Z_NULL, 0);
  for (const Line& l : split_lines(view))
    crc = crc32(crc, reinterpret_cast<const Bytef*>(l.text.data()), static_cast<uInt>(l.text.size()));
  return static_cast<int32_t>(static_cast<uint32_t>(crc));
}

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed (OpenSSL EVP_Digest)");
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xF];
  }
  return out;
}

MigrationSet load_migrations(const fs::path& dir, std::optional<Convention> convention) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw std::runtime_error("migration directory " + dir.string() + " does not exist");
  if (!fs::is_directory(dir, ec)) throw std::runtime_error("migration directory " + dir.string() + " is not a directory");

  std::vector<SourceFile> files;
  fs::directory_iterator it(dir, ec);
  if (ec) throw std::runtime_error("cannot read migration directory " + dir.string() + ": " + ec.message());
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || !ends_with(name, ".sql")) continue;
    std::error_code e2;
    if (!entry.is_regular_file(e2)) continue;
    files.push_back({name, entry.path(), read_bytes(entry.path())});
  }
  std::sort(files.begin(), files.end(), [](const SourceFile& a, const SourceFile& b) { return a.name < b.name; });

  MigrationSet set;
  set.dir = dir;
  Loader loader(set);
  if (files.empty()) {
    set.convention = convention.value_or(Convention::plain);
    loader.error("", "no migration files in " + dir.string() + " (greenlight reads the *.sql files directly in it)");
    return set;
  }

  if (convention) {
    set.convention = *convention;
  } else {
    // The convention with the most files wins, so that the findings about the
    // odd ones out name them rather than the majority.
    std::map<Kind, std::vector<const SourceFile*>> kinds;
    for (const SourceFile& f : files)
      if (Kind k = classify(f); k != Kind::none) kinds[k].push_back(&f);
    Kind chosen = Kind::none;
    size_t most = 0;
    for (const auto& [k, list] : kinds)
      if (list.size() > most) {
        chosen = k;
        most = list.size();
      }
    set.convention = convention_of(chosen);
    if (kinds.size() > 1) {
      std::string names;
      const SourceFile* odd = nullptr;
      for (const auto& [k, list] : kinds) {
        if (!names.empty()) names += ", ";
        names += list.front()->name + " (" + to_string(convention_of(k)) + ")";
        if (k != chosen && !odd) odd = list.front();
      }
      loader.error(odd->name, "files of more than one migration convention in one directory: " + names +
                                  "; read as " + to_string(set.convention) +
                                  ". Keep one tool's files per directory, or name the convention in the plan");
    }
  }

  for (const SourceFile& f : files)
    if (int line = first_invalid_utf8_line(f.bytes))
      loader.warning(f.name, "not valid UTF-8 from this line on: the migration tools read files as UTF-8, so what "
                             "they run (and Flyway's checksum) may differ from the bytes on disk", line);

  switch (set.convention) {
    case Convention::flyway: loader.flyway(files); break;
    case Convention::golang_migrate: loader.golang(files); break;
    case Convention::dbmate: loader.dbmate(files); break;
    case Convention::plain: loader.plain(files); break;
  }
  return set;
}

}  // namespace greenlight
