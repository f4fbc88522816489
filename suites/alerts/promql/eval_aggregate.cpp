// Aggregations: sum, avg, min, max, count, group, stddev, stdvar, topk,
// bottomk, count_values and quantile with by/without, following Prometheus
// 2.42's aggregation(): the same running formulas (so floats round the
// same), the same NaN preferences, and topk/bottomk on a heap that behaves as
// Go's container/heap so ties keep the same elements.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "suites/alerts/promql/eval_internal.h"
#include "suites/alerts/promql/printer.h"

namespace greenlight::promql::eval_detail {

namespace {

// Go's container/heap over a vector, with Prometheus' vectorByValueHeap
// (reverse=false) or vectorByReverseValueHeap (reverse=true) ordering.
struct GoHeap {
  std::vector<Elem> h;
  bool reverse = false;

  bool less(std::size_t i, std::size_t j) const {
    if (std::isnan(h[i].v)) return true;
    return reverse ? h[i].v > h[j].v : h[i].v < h[j].v;
  }
  void up(std::size_t j) {
    while (j > 0) {
      std::size_t i = (j - 1) / 2;
      if (!less(j, i)) break;
      std::swap(h[i], h[j]);
      j = i;
    }
  }
  void down(std::size_t i, std::size_t n) {
    for (;;) {
      std::size_t j1 = 2 * i + 1;
      if (j1 >= n) break;
      std::size_t j = j1;
      if (j1 + 1 < n && less(j1 + 1, j1)) j = j1 + 1;
      if (!less(j, i)) break;
      std::swap(h[i], h[j]);
      i = j;
    }
  }
  void push(Elem e) {
    h.push_back(std::move(e));
    up(h.size() - 1);
  }
  void pop() {
    std::size_t n = h.size() - 1;
    std::swap(h[0], h[n]);
    down(0, n);
    h.pop_back();
  }
};

struct Group {
  LabelsPtr labels;
  double value = 0;
  double mean = 0;
  double count = 0;
  GoHeap heap;
  std::vector<double> values;  // quantile
};

// FormatFloat(v, 'f', -1, 64).
std::string format_f(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
  return std::string(buf, r.ptr);
}

}  // namespace

Val eval_aggregate(const Aggregate& agg, std::int64_t t, Context& ctx) {
  if (agg.op == AggOp::Limitk || agg.op == AggOp::LimitRatio)
    eval_error(std::string(agg_op_name(agg.op)) +
               " is not supported by greenlight's evaluator (Prometheus 2.42 does not know it either)");

  std::vector<std::string> grouping = agg.grouping;
  std::sort(grouping.begin(), grouping.end());
  std::int64_t k = 0;
  double q = 0;
  std::string value_label;
  if (agg.param) {
    Val p = eval_node(*agg.param, t, ctx);
    if (agg.op == AggOp::CountValues) {
      value_label = p.str;
      if (!valid_label_name(value_label)) eval_error("invalid label name " + go_quote(value_label));
      if (!agg.without) {
        grouping.push_back(value_label);
        std::sort(grouping.begin(), grouping.end());
      }
    } else if (agg.op == AggOp::Topk || agg.op == AggOp::Bottomk) {
      double f = p.scalar;
      if (!(f <= 9223372036854774784.0 && f >= -9223372036854775808.0))
        eval_error("Scalar value " + format_number(f) + " overflows int64");
      k = static_cast<std::int64_t>(f);
    } else {
      q = p.scalar;
    }
  }
  Val in = eval_node(*agg.expr, t, ctx);
  Val out;
  out.type = ValueType::Vector;
  if ((agg.op == AggOp::Topk || agg.op == AggOp::Bottomk) && k < 1) return out;

  std::vector<Group> groups;
  std::unordered_map<std::string, std::size_t> index;
  std::string key;
  auto in_grouping = [&](const std::string& name) {
    return std::binary_search(grouping.begin(), grouping.end(), name);
  };

  for (auto& s : in.vec) {
    LabelsPtr metric = s.labels;
    if (agg.op == AggOp::CountValues) {
      Labels l = *metric;
      l.erase(std::remove_if(l.begin(), l.end(), [&](const auto& p) { return p.first == value_label; }), l.end());
      l.push_back({value_label, format_f(s.v)});
      metric = std::make_shared<const Labels>(normalize_labels(std::move(l)));
    }
    key.clear();
    for (const auto& [n, v] : *metric) {
      bool keep = agg.without ? (n != kMetricName && !in_grouping(n)) : in_grouping(n);
      if (!keep) continue;
      key += n;
      key += '\xff';
      key += v;
      key += '\xfe';
    }
    auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) {
      Group g;
      auto l = std::make_shared<Labels>();
      if (agg.without || !grouping.empty())
        for (const auto& p : *metric) {
          bool keep = agg.without ? (p.first != kMetricName && !in_grouping(p.first)) : in_grouping(p.first);
          if (keep) l->push_back(p);
        }
      g.labels = l;
      g.value = s.v;
      g.mean = s.v;
      g.count = 1;
      switch (agg.op) {
        case AggOp::Stddev:
        case AggOp::Stdvar: g.value = 0; break;
        case AggOp::Topk:
        case AggOp::Quantile:
        case AggOp::Bottomk:
          g.heap.reverse = agg.op == AggOp::Bottomk;
          g.heap.h.push_back({s.labels, s.v, s.t});
          g.values.push_back(s.v);
          break;
        case AggOp::Group: g.value = 1; break;
        default: break;
      }
      groups.push_back(std::move(g));
      continue;
    }
    Group& g = groups[it->second];
    switch (agg.op) {
      case AggOp::Sum: g.value += s.v; break;
      case AggOp::Avg:
        g.count++;
        if (std::isinf(g.mean)) {
          if (std::isinf(s.v) && (g.mean > 0) == (s.v > 0)) break;
          if (!std::isinf(s.v) && !std::isnan(s.v)) break;
        }
        // Each side divided by the count to avoid overflow.
        g.mean += s.v / g.count - g.mean / g.count;
        break;
      case AggOp::Group: break;
      case AggOp::Max:
        if (g.value < s.v || std::isnan(g.value)) g.value = s.v;
        break;
      case AggOp::Min:
        if (g.value > s.v || std::isnan(g.value)) g.value = s.v;
        break;
      case AggOp::Count:
      case AggOp::CountValues: g.count++; break;
      case AggOp::Stddev:
      case AggOp::Stdvar: {
        g.count++;
        double delta = s.v - g.mean;
        g.mean += delta / g.count;
        g.value += delta * (s.v - g.mean);
        break;
      }
      case AggOp::Topk:
        if (static_cast<std::int64_t>(g.heap.h.size()) < k || g.heap.h[0].v < s.v || std::isnan(g.heap.h[0].v)) {
          if (static_cast<std::int64_t>(g.heap.h.size()) == k) {
            if (k == 1) {
              g.heap.h[0] = {s.labels, s.v, s.t};
              break;
            }
            g.heap.pop();
          }
          g.heap.push({s.labels, s.v, s.t});
        }
        break;
      case AggOp::Bottomk:
        if (static_cast<std::int64_t>(g.heap.h.size()) < k || g.heap.h[0].v > s.v || std::isnan(g.heap.h[0].v)) {
          if (static_cast<std::int64_t>(g.heap.h.size()) == k) {
            if (k == 1) {
              g.heap.h[0] = {s.labels, s.v, s.t};
              break;
            }
            g.heap.pop();
          }
          g.heap.push({s.labels, s.v, s.t});
        }
        break;
      case AggOp::Quantile: g.values.push_back(s.v); break;
      default: break;
    }
  }

  for (auto& g : groups) {
    switch (agg.op) {
      case AggOp::Avg: g.value = g.mean; break;
      case AggOp::Count:
      case AggOp::CountValues: g.value = g.count; break;
      case AggOp::Stdvar: g.value = g.value / g.count; break;
      case AggOp::Stddev: g.value = std::sqrt(g.value / g.count); break;
      case AggOp::Topk:
      case AggOp::Bottomk: {
        std::vector<Elem> elems = std::move(g.heap.h);
        bool bottom = agg.op == AggOp::Bottomk;
        std::stable_sort(elems.begin(), elems.end(), [bottom](const Elem& a, const Elem& b) {
          if (std::isnan(a.v) || std::isnan(b.v)) return !std::isnan(a.v) && std::isnan(b.v);
          return bottom ? a.v < b.v : a.v > b.v;
        });
        for (auto& e : elems) out.vec.push_back({e.labels, e.v, t});
        continue;
      }
      case AggOp::Quantile: g.value = quantile_of(q, std::move(g.values)); break;
      default: break;
    }
    out.vec.push_back({g.labels, g.value, t});
  }
  return out;
}

}  // namespace greenlight::promql::eval_detail
