// Judges one HTTP response against the expectations of a check. Each broken
// expectation adds one failure message that names what was expected and what
// came back; measured values are added as figures.
#pragma once

#include <string>
#include <vector>

#include "harness/result.h"
#include "suites/smoke/http_loop.h"
#include "suites/smoke/smoke_plan.h"

namespace greenlight {

struct Judgement {
  std::vector<std::string> failures;  // empty: every expectation held
  std::vector<Figure> figures;
};

// Without a status expectation a 2xx is required (3xx when redirect_to is set).
Judgement judge(const Expectations& expect, const HttpResponse& response);

bool status_matches(const StatusExpectation& s, long status);

// The JSON value at `pointer`, as text for messages. Exposed for captures.
std::string json_value_text(const nlohmann::json& v);

}  // namespace greenlight
