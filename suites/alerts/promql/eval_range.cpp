// Functions of a range vector: rate/increase/delta with Prometheus'
// extrapolation (extrapolatedRate), irate/idelta, deriv and predict_linear
// (compensated least squares), the *_over_time family, changes, resets,
// holt_winters and absent_over_time. A range selector argument is read in
// place from the store, one series at a time (binary search for the window,
// no copy unless it holds staleness markers); a subquery argument is
// evaluated into a matrix first.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "suites/alerts/promql/eval_internal.h"
#include "suites/alerts/promql/functions.h"

namespace greenlight::promql::eval_detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct RangeArgs {
  std::int64_t t = 0;         // evaluation time
  std::int64_t ref = 0;       // end of the window (t, or @, minus offset)
  std::int64_t range_ms = 0;  // the range as written
  std::vector<double> scalars;  // the other arguments, in order
};

using RangeFn = std::optional<double> (*)(const Window&, const RangeArgs&);

// Go's time.Duration.Seconds() for a millisecond duration.
double duration_seconds(std::int64_t ms) {
  std::int64_t ns = ms * 1000000;
  std::int64_t sec = ns / 1000000000, rem = ns % 1000000000;
  return static_cast<double>(sec) + static_cast<double>(rem) / 1e9;
}

// Prometheus' extrapolatedRate: the increase between the first and last
// samples (counter resets added back), extrapolated towards the window
// edges unless a sample gap suggests the series starts or ends inside the
// window, and never below the counter's zero point.
std::optional<double> extrapolated_rate(const Window& w, const RangeArgs& a, bool is_counter, bool is_rate) {
  if (w.size < 2) return std::nullopt;
  const Sample& first = w[0];
  const Sample& last = w.back();
  double result = last.v - first.v;
  if (is_counter) {
    double prev = first.v;
    for (std::size_t k = 1; k < w.size; ++k) {
      if (w[k].v < prev) result += prev;
      prev = w[k].v;
    }
  }
  std::int64_t range_start = a.ref - a.range_ms;
  std::int64_t range_end = a.ref;
  double duration_to_start = static_cast<double>(first.t_ms - range_start) / 1000;
  double duration_to_end = static_cast<double>(range_end - last.t_ms) / 1000;
  double sampled_interval = static_cast<double>(last.t_ms - first.t_ms) / 1000;
  double average_between = sampled_interval / static_cast<double>(w.size - 1);
  if (is_counter && result > 0 && first.v >= 0) {
    double duration_to_zero = sampled_interval * (first.v / result);
    if (duration_to_zero < duration_to_start) duration_to_start = duration_to_zero;
  }
  double threshold = average_between * 1.1;
  double extrapolate_to = sampled_interval;
  extrapolate_to += duration_to_start < threshold ? duration_to_start : average_between / 2;
  extrapolate_to += duration_to_end < threshold ? duration_to_end : average_between / 2;
  double factor = extrapolate_to / sampled_interval;
  if (is_rate) factor /= duration_seconds(a.range_ms);
  return result * factor;
}

std::optional<double> fn_rate(const Window& w, const RangeArgs& a) { return extrapolated_rate(w, a, true, true); }
std::optional<double> fn_increase(const Window& w, const RangeArgs& a) { return extrapolated_rate(w, a, true, false); }
std::optional<double> fn_delta(const Window& w, const RangeArgs& a) { return extrapolated_rate(w, a, false, false); }

std::optional<double> instant_value(const Window& w, bool is_rate) {
  if (w.size < 2) return std::nullopt;
  const Sample& last = w.back();
  const Sample& prev = w[w.size - 2];
  double result = is_rate && last.v < prev.v ? last.v : last.v - prev.v;
  std::int64_t interval = last.t_ms - prev.t_ms;
  if (interval == 0) return std::nullopt;
  if (is_rate) result /= static_cast<double>(interval) / 1000;
  return result;
}

std::optional<double> fn_irate(const Window& w, const RangeArgs&) { return instant_value(w, true); }
std::optional<double> fn_idelta(const Window& w, const RangeArgs&) { return instant_value(w, false); }

// Least squares with compensated sums, x in seconds relative to intercept_time.
std::pair<double, double> linear_regression(const Window& w, std::int64_t intercept_time) {
  double n = 0, sum_x = 0, c_x = 0, sum_y = 0, c_y = 0, sum_xy = 0, c_xy = 0, sum_x2 = 0, c_x2 = 0;
  double init_y = w[0].v;
  bool const_y = true;
  for (std::size_t i = 0; i < w.size; ++i) {
    const Sample& s = w[i];
    if (const_y && i > 0 && s.v != init_y) const_y = false;
    n += 1.0;
    double x = static_cast<double>(s.t_ms - intercept_time) / 1e3;
    kahan_inc(x, sum_x, c_x);
    kahan_inc(s.v, sum_y, c_y);
    kahan_inc(x * s.v, sum_xy, c_xy);
    kahan_inc(x * x, sum_x2, c_x2);
  }
  if (const_y) {
    if (std::isinf(init_y)) return {kNaN, kNaN};
    return {0, init_y};
  }
  sum_x += c_x;
  sum_y += c_y;
  sum_xy += c_xy;
  sum_x2 += c_x2;
  double cov_xy = sum_xy - sum_x * sum_y / n;
  double var_x = sum_x2 - sum_x * sum_x / n;
  double slope = cov_xy / var_x;
  double intercept = sum_y / n - slope * sum_x / n;
  return {slope, intercept};
}

std::optional<double> fn_deriv(const Window& w, const RangeArgs&) {
  if (w.size < 2) return std::nullopt;
  // Relative to the first sample, to keep x small (Prometheus issue 2674).
  return linear_regression(w, w[0].t_ms).first;
}

std::optional<double> fn_predict_linear(const Window& w, const RangeArgs& a) {
  if (w.size < 2) return std::nullopt;
  auto [slope, intercept] = linear_regression(w, a.t);
  return slope * a.scalars.at(0) + intercept;
}

std::optional<double> fn_avg_over_time(const Window& w, const RangeArgs&) {
  double mean = 0, count = 0, c = 0;
  for (std::size_t i = 0; i < w.size; ++i) {
    double v = w[i].v;
    count++;
    if (std::isinf(mean)) {
      // Inf + x - Inf would turn an infinite mean into NaN.
      if (std::isinf(v) && (mean > 0) == (v > 0)) continue;
      if (!std::isinf(v) && !std::isnan(v)) continue;
    }
    kahan_inc(v / count - mean / count, mean, c);
  }
  if (std::isinf(mean)) return mean;
  return mean + c;
}

std::optional<double> fn_sum_over_time(const Window& w, const RangeArgs&) {
  double sum = 0, c = 0;
  for (std::size_t i = 0; i < w.size; ++i) kahan_inc(w[i].v, sum, c);
  if (std::isinf(sum)) return sum;
  return sum + c;
}

std::optional<double> fn_count_over_time(const Window& w, const RangeArgs&) { return static_cast<double>(w.size); }

std::optional<double> fn_max_over_time(const Window& w, const RangeArgs&) {
  double m = w[0].v;
  for (std::size_t i = 0; i < w.size; ++i)
    if (w[i].v > m || std::isnan(m)) m = w[i].v;
  return m;
}

std::optional<double> fn_min_over_time(const Window& w, const RangeArgs&) {
  double m = w[0].v;
  for (std::size_t i = 0; i < w.size; ++i)
    if (w[i].v < m || std::isnan(m)) m = w[i].v;
  return m;
}

std::optional<double> fn_last_over_time(const Window& w, const RangeArgs&) { return w.back().v; }
std::optional<double> fn_present_over_time(const Window&, const RangeArgs&) { return 1.0; }

std::optional<double> fn_quantile_over_time(const Window& w, const RangeArgs& a) {
  std::vector<double> values;
  values.reserve(w.size);
  for (std::size_t i = 0; i < w.size; ++i) values.push_back(w[i].v);
  return quantile_of(a.scalars.at(0), std::move(values));
}

double variance_over_time(const Window& w) {
  double count = 0, mean = 0, c_mean = 0, aux = 0, c_aux = 0;
  for (std::size_t i = 0; i < w.size; ++i) {
    double v = w[i].v;
    count++;
    double delta = v - (mean + c_mean);
    kahan_inc(delta / count, mean, c_mean);
    kahan_inc(delta * (v - (mean + c_mean)), aux, c_aux);
  }
  return (aux + c_aux) / count;
}

std::optional<double> fn_stdvar_over_time(const Window& w, const RangeArgs&) { return variance_over_time(w); }
std::optional<double> fn_stddev_over_time(const Window& w, const RangeArgs&) {
  return std::sqrt(variance_over_time(w));
}

std::optional<double> fn_changes(const Window& w, const RangeArgs&) {
  int changes = 0;
  double prev = w[0].v;
  for (std::size_t i = 1; i < w.size; ++i) {
    double cur = w[i].v;
    if (cur != prev && !(std::isnan(cur) && std::isnan(prev))) ++changes;
    prev = cur;
  }
  return static_cast<double>(changes);
}

std::optional<double> fn_resets(const Window& w, const RangeArgs&) {
  int resets = 0;
  double prev = w[0].v;
  for (std::size_t i = 1; i < w.size; ++i) {
    if (w[i].v < prev) ++resets;
    prev = w[i].v;
  }
  return static_cast<double>(resets);
}

// Go's %f.
std::string go_f(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%f", v);
  return buf;
}

std::optional<double> fn_holt_winters(const Window& w, const RangeArgs& a) {
  double sf = a.scalars.at(0), tf = a.scalars.at(1);
  if (sf <= 0 || sf >= 1) eval_error("invalid smoothing factor. Expected: 0 < sf < 1, got: " + go_f(sf));
  if (tf <= 0 || tf >= 1) eval_error("invalid trend factor. Expected: 0 < tf < 1, got: " + go_f(tf));
  if (w.size < 2) return std::nullopt;
  double s0 = 0, s1 = w[0].v, b = w[1].v - w[0].v;
  for (std::size_t i = 1; i < w.size; ++i) {
    double x = sf * w[i].v;
    // calcTrendValue(i-1, tf, s0, s1, b)
    if (i - 1 != 0) b = tf * (s1 - s0) + (1 - tf) * b;
    double y = (1 - sf) * (s1 + b);
    s0 = s1;
    s1 = x + y;
  }
  return s1;
}

std::optional<double> fn_present(const Window&, const RangeArgs&) { return 1.0; }

const std::unordered_map<std::string_view, RangeFn>& range_functions() {
  static const std::unordered_map<std::string_view, RangeFn> table = {
      {"rate", fn_rate},
      {"increase", fn_increase},
      {"delta", fn_delta},
      {"irate", fn_irate},
      {"idelta", fn_idelta},
      {"deriv", fn_deriv},
      {"predict_linear", fn_predict_linear},
      {"avg_over_time", fn_avg_over_time},
      {"sum_over_time", fn_sum_over_time},
      {"count_over_time", fn_count_over_time},
      {"max_over_time", fn_max_over_time},
      {"min_over_time", fn_min_over_time},
      {"last_over_time", fn_last_over_time},
      {"present_over_time", fn_present_over_time},
      {"quantile_over_time", fn_quantile_over_time},
      {"stddev_over_time", fn_stddev_over_time},
      {"stdvar_over_time", fn_stdvar_over_time},
      {"changes", fn_changes},
      {"resets", fn_resets},
      {"holt_winters", fn_holt_winters},
      {"absent_over_time", fn_present},
  };
  return table;
}

// Prometheus' createLabelsForAbsentFunction: the labels a selector fixes
// with `=`, except one that is also constrained another way.
Labels absent_labels(const Node& arg) {
  const Node& n = unwrap_parens(arg);
  const VectorSelector* vs = n.as<VectorSelector>();
  if (const auto* ms = n.as<MatrixSelector>()) vs = ms->selector->as<VectorSelector>();
  Labels out;
  if (!vs) return out;
  std::vector<std::string> conflicting;
  for (const auto& m : vs->matchers) {
    if (m.name == kMetricName) continue;
    if (m.op == MatchOp::Equal && !has_label(out, m.name)) out.push_back({m.name, m.value});
    else conflicting.push_back(m.name);
  }
  out.erase(std::remove_if(out.begin(), out.end(),
                           [&](const auto& p) {
                             return std::find(conflicting.begin(), conflicting.end(), p.first) != conflicting.end();
                           }),
            out.end());
  return normalize_labels(std::move(out));
}

}  // namespace

Labels labels_for_absent(const Node& arg) { return absent_labels(arg); }

Val eval_range_call(const Node& node, const Call& call, std::int64_t t, Context& ctx) {
  std::string_view name = call.func->name;
  auto it = range_functions().find(name);
  if (it == range_functions().end())
    eval_error("function " + std::string(name) + "() is not supported by greenlight's evaluator" +
               (call.func->newer_than_reference ? " (Prometheus 2.42 does not know it either)" : ""));
  RangeFn fn = it->second;

  RangeArgs args;
  args.t = t;
  const Node* matrix_arg = nullptr;
  for (const auto& a : call.args) {
    if (a->type == ValueType::Matrix) {
      matrix_arg = &unwrap_parens(*a);
      continue;
    }
    Val v = eval_node(*a, t, ctx);
    args.scalars.push_back(v.scalar);
  }
  bool keep_name = name == "last_over_time";
  bool absent = name == "absent_over_time";

  Val out;
  out.type = ValueType::Vector;
  // Dropping the name can only make series equal when they had different names.
  bool may_collide = !keep_name;
  auto emit = [&](const LabelsPtr& labels, const LabelsPtr& without_name, const Window& w) {
    if (w.empty()) return;
    ctx.count_samples(w.size + out.vec.size());
    if (absent) {
      out.vec.push_back({labels, 1, t});
      return;
    }
    std::optional<double> v = fn(w, args);
    if (v) out.vec.push_back({keep_name ? labels : without_name, *v, t});
  };

  if (const auto* ms = matrix_arg->as<MatrixSelector>()) {
    const auto& vs = *ms->selector->as<VectorSelector>();
    args.ref = reference_time(vs.at, vs.offset_ms, t, ctx);
    args.range_ms = ms->range_ms;
    if (!vs.metric_name().empty()) may_collide = false;
    const auto& entries = ctx.store.index().entries;
    for (std::size_t i : ctx.store.select_indices(vs)) {
      Window w = range_window(i, args.ref, args.range_ms, ctx);
      emit(entries[i].labels, entries[i].without_name, w);
      if (absent && !out.vec.empty()) break;
    }
  } else if (const auto* sq = matrix_arg->as<Subquery>()) {
    Val m = eval_subquery_matrix(*sq, t, ctx);
    args.ref = reference_time(sq->at, sq->offset_ms, t, ctx);
    args.range_ms = sq->range_ms;
    for (const auto& s : m.mat) {
      Window w{s.samples.data(), s.samples.size()};
      emit(s.labels, drop_metric_name(s.labels), w);
      if (absent && !out.vec.empty()) break;
    }
  } else {
    eval_error("expected a range vector argument to " + std::string(name) + "()");
  }

  if (absent) {
    Val r;
    r.type = ValueType::Vector;
    if (out.vec.empty()) r.vec.push_back({std::make_shared<const Labels>(absent_labels(*call.args[0])), 1, t});
    return r;
  }
  (void)node;
  if (may_collide) check_duplicates(out.vec);
  return out;
}

double quantile_of(double q, std::vector<double> values) {
  if (values.empty()) return kNaN;
  if (q < 0) return -std::numeric_limits<double>::infinity();
  if (q > 1) return std::numeric_limits<double>::infinity();
  if (std::isnan(q)) return kNaN;
  // NaN sorts first, as Prometheus' vectorByValueHeap orders it.
  std::sort(values.begin(), values.end(),
            [](double a, double b) { return (std::isnan(a) && !std::isnan(b)) || a < b; });
  double n = static_cast<double>(values.size());
  double rank = q * (n - 1);
  double lower = std::max(0.0, std::floor(rank));
  double upper = std::min(n - 1, lower + 1);
  double weight = rank - std::floor(rank);
  return values[static_cast<std::size_t>(lower)] * (1 - weight) + values[static_cast<std::size_t>(upper)] * weight;
}

}  // namespace greenlight::promql::eval_detail
