// Duration parsing as users write it in plans and on the command line.
#include <catch2/catch.hpp>

#include "harness/duration.h"

using namespace greenlight;

TEST_CASE("durations parse with units", "[duration]") {
  CHECK(parse_duration("500ms")->count() == Approx(0.5));
  CHECK(parse_duration("2s")->count() == Approx(2));
  CHECK(parse_duration("1m30s")->count() == Approx(90));
  CHECK(parse_duration("1h")->count() == Approx(3600));
  CHECK(parse_duration("250us")->count() == Approx(0.00025));
  CHECK(parse_duration("1.5s")->count() == Approx(1.5));
}

TEST_CASE("ambiguous or malformed durations are refused", "[duration]") {
  CHECK_FALSE(parse_duration("500"));
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("5 s"));
  CHECK_FALSE(parse_duration("fast"));
  CHECK_FALSE(parse_duration("10y"));
}

TEST_CASE("durations print compactly", "[duration]") {
  CHECK(format_duration(Duration(0.25)) == "250ms");
  CHECK(format_duration(Duration(1.5)) == "1.5s");
  CHECK(format_duration(Duration(125)) == "2m05s");
}
