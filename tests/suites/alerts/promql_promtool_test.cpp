// Agreement with promtool (Debian's prometheus package, 2.42): a rule file is
// rejected by `promtool check rules` exactly when this parser rejects its
// expression, with the same message and position; and the function table's
// "unknown to 2.42" flag is what promtool says.
#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "suites/alerts/promql/functions.h"
#include "suites/alerts/promql/parser.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"

using namespace greenlight::promql;
using greenlight::test::run_tool;
using greenlight::test::TempDir;

namespace {

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && std::filesystem::exists(std::filesystem::path(dir) / program)) return true;
  return false;
}

void write_rule_file(const std::string& path, const std::vector<std::string>& exprs) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "groups" << YAML::Value << YAML::BeginSeq;
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value << "g" << YAML::Key << "rules" << YAML::Value
      << YAML::BeginSeq;
  for (std::size_t i = 0; i < exprs.size(); ++i)
    out << YAML::BeginMap << YAML::Key << "record" << YAML::Value << "r_" + std::to_string(i) << YAML::Key << "expr"
        << YAML::Value << YAML::DoubleQuoted << exprs[i] << YAML::EndMap;
  out << YAML::EndSeq << YAML::EndMap << YAML::EndSeq << YAML::EndMap;
  std::ofstream(path) << out.c_str() << "\n";
}

// An argument of each type, for calling every function.
std::string sample_argument(ValueType t) {
  switch (t) {
    case ValueType::Scalar: return "1";
    case ValueType::String: return "\"a\"";
    case ValueType::Matrix: return "x[5m]";
    default: return "x";
  }
}

std::string sample_call(const Function& f) {
  std::string call = std::string(f.name) + "(";
  for (std::size_t i = 0; i < f.min_args(); ++i) call += (i ? ", " : "") + sample_argument(f.arg_types[i]);
  return call + ")";
}

// Valid for both; each exercises a construct (or a quirk) of the grammar.
const std::vector<std::string> kValid = {
    "up == 0",
    "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) / sum by (job) (rate(http_requests_total[5m])) > 0.05",
    "histogram_quantile(0.99, sum without (pod) (rate(x_bucket[5m]))) > 1",
    "a * on (job) group_left (team) b",
    "a / ignoring (pod) group_right b",
    "a and on (job) b or c unless d",
    "x > bool 1",
    "1 > bool 2",
    "-x ^ 2 atan2 y",
    "x offset -5m",
    "x @ start() offset 1h",
    "rate(x[5m] @ 100)",
    "max_over_time(rate(x[1m])[1h:5m] offset 10m)",
    "x[5m y]",  // 2.x lexes the letter as the subquery colon
    "foo and and",
    "sum",
    "{__name__=~\"up|down\", job!=\"\"}",
    "{a=~\"\\\\b\"}",
    "x{a=~\"(?i)err(or)?|\\\\pL+\"}",
    "x{a=~\"x{01}\"}",
    "count_values(\"v\", x) by (a)",
    "topk by (a) (1, x)",
    "sum by (on, bool, offset, start) (x)",
    "1 + ignoring () group_left x",
    "label_replace(x, \"a-b\", \"$1\", \"b\", \"(\")",
    "0x1F + 010 + 1e-400 + .5 + Inf",
    "foo @ 1.2345",
    "label_join(x, \"d\", `,`, \"\\u00e9\")",
};

// Invalid for both.
const std::vector<std::string> kInvalid = {
    "sum by (without) (x)",
    "sum by (inf) (x)",
    "1 > 2",
    "x and 1",
    "x + on(a) group_left(a) y",
    "x and on(a) group_left y",
    "1 + on(a) x",
    "{a=~\".*\"}",
    "{a=~\"\\\\B\"}",
    "{a!~\"x\"}",
    "foo{__name__=\"bar\"}",
    "foo{a=~\"a)|(b\"}",
    "foo{a=~\"(?<n>x)\"}",
    "foo{a=~\"a{1001}\"}",
    "foo[0s]",
    "foo[5]",
    "foo[1y2y]",
    "foo[30m1h]",
    "foo offset 5m offset 1m",
    "foo offset 5m [5m]",
    "sum(foo) offset 5m",
    "foo @ 1e20",
    "foo[5m][5m]",
    "foo[5m:][5m:]",
    "rate(foo)",
    "rate(foo[5m],)",
    "round(x, 1, 2)",
    "topk(x)",
    "count_values(1, x)",
    "-foo[5m]",
    "1e400",
    "1_000",
    "\"a\\'b\"",
    "foo{a=\"b\"",
    "x * on(a) group_left (y)",
    "foo:bar(x)",
};

}  // namespace

TEST_CASE("promtool check rules agrees on valid and invalid expressions", "[promql][promtool]") {
  if (!on_path("promtool")) {
    WARN("skipped: promtool is not on PATH (Debian's prometheus package provides it)");
    return;
  }
  TempDir dir("greenlight-promql");

  for (const auto& e : kValid) {
    ParseResult r = parse_promql(e);
    INFO(e << " -> " << (r.ok() ? std::string("ok") : r.error().text()));
    CHECK(r.ok());
  }
  std::string valid_file = dir.file("valid.yml");
  write_rule_file(valid_file, kValid);
  auto valid = run_tool("promtool", {"check", "rules", valid_file});
  INFO(valid.out << valid.err);
  CHECK(valid.exit_code == 0);
  CHECK(valid.out.find("SUCCESS: " + std::to_string(kValid.size()) + " rules found") != std::string::npos);

  for (std::size_t i = 0; i < kInvalid.size(); ++i) {
    const std::string& e = kInvalid[i];
    INFO(e);
    ParseResult r = parse_promql(e);
    REQUIRE_FALSE(r.ok());
    std::string file = dir.file("invalid_" + std::to_string(i) + ".yml");
    write_rule_file(file, {e});
    auto res = run_tool("promtool", {"check", "rules", file});
    INFO(res.out << res.err);
    CHECK(res.exit_code == 1);
    // Same message, same line:column inside the expression.
    CHECK((res.out + res.err).find("could not parse expression: " + r.error().text()) != std::string::npos);
  }
}

TEST_CASE("promtool knows exactly the functions not marked newer than 2.42", "[promql][promtool]") {
  if (!on_path("promtool")) {
    WARN("skipped: promtool is not on PATH (Debian's prometheus package provides it)");
    return;
  }
  TempDir dir("greenlight-promql");
  std::vector<std::string> known;
  std::size_t newer = 0;
  for (const Function& f : all_functions()) {
    std::string call = sample_call(f);
    INFO(call);
    CHECK(parse_promql(call).ok());
    if (!f.newer_than_reference) {
      known.push_back(call);
      continue;
    }
    ++newer;
    std::string file = dir.file(std::string(f.name) + ".yml");
    write_rule_file(file, {call});
    auto res = run_tool("promtool", {"check", "rules", file});
    CHECK(res.exit_code == 1);
    CHECK((res.out + res.err).find("unknown function with name \"" + std::string(f.name) + "\"") != std::string::npos);
  }
  CHECK(newer >= 10);
  // The aggregations Prometheus 3 added are functions 2.42 does not know.
  for (std::string agg : {"limitk", "limit_ratio"}) {
    std::string call = agg + "(1, x)";
    CHECK(parse_promql(call).ok());
    std::string file = dir.file(agg + ".yml");
    write_rule_file(file, {call});
    auto res = run_tool("promtool", {"check", "rules", file});
    CHECK((res.out + res.err).find("unknown function with name \"" + agg + "\"") != std::string::npos);
  }
  std::string file = dir.file("known.yml");
  write_rule_file(file, known);
  auto res = run_tool("promtool", {"check", "rules", file});
  INFO(res.out << res.err);
  CHECK(res.exit_code == 0);
}
