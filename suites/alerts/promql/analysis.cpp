// The lint helpers walk the tree the way Prometheus evaluates it: labels flow
// through functions unchanged (minus __name__), aggregations keep only their
// grouping, and vector matching keeps the side and the labels it names.
#include "suites/alerts/promql/analysis.h"

#include "suites/alerts/promql/functions.h"

namespace greenlight::promql {

namespace {

void collect(const Node& node, std::vector<std::string>& enclosing, std::string_view direct,
             std::vector<SelectorUse>& out) {
  auto use = [&](const Node& selector_node, PosRange pos, std::int64_t range_ms) {
    SelectorUse u;
    u.node = &selector_node;
    u.metric = selector_node.as<VectorSelector>()->metric_name();
    u.pos = pos;
    u.range_ms = range_ms;
    u.function = std::string(direct);
    u.enclosing_functions.assign(enclosing.rbegin(), enclosing.rend());
    out.push_back(std::move(u));
  };
  if (node.as<VectorSelector>()) return use(node, node.pos, 0);
  if (auto* m = node.as<MatrixSelector>()) return use(*m->selector, node.pos, m->range_ms);
  if (auto* sq = node.as<Subquery>()) return collect(*sq->expr, enclosing, direct, out);
  if (auto* p = node.as<Paren>()) return collect(*p->expr, enclosing, direct, out);
  if (auto* c = node.as<Call>()) {
    enclosing.emplace_back(c->func ? c->func->name : "");
    for (const auto& arg : c->args) collect(*arg, enclosing, enclosing.back(), out);
    enclosing.pop_back();
    return;
  }
  for (const Node* child : children(node)) collect(*child, enclosing, "", out);
}

ResultLabels closed(std::set<std::string> labels = {}) { return ResultLabels{false, std::move(labels)}; }

ResultLabels without(ResultLabels r, const std::vector<std::string>& drop) {
  for (const auto& l : drop) {
    if (r.open) r.labels.insert(l);
    else r.labels.erase(l);
  }
  return r;
}

ResultLabels with(ResultLabels r, const std::set<std::string>& add) {
  for (const auto& l : add) {
    if (r.open) r.labels.erase(l);
    else r.labels.insert(l);
  }
  return r;
}

// Labels either side may carry (the `or` operator).
ResultLabels either(const ResultLabels& a, const ResultLabels& b) {
  if (!a.open && !b.open) return with(a, b.labels);
  if (a.open && b.open) {
    ResultLabels r{true, {}};
    for (const auto& l : a.labels)
      if (b.labels.count(l)) r.labels.insert(l);
    return r;
  }
  const ResultLabels& o = a.open ? a : b;
  const ResultLabels& c = a.open ? b : a;
  ResultLabels r = o;
  for (const auto& l : c.labels) r.labels.erase(l);
  return r;
}

// The value of a string argument such as label_replace's destination.
std::string string_value(const Node& node) {
  if (auto* s = node.as<StringLiteral>()) return s->value;
  if (auto* p = node.as<Paren>()) return string_value(*p->expr);
  return "";
}

const std::vector<std::string> kName = {"__name__"};

ResultLabels call_labels(const Call& call) {
  std::string_view name = call.func ? call.func->name : "";
  if (call.func && call.func->return_type != ValueType::Vector) return closed();
  if (name == "vector") return closed();
  if (name == "absent" || name == "absent_over_time") {
    // absent() returns the equality matchers of a plain selector as labels.
    std::set<std::string> labels;
    if (!call.args.empty()) {
      const Node* arg = call.args[0].get();
      if (auto* m = arg->as<MatrixSelector>()) arg = m->selector.get();
      if (auto* vs = arg->as<VectorSelector>())
        for (const auto& mt : vs->matchers)
          if (mt.op == MatchOp::Equal && mt.name != "__name__") labels.insert(mt.name);
    }
    return closed(std::move(labels));
  }
  if (name == "info") return ResultLabels{true, {}};
  // The first vector or range argument carries the series.
  const Node* input = nullptr;
  for (const auto& a : call.args)
    if (a->type == ValueType::Vector || a->type == ValueType::Matrix) {
      input = a.get();
      break;
    }
  if (!input) return closed();  // hour(), day_of_week(): vector(time())
  ResultLabels r = without(result_labels(*input), kName);
  if ((name == "label_replace" || name == "label_join") && call.args.size() > 1) {
    std::string dst = string_value(*call.args[1]);
    if (!dst.empty()) r = with(r, {dst});
  }
  if (name == "histogram_quantile" || name == "histogram_fraction") r = without(r, {"le"});
  return r;
}

ResultLabels aggregate_labels(const Aggregate& agg) {
  if (agg.op == AggOp::Topk || agg.op == AggOp::Bottomk || agg.op == AggOp::Limitk || agg.op == AggOp::LimitRatio)
    return result_labels(*agg.expr);  // whole series are selected, not aggregated
  ResultLabels r;
  if (agg.without) {
    r = without(without(result_labels(*agg.expr), agg.grouping), kName);
  } else {
    std::set<std::string> keep(agg.grouping.begin(), agg.grouping.end());
    ResultLabels input = result_labels(*agg.expr);
    std::set<std::string> kept;
    for (const auto& l : keep)
      if (input.may_have(l)) kept.insert(l);
    r = closed(std::move(kept));
  }
  if (agg.op == AggOp::CountValues && agg.param) {
    std::string label = string_value(*agg.param);
    if (!label.empty()) r = with(r, {label});
  }
  return r;
}

// Arithmetic and `bool` comparisons drop the metric name; filters keep it.
bool drops_metric_name(const Binary& bin) {
  if (is_set_operator(bin.op)) return false;
  return is_comparison(bin.op) ? bin.return_bool : true;
}

ResultLabels binary_labels(const Binary& bin) {
  bool lv = bin.lhs->type == ValueType::Vector, rv = bin.rhs->type == ValueType::Vector;
  if (!lv && !rv) return closed();
  ResultLabels l = result_labels(*bin.lhs), r = result_labels(*bin.rhs);
  if (is_set_operator(bin.op)) return bin.op == BinOp::Or ? either(l, r) : l;
  ResultLabels base = lv ? l : r;
  if (lv && rv && bin.matching) {
    const VectorMatching& vm = *bin.matching;
    if (vm.card == Cardinality::OneToMany) base = r;
    if (vm.card == Cardinality::OneToOne) {
      if (vm.on) {
        std::set<std::string> kept;
        for (const auto& lab : vm.labels)
          if (base.may_have(lab)) kept.insert(lab);
        base = closed(std::move(kept));
      } else {
        base = without(base, vm.labels);
      }
    } else {
      base = with(base, std::set<std::string>(vm.include.begin(), vm.include.end()));
    }
  }
  if (drops_metric_name(bin)) base = without(base, kName);
  return base;
}

}  // namespace

bool ResultLabels::may_have(std::string_view label) const {
  bool listed = labels.count(std::string(label)) > 0;
  return open ? !listed : listed;
}

std::vector<SelectorUse> selectors(const Node& expr) {
  std::vector<SelectorUse> out;
  std::vector<std::string> enclosing;
  collect(expr, enclosing, "", out);
  return out;
}

ResultLabels result_labels(const Node& expr) {
  if (expr.type == ValueType::Scalar || expr.type == ValueType::String) return closed();
  if (expr.as<VectorSelector>()) return ResultLabels{true, {}};
  if (auto* m = expr.as<MatrixSelector>()) return result_labels(*m->selector);
  if (auto* sq = expr.as<Subquery>()) return result_labels(*sq->expr);
  if (auto* p = expr.as<Paren>()) return result_labels(*p->expr);
  if (auto* u = expr.as<Unary>()) return without(result_labels(*u->expr), kName);
  if (auto* c = expr.as<Call>()) return call_labels(*c);
  if (auto* a = expr.as<Aggregate>()) return aggregate_labels(*a);
  if (auto* b = expr.as<Binary>()) return binary_labels(*b);
  return closed();
}

}  // namespace greenlight::promql
