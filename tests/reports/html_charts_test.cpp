// Charts in the HTML report: a check's series become one chart per chart name,
// in order, shown open even when the check passed; the page stays
// self-contained and escaped.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

#include "reports/escape.h"
#include "reports/reports.h"
#include "sample_load_run.h"
#include "sample_run.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

size_t pos(const std::string& html, const std::string& needle, size_t from = 0) {
  size_t p = html.find(needle, from);
  INFO("looking for: " << needle);
  REQUIRE(p != std::string::npos);
  return p;
}

// The chart titles in the order the page shows them.
std::vector<std::string> chart_titles(const std::string& html) {
  std::vector<std::string> out;
  const std::string open = "<text class=\"chart-title\"";
  for (size_t p = html.find(open); p != std::string::npos; p = html.find(open, p + 1)) {
    size_t start = html.find('>', p) + 1;
    out.push_back(html.substr(start, html.find("</text>", start) - start));
  }
  return out;
}

}  // namespace

TEST_CASE("HTML report draws a check's series as charts, grouped by chart name in order") {
  std::string html = html_report(sample_load_run());
  // Failed check first (search: one chart), then the passed steady run (three) and the capacity search (one).
  CHECK(chart_titles(html) == std::vector<std::string>{"latency over time", "latency over time", "throughput over time",
                                                       "latency percentile spectrum", "throughput vs latency"});
  CHECK(occurrences(html, "<svg class=\"line-chart\"") == 5);

  // Series of one chart interleaved with another's still share their chart.
  RunResult run = sample_load_run();
  Check& steady = run.suites[0].checks[1];
  std::vector<Series> mixed = {steady.series[5], steady.series[0], steady.series[6], steady.series[1]};
  steady.series = mixed;  // spectrum, latency, spectrum, latency
  html = html_report(run);
  size_t row = pos(html, "checkout at 400 req/s");
  size_t spectrum = pos(html, ">latency percentile spectrum</text>", row);
  size_t over_time = pos(html, ">latency over time</text>", row);
  CHECK(spectrum < over_time);
  CHECK(occurrences(html.substr(row, over_time - row), "<polyline") == 2);
}

TEST_CASE("HTML report shows the charts of passed checks unfolded") {
  std::string html = html_report(sample_load_run());
  size_t steady = pos(html, "checkout at 400 req/s");
  size_t row = html.rfind("<details", steady);
  REQUIRE(row != std::string::npos);
  CHECK(html.compare(row, 39, "<details class=\"row o-passed\" open><sum") == 0);
  // Figures first, then the charts.
  size_t figures = pos(html, "<table class=\"figures\">", steady);
  size_t chart = pos(html, "<svg class=\"line-chart\"", steady);
  CHECK(figures < chart);

  // A passed check without series stays folded.
  std::string plain = html_report(sample_run());
  CHECK(plain.find("<details class=\"row o-passed\"><summary>") != std::string::npos);
  CHECK(plain.find(" open>") == std::string::npos);
  CHECK(plain.find("line-chart") == std::string::npos);
}

TEST_CASE("HTML report shows a failed check's charts under its message, before its evidence") {
  RunResult run = sample_load_run();
  run.suites[0].checks[0].evidence = {{"thresholds", "p(99) < 20ms"}};
  std::string html = html_report(run);
  size_t card = pos(html, "<article class=\"card check o-failed\">");
  size_t message = pos(html, "<p class=\"message\">p(99) was 31 ms", card);
  size_t chart = pos(html, "<svg class=\"line-chart\"", card);
  size_t evidence = pos(html, "<div class=\"evidence\">", card);
  CHECK(message < chart);
  CHECK(chart < evidence);
  CHECK(evidence < pos(html, "</article>", card));
}

TEST_CASE("HTML report with charts stays escaped and self-contained") {
  RunResult run = sample_load_run();
  run.suites[0].checks[1].series.push_back(
      Series{"<i>evil</i> chart", "<script>alert(1)</script>", "s", "ms", false, {{0, 1}, {1, 2}}});
  std::string html = html_report(run);
  std::string l = html;
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  CHECK(l.find("<script") == std::string::npos);
  CHECK(l.find("<i>") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("&lt;i&gt;evil&lt;/i&gt; chart") != std::string::npos);
  CHECK(l.find("url(") == std::string::npos);
  CHECK(l.find(" src=") == std::string::npos);
  CHECK(l.find("href=\"http") == std::string::npos);
  CHECK(clean_text(html) == html);
}
