// Feeds: the bytes as a PromQL expression to parse_promql (suites/alerts/promql/parser.h).
// Asserts beyond "no crash":
//  * ok() <=> a tree and no errors; every error and every node's byte range
//    lies inside the input (start <= end <= size);
//  * parse-then-print is a fixed point (printer.h promises it): the printed
//    text reparses, and printing the reparse gives the same text;
//  * the lint's questions (selectors, result_labels) answer without crashing,
//    and each selector's range lies inside the input;
//  * the evaluator runs the expression over a tiny fixed store (bounded by
//    max_samples), either giving a value or an EvalError.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "suites/alerts/promql/analysis.h"
#include "suites/alerts/promql/eval.h"
#include "suites/alerts/promql/parser.h"
#include "suites/alerts/promql/printer.h"

using namespace greenlight::promql;

namespace {

const SeriesStore& store() {
  static const SeriesStore s = [] {
    SeriesStore st;
    for (int i = 0; i < 10; ++i) {
      st.add({{"__name__", "up"}, {"job", "api"}, {"instance", "a"}}, i * 60'000, i % 3 ? 1 : 0);
      st.add({{"__name__", "up"}, {"job", "db"}, {"instance", "b"}}, i * 60'000, 1);
      st.add({{"__name__", "http_requests_total"}, {"job", "api"}, {"code", "500"}}, i * 60'000, i * 10.5);
      st.add({{"__name__", "http_requests_total"}, {"job", "api"}, {"code", "200"}}, i * 60'000, i * 100);
      st.add({{"__name__", "le_bucket"}, {"le", i % 2 ? "0.5" : "+Inf"}, {"x", std::to_string(i)}}, 0, i);
    }
    return st;
  }();
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  ParseResult r = parse_promql(text);
  FUZZ_ASSERT(r.ok() == (r.expr != nullptr));
  for (const ParseError& e : r.errors) {
    FUZZ_ASSERT(e.pos.start <= e.pos.end && e.pos.end <= size);
    FUZZ_ASSERT(e.line >= 1 && e.column >= 1);
    (void)e.text();
  }
  if (!r.ok()) return 0;

  walk(*r.expr, [&](const Node& n) { FUZZ_ASSERT(n.pos.start <= n.pos.end && n.pos.end <= size); });

  std::string printed = print_promql(*r.expr);
  ParseResult again = parse_promql(printed);
  if (!again.ok()) {
    std::fprintf(stderr, "printed form does not reparse:\n  printed: %s\n  error: %s\n", printed.c_str(),
                 again.error().text().c_str());
    FUZZ_ASSERT(again.ok());
  }
  std::string reprinted = print_promql(*again.expr);
  if (reprinted != printed) {
    std::fprintf(stderr, "print is not a fixed point:\n  first:  %s\n  second: %s\n", printed.c_str(), reprinted.c_str());
    FUZZ_ASSERT(reprinted == printed);
  }
  FUZZ_ASSERT(again.expr->type == r.expr->type);

  for (const SelectorUse& s : selectors(*r.expr)) FUZZ_ASSERT(s.pos.start <= s.pos.end && s.pos.end <= size);
  ResultLabels labels = result_labels(*r.expr);
  (void)labels.may_have("job");

  EvalOptions options;
  options.max_samples = 100'000;
  try {
    Value v = evaluate(*r.expr, store(), 9 * 60'000, options);
    (void)v;
  } catch (const EvalError&) {
  }
  return 0;
}
