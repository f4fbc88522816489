// Feeds: the bytes as a /metrics body to the Prometheus text exposition parser
// (suites/smoke/exposition.h parse_exposition).
// Asserts beyond "no crash":
//  * the only exception is ExpositionError, its line within 0..lines+1;
//  * what parses can be written back (HELP, TYPE, series_name, value,
//    timestamp) and that text parses to the same families: names, types, help,
//    sample names, labels and values (NaN as NaN), timestamps;
//  * format_sample_value of every value reads back exactly through
//    parse_exposition_float;
//  * the lookup helpers agree with the families (family(name), samples(name)).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "suites/smoke/exposition.h"

using namespace greenlight;

namespace {

std::string escape_help(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string write(const Exposition& e) {
  std::string out;
  for (const MetricFamily& f : e.families) {
    if (!f.help.empty()) out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
    if (f.type != "untyped") out += "# TYPE " + f.name + " " + f.type + "\n";
    for (const Sample& s : f.samples) {
      out += series_name(s) + " " + format_sample_value(s.value);
      if (s.timestamp_ms) out += " " + std::to_string(*s.timestamp_ms);
      out += "\n";
    }
  }
  return out;
}

bool same_value(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Exposition e;
  try {
    e = parse_exposition(text);
  } catch (const ExpositionError& err) {
    int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    FUZZ_ASSERT(err.line >= 0 && err.line <= lines + 1);
    return 0;
  }
  for (const MetricFamily& f : e.families) {
    FUZZ_ASSERT(e.family(f.name) == &f);
    for (const Sample& s : f.samples) {
      auto back = parse_exposition_float(format_sample_value(s.value));
      FUZZ_ASSERT(back.has_value() && same_value(*back, s.value));
      FUZZ_ASSERT(s.line >= 1);
      auto found = e.samples(s.name);
      FUZZ_ASSERT(std::find(found.begin(), found.end(), &s) != found.end());
    }
  }

  std::string written = write(e);
  Exposition again;
  try {
    again = parse_exposition(written);
  } catch (const ExpositionError& err) {
    std::fprintf(stderr, "the written form does not parse: %s\n---\n%s---\n", err.what(), written.c_str());
    std::abort();
  }
  // A family that only had a `# TYPE x untyped` and no HELP or sample is not written back.
  size_t k = 0;
  for (const MetricFamily& f : e.families) {
    if (f.help.empty() && f.type == "untyped" && f.samples.empty()) continue;
    FUZZ_ASSERT(k < again.families.size());
    const MetricFamily& g = again.families[k++];
    FUZZ_ASSERT(f.name == g.name && f.type == g.type && f.help == g.help);
    FUZZ_ASSERT(f.samples.size() == g.samples.size());
    for (size_t i = 0; i < f.samples.size(); ++i) {
      const Sample& a = f.samples[i];
      const Sample& b = g.samples[i];
      FUZZ_ASSERT(a.name == b.name && a.labels.size() == b.labels.size());
      for (size_t j = 0; j < a.labels.size(); ++j)
        FUZZ_ASSERT(a.labels[j].name == b.labels[j].name && a.labels[j].value == b.labels[j].value);
      FUZZ_ASSERT(same_value(a.value, b.value));
      FUZZ_ASSERT(a.timestamp_ms == b.timestamp_ms);
    }
  }
  FUZZ_ASSERT(k == again.families.size());
  return 0;
}
