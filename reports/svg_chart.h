// Inline SVG charts of outcome counts for the HTML report. They carry classes,
// not colours: the page's stylesheet owns the palette, so chart and badges match.
#pragma once

#include <string>

#include "harness/result.h"

namespace greenlight {

// A donut of passed/failed/error/skipped with the total in its centre.
std::string outcome_donut(const Counts& c);

// A thin horizontal stacked bar of the same counts, for the suites table.
std::string outcome_bar(const Counts& c);

}  // namespace greenlight
