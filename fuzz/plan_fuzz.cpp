// Feeds: the bytes as a plan file, written to a scratch file and taken
// through what `greenlight check PLAN` does: load_plan (harness/plan.h: YAML,
// interpolation, target), check_profiles, build_suites with every suite kind
// (each suite validates its own section: smoke, migration, backup, alerts,
// load), then each built-in profile applied to a fresh load and its
// regression rules parsed. Nothing is run against a target.
// Asserts beyond "no crash":
//  * the only exceptions are ConfigError (file:line: key: message), with the
//    scratch file's name and a line within 0..lines+1, and RegressionError
//    from a profile's rules;
//  * a plan that loads has at least one suite, a base_url without a trailing
//    '/', and builds no more suites than it names.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "harness/config_error.h"
#include "harness/plan.h"
#include "harness/profile.h"
#include "harness/regression.h"
#include "harness/runner.h"
#include "suites/all_suites.h"

using namespace greenlight;

namespace {

int g_lines = 0;
std::string g_path;

void check_error(const ConfigError& e) {
  if (!(e.line >= 0 && e.line <= g_lines + 1)) {
    std::fprintf(stderr, "ConfigError line %d outside 0..%d: %s\n", e.line, g_lines + 1, e.what());
    std::abort();
  }
  FUZZ_ASSERT(e.file.empty() || e.file == g_path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<SuiteKind> kinds = all_suite_kinds();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  g_lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  g_path = fuzz::write_scratch("greenlight.yaml", text);
  try {
    Plan plan = load_plan(g_path);
    FUZZ_ASSERT(!plan.suites.empty());
    FUZZ_ASSERT(plan.target.base_url.empty() || plan.target.base_url.back() != '/');
    check_profiles(plan);
    auto suites = build_suites(plan, kinds, {});
    FUZZ_ASSERT(suites.size() <= plan.suites.size());
  } catch (const ConfigError& e) {
    check_error(e);
    return 0;
  }
  for (const std::string& name : builtin_profile_names()) {
    try {
      Plan plan = load_plan(g_path);
      Profile profile = apply_profile(plan, name);
      for (const std::string& rule : profile.regressions) (void)parse_regression_rule(rule);
      (void)build_suites(plan, kinds, {});
    } catch (const ConfigError& e) {
      check_error(e);
    } catch (const RegressionError&) {
    }
  }
  return 0;
}
