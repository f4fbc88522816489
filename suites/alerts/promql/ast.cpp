// Names of the PromQL syntax tree's enums and the generic tree traversal.
#include "suites/alerts/promql/ast.h"

namespace greenlight::promql {

std::string_view documented_type(ValueType t) {
  switch (t) {
    case ValueType::Scalar: return "scalar";
    case ValueType::String: return "string";
    case ValueType::Vector: return "instant vector";
    case ValueType::Matrix: return "range vector";
    case ValueType::None: break;
  }
  return "none";
}

std::string_view value_type_name(ValueType t) {
  switch (t) {
    case ValueType::Scalar: return "scalar";
    case ValueType::String: return "string";
    case ValueType::Vector: return "vector";
    case ValueType::Matrix: return "matrix";
    case ValueType::None: break;
  }
  return "none";
}

std::string_view match_op_text(MatchOp op) {
  switch (op) {
    case MatchOp::Equal: return "=";
    case MatchOp::NotEqual: return "!=";
    case MatchOp::Regex: return "=~";
    case MatchOp::NotRegex: return "!~";
  }
  return "?";
}

std::string VectorSelector::metric_name() const {
  if (!name.empty()) return name;
  for (const auto& m : matchers)
    if (m.name == "__name__" && m.op == MatchOp::Equal) return m.value;
  return "";
}

std::string_view agg_op_name(AggOp op) {
  switch (op) {
    case AggOp::Sum: return "sum";
    case AggOp::Avg: return "avg";
    case AggOp::Count: return "count";
    case AggOp::Min: return "min";
    case AggOp::Max: return "max";
    case AggOp::Group: return "group";
    case AggOp::Stddev: return "stddev";
    case AggOp::Stdvar: return "stdvar";
    case AggOp::Topk: return "topk";
    case AggOp::Bottomk: return "bottomk";
    case AggOp::CountValues: return "count_values";
    case AggOp::Quantile: return "quantile";
    case AggOp::Limitk: return "limitk";
    case AggOp::LimitRatio: return "limit_ratio";
  }
  return "?";
}

bool agg_has_param(AggOp op) {
  return op == AggOp::Topk || op == AggOp::Bottomk || op == AggOp::CountValues || op == AggOp::Quantile ||
         op == AggOp::Limitk || op == AggOp::LimitRatio;
}

std::string_view bin_op_text(BinOp op) {
  switch (op) {
    case BinOp::Add: return "+";
    case BinOp::Sub: return "-";
    case BinOp::Mul: return "*";
    case BinOp::Div: return "/";
    case BinOp::Mod: return "%";
    case BinOp::Pow: return "^";
    case BinOp::Atan2: return "atan2";
    case BinOp::Eql: return "==";
    case BinOp::Neq: return "!=";
    case BinOp::Gtr: return ">";
    case BinOp::Lss: return "<";
    case BinOp::Gte: return ">=";
    case BinOp::Lte: return "<=";
    case BinOp::And: return "and";
    case BinOp::Or: return "or";
    case BinOp::Unless: return "unless";
  }
  return "?";
}

bool is_comparison(BinOp op) {
  return op == BinOp::Eql || op == BinOp::Neq || op == BinOp::Gtr || op == BinOp::Lss || op == BinOp::Gte ||
         op == BinOp::Lte;
}

bool is_set_operator(BinOp op) { return op == BinOp::And || op == BinOp::Or || op == BinOp::Unless; }

std::vector<const Node*> children(const Node& node) {
  std::vector<const Node*> out;
  auto add = [&out](const NodePtr& p) {
    if (p) out.push_back(p.get());
  };
  if (auto* m = node.as<MatrixSelector>()) add(m->selector);
  else if (auto* s = node.as<Subquery>()) add(s->expr);
  else if (auto* c = node.as<Call>()) for (const auto& a : c->args) add(a);
  else if (auto* a = node.as<Aggregate>()) {
    add(a->param);
    add(a->expr);
  } else if (auto* b = node.as<Binary>()) {
    add(b->lhs);
    add(b->rhs);
  } else if (auto* u = node.as<Unary>()) add(u->expr);
  else if (auto* p = node.as<Paren>()) add(p->expr);
  return out;
}

void walk(const Node& node, const std::function<void(const Node&)>& visit) {
  visit(node);
  for (const Node* child : children(node)) walk(*child, visit);
}

}  // namespace greenlight::promql
