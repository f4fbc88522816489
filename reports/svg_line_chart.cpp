// Line charts of series as inline SVG: scales and ticks, legend, polylines.
// Text widths are estimated (no font metrics without a browser), so the layout
// leaves generous room rather than measuring.
#include "reports/svg_line_chart.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "reports/escape.h"
#include "reports/report_format.h"

namespace greenlight {

namespace {

using Points = std::vector<std::pair<double, double>>;

// Okabe-Ito colours: distinguishable with the common colour-vision
// deficiencies, and dark enough to read on white.
constexpr const char* kPalette[] = {"#0072b2", "#e69f00", "#cc79a7", "#009e73", "#56b4e9", "#d55e00", "#3d444d"};
constexpr const char* kSloColour = "#cf222e";       // the report's "failed" red: crossing it fails
constexpr const char* kCapacityColour = "#1a7f37";  // the report's "passed" green: what the target sustains
constexpr const char* kText = "#1f2328";
constexpr const char* kMuted = "#59636e";
constexpr const char* kGrid = "#e6eaef";
constexpr const char* kAxis = "#8c959f";

// Few enough points to mark (and label) each one: sweeps and spectra, not time series.
constexpr size_t kMaxMarkedPoints = 40;

constexpr double kTickFont = 11, kLegendFont = 12, kTitleFont = 13;
constexpr double kLegendRow = 18;

enum class Role { data, slo, capacity };
enum class Scale { linear, log, nines };

struct Tick {
  double at;  // axis coordinate
  std::string label;
};

struct Axis {
  double lo = 0, hi = 1;  // axis coordinates at the plot's edges
  std::vector<Tick> ticks;
};

// A series ready to draw: the points its scales can place, downsampled.
struct Line {
  const Series* series;
  Role role;
  std::string colour;
  size_t total = 0;          // drawable points before downsampling
  double y_lo = 0, y_hi = 0;  // over all of them: thinning keeps highs, not lows
  Points values;             // in the series' units
  Points coords;     // in axis coordinates
};

struct Box {
  double left, top, right, bottom;
  double width() const { return right - left; }
  double height() const { return bottom - top; }
};

bool starts_with_word(const std::string& s, std::string_view word) {
  if (s.size() < word.size()) return false;
  for (size_t i = 0; i < word.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != word[i]) return false;
  return s.size() == word.size() || s[word.size()] == ' ';
}

// Threshold and capacity lines are named, not flagged, in the result model.
Role role_of(const Series& s) {
  if (starts_with_word(s.name, "slo")) return Role::slo;
  if (starts_with_word(s.name, "capacity")) return Role::capacity;
  return Role::data;
}

std::optional<double> to_coord(Scale scale, double v) {
  if (!std::isfinite(v)) return std::nullopt;
  switch (scale) {
    case Scale::linear: return v;
    case Scale::log: return v > 0 ? std::optional(std::log10(v)) : std::nullopt;
    case Scale::nines: return v >= 0 && v < 100 ? std::optional(nines(v)) : std::nullopt;
  }
  return std::nullopt;
}

Points drawable(const Series& s, Scale xs, Scale ys) {
  Points out;
  out.reserve(s.points.size());
  for (const auto& [x, y] : s.points)
    if (to_coord(xs, x) && to_coord(ys, y)) out.emplace_back(x, y);
  return out;
}

// Spectra run from a fraction of a millisecond to seconds: only a log scale
// shows both the median and the tail.
bool wants_log_y(const std::vector<const Series*>& series) {
  double lo = INFINITY, hi = 0;
  for (const Series* s : series)
    for (const auto& [x, y] : drawable(*s, Scale::nines, Scale::log)) lo = std::min(lo, y), hi = std::max(hi, y);
  return hi > 0 && hi / lo > 100;
}

std::vector<Line> lines_of(const std::vector<const Series*>& series, Scale xs, Scale ys) {
  std::vector<Line> out;
  size_t next_colour = 0;
  for (const Series* s : series) {
    Line l{s, role_of(*s), "", 0, 0, 0, {}, {}};
    if (l.role == Role::slo) l.colour = kSloColour;
    else if (l.role == Role::capacity) l.colour = kCapacityColour;
    else l.colour = kPalette[next_colour++ % std::size(kPalette)];
    Points all = drawable(*s, xs, ys);
    l.total = all.size();
    if (!all.empty()) {
      auto [lo, hi] = std::minmax_element(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
      l.y_lo = lo->second, l.y_hi = hi->second;
    }
    l.values = downsample_max(all);
    for (const auto& [x, y] : l.values) l.coords.emplace_back(*to_coord(xs, x), *to_coord(ys, y));
    out.push_back(std::move(l));
  }
  return out;
}

// Tick labels stay short: 12000 req/s reads as "12k".
std::string compact_number(double v) {
  double a = std::fabs(v);
  if (a >= 1e6) return format_number(v / 1e6) + "M";
  if (a >= 1e4) return format_number(v / 1e3) + "k";
  return format_number(v);
}

// "99.9%" for the percentile 99.9, "12 ms" for 12 with unit "ms".
std::string with_unit(double v, const std::string& unit) {
  if (unit.empty()) return format_number(v);
  if (unit == "%") return format_number(v) + "%";
  return format_number(v) + " " + unit;
}

// "90%", "99%", "99.9%", ... for 1, 2, 3 nines.
std::string nines_label(int k) {
  if (k <= 0) return "0%";
  if (k == 1) return "90%";
  return "99" + (k > 2 ? "." + std::string(k - 2, '9') : std::string()) + "%";
}

Axis linear_axis(double lo, double hi, int target, bool from_zero) {
  if (from_zero && lo > 0) lo = 0;
  if (hi - lo <= std::fabs(hi) * 1e-12) {  // one value: give it some room
    double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    hi += pad;
    if (!(from_zero && lo == 0)) lo -= pad;
  }
  Axis a;
  for (double t : nice_ticks(lo, hi, target)) a.ticks.push_back({t, compact_number(t)});
  a.lo = a.ticks.front().at;
  a.hi = a.ticks.back().at;
  return a;
}

// log10 of the nearest value of 1, 2 or 5 times a power of ten at or below
// (direction -1) or at or above (+1) the coordinate c.
double log_step_bound(double c, int direction) {
  double decade = std::floor(c);
  double best = direction < 0 ? decade : decade + 1;
  for (double m : {1.0, 2.0, 5.0}) {
    double at = decade + std::log10(m);
    if (direction < 0 && at <= c + 1e-9) best = std::max(best, at);
    if (direction > 0 && at >= c - 1e-9) best = std::min(best, at);
  }
  return best;
}

// Ends at the 1-2-5 values around the data (5 to 2000 ms, not 1 to 10000, which
// wastes a third of the height); ticks at the decades, with 2 and 5 between
// them when two decades or less show.
Axis log_axis(double lo, double hi) {
  Axis a{log_step_bound(lo, -1), log_step_bound(hi, +1), {}};
  if (a.hi - a.lo < 1e-9) a.lo = log_step_bound(lo - 0.3, -1), a.hi = log_step_bound(hi + 0.3, +1);
  bool fine = a.hi - a.lo <= 2 + 1e-9;
  for (int k = static_cast<int>(std::floor(a.lo)); k <= static_cast<int>(std::ceil(a.hi)); ++k)
    for (double m : {1.0, 2.0, 5.0}) {
      double at = k + std::log10(m);
      if ((m == 1 || fine) && at >= a.lo - 1e-9 && at <= a.hi + 1e-9) a.ticks.push_back({at, compact_number(m * std::pow(10.0, k))});
    }
  return a;
}

// Whole nines (90%, 99%, 99.9%, ...), and 0% and 50% when the data reaches below 90%.
Axis nines_axis(double lo, double hi) {
  const double fifty = nines(50);
  double first = lo >= 1 - 1e-9 ? std::floor(lo + 1e-9) : lo >= fifty - 1e-9 ? fifty : 0;
  int last = std::max(1, static_cast<int>(std::ceil(hi - 1e-9)));
  if (last <= first) last = static_cast<int>(std::floor(first)) + 1;
  Axis a{first, double(last), {}};
  if (first == 0) a.ticks.push_back({0, nines_label(0)});
  if (first <= fifty) a.ticks.push_back({fifty, "50%"});
  for (int k = std::max(1, static_cast<int>(std::ceil(first))); k <= last; ++k) a.ticks.push_back({double(k), nines_label(k)});
  return a;
}

double text_width(const std::string& text, double font_px) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;  // code points, not bytes
  return chars * font_px * 0.6;
}

// Where coord sits between the axis' ends, 0 to 1. Halved first, so that an
// axis from -1e308 to 1e308 does not overflow into inf / inf.
double fraction(const Axis& a, double coord) { return (coord / 2 - a.lo / 2) / (a.hi / 2 - a.lo / 2); }

// Clamped: a value the axis could not take in (beyond 1e308) still gives a
// short, finite coordinate.
double px_x(const Axis& a, const Box& b, double coord) { return std::clamp(b.left + fraction(a, coord) * b.width(), -1e5, 1e5); }
double px_y(const Axis& a, const Box& b, double coord) { return std::clamp(b.bottom - fraction(a, coord) * b.height(), -1e5, 1e5); }

std::string legend_label(const Line& l) {
  return l.values.empty() ? l.series->name + " (no data)" : l.series->name;
}

// Rows of legend items, each item's width included, wrapped to `room` pixels.
std::vector<std::vector<std::pair<const Line*, double>>> legend_rows(const std::vector<Line>& lines, double room) {
  std::vector<std::vector<std::pair<const Line*, double>>> rows(1);
  double used = 0;
  for (const Line& l : lines) {
    double w = 24 + text_width(legend_label(l), kLegendFont) + 18;
    if (used > 0 && used + w > room) rows.emplace_back(), used = 0;
    rows.back().emplace_back(&l, w);
    used += w;
  }
  return rows;
}

std::string stroke_attrs(const Line& l) {
  std::string out = fmt::format("fill=\"none\" stroke=\"{}\" stroke-linejoin=\"round\" stroke-linecap=\"round\"", l.colour);
  if (l.role == Role::data) return out + " stroke-width=\"1.75\"";
  return out + " stroke-width=\"1.5\" stroke-dasharray=\"6 4\"";
}

std::string series_summary(const Line& l) {
  const Series& s = *l.series;
  if (l.values.empty()) return s.name + ": no data";
  std::string range = l.y_lo == l.y_hi ? with_unit(l.y_lo, s.y_unit) : format_number(l.y_lo) + " to " + with_unit(l.y_hi, s.y_unit);
  std::string count = l.values.size() == l.total
                          ? fmt::format("{} point{}", l.total, l.total == 1 ? "" : "s")
                          : fmt::format("{} points, drawn as {}: the highest of each {} in a row", l.total, l.values.size(),
                                        (l.total + kMaxChartPoints - 1) / kMaxChartPoints);
  return s.name + ": " + range + " (" + count + ")";
}

std::string legend_svg(const std::vector<Line>& lines, double left, double top, double room) {
  std::string out = "<g class=\"legend\">";
  double y = top + kLegendRow / 2;
  for (const auto& row : legend_rows(lines, room)) {
    double x = left;
    for (const auto& [l, w] : row) {
      out += fmt::format("<g><title>{}</title><line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" {}/>",
                         xml_text(series_summary(*l)), x, y, x + 18, y, stroke_attrs(*l));
      out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{}\" fill=\"{}\">{}</text></g>", x + 24, y + 4,
                         kLegendFont, l->values.empty() ? kMuted : kText, xml_text(legend_label(*l)));
      x += w;
    }
    y += kLegendRow;
  }
  return out + "</g>";
}

std::string grid_and_axes(const Axis& x, const Axis& y, const Box& b) {
  std::string out = fmt::format("<g class=\"grid\" stroke=\"{}\" stroke-width=\"1\">", kGrid);
  for (const Tick& t : y.ticks) out += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{2:.1f}\" y2=\"{1:.1f}\"/>", b.left, px_y(y, b, t.at), b.right);
  for (const Tick& t : x.ticks) out += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1:.1f}\" x2=\"{0:.1f}\" y2=\"{2:.1f}\"/>", px_x(x, b, t.at), b.top, b.bottom);
  out += "</g>";
  out += fmt::format("<path d=\"M{:.1f} {:.1f}V{:.1f}H{:.1f}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1\"/>", b.left, b.top,
                     b.bottom, b.right, kAxis);
  return out;
}

std::string tick_labels(const Axis& x, const Axis& y, const Box& b) {
  std::string out = fmt::format("<g class=\"ticks\" font-size=\"{}\" fill=\"{}\">", kTickFont, kMuted);
  for (const Tick& t : y.ticks)
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>", b.left - 6, px_y(y, b, t.at) + 4,
                       xml_text(t.label));
  // Crowded x labels (50% next to 0% on a long nines axis) are dropped; their grid lines stay.
  double free_from = -INFINITY;
  for (const Tick& t : x.ticks) {
    double at = px_x(x, b, t.at), half = text_width(t.label, kTickFont) / 2;
    if (at - half < free_from) continue;
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>", at, b.bottom + 16, xml_text(t.label));
    free_from = at + half + 6;
  }
  return out + "</g>";
}

// Units in the style of Observable Plot: "↑ ms" over the y tick labels, "s →"
// under the end of the x axis. Short and never rotated.
std::string unit_labels(const std::string& x_unit, const std::string& y_unit, double y_label_left, const Box& b) {
  std::string out;
  if (!y_unit.empty())
    out += fmt::format("<text class=\"unit\" x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"{}\" fill=\"{}\">\u2191 {}</text>", y_label_left,
                       b.top - 10, kTickFont, kMuted, xml_text(y_unit));
  if (!x_unit.empty())
    out += fmt::format("<text class=\"unit\" x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\" font-size=\"{}\" fill=\"{}\">{} \u2192</text>",
                       b.right, b.bottom + 32, kTickFont, kMuted, xml_text(x_unit));
  return out;
}

std::string point_title(const Line& l, std::pair<double, double> v) {
  const Series& s = *l.series;
  return s.name + ": " + with_unit(v.second, s.y_unit) + " at " + with_unit(v.first, s.x_unit);
}

std::string line_svg(const Line& l, const Axis& x, const Axis& y, const Box& b) {
  if (l.coords.empty()) return "";
  std::string pts;
  pts.reserve(l.coords.size() * 14);
  for (const auto& [cx, cy] : l.coords) {
    if (!pts.empty()) pts += ' ';
    pts += fmt::format("{:.1f},{:.1f}", px_x(x, b, cx), px_y(y, b, cy));
  }
  std::string out = fmt::format("<g class=\"series\"><title>{}</title><polyline class=\"line\" {} points=\"{}\"/>",
                                xml_text(series_summary(l)), stroke_attrs(l), pts);
  // A sweep's few points are each a measurement worth pointing at (and a single
  // point draws no line at all).
  if (l.role == Role::data && l.coords.size() <= kMaxMarkedPoints) {
    for (size_t i = 0; i < l.coords.size(); ++i)
      out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.75\" fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"1\"><title>{}</title></circle>",
                         px_x(x, b, l.coords[i].first), px_y(y, b, l.coords[i].second), l.colour,
                         xml_text(point_title(l, l.values[i])));
  }
  return out + "</g>";
}

// Axis coordinates' extent over all lines: {xlo, xhi, ylo, yhi}.
std::optional<std::array<double, 4>> extent(const std::vector<Line>& lines) {
  std::array<double, 4> e{INFINITY, -INFINITY, INFINITY, -INFINITY};
  for (const Line& l : lines)
    for (const auto& [x, y] : l.coords) {
      e[0] = std::min(e[0], x), e[1] = std::max(e[1], x);
      e[2] = std::min(e[2], y), e[3] = std::max(e[3], y);
    }
  if (e[0] > e[1]) return std::nullopt;
  return e;
}

double widest(const std::vector<Tick>& ticks) {
  double w = 0;
  for (const Tick& t : ticks) w = std::max(w, text_width(t.label, kTickFont));
  return w;
}

}  // namespace

double nines(double percentile) { return -std::log10(1 - percentile / 100); }

std::vector<std::pair<double, double>> downsample_max(const std::vector<std::pair<double, double>>& points, size_t limit) {
  if (limit == 0 || points.size() <= limit) return points;
  size_t per_bucket = (points.size() + limit - 1) / limit;
  std::vector<std::pair<double, double>> out;
  out.reserve(limit);
  for (size_t i = 0; i < points.size(); i += per_bucket) {
    auto end = points.begin() + static_cast<std::ptrdiff_t>(std::min(points.size(), i + per_bucket));
    out.push_back(*std::max_element(points.begin() + static_cast<std::ptrdiff_t>(i), end,
                                    [](const auto& a, const auto& b) { return a.second < b.second; }));
  }
  return out;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return {0, 1};
  if (lo > hi) std::swap(lo, hi);
  if (hi == lo) hi = lo + (lo == 0 ? 1 : std::fabs(lo) * 0.1);
  double rough = (hi - lo) / std::max(1, target);
  double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
  double norm = rough / magnitude;
  // The step of 1, 2, 5 or 10 nearest to the rough one on a log scale.
  double step = magnitude * (norm >= std::sqrt(50.0) ? 10 : norm >= std::sqrt(10.0) ? 5 : norm >= std::sqrt(2.0) ? 2 : 1);
  double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
  // Near the limits of double (a range of 1e308, or 1e17 +- 10) the steps
  // overflow or vanish: the data's own ends are the best ticks left.
  double count = last - first + 1;
  if (!std::isfinite(step) || step <= 0 || !(count >= 2 && count <= 4.0 * std::max(1, target) + 4) ||
      std::fabs(first) >= 0x1p52 || std::fabs(last) >= 0x1p52)
    return {lo, hi};
  std::vector<double> ticks;
  // Multiplying an integer index (not adding steps) keeps 0.1 * 3 from drifting further.
  for (int k = 0; k < static_cast<int>(count); ++k) ticks.push_back((first + k) * step);
  return ticks;
}

std::string line_chart_svg(const std::vector<const Series*>& series_of_one_chart, int width, int height) {
  std::vector<const Series*> series;
  for (const Series* s : series_of_one_chart)
    if (s) series.push_back(s);
  // A chart's series share units and scale: the first one speaks for all.
  const Series none;
  const Series& first = series.empty() ? none : *series.front();
  Scale xs = first.log_x ? Scale::nines : Scale::linear;
  Scale ys = first.log_x && wants_log_y(series) ? Scale::log : Scale::linear;
  std::vector<Line> lines = lines_of(series, xs, ys);

  const double margin = 14, legend_top = 26, legend_room = width - margin - 16;
  double legend_bottom = legend_top + legend_rows(lines, legend_room).size() * kLegendRow;
  double total_height = height + legend_bottom - (legend_top + kLegendRow);  // taller by any extra legend rows

  std::string out = fmt::format(
      "<svg class=\"line-chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
      "role=\"img\" aria-label=\"{2}\" style=\"display:block;max-width:100%;height:auto\">",
      width, total_height, xml_attr(first.chart.empty() ? "chart" : first.chart));
  out += fmt::format("<text class=\"chart-title\" x=\"{}\" y=\"17\" font-size=\"{}\" font-weight=\"600\" fill=\"{}\">{}</text>",
                     margin, kTitleFont, kText, xml_text(first.chart));
  out += legend_svg(lines, margin, legend_top, legend_room);

  auto e = extent(lines);
  if (!e) {
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\" font-size=\"{}\" fill=\"{}\">no data to draw</text>",
                       width / 2.0, (legend_bottom + total_height) / 2, kLegendFont, kMuted);
    return out + "</svg>";
  }

  std::string x_label = first.log_x ? "percentile" : first.x_unit;
  std::string y_label = first.y_unit.empty() || ys == Scale::linear ? first.y_unit : first.y_unit + " (log scale)";
  Box box{0, legend_bottom + (y_label.empty() ? 12 : 26), 0, total_height - (x_label.empty() ? 26 : 42)};
  Axis y = ys == Scale::log ? log_axis((*e)[2], (*e)[3])
                            : linear_axis((*e)[2], (*e)[3], std::max(2, int(box.height() / 36)), (*e)[2] >= 0);
  box.left = margin + widest(y.ticks) + 6;
  box.right = width - 20.0;
  Axis x = xs == Scale::nines ? nines_axis((*e)[0], (*e)[1])
                              : linear_axis((*e)[0], (*e)[1], std::max(2, int(box.width() / 90)), false);
  // The last x label is centred on the plot's right edge: keep it inside the SVG.
  box.right = width - std::max(12.0, text_width(x.ticks.back().label, kTickFont) / 2 + 4);

  out += grid_and_axes(x, y, box) + tick_labels(x, y, box) + unit_labels(x_label, y_label, margin, box);
  // Thresholds under the data, so a line touching one stays visible.
  for (const Line& l : lines)
    if (l.role != Role::data) out += line_svg(l, x, y, box);
  for (const Line& l : lines)
    if (l.role == Role::data) out += line_svg(l, x, y, box);
  return out + "</svg>";
}

}  // namespace greenlight
