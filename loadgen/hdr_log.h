// HdrHistogram's interchange formats, so load results can be merged across
// shards and opened with the reference tools (HistogramLogProcessor, HdrHistogram
// plotters, jHiccup tooling):
//
//  * the V2 histogram encoding: a 40-byte big-endian header (cookie 0x1c849313,
//    payload length, normalizing index offset 0, significant digits, lowest
//    discernible value, highest trackable value, integer-to-double ratio 1.0)
//    and the counts as ZigZag LEB128 (9 bytes at most), a negative number
//    standing for that many zero counts. The compressed form (cookie
//    0x1c849314) is that, zlib-deflated, after its own cookie and length. The
//    cookies are the V2 bases 0x1c849303/04 with the word-size nibble 0x10 the
//    reference writes; readers mask that nibble off.
//  * the interval log, version 1.3:
//      #[Histogram log format version 1.3]
//      #[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]
//      #[BaseTime: 1700000000.000 (seconds since epoch)]
//      "StartTimestamp","Interval_Length","Interval_Max","Interval_Compressed_Histogram"
//      [Tag=<tag>,]<start s>,<length s>,<max>,<base64 of the compressed form>
//    StartTimestamp is relative to BaseTime. Interval_Max is max / unit ratio:
//    our histograms hold microseconds and the ratio is 1000, so it reads in
//    milliseconds (the reference writer's default ratio, 1e6, assumes
//    nanoseconds). Readers, ours and HistogramLogReader alike, ignore it and
//    take the max from the histogram; HistogramLogProcessor needs
//    `-outputValueUnitRatio 1000` to print our logs in milliseconds.
//
// All functions are thread-compatible: no shared state.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "loadgen/histogram.h"

namespace greenlight {

// The uncompressed V2 encoding of h (only counts up to h's max are written).
std::string encode_histogram(const Histogram& h);
// The compressed V2 encoding (what the log carries, before base64).
std::string encode_compressed_histogram(const Histogram& h);
// Decodes either V2 form into a Histogram with the encoded highest and
// significant digits. On malformed or unsupported input (V0/V1 encodings, a
// lowest discernible value other than 1, significant digits 0, a truncated or
// oversized payload) returns nullopt and stores the reason in *error.
std::optional<Histogram> decode_histogram(std::string_view bytes, std::string* error);

// RFC 4648 base64 with padding, as the reference uses. decode returns nullopt
// on a character outside the alphabet or a bad length.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// Writes one interval log. The header is written by the constructor; the
// stream's errors are the caller's to check (out.good()).
class HdrLogWriter {
 public:
  // start_time_ms: the run's start, milliseconds since the epoch; written as
  // both StartTime and BaseTime, so interval starts are offsets into the run.
  // max_value_unit_ratio divides the Interval_Max column (see above).
  HdrLogWriter(std::ostream& out, int64_t start_time_ms, double max_value_unit_ratio = 1000.0);

  // A "#<text>" line; text must not contain a newline.
  void write_comment(std::string_view text);
  // One interval: start_s seconds after the start time, length_s long. A tag
  // names a series (e.g. an endpoint); REQUIRES: no ',', space, tab, CR or LF
  // in it (the reference splits on them); throws std::invalid_argument.
  void write_interval(double start_s, double length_s, const Histogram& h, std::string_view tag = {});

 private:
  std::ostream& out_;
  double ratio_;
};

struct HdrLogInterval {
  std::string tag;      // "" when untagged
  double start_s = 0;   // absolute start, seconds since the epoch (as HistogramLogReader computes it)
  double offset_s = 0;  // start_s minus the log's StartTime (start_s itself if it has none)
  double length_s = 0;
  double max = 0;       // the Interval_Max column as written; informational
  Histogram histogram{};
};

// Reads an interval log one interval at a time (a long run's log need not fit
// in memory as histograms). Accepts logs from HdrLogWriter, HdrHistogram Java's
// HistogramLogWriter and HdrHistogram_c. Comments and the legend are skipped.
//
//   HdrLogReader reader(in);
//   HdrLogInterval interval;
//   while (reader.next(&interval)) merged.add(interval.histogram);
//   if (!reader.error().empty()) ...
class HdrLogReader {
 public:
  explicit HdrLogReader(std::istream& in);

  // Stores the next interval in *out and returns true; returns false at the
  // end of the log or on the first malformed line (then error() says which
  // line and why, and later calls keep returning false).
  bool next(HdrLogInterval* out);
  const std::string& error() const { return error_; }

  // Header values seen so far (they precede the intervals); nullopt if absent.
  std::optional<double> start_time_s() const { return start_time_s_; }
  std::optional<double> base_time_s() const { return base_time_s_; }
  const std::string& format_version() const { return version_; }  // "1.3"; "" if absent

 private:
  bool fail(const std::string& why);

  std::istream& in_;
  int line_number_ = 0;
  std::string error_;
  std::string version_;
  std::optional<double> start_time_s_;
  std::optional<double> base_time_s_;
  std::optional<double> deduced_base_s_;  // settled by the first interval
};

}  // namespace greenlight
