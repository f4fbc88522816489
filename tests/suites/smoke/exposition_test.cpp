// Tests of the Prometheus text exposition parser: a realistic Go-client body,
// each error class (line number and message), and hostile inputs.
#include "suites/smoke/exposition.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>

using namespace greenlight;

namespace {

// In the style of client_golang + node_exporter output.
const char* const kRealistic = R"(# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0"} 2.2361e-05
go_gc_duration_seconds{quantile="0.25"} 3.4547e-05
go_gc_duration_seconds{quantile="0.5"} 4.0212e-05
go_gc_duration_seconds{quantile="0.75"} 5.6702e-05
go_gc_duration_seconds{quantile="1"} 0.001325388
go_gc_duration_seconds_sum 0.018718393
go_gc_duration_seconds_count 312
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 42
# HELP go_info Information about the Go environment.
# TYPE go_info gauge
go_info{version="go1.21.5"} 1
# HELP http_request_duration_seconds A histogram of latencies for requests.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{handler="/",le="0.05"} 24054
http_request_duration_seconds_bucket{handler="/",le="0.1"} 33444
http_request_duration_seconds_bucket{handler="/",le="0.2"} 100392
http_request_duration_seconds_bucket{handler="/",le="0.5"} 129389
http_request_duration_seconds_bucket{handler="/",le="1"} 133988
http_request_duration_seconds_bucket{handler="/",le="+Inf"} 144320
http_request_duration_seconds_sum{handler="/"} 53423
http_request_duration_seconds_count{handler="/"} 144320
http_request_duration_seconds_bucket{handler="/api",le="0.05"} 0
http_request_duration_seconds_bucket{handler="/api",le="+Inf"} 7
http_request_duration_seconds_sum{handler="/api"} 1.5
http_request_duration_seconds_count{handler="/api"} 7
# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000
# A plain comment, ignored.

# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.\nSecond line with a backslash \\ here.
# TYPE node_filesystem_avail_bytes gauge
node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 1.23456789e+10
node_filesystem_avail_bytes{device="C:\\DISK",fstype="ntfs",mountpoint="/mnt/\"quoted\"\nline",} 0
# HELP node_special Special float values.
# TYPE node_special gauge
node_special{kind="nan"} NaN
node_special{kind="pos"} +Inf
node_special{kind="neg"} -Inf
node_special{kind="tiny"} -1.5E-3
node_special{kind="negts"} 1 -1
metric_without_timestamp_and_labels 12.47
something_weird{problem="division by zero"} +Inf -3982045
)";

const Sample* only(const Exposition& e, const std::string& name) {
  auto samples = e.samples(name);
  REQUIRE(samples.size() == 1);
  return samples[0];
}

std::string label(const Sample& s, const std::string& name) {
  for (const Label& l : s.labels)
    if (l.name == name) return l.value;
  return "<absent>";
}

// The error's message for `text`, or "" if it parsed.
std::string error_of(const std::string& text) {
  try {
    parse_exposition(text);
  } catch (const ExpositionError& e) {
    return e.what();
  }
  return "";
}

int error_line(const std::string& text) {
  try {
    parse_exposition(text);
  } catch (const ExpositionError& e) {
    return e.line;
  }
  return -1;
}

}  // namespace

TEST_CASE("a realistic exposition parses into families with the right values", "[exposition]") {
  Exposition e = parse_exposition(kRealistic);

  const MetricFamily* gc = e.family("go_gc_duration_seconds");
  REQUIRE(gc);
  CHECK(gc->type == "summary");
  CHECK(gc->help == "A summary of the pause duration of garbage collection cycles.");
  REQUIRE(gc->samples.size() == 7);  // quantiles, _sum and _count grouped with the family
  CHECK(gc->samples[0].name == "go_gc_duration_seconds");
  CHECK(label(gc->samples[0], "quantile") == "0");
  CHECK(gc->samples[0].value == Approx(2.2361e-05));
  CHECK(gc->samples[5].name == "go_gc_duration_seconds_sum");
  CHECK(gc->samples[6].name == "go_gc_duration_seconds_count");
  CHECK(gc->samples[6].value == 312);
  CHECK(gc->samples[6].line == 9);

  CHECK(only(e, "go_goroutines")->value == 42);
  CHECK(e.family("go_goroutines")->type == "gauge");
  CHECK(label(*only(e, "go_info"), "version") == "go1.21.5");

  const MetricFamily* hist = e.family("http_request_duration_seconds");
  REQUIRE(hist);
  CHECK(hist->type == "histogram");
  CHECK(hist->samples.size() == 12);
  CHECK(e.samples("http_request_duration_seconds_bucket").size() == 8);
  CHECK(e.family("http_request_duration_seconds_bucket") == nullptr);
  CHECK(std::isinf(e.samples("http_request_duration_seconds_bucket")[5]->value) == false);
  CHECK(e.samples("http_request_duration_seconds_bucket")[5]->value == 144320);

  auto requests = e.samples("http_requests_total");
  REQUIRE(requests.size() == 2);
  CHECK(e.family("http_requests_total")->type == "counter");
  CHECK(requests[0]->labels.size() == 2);
  CHECK(requests[0]->labels[0].name == "method");  // exposition order kept
  CHECK(requests[1]->value == 3);
  CHECK(requests[1]->timestamp_ms == 1395066363000);

  const MetricFamily* fs = e.family("node_filesystem_avail_bytes");
  REQUIRE(fs);
  CHECK(fs->help == "Filesystem space available to non-root users in bytes.\nSecond line with a backslash \\ here.");
  CHECK(fs->samples[0].value == 1.23456789e10);
  CHECK(label(fs->samples[1], "device") == "C:\\DISK");
  CHECK(label(fs->samples[1], "mountpoint") == "/mnt/\"quoted\"\nline");  // trailing comma accepted
  CHECK(fs->samples[1].labels.size() == 3);

  auto special = e.samples("node_special");
  REQUIRE(special.size() == 5);
  CHECK(std::isnan(special[0]->value));
  CHECK(special[1]->value == std::numeric_limits<double>::infinity());
  CHECK(special[2]->value == -std::numeric_limits<double>::infinity());
  CHECK(special[3]->value == -1.5e-3);
  CHECK(special[4]->timestamp_ms == -1);

  const Sample* untyped = only(e, "metric_without_timestamp_and_labels");
  CHECK(untyped->value == 12.47);
  CHECK(untyped->labels.empty());
  CHECK(!untyped->timestamp_ms);
  CHECK(e.family("metric_without_timestamp_and_labels")->type == "untyped");
  CHECK(only(e, "something_weird")->timestamp_ms == -3982045);

  CHECK(e.sample_names().size() == 13);
  CHECK(e.families.front().name == "go_gc_duration_seconds");  // order of first mention
}

TEST_CASE("the lenient corners Prometheus accepts are accepted", "[exposition]") {
  CHECK(parse_exposition("").families.empty());
  CHECK(parse_exposition("\n\n   \n").families.empty());
  CHECK(parse_exposition("# just a comment\n#\n# HELP\n").families.empty());
  Exposition e = parse_exposition(
      "  indented 1\n"
      "spaced { a = \"x\" , b=\"y\" , } 2\n"
      "tight{a=\"x\"}3\n"
      "empty_labels{} 4\n"
      "colon:name 5\n"
      "# TYPE upper GAUGE\n"
      "upper 6\n"
      "# HELP no_text\n"
      "unicode{v=\"h\xC3\xA9llo \xE2\x9C\x93\"} 7\n"
      "nul_in_value{v=\"a\\\\b\"} 8\n"
      "# HELP odd_escape keeps \\x and trailing \\\n"
      "sci 1e3\n"
      "sci2 .5E-2\n"
      "sci3 5.\n"
      "words Infinity\n"
      "under 1e-400\n"
      "trailing_blanks 1 2   \n"
      "   ");
  CHECK(only(e, "indented")->value == 1);
  CHECK(label(*only(e, "spaced"), "b") == "y");
  CHECK(only(e, "tight")->value == 3);
  CHECK(only(e, "empty_labels")->labels.empty());
  CHECK(only(e, "colon:name")->value == 5);
  CHECK(e.family("upper")->type == "gauge");
  CHECK(e.family("no_text")->help.empty());
  CHECK(label(*only(e, "unicode"), "v") == "h\xC3\xA9llo \xE2\x9C\x93");
  CHECK(e.family("odd_escape")->help == "keeps \\x and trailing \\");
  CHECK(only(e, "sci")->value == 1000);
  CHECK(only(e, "sci2")->value == 0.005);
  CHECK(only(e, "sci3")->value == 5);
  CHECK(std::isinf(only(e, "words")->value));
  CHECK(only(e, "under")->value == 0);
  CHECK(only(e, "trailing_blanks")->timestamp_ms == 2);
}

TEST_CASE("syntax errors name the line, the problem and show the line", "[exposition]") {
  std::string prefix = "# HELP app_jobs_queue_depth Jobs waiting.\n# TYPE app_jobs_queue_depth gauge\n";
  CHECK(error_of(prefix + "app_jobs_queue_depth{queue=\"a\"} 1\napp_jobs_queue_depth{queue \"x\"} 3\n") ==
        "line 4: expected '=' after label name 'queue': app_jobs_queue_depth{queue \"x\"} 3");

  struct Case {
    std::string line;
    std::string message;
  };
  Case cases[] = {
      {"9metric 1", "expected a metric name, found '9'"},
      {"{a=\"b\"} 1", "expected a metric name, found '{'"},
      {"app-name 1", "invalid character '-' after metric name 'app'"},
      {"app 1.2.3", "invalid value '1.2.3' for 'app'"},
      {"app abc", "invalid value 'abc' for 'app'"},
      {"app nan(1)", "invalid value 'nan(1)'"},
      {"app 0x10", "invalid value '0x10'"},
      {"app 1e999", "invalid value '1e999'"},
      {"app", "sample of 'app' has no value"},
      {"app{a=\"b\"}", "sample of 'app' has no value"},
      {"app 1 12.5", "invalid timestamp '12.5' for 'app'"},
      {"app 1 99999999999999999999", "invalid timestamp"},
      {"app 1 2 3", "unexpected text after the timestamp of 'app'"},
      {"app{a=\"b\" 1", "expected ',' or '}' after the value of label 'a'"},
      {"app{a=\"b 1", "the value of label 'a' has no closing '\"'"},
      {"app{a=b} 1", "expected '\"' to open the value of label 'a'"},
      {"app{1a=\"b\"} 1", "expected a label name or '}' in the labels of 'app', found '1'"},
      {"app{,} 1", "expected a label name or '}'"},
      {"app{a=\"b\",,} 1", "expected a label name or '}'"},
      {"app{a:b=\"c\"} 1", "invalid character ':' in label name 'a'"},
      {"app{a=\"\\t\"} 1", "invalid escape '\\t' in the value of label 'a'"},
      {"app{a=\"x\",a=\"y\"} 1", "label 'a' appears twice in one sample of 'app'"},
      {"app{__name__=\"x\"} 1", "label name '__name__' is reserved"},
      {"app{a=\"\xC3\x28\"} 1", "the value of label 'a' is not valid UTF-8"},
      {"app 1\r", "carriage return"},
      {"# TYPE app", "# TYPE for 'app' gives no type"},
      {"# TYPE app countr", "unknown metric type 'countr' for 'app'"},
      {"# TYPE app counter extra", "unexpected text after the type of 'app'"},
      {"# TYPE app-x counter", "invalid metric name 'app-x' in # TYPE"},
      {"# HELP 1app text", "invalid metric name '1app' in # HELP"},
      {"# HELP app bad \xFF utf8", "the HELP text of 'app' is not valid UTF-8"},
  };
  for (const Case& c : cases) {
    INFO(c.line);
    std::string error = error_of("ok 1\n" + c.line + "\nok2 1\n");
    CHECK(error.rfind("line 2: ", 0) == 0);
    CHECK_THAT(error, Catch::Contains(c.message));
  }
}

TEST_CASE("rules Prometheus enforces are errors with the right line", "[exposition]") {
  SECTION("TYPE twice") {
    std::string text = "# TYPE a counter\na 1\n# TYPE b gauge\n# TYPE a counter\n";
    CHECK(error_line(text) == 4);
    CHECK_THAT(error_of(text), Catch::Contains("second # TYPE for 'a' (the first is on line 1)"));
  }
  SECTION("HELP twice") {
    CHECK_THAT(error_of("# HELP a x\n# HELP a y\n"), Catch::Contains("line 2: second # HELP for 'a'"));
  }
  SECTION("TYPE after samples") {
    std::string text = "a 1\nb 2\n# TYPE a gauge\n";
    CHECK_THAT(error_of(text), Catch::StartsWith("line 3: # TYPE for 'a' comes after its samples (the first is on "
                                                 "line 1)"));
  }
  SECTION("histogram TYPE after its _sum") {
    CHECK_THAT(error_of("h_sum 1\n# TYPE h histogram\n"),
               Catch::Contains("line 2: # TYPE for 'h' comes after its sample 'h_sum' (line 1)"));
  }
  SECTION("histogram without +Inf bucket") {
    std::string text =
        "# TYPE h histogram\n"
        "h_bucket{path=\"/\",le=\"0.1\"} 1\n"
        "h_bucket{path=\"/\",le=\"1\"} 2\n"
        "h_sum{path=\"/\"} 3\n"
        "h_count{path=\"/\"} 2\n";
    CHECK(error_of(text) ==
          "line 3: histogram 'h' has no bucket with le=\"+Inf\" for {path=\"/\"}: h_bucket{path=\"/\",le=\"1\"} 2");
  }
  SECTION("histogram with only _sum and _count") {
    CHECK_THAT(error_of("# TYPE h histogram\nh_sum 3\nh_count 2\n"),
               Catch::StartsWith("line 2: histogram 'h' has no bucket with le=\"+Inf\""));
  }
  SECTION("non-cumulative buckets, listed in any order") {
    std::string text =
        "# TYPE h histogram\n"
        "h_bucket{le=\"+Inf\"} 9\n"
        "h_bucket{le=\"0.25\"} 5\n"
        "h_bucket{le=\"0.5\"} 3\n"
        "h_bucket{le=\"0.1\"} 1\n";
    CHECK(error_of(text) ==
          "line 4: histogram 'h' bucket le=\"0.5\" counts 3, less than 5 in bucket le=\"0.25\" (line 3); "
          "buckets must be cumulative: h_bucket{le=\"0.5\"} 3");
  }
  SECTION("the same le twice in different spellings") {
    CHECK_THAT(error_of("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"1.0\"} 1\nh_bucket{le=\"+Inf\"} 1\n"),
               Catch::Contains("line 3: histogram 'h' has two buckets with le=\"1.0\""));
  }
  SECTION("histogram sample without a suffix, bucket without le, bad le") {
    CHECK_THAT(error_of("# TYPE h histogram\nh 1\n"), Catch::Contains("line 2: 'h' is a histogram"));
    CHECK_THAT(error_of("# TYPE h histogram\nh_bucket 1\n"),
               Catch::Contains("line 2: bucket of histogram 'h' has no 'le' label"));
    CHECK_THAT(error_of("# TYPE h histogram\nh_bucket{le=\"big\"} 1\n"),
               Catch::Contains("line 2: 'le' label of 'h_bucket' is 'big', not a number"));
  }
  SECTION("summary sample without quantile") {
    CHECK_THAT(error_of("# TYPE s summary\ns{x=\"1\"} 1\n"),
               Catch::Contains("line 2: sample of summary 's' has no 'quantile' label"));
    CHECK_THAT(error_of("# TYPE s summary\ns{quantile=\"high\"} 1\n"),
               Catch::Contains("'quantile' label of 's' is 'high', not a number"));
  }
  SECTION("duplicate series, labels in any order") {
    CHECK(error_of("a{x=\"1\",y=\"2\"} 1\nb 1\na{y=\"2\",x=\"1\"} 5\n") ==
          "line 3: duplicate series a{y=\"2\",x=\"1\"} (first on line 1): a{y=\"2\",x=\"1\"} 5");
  }
  SECTION("missing final newline") {
    CHECK_THAT(error_of("a 1\nb 2"), Catch::StartsWith("line 2: the last line does not end with a newline"));
  }
  SECTION("separate histogram series are checked separately") {
    CHECK_NOTHROW(parse_exposition(
        "# TYPE h histogram\n"
        "h_bucket{a=\"1\",le=\"+Inf\"} 5\n"
        "h_bucket{a=\"2\",le=\"1\"} 1\n"
        "h_bucket{a=\"2\",le=\"+Inf\"} 1\n"));
  }
}

TEST_CASE("a long offending line is shown as a window around the problem", "[exposition]") {
  std::string line = "app{" + std::string(5000, 'a') + "=\"x\"," + "bad label=\"y\"} 1";
  std::string error = error_of(line + "\n");
  CHECK_THAT(error, Catch::StartsWith("line 1: expected '=' after label name 'bad': ..."));
  CHECK_THAT(error, Catch::Contains("bad label"));
  CHECK(error.size() < 300);
}

TEST_CASE("hostile inputs are rejected or parsed without crashing", "[exposition][hostile]") {
  auto started = std::chrono::steady_clock::now();

  SECTION("a line over 1 MiB") {
    std::string text = "a 1\nb{v=\"" + std::string(kMaxExpositionLineBytes, 'x') + "\"} 1\n";
    CHECK_THAT(error_of(text), Catch::StartsWith("line 2: the line is 1048585 bytes long"));
  }
  SECTION("an input over 64 MiB") {
    std::string text(kMaxExpositionBytes + 1, '\n');
    ExpositionError caught(0, "");
    try {
      parse_exposition(text);
    } catch (const ExpositionError& e) {
      caught = e;
    }
    CHECK(caught.line == 0);
    CHECK_THAT(caught.what(), Catch::Contains("64 MiB"));
  }
  SECTION("a line just under 1 MiB of label value parses") {
    std::string value(kMaxExpositionLineBytes - 100, 'v');
    Exposition e = parse_exposition("big{v=\"" + value + "\"} 1\n");
    CHECK(only(e, "big")->labels[0].value.size() == value.size());
  }
  SECTION("many thousands of labels on one line, duplicate at the end") {
    std::string line = "many{";
    for (int k = 0; k < 50000; ++k) line += "l" + std::to_string(k) + "=\"v\",";
    CHECK_NOTHROW(parse_exposition(line + "} 1\n"));
    CHECK_THAT(error_of(line + "l7=\"again\"} 1\n"), Catch::Contains("label 'l7' appears twice"));
  }
  SECTION("200 000 small series") {
    std::string text;
    for (int k = 0; k < 200000; ++k) text += "s{i=\"" + std::to_string(k) + "\"} " + std::to_string(k) + "\n";
    CHECK(parse_exposition(text).families[0].samples.size() == 200000);
  }
  SECTION("more series or families than the limit are refused, naming it") {
    std::string text;
    for (std::size_t k = 0; k <= kMaxExpositionSeries; ++k) text += "s{i=\"" + std::to_string(k) + "\"} 1\n";
    CHECK_THAT(error_of(text), Catch::StartsWith("line " + std::to_string(kMaxExpositionSeries + 1) + ": more than " +
                                                 std::to_string(kMaxExpositionSeries) + " series"));
    text.clear();
    for (std::size_t k = 0; k <= kMaxExpositionSeries; ++k) text += "# TYPE m" + std::to_string(k) + " gauge\n";
    CHECK_THAT(error_of(text), Catch::Contains("more than " + std::to_string(kMaxExpositionSeries) + " metric families"));
  }
  SECTION("deep garbage and binary noise") {
    CHECK(!error_of(std::string(100000, '{') + "\n").empty());
    CHECK(!error_of(std::string(100000, '"') + "\n").empty());
    CHECK(!error_of("a{" + std::string(100000, '\\') + "\n").empty());
    CHECK(!error_of("a{b=\"" + std::string(100000, '\\') + "\n").empty());
    CHECK(!error_of("a " + std::string(500000, '9') + "e99999999999999999999999\n").empty());
    std::string noise;
    unsigned state = 12345;
    for (int k = 0; k < 200000; ++k) noise += char((state = state * 1103515245u + 12345u) >> 16);
    CHECK(!error_of(noise).empty());
  }
  SECTION("embedded NUL bytes") {
    std::string text("a 1\nb\0c 2\n", 10);
    std::string error = error_of(text);
    CHECK_THAT(error, Catch::StartsWith("line 2: invalid character '\\x00' after metric name 'b'"));
    CHECK_THAT(error, Catch::EndsWith("b\\x00c 2"));  // printable in a terminal
    Exposition e = parse_exposition(std::string("v{x=\"a\0b\"} 1\n", 13));  // NUL is valid UTF-8 in a value
    CHECK(only(e, "v")->labels[0].value == std::string("a\0b", 3));
  }
  SECTION("long numbers parse in linear time") {
    std::string digits(900000, '1');
    CHECK(only(parse_exposition("n " + digits + "e-899990\n"), "n")->value == Approx(1.111111111e9));
    CHECK(std::isfinite(only(parse_exposition("n 0." + digits + "\n"), "n")->value));
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
}

TEST_CASE("floats read like Go's ParseFloat and print back exactly", "[exposition]") {
  CHECK(parse_exposition_float("1") == 1.0);
  CHECK(parse_exposition_float("-2.5e-3") == -2.5e-3);
  CHECK(parse_exposition_float("+7") == 7.0);
  CHECK(parse_exposition_float("+inf") == std::numeric_limits<double>::infinity());
  CHECK(parse_exposition_float("-Infinity") == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(*parse_exposition_float("nan")));
  CHECK(!parse_exposition_float("-NaN"));
  CHECK(!parse_exposition_float(""));
  CHECK(!parse_exposition_float("."));
  CHECK(!parse_exposition_float("1e"));
  CHECK(!parse_exposition_float(" 1"));
  CHECK(!parse_exposition_float("1_000"));
  CHECK(format_sample_value(250) == "250");
  CHECK(format_sample_value(0.1) == "0.1");
  CHECK(format_sample_value(std::nan("")) == "NaN");
  CHECK(format_sample_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  Sample s{"m", {{"a", "q\"\\\n"}}, 1, std::nullopt, 1};
  CHECK(series_name(s) == "m{a=\"q\\\"\\\\\\n\"}");
}
