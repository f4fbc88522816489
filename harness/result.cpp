// Counting and verdicts over the result model.
#include "harness/result.h"

namespace greenlight {

const char* to_string(Outcome o) {
  switch (o) {
    case Outcome::passed: return "passed";
    case Outcome::failed: return "failed";
    case Outcome::skipped: return "skipped";
    case Outcome::error: return "error";
  }
  return "error";
}

Counts count(const SuiteResult& s) {
  Counts c;
  for (const Check& k : s.checks) {
    switch (k.outcome) {
      case Outcome::passed: ++c.passed; break;
      case Outcome::failed: ++c.failed; break;
      case Outcome::skipped: ++c.skipped; break;
      case Outcome::error: ++c.error; break;
    }
  }
  return c;
}

Counts count(const RunResult& r) {
  Counts total;
  for (const SuiteResult& s : r.suites) {
    Counts c = count(s);
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
    total.error += c.error;
  }
  return total;
}

bool passed(const RunResult& r) {
  Counts c = count(r);
  return !r.interrupted && c.failed == 0 && c.error == 0;
}

std::string verdict(const RunResult& r) {
  if (r.interrupted) return "interrupted";
  return passed(r) ? "passed" : "failed";
}

std::string trim_evidence(const std::string& text, size_t limit) {
  if (text.size() <= limit) return text;
  return text.substr(0, limit) + "\n… [" + std::to_string(text.size() - limit) + " more bytes not shown]";
}

Check skipped_check(const std::string& name, const std::string& why) {
  Check c{name, Outcome::skipped, "skipped, because " + why};
  return c;
}

}  // namespace greenlight
