// Number formatting shared by the JUnit, JSON and HTML reports.
#include "reports/report_format.h"

#include <cmath>

#include <fmt/format.h>

namespace greenlight {

std::string format_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  double magnitude = std::fabs(value);
  // Tiny values would round to "0" with fixed decimals, hiding a real reading.
  if (magnitude != 0 && magnitude < 1e-3) return fmt::format("{:.3g}", value);
  int int_digits = magnitude < 1 ? 1 : static_cast<int>(std::floor(std::log10(magnitude))) + 1;
  int decimals = std::max(0, 6 - int_digits);
  std::string s = fmt::format("{:.{}f}", value, decimals);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

std::string format_figure(const Figure& f) {
  std::string v = format_number(f.value);
  return f.unit.empty() ? v : v + " " + f.unit;
}

std::string junit_seconds(double s) {
  if (!std::isfinite(s) || s < 0) s = 0;
  return fmt::format("{:.3f}", s);
}

double json_seconds(double s) {
  if (!std::isfinite(s)) return 0;
  return std::round(s * 1000) / 1000;
}

}  // namespace greenlight
