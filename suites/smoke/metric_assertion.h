// Assertions users write in the plan about a scraped /metrics, in a small
// PromQL-like language:
//   app_worker_healthy == 1
//   app_jobs_queue_depth{queue="default"} < 100
//   app_http_requests_total{code=~"5.."} == 0
//   sum(app_http_requests_total) > 0        (also count, min, max, avg)
// Without an aggregation EVERY matching series must pass; a selector that
// matches nothing fails (except under count(), which is then 0).
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "suites/smoke/exposition.h"

namespace greenlight {

enum class Aggregation { none, sum, count, min, max, avg };
enum class MatchOp { equal, not_equal, regex, not_regex };         // =  !=  =~  !~
enum class Comparison { equal, not_equal, less, less_equal, greater, greater_equal };

struct LabelMatcher {
  std::string name;
  MatchOp op = MatchOp::equal;
  std::string value;  // unescaped; for =~ and !~ the pattern as written
  std::regex regex;   // compiled for =~ and !~, anchored at both ends like PromQL
};

struct MetricAssertion {
  std::string text;  // as the user wrote it
  Aggregation aggregation = Aggregation::none;
  std::string metric;  // a sample name: "x_bucket", "x_count" and "x_sum" work
  std::vector<LabelMatcher> matchers;
  Comparison comparison = Comparison::equal;
  double threshold = 0;
};

// Throws std::invalid_argument "position N: expected ... in 'TEXT'" (N is
// 1-based) for bad syntax, an invalid regex or a NaN threshold.
MetricAssertion parse_metric_assertion(const std::string& text);

struct AssertionResult {
  bool passed = false;
  // On pass, the observed value(s): "app_worker_healthy = 1". On failure, each
  // failing series with its value, or why nothing matched and what exists.
  std::string message;
};

AssertionResult evaluate(const MetricAssertion& assertion, const Exposition& exposition);

// `app_x{queue="default",code=~"5.."}`, canonical spacing: how messages name the selector.
std::string selector_text(const MetricAssertion& assertion);

}  // namespace greenlight
