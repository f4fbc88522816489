// load_migrations against real directories: each tool's naming, ordering and
// sections read the way the tool reads them, every finding naming its file,
// and Flyway's checksum checked against Java's own CRC32 and readLine.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "suites/migration/sources.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;
namespace fs = std::filesystem;

namespace {

void write(const TempDir& dir, const std::string& name, const std::string& content) {
  std::ofstream out(dir.file(name), std::ios::binary);
  out << content;
  REQUIRE(out.good());
}

std::string describe(const MigrationSet& set) {
  std::ostringstream s;
  s << "convention " << to_string(set.convention) << "\n";
  for (const Migration& m : set.migrations) s << "  migration " << m.version << " '" << m.description << "'\n";
  for (const SourceFinding& f : set.findings)
    s << "  " << (f.error ? "error " : "warning ") << f.file << ":" << f.line << ": " << f.message << "\n";
  return s.str();
}

std::vector<std::string> versions(const MigrationSet& set) {
  std::vector<std::string> v;
  for (const Migration& m : set.migrations) v.push_back(m.version);
  return v;
}

// The findings about one file.
std::vector<SourceFinding> about(const MigrationSet& set, const std::string& file) {
  std::vector<SourceFinding> out;
  std::copy_if(set.findings.begin(), set.findings.end(), std::back_inserter(out),
               [&](const SourceFinding& f) { return f.file == file; });
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const Migration& by_version(const MigrationSet& set, const std::string& version) {
  auto it = std::find_if(set.migrations.begin(), set.migrations.end(),
                         [&](const Migration& m) { return m.version == version; });
  REQUIRE(it != set.migrations.end());
  return *it;
}

std::string find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string d;
  while (std::getline(dirs, d, ':'))
    if (!d.empty() && fs::exists(fs::path(d) / program)) return (fs::path(d) / program).string();
  return "";
}

}  // namespace

TEST_CASE("Flyway files are read with Flyway's names versions and order", "[migration][sources][flyway]") {
  TempDir dir;
  write(dir, "V1__create_users.sql", "CREATE TABLE users (id int);\n");
  write(dir, "V1_1__add_email.sql", "ALTER TABLE users ADD email text;\n");
  write(dir, "V1.9__nine.sql", "SELECT 9;\n");
  write(dir, "V1.10__ten.sql", "SELECT 10;\n");
  write(dir, "V2__drop_email.sql", "ALTER TABLE users DROP email;\n");
  write(dir, "U2__drop_email.sql", "ALTER TABLE users ADD email text;\n");
  write(dir, "R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;\n");
  write(dir, "R__a_functions.sql", "SELECT 'f';\n");
  write(dir, "README.md", "not a migration");

  MigrationSet set = load_migrations(dir.path());
  INFO(describe(set));
  CHECK(set.convention == Convention::flyway);
  CHECK_FALSE(set.has_errors());
  CHECK(set.findings.empty());
  // 1.10 after 1.9 (numbers, not text); V1_1 means 1.1; repeatables last, by description.
  CHECK(versions(set) == std::vector<std::string>{"1", "1.1", "1.9", "1.10", "2", "", ""});
  CHECK(set.migrations[0].description == "create users");
  CHECK(set.migrations[5].repeatable);
  CHECK(set.migrations[5].description == "a functions");
  CHECK(set.migrations[6].description == "views");
  CHECK(set.migrations[0].up.file == fs::path(dir.file("V1__create_users.sql")));
  CHECK(set.migrations[0].up.sql == "CREATE TABLE users (id int);\n");
  CHECK_FALSE(set.migrations[0].down.has_value());
  const Migration& two = by_version(set, "2");
  REQUIRE(two.down.has_value());
  CHECK(two.down->file == fs::path(dir.file("U2__drop_email.sql")));
  CHECK_FALSE(two.irreversible);
  // sha256 of the file bytes (FIPS 180-2 style check against a direct hash of the same bytes).
  CHECK(set.migrations[0].sha256 == sha256_hex("CREATE TABLE users (id int);\n"));
  CHECK(set.migrations[0].flyway_checksum == flyway_checksum("CREATE TABLE users (id int);\n"));
}

TEST_CASE("Flyway names that Flyway would skip or refuse are findings naming the file", "[migration][sources][flyway]") {
  TempDir dir;
  write(dir, "V1__init.sql", "SELECT 1;\n");
  write(dir, "V2_create_users.sql", "SELECT 2;\n");   // one underscore: Flyway reads version "2_create_users"
  write(dir, "notes.sql", "SELECT 'n';\n");           // no prefix at all
  write(dir, "V3.1__a.sql", "SELECT 31;\n");
  write(dir, "V3_01__b.sql", "SELECT 301;\n");        // 3_01 == 3.1 for Flyway
  write(dir, "U7__undo_nothing.sql", "SELECT 7;\n");  // no V7
  write(dir, "R1__bad_repeatable.sql", "SELECT 'r';\n");
  write(dir, "R__same.sql", "SELECT 1;\n");
  write(dir, "R__same.sql.bak", "ignored: not .sql");
  write(dir, "beforeMigrate.sql", "SELECT 'cb';\n");

  MigrationSet set = load_migrations(dir.path(), Convention::flyway);
  INFO(describe(set));
  CHECK(set.has_errors());

  auto one_underscore = about(set, "V2_create_users.sql");
  REQUIRE(one_underscore.size() == 1);
  CHECK(one_underscore[0].error);
  CHECK(one_underscore[0].line == 0);
  CHECK(contains(one_underscore[0].message, "Flyway ignores this file"));
  CHECK(contains(one_underscore[0].message, "2_create_users"));
  CHECK(contains(one_underscore[0].message, "V2__create_users.sql"));  // what it should look like

  auto no_prefix = about(set, "notes.sql");
  REQUIRE(no_prefix.size() == 1);
  CHECK(no_prefix[0].error);
  CHECK(contains(no_prefix[0].message, "does not start with V"));

  // The duplicate is reported on the later file and names the earlier one.
  auto dup = about(set, "V3_01__b.sql");
  REQUIRE(dup.size() == 1);
  CHECK(dup[0].error);
  CHECK(contains(dup[0].message, "duplicate version"));
  CHECK(contains(dup[0].message, "V3.1__a.sql"));

  auto undo = about(set, "U7__undo_nothing.sql");
  REQUIRE(undo.size() == 1);
  CHECK(undo[0].error);
  CHECK(contains(undo[0].message, "no versioned migration V7"));

  auto repeatable = about(set, "R1__bad_repeatable.sql");
  REQUIRE(repeatable.size() == 1);
  CHECK(contains(repeatable[0].message, "R__bad_repeatable.sql"));

  auto callback = about(set, "beforeMigrate.sql");
  REQUIRE(callback.size() == 1);
  CHECK_FALSE(callback[0].error);

  CHECK(about(set, "V1__init.sql").empty());
  CHECK(about(set, "R__same.sql").empty());
  CHECK(about(set, "R__same.sql.bak").empty());
}

TEST_CASE("Flyway version comparison follows MigrationVersion", "[migration][sources][flyway]") {
  CHECK(compare_versions(Convention::flyway, "1.9", "1.10") < 0);
  CHECK(compare_versions(Convention::flyway, "1.10", "1.9") > 0);
  CHECK(compare_versions(Convention::flyway, "1_1", "1.1") == 0);
  CHECK(compare_versions(Convention::flyway, "1.01", "1.1") == 0);  // BigInteger parts
  CHECK(compare_versions(Convention::flyway, "1.0", "1") == 0);     // trailing zeros dropped
  CHECK(compare_versions(Convention::flyway, "2", "1.999") > 0);
  CHECK(compare_versions(Convention::flyway, "20240101120000", "9") > 0);
  CHECK(compare_versions(Convention::flyway, "123456789012345678901234567890", "123456789012345678901234567891") < 0);
}

TEST_CASE("golang-migrate pairs are read in integer order", "[migration][sources][golang]") {
  TempDir dir;
  for (int v : {1, 2, 9, 10}) {
    write(dir, std::to_string(v) + "_step_" + std::to_string(v) + ".up.sql", "CREATE TABLE t" + std::to_string(v) + " (id int);\n");
    write(dir, std::to_string(v) + "_step_" + std::to_string(v) + ".down.sql", "DROP TABLE t" + std::to_string(v) + ";\n");
  }
  MigrationSet set = load_migrations(dir.path());
  INFO(describe(set));
  CHECK(set.convention == Convention::golang_migrate);
  CHECK(set.findings.empty());
  CHECK(versions(set) == std::vector<std::string>{"1", "2", "9", "10"});
  const Migration& ten = set.migrations[3];
  CHECK(ten.description == "step 10");
  CHECK(ten.up.file == fs::path(dir.file("10_step_10.up.sql")));
  REQUIRE(ten.down.has_value());
  CHECK(ten.down->file == fs::path(dir.file("10_step_10.down.sql")));
  CHECK(ten.down->sql == "DROP TABLE t10;\n");
  CHECK_FALSE(ten.irreversible);
  CHECK(ten.sha256 == sha256_hex("CREATE TABLE t10 (id int);\n"));
  CHECK(compare_versions(Convention::golang_migrate, "9", "10") < 0);
  CHECK(compare_versions(Convention::golang_migrate, "003", "3") == 0);
}

TEST_CASE("golang-migrate findings name the file", "[migration][sources][golang]") {
  TempDir dir;
  write(dir, "1_init.up.sql", "CREATE TABLE a (id int);\n");
  write(dir, "1_init.down.sql", "DROP TABLE a;\n");
  write(dir, "001_again.up.sql", "CREATE TABLE b (id int);\n");  // version 1 again
  write(dir, "2_no_down.up.sql", "CREATE TABLE c (id int);\n");
  write(dir, "3_only_down.down.sql", "DROP TABLE d;\n");
  write(dir, "4_forgot_direction.sql", "CREATE TABLE e (id int);\n");
  write(dir, "5_one_way.up.sql", "DROP TABLE old;\n");
  write(dir, "5_one_way.down.sql", "-- there is no way back: the data is gone\n/* really */\n");
  write(dir, "6_declared.up.sql", "-- greenlight:irreversible\nDELETE FROM logs;\n");
  write(dir, "6_declared.down.sql", "SELECT 1;\n");

  MigrationSet set = load_migrations(dir.path(), Convention::golang_migrate);
  INFO(describe(set));
  CHECK(set.has_errors());

  auto dup = about(set, "1_init.up.sql");  // "001" < "1_" by name, so 1_init is the later one
  auto dup2 = about(set, "001_again.up.sql");
  REQUIRE(dup.size() + dup2.size() == 1);
  const SourceFinding& d = dup.empty() ? dup2[0] : dup[0];
  CHECK(d.error);
  CHECK(contains(d.message, "duplicate up migration for version"));
  CHECK((contains(d.message, "001_again.up.sql") || contains(d.message, "1_init.up.sql")));

  auto no_down = about(set, "2_no_down.up.sql");
  REQUIRE(no_down.size() == 1);
  CHECK_FALSE(no_down[0].error);
  CHECK(no_down[0].message == "no down migration: reversibility cannot be checked");

  auto only_down = about(set, "3_only_down.down.sql");
  REQUIRE(only_down.size() == 1);
  CHECK(only_down[0].error);
  CHECK(contains(only_down[0].message, "down migration without an up migration for version 3"));

  auto no_direction = about(set, "4_forgot_direction.sql");
  REQUIRE(no_direction.size() == 1);
  CHECK(no_direction[0].error);
  CHECK(contains(no_direction[0].message, "golang-migrate ignores this file"));
  CHECK(contains(no_direction[0].message, "4_forgot_direction.up.sql"));

  // A down that holds no statement declares the migration irreversible; so does the marker.
  CHECK(by_version(set, "5").irreversible);
  CHECK(by_version(set, "6").irreversible);
  CHECK_FALSE(by_version(set, "2").irreversible);
  CHECK(about(set, "5_one_way.up.sql").empty());
}

TEST_CASE("dbmate sections options and line numbers are read from one file", "[migration][sources][dbmate]") {
  TempDir dir;
  const std::string first =
      "-- a comment before the blocks is allowed\n"  // line 1
      "\n"                                            // line 2
      "-- migrate:up\n"                               // line 3
      "CREATE TABLE users (id int);\n"                // line 4
      "\n"                                            // line 5
      "-- migrate:down\n"                             // line 6
      "DROP TABLE users;\n";                          // line 7
  write(dir, "20240101120000_create_users.sql", first);
  const std::string second =
      "-- migrate:up transaction:false\r\n"                     // line 1, CRLF
      "CREATE INDEX CONCURRENTLY users_id ON users (id);\r\n"  // line 2
      "-- migrate:down transaction:false\r\n"                  // line 3
      "DROP INDEX CONCURRENTLY users_id;\r\n";                 // line 4
  write(dir, "20240102120000_index_users.sql", second);
  write(dir, "20240103120000_irreversible.sql", "-- migrate:up\nDELETE FROM users;\n-- migrate:down\n");

  MigrationSet set = load_migrations(dir.path());
  INFO(describe(set));
  CHECK(set.convention == Convention::dbmate);
  CHECK(set.findings.empty());
  REQUIRE(versions(set) == std::vector<std::string>{"20240101120000", "20240102120000", "20240103120000"});

  const Migration& m1 = set.migrations[0];
  CHECK(m1.description == "create users");
  CHECK(m1.up.sql == "CREATE TABLE users (id int);\n\n");
  CHECK(m1.up.first_line == 4);
  CHECK(m1.up.transaction);
  REQUIRE(m1.down.has_value());
  CHECK(m1.down->sql == "DROP TABLE users;\n");
  CHECK(m1.down->first_line == 7);
  CHECK(m1.up.file == fs::path(dir.file("20240101120000_create_users.sql")));
  CHECK(m1.sha256 == sha256_hex(first));  // the whole file
  CHECK_FALSE(m1.irreversible);

  const Migration& m2 = set.migrations[1];
  CHECK(m2.up.sql == "CREATE INDEX CONCURRENTLY users_id ON users (id);\r\n");
  CHECK(m2.up.first_line == 2);
  CHECK_FALSE(m2.up.transaction);
  REQUIRE(m2.down.has_value());
  CHECK(m2.down->first_line == 4);
  CHECK_FALSE(m2.down->transaction);

  CHECK(set.migrations[2].irreversible);  // empty down section
}

TEST_CASE("dbmate findings name the file and line", "[migration][sources][dbmate]") {
  TempDir dir;
  write(dir, "001_ok.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n");
  write(dir, "002_no_up.sql", "CREATE TABLE x (id int);\n");
  write(dir, "003_no_down.sql", "-- migrate:up\nSELECT 3;\n");
  write(dir, "004_statement_first.sql", "-- header\nCREATE TYPE t AS ENUM ('a');\n-- migrate:up\nSELECT 4;\n-- migrate:down\n");
  write(dir, "005_down_first.sql", "-- migrate:down\nSELECT 5;\n-- migrate:up\nSELECT 5;\n");
  write(dir, "006_a.sql", "-- migrate:up\nSELECT 6;\n-- migrate:down\n");
  write(dir, "006_b.sql", "-- migrate:up\nSELECT 6;\n-- migrate:down\n");
  write(dir, "schema.sql", "-- migrate:up\nSELECT 0;\n-- migrate:down\n");

  MigrationSet set = load_migrations(dir.path());
  INFO(describe(set));
  CHECK(set.convention == Convention::dbmate);
  CHECK(about(set, "001_ok.sql").empty());

  auto no_up = about(set, "002_no_up.sql");
  REQUIRE(no_up.size() == 1);
  CHECK(no_up[0].error);
  CHECK(contains(no_up[0].message, "-- migrate:up"));

  auto no_down = about(set, "003_no_down.sql");
  REQUIRE(no_down.size() == 1);
  CHECK(no_down[0].error);
  CHECK(contains(no_down[0].message, "-- migrate:down"));

  auto statement = about(set, "004_statement_first.sql");
  REQUIRE(statement.size() == 1);
  CHECK(statement[0].line == 2);
  CHECK(contains(statement[0].message, "before '-- migrate:up'"));

  auto order = about(set, "005_down_first.sql");
  REQUIRE(order.size() == 1);
  CHECK(order[0].line == 1);

  auto dup = about(set, "006_b.sql");
  REQUIRE(dup.size() == 1);
  CHECK(dup[0].error);
  CHECK(contains(dup[0].message, "006_a.sql"));

  auto unversioned = about(set, "schema.sql");
  REQUIRE(unversioned.size() == 1);
  CHECK(contains(unversioned[0].message, "dbmate ignores this file"));
}

TEST_CASE("dbmate versions of different lengths run in file-name order and are flagged", "[migration][sources][dbmate]") {
  TempDir dir;
  write(dir, "9_nine.sql", "-- migrate:up\nSELECT 9;\n-- migrate:down\n");
  write(dir, "10_ten.sql", "-- migrate:up\nSELECT 10;\n-- migrate:down\n");
  MigrationSet set = load_migrations(dir.path());
  INFO(describe(set));
  CHECK(versions(set) == std::vector<std::string>{"9", "10"});
  auto order = about(set, "10_ten.sql");
  REQUIRE(order.size() == 1);
  CHECK(order[0].error);
  CHECK(contains(order[0].message, "file-name order"));
  CHECK(contains(order[0].message, "9_nine.sql"));

  TempDir padded;
  write(padded, "09_nine.sql", "-- migrate:up\nSELECT 9;\n-- migrate:down\n");
  write(padded, "10_ten.sql", "-- migrate:up\nSELECT 10;\n-- migrate:down\n");
  MigrationSet ok = load_migrations(padded.path());
  INFO(describe(ok));
  CHECK(ok.findings.empty());
  CHECK(compare_versions(Convention::dbmate, "9", "10") < 0);
  CHECK(compare_versions(Convention::dbmate, "001", "1") != 0);  // dbmate keys versions by their text
}

TEST_CASE("plain files are ordered naturally", "[migration][sources][plain]") {
  TempDir dir;
  write(dir, "10_add_index.sql", "CREATE INDEX i ON t (id);\n");
  write(dir, "2_create_table.sql", "CREATE TABLE t (id int);\n");
  write(dir, "1_init.sql", "SELECT 1;\n");
  write(dir, "seed.sql", "INSERT INTO t VALUES (1);\n");
  MigrationSet set = load_migrations(dir.path());
  INFO(describe(set));
  CHECK(set.convention == Convention::plain);
  CHECK(set.findings.empty());
  CHECK(versions(set) == std::vector<std::string>{"1", "2", "10", "seed"});
  CHECK(set.migrations[1].description == "create table");
  CHECK(set.migrations[3].description == "seed");
  CHECK(compare_versions(Convention::plain, "2", "10") < 0);
  CHECK(compare_versions(Convention::plain, "a2", "a10") < 0);

  write(dir, "02_again.sql", "SELECT 2;\n");
  MigrationSet dup = load_migrations(dir.path());
  INFO(describe(dup));
  REQUIRE(dup.has_errors());
  bool named = false;
  for (const SourceFinding& f : dup.findings)
    named = named || ((f.file == "2_create_table.sql" && contains(f.message, "02_again.sql")) ||
                      (f.file == "02_again.sql" && contains(f.message, "2_create_table.sql")));
  CHECK(named);
}

TEST_CASE("mixed conventions and empty or missing directories", "[migration][sources]") {
  TempDir mixed;
  write(mixed, "1_a.up.sql", "SELECT 1;\n");
  write(mixed, "1_a.down.sql", "SELECT 1;\n");
  write(mixed, "V2__b.sql", "SELECT 2;\n");
  MigrationSet set = load_migrations(mixed.path());
  INFO(describe(set));
  REQUIRE(set.has_errors());
  const SourceFinding& f = set.findings.front();
  CHECK(f.error);
  CHECK(contains(f.message, "more than one migration convention"));
  CHECK(contains(f.message, "1_a.down.sql (golang-migrate)"));
  CHECK(contains(f.message, "V2__b.sql (flyway)"));
  CHECK(f.file == "V2__b.sql");

  TempDir empty;
  write(empty, "README.md", "no sql here");
  MigrationSet none = load_migrations(empty.path());
  REQUIRE(none.findings.size() == 1);
  CHECK(none.findings[0].error);
  CHECK(contains(none.findings[0].message, "no migration files in " + empty.path()));
  CHECK(none.migrations.empty());

  CHECK_THROWS_WITH(load_migrations(empty.file("nowhere")), Catch::Contains("does not exist") && Catch::Contains("nowhere"));
  CHECK_THROWS_WITH(load_migrations(empty.file("README.md")), Catch::Contains("not a directory"));
}

TEST_CASE("a file that is not UTF-8 is a warning naming its line", "[migration][sources]") {
  TempDir dir;
  write(dir, "V1__latin1.sql", "SELECT 1;\n-- caf\xE9\nSELECT 2;\n");
  write(dir, "V2__utf8.sql", "SELECT 1;\n-- caf\xC3\xA9\n");
  MigrationSet set = load_migrations(dir.path());
  INFO(describe(set));
  auto bad = about(set, "V1__latin1.sql");
  REQUIRE(bad.size() == 1);
  CHECK_FALSE(bad[0].error);
  CHECK(bad[0].line == 2);
  CHECK(contains(bad[0].message, "UTF-8"));
  CHECK(about(set, "V2__utf8.sql").empty());
}

TEST_CASE("convention names round-trip", "[migration][sources]") {
  for (Convention c : {Convention::flyway, Convention::golang_migrate, Convention::dbmate, Convention::plain})
    CHECK(parse_convention(to_string(c)) == c);
  CHECK(std::string(to_string(Convention::golang_migrate)) == "golang-migrate");
  CHECK_FALSE(parse_convention("liquibase").has_value());
  CHECK_FALSE(parse_convention("Flyway").has_value());
}

TEST_CASE("sha256_hex matches the FIPS 180-2 test vectors", "[migration][sources]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

// Flyway's checksum is CRC32 (IEEE) over the lines without their terminators,
// first-line BOM removed, as a signed int. 0xCBF43926 is the CRC32 check value
// of "123456789". (During development the same code also reproduced a
// checksum Flyway itself had written to a public project's history table.)
TEST_CASE("flyway_checksum is line-ending and BOM independent", "[migration][sources][checksum]") {
  CHECK(flyway_checksum("123456789") == static_cast<int32_t>(0xCBF43926u));
  CHECK(flyway_checksum("123456789\n") == static_cast<int32_t>(0xCBF43926u));
  CHECK(flyway_checksum("1234\n56789") == static_cast<int32_t>(0xCBF43926u));  // lines are concatenated
  CHECK(flyway_checksum("") == 0);
  const std::string lf = "CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n";
  CHECK(flyway_checksum("CREATE TABLE t (id int);\r\nINSERT INTO t VALUES (1);\r\n") == flyway_checksum(lf));
  CHECK(flyway_checksum("CREATE TABLE t (id int);\rINSERT INTO t VALUES (1);") == flyway_checksum(lf));
  CHECK(flyway_checksum("\xEF\xBB\xBF" + lf) == flyway_checksum(lf));
  // A BOM anywhere else is content; so is every other byte.
  CHECK(flyway_checksum("CREATE TABLE t (id int);\n\xEF\xBB\xBFINSERT INTO t VALUES (1);\n") != flyway_checksum(lf));
  CHECK(flyway_checksum("CREATE TABLE t (id int);\nINSERT INTO t VALUES (2);\n") != flyway_checksum(lf));
}

// An independent oracle: Java's own BufferedReader.readLine and CRC32, driven
// the way Flyway's ChecksumCalculator drives them (UTF-8 reader, BOM filtered
// from the first line, (int) crc32.getValue()).
TEST_CASE("flyway_checksum agrees with java.util.zip.CRC32 over readLine", "[migration][sources][checksum][java]") {
  const std::string java = find_in_path("java");
  if (java.empty() || find_in_path("javac").empty()) {
    WARN("skipped: no JDK (java and javac) in PATH; install default-jdk-headless");
    return;
  }
  TempDir dir;
  write(dir, "FlywayChecksum.java",
        "import java.io.*;\n"
        "import java.nio.charset.StandardCharsets;\n"
        "import java.util.zip.CRC32;\n"
        "public class FlywayChecksum {\n"
        "  public static void main(String[] args) throws IOException {\n"
        "    for (String a : args) {\n"
        "      CRC32 crc = new CRC32();\n"
        "      try (BufferedReader r = new BufferedReader(new InputStreamReader(new FileInputStream(a), "
        "StandardCharsets.UTF_8), 4096)) {\n"
        "        String line = r.readLine();\n"
        "        if (line != null) {\n"
        "          if (!line.isEmpty() && line.charAt(0) == '\\uFEFF') line = line.substring(1);\n"
        "          do { crc.update(line.getBytes(StandardCharsets.UTF_8)); } while ((line = r.readLine()) != null);\n"
        "        }\n"
        "      }\n"
        "      System.out.println((int) crc.getValue());\n"
        "    }\n"
        "  }\n"
        "}\n");
  const std::vector<std::string> contents = {
      "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
      "-- crlf\r\nCREATE TABLE a (id int);\r\n\r\nINSERT INTO a VALUES (1);\r\n",
      "-- lone cr\rSELECT 1;\rSELECT 2;",
      "\xEF\xBB\xBF-- with a BOM\nSELECT 'x';\n",
      "-- non-ASCII: caf\xC3\xA9, \xE2\x82\xAC, \xF0\x9F\x98\x80\nSELECT '\xC3\xA9';\n",
      "   \n\t\n  indented;  \n\n\n",
      "-- not UTF-8: \xE9 \xC3( \xED\xA0\x80 \xF0\x9F\x98 \xFF end\nSELECT 1;\n",
      // How many U+FFFD Java makes of each: surrogates as one unit, overlongs byte by byte.
      "\xED\xA0 \xED\xBF\xBF \xE0\x80\x80 \xF4\x90\x80\x80 \xC0\x80 \xF0\x80\x80\x80 \xF5 \xE2\x82\n\xED\xA0",
      "no newline at the end",
      "",
  };
  std::vector<std::string> args = {dir.file("FlywayChecksum.java")};
  for (size_t i = 0; i < contents.size(); ++i) {
    write(dir, "f" + std::to_string(i) + ".sql", contents[i]);
    args.push_back(dir.file("f" + std::to_string(i) + ".sql"));
  }
  const ToolResult r = run_tool(java, args);
  INFO("java stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  std::istringstream out(r.out);
  for (size_t i = 0; i < contents.size(); ++i) {
    long long expected = 0;
    REQUIRE(out >> expected);
    INFO("file f" << i << ".sql");
    CHECK(flyway_checksum(contents[i]) == expected);
  }
}
