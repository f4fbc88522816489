// Donut and bar drawings of outcome counts, as inline SVG (no script, no fetch).
#include "reports/svg_chart.h"

#include <array>
#include <numbers>

#include <fmt/format.h>

namespace greenlight {

namespace {

struct Segment {
  const char* cls;
  const char* label;
  int n;
};

// One drawing order everywhere, so a reader learns it once.
std::array<Segment, 4> segments(const Counts& c) {
  return {{{"seg-passed", "passed", c.passed},
           {"seg-failed", "failed", c.failed},
           {"seg-error", "error", c.error},
           {"seg-skipped", "skipped", c.skipped}}};
}

}  // namespace

std::string outcome_donut(const Counts& c) {
  constexpr double r = 48, stroke = 16, size = 2 * r + stroke + 4;
  const double circumference = 2 * std::numbers::pi * r;
  const double mid = size / 2;
  std::string out = fmt::format(
      "<svg class=\"donut\" viewBox=\"0 0 {0} {0}\" width=\"{0}\" height=\"{0}\" role=\"img\" "
      "aria-label=\"{1} passed, {2} failed, {3} errors, {4} skipped\">"
      "<circle class=\"seg-track\" cx=\"{5}\" cy=\"{5}\" r=\"{6}\" fill=\"none\" stroke-width=\"{7}\"/>",
      size, c.passed, c.failed, c.error, c.skipped, mid, r, stroke);
  int total = c.total();
  double offset = 0;
  for (const Segment& s : segments(c)) {
    if (s.n == 0 || total == 0) continue;
    double len = circumference * s.n / total;
    // Dash of `len` then a gap of the rest; rotated so the first segment starts at 12 o'clock.
    out += fmt::format(
        "<circle class=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"none\" stroke-width=\"{}\" "
        "stroke-dasharray=\"{:.3f} {:.3f}\" stroke-dashoffset=\"{:.3f}\" transform=\"rotate(-90 {} {})\">"
        "<title>{}: {}</title></circle>",
        s.cls, mid, mid, r, stroke, len, circumference - len, -offset, mid, mid, s.label, s.n);
    offset += len;
  }
  out += fmt::format(
      "<text class=\"donut-total\" x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">{2}</text>"
      "<text class=\"donut-caption\" x=\"{0}\" y=\"{3}\" text-anchor=\"middle\">{4}</text></svg>",
      mid, mid + 6, total, mid + 22, total == 1 ? "check" : "checks");
  return out;
}

std::string outcome_bar(const Counts& c) {
  constexpr double width = 160, height = 10;
  std::string out = fmt::format(
      "<svg class=\"bar\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" role=\"img\" "
      "aria-label=\"{2} passed, {3} failed, {4} errors, {5} skipped\">"
      "<rect class=\"seg-track\" x=\"0\" y=\"0\" width=\"{0}\" height=\"{1}\"/>",
      width, height, c.passed, c.failed, c.error, c.skipped);
  int total = c.total();
  double x = 0;
  for (const Segment& s : segments(c)) {
    if (s.n == 0 || total == 0) continue;
    double w = width * s.n / total;
    out += fmt::format("<rect class=\"{}\" x=\"{:.2f}\" y=\"0\" width=\"{:.2f}\" height=\"{}\"><title>{}: {}</title></rect>",
                       s.cls, x, w, height, s.label, s.n);
    x += w;
  }
  out += "</svg>";
  return out;
}

}  // namespace greenlight
