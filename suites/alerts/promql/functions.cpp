// The PromQL function table. Types and arities follow Prometheus'
// promql/parser/functions.go; `newer_than_reference` was checked by asking
// promtool 2.42 about each name. Left out: start(), end(), step() and range(),
// which Prometheus 3 knows only inside its experimental duration expressions.
#include "suites/alerts/promql/functions.h"

#include <cstdint>
#include <unordered_map>

namespace greenlight::promql {

namespace {

constexpr ValueType S = ValueType::Scalar;
constexpr ValueType V = ValueType::Vector;
constexpr ValueType M = ValueType::Matrix;
constexpr ValueType Str = ValueType::String;

Function fn(std::string_view name, std::vector<ValueType> args, ValueType ret = V, int variadic = 0) {
  Function f;
  f.name = name;
  f.arg_types = std::move(args);
  f.return_type = ret;
  f.variadic = variadic;
  return f;
}

// Known only to Prometheus versions after 2.42.
Function newer(Function f, bool experimental) {
  f.newer_than_reference = true;
  f.experimental = experimental;
  return f;
}

std::vector<Function> build_table() {
  std::vector<Function> t;
  for (std::string_view n : {"abs", "absent", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos", "cosh",
                             "deg", "exp", "floor", "histogram_count", "histogram_sum", "ln", "log10", "log2", "rad",
                             "sgn", "sin", "sinh", "sort", "sort_desc", "sqrt", "tan", "tanh", "timestamp"})
    t.push_back(fn(n, {V}));
  for (std::string_view n : {"absent_over_time", "avg_over_time", "changes", "count_over_time", "delta", "deriv",
                             "idelta", "increase", "irate", "last_over_time", "max_over_time", "min_over_time",
                             "present_over_time", "rate", "resets", "stddev_over_time", "stdvar_over_time",
                             "sum_over_time"})
    t.push_back(fn(n, {M}));
  // Date functions default their argument to vector(time()).
  for (std::string_view n : {"days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month",
                             "year"})
    t.push_back(fn(n, {V}, V, 1));
  t.push_back(fn("clamp", {V, S, S}));
  t.push_back(fn("clamp_max", {V, S}));
  t.push_back(fn("clamp_min", {V, S}));
  t.push_back(fn("histogram_fraction", {S, S, V}));
  t.push_back(fn("histogram_quantile", {S, V}));
  Function hw = fn("holt_winters", {M, S, S});
  hw.removed_in_v3 = true;
  t.push_back(hw);
  t.push_back(fn("label_replace", {V, Str, Str, Str, Str}));
  t.push_back(fn("label_join", {V, Str, Str, Str}, V, -1));
  t.push_back(fn("pi", {}, S));
  t.push_back(fn("predict_linear", {M, S}));
  t.push_back(fn("quantile_over_time", {S, M}));
  t.push_back(fn("round", {V, S}, V, 1));
  t.push_back(fn("scalar", {V}, S));
  t.push_back(fn("time", {}, S));
  t.push_back(fn("vector", {S}));

  for (std::string_view n : {"histogram_avg", "histogram_stddev", "histogram_stdvar"}) t.push_back(newer(fn(n, {V}), false));
  t.push_back(newer(fn("double_exponential_smoothing", {M, S, S}), true));
  t.push_back(newer(fn("sort_by_label", {V, Str}, V, -1), true));
  t.push_back(newer(fn("sort_by_label_desc", {V, Str}, V, -1), true));
  t.push_back(newer(fn("info", {V, V}, V, 1), true));
  t.push_back(newer(fn("integral", {M, S}, V, 1), true));
  t.push_back(newer(fn("histogram_quantiles", {V, Str, S, S}, V, 9), true));
  for (std::string_view n : {"mad_over_time", "first_over_time", "ts_of_first_over_time", "ts_of_last_over_time",
                             "ts_of_max_over_time", "ts_of_min_over_time"})
    t.push_back(newer(fn(n, {M}), true));
  return t;
}

}  // namespace

std::size_t Function::max_args() const {
  if (variadic == 0) return arg_types.size();
  if (variadic < 0) return SIZE_MAX;
  return arg_types.size() - 1 + static_cast<std::size_t>(variadic);
}

const std::vector<Function>& all_functions() {
  static const std::vector<Function> table = build_table();
  return table;
}

const Function* find_function(std::string_view name) {
  static const std::unordered_map<std::string_view, const Function*> index = [] {
    std::unordered_map<std::string_view, const Function*> m;
    for (const auto& f : all_functions()) m.emplace(f.name, &f);
    return m;
  }();
  auto it = index.find(name);
  return it == index.end() ? nullptr : it->second;
}

}  // namespace greenlight::promql
