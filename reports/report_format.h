// Numbers as the reports print them: figures for people, seconds for parsers.
#pragma once

#include <string>

#include "harness/result.h"

namespace greenlight {

// Up to six significant digits, never in exponent form, no trailing zeros:
// 12.5, 41, 0.3 (not 0.30000000000000004), 1234568. "NaN"/"inf" as such.
std::string format_number(double value);

// "12.5 ms", or just "41" when the figure has no unit.
std::string format_figure(const Figure& f);

// Seconds with millisecond precision ("1.234"), as JUnit's time attributes
// want; a negative or non-finite duration (a clock bug) prints as "0.000".
std::string junit_seconds(double s);

// Seconds rounded to the millisecond for the JSON report; 0 when not finite.
double json_seconds(double s);

}  // namespace greenlight
