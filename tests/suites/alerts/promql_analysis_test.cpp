// Tests of the lint helpers: the selectors an expression reads and the
// function applied to each, and the labels a result can carry.
#include "suites/alerts/promql/analysis.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "suites/alerts/promql/parser.h"

using namespace greenlight::promql;

TEST_CASE("selectors lists metrics ranges and the functions around them", "[promql][analysis]") {
  std::string expr =
      "sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) / sum by (job) (rate(http_requests_total[5m]))"
      " > 0.1 and on (job) increase(node_memory_free_bytes[1h:]) > 0 unless absent({job=\"api\"})";
  NodePtr tree = parse_promql_or_throw(expr);
  auto uses = selectors(*tree);
  REQUIRE(uses.size() == 4);
  CHECK(uses[0].metric == "http_requests_total");
  CHECK(uses[0].range_ms == 300000);
  CHECK(uses[0].function == "rate");
  CHECK(uses[0].enclosing_functions == std::vector<std::string>{"rate"});
  CHECK(expr.substr(uses[0].pos.start, uses[0].pos.end - uses[0].pos.start) ==
        "http_requests_total{code=~\"5..\"}[5m]");
  CHECK(uses[0].node->as<VectorSelector>()->matchers.size() == 1);
  CHECK(uses[2].metric == "node_memory_free_bytes");
  CHECK(uses[2].function == "increase");  // through the subquery
  CHECK(uses[2].range_ms == 0);
  CHECK(uses[3].metric.empty());
  CHECK(uses[3].function == "absent");

  auto nested = selectors(*parse_promql_or_throw("rate(sum(x)[5m:]) + label_replace(y, \"a\", \"b\", \"c\", \"d\")"));
  REQUIRE(nested.size() == 2);
  CHECK(nested[0].function.empty());  // rate of an aggregation, not of x itself
  CHECK(nested[0].enclosing_functions == std::vector<std::string>{"rate"});
  CHECK(nested[1].function == "label_replace");
  auto by_name = selectors(*parse_promql_or_throw("{__name__=\"up\", job=\"x\"} == 0"));
  CHECK(by_name[0].metric == "up");
}

TEST_CASE("result_labels follows aggregations matching and functions", "[promql][analysis]") {
  auto labels = [](const std::string& expr) { return result_labels(*parse_promql_or_throw(expr)); };

  ResultLabels by = labels("sum by (job, instance) (rate(x[5m])) > 0");
  CHECK(by.may_have("job"));
  CHECK(by.may_have("instance"));
  CHECK_FALSE(by.may_have("pod"));

  ResultLabels without = labels("max without (pod) (x)");
  CHECK(without.may_have("job"));
  CHECK_FALSE(without.may_have("pod"));
  CHECK_FALSE(without.may_have("__name__"));

  CHECK_FALSE(labels("sum(x)").may_have("job"));
  CHECK(labels("topk(3, x)").may_have("pod"));
  CHECK(labels("count_values(\"version\", build_info)").may_have("version"));
  CHECK(labels("up == 0").may_have("__name__"));
  CHECK_FALSE(labels("up + 0").may_have("__name__"));
  CHECK(labels("rate(x[5m])").may_have("instance"));
  CHECK_FALSE(labels("histogram_quantile(0.9, sum by (le, job) (rate(x_bucket[5m])))").may_have("le"));
  CHECK(labels("histogram_quantile(0.9, sum by (le, job) (rate(x_bucket[5m])))").may_have("job"));
  CHECK(labels("label_replace(sum(x), \"team\", \"a\", \"\", \"\")").may_have("team"));

  ResultLabels absent = labels("absent(up{job=\"api\", instance=~\"a.*\"})");
  CHECK(absent.may_have("job"));
  CHECK_FALSE(absent.may_have("instance"));

  ResultLabels on = labels("a > on (job) b");
  CHECK(on.may_have("job"));
  CHECK_FALSE(on.may_have("instance"));
  ResultLabels group = labels("sum by (job) (a) * on (job) group_left (team) b");
  CHECK(group.may_have("team"));
  CHECK(group.may_have("job"));
  CHECK_FALSE(group.may_have("pod"));
  ResultLabels either = labels("sum by (job) (a) or sum by (env) (b)");
  CHECK(either.may_have("job"));
  CHECK(either.may_have("env"));
  CHECK_FALSE(either.may_have("pod"));
  CHECK_FALSE(labels("vector(1)").may_have("job"));
  CHECK_FALSE(labels("time() > bool 0").may_have("job"));
}
