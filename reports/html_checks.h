// How one check looks in the HTML report. A check's name, message, evidence and
// figures all come from the target, so each goes through html_escape.
#pragma once

#include <string>

#include "harness/result.h"

namespace greenlight {

// "PASSED", "FAILED", "ERROR", "SKIPPED".
std::string outcome_label(Outcome o);

// A full card for a failed or errored check: message, figures, evidence, all open.
std::string problem_card(const Check& k);

// One line for a skipped or passed check (its reason stays visible); figures and
// evidence fold into a <details> under it.
std::string compact_row(const Check& k);

}  // namespace greenlight
