// Number formatting in reports: short for people, exact enough for parsers.
#include <catch2/catch.hpp>

#include <limits>

#include "reports/report_format.h"

using namespace greenlight;

TEST_CASE("format_number is short, never exponential for ordinary values") {
  CHECK(format_number(12.5) == "12.5");
  CHECK(format_number(41) == "41");
  CHECK(format_number(0.1 + 0.2) == "0.3");
  CHECK(format_number(1234567.8) == "1234568");
  CHECK(format_number(-3.25) == "-3.25");
  CHECK(format_number(0) == "0");
  CHECK(format_number(0.000125) == "0.000125");
  CHECK(format_number(std::numeric_limits<double>::quiet_NaN()) == "NaN");
  CHECK(format_number(std::numeric_limits<double>::infinity()) == "inf");
}

TEST_CASE("format_figure appends the unit when there is one") {
  CHECK(format_figure({"latency", 12.5, "ms"}) == "12.5 ms");
  CHECK(format_figure({"pool_size", 20, ""}) == "20");
}

TEST_CASE("JUnit and JSON seconds are millisecond-precise and never negative or NaN") {
  CHECK(junit_seconds(1.23456) == "1.235");
  CHECK(junit_seconds(-1) == "0.000");
  CHECK(junit_seconds(std::numeric_limits<double>::quiet_NaN()) == "0.000");
  CHECK(json_seconds(1.23456) == Approx(1.235).margin(1e-9));
  CHECK(json_seconds(std::numeric_limits<double>::infinity()) == 0);
}
