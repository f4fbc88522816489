// Schema diffs between real databases (SQLite files, a PostgreSQL 15 server
// started here): each kind of change shows up, naming its object and the
// attribute that changed old -> new; identical builds, history tables and
// data (sequence values) show none.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

#include "harness/database.h"
#include "suites/migration/schema_diff.h"
#include "suites/migration/schema_snapshot.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

PostgresServer& pg() {
  static PostgresServer server;
  return server;
}

// A change to the base schema and the diff lines it must produce, exactly.
struct Variant {
  std::string what;
  std::string replace_from, replace_to;  // in the base SQL
  std::string extra_sql;                 // run after the base
  std::vector<std::string> lines;        // format_diff lines, in order; empty: no difference
};

std::string replaced(std::string sql, const Variant& v) {
  if (v.replace_from.empty()) return sql;
  size_t at = sql.find(v.replace_from);
  REQUIRE(at != std::string::npos);
  return sql.replace(at, v.replace_from.size(), v.replace_to);
}

std::vector<std::string> body_lines(const std::string& formatted) {
  std::vector<std::string> lines;
  size_t start = formatted.find('\n') + 1;  // after the header line
  while (start < formatted.size()) {
    size_t nl = formatted.find('\n', start);
    lines.push_back(formatted.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

void check_variants(const SchemaSnapshot& base, const std::vector<Variant>& variants,
                    const std::function<SchemaSnapshot(size_t, const Variant&)>& build) {
  for (size_t i = 0; i < variants.size(); ++i) {
    const Variant& v = variants[i];
    INFO("variant: " << v.what);
    const std::vector<SchemaChange> changes = diff_schema(base, build(i, v));
    const std::string formatted = format_diff(changes, "base", "changed");
    INFO(formatted);
    CHECK(changes.size() == v.lines.size());
    if (v.lines.empty())
      CHECK(formatted == "schema base -> changed: no differences\n");
    else
      CHECK(body_lines(formatted) == v.lines);
  }
}

const char* kSqliteBase = R"sql(
  CREATE TABLE teams(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE users(id INTEGER PRIMARY KEY, email TEXT NOT NULL, nickname TEXT DEFAULT 'x',
                     age INTEGER CHECK (age >= 0), team_id INTEGER REFERENCES teams(id) ON DELETE CASCADE);
  CREATE INDEX users_email_idx ON users(email);
  CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18;
  CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN UPDATE teams SET name = name WHERE id = NEW.team_id; END;
  CREATE TABLE schema_migrations(version TEXT PRIMARY KEY);
)sql";

SchemaSnapshot sqlite_build(const TempDir& dir, const std::string& name, const std::string& sql) {
  const std::string path = dir.file(name);
  {
    SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(sql);
  }
  auto db = open_database("sqlite://" + path, Access::read_only);
  return snapshot_schema(*db);
}

}  // namespace

TEST_CASE("format_diff: one line per change with the sides named in a header", "[schema_diff]") {
  SchemaSnapshot a, b;
  a.objects["column users.nickname"] = {"column", "users.nickname", {{"table", "users"}, {"type", "text"}, {"nullable", "yes"}}};
  a.objects["column users.email"] = {"column", "users.email", {{"table", "users"}, {"type", "text"}, {"nullable", "yes"}}};
  b.objects["column users.email"] = {"column", "users.email", {{"table", "users"}, {"type", "varchar(100)"}, {"nullable", "no"}}};
  b.objects["index users_email_idx"] = {"index", "users_email_idx", {{"table", "users"}, {"definition", "CREATE INDEX users_email_idx ON users (email)"}}};
  b.objects["table users"] = {"table", "users", {}};
  a.objects["table users"] = {"table", "users", {}};

  const auto changes = diff_schema(a, b);
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].kind == SchemaChange::changed);
  CHECK(changes[0].object == "column users.email");
  CHECK(changes[0].detail == "nullable: yes -> no; type: text -> varchar(100)");
  CHECK(changes[1].kind == SchemaChange::removed);
  CHECK(changes[1].object == "column users.nickname");
  CHECK(changes[2].kind == SchemaChange::added);
  CHECK(changes[2].object == "index users_email_idx");
  CHECK(format_diff(changes, "before up", "after down") ==
        "schema before up -> after down: 3 differences (- only before up, + only after down, ~ changed)\n"
        "~ column users.email: nullable: yes -> no; type: text -> varchar(100)\n"
        "- column users.nickname (text, nullable)\n"
        "+ index users_email_idx on users (CREATE INDEX users_email_idx ON users (email))\n");
  CHECK(diff_schema(a, a).empty());
  CHECK(format_diff({}, "x", "y") == "schema x -> y: no differences\n");

  // A long definition is cut to where the two differ.
  SchemaSnapshot v1, v2;
  const std::string head(200, 'h'), tail(200, 't');
  v1.objects["view v"] = {"view", "v", {{"definition", head + " age >= 18 " + tail}}};
  v2.objects["view v"] = {"view", "v", {{"definition", head + " age >= 21 " + tail}}};
  const auto cut = diff_schema(v1, v2);
  REQUIRE(cut.size() == 1);
  CHECK_THAT(cut[0].detail, Catch::Contains("age >= 18") && Catch::Contains("age >= 21") && Catch::StartsWith("definition: ..."));
  CHECK(cut[0].detail.size() < 200);  // not the 800 characters of both values
}

TEST_CASE("SQLite diff: each kind of change names its object and what changed", "[schema_diff][sqlite]") {
  TempDir dir("greenlight-diff");
  const SchemaSnapshot base = sqlite_build(dir, "base.db", kSqliteBase);
  CHECK(diff_schema(base, sqlite_build(dir, "same.db", kSqliteBase)).empty());

  const std::vector<Variant> variants = {
      {"index dropped", "", "", "DROP INDEX users_email_idx",
       {"- index users_email_idx on users (create index users_email_idx on users(email))"}},
      {"index added", "", "", "CREATE INDEX users_age_idx ON users (age)",
       {"+ index users_age_idx on users (create index users_age_idx on users(age))"}},
      {"column type", "email TEXT NOT NULL", "email VARCHAR(100) NOT NULL", "",
       {"~ column users.email: type: text -> varchar(100)"}},
      {"default", "DEFAULT 'x'", "DEFAULT 'y'", "", {"~ column users.nickname: default: 'x' -> 'y'"}},
      {"nullability", "email TEXT NOT NULL", "email TEXT", "", {"~ column users.email: nullable: no -> yes"}},
      {"column dropped", "", "", "ALTER TABLE users DROP COLUMN nickname",
       {"- column users.nickname (text, nullable, default 'x')"}},
      {"column order", "id INTEGER PRIMARY KEY, email TEXT NOT NULL,", "email TEXT NOT NULL, id INTEGER PRIMARY KEY,", "",
       {"~ column users.email: position: 2 -> 1", "~ column users.id: position: 1 -> 2"}},
      {"foreign key", "ON DELETE CASCADE", "ON DELETE SET NULL", "",
       {"~ foreign key users.foreign key(team_id): on delete: cascade -> set null"}},
      {"check", "CHECK (age >= 0)", "CHECK (age > 0)", "",
       {"+ check users.check(age > 0) on users (age > 0)", "- check users.check(age >= 0) on users (age >= 0)"}},
      {"view body", "WHERE age >= 18", "WHERE age >= 21", "",
       {"~ view adults: definition: create view adults as select id from users where age >= 18 -> create view "
        "adults as select id from users where age >= 21"}},
      {"trigger", "AFTER UPDATE ON users", "AFTER INSERT ON users", "",
       {"~ trigger users.users_touch: definition: create trigger users_touch after update on users begin update "
        "teams set name = name where id = new.team_id; end -> create trigger users_touch after insert on users "
        "begin update teams set name = name where id = new.team_id; end"}},
      {"history table changed", "", "",
       "ALTER TABLE schema_migrations ADD COLUMN applied_at TEXT; CREATE INDEX sm_idx ON schema_migrations(applied_at)",
       {}},
      {"data only", "", "", "INSERT INTO teams(name) VALUES ('a'); INSERT INTO users(email) VALUES ('b')", {}},
      {"same schema spelled differently", "CREATE INDEX users_email_idx ON users(email)",
       "create index \"users_email_idx\" on USERS ( Email )", "", {}},
  };
  check_variants(base, variants, [&](size_t i, const Variant& v) {
    return sqlite_build(dir, "v" + std::to_string(i) + ".db", replaced(kSqliteBase, v) + ";" + v.extra_sql);
  });
}

namespace {

const char* kPgBase = R"sql(
  CREATE TYPE mood AS ENUM ('sad', 'happy');
  CREATE TABLE teams(id serial PRIMARY KEY, name text NOT NULL);
  CREATE TABLE users(id serial PRIMARY KEY, email text NOT NULL, nickname text DEFAULT 'x',
                     age int CONSTRAINT users_age_check CHECK (age >= 0),
                     team_id int CONSTRAINT users_team_fk REFERENCES teams(id) ON DELETE CASCADE, feeling mood);
  CREATE INDEX users_email_idx ON users (email);
  CREATE SEQUENCE invoice_no;
  CREATE VIEW adults AS SELECT id FROM users WHERE age >= 18;
  CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    NEW.nickname := lower(NEW.nickname);
    RETURN NEW;
  END $$;
  CREATE TRIGGER users_touch BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION touch();
  CREATE TABLE flyway_schema_history(installed_rank int PRIMARY KEY, version text);
)sql";

SchemaSnapshot pg_build(const std::string& dbname, const std::string& sql, const std::string& extra = "") {
  pg().create_database(dbname);
  pg().exec(sql, dbname);
  if (!extra.empty()) pg().exec(extra, dbname);
  auto db = open_database(pg().dsn(dbname), Access::read_only);
  return snapshot_schema(*db);
}

}  // namespace

TEST_CASE("PostgreSQL diff: each kind of change names its object and what changed", "[schema_diff][postgres]") {
  const SchemaSnapshot base = pg_build("base", kPgBase);
  CHECK(diff_schema(base, pg_build("same", kPgBase)).empty());

  const std::vector<Variant> variants = {
      {"index dropped", "", "", "DROP INDEX users_email_idx",
       {"- index users_email_idx on users (CREATE INDEX users_email_idx ON public.users USING btree (email))"}},
      {"index added", "", "", "CREATE UNIQUE INDEX users_lower_email ON users (lower(email))",
       {"+ index users_lower_email on users (CREATE UNIQUE INDEX users_lower_email ON public.users USING btree "
        "(lower(email)))"}},
      {"column type", "", "", "ALTER TABLE users ALTER COLUMN email TYPE varchar(100)",
       {"~ column users.email: type: text -> character varying(100)"}},
      {"default", "", "", "ALTER TABLE users ALTER COLUMN nickname SET DEFAULT 'y'",
       {"~ column users.nickname: default: 'x'::text -> 'y'::text"}},
      {"nullability", "", "", "ALTER TABLE users ALTER COLUMN email DROP NOT NULL",
       {"~ column users.email: nullable: no -> yes"}},
      {"column added", "", "", "ALTER TABLE users ADD COLUMN bio text NOT NULL DEFAULT ''",
       {"+ column users.bio (text, not null, default ''::text)"}},
      {"foreign key", "", "",
       "ALTER TABLE users DROP CONSTRAINT users_team_fk, ADD CONSTRAINT users_team_fk FOREIGN KEY (team_id) "
       "REFERENCES teams(id) ON DELETE SET NULL",
       {"~ foreign key users.users_team_fk: definition: FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE CASCADE "
        "-> FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE SET NULL"}},
      {"check", "", "",
       "ALTER TABLE users DROP CONSTRAINT users_age_check, ADD CONSTRAINT users_age_check CHECK (age > 0)",
       {"~ check users.users_age_check: definition: CHECK ((age >= 0)) -> CHECK ((age > 0))"}},
      {"view body", "", "", "CREATE OR REPLACE VIEW adults AS SELECT id FROM users WHERE age >= 21",
       {"~ view adults: definition: SELECT users.id FROM users WHERE (users.age >= 18); -> SELECT users.id FROM "
        "users WHERE (users.age >= 21);"}},
      {"trigger", "", "",
       "DROP TRIGGER users_touch ON users; CREATE TRIGGER users_touch BEFORE INSERT OR UPDATE ON users FOR EACH ROW "
       "EXECUTE FUNCTION touch()",
       {"~ trigger users.users_touch: definition: CREATE TRIGGER users_touch BEFORE INSERT ON public.users FOR EACH "
        "ROW EXECUTE FUNCTION touch() -> CREATE TRIGGER users_touch BEFORE INSERT OR UPDATE ON public.users FOR EACH "
        "ROW EXECUTE FUNCTION touch()"}},
      {"trigger disabled", "", "", "ALTER TABLE users DISABLE TRIGGER users_touch",
       {"~ trigger users.users_touch: enabled: yes -> no"}},
      {"sequence increment", "", "", "ALTER SEQUENCE invoice_no INCREMENT BY 10",
       {"~ sequence invoice_no: increment: 1 -> 10"}},
      {"enum label", "", "", "ALTER TYPE mood ADD VALUE 'great'",
       {"~ type mood: labels: 'sad', 'happy' -> 'sad', 'happy', 'great'"}},
      {"function body", "lower(NEW.nickname)", "upper(NEW.nickname)", "",
       {"~ function touch(): definition: ...$function$ BEGIN NEW.nickname := lower(NEW.nickname); RETURN NEW; END... "
        "-> ...$function$ BEGIN NEW.nickname := upper(NEW.nickname); RETURN NEW; END..."}},
      {"function body layout only", "    NEW.nickname := lower(NEW.nickname);\n",
       "NEW.nickname   :=   lower(NEW.nickname);   ", "", {}},
      {"history table changed", "", "",
       "ALTER TABLE flyway_schema_history ADD COLUMN checksum int; CREATE INDEX fsh_idx ON flyway_schema_history(version)",
       {}},
      {"sequence values and data", "", "",
       "SELECT nextval('invoice_no'); INSERT INTO teams(name) VALUES ('a'); INSERT INTO users(email) VALUES ('b')",
       {}},
  };
  check_variants(base, variants, [&](size_t i, const Variant& v) {
    return pg_build("v" + std::to_string(i), replaced(kPgBase, v), v.extra_sql);
  });
}

TEST_CASE("PostgreSQL diff: a down that forgot to drop an index and a table", "[schema_diff][postgres]") {
  // The reversibility check's view: before up, then after up and down.
  ScratchDatabase scratch(pg().dsn("postgres"));
  Database& db = scratch.db();
  db.exec("CREATE TABLE users(id serial PRIMARY KEY, email text)");
  const SchemaSnapshot before_up = snapshot_schema(db);
  db.exec("CREATE INDEX users_email_idx ON users (email)");   // up
  db.exec("CREATE TABLE audit(id int)");                      // up
  db.exec("ALTER TABLE users ADD COLUMN nickname text");      // up
  db.exec("ALTER TABLE users DROP COLUMN nickname");          // down forgets the index and the table
  const std::string diff = format_diff(diff_schema(before_up, snapshot_schema(db)), "before up", "after up, down");
  CHECK(diff ==
        "schema before up -> after up, down: 3 differences (- only before up, + only after up, down, ~ changed)\n"
        "+ table audit\n"
        "+ column audit.id (integer, nullable)\n"
        "+ index users_email_idx on users (CREATE INDEX users_email_idx ON public.users USING btree (email))\n");
  // A correct down leaves nothing.
  db.exec("DROP INDEX users_email_idx");
  db.exec("DROP TABLE audit");
  CHECK(diff_schema(before_up, snapshot_schema(db)).empty());
}
