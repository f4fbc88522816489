// Feeds: HdrHistogram decoding (loadgen/hdr_log.h). The first byte picks the
// mode; the rest is either
//  * (even) an interval log, read to the end with HdrLogReader, or
//  * (odd) raw bytes for decode_histogram (V2, plain or zlib-compressed) and
//    base64_decode.
// Asserts beyond "no crash":
//  * a decoded histogram (from a log line or raw bytes) has a non-negative
//    count and min <= max; encoding it and decoding that again (both plain
//    and compressed) gives the same counts, highest and significant digits;
//  * the reader stops for good after its first error (error() non-empty and
//    next() keeps returning false);
//  * base64: decode(encode(x)) == x for the raw bytes, and whatever decodes
//    encodes back to text of the same length.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "loadgen/hdr_log.h"
#include "loadgen/histogram.h"

using namespace greenlight;

namespace {

void check_round_trip(const Histogram& h) {
  FUZZ_ASSERT(h.count() >= 0);
  if (h.count() > 0) FUZZ_ASSERT(h.min() <= h.max());
  for (bool compressed : {false, true}) {
    std::string bytes = compressed ? encode_compressed_histogram(h) : encode_histogram(h);
    std::string error;
    std::optional<Histogram> back = decode_histogram(bytes, &error);
    if (!back) {
      std::fprintf(stderr, "re-encoded histogram does not decode: %s\n", error.c_str());
      std::abort();
    }
    FUZZ_ASSERT(back->highest() == h.highest());
    FUZZ_ASSERT(back->significant_digits() == h.significant_digits());
    FUZZ_ASSERT(back->count() == h.count());
    // Counts past the max are not written; compare what is there.
    const auto& a = h.counts();
    const auto& b = back->counts();
    for (size_t i = 0; i < a.size() || i < b.size(); ++i)
      FUZZ_ASSERT((i < a.size() ? a[i] : 0) == (i < b.size() ? b[i] : 0));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  if ((data[0] & 1) == 0) {
    std::istringstream in{std::string(rest)};
    HdrLogReader reader(in);
    HdrLogInterval interval;
    int n = 0;
    while (reader.next(&interval)) {
      FUZZ_ASSERT(reader.error().empty());
      check_round_trip(interval.histogram);
      ++n;
    }
    if (!reader.error().empty()) FUZZ_ASSERT(!reader.next(&interval));
    return 0;
  }
  std::string error;
  std::optional<Histogram> h = decode_histogram(rest, &error);
  if (h) check_round_trip(*h);
  else FUZZ_ASSERT(!error.empty());

  std::string encoded = base64_encode(rest);
  std::optional<std::string> decoded = base64_decode(encoded);
  FUZZ_ASSERT(decoded && *decoded == rest);
  if (auto raw = base64_decode(rest)) FUZZ_ASSERT(base64_encode(*raw).size() == rest.size());
  return 0;
}
