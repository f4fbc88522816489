// The Prometheus text exposition format (version 0.0.4), parsed strictly: what
// a target serves on /metrics must be something Prometheus will scrape, so the
// rules Prometheus and promtool enforce are errors here too.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace greenlight {

// A malformed exposition. what() reads "line N: PROBLEM: OFFENDING LINE" (the
// line trimmed to about 120 characters, control bytes escaped); `line` is 0
// when the problem is the input as a whole (e.g. too big).
class ExpositionError : public std::runtime_error {
 public:
  ExpositionError(int line, const std::string& message);
  int line = 0;
};

struct Label {
  std::string name, value;  // value unescaped
};

struct Sample {
  std::string name;  // as written: "rpc_seconds_bucket", not the family name
  std::vector<Label> labels;  // in exposition order
  double value = 0;
  std::optional<int64_t> timestamp_ms;
  int line = 0;  // 1-based
};

struct MetricFamily {
  std::string name;
  std::string type = "untyped";  // counter, gauge, histogram, summary or untyped
  std::string help;              // unescaped
  std::vector<Sample> samples;   // histogram/summary: _bucket, _sum, _count and quantile samples too
};

struct Exposition {
  std::vector<MetricFamily> families;  // in order of first mention

  // The family named exactly `name`, or nullptr.
  const MetricFamily* family(std::string_view name) const;
  // Every sample whose own name is `sample_name` ("x_bucket" finds buckets).
  std::vector<const Sample*> samples(std::string_view sample_name) const;
  // Distinct sample names, in exposition order.
  std::vector<std::string> sample_names() const;
};

inline constexpr std::size_t kMaxExpositionBytes = 64u << 20;
inline constexpr std::size_t kMaxExpositionLineBytes = 1u << 20;
// More series (samples) or families than this is an error: the parsed form
// takes ~300-400 bytes per series, so a hostile 16 MiB body of a million tiny
// series would otherwise cost the run ~300 MB, and 1.6 million one-sample
// families ~640 MB. This bounds it to ~150-220 MB. Real targets stay far below
// (a single target with over 100 000 series is already exceptional).
inline constexpr std::size_t kMaxExpositionSeries = 500'000;

// Throws ExpositionError on the first problem. Linear in the input size.
Exposition parse_exposition(std::string_view text);

// A float as Go's ParseFloat reads it in the format: decimal or scientific,
// NaN, [+-]Inf, [+-]Infinity (case-insensitive). nullopt when not a number or
// out of double range (underflow reads as 0, like Go). Hex floats are refused.
std::optional<double> parse_exposition_float(std::string_view text);

// "1", "0.25", "1e+21", "NaN", "+Inf", "-Inf": shortest text that reads back exactly.
std::string format_sample_value(double value);

// `name{a="x",b="y\"z"}` (labels in exposition order, values escaped), or just
// `name` without labels: how users recognise a series in messages.
std::string series_name(const Sample& sample);
std::string series_name(std::string_view name, const std::vector<Label>& labels);

// Name syntax of the exposition format, shared with the assertion parser:
// metric names [a-zA-Z_:][a-zA-Z0-9_:]*, label names [a-zA-Z_][a-zA-Z0-9_]*.
inline bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_metric_start(char c) { return is_ascii_alpha(c) || c == '_' || c == ':'; }
inline bool is_metric_char(char c) { return is_metric_start(c) || is_ascii_digit(c); }
inline bool is_label_start(char c) { return is_ascii_alpha(c) || c == '_'; }
inline bool is_label_char(char c) { return is_label_start(c) || is_ascii_digit(c); }

}  // namespace greenlight
