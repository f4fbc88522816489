// Tests of Prometheus durations: the unit order, the time.Duration limit and
// the canonical form used when printing ranges and offsets.
#include "suites/alerts/promql/duration.h"

#include <catch2/catch.hpp>

#include <string>

using namespace greenlight::promql;

TEST_CASE("durations parse with model.Duration's rules", "[promql][duration]") {
  CHECK(parse_duration("5m") == 300000);
  CHECK(parse_duration("1h30m") == 5400000);
  CHECK(parse_duration("1y2w3d4h5m6s7ms") ==
        ((((365LL + 14 + 3) * 24 + 4) * 60 + 5) * 60 + 6) * 1000 + 7);
  CHECK(parse_duration("500ms") == 500);
  CHECK(parse_duration("0") == 0);
  CHECK(parse_duration("0s") == 0);
  CHECK(parse_duration("90s") == 90000);
  CHECK(parse_duration("9223372036s") == 9223372036000LL);

  std::string err;
  CHECK_FALSE(parse_duration("1m1h", &err));
  CHECK(err == "not a valid duration string: \"1m1h\"");
  CHECK_FALSE(parse_duration("1.5h", &err));
  CHECK(err == "not a valid duration string: \"1.5h\"");
  CHECK_FALSE(parse_duration("5", &err));
  CHECK_FALSE(parse_duration("5m5m", &err));
  CHECK_FALSE(parse_duration("-5m", &err));
  CHECK_FALSE(parse_duration("5 m", &err));
  CHECK_FALSE(parse_duration("", &err));
  CHECK(err == "empty duration string");
  CHECK_FALSE(parse_duration("9223372037s", &err));
  CHECK(err == "duration out of range");
  CHECK_FALSE(parse_duration("99999999999999999999999y", &err));
  CHECK(err == "duration out of range");
}

TEST_CASE("durations print in canonical form", "[promql][duration]") {
  CHECK(format_duration(0) == "0s");
  CHECK(format_duration(300000) == "5m");
  CHECK(format_duration(5400000) == "1h30m");
  CHECK(format_duration(14LL * 86400000) == "2w");
  CHECK(format_duration(8LL * 86400000) == "8d");  // weeks only when exact
  CHECK(format_duration(365LL * 86400000) == "1y");
  CHECK(format_duration(90LL * 86400000) == "90d");
  CHECK(format_duration(1500) == "1s500ms");
  CHECK(format_duration(-60000) == "-1m");
  for (const char* d : {"1y", "2w", "3d", "4h", "5m", "6s", "7ms", "1d2h3m4s5ms"})
    CHECK(format_duration(*parse_duration(d)) == d);
}
