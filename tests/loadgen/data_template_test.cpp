// Request templates: ${data:column} rendering, and an engine run whose every
// request body takes the next data row, checked in the fixture's database.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>

#include "loadgen/data_template.h"
#include "loadgen/engine.h"
#include "tests/support/fixture_process.h"
#include "tests/support/run_tool.h"

using namespace greenlight;

namespace {

DataTable names_table(const std::vector<std::string>& names) {
  DataTable t;
  t.source = "names.csv";
  t.columns = {"id", "name"};
  for (size_t i = 0; i < names.size(); ++i) t.rows.push_back({std::to_string(i + 1), names[i]});
  return t;
}

}  // namespace

TEST_CASE("templates name their columns and render row values", "[loadgen][data]") {
  DataTable t = names_table({"ann", "bob"});
  CHECK(template_columns("/u/${data:id}/x/${data:name}") == std::vector<std::string>{"id", "name"});
  CHECK(template_columns("${env:X} ${data:unclosed") .empty());
  CHECK_FALSE(has_template("plain ${var:x}"));
  CHECK(render_template("/u/${data:id}?n=${data:name}", t, 1) == "/u/2?n=bob");
  CHECK(render_template("no templates", t, 0) == "no templates");
  CHECK_THROWS_WITH(render_template("${data:email}", t, 0), Catch::Contains("no column 'email'") && Catch::Contains("names.csv"));
}

TEST_CASE("the engine refuses too many rows and a template naming an unknown column", "[loadgen][data]") {
  LoadSpec s;
  s.endpoints.push_back(Endpoint{.name = "x", .url = "http://127.0.0.1:1/u/${data:email}"});
  s.data = names_table({"ann"});
  CHECK_THROWS_WITH(validate(s), Catch::Contains("no column 'email'"));
  s.endpoints[0].url = "http://127.0.0.1:1/u/${data:id}";
  CHECK_NOTHROW(validate(s));
  s.data.rows.resize(kMaxDataRows + 1, {"1", "a"});
  CHECK_THROWS_WITH(validate(s), Catch::Contains("at most 100000"));
}

TEST_CASE("each request body takes the next data row, round-robin across threads", "[loadgen][data][fixture]") {
  test::FixtureProcess fixture;
  std::vector<std::string> names = {"ann", "bob \"the\" builder", "cy, jr"};
  LoadSpec s;
  s.executor = ExecutorKind::constant_vus;
  s.threads = 2;
  s.connections = 2;
  s.duration_s = 30;
  s.max_requests = 12;  // 4 rounds of the 3 rows
  s.data = names_table(names);
  // JSON escaping is the data file's business: these names need none but the quotes.
  s.endpoints.push_back(Endpoint{.name = "create",
                                 .method = "POST",
                                 .url = fixture.url() + "/api/items",
                                 .headers = {{"Content-Type", "application/json"}, {"X-Row", "${data:id}"}},
                                 .body = R"({"name": "${data:name}"})",
                                 .expect_status = 201});
  s.data.rows[1][1] = R"(bob \"the\" builder)";
  LoadResult r = run_load(s);
  INFO(fixture.stderr_text());
  REQUIRE(r.requests == 12);
  CHECK(r.error_count() == 0);
  std::string rows = test::sqlite_query(fixture.db_path(), "SELECT name, COUNT(*) FROM items GROUP BY name ORDER BY name");
  CHECK(rows == "ann|4\nbob \"the\" builder|4\ncy, jr|4");
}
