// Feeds: the bytes as a k6-style threshold expression to parse_threshold
// (loadgen/thresholds.h), then evaluates what parsed against a small latency
// histogram and against no histogram at all.
// Asserts beyond "no crash":
//  * the only exception is ThresholdError, its 1-based position within
//    1..size+1;
//  * a parsed threshold keeps the text as written, has a percentile in
//    (0, 100] when it is one, an error rate limit within [0, 1], and parsing
//    its own text again gives the same threshold (deterministic);
//  * evaluate() gives a non-empty message either way.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_util.h"
#include "loadgen/histogram.h"
#include "loadgen/thresholds.h"

using namespace greenlight;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  Threshold t;
  try {
    t = parse_threshold(text);
  } catch (const ThresholdError& e) {
    FUZZ_ASSERT(e.position >= 1 && e.position <= size + 1);
    return 0;
  }
  FUZZ_ASSERT(t.text == text);
  if (t.metric == Threshold::Metric::percentile) FUZZ_ASSERT(t.percentile > 0 && t.percentile <= 100);
  if (t.metric == Threshold::Metric::error_rate) FUZZ_ASSERT(t.limit >= 0 && t.limit <= 1);
  Threshold again = parse_threshold(t.text);
  FUZZ_ASSERT(again.metric == t.metric && again.op == t.op);
  FUZZ_ASSERT(again.percentile == t.percentile);
  FUZZ_ASSERT(again.limit == t.limit || (again.limit != again.limit && t.limit != t.limit));

  static const Histogram latency = [] {
    Histogram h;
    for (int64_t v : {120, 950, 1000, 4200, 50'000, 3'000'000}) h.record(v);
    return h;
  }();
  LoadFigures figures{&latency, 1000, 7, 3, 10.0};
  FUZZ_ASSERT(!evaluate(t, figures).message.empty());
  LoadFigures empty{};
  FUZZ_ASSERT(!evaluate(t, empty).message.empty());
  return 0;
}
