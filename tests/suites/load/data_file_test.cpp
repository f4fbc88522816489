// Data files for request templates: CSV edge cases (RFC 4180 quoting, CRLF,
// BOM, blank lines), JSON arrays, and the plan errors that name the plan's
// line, the data file and its line.
#include <catch2/catch.hpp>

#include <fstream>

#include "harness/config_error.h"
#include "suites/load/data_file.h"
#include "suites/load/load_plan.h"
#include "tests/support/plan_section.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;

namespace {

std::string csv_error(const std::string& text) {
  try {
    parse_csv(text, "users.csv");
  } catch (const DataFileError& e) {
    return e.what();
  }
  return "no error";
}

std::string plan_error(const std::string& yaml) {
  try {
    parse_load_plan(test::plan_section(yaml, "suites.load"));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("CSV: header row, quoting, CRLF", "[load][data]") {
  DataTable t = parse_csv("\xEF\xBB\xBFid,name,note\r\n1,ann,plain\r\n2,\"a,b\",\"say \"\"hi\"\"\"\r\n\r\n3,,\"two\nlines\"\n", "u.csv");
  REQUIRE(t.columns == std::vector<std::string>{"id", "name", "note"});
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[1] == std::vector<std::string>{"2", "a,b", "say \"hi\""});
  CHECK(t.rows[2] == std::vector<std::string>{"3", "", "two\nlines"});
  CHECK(parse_csv("name\nx", "u.csv").rows.size() == 1);  // no final newline
  CHECK(parse_csv("a,b\n\"\",\"\"\n", "u.csv").rows[0] == std::vector<std::string>{"", ""});
}

TEST_CASE("CSV: malformed files name the file and line", "[load][data]") {
  CHECK(csv_error("") == "users.csv: the file is empty (expected a header row naming the columns, then rows)");
  CHECK_THAT(csv_error("id,name\n"), Catch::StartsWith("users.csv:1: a header row but no data rows"));
  CHECK_THAT(csv_error("id,name\n1,ann\n2\n"), Catch::StartsWith("users.csv:3: 1 fields, but the header row names 2"));
  CHECK_THAT(csv_error("id,name\n1,\"ann\n"), Catch::StartsWith("users.csv:2: unterminated quoted field"));
  CHECK_THAT(csv_error("id,name\n1,\"a\"b\n"), Catch::StartsWith("users.csv:2: text after a closing quote"));
  CHECK_THAT(csv_error("id,name\n1,a\"b\n"), Catch::StartsWith("users.csv:2: a quote inside an unquoted field"));
  CHECK_THAT(csv_error("id,\"x\ny\",z\n1,2\n"), Catch::StartsWith("users.csv:3: 2 fields"));  // lines inside quotes count
  CHECK_THAT(csv_error("id,id\n1,2\n"), Catch::Contains("appears twice"));
}

TEST_CASE("JSON: an array of flat objects", "[load][data]") {
  DataTable t = parse_json_rows(R"([{"name": "ann", "age": 30, "vip": true, "x": null}, {"name": "bob", "age": 4, "vip": false, "x": "y"}])", "u.json");
  CHECK(t.columns == std::vector<std::string>{"name", "age", "vip", "x"});
  CHECK(t.rows[0] == std::vector<std::string>{"ann", "30", "true", ""});
  CHECK_THROWS_WITH(parse_json_rows(R"([{"a": 1}, {"b": 2}])", "u.json"), Catch::Contains("element 2: has no key 'a'"));
  CHECK_THROWS_WITH(parse_json_rows("[]", "u.json"), Catch::Contains("empty"));
  CHECK_THROWS_WITH(parse_json_rows("{}", "u.json"), Catch::Contains("array"));
  CHECK_THROWS_WITH(parse_json_rows("[{", "u.json"), Catch::Contains("not valid JSON"));
}

TEST_CASE("plan: data files load relative to the plan, and template mistakes are plan errors", "[load][data][plan]") {
  test::TempDir dir;
  std::ofstream(dir.file("users.csv")) << "id,name\n1,ann\n2,bob\n";
  std::ofstream(dir.file("bad.csv")) << "id,name\n1,ann\n2,\"bob\n";
  std::ofstream(dir.file("empty.csv")) << "";
  auto scenario = [&](const std::string& data, const std::string& body) {
    return "scenarios:\n  s:\n    max_requests: 4\n    data: " + data +
           "\n    requests:\n      - {method: POST, path: '/u/${data:id}', body: '" + body + "'}\n";
  };
  auto s = parse_load_plan(test::plan_section(scenario(dir.file("users.csv"), "${data:name}"), "suites.load"));
  REQUIRE(s[0].spec.data.rows.size() == 2);
  CHECK(s[0].spec.data.source == "users.csv");

  CHECK_THAT(plan_error(scenario(dir.file("users.csv"), "${data:email}")),
             Catch::StartsWith("plan.yaml:6:") && Catch::Contains("users.csv has no column 'email' (its columns: id, name)"));
  CHECK_THAT(plan_error(scenario(dir.file("bad.csv"), "x")),
             Catch::StartsWith("plan.yaml:4:") && Catch::Contains("bad.csv:3: unterminated quoted field"));
  CHECK_THAT(plan_error(scenario(dir.file("empty.csv"), "x")), Catch::Contains("empty.csv: the file is empty"));
  CHECK_THAT(plan_error(scenario(dir.file("missing.csv"), "x")), Catch::Contains("cannot read the data file"));
  CHECK_THAT(plan_error("scenarios:\n  s:\n    requests: [{path: '/u/${data:id}'}]\n"), Catch::Contains("needs a data file"));
  CHECK_THAT(plan_error("scenarios:\n  s:\n    abort_on_fail: true\n    requests: [{path: /}]\n"),
             Catch::Contains("abort_on_fail needs thresholds"));
  CHECK(parse_load_plan(test::plan_section("scenarios:\n  s:\n    abort_on_fail: true\n    thresholds: ['p(99)<1s']\n    requests: [{path: /}]\n",
                                           "suites.load"))[0].abort_on_fail);
}
