// Tests of the PromQL parser: every construct parses into the expected tree
// and prints back canonically (a fixed point of parse-then-print); invalid
// expressions give Prometheus' message at Prometheus' position; the type rules
// of every function, aggregation and operator.
#include "suites/alerts/promql/parser.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "suites/alerts/promql/functions.h"
#include "suites/alerts/promql/printer.h"

using namespace greenlight::promql;

namespace {

NodePtr parse_ok(const std::string& expr) {
  ParseResult r = parse_promql(expr);
  INFO(expr);
  if (!r.ok()) FAIL(r.error().text());
  REQUIRE(r.expr);
  return std::move(r.expr);
}

// "line:column: parse error: message" of the first error; fails when the expression parses.
std::string parse_error(const std::string& expr) {
  ParseResult r = parse_promql(expr);
  INFO(expr);
  if (r.ok()) FAIL("parsed as " + print_promql(*r.expr));
  REQUIRE(!r.expr);
  return r.error().text();
}

}  // namespace

TEST_CASE("parser prints every construct canonically and round-trips", "[promql][parser]") {
  // input, canonical form
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1", "1"},
      {"-1.5", "-1.5"},
      {"0x1F + 010 + .5 + 5.", "31 + 8 + 0.5 + 5"},
      {"1e9 + 1e-5 + 123456 + 0.0001", "1e+09 + 1e-05 + 123456 + 0.0001"},
      {"Inf - -INF + NaN", "+Inf - -Inf + NaN"},
      // "+Inf ^ x" would reparse as +(Inf ^ x) (fuzz/regressions/promql).
      {"Inf ^ 2", "Inf ^ 2"},
      {"x - -INF^nf", "x - -Inf ^ nf"},
      {"2 ^ Inf ^ 2", "2 ^ Inf ^ 2"},
      // info()'s empty selector prints as {}, not as nothing (fuzz/regressions/promql).
      {"info(x, {})", "info(x, {})"},
      {"\"a\\\"b\"", "\"a\\\"b\""},
      {"'single'", "\"single\""},
      {"`raw\\d`", "\"raw\\\\d\""},
      {"up", "up"},
      {"job:rate5m", "job:rate5m"},
      {"up{job=\"api\",code!=\"200\",path=~\"/v1.*\",method!~\"GET|HEAD\"}",
       "up{code!=\"200\",job=\"api\",method!~\"GET|HEAD\",path=~\"/v1.*\"}"},
      {"up{job = 'api' , }", "up{job=\"api\"}"},
      {"{__name__=\"up\", job=\"x\"}", "{__name__=\"up\",job=\"x\"}"},
      {"{__name__=~\"node_.+\"}", "{__name__=~\"node_.+\"}"},
      {"up{}", "up"},
      {"http_requests_total[5m]", "http_requests_total[5m]"},
      {"x[90m]", "x[1h30m]"},
      {"x[14d] offset 1w", "x[2w] offset 1w"},
      {"x[1y] offset 500ms", "x[1y] offset 500ms"},
      {"x offset -5m", "x offset -5m"},
      {"x @ 1609746000", "x @ 1609746000.000"},
      {"x @ 1.5 offset 5m", "x @ 1.500 offset 5m"},
      {"x offset 5m @ -100", "x @ -100.000 offset 5m"},
      {"x @ start()", "x @ start()"},
      {"x[5m] @ end() offset 1m", "x[5m] @ end() offset 1m"},
      {"rate(x[5m])[30m:1m]", "rate(x[5m])[30m:1m]"},
      {"max_over_time(x[1h:])", "max_over_time(x[1h:])"},
      {"x[5m:] offset 1m @ 10", "x[5m:] @ 10.000 offset 1m"},
      {"sum(x)", "sum(x)"},
      {"sum by (job, instance) (x)", "sum by (job, instance) (x)"},
      {"sum(x) by (job)", "sum by (job) (x)"},
      {"sum without (pod) (x)", "sum without (pod) (x)"},
      {"sum by () (x)", "sum(x)"},
      {"SUM BY (le) (x)", "sum by (le) (x)"},
      {"sum by (on, bool, offset, start) (x)", "sum by (on, bool, offset, start) (x)"},
      {"topk(5, x)", "topk(5, x)"},
      {"bottomk by (a) (2, x)", "bottomk by (a) (2, x)"},
      {"quantile(0.9, x)", "quantile(0.9, x)"},
      {"count_values(\"version\", build_info)", "count_values(\"version\", build_info)"},
      {"avg(x) + min(x) - max(x) * count(x) / group(x) % stddev(x) ^ stdvar(x)",
       "avg(x) + min(x) - max(x) * count(x) / group(x) % stddev(x) ^ stdvar(x)"},
      {"limitk(2, x) or limit_ratio(0.5, x)", "limitk(2, x) or limit_ratio(0.5, x)"},
      {"a + b * c", "a + b * c"},
      {"(a + b) * c", "(a + b) * c"},
      {"a > bool 1", "a > bool 1"},
      {"1 == bool 1", "1 == bool 1"},
      {"a and b or c unless d", "a and b or c unless d"},
      {"a / on (job) b", "a / on (job) b"},
      {"a / ignoring (pod) b", "a / ignoring (pod) b"},
      {"a * on(job) group_left(team) b", "a * on (job) group_left (team) b"},
      {"a * on(job) group_right b", "a * on (job) group_right () b"},
      {"a * ignoring() group_left b", "a * ignoring () group_left () b"},
      {"a unless on(job) b", "a unless on (job) b"},
      {"a atan2 b", "a atan2 b"},
      {"-a", "-a"},
      {"+a", "+a"},
      {"-(1)", "-(1)"},
      {"- -1", "1"},
      {"-2 ^ 2", "-2 ^ 2"},
      {"2 ^ -1", "2 ^ -1"},
      {"abs(x)", "abs(x)"},
      {"time()", "time()"},
      {"vector(1) or absent(up{job=\"x\"})", "vector(1) or absent(up{job=\"x\"})"},
      {"histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))",
       "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))"},
      {"label_replace(x, \"dst\", \"$1\", \"src\", \"(.*)\")", "label_replace(x, \"dst\", \"$1\", \"src\", \"(.*)\")"},
      {"label_join(x, \"dst\", \",\", \"a\", \"b\")", "label_join(x, \"dst\", \",\", \"a\", \"b\")"},
      {"round(x, 5)", "round(x, 5)"},
      {"hour()", "hour()"},
      {"predict_linear(x[1h], 4 * 3600) < 0", "predict_linear(x[1h], 4 * 3600) < 0"},
      {"sum # comment\n(x)", "sum(x)"},
      // Keywords where yacc takes them as metric names.
      {"sum", "sum"},
      {"offset offset 5m", "offset offset 5m"},
      {"x and and", "x and and"},
      {"by{a=\"b\"}", "by{a=\"b\"}"},
  };
  for (const auto& [input, canonical] : cases) {
    INFO(input);
    NodePtr tree = parse_ok(input);
    std::string printed = print_promql(*tree);
    CHECK(printed == canonical);
    NodePtr again = parse_ok(printed);
    CHECK(print_promql(*again) == printed);
    CHECK(again->type == tree->type);
  }
}

TEST_CASE("parser builds the tree with positions and types", "[promql][parser]") {
  NodePtr root = parse_ok("sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m] offset 1m)) > bool 0.1");
  CHECK(root->type == ValueType::Vector);
  CHECK(root->pos.start == 0);
  CHECK(root->pos.end == 78);
  const auto* cmp = root->as<Binary>();
  REQUIRE(cmp);
  CHECK(cmp->op == BinOp::Gtr);
  CHECK(cmp->return_bool);
  CHECK(cmp->op_pos == 68);
  CHECK_FALSE(cmp->matching.has_value());  // vector > scalar: no vector matching
  const auto* agg = cmp->lhs->as<Aggregate>();
  REQUIRE(agg);
  CHECK(agg->op == AggOp::Sum);
  CHECK(agg->grouping == std::vector<std::string>{"job"});
  CHECK_FALSE(agg->without);
  CHECK(cmp->lhs->pos.end == 67);
  const auto* call = agg->expr->as<Call>();
  REQUIRE(call);
  CHECK(call->func->name == "rate");
  CHECK(agg->expr->pos.start == 14);
  const auto* ms = call->args[0]->as<MatrixSelector>();
  REQUIRE(ms);
  CHECK(ms->range_ms == 300000);
  CHECK(call->args[0]->type == ValueType::Matrix);
  CHECK(call->args[0]->pos.start == 19);
  CHECK(call->args[0]->pos.end == 65);  // through "offset 1m"
  const auto* vs = ms->selector->as<VectorSelector>();
  REQUIRE(vs);
  CHECK(vs->name == "http_requests_total");
  CHECK(vs->offset_ms == 60000);
  REQUIRE(vs->matchers.size() == 1);
  CHECK(vs->matchers[0].name == "code");
  CHECK(vs->matchers[0].op == MatchOp::Regex);
  CHECK(vs->matchers[0].value == "5..");
  CHECK(vs->matchers[0].pos.start == 39);
  CHECK(vs->matchers[0].pos.end == 50);
  CHECK(ms->selector->pos.end == 51);
  CHECK(cmp->rhs->as<NumberLiteral>()->value == 0.1);
  CHECK(cmp->rhs->type == ValueType::Scalar);
}

TEST_CASE("parser applies precedence and associativity like Prometheus", "[promql][parser]") {
  // ^ is right-associative and binds tighter than a sign; the rest are left-associative.
  NodePtr pow = parse_ok("2 ^ 3 ^ 2");
  CHECK(pow->as<Binary>()->rhs->as<Binary>());
  NodePtr neg = parse_ok("-2 ^ 2");
  REQUIRE(neg->as<Unary>());
  CHECK(neg->as<Unary>()->expr->as<Binary>()->op == BinOp::Pow);
  NodePtr mul = parse_ok("-a * b");
  CHECK(mul->as<Binary>()->op == BinOp::Mul);
  CHECK(mul->as<Binary>()->lhs->as<Unary>());
  NodePtr sub = parse_ok("a - b - c");
  CHECK(sub->as<Binary>()->lhs->as<Binary>());
  NodePtr mixed = parse_ok("a or b and c == d + e * f ^ g");
  const Binary* b = mixed->as<Binary>();
  for (BinOp op : {BinOp::Or, BinOp::And, BinOp::Eql, BinOp::Add, BinOp::Mul, BinOp::Pow}) {
    REQUIRE(b);
    CHECK(b->op == op);
    b = b->rhs->as<Binary>();
  }
  // offset, @ and ranges bind to the nearest selector, inside a sign.
  NodePtr off = parse_ok("-a offset 5m + b offset 1m");
  CHECK(off->as<Binary>()->lhs->as<Unary>()->expr->as<VectorSelector>()->offset_ms == 300000);
  CHECK(off->as<Binary>()->rhs->as<VectorSelector>()->offset_ms == 60000);
  // A sign folds into a number literal.
  NodePtr lit = parse_ok("- 5");
  CHECK(lit->as<NumberLiteral>()->value == -5);
  CHECK(lit->pos.start == 0);
  CHECK(lit->pos.end == 3);
}

TEST_CASE("parser reads modifiers matching and subqueries into the tree", "[promql][parser]") {
  NodePtr m = parse_ok("a * on(job, env) group_left(team) b");
  const auto& vm = *m->as<Binary>()->matching;
  CHECK(vm.on);
  CHECK(vm.card == Cardinality::ManyToOne);
  CHECK(vm.labels == std::vector<std::string>{"job", "env"});
  CHECK(vm.include == std::vector<std::string>{"team"});
  NodePtr set = parse_ok("a and b");
  CHECK(set->as<Binary>()->matching->card == Cardinality::ManyToMany);
  NodePtr right = parse_ok("a - ignoring(x) group_right b");
  CHECK(right->as<Binary>()->matching->card == Cardinality::OneToMany);
  CHECK_FALSE(right->as<Binary>()->matching->on);

  NodePtr sq = parse_ok("max_over_time(rate(x[1m])[1h:5m] offset 10m @ 3600)");
  const auto* sub = sq->as<Call>()->args[0]->as<Subquery>();
  REQUIRE(sub);
  CHECK(sub->range_ms == 3600000);
  CHECK(sub->step_ms == 300000);
  CHECK(sub->offset_ms == 600000);
  CHECK(sub->at.kind == At::Kind::Timestamp);
  CHECK(sub->at.timestamp_ms == 3600000);
  CHECK(sq->as<Call>()->args[0]->type == ValueType::Matrix);

  NodePtr at_end = parse_ok("x @ end()");
  CHECK(at_end->as<VectorSelector>()->at.kind == At::Kind::End);
  NodePtr cv = parse_ok("count_values without (instance) (\"v\", x)");
  CHECK(cv->as<Aggregate>()->param->as<StringLiteral>()->value == "v");
  CHECK(cv->as<Aggregate>()->without);
  NodePtr str = parse_ok("\"hello\"");
  CHECK(str->type == ValueType::String);
  CHECK(parse_ok("1 + 2")->type == ValueType::Scalar);
  CHECK(parse_ok("scalar(x) * 2")->type == ValueType::Scalar);
  CHECK(parse_ok("x * 2")->type == ValueType::Vector);
}

TEST_CASE("parser syntax errors match Prometheus' message and position", "[promql][parser]") {
  // Each message was compared with promtool 2.42 `check rules`.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "1:1: parse error: no expression found in input"},
      {"  # only a comment", "1:1: parse error: no expression found in input"},
      {"foo bar", "1:5: parse error: unexpected identifier \"bar\""},
      {"x + ", "1:5: parse error: unexpected end of input"},
      {"5m", "1:1: parse error: unexpected duration \"5m\""},
      {"on", "1:1: parse error: unexpected <on>"},
      {"[5m]", "1:1: parse error: unexpected \"[\""},
      {"foo = bar", "1:5: parse error: unexpected \"=\""},
      {"sum (foo) (bar)", "1:11: parse error: unexpected \"(\""},
      {"foo:bar(x)", "1:8: parse error: unexpected \"(\""},
      {"inf{a=\"b\"}", "1:4: parse error: unexpected \"{\""},
      {"foo{a=\"b\"}{c=\"d\"}", "1:11: parse error: unexpected \"{\""},
      {"sum by (a) (x) by (b)", "1:16: parse error: unexpected <by>"},
      {"sum by a (foo)", "1:8: parse error: unexpected identifier \"a\" in grouping opts, expected \"(\""},
      {"sum by (a b) (foo)", "1:11: parse error: unexpected identifier \"b\" in grouping opts, expected \",\" or \")\""},
      {"sum by (inf) (x)", "1:9: parse error: unexpected number \"inf\" in grouping opts, expected label"},
      {"sum by (without) (x)", "1:9: parse error: unexpected <without> in grouping opts, expected label"},
      {"sum by (foo:bar) (x)",
       "1:9: parse error: unexpected metric identifier \"foo:bar\" in grouping opts, expected label"},
      {"x + group_left y", "1:5: parse error: unexpected <group_left>"},
      {"x * on(a) group_left (y)", "1:25: parse error: unexpected end of input"},
      {"foo{a=b}", "1:7: parse error: unexpected identifier \"b\" in label matching, expected string"},
      {"foo{,}", "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\""},
      {"foo{\"a\"=\"b\"}",
       "1:5: parse error: unexpected string \"\\\"a\\\"\" in label matching, expected identifier or \"}\""},
      {"foo[5m:1]", "1:8: parse error: unexpected number \"1\" in subquery selector, expected duration or \"]\""},
      {"foo offset 5", "1:12: parse error: unexpected number \"5\" in offset, expected duration"},
      {"foo offset +5m", "1:12: parse error: unexpected <op:+> in offset, expected duration"},
      {"foo @ start", "1:12: parse error: unexpected end of input in @, expected timestamp"},
      {"rate(foo[5m],)", "1:13: parse error: trailing commas not allowed in function call args"},
      {"RATE(x[5m])", "1:1: parse error: unknown function with name \"RATE\""},
      {"x +\n  on", "2:5: parse error: unexpected end of input in grouping opts, expected \"(\""},
      {"x +\n  bool", "2:7: parse error: unexpected end of input"},
  };
  for (const auto& [expr, message] : cases) CHECK(parse_error(expr) == message);
}

TEST_CASE("parser rejects bad durations numbers and modifiers", "[promql][parser]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"foo[0s]", "1:5: parse error: duration must be greater than 0"},
      {"foo[5m:0s]", "1:8: parse error: duration must be greater than 0"},
      {"foo offset 0s", "1:12: parse error: duration must be greater than 0"},
      {"foo[30m1h]", "1:5: parse error: not a valid duration string: \"30m1h\""},
      {"foo[5hs]", "1:5: parse error: not a valid duration string: \"5hs\""},
      {"foo[9223372037s]", "1:5: parse error: duration out of range"},
      {"1e", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e\": invalid syntax"},
      {"0x", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"0x\": invalid syntax"},
      {"1e400", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e400\": value out of range"},
      {"foo offset 5m offset 1m", "1:1: parse error: offset may not be set multiple times"},
      {"foo[5m] offset 1m offset 2m", "1:1: parse error: offset may not be set multiple times"},
      {"foo @ 5 @ 6", "1:1: parse error: @ <timestamp> may not be set multiple times"},
      {"foo @ 1e20",
       "1:1: parse error: timestamp out of bounds for @ modifier: 100000000000000000000.000000"},
      {"foo @ -Inf", "1:1: parse error: timestamp out of bounds for @ modifier: -Inf"},
      {"sum(foo) offset 5m",
       "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or "
       "a subquery"},
      {"(foo) @ 5",
       "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a "
       "subquery"},
      {"foo offset 5m [5m]", "1:15: parse error: no offset modifiers allowed before range"},
      {"foo @ 5 [5m]", "1:9: parse error: no @ modifiers allowed before range"},
      {"foo[5m][5m]", "1:8: parse error: ranges only allowed for vector selectors"},
      {"(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors"},
  };
  for (const auto& [expr, message] : cases) CHECK(parse_error(expr) == message);
  // Negative offsets and 0ms-free durations are fine.
  CHECK(parse_ok("foo offset -1w")->as<VectorSelector>()->offset_ms == -7 * 86400000LL);
}

TEST_CASE("an @ timestamp whose milliseconds pass int64 is INT64_MIN as in promtool (fuzz/regressions/promql)", "[promql][parser]") {
  // 1.66e18 s is within int64 (the bounds check passes) but 1.66e21 ms is not:
  // the cast was UB; Go's int64() gives math.MinInt64 on amd64.
  NodePtr n = parse_ok("x @ 1660974200009742000");
  REQUIRE(n->as<VectorSelector>());
  CHECK(n->as<VectorSelector>()->at.timestamp_ms == std::numeric_limits<std::int64_t>::min());
  CHECK(print_promql(*n) == "x @ -9223372036854776.000");
  CHECK(parse_ok("x @ -9223372036854776.000")->as<VectorSelector>()->at.timestamp_ms ==
        std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("parser enforces selector rules", "[promql][parser]") {
  const std::string empty = "1:1: parse error: vector selector must contain at least one non-empty matcher";
  for (std::string bad : {"{}", "{a=\"\"}", "{a=~\".*\"}", "{a!~\"x\"}", "{a=~\"a|\"}", "{a=~\"(a)?\"}",
                          "{a=~\"^$\"}", "{a=~\"\\\\B\"}", "{a!~\".+\"}", "{a=\"\", b!=\"x\"}"})
    CHECK(parse_error(bad) == empty);
  for (std::string good : {"{a=~\".+\"}", "{a!~\"\"}", "{a!=\"\"}", "{a=\"b\", c=~\".*\"}", "{a=~\"\\\\b\"}",
                           "{__name__=~\"up|down\"}"})
    CHECK(parse_ok(good)->type == ValueType::Vector);
  CHECK(parse_error("foo{__name__=\"bar\"}") == "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"");
  CHECK(parse_error("foo{a=~\"(\"}") == "1:5: parse error: error parsing regexp: missing closing ): `^(?:()$`");
  CHECK(parse_error("foo{a!~\"a)|(b\"}") == "1:5: parse error: error parsing regexp: unexpected ): `a)|(b`");
  CHECK(parse_error("foo{a=~\"(?=x)\"}") ==
        "1:5: parse error: error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
  CHECK(parse_error("foo{a=~\"\\\\1\"}") == "1:5: parse error: error parsing regexp: invalid escape sequence: `\\1`");
  CHECK(parse_ok("foo{a=~\"(?i)err(or)?|\\\\pL+\"}")->type == ValueType::Vector);
}

TEST_CASE("parser type-checks binary operators", "[promql][parser]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"1 > 2", "1:3: parse error: comparisons between scalars must use BOOL modifier"},
      {"x + bool y", "1:3: parse error: bool modifier can only be used on comparison operators"},
      {"foo and bool bar", "1:5: parse error: bool modifier can only be used on comparison operators"},
      {"x and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression"},
      {"1 unless 2", "1:1: parse error: set operator \"unless\" not allowed in binary scalar expression"},
      {"x and on(a) group_left y", "1:1: parse error: no grouping allowed for \"and\" operation"},
      {"x or on(b) group_right(c) y", "1:1: parse error: no grouping allowed for \"or\" operation"},
      {"1 + on(a) x", "1:1: parse error: vector matching only allowed between instant vectors"},
      {"x + on(a) group_left(a) y", "1:3: parse error: label \"a\" must not occur in ON and GROUP clause at once"},
      {"'abc' + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"},
      {"x[5m] + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types"},
      {"1 + x[5m]", "1:5: parse error: binary expression must contain only scalar and instant vector types"},
      {"-\"a\"",
       "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\""},
      {"-foo[5m]",
       "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range "
       "vector\""},
  };
  for (const auto& [expr, message] : cases) CHECK(parse_error(expr) == message);
  // Matching without labels against a scalar is accepted, and then dropped.
  NodePtr ok = parse_ok("1 + ignoring() group_left x");
  CHECK_FALSE(ok->as<Binary>()->matching.has_value());
  CHECK(parse_ok("x + ignoring(a) group_left(a) y")->type == ValueType::Vector);
  CHECK(parse_ok("1 > bool 2 > bool 3")->type == ValueType::Scalar);
}

TEST_CASE("parser type-checks aggregations subqueries and functions", "[promql][parser]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"sum()", "1:1: parse error: no arguments for aggregate expression provided"},
      {"topk(x)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1"},
      {"sum(x, y)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2"},
      {"sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector"},
      {"sum(1)", "1:5: parse error: expected type instant vector in aggregation expression, got scalar"},
      {"count_values(1, x)", "1:14: parse error: expected type string in aggregation parameter, got scalar"},
      {"quantile(\"a\", x)", "1:10: parse error: expected type scalar in aggregation parameter, got string"},
      {"topk(x, x)", "1:6: parse error: expected type scalar in aggregation parameter, got instant vector"},
      {"foo[5m:][5m:]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead"},
      {"1[5m:]", "1:1: parse error: subquery is only allowed on instant vector, got scalar instead"},
      {"rate()", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 0"},
      {"rate(foo)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector"},
      {"rate(foo[5m], 1)", "1:1: parse error: expected 1 argument(s) in call to \"rate\", got 2"},
      {"time(1)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1"},
      {"round(foo, 1, 2)", "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3"},
      {"label_join(x)", "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 1"},
      {"label_join(foo, \"a\", \",\", 1)",
       "1:27: parse error: expected type string in call to function \"label_join\", got scalar"},
      {"vector(foo)", "1:8: parse error: expected type scalar in call to function \"vector\", got instant vector"},
      {"histogram_quantile(\"x\", y)",
       "1:20: parse error: expected type scalar in call to function \"histogram_quantile\", got string"},
      {"absent_over_time(x)",
       "1:18: parse error: expected type range vector in call to function \"absent_over_time\", got instant vector"},
      {"day_of_week(x, y)", "1:1: parse error: expected at most 1 argument(s) in call to \"day_of_week\", got 2"},
      {"unknown_fn(x)", "1:1: parse error: unknown function with name \"unknown_fn\""},
  };
  for (const auto& [expr, message] : cases) CHECK(parse_error(expr) == message);
  for (std::string good :
       {"rate(x[5m])", "irate(x[1m])", "increase(x[1h])", "delta(x[5m])", "idelta(x[5m])", "deriv(x[5m])",
        "changes(x[1h])", "resets(x[1h])", "absent_over_time(x[5m])", "present_over_time(x[5m])",
        "last_over_time(x[5m])", "quantile_over_time(0.9, x[5m])", "predict_linear(x[1h], 3600)",
        "holt_winters(x[1h], 0.5, 0.5)", "double_exponential_smoothing(x[1h], 0.5, 0.5)", "clamp(x, 0, 1)",
        "clamp_min(x, 0)", "clamp_max(x, 1)", "timestamp(x)", "vector(time())", "sort_desc(x)",
        "sort_by_label(x, \"a\", \"b\")", "sort_by_label_desc(x)", "label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")",
        "histogram_fraction(0, 0.5, x)", "histogram_count(x)", "histogram_sum(x)", "histogram_avg(x)",
        "histogram_stddev(x)", "histogram_stdvar(x)", "days_in_month()", "year(x)", "sgn(x)",
        "mad_over_time(x[5m])", "ts_of_max_over_time(x[5m])", "first_over_time(x[5m])", "info(x, {team=\"a\"})",
        "info(x)", "limitk(1, x)", "limit_ratio(0.1, x)"})
    CHECK(parse_ok(good)->type == ValueType::Vector);
  for (std::string scalar : {"scalar(x)", "pi()", "time()"}) CHECK(parse_ok(scalar)->type == ValueType::Scalar);
  CHECK(parse_error("info(x, y{a=\"b\"})") ==
        "1:9: parse error: expected label selectors only, got vector selector instead");
}

TEST_CASE("function table covers Prometheus 2 and 3", "[promql][parser]") {
  const Function* rate = find_function("rate");
  REQUIRE(rate);
  CHECK(rate->arg_types == std::vector<ValueType>{ValueType::Matrix});
  CHECK(rate->min_args() == 1);
  CHECK(rate->max_args() == 1);
  CHECK_FALSE(rate->newer_than_reference);
  const Function* join = find_function("label_join");
  CHECK(join->min_args() == 3);
  CHECK(join->max_args() == SIZE_MAX);
  CHECK(find_function("round")->max_args() == 2);
  CHECK(find_function("holt_winters")->removed_in_v3);
  CHECK(find_function("sort_by_label")->experimental);
  CHECK(find_function("sort_by_label")->newer_than_reference);
  CHECK(find_function("histogram_stddev")->newer_than_reference);
  CHECK_FALSE(find_function("histogram_stddev")->experimental);
  CHECK(find_function("Rate") == nullptr);
  CHECK(all_functions().size() >= 80);
}

TEST_CASE("parse_promql_or_throw names the position", "[promql][parser]") {
  CHECK(print_promql(*parse_promql_or_throw("up == 0")) == "up == 0");
  try {
    parse_promql_or_throw("sum(up) by job");
    FAIL("no exception");
  } catch (const PromqlError& e) {
    CHECK(std::string(e.what()) == "1:12: parse error: unexpected identifier \"job\" in grouping opts, expected \"(\"");
    CHECK(e.error.pos.start == 11);
    CHECK(e.error.line == 1);
    CHECK(e.error.column == 12);
  }
}

TEST_CASE("parser refuses absurdly deep or long expressions instead of overflowing the stack", "[promql][parser]") {
  std::string nested = std::string(400, '(') + "x" + std::string(400, ')');
  CHECK(print_promql(*parse_ok(nested)) == nested);
  std::string too_deep = std::string(600, '(') + "x" + std::string(600, ')');
  CHECK(parse_error(too_deep) == "1:501: parse error: expression nests too deeply: more than 500 levels");
  std::string chain = "x";
  for (int i = 0; i < 5000; ++i) chain += " + x";
  CHECK(parse_ok(chain)->type == ValueType::Vector);
  for (int i = 0; i < 5000; ++i) chain += " + x";
  CHECK(parse_error(chain) == "1:1: parse error: expression too long: more than 20000 tokens");
}
