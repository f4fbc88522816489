// Parsing and printing of Go/Prometheus-style durations.
#include "harness/duration.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace greenlight {

std::optional<Duration> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (i == start) return std::nullopt;
    double value = std::strtod(text.substr(start, i - start).c_str(), nullptr);
    size_t unit_start = i;
    while (i < text.size() && isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    double scale;
    if (unit == "us" || unit == "µs") scale = 1e-6;
    else if (unit == "ms") scale = 1e-3;
    else if (unit == "s") scale = 1;
    else if (unit == "m") scale = 60;
    else if (unit == "h") scale = 3600;
    else if (unit == "d") scale = 86400;
    else return std::nullopt;
    total += value * scale;
  }
  return Duration(total);
}

std::string format_duration(Duration d) {
  double s = d.count();
  char buf[64];
  if (s < 1e-3) std::snprintf(buf, sizeof buf, "%.0fus", s * 1e6);
  else if (s < 1) std::snprintf(buf, sizeof buf, "%.4gms", s * 1e3);
  else if (s < 60) std::snprintf(buf, sizeof buf, "%.3gs", s);
  else std::snprintf(buf, sizeof buf, "%dm%02ds", int(s / 60), int(std::fmod(s, 60)));
  return buf;
}

}  // namespace greenlight
