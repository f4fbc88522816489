// Tests of the SQL tokenizer and splitter: every quoting form of both
// dialects, semicolons that must not split, exact lines and columns, errors
// that name the line, and real servers (PostgreSQL, SQLite) accepting every
// statement the splitter cuts out of realistic migration files.
#include "suites/migration/sql_tokens.h"

#include <catch2/catch.hpp>

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;

namespace {

std::vector<std::string> texts(const std::vector<Token>& tokens) {
  std::vector<std::string> out;
  for (const auto& t : tokens) out.push_back(t.text);
  return out;
}

std::vector<std::string> statement_texts(const std::vector<Statement>& statements) {
  std::vector<std::string> out;
  for (const auto& s : statements) out.push_back(s.text);
  return out;
}

int error_line(const std::string& sql, Dialect d, int first_line = 1) {
  try {
    split_statements(sql, d, first_line);
  } catch (const SqlSyntaxError& e) {
    return e.line;
  }
  return 0;
}

std::string error_message(const std::string& sql, Dialect d) {
  try {
    tokenize(sql, d);
  } catch (const SqlSyntaxError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("PostgreSQL quoting forms are single tokens", "[migration][sql_tokens]") {
  const Dialect pg = Dialect::postgresql;

  SECTION("standard strings double their quotes and keep backslashes literal") {
    auto t = tokenize(R"(SELECT 'it''s; fine', 'C:\dir')", pg);
    REQUIRE(t.size() == 4);
    CHECK(t[1].kind == TokenKind::string);
    CHECK(t[1].text == "'it''s; fine'");
    CHECK(t[3].text == R"('C:\dir')");
  }
  SECTION("E strings escape with backslashes") {
    auto t = tokenize(R"(SELECT E'it\'s; \\', e'x' ;)", pg);
    REQUIRE(texts(t) == std::vector<std::string>{"SELECT", R"(E'it\'s; \\')", ",", "e'x'", ";"});
    CHECK(t[1].kind == TokenKind::string);
  }
  SECTION("U& strings and identifiers, bit and hex strings") {
    auto t = tokenize(R"(SELECT U&'d\0061t;a', U&"d;x", B'1010', X'1F')", pg);
    REQUIRE(t.size() == 8);
    CHECK(t[1].kind == TokenKind::string);
    CHECK(t[1].text == R"(U&'d\0061t;a')");
    CHECK(t[3].kind == TokenKind::quoted_identifier);
    CHECK(t[3].text == "d;x");
    CHECK(t[5].text == "B'1010'");
    CHECK(t[7].text == "X'1F'");
  }
  SECTION("quoted identifiers hold the unquoted name") {
    auto t = tokenize(R"(CREATE TABLE "My ""odd"" table;" (x int))", pg);
    CHECK(t[2].kind == TokenKind::quoted_identifier);
    CHECK(t[2].text == R"(My "odd" table;)");
  }
  SECTION("dollar quotes with and without tag, nested other tags") {
    auto t = tokenize("SELECT $$a; 'b$$, $fn$ x $$ y; $fn$, $a1$z$a1$", pg);
    REQUIRE(t.size() == 6);
    CHECK(t[1].kind == TokenKind::string);
    CHECK(t[1].text == "$$a; 'b$$");
    CHECK(t[3].text == "$fn$ x $$ y; $fn$");
    CHECK(t[5].text == "$a1$z$a1$");
  }
  SECTION("$1 is a parameter and a $ inside a word belongs to the word") {
    auto t = tokenize("SELECT $1, a$b$ FROM t WHERE x = $2", pg);
    CHECK(texts(t) == std::vector<std::string>{"SELECT", "$1", ",", "a$b$", "FROM", "t", "WHERE", "x", "=", "$2"});
    CHECK(t[1].kind == TokenKind::word);
  }
  SECTION("comments: line, block, nested block") {
    auto t = tokenize("a -- one; two\n/* x /* y; */ z; */ b", pg);
    REQUIRE(texts(t) == std::vector<std::string>{"a", "-- one; two", "/* x /* y; */ z; */", "b"});
    CHECK(t[1].kind == TokenKind::comment);
    CHECK(t[2].kind == TokenKind::comment);
  }
  SECTION("numbers") {
    auto t = tokenize("1.5e10 .5 42 1e-3 3. 0x1F 1_000 7e", pg);
    CHECK(texts(t) == std::vector<std::string>{"1.5e10", ".5", "42", "1e-3", "3.", "0x1F", "1_000", "7", "e"});
    for (size_t i = 0; i < 8; ++i) CHECK(t[i].kind == TokenKind::number);
    CHECK(t[8].kind == TokenKind::word);
  }
  SECTION("multi-character operators") {
    auto t = tokenize("a::int <> b >= c ->> 'k' != d || e := f a=-1 x--c\n", pg);
    CHECK(texts(t) == std::vector<std::string>{"a", "::", "int", "<>", "b", ">=", "c", "->>", "'k'", "!=", "d", "||", "e",
                                               ":=", "f", "a", "=", "-", "1", "x", "--c"});
  }
  SECTION("Token::is compares keywords case-insensitively and only for words") {
    auto t = tokenize("Create \"create\" 'create'", pg);
    CHECK(t[0].is("create"));
    CHECK(t[0].is("CREATE"));
    CHECK_FALSE(t[0].is("creat"));
    CHECK_FALSE(t[1].is("create"));
    CHECK_FALSE(t[2].is("create"));
  }
}

TEST_CASE("SQLite quoting forms are single tokens", "[migration][sql_tokens]") {
  const Dialect lite = Dialect::sqlite;

  SECTION("[brackets] and `backticks` are identifiers") {
    auto t = tokenize("SELECT [a;b], `c``d;`, \"e\" FROM x", lite);
    REQUIRE(t.size() == 8);
    CHECK(t[1].kind == TokenKind::quoted_identifier);
    CHECK(t[1].text == "a;b");
    CHECK(t[3].kind == TokenKind::quoted_identifier);
    CHECK(t[3].text == "c`d;");
    CHECK(t[5].text == "e");
  }
  SECTION("block comments do not nest") {
    auto t = tokenize("a /* x /* y */ b */", lite);
    CHECK(texts(t) == std::vector<std::string>{"a", "/* x /* y */", "b", "*/"});
  }
  SECTION("no dollar quoting: $name is a parameter") {
    auto t = tokenize("SELECT $name, x'00'", lite);
    CHECK(texts(t) == std::vector<std::string>{"SELECT", "$name", ",", "x'00'"});
    CHECK(t[3].kind == TokenKind::string);
  }
  SECTION("E'..' is no escape string in SQLite") {
    auto t = tokenize("SELECT E'a'", lite);
    CHECK(texts(t) == std::vector<std::string>{"SELECT", "E", "'a'"});
  }
}

TEST_CASE("lines and columns are exact with a first_line offset", "[migration][sql_tokens]") {
  const std::string sql = "-- header\nCREATE TABLE t (\n  id bigint, note text DEFAULT 'a\nb'\n);\n\n  SELECT $x$\n$x$;";
  auto t = tokenize(sql, Dialect::postgresql, 10);
  REQUIRE(t.size() >= 14);
  CHECK(t[0].line == 10);
  CHECK(t[0].column == 1);
  CHECK(t[1].text == "CREATE");
  CHECK(t[1].line == 11);
  CHECK(t[1].column == 1);
  CHECK(t[4].text == "(");
  CHECK(t[4].column == 16);
  CHECK(t[5].text == "id");
  CHECK(t[5].line == 12);
  CHECK(t[5].column == 3);
  CHECK(t[11].text == "'a\nb'");
  CHECK(t[11].line == 12);
  CHECK(t[12].text == ")");
  CHECK(t[12].line == 14);
  CHECK(t[14].text == "SELECT");
  CHECK(t[14].line == 16);
  CHECK(t[14].column == 3);
  CHECK(t[16].text == ";");
  CHECK(t[16].line == 17);
  CHECK(t[16].column == 4);

  auto s = split_statements(sql, Dialect::postgresql, 10);
  REQUIRE(s.size() == 2);
  CHECK(s[0].line == 11);  // its first non-comment token, not the comment
  CHECK(s[0].comments == std::vector<std::string>{"-- header"});
  CHECK(s[0].text == "CREATE TABLE t (\n  id bigint, note text DEFAULT 'a\nb'\n)");
  CHECK(s[1].line == 16);
  CHECK(s[1].text == "SELECT $x$\n$x$");
  CHECK(s[1].comments.empty());
}

TEST_CASE("semicolons inside strings comments and dollar quotes do not split", "[migration][sql_tokens]") {
  const std::string sql = R"(
INSERT INTO t VALUES ('a;b', E'c\';d');  -- trailing; comment
/* block; comment */ UPDATE t SET x = 1;
CREATE FUNCTION f() RETURNS int AS $body$
BEGIN
  PERFORM 1; RETURN 2;
END
$body$ LANGUAGE plpgsql;
SELECT "odd;name" FROM t
)";
  auto s = split_statements(sql, Dialect::postgresql);
  REQUIRE(s.size() == 4);
  CHECK(s[0].text == R"(INSERT INTO t VALUES ('a;b', E'c\';d'))");
  CHECK(s[0].line == 2);
  CHECK(s[1].text == "UPDATE t SET x = 1");
  CHECK(s[1].comments == std::vector<std::string>{"-- trailing; comment", "/* block; comment */"});
  CHECK(s[1].line == 3);
  CHECK(s[2].line == 4);
  CHECK(s[2].tokens.back().is("plpgsql"));
  CHECK(s[3].text == "SELECT \"odd;name\" FROM t");  // no final ';' needed
  CHECK(s[3].line == 9);
  for (const auto& st : s)
    for (const auto& tok : st.tokens) CHECK(tok.kind != TokenKind::comment);
}

TEST_CASE("trigger and BEGIN ATOMIC bodies are one statement", "[migration][sql_tokens]") {
  SECTION("SQLite CREATE TRIGGER with CASE ... END inside the body") {
    const std::string sql = R"(CREATE TABLE a (x int, y text);
CREATE TEMP TRIGGER IF NOT EXISTS trg AFTER INSERT ON a
WHEN new.x > 0
BEGIN
  UPDATE a SET y = CASE WHEN new.x > 1 THEN 'big' ELSE 'small' END WHERE rowid = new.rowid;
  SELECT CASE WHEN 1 THEN (CASE WHEN 2 THEN 3 END) END;
END;
INSERT INTO a VALUES (1, NULL);)";
    auto s = split_statements(sql, Dialect::sqlite);
    REQUIRE(s.size() == 3);
    CHECK(s[1].line == 2);
    CHECK(s[1].tokens.back().is("end"));
    CHECK(s[2].text == "INSERT INTO a VALUES (1, NULL)");
    CHECK(s[2].line == 8);
  }
  SECTION("lone BEGIN and COMMIT are their own statements") {
    auto s = split_statements("BEGIN;\nCREATE TABLE a (x int);\nBEGIN TRANSACTION;COMMIT;\nEND;", Dialect::sqlite);
    CHECK(statement_texts(s) == std::vector<std::string>{"BEGIN", "CREATE TABLE a (x int)", "BEGIN TRANSACTION", "COMMIT", "END"});
    auto p = split_statements("BEGIN; SELECT 1; COMMIT;", Dialect::postgresql);
    CHECK(p.size() == 3);
  }
  SECTION("PostgreSQL BEGIN ATOMIC ... END with CASE inside") {
    const std::string sql = R"(CREATE FUNCTION f(a int) RETURNS text LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN a > 0 THEN 'pos' ELSE 'neg' END;
  SELECT 'x';
END;
SELECT f(1);)";
    auto s = split_statements(sql, Dialect::postgresql);
    REQUIRE(s.size() == 2);
    CHECK(s[0].tokens.back().is("end"));
    CHECK(s[1].text == "SELECT f(1)");
  }
  SECTION("PostgreSQL CREATE TRIGGER has no body and ends at its ';'") {
    auto s = split_statements("CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW EXECUTE FUNCTION f(); SELECT 1;", Dialect::postgresql);
    CHECK(s.size() == 2);
  }
  SECTION("a ';' inside parentheses stays in the statement, as psql does") {
    auto s = split_statements("CREATE RULE r AS ON INSERT TO a DO ALSO (INSERT INTO b VALUES (1); INSERT INTO b VALUES (2)); SELECT 1;",
                              Dialect::postgresql);
    CHECK(s.size() == 2);
  }
}

TEST_CASE("empty statements and comment-only files are left out", "[migration][sql_tokens]") {
  CHECK(split_statements(";;  ;\n", Dialect::postgresql).empty());
  CHECK(split_statements("-- only a comment\n/* and another */\n", Dialect::sqlite).empty());
  auto s = split_statements("SELECT 1;;\n-- tail comment\n", Dialect::postgresql);
  REQUIRE(s.size() == 1);
  CHECK(s[0].text == "SELECT 1");
}

TEST_CASE("unterminated constructs raise SqlSyntaxError naming where they started", "[migration][sql_tokens]") {
  const Dialect pg = Dialect::postgresql, lite = Dialect::sqlite;
  CHECK(error_line("SELECT 1;\nSELECT 'abc;\nSELECT 2;", pg) == 2);
  CHECK(error_line("SELECT 1;\nSELECT \"abc;\n", pg) == 2);
  CHECK(error_line("SELECT 1;\n\n/* open /* nested */ still open\n", pg) == 3);
  CHECK(error_line("SELECT [abc\n", lite) == 1);
  CHECK(error_line("SELECT `abc\n", lite) == 1);
  CHECK(error_line("SELECT E'abc\\'\n", pg) == 1);
  CHECK(error_line("\n\n\nCREATE FUNCTION f() AS $body$\nbegin\n", pg, 9) == 12);
  CHECK(error_line("CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n", lite) == 1);
  CHECK(error_line("SELECT 1;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n SELECT 1;\n", pg) == 3);

  CHECK(error_message("\n\n\n\n\n\n\n\n\n\n\nCREATE FUNCTION f() AS $body$ x", pg) ==
        "unterminated dollar-quoted string $body$ starting at line 12");
  CHECK(error_message("x = 'abc", pg) == "unterminated string literal starting at line 1");
  CHECK(error_message("\n/* abc", lite) == "unterminated /* comment starting at line 2");
  CHECK(error_message("[abc", lite) == "unterminated [bracketed] identifier starting at line 1");

  // Balanced ones are fine, and $1 never opens a dollar quote.
  CHECK(error_line("SELECT $1, 'a''b', \"x\"\"y\", $t$ $ $t$;", pg) == 0);
}

TEST_CASE("SQLite accepts every statement the splitter cuts from a migration", "[migration][sql_tokens]") {
  const std::string sql = R"(-- a migration with the hard parts
CREATE TABLE [order items] (`id` INTEGER PRIMARY KEY, "note;x" TEXT DEFAULT 'a;b', qty INT);
CREATE TABLE audit (msg TEXT);
/* a trigger whose body holds semicolons and CASE ... END */
CREATE TRIGGER trg AFTER INSERT ON [order items]
BEGIN
  INSERT INTO audit VALUES ('inserted; ' || CASE WHEN new.qty > 1 THEN 'many' ELSE 'one' END);
  INSERT INTO audit VALUES ('second');
END;
INSERT INTO [order items] (qty) VALUES (2);
)";
  auto statements = split_statements(sql, Dialect::sqlite);
  REQUIRE(statements.size() == 4);
  greenlight::test::TempDir dir;
  SQLite::Database db(dir.file("t.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  for (const auto& s : statements) {
    CHECK(sqlite3_complete((s.text + ";").c_str()) == 1);
    db.exec(s.text);
  }
  CHECK(db.execAndGet("SELECT count(*) FROM audit").getInt() == 2);
  CHECK(db.execAndGet("SELECT msg FROM audit ORDER BY rowid LIMIT 1").getString() == "inserted; many");
}

TEST_CASE("PostgreSQL accepts every statement the splitter cuts from a migration", "[migration][sql_tokens]") {
  const std::string sql = R"(CREATE TABLE items (id bigint PRIMARY KEY, note text DEFAULT 'a;b', "odd;col" int);
CREATE TABLE log (msg text);
CREATE FUNCTION note_it() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO log VALUES ('saw; ' || NEW.id || $$ quoted; $$);
  RETURN NEW;
END
$fn$;
CREATE TRIGGER items_note AFTER INSERT ON items FOR EACH ROW EXECUTE FUNCTION note_it();
CREATE FUNCTION sign_of(a int) RETURNS text LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN a > 0 THEN 'pos' ELSE 'neg' END;
END;
CREATE RULE items_rule AS ON UPDATE TO items DO ALSO (INSERT INTO log VALUES ('u1'); INSERT INTO log VALUES ('u2'));
/* nested /* comment; */ here */
INSERT INTO items (id) VALUES (1);
UPDATE items SET note = E'x\';y' WHERE id = 1;
CREATE INDEX CONCURRENTLY items_note_idx ON items (note);
)";
  auto statements = split_statements(sql, Dialect::postgresql);
  REQUIRE(statements.size() == 9);
  greenlight::test::PostgresServer pg;
  // One statement per query, as psql sends them: CONCURRENTLY works only so.
  for (const auto& s : statements) REQUIRE_NOTHROW(pg.exec(s.text));
  CHECK(pg.query_value("SELECT count(*) FROM log") == "3");
  CHECK(pg.query_value("SELECT sign_of(-4)") == "neg");
  CHECK(pg.query_value("SELECT note FROM items") == "x';y");
}
