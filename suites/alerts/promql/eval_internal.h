// What the evaluator's parts (eval.cpp, eval_store.cpp, eval_functions.cpp,
// eval_range.cpp, eval_aggregate.cpp, eval_binary.cpp) share: label sets held
// by shared pointer so that selecting 1,000 series copies no strings, the
// intermediate values, the per-query context and the label helpers that
// mirror Prometheus' labels package.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "suites/alerts/promql/eval.h"

namespace greenlight::promql {

using LabelsPtr = std::shared_ptr<const Labels>;

struct SeriesStore::Index {
  struct Entry {
    LabelsPtr labels;
    LabelsPtr without_name;  // labels minus __name__ (the same pointer when there is none)
    bool has_stale = false;  // whether any sample is a staleness marker
  };
  std::vector<Entry> entries;                                      // parallel to series()
  std::unordered_map<std::string, std::size_t> by_key;             // label-set key -> index
  std::unordered_map<std::string, std::vector<std::size_t>> by_name;  // metric name -> indices
  std::vector<std::size_t> nameless;                               // series without __name__

  mutable std::mutex cache_mu;
  mutable std::unordered_map<std::string, std::vector<std::size_t>> select_cache;
};

namespace eval_detail {

const std::string kMetricName = "__name__";

// ---- labels ----

// The value of `name`, "" when absent (Prometheus' Labels.Get).
std::string_view get_label(const Labels& l, std::string_view name);
bool has_label(const Labels& l, std::string_view name);
LabelsPtr drop_metric_name(const LabelsPtr& l);
// Prometheus' Labels.String(): {__name__="x", a="1"}.
std::string labels_string(const Labels& l);
std::string go_quote(std::string_view s);
std::uint64_t labels_hash(const Labels& l);
// Sorts by name; later duplicates of a name win, empty values are removed.
Labels normalize_labels(Labels l);
// Whether `name` is a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*).
bool valid_label_name(std::string_view name);

// ---- values ----

struct Elem {
  LabelsPtr labels;
  double v = 0;
  std::int64_t t = 0;  // the sample's own timestamp (for timestamp() of a selector)
};
using Vec = std::vector<Elem>;

struct RangeSeries {
  LabelsPtr labels;
  std::vector<Sample> samples;
};
using Mat = std::vector<RangeSeries>;

struct Val {
  ValueType type = ValueType::None;
  double scalar = 0;
  std::string str;
  Vec vec;
  Mat mat;
};

struct Context {
  const SeriesStore& store;
  const EvalOptions& opt;
  std::int64_t query_time = 0;  // what @ start() and @ end() mean in an instant query
  std::size_t samples = 0;      // samples held, checked against opt.max_samples
  std::vector<Sample> scratch;  // a reused buffer for windows that contain staleness markers

  void count_samples(std::size_t n);
};

[[noreturn]] void eval_error(const std::string& message);

// "vector cannot contain metrics with the same labelset" when two elements share labels.
void check_duplicates(const Vec& v);
// Whether dropping the metric name from the elements of `v` (which has no
// duplicates) can make two of them equal: only when they carry different
// names. Checking this first spares hashing every label set.
bool names_may_collide(const Vec& v);

// ---- evaluation entry points shared between the parts ----

Val eval_node(const Node& node, std::int64_t t, Context& ctx);
const Node& unwrap_parens(const Node& n);

// The reference time of a selector or subquery evaluated at t: its @ time or
// t, minus its offset.
std::int64_t reference_time(const At& at, std::int64_t offset_ms, std::int64_t t, const Context& ctx);

// Samples of store series `i` in the range window ending at `ref`
// ([ref-range, ref] in 2.x, (ref-range, ref] in v3), staleness markers removed.
struct Window {
  const Sample* data = nullptr;
  std::size_t size = 0;
  bool empty() const { return size == 0; }
  const Sample& operator[](std::size_t k) const { return data[k]; }
  const Sample& back() const { return data[size - 1]; }
};
Window range_window(std::size_t series_index, std::int64_t ref, std::int64_t range_ms, Context& ctx);

// A subquery's matrix at t: one series per label set the inner expression returned.
Val eval_subquery_matrix(const Subquery& sq, std::int64_t t, Context& ctx);

// The parts: each evaluates one kind of node at time t.
Val eval_call(const Node& node, const Call& call, std::int64_t t, Context& ctx);
Val eval_range_call(const Node& node, const Call& call, std::int64_t t, Context& ctx);
Val eval_aggregate(const Aggregate& agg, std::int64_t t, Context& ctx);
Val eval_binary(const Binary& bin, std::int64_t t, Context& ctx);

// Prometheus' createLabelsForAbsentFunction for absent() and absent_over_time().
Labels labels_for_absent(const Node& arg);

// The rank-based quantile of Prometheus' aggregation and quantile_over_time.
double quantile_of(double q, std::vector<double> values);
// Neumaier-compensated summation, as Prometheus' kahanSumInc.
inline void kahan_inc(double inc, double& sum, double& c) {
  double t = sum + inc;
  if ((sum < 0 ? -sum : sum) >= (inc < 0 ? -inc : inc)) c += (sum - t) + inc;
  else c += (inc - t) + sum;
  sum = t;
}

}  // namespace eval_detail
}  // namespace greenlight::promql
