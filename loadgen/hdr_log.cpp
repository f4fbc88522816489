// The HdrHistogram V2 codec and interval log (see hdr_log.h), written from the
// format as HdrHistogram Java 2.1.11 and HdrHistogram_c produce and read it.
#include "loadgen/hdr_log.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace greenlight {

namespace {

// Cookies carry the word size in bits 4..7; V2 always writes 0x10 there and
// readers compare with that nibble masked off.
constexpr uint32_t kV2Encoding = 0x1c849303;
constexpr uint32_t kV2Compressed = 0x1c849304;
constexpr uint32_t kWordSizeNibble = 0x10;
constexpr uint32_t cookie_base(uint32_t cookie) { return cookie & ~uint32_t{0xf0}; }

constexpr size_t kHeaderSize = 40;
constexpr size_t kMaxWordBytes = 9;  // ZigZag LEB128-64b9B

void put32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void put64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t get32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

uint64_t get64(const unsigned char* p) { return (uint64_t{get32(p)} << 32) | get32(p + 4); }

// LEB128 in 7-bit groups, except that the 9th byte carries a full 8 bits, so a
// 64-bit value never needs a 10th byte.
void put_zigzag(std::string& out, int64_t value) {
  uint64_t z = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  for (int i = 0; i < 8; ++i) {
    if ((z >> 7) == 0) {
      out.push_back(static_cast<char>(z));
      return;
    }
    out.push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
}

// Reads one word from [*p, end); false if it runs past end.
bool get_zigzag(const unsigned char** p, const unsigned char* end, int64_t* value) {
  uint64_t z = 0;
  int shift = 0;
  for (int i = 0; i < 9; ++i) {
    if (*p == end) return false;
    const uint64_t byte = *(*p)++;
    if (i == 8) {
      z |= byte << 56;
      break;
    }
    z |= (byte & 0x7f) << shift;
    shift += 7;
    if ((byte & 0x80) == 0) break;
  }
  *value = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  return true;
}

bool set_error(std::string* error, const std::string& why) {
  if (error) *error = why;
  return false;
}

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

struct V2Header {
  uint32_t payload_length = 0;
  int significant_digits = 0;
  int64_t lowest = 0;
  int64_t highest = 0;
};

// Parses and checks the 40-byte header, and makes the (empty) histogram it
// describes, so the caller can bound the payload by that histogram's size.
std::optional<Histogram> histogram_for_header(const unsigned char* p, V2Header* h, std::string* error) {
  const uint32_t cookie = get32(p);
  if (cookie_base(cookie) != kV2Encoding) {
    set_error(error, "not a V2 histogram encoding (cookie " + hex32(cookie) + ")");
    return std::nullopt;
  }
  h->payload_length = get32(p + 4);
  // p + 8 is the normalizing index offset. The reference writes counts in
  // logical (normalized) order whatever the offset, so it does not change
  // which value a count belongs to and can be ignored.
  h->significant_digits = static_cast<int32_t>(get32(p + 12));
  h->lowest = static_cast<int64_t>(get64(p + 16));
  h->highest = static_cast<int64_t>(get64(p + 24));
  double ratio;
  const uint64_t ratio_bits = get64(p + 32);
  std::memcpy(&ratio, &ratio_bits, sizeof ratio);
  if (h->lowest != 1) {
    set_error(error, "lowest discernible value " + std::to_string(h->lowest) + " is not supported (only 1)");
    return std::nullopt;
  }
  if (h->significant_digits < 1 || h->significant_digits > 5) {
    set_error(error, "significant digits " + std::to_string(h->significant_digits) + " is not supported (1..5)");
    return std::nullopt;
  }
  if (ratio != 1.0) {
    set_error(error, "integer-to-double ratio " + std::to_string(ratio) + " (a DoubleHistogram's) is not supported");
    return std::nullopt;
  }
  // The reference raises a too-small highest to 2 * lowest on decode as well.
  Histogram hist(std::max<int64_t>(h->highest, 2), h->significant_digits);
  if (h->payload_length > hist.counts().size() * kMaxWordBytes) {
    set_error(error, "payload length " + std::to_string(h->payload_length) + " is larger than any encoding of this histogram");
    return std::nullopt;
  }
  return hist;
}

bool fill_counts(const unsigned char* p, const unsigned char* end, Histogram* hist, std::string* error) {
  const int64_t length = static_cast<int64_t>(hist->counts().size());
  int64_t index = 0;
  while (p < end) {
    int64_t count;
    if (!get_zigzag(&p, end, &count)) return set_error(error, "payload ends inside a count");
    if (count < 0) {
      if (count == INT64_MIN || -count > length - index) return set_error(error, "a run of zero counts passes the end of the counts array");
      index += -count;
      continue;
    }
    if (index >= length) return set_error(error, "more counts than the histogram has buckets");
    // The total is an int64_t: counts that sum past it would overflow (UB) in
    // add_at_index, and no real histogram records 2^63 values.
    if (count > INT64_MAX - hist->count()) return set_error(error, "the counts add up to more than 2^63-1");
    hist->add_at_index(static_cast<int>(index), count);
    ++index;
  }
  return true;
}

std::optional<Histogram> decode_uncompressed(std::string_view bytes, std::string* error) {
  if (bytes.size() < kHeaderSize) {
    set_error(error, "encoding shorter than its 40-byte header");
    return std::nullopt;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  V2Header header;
  std::optional<Histogram> hist = histogram_for_header(p, &header, error);
  if (!hist) return std::nullopt;
  if (bytes.size() - kHeaderSize < header.payload_length) {
    set_error(error, "payload truncated: header says " + std::to_string(header.payload_length) + " bytes, " +
                         std::to_string(bytes.size() - kHeaderSize) + " present");
    return std::nullopt;
  }
  if (!fill_counts(p + kHeaderSize, p + kHeaderSize + header.payload_length, &*hist, error)) return std::nullopt;
  return hist;
}

// Inflates in two steps, the header first, so that a corrupt or hostile
// stream cannot make us allocate more than the histogram it claims to be.
std::optional<Histogram> decode_compressed(std::string_view bytes, std::string* error) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const uint32_t compressed_length = get32(p + 4);
  if (bytes.size() - 8 < compressed_length) {
    set_error(error, "compressed histogram truncated: " + std::to_string(compressed_length) + " bytes announced, " +
                         std::to_string(bytes.size() - 8) + " present");
    return std::nullopt;
  }
  z_stream z{};
  if (inflateInit(&z) != Z_OK) {
    set_error(error, "zlib inflateInit failed");
    return std::nullopt;
  }
  struct End {
    z_stream* z;
    ~End() { inflateEnd(z); }
  } end{&z};
  z.next_in = const_cast<Bytef*>(p + 8);
  z.avail_in = compressed_length;

  std::string plain(kHeaderSize, '\0');
  auto inflate_into = [&](size_t from, size_t n) {
    z.next_out = reinterpret_cast<Bytef*>(plain.data() + from);
    z.avail_out = static_cast<uInt>(n);
    int rc = Z_OK;
    while (z.avail_out > 0 && rc == Z_OK) rc = inflate(&z, Z_NO_FLUSH);
    return rc;
  };
  int rc = inflate_into(0, kHeaderSize);
  if (z.avail_out != 0) {
    set_error(error, std::string("compressed histogram: ") + (rc == Z_DATA_ERROR ? "corrupt zlib data" : "inflated to less than a header"));
    return std::nullopt;
  }
  V2Header header;
  if (!histogram_for_header(reinterpret_cast<const unsigned char*>(plain.data()), &header, error)) return std::nullopt;
  // One spare byte: the stream must end exactly at the announced payload length.
  plain.resize(kHeaderSize + header.payload_length + 1);
  const bool ended_early = rc == Z_STREAM_END;
  if (!ended_early) rc = inflate_into(kHeaderSize, header.payload_length + 1);
  if (ended_early ? header.payload_length != 0 : (rc != Z_STREAM_END || z.avail_out != 1)) {
    set_error(error, "compressed histogram: inflated payload does not match its announced length of " +
                         std::to_string(header.payload_length) + " bytes");
    return std::nullopt;
  }
  plain.pop_back();
  return decode_uncompressed(plain, error);
}

constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Locale-independent "%.3f": a program that sets LC_NUMERIC must still write
// logs the reference can parse.
std::string fixed3(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
  return std::string(buf, r.ptr);
}

bool parse_double(std::string_view text, double* out) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return false;
  if (text.front() == '+') text.remove_prefix(1);
  auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size() && std::isfinite(*out);
}

// The number after `prefix` in a "#[Prefix: <number> ...]" header line.
bool header_number(std::string_view line, std::string_view prefix, double* out) {
  line.remove_prefix(prefix.size());
  const size_t stop = line.find_first_of(" ,]");
  return parse_double(line.substr(0, stop), out);
}

}  // namespace

std::string encode_histogram(const Histogram& h) {
  std::string out;
  put32(out, kV2Encoding | kWordSizeNibble);
  put32(out, 0);  // payload length, patched below
  put32(out, 0);  // normalizing index offset
  put32(out, static_cast<uint32_t>(h.significant_digits()));
  put64(out, 1);  // lowest discernible value
  put64(out, static_cast<uint64_t>(h.highest()));
  put64(out, 0x3ff0000000000000);  // 1.0 as an IEEE 754 double

  const std::vector<int64_t>& counts = h.counts();
  const size_t limit = h.count() == 0 ? 1 : static_cast<size_t>(h.index_for(h.max())) + 1;
  for (size_t i = 0; i < limit;) {
    const int64_t count = counts[i++];
    if (count != 0) {
      put_zigzag(out, count);
      continue;
    }
    int64_t zeros = 1;
    while (i < limit && counts[i] == 0) ++zeros, ++i;
    put_zigzag(out, zeros > 1 ? -zeros : 0);  // a lone zero is written as 0, as the reference does
  }
  const uint32_t payload = static_cast<uint32_t>(out.size() - kHeaderSize);
  for (int k = 0; k < 4; ++k) out[4 + k] = static_cast<char>((payload >> (24 - 8 * k)) & 0xff);
  return out;
}

std::string encode_compressed_histogram(const Histogram& h) {
  const std::string plain = encode_histogram(h);
  uLongf length = compressBound(static_cast<uLong>(plain.size()));
  std::string out(8 + length, '\0');
  // compress2 writes a zlib stream, which is what java.util.zip.Deflater makes.
  if (compress2(reinterpret_cast<Bytef*>(out.data() + 8), &length, reinterpret_cast<const Bytef*>(plain.data()),
                static_cast<uLong>(plain.size()), Z_DEFAULT_COMPRESSION) != Z_OK)
    throw std::runtime_error("zlib compress2 failed");
  out.resize(8 + length);
  std::string prefix;
  put32(prefix, kV2Compressed | kWordSizeNibble);
  put32(prefix, static_cast<uint32_t>(length));
  out.replace(0, 8, prefix);
  return out;
}

std::optional<Histogram> decode_histogram(std::string_view bytes, std::string* error) {
  if (bytes.size() < 8) {
    set_error(error, "encoding shorter than its 8-byte cookie and length");
    return std::nullopt;
  }
  const uint32_t cookie = get32(reinterpret_cast<const unsigned char*>(bytes.data()));
  if (cookie_base(cookie) == kV2Compressed) return decode_compressed(bytes, error);
  if (cookie_base(cookie) == kV2Encoding) return decode_uncompressed(bytes, error);
  set_error(error, "unsupported histogram encoding (cookie " + hex32(cookie) + "; only V2 is read)");
  return std::nullopt;
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) | static_cast<unsigned char>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kBase64Alphabet[(v >> shift) & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) v |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out.push_back(kBase64Alphabet[(v >> 18) & 63]);
    out.push_back(kBase64Alphabet[(v >> 12) & 63]);
    out.push_back(rest == 2 ? kBase64Alphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  static const std::array<int8_t, 256> table = [] {
    std::array<int8_t, 256> t;
    t.fill(-1);
    for (size_t i = 0; i < kBase64Alphabet.size(); ++i) t[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<int8_t>(i);
    return t;
  }();
  if (text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  std::string out;
  out.reserve(text.size() / 4 * 3);
  for (size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    uint32_t v = 0;
    for (size_t k = 0; k < 4; ++k) {
      const unsigned char c = static_cast<unsigned char>(text[i + k]);
      int d;
      if (c == '=' && last && k >= 4 - padding) d = 0;
      else if ((d = table[c]) < 0) return std::nullopt;
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out.push_back(static_cast<char>((v >> 16) & 0xff));
    if (!last || padding < 2) out.push_back(static_cast<char>((v >> 8) & 0xff));
    if (!last || padding < 1) out.push_back(static_cast<char>(v & 0xff));
  }
  return out;
}

HdrLogWriter::HdrLogWriter(std::ostream& out, int64_t start_time_ms, double max_value_unit_ratio)
    : out_(out), ratio_(max_value_unit_ratio) {
  // The date is informational (readers take the number); the reference prints
  // java.util.Date.toString(), which this mimics in UTC.
  const std::time_t seconds = static_cast<std::time_t>(start_time_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm);
  const std::string start = fixed3(static_cast<double>(start_time_ms) / 1000.0);
  out_ << "#[Histogram log format version 1.3]\n"
       << "#[StartTime: " << start << " (seconds since epoch), " << date << "]\n"
       << "#[BaseTime: " << start << " (seconds since epoch)]\n"
       << "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n";
}

void HdrLogWriter::write_comment(std::string_view text) {
  if (text.find_first_of("\r\n") != std::string_view::npos)
    throw std::invalid_argument("HdrLogWriter: a comment must be one line");
  out_ << '#' << text << '\n';
}

void HdrLogWriter::write_interval(double start_s, double length_s, const Histogram& h, std::string_view tag) {
  if (tag.find_first_of(", \t\r\n") != std::string_view::npos)
    throw std::invalid_argument("HdrLogWriter: tag '" + std::string(tag) + "' contains a comma or whitespace");
  std::string line;
  if (!tag.empty()) line.append("Tag=").append(tag).append(",");
  line.append(fixed3(start_s)).append(",").append(fixed3(length_s)).append(",");
  line.append(fixed3(static_cast<double>(h.max()) / ratio_)).append(",");
  line.append(base64_encode(encode_compressed_histogram(h))).append("\n");
  out_ << line;
}

HdrLogReader::HdrLogReader(std::istream& in) : in_(in) {}

bool HdrLogReader::fail(const std::string& why) {
  error_ = "line " + std::to_string(line_number_) + ": " + why;
  return false;
}

bool HdrLogReader::next(HdrLogInterval* out) {
  if (!error_.empty()) return false;
  std::string text;
  while (std::getline(in_, text)) {
    ++line_number_;
    std::string_view line = text;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (line.front() == '#') {
      constexpr std::string_view kStart = "#[StartTime: ", kBase = "#[BaseTime: ", kVersion = "#[Histogram log format version ";
      double v;
      if (line.starts_with(kStart)) {
        if (!header_number(line, kStart, &v)) return fail("StartTime is not a number");
        start_time_s_ = v;
      } else if (line.starts_with(kBase)) {
        if (!header_number(line, kBase, &v)) return fail("BaseTime is not a number");
        base_time_s_ = v;
      } else if (line.starts_with(kVersion)) {
        line.remove_prefix(kVersion.size());
        version_ = std::string(line.substr(0, line.find(']')));
      }
      continue;
    }
    if (line.starts_with("\"StartTimestamp\"")) continue;

    HdrLogInterval interval;
    if (line.starts_with("Tag=")) {
      const size_t comma = line.find(',');
      if (comma == std::string_view::npos) return fail("a tag without the interval after it");
      interval.tag = std::string(line.substr(4, comma - 4));
      line.remove_prefix(comma + 1);
    }
    std::string_view fields[4];
    for (int i = 0; i < 3; ++i) {
      const size_t comma = line.find(',');
      if (comma == std::string_view::npos) return fail("expected start,length,max,histogram");
      fields[i] = line.substr(0, comma);
      line.remove_prefix(comma + 1);
    }
    fields[3] = line;
    while (!fields[3].empty() && (fields[3].back() == ' ' || fields[3].back() == '\t')) fields[3].remove_suffix(1);
    double timestamp;
    if (!parse_double(fields[0], &timestamp)) return fail("StartTimestamp '" + std::string(fields[0]) + "' is not a number");
    if (!parse_double(fields[1], &interval.length_s)) return fail("Interval_Length '" + std::string(fields[1]) + "' is not a number");
    if (!parse_double(fields[2], &interval.max)) return fail("Interval_Max '" + std::string(fields[2]) + "' is not a number");
    std::optional<std::string> bytes = base64_decode(fields[3]);
    if (!bytes) return fail("the histogram is not valid base64");
    std::string why;
    std::optional<Histogram> hist = decode_histogram(*bytes, &why);
    if (!hist) return fail(why);
    interval.histogram = std::move(*hist);

    // HistogramLogReader's rule: without a BaseTime, timestamps more than a
    // year before StartTime are taken as relative to it, others as absolute.
    if (!deduced_base_s_) {
      if (base_time_s_) deduced_base_s_ = *base_time_s_;
      else if (start_time_s_ && timestamp < *start_time_s_ - 365 * 24 * 3600.0) deduced_base_s_ = *start_time_s_;
      else deduced_base_s_ = 0.0;
    }
    interval.start_s = timestamp + *deduced_base_s_;
    interval.offset_s = interval.start_s - start_time_s_.value_or(0.0);
    *out = std::move(interval);
    return true;
  }
  if (in_.bad()) return fail("read error");
  return false;
}

}  // namespace greenlight
