// Line charts of a check's series (latency over time, percentile spectra,
// capacity curves) as inline SVG for the HTML report. Unlike the outcome charts
// in svg_chart.h they carry their own colours: a chart copied out of the page
// (or printed) must still tell its lines apart. No script, no reference to
// anything outside the <svg> element, every text escaped.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "harness/result.h"

namespace greenlight {

// Drawn points per series at most: more than a chart is pixels wide only
// bloats the page.
inline constexpr size_t kMaxChartPoints = 1000;

// One chart of series that share a `chart` name: nice 1-2-5 ticks, unit labels,
// a legend, one <polyline class="line"> per series with drawable points, in
// distinct colours. Series named "SLO ..." are dashed red threshold lines,
// "capacity ..." dashed green markers. log_x draws x as "nines" (50%, 90%, 99%,
// 99.9%, ...); such a chart also draws y on a log scale when y spans more than
// two decades. Points that cannot be drawn (NaN, inf, a percentile of 100 on a
// nines axis, y <= 0 on a log axis) are skipped. The SVG grows taller when the
// legend needs more than one row.
std::string line_chart_svg(const std::vector<const Series*>& series_of_one_chart, int width = 720, int height = 260);

// Exposed for tests: at most `limit` points, keeping the point with the largest
// y of each run of consecutive points, so a one-second stall survives.
std::vector<std::pair<double, double>> downsample_max(const std::vector<std::pair<double, double>>& points,
                                                       size_t limit = kMaxChartPoints);

// Exposed for tests: tick values covering [lo, hi] in steps of 1, 2 or 5 times
// a power of ten, about `target` of them; the first <= lo, the last >= hi.
std::vector<double> nice_ticks(double lo, double hi, int target);

// Exposed for tests: where percentile p (0 <= p < 100) sits on a nines axis,
// -log10(1 - p/100): 90 -> 1, 99 -> 2, 99.9 -> 3.
double nines(double percentile);

}  // namespace greenlight
