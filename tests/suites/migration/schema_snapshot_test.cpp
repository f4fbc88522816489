// Schema snapshots of real databases (SQLite files, a PostgreSQL 15 server
// started here): every kind of object appears with the attributes that
// matter, equivalent builds compare equal, history tables are left out, and a
// read-only handle (the target) is enough.
#include <catch2/catch.hpp>

#include <string>

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

// The attributes of one object; fails the test, naming the object, when it is missing.
std::map<std::string, std::string> attrs(const SchemaSnapshot& s, const std::string& key) {
  auto it = s.objects.find(key);
  INFO("objects: " << to_json(s).dump(1));
  REQUIRE(it != s.objects.end());
  return it->second.attributes;
}

std::string sqlite_file(const TempDir& dir, const std::string& name, const std::string& sql) {
  const std::string path = dir.file(name);
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(sql);
  return path;
}

SchemaSnapshot sqlite_snapshot(const std::string& path, const SnapshotOptions& o = {}) {
  auto db = open_database("sqlite://" + path, Access::read_only);
  return snapshot_schema(*db, o);
}

SchemaSnapshot pg_snapshot(const std::string& dbname, Access access = Access::read_only) {
  auto db = open_database(pg().dsn(dbname), access);
  return snapshot_schema(*db);
}

const char* kSqliteSchema = R"sql(
  CREATE TABLE teams(id INTEGER PRIMARY KEY, name TEXT NOT NULL);
  CREATE TABLE users(
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT COLLATE NOCASE DEFAULT 'anon',
    age INTEGER CHECK (age >= 0),
    team_id INTEGER REFERENCES teams ON DELETE CASCADE,
    email_lower TEXT GENERATED ALWAYS AS (lower(email)) VIRTUAL,
    CONSTRAINT name_short CHECK (length(name) < 100),
    UNIQUE (team_id, name)
  );
  CREATE INDEX users_name_idx ON users(name DESC);
  CREATE UNIQUE INDEX users_active_email ON users(email) WHERE age > 17;
  CREATE TABLE tags(code TEXT PRIMARY KEY, label TEXT) WITHOUT ROWID;
  CREATE VIEW adults AS SELECT id, email FROM users WHERE age >= 18;
  CREATE TRIGGER users_touch AFTER UPDATE ON users BEGIN UPDATE teams SET name = name WHERE id = NEW.team_id; END;
  CREATE TABLE schema_migrations(version TEXT PRIMARY KEY, applied_at TEXT UNIQUE);
  CREATE INDEX schema_migrations_at ON schema_migrations(applied_at);
  CREATE TRIGGER schema_migrations_t AFTER INSERT ON schema_migrations BEGIN SELECT 1; END;
  CREATE TABLE counters(id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER);
)sql";

}  // namespace

TEST_CASE("SQLite snapshot: every kind of object with its attributes", "[schema_snapshot][sqlite]") {
  TempDir dir("greenlight-snapshot");
  const SchemaSnapshot s = sqlite_snapshot(sqlite_file(dir, "a.db", kSqliteSchema));
  CHECK(s.dialect == Dialect::sqlite);

  CHECK(attrs(s, "table users")["without rowid"] == "no");
  CHECK(attrs(s, "table tags")["without rowid"] == "yes");

  auto email = attrs(s, "column users.email");
  CHECK(email["type"] == "text");
  CHECK(email["nullable"] == "no");
  CHECK(email["position"] == "2");
  auto name = attrs(s, "column users.name");
  CHECK(name["default"] == "'anon'");
  CHECK(name["nullable"] == "yes");
  CHECK(name["collation"] == "nocase");
  CHECK(attrs(s, "column users.email_lower")["generated"] == "virtual as lower(email)");

  CHECK(attrs(s, "primary key users.primary key(id)")["columns"] == "id");
  CHECK(attrs(s, "primary key tags.primary key(code)")["columns"] == "code");
  CHECK(attrs(s, "unique users.unique(email)")["columns"] == "email");
  CHECK(attrs(s, "unique users.unique(team_id, name)")["columns"] == "team_id, name");

  auto fk = attrs(s, "foreign key users.foreign key(team_id)");
  CHECK(fk["references"] == "teams(id)");  // the implicit primary key, spelled out
  CHECK(fk["on delete"] == "cascade");
  CHECK(fk["on update"] == "no action");

  CHECK(attrs(s, "check users.check(age >= 0)")["expression"] == "age >= 0");
  CHECK(attrs(s, "check users.name_short")["expression"] == "length(name) < 100");

  auto idx = attrs(s, "index users_name_idx");
  CHECK(idx["table"] == "users");
  CHECK(idx["columns"] == "name desc");  // the column's own collation is no attribute of the index
  CHECK(idx["definition"] == "create index users_name_idx on users(name desc)");
  auto partial = attrs(s, "index users_active_email");
  CHECK(partial["unique"] == "yes");
  CHECK(partial["partial"] == "yes");

  CHECK(attrs(s, "view adults")["definition"] ==
        "create view adults as select id, email from users where age >= 18");
  CHECK(attrs(s, "trigger users.users_touch")["definition"] ==
        "create trigger users_touch after update on users begin update teams set name = name where id = new.team_id; "
        "end");

  // History tables and everything on them are left out; so are SQLite's own
  // tables and the autoindex names.
  const std::string json = to_json(s).dump();
  CHECK_THAT(json, !Catch::Contains("schema_migrations"));
  CHECK_THAT(json, !Catch::Contains("sqlite_"));
  CHECK(s.objects.count("table counters") == 1);

  // With no exclusion, the history table is there.
  const SchemaSnapshot all = sqlite_snapshot(dir.file("a.db"), SnapshotOptions{{}});
  CHECK(all.objects.count("table schema_migrations") == 1);
  CHECK(all.objects.count("index schema_migrations_at") == 1);
  CHECK(all.objects.count("trigger schema_migrations.schema_migrations_t") == 1);

  auto j = to_json(s);
  CHECK(j["dialect"] == "sqlite");
  CHECK(j["objects"].size() == s.objects.size());
}

TEST_CASE("SQLite snapshot: equivalent builds compare equal and real differences do not",
          "[schema_snapshot][sqlite]") {
  TempDir dir("greenlight-snapshot");
  const std::string a = sqlite_file(dir, "a.db", kSqliteSchema);
  // The same schema written differently: other case, spacing and quoting,
  // table-level instead of column-level constraints, a column added later,
  // a table rebuilt and renamed the way SQLite migrations do it.
  const std::string b = sqlite_file(dir, "b.db", R"sql(
    create table "teams"(id integer primary key, name text not null);
    CREATE TABLE users_new (
      id   INTEGER   PRIMARY KEY,
      email TEXT NOT NULL,
      name TEXT COLLATE NOCASE DEFAULT 'anon',
      age INTEGER,
      team_id INTEGER,
      email_lower TEXT GENERATED ALWAYS AS (LOWER(email)) VIRTUAL,
      UNIQUE(email),
      CHECK (AGE >= 0),
      CONSTRAINT name_short CHECK (LENGTH(name) < 100),
      UNIQUE (team_id, name),
      FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE CASCADE
    );
    ALTER TABLE users_new RENAME TO users;
    CREATE   INDEX users_name_idx   ON users ( name DESC );
    CREATE UNIQUE INDEX IF NOT EXISTS users_active_email ON "users"(email) WHERE age > 17;
    CREATE TABLE tags(code TEXT PRIMARY KEY) WITHOUT ROWID;
    ALTER TABLE tags ADD COLUMN label TEXT;
    CREATE VIEW adults AS
      SELECT id, email
      FROM users
      WHERE age >= 18;
    CREATE TRIGGER users_touch AFTER UPDATE ON users
    BEGIN
      UPDATE teams SET name = name WHERE id = NEW.team_id;
    END;
    CREATE TABLE counters(id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER);
    INSERT INTO counters(n) VALUES (1), (2);
  )sql");
  const SchemaSnapshot sa = sqlite_snapshot(a), sb = sqlite_snapshot(b);
  INFO(format_diff(diff_schema(sa, sb), "a", "b"));
  CHECK(sa == sb);

  // Column order is behaviour (SELECT *, INSERT without columns): it differs.
  const std::string c = sqlite_file(dir, "c.db", "CREATE TABLE t(a INTEGER, b TEXT)");
  const std::string d = sqlite_file(dir, "d.db", "CREATE TABLE t(b TEXT, a INTEGER)");
  CHECK_FALSE(sqlite_snapshot(c) == sqlite_snapshot(d));
}

TEST_CASE("SQLite snapshot: a read-only handle is enough and writes nothing", "[schema_snapshot][sqlite]") {
  TempDir dir("greenlight-snapshot");
  const std::string path = sqlite_file(dir, "a.db", kSqliteSchema);
  auto rw = open_database("sqlite://" + path, Access::read_write);
  const SchemaSnapshot written = snapshot_schema(*rw);
  rw.reset();
  auto ro = open_database("sqlite://" + path, Access::read_only);
  CHECK(snapshot_schema(*ro) == written);
  CHECK_FALSE(ro->in_transaction());
  // Inside the caller's transaction, which stays open.
  ro->begin();
  CHECK(snapshot_schema(*ro) == written);
  CHECK(ro->in_transaction());
  ro->rollback();
}

namespace {

const char* kPgSchema = R"sql(
  CREATE EXTENSION citext;
  CREATE SCHEMA audit;
  CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
  CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
  CREATE TYPE pair AS (a integer, b text);
  CREATE TABLE teams(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
  CREATE TABLE users(
    id serial PRIMARY KEY,
    email varchar(200) NOT NULL,
    nick citext,
    name text DEFAULT 'anon',
    age positive,
    feeling mood DEFAULT 'ok',
    team_id bigint REFERENCES teams(id) ON DELETE CASCADE,
    email_lower text GENERATED ALWAYS AS (lower(email)) STORED,
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_name_short CHECK (length(name) < 100)
  );
  CREATE INDEX users_name_idx ON users (lower(name)) WHERE age > 17;
  CREATE TABLE bookings(room int, during tsrange, EXCLUDE USING gist (during WITH &&));
  CREATE TABLE audit.log(id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), what text);
  CREATE TABLE events(at date NOT NULL, kind text) PARTITION BY RANGE (at);
  CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE SEQUENCE invoice_no INCREMENT BY 5 START WITH 100 MAXVALUE 100000 CYCLE;
  CREATE VIEW adults AS SELECT id, email FROM users WHERE age >= 18;
  CREATE MATERIALIZED VIEW team_sizes AS SELECT team_id, count(*) AS n FROM users GROUP BY team_id;
  CREATE FUNCTION audit.touch() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    INSERT INTO audit.log(what) VALUES (TG_OP);
    RETURN NEW;
  END $$;
  CREATE PROCEDURE reset_names() LANGUAGE sql AS $$ UPDATE users SET name = 'anon' $$;
  CREATE TRIGGER users_audit AFTER INSERT OR UPDATE ON users FOR EACH ROW EXECUTE FUNCTION audit.touch();
  ALTER TABLE users ENABLE ROW LEVEL SECURITY;
  CREATE POLICY own_rows ON users FOR SELECT USING (email = current_user);
  CREATE TABLE flyway_schema_history(installed_rank int PRIMARY KEY, version text, checksum int);
  CREATE INDEX flyway_schema_history_s_idx ON flyway_schema_history (version);
)sql";

}  // namespace

TEST_CASE("PostgreSQL snapshot: every kind of object with its attributes", "[schema_snapshot][postgres]") {
  pg().create_database("snap");
  pg().exec(kPgSchema, "snap");
  const SchemaSnapshot s = pg_snapshot("snap");
  CHECK(s.dialect == Dialect::postgresql);

  CHECK(s.objects.count("schema public") == 1);
  CHECK(s.objects.count("schema audit") == 1);
  CHECK(attrs(s, "extension citext")["schema"] == "public");
  // The extension's own types and functions belong to it, not to the schema.
  const std::string json = to_json(s).dump();
  CHECK_THAT(json, !Catch::Contains("citextin") && !Catch::Contains("\"type citext\""));
  CHECK(s.objects.count("type citext") == 0);

  CHECK(attrs(s, "type mood")["labels"] == "'sad', 'ok', 'happy'");
  auto domain = attrs(s, "type positive");
  CHECK(domain["kind"] == "domain");
  CHECK(domain["type"] == "integer");
  CHECK_THAT(domain["constraints"], Catch::Contains("CHECK ((VALUE > 0))"));
  CHECK(attrs(s, "type pair")["attributes"] == "a integer, b text");

  auto email = attrs(s, "column users.email");
  CHECK(email["type"] == "character varying(200)");
  CHECK(email["nullable"] == "no");
  CHECK(email["position"] == "2");
  CHECK(attrs(s, "column users.id")["default"] == "nextval('users_id_seq'::regclass)");
  CHECK(attrs(s, "column users.name")["default"] == "'anon'::text");
  CHECK(attrs(s, "column users.feeling")["type"] == "mood");
  CHECK(attrs(s, "column users.nick")["type"] == "citext");
  CHECK(attrs(s, "column users.email_lower")["generated"] == "stored as lower((email)::text)");
  CHECK(attrs(s, "column teams.id")["identity"] == "always");
  CHECK(attrs(s, "column audit.log.at")["default"] == "now()");

  CHECK(attrs(s, "primary key users.users_pkey")["definition"] == "PRIMARY KEY (id)");
  CHECK(attrs(s, "unique users.users_email_key")["definition"] == "UNIQUE (email)");
  CHECK(attrs(s, "foreign key users.users_team_id_fkey")["definition"] ==
        "FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE CASCADE");
  CHECK(attrs(s, "check users.users_name_short")["definition"] == "CHECK ((length(name) < 100))");
  CHECK_THAT(attrs(s, "exclusion bookings.bookings_during_excl")["definition"], Catch::Contains("gist"));
  CHECK(attrs(s, "primary key audit.log.log_pkey")["table"] == "audit.log");

  // Indexes behind constraints are those constraints; the rest are indexes.
  CHECK(s.objects.count("index users_email_key") == 0);
  CHECK(s.objects.count("index users_pkey") == 0);
  auto idx = attrs(s, "index users_name_idx");
  CHECK(idx["table"] == "users");
  CHECK(idx["definition"] == "CREATE INDEX users_name_idx ON public.users USING btree (lower(name)) WHERE ((age)::integer > 17)");

  CHECK(attrs(s, "table events")["partitioned by"] == "RANGE (at)");
  auto part = attrs(s, "table events_2024");
  CHECK(part["partition of"] == "events");
  CHECK(part["partition bound"] == "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')");
  CHECK(attrs(s, "table users")["row security"] == "on");

  auto seq = attrs(s, "sequence invoice_no");
  CHECK(seq["increment"] == "5");
  CHECK(seq["start"] == "100");
  CHECK(seq["max"] == "100000");
  CHECK(seq["cycle"] == "yes");
  CHECK(seq.count("owned by") == 0);
  CHECK(attrs(s, "sequence users_id_seq")["owned by"] == "users.id");
  CHECK(attrs(s, "sequence audit.log_id_seq")["owned by"] == "audit.log.id");

  CHECK(attrs(s, "view adults")["definition"] == "SELECT users.id, users.email FROM users WHERE ((users.age)::integer >= 18);");
  CHECK(attrs(s, "view team_sizes")["materialized"] == "yes");
  CHECK(attrs(s, "trigger users.users_audit")["definition"] ==
        "CREATE TRIGGER users_audit AFTER INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION audit.touch()");
  auto fn = attrs(s, "function audit.touch()");
  CHECK(fn["kind"] == "function");
  CHECK_THAT(fn["definition"], Catch::Contains("CREATE OR REPLACE FUNCTION audit.touch() RETURNS trigger") &&
                                   Catch::Contains("INSERT INTO audit.log(what) VALUES (TG_OP); RETURN NEW;"));
  CHECK(attrs(s, "function reset_names()")["kind"] == "procedure");
  CHECK(attrs(s, "policy users.own_rows")["command"] == "select");

  // The history table and its index are left out.
  CHECK_THAT(json, !Catch::Contains("flyway_schema_history"));
}

TEST_CASE("PostgreSQL snapshot: equivalent builds compare equal whatever the session settings",
          "[schema_snapshot][postgres]") {
  pg().create_database("eq_a");
  pg().exec(kPgSchema, "eq_a");
  pg().create_database("eq_b");
  // Another order of steps, ALTERs instead of inline definitions, a column
  // dropped on the way, and a search_path default that would change how the
  // server prints names.
  pg().exec(R"sql(
    ALTER DATABASE eq_b SET search_path = audit, public;
    CREATE EXTENSION citext;
    CREATE SCHEMA audit;
    CREATE TYPE public.mood AS ENUM ('sad', 'happy');
    ALTER TYPE public.mood ADD VALUE 'ok' BEFORE 'happy';
  )sql",
            "eq_b");
  // A new enum label must be committed before it is used.
  pg().exec(R"sql(
    CREATE DOMAIN public.positive AS integer CONSTRAINT positive_check CHECK (VALUE > 0);
    CREATE TYPE public.pair AS (a integer, b text);
    CREATE TABLE public.teams(id bigint GENERATED ALWAYS AS IDENTITY, name text);
    ALTER TABLE public.teams ALTER COLUMN name SET NOT NULL;
    ALTER TABLE public.teams ADD PRIMARY KEY (id);
    create table public.users(id serial primary key, old_col int, email varchar(200) not null);
    ALTER TABLE public.users DROP COLUMN old_col;
    ALTER TABLE public.users ADD COLUMN nick public.citext, ADD COLUMN name text DEFAULT 'anon',
      ADD COLUMN age public.positive, ADD COLUMN feeling public.mood DEFAULT 'ok', ADD COLUMN team_id bigint,
      ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED;
    ALTER TABLE public.users ADD CONSTRAINT users_email_key UNIQUE (email);
    ALTER TABLE public.users ADD CONSTRAINT users_name_short CHECK (length(name) < 100);
    ALTER TABLE public.users ADD FOREIGN KEY (team_id) REFERENCES public.teams ON DELETE CASCADE;
    CREATE INDEX users_name_idx ON public.users USING btree (lower(name)) WHERE age > 17;
    CREATE TABLE public.bookings(room int, during tsrange);
    ALTER TABLE public.bookings ADD EXCLUDE USING gist (during WITH &&);
    CREATE TABLE audit.log(id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), what text);
    CREATE TABLE public.events(at date NOT NULL, kind text) PARTITION BY RANGE (at);
    CREATE TABLE public.events_2024(at date NOT NULL, kind text);
    ALTER TABLE public.events ATTACH PARTITION public.events_2024 FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE SEQUENCE public.invoice_no INCREMENT 5 START 100 MAXVALUE 100000 CYCLE;
    SELECT nextval('public.invoice_no'), nextval('public.invoice_no');
    CREATE VIEW public.adults AS SELECT id, email FROM public.users WHERE age >= 18;
    CREATE MATERIALIZED VIEW public.team_sizes AS SELECT team_id, count(*) AS n FROM public.users GROUP BY team_id;
    CREATE FUNCTION audit.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        INSERT INTO audit.log(what) VALUES (TG_OP);   RETURN NEW;
      END $$;
    CREATE PROCEDURE public.reset_names() LANGUAGE sql AS $$ UPDATE users SET name = 'anon' $$;
    CREATE TRIGGER users_audit AFTER INSERT OR UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION audit.touch();
    ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;
    CREATE POLICY own_rows ON public.users FOR SELECT USING (email = current_user);
    INSERT INTO public.users(email) VALUES ('a@example.com');
  )sql",
            "eq_b");
  const SchemaSnapshot a = pg_snapshot("eq_a"), b = pg_snapshot("eq_b");
  INFO(format_diff(diff_schema(a, b), "eq_a", "eq_b"));
  CHECK(a == b);
  // The connection's own search_path is untouched after a snapshot.
  auto db = open_database(pg().dsn("eq_b"), Access::read_only);
  snapshot_schema(*db);
  CHECK(db->query_value("SHOW search_path") == std::optional<std::string>("audit, public"));
  db->begin();
  snapshot_schema(*db);
  CHECK(db->query_value("SHOW search_path") == std::optional<std::string>("audit, public"));
  db->rollback();
}

TEST_CASE("PostgreSQL snapshot: a read-only handle is enough and gives the same as a read-write one",
          "[schema_snapshot][postgres]") {
  pg().create_database("ro_snap");
  pg().exec(kPgSchema, "ro_snap");
  CHECK(pg_snapshot("ro_snap", Access::read_only) == pg_snapshot("ro_snap", Access::read_write));
  // Through a scratch database, as the migration suite takes it.
  ScratchDatabase scratch(pg().dsn("postgres"));
  scratch.db().exec(kPgSchema);
  const SchemaSnapshot from_scratch = snapshot_schema(scratch.db());
  INFO(format_diff(diff_schema(pg_snapshot("ro_snap"), from_scratch), "ro_snap", "scratch"));
  CHECK(from_scratch == pg_snapshot("ro_snap"));
}
