// The promise that greenlight only ever reads a target's database, checked
// from outside: the suites that touch a database (migration status and drift,
// the restore drill) run against a real SQLite file and a real PostgreSQL
// database, and the target is compared byte for byte (SQLite) or dump for
// dump (pg_dump) before and after. Scratch databases must be gone afterwards.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/command.h"
#include "tests/support/migration_fixture.h"
#include "tests/support/postgres_server.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"

using namespace greenlight::test;

namespace {

// A deployed target: the healthy migration set applied, a few rows, a sequence in use.
std::unique_ptr<Backend> deployed(std::unique_ptr<Backend> b, const TempDir& dir) {
  write_files(dir.file("migrations"), healthy_golang_migrate_set());
  b->deploy_golang_migrate(dir.file("migrations"),
                           {"1_create_users.up.sql", "2_users_email_idx.up.sql", "3_add_nickname.up.sql"});
  b->exec("INSERT INTO users (id, email) VALUES (1, 'a@example.com'), (2, 'b@example.com'), (3, 'c@example.com')");
  return b;
}

// Everything a write could change: the file's bytes, or the whole dump.
std::string snapshot(const Backend& b) {
  if (b.kind() == "sqlite") return read_file(b.target_dsn().substr(std::string("sqlite://").size()));
  ToolResult dump = run_tool("pg_dump", {"--dbname", b.target_dsn(), "--no-owner"});
  REQUIRE(dump.exit_code == 0);
  // pg_dump 15.14+ brackets its output with \restrict KEY ... \unrestrict KEY, a new random KEY each time.
  std::string out;
  std::istringstream lines(dump.out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("\\restrict ", 0) != 0 && line.rfind("\\unrestrict ", 0) != 0) out += line + "\n";
  return out;
}

}  // namespace

TEST_CASE("a plan's database suites leave the target byte for byte as it was", "[cli][safety][postgresql]") {
  for (auto make : {&Backend::sqlite, &Backend::postgres}) {
    TempDir dir;
    auto b = deployed(make(), dir);
    INFO(b->kind());
    std::string scratch = b->kind() == "sqlite" ? "" : "    scratch: " + b->scratch_dsn() + "\n";
    std::ofstream(dir.file("plan.yaml")) << "target:\n  database: " << b->target_dsn() << "\nsuites:\n"
                                         << "  migration:\n    dir: migrations\n    ledger: history.db\n"
                                         << "    checks: [apply, reverse, status, drift]\n" << scratch
                                         << "  backup:\n    history: history.db\n" << scratch;
    std::string before = snapshot(*b);
    REQUIRE(before.find("b@example.com") != std::string::npos);

    CommandResult r = run_greenlight({"run", dir.file("plan.yaml"), "--out", dir.file("out"), "--no-history"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);  // the suites did run and judge the target healthy
    std::set<std::string> ran;
    nlohmann::json report = nlohmann::json::parse(read_file(dir.file("out/greenlight.json")));
    for (const auto& suite : report["suites"])
      for (const auto& check : suite["checks"]) ran.insert(suite["name"].get<std::string>() + "/" + check["name"].get<std::string>());
    INFO(nlohmann::json(ran).dump());
    CHECK(ran.count("migration/drift") == 1);
    CHECK(ran.count("backup/restore") == 1);

    CHECK(snapshot(*b) == before);
    CHECK(b->scratch_leftovers() == 0);
  }
}
