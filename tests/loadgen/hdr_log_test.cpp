// The HdrHistogram codec and interval log: byte layout, round trips, corrupt
// input, and interoperability with the reference implementation (Debian's
// libhdrhistogram-java, driven by HdrLogCheck.java) in both directions.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include <unistd.h>

#include "loadgen/hdr_log.h"
#include "tests/support/run_tool.h"
#include "tests/support/temp_dir.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

constexpr int64_t kStartMs = 1'700'000'000'000;  // 2023-11-14 22:13:20 UTC

Histogram lognormal(uint64_t seed, int n, double median_us, double sigma) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(std::log(median_us), sigma);
  Histogram h;
  for (int i = 0; i < n; ++i) h.record(std::llround(dist(rng)));
  return h;
}

Histogram boundaries() {
  Histogram h;
  for (int k = 0; k <= 31; ++k)
    for (int64_t d : {-1, 0, 1}) h.record((int64_t{1} << k) + d, k + 1);
  h.record(3'600'000'000);
  return h;
}

uint32_t be32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

uint64_t be64(const std::string& s, size_t at) { return (uint64_t{be32(s, at)} << 32) | be32(s, at + 4); }

void check_same(const Histogram& got, const Histogram& want) {
  CHECK(got.highest() == want.highest());
  CHECK(got.significant_digits() == want.significant_digits());
  CHECK(got.counts() == want.counts());
  CHECK(got.count() == want.count());
  CHECK(got.min() == want.min());
  CHECK(got.max() == want.max());
}

std::string find_in_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

}  // namespace

TEST_CASE("the V2 encoding has HdrHistogram's header and cookies", "[hdr_log]") {
  Histogram h(1'000'000, 2);
  h.record(1);
  h.record(5'000, 3);
  const std::string plain = encode_histogram(h);
  REQUIRE(plain.size() > 40);
  CHECK(be32(plain, 0) == 0x1c849313);  // V2 base 0x1c849303 | word-size nibble 0x10
  CHECK(be32(plain, 4) == plain.size() - 40);
  CHECK(be32(plain, 8) == 0);           // normalizing index offset
  CHECK(be32(plain, 12) == 2);          // significant digits
  CHECK(be64(plain, 16) == 1);          // lowest discernible value
  CHECK(be64(plain, 24) == 1'000'000);  // highest trackable value
  CHECK(be64(plain, 32) == 0x3ff0000000000000);  // 1.0
  // Index 0 is empty (a lone zero, written 0), then count 1 at index 1 (zigzag 2),
  // then a run of zeros up to 5000's bucket (negative: zigzag odd), then 3 (zigzag 6).
  CHECK(plain[40] == 0);
  CHECK(plain[41] == 2);
  CHECK((static_cast<unsigned char>(plain[42]) & 1) == 1);
  CHECK(plain.back() == 6);

  const std::string compressed = encode_compressed_histogram(h);
  CHECK(be32(compressed, 0) == 0x1c849314);
  CHECK(be32(compressed, 4) == compressed.size() - 8);
  CHECK(base64_encode(compressed).rfind("HISTF", 0) == 0);  // how every reference log line starts
}

TEST_CASE("histograms survive encoding and decoding unchanged", "[hdr_log]") {
  Histogram huge_counts;
  huge_counts.record(42, int64_t{1} << 62);  // a count needing the 9th, full-byte LEB128 word
  huge_counts.record(43, (int64_t{1} << 56) + 12345);
  Histogram zero_only;
  zero_only.record(0);
  Histogram five_digits(10'000'000, 5);
  for (int64_t v = 1; v < 10'000'000; v = v * 3 + 1) five_digits.record(v, v % 7 + 1);

  const std::vector<std::pair<const char*, Histogram>> cases = {
      {"empty", Histogram()},          {"zero only", zero_only},
      {"log-normal", lognormal(1, 100'000, 2'000, 1.5)}, {"boundaries", boundaries()},
      {"huge counts", huge_counts},    {"5 digits", five_digits}};
  for (const auto& [name, h] : cases) {
    INFO(name);
    std::string error;
    std::optional<Histogram> plain = decode_histogram(encode_histogram(h), &error);
    INFO(error);
    REQUIRE(plain);
    check_same(*plain, h);
    std::optional<Histogram> compressed = decode_histogram(encode_compressed_histogram(h), &error);
    INFO(error);
    REQUIRE(compressed);
    check_same(*compressed, h);
  }
}

TEST_CASE("base64 follows RFC 4648", "[hdr_log]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode(std::string("\xff\xfe\x00", 3)) == "//4A");
  CHECK(base64_decode("Zm9vYmE=") == std::optional<std::string>("fooba"));
  CHECK(base64_decode("Zm9vYg==") == std::optional<std::string>("foob"));
  CHECK(base64_decode("//4A") == std::optional<std::string>(std::string("\xff\xfe\x00", 3)));
  CHECK_FALSE(base64_decode("Zm9"));
  CHECK_FALSE(base64_decode("Zm9v!A=="));
  CHECK_FALSE(base64_decode("Zg==Zg=="));
  CHECK_FALSE(base64_decode("Z==="));
}

TEST_CASE("corrupt or foreign encodings are rejected with a reason", "[hdr_log]") {
  const Histogram h = lognormal(2, 1'000, 500, 1.0);
  const std::string plain = encode_histogram(h);
  const std::string compressed = encode_compressed_histogram(h);
  const auto error_for = [](std::string bytes) {
    std::string error;
    CHECK_FALSE(decode_histogram(bytes, &error));
    return error;
  };
  CHECK_THAT(error_for(""), Catch::Contains("shorter"));
  CHECK_THAT(error_for(std::string("\x1c\x84\x93\x01\0\0\0\0", 8)), Catch::Contains("only V2"));  // V1
  CHECK_THAT(error_for(plain.substr(0, plain.size() - 1)), Catch::Contains("truncated"));
  CHECK_THAT(error_for(compressed.substr(0, compressed.size() - 3)), Catch::Contains("truncated"));
  std::string bad = compressed;
  bad[20] = static_cast<char>(bad[20] ^ 0x55);
  CHECK_FALSE(error_for(bad).empty());
  std::string lowest = plain;
  lowest[23] = 2;  // lowest discernible value 2: another unit, which we cannot represent
  CHECK_THAT(error_for(lowest), Catch::Contains("lowest discernible value 2"));
  std::string oversized = plain;
  oversized[4] = 0x7f;  // payload length near 2 GB
  CHECK_THAT(error_for(oversized), Catch::Contains("larger than any encoding"));
  const auto with_payload = [&](std::string payload) {
    std::string bytes = plain.substr(0, 40) + payload;
    bytes[4] = bytes[5] = bytes[6] = 0;
    bytes[7] = static_cast<char>(payload.size());
    return bytes;
  };
  // zigzag(-30000) = 59999: a run of 30000 zeros in a 23552-count histogram.
  CHECK_THAT(error_for(with_payload("\xdf\xd4\x03")), Catch::Contains("passes the end"));
  CHECK_THAT(error_for(with_payload("\x80")), Catch::Contains("ends inside a count"));
}

TEST_CASE("counts that add up past 2^63-1 are rejected, not overflowed (fuzz/regressions/hdr_log)", "[hdr_log]") {
  std::string bytes = encode_histogram(Histogram()).substr(0, 40);
  // Three counts of 2^62 (zigzag 2^63: eight 0x80 bytes, then 0x80 as the ninth byte's 8 bits).
  const std::string big(9, '\x80');
  const std::string payload = big + big + big;
  bytes[4] = bytes[5] = bytes[6] = 0;
  bytes[7] = static_cast<char>(payload.size());
  std::string error;
  CHECK_FALSE(decode_histogram(bytes + payload, &error));
  CHECK_THAT(error, Catch::Contains("more than 2^63-1"));
  // One such count alone is fine.
  bytes[7] = static_cast<char>(big.size());
  auto one = decode_histogram(bytes + big, &error);
  REQUIRE(one);
  CHECK(one->count() == int64_t{1} << 62);
}

TEST_CASE("an interval log round-trips every interval", "[hdr_log]") {
  const std::vector<std::pair<std::string, Histogram>> intervals = {
      {"", lognormal(3, 50'000, 1'500, 1.2)},
      {"GET_/api/items", lognormal(4, 20'000, 30'000, 0.5)},
      {"", boundaries()},
      {"", Histogram()},
  };
  std::stringstream log;
  HdrLogWriter writer(log, kStartMs);
  writer.write_comment("[Logged with greenlight]");
  for (size_t i = 0; i < intervals.size(); ++i) writer.write_interval(i * 1.5, 1.5, intervals[i].second, intervals[i].first);

  const std::string text = log.str();
  CHECK(text.rfind("#[Histogram log format version 1.3]\n"
                   "#[StartTime: 1700000000.000 (seconds since epoch), Tue Nov 14 22:13:20 UTC 2023]\n"
                   "#[BaseTime: 1700000000.000 (seconds since epoch)]\n"
                   "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"
                   "#[Logged with greenlight]\n0.000,1.500,",
                   0) == 0);
  CHECK_THAT(text, Catch::Contains("\nTag=GET_/api/items,1.500,1.500,"));
  // Interval_Max in milliseconds for microsecond histograms.
  char max_ms[32];
  std::snprintf(max_ms, sizeof max_ms, ",%.3f,HISTF", intervals[0].second.max() / 1000.0);
  CHECK_THAT(text, Catch::Contains(max_ms));

  HdrLogReader reader(log);
  HdrLogInterval got;
  for (size_t i = 0; i < intervals.size(); ++i) {
    INFO("interval " << i);
    REQUIRE(reader.next(&got));
    CHECK(got.tag == intervals[i].first);
    CHECK(got.offset_s == Approx(i * 1.5));
    CHECK(got.start_s == Approx(kStartMs / 1000.0 + i * 1.5).epsilon(1e-12));
    CHECK(got.length_s == 1.5);
    CHECK(got.max == Approx(intervals[i].second.max() / 1000.0).margin(0.0005));
    check_same(got.histogram, intervals[i].second);
  }
  CHECK_FALSE(reader.next(&got));
  CHECK(reader.error() == "");
  CHECK(reader.format_version() == "1.3");
  CHECK(reader.start_time_s() == 1'700'000'000.0);
  CHECK(reader.base_time_s() == 1'700'000'000.0);

  CHECK_THROWS_AS(writer.write_interval(0, 1, Histogram(), "has space"), std::invalid_argument);
  CHECK_THROWS_AS(writer.write_interval(0, 1, Histogram(), "a,b"), std::invalid_argument);
}

TEST_CASE("the log reader follows HistogramLogReader's timestamp rules", "[hdr_log]") {
  const std::string histogram = base64_encode(encode_compressed_histogram(boundaries()));
  HdrLogInterval got;
  SECTION("without BaseTime, small timestamps are relative to StartTime") {
    std::stringstream log("#[StartTime: 1700000000.000 (seconds since epoch), x]\n10.000,1.000,0.001," + histogram + "\r\n");
    HdrLogReader reader(log);
    REQUIRE(reader.next(&got));
    CHECK(got.start_s == 1'700'000'010.0);
    CHECK(got.offset_s == 10.0);
  }
  SECTION("without BaseTime, epoch timestamps are absolute") {
    std::stringstream log("#[StartTime: 1700000000.000 (seconds since epoch), x]\n1700000005.000,1.000,0.001," + histogram + "\n");
    HdrLogReader reader(log);
    REQUIRE(reader.next(&got));
    CHECK(got.start_s == 1'700'000'005.0);
    CHECK(got.offset_s == 5.0);
  }
  SECTION("a malformed line stops the reader and names the line") {
    std::stringstream log("#[BaseTime: 0.000 (seconds since epoch)]\n1.000,1.000,0.001," + histogram + "\n2.000,1.000,x," +
                          histogram + "\n3.000,1.000,0.001," + histogram + "\n");
    HdrLogReader reader(log);
    CHECK(reader.next(&got));
    CHECK_FALSE(reader.next(&got));
    CHECK(reader.error() == "line 3: Interval_Max 'x' is not a number");
    CHECK_FALSE(reader.next(&got));
  }
  SECTION("a histogram that is not base64 is an error") {
    std::stringstream log("1.000,1.000,0.001,HISTF!!!\n");
    HdrLogReader reader(log);
    CHECK_FALSE(reader.next(&got));
    CHECK(reader.error() == "line 1: the histogram is not valid base64");
  }
}

// The reference reads our log and prints what it sees; it also writes a log of
// values we regenerate here. Needs a JDK (java and javac, for the single-file
// source launcher) and libhdrhistogram-java.
TEST_CASE("HdrHistogram Java reads our logs and we read its logs", "[hdr_log][java]") {
  const std::string jar = "/usr/share/java/hdrhistogram.jar";
  const std::string java = find_in_path("java");
  if (java.empty() || find_in_path("javac").empty()) {
    WARN("skipped: no JDK (java and javac) in PATH; install default-jdk-headless");
    return;
  }
  if (!std::filesystem::exists(jar)) {
    WARN("skipped: " + jar + " missing; install libhdrhistogram-java");
    return;
  }

  const std::vector<std::pair<std::string, Histogram>> intervals = {
      {"", lognormal(10, 100'003, 2'000, 1.5)},  // odd counts: fractional percentile ranks
      {"checkout", lognormal(11, 29'999, 80'000, 0.8)},
      {"", boundaries()},
      {"", Histogram()},
  };
  TempDir dir("greenlight-hdrlog");
  const std::string ours = dir.file("ours.hlog"), theirs = dir.file("theirs.hlog");
  {
    std::ofstream out(ours);
    HdrLogWriter writer(out, kStartMs);
    for (size_t i = 0; i < intervals.size(); ++i) writer.write_interval(i * 2.0, 2.0, intervals[i].second, intervals[i].first);
    REQUIRE(out.good());
  }

  const ToolResult r = run_tool(java, {"-cp", jar, std::string(SOURCE_DIR) + "/tests/loadgen/HdrLogCheck.java", ours, theirs});
  INFO("java stderr: " << r.err);
  REQUIRE(r.exit_code == 0);

  std::stringstream lines(r.out);
  for (size_t i = 0; i < intervals.size(); ++i) {
    INFO("interval " << i << " as HistogramLogReader sees it");
    const Histogram& h = intervals[i].second;
    std::string tag;
    int64_t start_ms, end_ms, count, p50, p99, p999, min, max;
    double mean;
    REQUIRE(lines >> tag >> start_ms >> end_ms >> count >> p50 >> p99 >> p999 >> min >> max >> mean);
    CHECK(tag == (intervals[i].first.empty() ? "-" : intervals[i].first));
    CHECK(start_ms == kStartMs + static_cast<int64_t>(i) * 2'000);
    CHECK(end_ms == start_ms + 2'000);
    CHECK(count == h.count());
    CHECK(p50 == h.value_at_percentile(50));
    CHECK(p99 == h.value_at_percentile(99));
    CHECK(p999 == h.value_at_percentile(99.9));
    CHECK(min == h.min());
    CHECK(max == h.max());
    CHECK(mean == Approx(h.mean()).epsilon(1e-9));
  }
  std::string extra;
  CHECK_FALSE(lines >> extra);

  // Regenerate the values HdrLogCheck.java recorded (keep in step with writeLog there).
  Histogram first, second;
  for (int64_t i = 1; i <= 20'000; ++i) first.record((i * i * 7919) % 100'000'000 + 1);
  for (int i = 0; i < 10'000; ++i) second.record_corrected(1'000, 10'000);
  second.record_corrected(100'000'000, 10'000);

  std::ifstream in(theirs);
  HdrLogReader reader(in);
  HdrLogInterval got;
  REQUIRE(reader.next(&got));
  CHECK(got.tag == "java");
  CHECK(got.start_s == 1'700'000'000.0);
  CHECK(got.length_s == 1.0);
  CHECK(got.max == Approx(first.max() / 1000.0).margin(0.0005));  // the reference's Interval_Max agrees with ours
  check_same(got.histogram, first);
  REQUIRE(reader.next(&got));
  CHECK(got.tag == "");
  CHECK(got.offset_s == 1.0);
  check_same(got.histogram, second);  // and so does its coordinated-omission correction
  CHECK_FALSE(reader.next(&got));
  CHECK(reader.error() == "");
  CHECK(reader.format_version() == "1.3");
}
