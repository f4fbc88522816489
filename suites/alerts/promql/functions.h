// The table of PromQL functions with their argument and return types: every
// function of Prometheus 2.x and 3.x, experimental ones included, so that a
// rule written for either version type-checks here.
#pragma once

#include <string_view>
#include <vector>

#include "suites/alerts/promql/ast.h"

namespace greenlight::promql {

struct Function {
  std::string_view name;
  std::vector<ValueType> arg_types;
  // 0: exactly arg_types. Otherwise the last of arg_types is optional and
  // may repeat: n > 0 up to n times, -1 without limit (Prometheus' convention).
  int variadic = 0;
  ValueType return_type = ValueType::Vector;
  // Prometheus 3 accepts it only with --enable-feature=promql-experimental-functions.
  bool experimental = false;
  // Prometheus 2.42 (the promtool this project checks parity against) does not know it.
  bool newer_than_reference = false;
  bool removed_in_v3 = false;  // holt_winters, renamed double_exponential_smoothing

  std::size_t min_args() const { return variadic == 0 ? arg_types.size() : arg_types.size() - 1; }
  // SIZE_MAX when unlimited.
  std::size_t max_args() const;
};

// nullptr for an unknown name; names are case-sensitive, as in Prometheus.
const Function* find_function(std::string_view name);
const std::vector<Function>& all_functions();

}  // namespace greenlight::promql
