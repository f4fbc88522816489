// Line charts of series: one polyline per drawable series, bad points skipped,
// huge series thinned without losing spikes, nines on percentile axes, every
// label escaped, nothing outside the <svg> referenced.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <regex>

#include "reports/svg_line_chart.h"
#include "sample_load_run.h"
#include "sample_run.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::vector<const Series*> pointers(const std::vector<Series>& series) {
  std::vector<const Series*> out;
  for (const Series& s : series) out.push_back(&s);
  return out;
}

std::string chart(const std::vector<Series>& series) { return line_chart_svg(pointers(series)); }

// The number of points of each <polyline>, in drawing order.
std::vector<size_t> polyline_sizes(const std::string& svg) {
  std::vector<size_t> out;
  std::regex polyline("<polyline[^>]* points=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), polyline); it != std::sregex_iterator(); ++it) {
    std::string pts = (*it)[1];
    out.push_back(pts.empty() ? 0 : occurrences(pts, " ") + 1);
  }
  return out;
}

std::vector<std::string> polyline_coordinates(const std::string& svg) {
  std::vector<std::string> out;
  std::regex polyline("<polyline[^>]* points=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), polyline); it != std::sregex_iterator(); ++it) out.push_back((*it)[1]);
  return out;
}

Series line(std::string name, size_t n, double y = 10) {
  Series s{"chart", std::move(name), "s", "ms", false, {}};
  for (size_t i = 0; i < n; ++i) s.points.emplace_back(double(i), y + double(i % 7));
  return s;
}

bool has_label(const std::string& svg, const std::string& label) { return svg.find(">" + label + "</text>") != std::string::npos; }

// Checks an SVG is well-formed XML with xmllint when it is installed.
void check_well_formed(const std::string& svg) {
  if (!have_program("xmllint")) return;
  ReportDir dir;
  write_file(dir.path / "chart.svg", svg);
  ShellResult r = run_command("xmllint --noout '" + (dir.path / "chart.svg").string() + "' 2>&1");
  INFO(r.output);
  CHECK(r.status == 0);
}

}  // namespace

TEST_CASE("Line chart draws one polyline per series with points, in distinct colours") {
  std::vector<Series> series = {line("p50", 12), line("empty", 0), line("p99", 30, 50), line("max", 5, 90)};
  std::string svg = chart(series);
  CHECK(svg.rfind("<svg class=\"line-chart\"", 0) == 0);
  CHECK(polyline_sizes(svg) == std::vector<size_t>{12, 30, 5});
  CHECK(svg.find("stroke=\"#0072b2\"") != std::string::npos);
  CHECK(svg.find("stroke=\"#e69f00\"") != std::string::npos);
  CHECK(svg.find("stroke=\"#cc79a7\"") != std::string::npos);
  // Every series is in the legend; the empty one says so.
  CHECK(has_label(svg, "p50"));
  CHECK(has_label(svg, "p99"));
  CHECK(has_label(svg, "max"));
  CHECK(has_label(svg, "empty (no data)"));
  // A title per series for hover.
  CHECK(svg.find("<title>p99: 50 to 56 ms (30 points)</title>") != std::string::npos);
  CHECK(svg.find("class=\"chart-title\"") != std::string::npos);
  check_well_formed(svg);
}

TEST_CASE("Line chart skips NaN and infinite points") {
  Series s = line("p99", 10);
  s.points[2].second = kNaN;
  s.points[5].second = kInf;
  s.points[7].first = kNaN;
  s.points[8].second = -kInf;
  std::string svg = chart({s});
  CHECK(polyline_sizes(svg) == std::vector<size_t>{6});
  std::string pts = polyline_coordinates(svg).at(0);
  CHECK(pts.find("nan") == std::string::npos);
  CHECK(pts.find("inf") == std::string::npos);

  Series all_bad{"chart", "broken", "s", "ms", false, {{kNaN, 1}, {1, kNaN}, {kInf, kInf}}};
  svg = chart({all_bad});
  CHECK(polyline_sizes(svg).empty());
  CHECK(svg.find("no data to draw") != std::string::npos);
  check_well_formed(svg);
}

TEST_CASE("Line chart thins huge series to at most 1000 points, keeping spikes") {
  Series s{"latency over time", "max", "s", "ms", false, {}};
  for (int i = 0; i < 100000; ++i) s.points.emplace_back(i * 0.01, 10.0);
  s.points[54321].second = 4000;  // one sample in a hundred thousand
  std::string svg = chart({s});
  std::vector<size_t> sizes = polyline_sizes(svg);
  REQUIRE(sizes.size() == 1);
  CHECK(sizes[0] == 1000);
  // The spike is the top of the plot: y axis ends at 4000, not at 10.
  CHECK(has_label(svg, "4000"));
  CHECK(svg.find("100000 points, drawn as 1000") != std::string::npos);

  auto thinned = downsample_max(s.points);
  CHECK(thinned.size() == 1000);
  CHECK(std::count_if(thinned.begin(), thinned.end(), [](const auto& p) { return p.second == 4000; }) == 1);
  // Fewer than the limit: untouched. 2500 points: buckets of three.
  CHECK(downsample_max(line("x", 999).points).size() == 999);
  CHECK(downsample_max(line("x", 2500).points).size() == 834);
}

TEST_CASE("Line chart survives empty input, a single point and all-equal values") {
  std::string none = line_chart_svg({});
  CHECK(none.find("no data to draw") != std::string::npos);
  CHECK(none.find("</svg>") != std::string::npos);
  check_well_formed(none);

  Series one{"chart", "only", "s", "ms", false, {{3, 7}}};
  std::string svg = chart({one});
  CHECK(polyline_sizes(svg) == std::vector<size_t>{1});
  CHECK(occurrences(svg, "<circle") == 1);  // a lone point draws no line, so it gets a marker
  CHECK(svg.find("nan") == std::string::npos);
  check_well_formed(svg);

  Series extreme{"chart", "extreme", "s", "ms", false, {{-1e308, 1e308}, {1e308, -1e308}, {0, 1e-300}}};
  svg = chart({extreme});
  CHECK(polyline_sizes(svg) == std::vector<size_t>{3});
  CHECK(svg.find("nan") == std::string::npos);
  check_well_formed(svg);
  Series biggest{"chart", "biggest", "s", "ms", false, {{1, 1.7e308}, {2, 1.7e308}}};
  svg = chart({biggest});
  CHECK(polyline_sizes(svg) == std::vector<size_t>{2});
  CHECK(svg.size() < 10000);
  check_well_formed(svg);

  Series flat{"chart", "flat", "s", "ms", false, {}};
  for (int i = 0; i < 50; ++i) flat.points.emplace_back(5, 0);  // same x, same y
  svg = chart({flat});
  CHECK(polyline_sizes(svg) == std::vector<size_t>{50});
  CHECK(svg.find("nan") == std::string::npos);
  CHECK(svg.find("inf") == std::string::npos);
  check_well_formed(svg);
}

TEST_CASE("Line chart escapes every label") {
  Series s{"<b>chart</b> & co", "<script>alert(1)</script>", "s\"", "m's", false, {{0, 1}, {1, 2}}};
  std::string svg = chart({s});
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("<b>") == std::string::npos);
  CHECK(svg.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(svg.find("&lt;b&gt;chart&lt;/b&gt; &amp; co") != std::string::npos);
  CHECK(svg.find("aria-label=\"&lt;b&gt;chart&lt;/b&gt; &amp; co\"") != std::string::npos);
  check_well_formed(svg);
}

TEST_CASE("Line chart references nothing outside itself and runs no script") {
  std::string svg = chart(capacity_curve()) + chart(percentile_spectrum()) + chart(latency_over_time());
  CHECK(svg.find("href") == std::string::npos);
  CHECK(svg.find("url(") == std::string::npos);
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("<image") == std::string::npos);
  CHECK(svg.find("<foreignObject") == std::string::npos);
  CHECK(std::regex_search(svg, std::regex(" on[a-z]+=")) == false);
}

TEST_CASE("Percentile spectra use a nines axis, and a log y axis over more than two decades") {
  CHECK(nines(0) == 0);
  CHECK(nines(90) == Approx(1));
  CHECK(nines(99) == Approx(2));
  CHECK(nines(99.9) == Approx(3));
  CHECK(nines(99.999) == Approx(5));

  std::string svg = chart(percentile_spectrum());
  for (const char* label : {"50%", "90%", "99%", "99.9%", "99.99%", "99.999%"}) {
    INFO(label);
    CHECK(has_label(svg, label));
  }
  CHECK_FALSE(has_label(svg, "95%"));
  CHECK_FALSE(has_label(svg, "99.9999%"));
  CHECK(polyline_sizes(svg) == std::vector<size_t>{10, 10});
  // 7.9 ms to 1452 ms: from 5 to 2000 on a log scale, labelled at the decades.
  CHECK(has_label(svg, "\u2191 ms (log scale)"));
  for (const char* label : {"10", "100", "1000"}) {
    INFO(label);
    CHECK(has_label(svg, label));
  }
  CHECK_FALSE(has_label(svg, "1"));
  CHECK_FALSE(has_label(svg, "10k"));
  CHECK(has_label(svg, "percentile \u2192"));
  CHECK(svg.find("<title>latency: 590 ms at 99.9%</title>") != std::string::npos);

  // A narrow range stays linear; 100% has no place on a nines axis and is skipped.
  Series narrow{"latency percentile spectrum", "latency", "%", "ms", true, {{50, 10}, {99, 30}, {99.9, 45}, {100, 60}}};
  svg = chart({narrow});
  CHECK(svg.find("log scale") == std::string::npos);
  CHECK(polyline_sizes(svg) == std::vector<size_t>{3});
  CHECK(has_label(svg, "99.9%"));
  CHECK_FALSE(has_label(svg, "99.99%"));
  check_well_formed(svg);
}

TEST_CASE("Capacity charts draw the SLO dashed red and the capacity dashed green") {
  std::string svg = chart(capacity_curve());
  CHECK(polyline_sizes(svg) == std::vector<size_t>{2, 2, 10});  // reference lines under the data
  std::regex slo("<polyline[^>]*stroke=\"#cf222e\"[^>]*stroke-dasharray=\"6 4\"");
  std::regex capacity("<polyline[^>]*stroke=\"#1a7f37\"[^>]*stroke-dasharray=\"6 4\"");
  CHECK(std::regex_search(svg, slo));
  CHECK(std::regex_search(svg, capacity));
  CHECK(has_label(svg, "SLO p(99)&lt;50ms"));
  CHECK(has_label(svg, "capacity 1600 req/s"));
  // The capacity line is vertical: both its points share an x.
  std::string cap = polyline_coordinates(svg).at(1);
  CHECK(cap.substr(0, cap.find(',')) == cap.substr(cap.find(' ') + 1, cap.find(',', cap.find(' ')) - cap.find(' ') - 1));
  // The data line keeps the first palette colour: reference lines take none.
  CHECK(svg.find("stroke=\"#0072b2\"") != std::string::npos);
  CHECK(has_label(svg, "req/s \u2192"));
  CHECK(has_label(svg, "\u2191 ms"));
}

TEST_CASE("Nice ticks step by 1, 2 or 5 times a power of ten") {
  CHECK(nice_ticks(0, 97, 5) == std::vector<double>{0, 20, 40, 60, 80, 100});
  CHECK(nice_ticks(1, 120, 7) == std::vector<double>{0, 20, 40, 60, 80, 100, 120});
  CHECK(nice_ticks(200, 1770, 7) == std::vector<double>{200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800});
  std::vector<double> small = nice_ticks(0.12, 0.93, 4);
  REQUIRE(small.size() == 6);
  CHECK(small.front() == Approx(0));
  CHECK(small[1] == Approx(0.2));
  CHECK(small.back() == Approx(1));
  CHECK(nice_ticks(5, 5, 5).size() >= 2);
  CHECK(nice_ticks(-30, 45, 5) == std::vector<double>{-40, -20, 0, 20, 40, 60});
  // At the limits of double: still finite, increasing ticks (and no endless loop).
  for (auto [lo, hi] : {std::pair{-1e308, 1e308}, std::pair{1e17, 1e17 + 64}, std::pair{1e-300, 2e-300}}) {
    std::vector<double> t = nice_ticks(lo, hi, 5);
    INFO(lo << " to " << hi);
    REQUIRE(t.size() >= 2);
    CHECK(std::is_sorted(t.begin(), t.end()));
    CHECK(t.front() < t.back());
    CHECK(std::all_of(t.begin(), t.end(), [](double v) { return std::isfinite(v); }));
  }
}

TEST_CASE("A legend too wide for one row wraps and the chart grows") {
  std::vector<Series> many;
  for (int i = 0; i < 12; ++i) many.push_back(line("a rather long series name " + std::to_string(i), 5));
  std::string svg = chart(many);
  CHECK(polyline_sizes(svg).size() == 12);
  std::smatch m;
  REQUIRE(std::regex_search(svg, m, std::regex("viewBox=\"0 0 720 ([0-9.]+)\"")));
  CHECK(std::stod(m[1]) > 260);
}
