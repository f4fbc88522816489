// A PromQL evaluator with Prometheus 2.x semantics (lookback delta,
// staleness, offset and @, subqueries, rate/increase extrapolation, vector
// matching, every aggregation and the functions real alert rules use), for
// `greenlight rules test` (the promtool test-file format). Values agree with
// promtool 2.42 to the bit (sums and averages up to input order, which is
// random in promtool itself). In 2.x a sample exactly lookback old is still
// seen and range windows are [t-range, t]; `semantics_v3` switches to
// Prometheus 3's left-open windows, (t-lookback, t] and (t-range, t].
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "suites/alerts/promql/ast.h"

namespace greenlight::promql {

// Sorted by name; includes __name__ when the series has one.
using Labels = std::vector<std::pair<std::string, std::string>>;
std::string format_labels(const Labels& l);  // {__name__="up", job="api"} written as up{job="api"}

// Prometheus' staleness marker: a NaN with this exact bit pattern.
double stale_nan();
bool is_stale_nan(double v);

struct Sample {
  std::int64_t t_ms = 0;
  double v = 0;
};

struct Series {
  Labels labels;
  std::vector<Sample> samples;  // ascending t_ms
};

// The series a test (or a generated corpus run) feeds the evaluator.
class SeriesStore {
 public:
  SeriesStore();
  ~SeriesStore();
  SeriesStore(const SeriesStore& other);
  SeriesStore& operator=(const SeriesStore& other);
  SeriesStore(SeriesStore&&) noexcept;
  SeriesStore& operator=(SeriesStore&&) noexcept;

  // Appends; samples of one series must come in ascending time order (a
  // sample at or before the series' last one throws std::invalid_argument).
  // `labels` need not be sorted; a label with an empty value is dropped, as
  // Prometheus does.
  void add(const Labels& labels, std::int64_t t_ms, double v);
  const std::vector<Series>& series() const { return series_; }
  // Series whose labels satisfy every matcher (a selector's matchers plus its name).
  std::vector<const Series*> select(const VectorSelector& sel) const;
  // The same as indices into series(); cached until a new series is added.
  // Throws EvalError for a matcher regex Go would reject.
  std::vector<std::size_t> select_indices(const VectorSelector& sel) const;

  struct Index;  // the evaluator's view: label sets by index, names, selection cache

  const Index& index() const { return *index_; }

 private:
  std::vector<Series> series_;
  std::unique_ptr<Index> index_;
};

struct EvalOptions {
  std::int64_t lookback_ms = 5 * 60 * 1000;  // Prometheus' default lookback delta
  std::int64_t default_subquery_step_ms = 60 * 1000;  // the evaluation interval
  bool semantics_v3 = false;
  // A selector (or one series' range window, or a subquery) loading more
  // samples fails with Prometheus' "query processing would load too many
  // samples into memory in query execution".
  std::size_t max_samples = 50'000'000;
};

struct InstantSample {
  Labels labels;
  double value = 0;
};

struct Value {
  ValueType type = ValueType::None;
  double scalar = 0;                   // Scalar
  std::string string;                  // String
  std::vector<InstantSample> vector;   // Vector
  std::vector<Series> matrix;          // Matrix
};

// A runtime error ("vector cannot contain metrics with the same labelset",
// "many-to-many matching not allowed"): the message Prometheus would give.
struct EvalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Evaluates `expr` at instant `t_ms` (an instant query: @ start() and @ end()
// mean t_ms). Throws EvalError. Several evaluations may run at once on one
// store as long as nothing is added to it meanwhile.
Value evaluate(const Node& expr, const SeriesStore& store, std::int64_t t_ms, const EvalOptions& options = {});

}  // namespace greenlight::promql
