// Questions the alert-rule lint asks of a parsed expression: which metrics it
// reads and through which functions, and which labels its result can carry
// (so an annotation's $labels.x can be checked against the aggregation).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "suites/alerts/promql/ast.h"

namespace greenlight::promql {

struct SelectorUse {
  const Node* node = nullptr;  // the VectorSelector node
  std::string metric;          // the metric name, or "" for a selector like {job="x"}
  PosRange pos;                // as written, including "[5m]" for a range selector
  std::int64_t range_ms = 0;   // > 0 for a range selector m[5m]
  // The function that takes this selector as its argument: m, m[5m] or m[5m:1m]
  // directly ("rate" in rate(m[5m])); "" otherwise (sum(m), rate(sum(m)[5m:])).
  std::string function;
  std::vector<std::string> enclosing_functions;  // every function call around it, innermost first
};

// Every vector selector of the expression, in source order.
std::vector<SelectorUse> selectors(const Node& expr);

// The labels a result series may carry. Either "open" (whatever labels the
// input series have, minus `labels`) or closed (at most `labels`).
struct ResultLabels {
  bool open = true;
  std::set<std::string> labels;

  bool may_have(std::string_view label) const;
};

// e.g. sum by (job) (...) gives closed {job}; sum without (pod) (...) gives
// open minus {pod}; rate(m[5m]) gives open minus {__name__}.
ResultLabels result_labels(const Node& expr);

}  // namespace greenlight::promql
