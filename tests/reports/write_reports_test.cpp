// write_reports: the three files land in the directory (created on demand), and
// a failure names the path that could not be written.
#include <catch2/catch.hpp>

#include "reports/reports.h"
#include "sample_run.h"

using namespace greenlight;
using namespace greenlight::test;
namespace fs = std::filesystem;

TEST_CASE("write_reports creates the directory and writes the three reports") {
  ReportDir tmp;
  fs::path dir = tmp.path / "nested" / "reports";
  RunResult run = sample_run();
  ReportPaths p = write_reports(run, dir);
  CHECK(p.junit == dir / "greenlight.junit.xml");
  CHECK(p.json == dir / "greenlight.json");
  CHECK(p.html == dir / "greenlight.html");
  CHECK(read_file(p.junit) == junit_xml(run));
  CHECK(read_file(p.json) == json_report(run));
  CHECK(read_file(p.html) == html_report(run));
  // Only the reports: no temporary files left behind.
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 3);
}

TEST_CASE("write_reports replaces the reports of an earlier run") {
  ReportDir tmp;
  write_file(tmp.path / "greenlight.json", "stale");
  ReportPaths p = write_reports(sample_run(), tmp.path);
  CHECK(read_file(p.json).rfind("{", 0) == 0);
}

TEST_CASE("write_reports throws naming the directory it cannot create") {
  ReportDir tmp;
  write_file(tmp.path / "file", "x");
  fs::path dir = tmp.path / "file" / "reports";
  try {
    write_reports(sample_run(), dir);
    FAIL("expected std::runtime_error");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains(dir.string()));
  }
}

TEST_CASE("write_reports throws naming the report file it cannot write") {
  ReportDir tmp;
  fs::create_directories(tmp.path / "greenlight.html" / "occupied");  // a directory where the file should go
  try {
    write_reports(sample_run(), tmp.path);
    FAIL("expected std::runtime_error");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains((tmp.path / "greenlight.html").string()));
  }
  CHECK_FALSE(fs::exists(tmp.path / "greenlight.html.tmp"));
}
