// Feeds: the bytes as a Prometheus rule file, written to a scratch file and
// read by load_rule_file (suites/alerts/rule_file.h: YAML, rulefmt checks,
// PromQL parsing of every expr, Go template parsing of labels and
// annotations), then linted with lint_rule_file (suites/alerts/rule_lint.h).
// Asserts beyond "no crash":
//  * load_rule_file and the lint never throw (both promise findings instead);
//  * every finding has an id, a message, and a line within 0..lines+1;
//  * ok() is exactly "no error finding"; in a file that is ok, every rule
//    has exactly one of record and alert, and its expr parsed.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "suites/alerts/rule_file.h"
#include "suites/alerts/rule_lint.h"

using namespace greenlight;

namespace {

void check_findings(const std::vector<RuleFinding>& findings, int lines) {
  for (const RuleFinding& f : findings) {
    FUZZ_ASSERT(!f.id.empty());
    FUZZ_ASSERT(!f.message.empty());
    if (f.line < 0 || f.line > lines + 1) {
      std::fprintf(stderr, "finding line %d outside 0..%d: %s\n", f.line, lines + 1, format_rule_finding(f).c_str());
      std::abort();
    }
    (void)format_rule_finding(f);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  std::string path = fuzz::write_scratch("rules.yml", text);
  RuleFile rf = load_rule_file(path);
  check_findings(rf.findings, lines);
  bool has_error = std::any_of(rf.findings.begin(), rf.findings.end(), [](const RuleFinding& f) { return f.error; });
  FUZZ_ASSERT(rf.ok() == !has_error);
  if (rf.ok()) {
    for (const RuleGroup& g : rf.groups)
      for (const Rule& r : g.rules) {
        FUZZ_ASSERT(r.record.empty() != r.alert.empty());
        FUZZ_ASSERT(r.parsed != nullptr);
      }
  }
  check_findings(lint_rule_file(rf), lines);
  return 0;
}
