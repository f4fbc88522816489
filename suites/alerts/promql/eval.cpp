// The evaluator's core: evaluate() and the walk over the syntax tree at one
// instant, instant and range selectors (lookback, staleness, offset, @),
// subqueries (aligned steps, each step an instant evaluation of the inner
// expression) and unary minus. Functions, aggregations and binary operators
// live in their own files.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "suites/alerts/promql/eval_internal.h"
#include "suites/alerts/promql/functions.h"

namespace greenlight::promql {

namespace eval_detail {

namespace {

Val scalar_val(double v) {
  Val r;
  r.type = ValueType::Scalar;
  r.scalar = v;
  return r;
}

Val instant_selector(const VectorSelector& vs, std::int64_t t, Context& ctx) {
  Val out;
  out.type = ValueType::Vector;
  std::int64_t ref = reference_time(vs.at, vs.offset_ms, t, ctx);
  // 2.x keeps a sample exactly lookback old; Prometheus 3 does not.
  std::int64_t oldest = ctx.opt.semantics_v3 ? ref - ctx.opt.lookback_ms + 1 : ref - ctx.opt.lookback_ms;
  const auto& series = ctx.store.series();
  const auto& entries = ctx.store.index().entries;
  std::vector<std::size_t> indices = ctx.store.select_indices(vs);
  out.vec.reserve(indices.size());
  for (std::size_t i : indices) {
    const auto& s = series[i].samples;
    auto it = std::upper_bound(s.begin(), s.end(), ref, [](std::int64_t r, const Sample& x) { return r < x.t_ms; });
    if (it == s.begin()) continue;
    const Sample& last = *(it - 1);
    if (last.t_ms < oldest || is_stale_nan(last.v)) continue;
    out.vec.push_back({entries[i].labels, last.v, last.t_ms});
  }
  ctx.count_samples(out.vec.size());
  return out;
}

Val matrix_selector(const MatrixSelector& ms, std::int64_t t, Context& ctx) {
  const auto& vs = *ms.selector->as<VectorSelector>();
  Val out;
  out.type = ValueType::Matrix;
  std::int64_t ref = reference_time(vs.at, vs.offset_ms, t, ctx);
  const auto& entries = ctx.store.index().entries;
  std::size_t total = 0;
  for (std::size_t i : ctx.store.select_indices(vs)) {
    Window w = range_window(i, ref, ms.range_ms, ctx);
    if (w.empty()) continue;
    total += w.size;
    ctx.count_samples(total);
    out.mat.push_back({entries[i].labels, std::vector<Sample>(w.data, w.data + w.size)});
  }
  return out;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Each step an instant evaluation of the inner expression; steps are the
// multiples of the step inside the range, as Prometheus aligns them.
Val subquery(const Subquery& sq, std::int64_t t, Context& ctx) {
  Val out;
  out.type = ValueType::Matrix;
  std::int64_t step = sq.step_ms > 0 ? sq.step_ms : ctx.opt.default_subquery_step_ms;
  if (step <= 0) eval_error("subquery step must be positive");
  std::int64_t end = reference_time(sq.at, sq.offset_ms, t, ctx);
  std::int64_t start = end - sq.range_ms;
  std::int64_t first = floor_div(start, step) * step;
  if (first < start || (ctx.opt.semantics_v3 && first == start)) first += step;
  std::unordered_map<std::string, std::size_t> index;
  std::size_t total = 0;
  for (std::int64_t ts = first; ts <= end; ts += step) {
    Val v = eval_node(*sq.expr, ts, ctx);
    if (v.type == ValueType::Scalar) {
      // Not reachable through the parser (subqueries need an instant vector); kept total.
      v.type = ValueType::Vector;
      v.vec.push_back({std::make_shared<const Labels>(), v.scalar, ts});
    }
    for (auto& e : v.vec) {
      std::string key;
      for (const auto& [n, val] : *e.labels) {
        key += n;
        key += '\xff';
        key += val;
        key += '\xfe';
      }
      auto [it, inserted] = index.emplace(std::move(key), out.mat.size());
      if (inserted) out.mat.push_back({e.labels, {}});
      out.mat[it->second].samples.push_back({ts, e.v});
      ctx.count_samples(++total);
    }
  }
  return out;
}

Val unary(const Unary& u, std::int64_t t, Context& ctx) {
  Val v = eval_node(*u.expr, t, ctx);
  if (u.op == UnaryOp::Plus) return v;
  if (v.type == ValueType::Scalar) {
    v.scalar = -v.scalar;
    return v;
  }
  bool collide = names_may_collide(v.vec);
  for (auto& e : v.vec) {
    e.labels = drop_metric_name(e.labels);
    e.v = -e.v;
  }
  if (collide) check_duplicates(v.vec);
  return v;
}

bool has_matrix_arg(const Call& call) {
  for (const auto& a : call.args)
    if (a->type == ValueType::Matrix) return true;
  return false;
}

}  // namespace

const Node& unwrap_parens(const Node& n) {
  const Node* p = &n;
  while (const auto* paren = p->as<Paren>()) p = paren->expr.get();
  return *p;
}

std::int64_t reference_time(const At& at, std::int64_t offset_ms, std::int64_t t, const Context& ctx) {
  std::int64_t base = t;
  switch (at.kind) {
    case At::Kind::Timestamp: base = at.timestamp_ms; break;
    case At::Kind::Start:
    case At::Kind::End: base = ctx.query_time; break;
    case At::Kind::None: break;
  }
  // An @ timestamp can be any int64 (x @ 1e18 is INT64_MIN ms, as in
  // promtool), and ref - offset, ref - range, ref - lookback would overflow
  // (UB). Held within +-2^62 ms (146 million years: no sample is there), the
  // durations (at most INT64_MAX ns, duration.cpp) can be taken from it.
  constexpr std::int64_t kLimit = std::int64_t{1} << 62;
  return std::clamp(base, -kLimit, kLimit) - offset_ms;
}

Window range_window(std::size_t i, std::int64_t ref, std::int64_t range_ms, Context& ctx) {
  const auto& s = ctx.store.series()[i].samples;
  std::int64_t lo_t = ref - range_ms;
  auto lo = ctx.opt.semantics_v3
                ? std::upper_bound(s.begin(), s.end(), lo_t, [](std::int64_t r, const Sample& x) { return r < x.t_ms; })
                : std::lower_bound(s.begin(), s.end(), lo_t, [](const Sample& x, std::int64_t r) { return x.t_ms < r; });
  auto hi = std::upper_bound(lo, s.end(), ref, [](std::int64_t r, const Sample& x) { return r < x.t_ms; });
  if (lo >= hi) return {};
  if (!ctx.store.index().entries[i].has_stale) return {&*lo, static_cast<std::size_t>(hi - lo)};
  ctx.scratch.clear();
  for (auto it = lo; it != hi; ++it)
    if (!is_stale_nan(it->v)) ctx.scratch.push_back(*it);
  return {ctx.scratch.data(), ctx.scratch.size()};
}

Val eval_node(const Node& node, std::int64_t t, Context& ctx) {
  if (const auto* n = node.as<NumberLiteral>()) return scalar_val(n->value);
  if (const auto* s = node.as<StringLiteral>()) {
    Val v;
    v.type = ValueType::String;
    v.str = s->value;
    return v;
  }
  if (const auto* p = node.as<Paren>()) return eval_node(*p->expr, t, ctx);
  if (const auto* u = node.as<Unary>()) return unary(*u, t, ctx);
  if (const auto* vs = node.as<VectorSelector>()) return instant_selector(*vs, t, ctx);
  if (const auto* ms = node.as<MatrixSelector>()) return matrix_selector(*ms, t, ctx);
  if (const auto* sq = node.as<Subquery>()) return subquery(*sq, t, ctx);
  if (const auto* c = node.as<Call>()) {
    if (!c->func) eval_error("call of an unknown function");
    return has_matrix_arg(*c) ? eval_range_call(node, *c, t, ctx) : eval_call(node, *c, t, ctx);
  }
  if (const auto* a = node.as<Aggregate>()) return eval_aggregate(*a, t, ctx);
  if (const auto* b = node.as<Binary>()) return eval_binary(*b, t, ctx);
  eval_error("cannot evaluate this kind of expression");
}

Val eval_subquery_matrix(const Subquery& sq, std::int64_t t, Context& ctx) { return subquery(sq, t, ctx); }

}  // namespace eval_detail

Value evaluate(const Node& expr, const SeriesStore& store, std::int64_t t_ms, const EvalOptions& options) {
  using namespace eval_detail;
  Context ctx{store, options, t_ms};
  Val v = eval_node(expr, t_ms, ctx);
  Value out;
  out.type = v.type;
  out.scalar = v.scalar;
  out.string = std::move(v.str);
  out.vector.reserve(v.vec.size());
  for (auto& e : v.vec) out.vector.push_back({*e.labels, e.v});
  out.matrix.reserve(v.mat.size());
  for (auto& s : v.mat) out.matrix.push_back({*s.labels, std::move(s.samples)});
  return out;
}

}  // namespace greenlight::promql
