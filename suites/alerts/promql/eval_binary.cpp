// Binary operators: arithmetic and comparisons (filtering, or 0/1 with
// bool) between scalars and vectors, vector matching with on/ignoring and
// group_left/group_right (with include labels), the set operators
// and/or/unless, and Prometheus' errors for ambiguous matches, worded as
// Prometheus 2.42 words them.
#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "suites/alerts/promql/eval_internal.h"
#include "suites/alerts/promql/eval_math.h"

namespace greenlight::promql::eval_detail {

namespace {

// Arithmetic drops the metric name; comparisons and atan2 keep it (2.x).
bool drops_metric_name(BinOp op) {
  switch (op) {
    case BinOp::Add:
    case BinOp::Sub:
    case BinOp::Mul:
    case BinOp::Div:
    case BinOp::Pow:
    case BinOp::Mod: return true;
    default: return false;
  }
}

// vectorElemBinop: the value, and whether a comparison keeps the element.
std::pair<double, bool> elem_binop(BinOp op, double l, double r) {
  switch (op) {
    case BinOp::Add: return {l + r, true};
    case BinOp::Sub: return {l - r, true};
    case BinOp::Mul: return {l * r, true};
    case BinOp::Div: return {l / r, true};
    case BinOp::Pow: return {go_pow(l, r), true};
    case BinOp::Mod: return {std::fmod(l, r), true};
    case BinOp::Atan2: return {go_atan2(l, r), true};
    case BinOp::Eql: return {l, l == r};
    case BinOp::Neq: return {l, l != r};
    case BinOp::Gtr: return {l, l > r};
    case BinOp::Lss: return {l, l < r};
    case BinOp::Gte: return {l, l >= r};
    case BinOp::Lte: return {l, l <= r};
    default: break;
  }
  eval_error("operator " + std::string(bin_op_text(op)) + " not allowed here");
}

double scalar_binop(BinOp op, double l, double r) {
  auto [v, keep] = elem_binop(op, l, r);
  return is_comparison(op) ? (keep ? 1.0 : 0.0) : v;
}

Val vector_scalar(BinOp op, Vec vec, double scalar, bool swap, bool return_bool) {
  Val out;
  out.type = ValueType::Vector;
  out.vec.reserve(vec.size());
  bool drop = drops_metric_name(op) || return_bool;
  bool collide = drop && names_may_collide(vec);
  for (auto& e : vec) {
    double l = e.v, r = scalar;
    if (swap) std::swap(l, r);
    auto [value, keep] = elem_binop(op, l, r);
    // A scalar on the left of a comparison filters, but the vector's value stays.
    if (is_comparison(op) && swap) value = r;
    if (return_bool) {
      value = keep ? 1.0 : 0.0;
      keep = true;
    }
    if (!keep) continue;
    e.v = value;
    if (drop) e.labels = drop_metric_name(e.labels);
    out.vec.push_back(std::move(e));
  }
  if (collide) check_duplicates(out.vec);
  return out;
}

// The matching signature: the on() labels, or every label but the
// ignoring() ones and the metric name.
struct Signer {
  const VectorMatching& m;
  std::vector<std::string> names;
  explicit Signer(const VectorMatching& vm) : m(vm), names(vm.labels) { std::sort(names.begin(), names.end()); }

  std::string operator()(const Labels& l) const {
    std::string key;
    for (const auto& [n, v] : l) {
      bool listed = std::binary_search(names.begin(), names.end(), n);
      bool use = m.on ? listed : (!listed && n != kMetricName);
      if (!use) continue;
      key += n;
      key += '\xff';
      key += v;
      key += '\xfe';
    }
    return key;
  }

  // The matched labels for an error message (Labels.MatchLabels).
  Labels matched(const Labels& l) const {
    Labels out;
    for (const auto& p : l) {
      bool listed = std::binary_search(names.begin(), names.end(), p.first);
      bool use = m.on ? listed : (!listed && p.first != kMetricName);
      if (use) out.push_back(p);
    }
    return out;
  }
};

void set_label(Labels& l, const std::string& name, std::string_view value) {
  auto it = std::lower_bound(l.begin(), l.end(), name, [](const auto& p, const std::string& n) { return p.first < n; });
  if (it != l.end() && it->first == name) {
    if (value.empty()) l.erase(it);
    else it->second = std::string(value);
  } else if (!value.empty()) {
    l.insert(it, {name, std::string(value)});
  }
}

// Prometheus' resultMetric.
LabelsPtr result_metric(const LabelsPtr& lhs, const Labels& rhs, BinOp op, const VectorMatching& m) {
  bool drop = drops_metric_name(op);
  bool one_to_one = m.card == Cardinality::OneToOne;
  if (!drop && !(one_to_one && (m.on || !m.labels.empty())) && m.include.empty()) return lhs;
  Labels l;
  l.reserve(lhs->size());
  for (const auto& p : *lhs) {
    if (drop && p.first == kMetricName) continue;
    if (one_to_one) {
      bool listed = std::find(m.labels.begin(), m.labels.end(), p.first) != m.labels.end();
      if (m.on ? !listed : listed) continue;
    }
    l.push_back(p);
  }
  for (const auto& name : m.include) set_label(l, name, get_label(rhs, name));
  return std::make_shared<const Labels>(std::move(l));
}

Val vector_binop(BinOp op, Vec lhs, Vec rhs, const VectorMatching& m, bool return_bool) {
  Val out;
  out.type = ValueType::Vector;
  if (lhs.empty() || rhs.empty()) return out;
  Signer sig(m);
  bool one_to_many = m.card == Cardinality::OneToMany;
  if (one_to_many) std::swap(lhs, rhs);

  std::unordered_map<std::string, const Elem*> right;
  right.reserve(rhs.size());
  for (const auto& r : rhs) {
    auto [it, inserted] = right.emplace(sig(*r.labels), &r);
    if (!inserted)
      eval_error("found duplicate series for the match group " + labels_string(sig.matched(*r.labels)) + " on the " +
                 (one_to_many ? "left" : "right") + " hand-side of the operation: [" + labels_string(*r.labels) +
                 ", " + labels_string(*it->second->labels) +
                 "];many-to-many matching not allowed: matching labels must be unique on one side");
  }

  // One-to-one: each signature may match once. Many-to-one: the result
  // label sets within a signature must differ.
  std::unordered_map<std::string, std::unordered_set<std::uint64_t>> matched;
  for (auto& l : lhs) {
    std::string s = sig(*l.labels);
    auto rit = right.find(s);
    if (rit == right.end()) continue;
    const Elem& r = *rit->second;
    double vl = l.v, vr = r.v;
    if (one_to_many) std::swap(vl, vr);
    auto [value, keep] = elem_binop(op, vl, vr);
    if (return_bool) {
      value = keep ? 1.0 : 0.0;
    } else if (!keep) {
      continue;
    }
    LabelsPtr metric = result_metric(l.labels, *r.labels, op, m);
    if (return_bool) metric = drop_metric_name(metric);
    auto [mit, first_match] = matched.try_emplace(s);
    if (m.card == Cardinality::OneToOne) {
      if (!first_match)
        eval_error("multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
    } else {
      if (!mit->second.insert(labels_hash(*metric)).second)
        eval_error("multiple matches for labels: grouping labels must ensure unique matches");
    }
    out.vec.push_back({metric, value, l.t});
  }
  return out;
}

Val vector_and(Vec lhs, const Vec& rhs, const VectorMatching& m) {
  Val out;
  out.type = ValueType::Vector;
  if (lhs.empty() || rhs.empty()) return out;
  Signer sig(m);
  std::unordered_set<std::string> right;
  for (const auto& r : rhs) right.insert(sig(*r.labels));
  for (auto& l : lhs)
    if (right.count(sig(*l.labels))) out.vec.push_back(std::move(l));
  return out;
}

Val vector_or(Vec lhs, Vec rhs, const VectorMatching& m) {
  Val out;
  out.type = ValueType::Vector;
  if (lhs.empty()) {
    out.vec = std::move(rhs);
    return out;
  }
  if (rhs.empty()) {
    out.vec = std::move(lhs);
    return out;
  }
  Signer sig(m);
  std::unordered_set<std::string> left;
  for (auto& l : lhs) {
    left.insert(sig(*l.labels));
    out.vec.push_back(std::move(l));
  }
  for (auto& r : rhs)
    if (!left.count(sig(*r.labels))) out.vec.push_back(std::move(r));
  return out;
}

Val vector_unless(Vec lhs, const Vec& rhs, const VectorMatching& m) {
  Val out;
  out.type = ValueType::Vector;
  if (lhs.empty() || rhs.empty()) {
    out.vec = std::move(lhs);
    return out;
  }
  Signer sig(m);
  std::unordered_set<std::string> right;
  for (const auto& r : rhs) right.insert(sig(*r.labels));
  for (auto& l : lhs)
    if (!right.count(sig(*l.labels))) out.vec.push_back(std::move(l));
  return out;
}

}  // namespace

Val eval_binary(const Binary& bin, std::int64_t t, Context& ctx) {
  Val l = eval_node(*bin.lhs, t, ctx);
  Val r = eval_node(*bin.rhs, t, ctx);
  if (l.type == ValueType::Scalar && r.type == ValueType::Scalar) {
    Val out;
    out.type = ValueType::Scalar;
    out.scalar = scalar_binop(bin.op, l.scalar, r.scalar);
    return out;
  }
  Val out;
  if (l.type == ValueType::Vector && r.type == ValueType::Scalar) {
    out = vector_scalar(bin.op, std::move(l.vec), r.scalar, false, bin.return_bool);
  } else if (l.type == ValueType::Scalar && r.type == ValueType::Vector) {
    out = vector_scalar(bin.op, std::move(r.vec), l.scalar, true, bin.return_bool);
  } else if (l.type == ValueType::Vector && r.type == ValueType::Vector) {
    VectorMatching m;
    if (bin.matching) m = *bin.matching;
    else if (is_set_operator(bin.op)) m.card = Cardinality::ManyToMany;
    switch (bin.op) {
      case BinOp::And: out = vector_and(std::move(l.vec), r.vec, m); break;
      case BinOp::Or: out = vector_or(std::move(l.vec), std::move(r.vec), m); break;
      case BinOp::Unless: out = vector_unless(std::move(l.vec), r.vec, m); break;
      default: out = vector_binop(bin.op, std::move(l.vec), std::move(r.vec), m, bin.return_bool); break;
    }
  } else {
    eval_error("binary expression on " + std::string(documented_type(l.type)) + " and " +
               std::string(documented_type(r.type)) + " is not allowed");
  }
  // Vector matching cannot produce two equal label sets (a match group is
  // unique per side, and group_x results are checked above); the set
  // operators keep elements of duplicate-free operands whose signatures
  // differ.
  return out;
}

}  // namespace greenlight::promql::eval_detail
