// Parity with `promtool test rules` (Debian's prometheus package, 2.42) on
// the corpus fixtures/rules/unit/: every test file gets the same verdict from
// greenlight as from promtool, and a failing file fails for the same alert and
// expression tests. The corpus names say what each file must do (pass_*,
// fail_*), so greenlight is held to it even where promtool is not installed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "suites/alerts/promql/lexer.h"
#include "suites/alerts/unit_test_run.h"
#include "tests/support/run_tool.h"

using namespace greenlight;
namespace fs = std::filesystem;

namespace {

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (!dir.empty() && fs::exists(fs::path(dir) / program)) return true;
  return false;
}

struct Verdict {
  bool passed = false;
  std::set<std::string> failures;  // "alert NAME at TIME", "expr EXPR at TIME"
  bool aborted = false;            // rules did not load or evaluate
  std::string output;
};

// promtool's failure blocks: `alertname: X, time: 5m, ` and `expr: "m", time: 5m,`.
Verdict promtool_verdict(const std::string& file) {
  auto r = greenlight::test::run_tool("promtool", {"test", "rules", file});
  Verdict v;
  v.passed = r.exit_code == 0;
  v.output = r.out + r.err;
  static const std::regex alert(R"(^\s+alertname: (.*), time: (\S+), $)");
  static const std::regex expr(R"(^\s+expr: ("(?:[^"\\]|\\.)*"), time: ([^,]+),)");
  std::stringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, alert)) v.failures.insert("alert " + m[1].str() + " at " + m[2].str());
    else if (std::regex_search(line, m, expr))
      v.failures.insert("expr " + promql::unquote_string(m[1].str()) + " at " + m[2].str());
    else if (line.rfind("    rule: ", 0) == 0) v.aborted = true;
  }
  if (!v.passed && v.failures.empty()) v.aborted = true;
  return v;
}

Verdict greenlight_verdict(const std::string& file) {
  Verdict v;
  std::vector<Check> checks = run_unit_test_file(file);
  v.passed = std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.outcome == Outcome::passed; });
  UnitTestFile parsed = load_unit_test_file(file);
  for (const Check& c : checks) {
    if (c.outcome == Outcome::passed) continue;
    v.output += c.name + "\n" + c.message + "\n";
    if (c.message.find("the rule files do not load") != std::string::npos ||
        c.message.find("the rules failed to evaluate") != std::string::npos) {
      v.aborted = true;
      continue;
    }
    for (const TestGroup& g : parsed.tests) {
      std::string prefix = file + ": " + g.display_name() + ": ";
      if (c.name.rfind(prefix, 0) == 0) {
        v.failures.insert(c.name.substr(prefix.size()));
        break;
      }
    }
  }
  return v;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += x + "\n";
  return out;
}

}  // namespace

TEST_CASE("the unit test corpus gets promtool's verdicts", "[alerts][unittest][promtool]") {
  const fs::path corpus = fs::path(SOURCE_DIR) / "fixtures/rules/unit";
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(corpus))
    if (e.is_regular_file() && e.path().extension() == ".yml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 20);

  const bool have_promtool = on_path("promtool");
  if (!have_promtool) WARN("promtool is not on PATH: checking greenlight against the corpus' expected verdicts only");
  int passing = 0, failing = 0, compared = 0;
  for (const std::string& file : files) {
    const bool should_pass = fs::path(file).filename().string().rfind("pass_", 0) == 0;
    INFO(file);
    Verdict ours = greenlight_verdict(file);
    INFO("greenlight:\n" << ours.output);
    CHECK(ours.passed == should_pass);
    (ours.passed ? passing : failing)++;
    if (!have_promtool) continue;
    Verdict theirs = promtool_verdict(file);
    INFO("promtool:\n" << theirs.output);
    CHECK(theirs.passed == should_pass);  // the corpus itself is right
    CHECK(ours.passed == theirs.passed);
    CHECK(join(ours.failures) == join(theirs.failures));
    CHECK(ours.aborted == theirs.aborted);
    ++compared;
  }
  CHECK(passing > 0);
  CHECK(failing > 0);
  if (have_promtool) CHECK(compared == static_cast<int>(files.size()));
}
