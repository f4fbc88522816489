// The canonical text of a PromQL syntax tree, as Prometheus' String() methods
// print it (promql/parser/printer.go): what /api/v1/rules shows as a loaded
// rule's query, and a fixed point of parse-then-print.
#pragma once

#include <string>

#include "suites/alerts/promql/ast.h"

namespace greenlight::promql {

// e.g. `sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) > 0.1`.
// Parentheses appear only where the tree has Paren nodes; label matchers are
// sorted; durations are canonical ("90m" prints as "1h30m").
std::string print_promql(const Node& node);

// A number as Prometheus 2.x prints it (Go's %v): "1", "0.5", "1e+09", "+Inf", "NaN".
std::string format_number(double v);

}  // namespace greenlight::promql
