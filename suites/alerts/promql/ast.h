// The PromQL syntax tree: plain structs, one per node kind, held in a Node that
// carries what every node has (its byte range in the expression text and its
// value type). The shape follows Prometheus' own AST (promql/parser/ast.go) so
// that the evaluator, the lint and the printer can reason the way Prometheus does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace greenlight::promql {

struct Function;

enum class ValueType { None, Scalar, String, Vector, Matrix };

// "scalar", "string", "instant vector", "range vector" (the words Prometheus'
// error messages use), "none".
std::string_view documented_type(ValueType t);
// Prometheus' internal names: "scalar", "string", "vector", "matrix", "none".
std::string_view value_type_name(ValueType t);

// Byte offsets into the expression: [start, end).
struct PosRange {
  std::size_t start = 0, end = 0;
};

enum class MatchOp { Equal, NotEqual, Regex, NotRegex };
std::string_view match_op_text(MatchOp op);  // "=", "!=", "=~", "!~"

struct LabelMatcher {
  std::string name;
  MatchOp op = MatchOp::Equal;
  std::string value;  // unquoted
  PosRange pos;       // from the label name to the end of the value string
};

// The @ modifier: a fixed timestamp, or start()/end() of the query range.
struct At {
  enum class Kind { None, Timestamp, Start, End };
  Kind kind = Kind::None;
  std::int64_t timestamp_ms = 0;
};

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct NumberLiteral {
  double value = 0;
};

struct StringLiteral {
  std::string value;  // unquoted
};

// `name{matchers}`. `name` is the identifier written before the braces ("" when
// absent); `matchers` are exactly those written inside the braces. A selector
// inside a MatrixSelector carries that range selector's offset and @.
struct VectorSelector {
  std::string name;
  std::vector<LabelMatcher> matchers;
  std::int64_t offset_ms = 0;  // 0: no offset (Prometheus rejects `offset 0s`)
  At at;

  // `name`, or the value of a `__name__="..."` matcher, or "".
  std::string metric_name() const;
};

// `selector[range]`; `selector` holds a VectorSelector.
struct MatrixSelector {
  NodePtr selector;
  std::int64_t range_ms = 0;
};

// `expr[range:step]`; step_ms 0 means the default (the evaluation interval).
struct Subquery {
  NodePtr expr;
  std::int64_t range_ms = 0;
  std::int64_t step_ms = 0;
  std::int64_t offset_ms = 0;
  At at;
};

struct Call {
  const Function* func = nullptr;  // never null in a tree parse_promql returns
  std::vector<NodePtr> args;
};

enum class AggOp { Sum, Avg, Count, Min, Max, Group, Stddev, Stdvar, Topk, Bottomk, CountValues, Quantile, Limitk, LimitRatio };
std::string_view agg_op_name(AggOp op);  // "sum", "count_values", ...
bool agg_has_param(AggOp op);            // topk, bottomk, count_values, quantile, limitk, limit_ratio

struct Aggregate {
  AggOp op = AggOp::Sum;
  NodePtr expr;
  NodePtr param;  // null unless agg_has_param(op)
  std::vector<std::string> grouping;  // by (...) or without (...) labels, as written
  bool without = false;
};

enum class BinOp { Add, Sub, Mul, Div, Mod, Pow, Atan2, Eql, Neq, Gtr, Lss, Gte, Lte, And, Or, Unless };
std::string_view bin_op_text(BinOp op);  // "+", "==", "and", "atan2", ...
bool is_comparison(BinOp op);
bool is_set_operator(BinOp op);

enum class Cardinality { OneToOne, ManyToOne, OneToMany, ManyToMany };

struct VectorMatching {
  Cardinality card = Cardinality::OneToOne;  // ManyToOne: group_left, OneToMany: group_right
  std::vector<std::string> labels;           // of on(...) or ignoring(...)
  bool on = false;
  std::vector<std::string> include;          // of group_left(...) / group_right(...)
};

struct Binary {
  BinOp op = BinOp::Add;
  NodePtr lhs, rhs;
  bool return_bool = false;
  // Set only when both operands are instant vectors (as Prometheus does).
  std::optional<VectorMatching> matching;
  std::size_t op_pos = 0;  // byte offset of the operator
};

enum class UnaryOp { Plus, Minus };

// A unary minus on a number literal is folded into the literal, as Prometheus does.
struct Unary {
  UnaryOp op = UnaryOp::Minus;
  NodePtr expr;
};

struct Paren {
  NodePtr expr;
};

struct Node {
  std::variant<NumberLiteral, StringLiteral, VectorSelector, MatrixSelector, Subquery, Call, Aggregate, Binary,
               Unary, Paren>
      data;
  PosRange pos;
  ValueType type = ValueType::None;

  template <class T>
  const T* as() const { return std::get_if<T>(&data); }
  template <class T>
  T* as() { return std::get_if<T>(&data); }
};

// Direct children in source order (a matrix selector's vector selector, an
// aggregation's parameter before its expression, ...).
std::vector<const Node*> children(const Node& node);

// Pre-order walk over the whole tree.
void walk(const Node& node, const std::function<void(const Node&)>& visit);

}  // namespace greenlight::promql
