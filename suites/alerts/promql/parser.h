// The PromQL parser: an expression in, a typed syntax tree or an error with its
// position out. It accepts and rejects what Prometheus 2.42 (the promtool this
// project checks parity against) accepts and rejects, including the type rules
// of its checkAST, and additionally knows the functions and aggregations of
// Prometheus 3 (limitk, limit_ratio, sort_by_label, ...). Syntax is 2.x's:
// no quoted UTF-8 metric names, no duration arithmetic, no number ranges.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "suites/alerts/promql/ast.h"

namespace greenlight::promql {

struct ParseError {
  PosRange pos;     // bytes of the expression the error is about
  int line = 1;     // 1-based, of pos.start
  int column = 1;   // 1-based byte column of pos.start
  std::string message;  // e.g. `unexpected <op:*>`

  // Prometheus' wording: "1:9: parse error: unexpected <op:*>".
  std::string text() const;
};

struct ParseResult {
  NodePtr expr;                     // null when there is an error
  std::vector<ParseError> errors;   // in Prometheus' order; the first is the one to show

  bool ok() const { return errors.empty(); }
  const ParseError& error() const { return errors.front(); }
};

ParseResult parse_promql(std::string_view expr);

class PromqlError : public std::runtime_error {
 public:
  explicit PromqlError(ParseError e) : std::runtime_error(e.text()), error(std::move(e)) {}
  ParseError error;
};

// parse_promql, throwing PromqlError for the first error.
NodePtr parse_promql_or_throw(std::string_view expr);

}  // namespace greenlight::promql
