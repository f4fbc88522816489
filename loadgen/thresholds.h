// k6-style pass/fail criteria on a load run's results:
//   p(95)<200ms   p(99.9)<1s   avg<100ms   med<=50ms   min>0   max<2s
//   error_rate<1%   rps>=1000   dropped==0   requests>=10000
// Latencies take a unit (us, ms, s; a bare number is milliseconds, as in k6);
// error_rate takes a percentage or a fraction. Operators: < <= > >= == !=.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "loadgen/histogram.h"

namespace greenlight {

// Thrown for a malformed threshold; `position` is 1-based in the text.
class ThresholdError : public std::invalid_argument {
 public:
  ThresholdError(const std::string& text, size_t position, const std::string& problem);
  size_t position;
};

struct Threshold {
  enum class Metric { percentile, avg, min, max, error_rate, rps, dropped, requests } metric = Metric::percentile;
  enum class Op { lt, le, gt, ge, eq, ne } op = Op::lt;
  std::string text;        // as written
  double percentile = 0;   // for Metric::percentile (med is p(50))
  double limit = 0;        // microseconds for latencies, a fraction for error_rate, else a plain number
};

Threshold parse_threshold(const std::string& text);

// What a threshold is judged on: the latency histogram in microseconds and the counts.
struct LoadFigures {
  const Histogram* latency = nullptr;
  int64_t requests = 0;
  int64_t errors = 0;
  int64_t dropped = 0;
  double duration_s = 0;
};

struct ThresholdVerdict {
  bool passed = false;
  double observed = 0;  // in the threshold's units: ms for latencies, % for error_rate
  std::string message;  // "p(99)=73.2ms, limit <50ms" — names both sides
};

ThresholdVerdict evaluate(const Threshold& t, const LoadFigures& f);

}  // namespace greenlight
