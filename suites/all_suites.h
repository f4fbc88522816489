// Every suite greenlight knows, by the name used under `suites:` in the plan.
#pragma once

#include <vector>

#include "harness/suite.h"

namespace greenlight {

std::vector<SuiteKind> all_suite_kinds();

}  // namespace greenlight
