// Alert template expansion against what Prometheus 2.42 (promtool test rules)
// produced for the same templates and data: printing, Go's fmt, Prometheus'
// functions, control structures, and the exact error texts.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "suites/alerts/template_expand.h"

using namespace greenlight;

namespace {

// The data of the oracle run: series m{a="1"} with value 3, external labels
// env=prod, external URL http://ex.com/prom.
AlertTemplateData oracle_data(double value = 3) {
  AlertTemplateData d;
  d.labels = {{"__name__", "m"}, {"a", "1"}};
  d.external_labels = {{"env", "prod"}};
  d.external_url = "http://ex.com/prom";
  d.value = value;
  return d;
}

TemplateEnv oracle_env() {
  TemplateEnv env;
  env.query = [](const std::string& q) -> std::vector<TemplateSample> {
    if (q == "m") return {{{{"__name__", "m"}, {"a", "1"}}, 3}};
    if (q == "nothing") return {};
    throw std::runtime_error("1:1: parse error: unexpected character");
  };
  return env;
}

std::string expand(const std::string& text, double value = 3) {
  return expand_alert_template("A", text, oracle_data(value), oracle_env());
}

}  // namespace

TEST_CASE("template expansion prints values as Go does", "[alerts][template]") {
  CHECK(expand("{{ $value }}") == "3");
  CHECK(expand("{{ $value }}", 1234567) == "1.234567e+06");
  CHECK(expand("{{ $value }}", 0.1) == "0.1");
  CHECK(expand("{{ $value }}", std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(expand("{{ $value }}", std::nan("")) == "NaN");
  CHECK(expand("{{ $labels }} {{ .Labels.a }} {{ $externalLabels.env }} {{ $externalURL }} {{ len $labels }} "
               "{{ index $labels \"a\" }}") == "map[__name__:m a:1] 1 prod http://ex.com/prom 2 1");
  CHECK(expand("{{ $value | humanize }} {{ 1e3 }} {{ 100 }} {{ 0.1 }} {{ -5 }} {{ .Value }} {{ . }}") ==
        "3 1000 100 0.1 -5 3 {map[__name__:m a:1] map[env:prod] http://ex.com/prom 3}");
  // missingkey=zero: an absent label is "", not "<no value>".
  CHECK(expand("{{ $labels.nope }}|{{ index $labels \"zz\" }}|{{ printf \"%s\" $labels.nope }}") == "||");
  CHECK(expand("no actions at all") == "no actions at all");
  CHECK(go_format_value(123456) == "123456");
  CHECK(go_format_value(1e21) == "1e+21");
}

TEST_CASE("template expansion humanizes like Prometheus", "[alerts][template]") {
  CHECK(expand("{{ humanize 0.000123 }} {{ humanize 1234567 }} {{ humanize1024 1048576 }} "
               "{{ humanizePercentage 0.1234 }} {{ humanizeDuration 3725.5 }} {{ humanizeDuration 0.0025 }} "
               "{{ humanizeTimestamp 1600000000.5 }}") ==
        "123u 1.235M 1Mi 12.34% 1h 2m 5s 2.5ms 2020-09-13 12:26:40.5 +0000 UTC");
  CHECK(expand("{{ humanizeDuration -90061 }} {{ humanize -1234 }} {{ humanize 1e30 }} {{ humanize 0 }} "
               "{{ humanize1024 1 }} {{ humanizeTimestamp 0 }}") ==
        "-1d 1h 1m 1s -1.234k 1e+06Y 0 1 1970-01-01 00:00:00 +0000 UTC");
  CHECK(expand("{{ humanize \"1234\" }} {{ humanizeDuration 59 }} {{ humanizeDuration 0 }}") == "1.234k 59s 0s");
}

TEST_CASE("template printf follows Go's fmt including its error forms", "[alerts][template]") {
  CHECK(expand(R"~({{ printf "%d|%s|%5.2f|%-6s|%q|%x|%e|%g|%v|%t" 3 "x" $value "ab" "q" 255 $value $value $value true }})~") ==
        "3|x| 3.00|ab    |\"q\"|ff|3.000000e+00|3|3|true");
  CHECK(expand(R"~({{ printf "%d %s" $value 1 }}|{{ printf "%d" }}|{{ printf "%d" 1 2 }})~") ==
        "%!d(float64=3) %!s(int=1)|%!d(MISSING)|1%!(EXTRA int=2)");
  CHECK(expand(R"~({{ printf "%5.1f%%|%+d|%05d|%x|%X|%o|%c|%U|%8.3e|%-8v|" 12.345 5 42 "hi" 255 8 65 65 1234.5 "v" }})~") ==
        " 12.3%|+5|00042|6869|FF|10|A|U+0041|1.234e+03|v       |");
  CHECK(expand(R"~({{ printf "%.3g|%10.4g|%g|%G|%.0f|%.1f|%.2f" 1234.5678 0.000012345 1e21 1e-7 2.5 0.25 1.005 }})~") ==
        "1.23e+03| 1.234e-05|1e+21|1E-07|2|0.2|1.00");
  CHECK(expand(R"~({{ printf "%s %v %d" (query "m") (query "m" | first) true }})~") ==
        "[%!s(*template.sample=&{map[__name__:m a:1] 3})] &{map[__name__:m a:1] 3} %!d(bool=true)");
  CHECK(expand(R"~({{ $value | printf "%.1f" }})~", 0.25) == "0.2");
}

TEST_CASE("template string and regexp functions", "[alerts][template]") {
  CHECK(expand(R"~({{ title "hello wOrld-foo_bar" }} {{ toUpper "ab" }} {{ reReplaceAll "(a+)(b)" "${2}$1x$$" "xaabyab" }} {{ match "^a" "abc" }})~") ==
        "Hello WOrld-Foo_bar AB xb$yb$ true");
  CHECK(expand(R"~({{ stripPort "host:80" }} {{ stripPort "[::1]:80" }} {{ stripPort "nohost" }} {{ parseDuration "1h30m" }} {{ args 1 "a" }})~") ==
        "host ::1 nohost 5400 map[arg0:1 arg1:a]");
  CHECK(expand(R"~({{ print 1 2 "a" "b" 3.5 }}|{{ println "x" 1 }}|{{ html "<a&b>" }}|{{ urlquery "a b&c" }}|{{ js "a'b<" }})~") ==
        "1 2ab3.5|x 1\n|&lt;a&amp;b&gt;|a+b%26c|a\\'b\\u003C");
  CHECK(expand(R"~({{ reReplaceAll "^(?P<host>[^:]+):\\d+$" "$host" "web-1:9100" }})~") == "web-1");
  CHECK(expand(R"~({{ reReplaceAll "a*" "-" "baaac" }})~") == "-b-c-");
  CHECK(expand(R"~({{ stripDomain "web-1.example.com:9100" }} {{ stripDomain "10.0.0.1:80" }} {{ toLower "AbC" }})~") ==
        "web-1:9100 10.0.0.1:80 abc");
  CHECK(expand(R"~({{ graphLink "up == 0" }})~") == "/graph?g0.expr=up+%3D%3D+0&g0.tab=0");
}

TEST_CASE("template control structures and comparisons", "[alerts][template]") {
  CHECK(expand("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}{{ with $labels.a }}w={{ . }}{{ end }}"
               "{{ and 1 0 }}{{ or 0 \"\" }}{{ not 1 }}") == "__name__=m;a=1;w=10false");
  CHECK(expand(R"~({{ eq $value 1.0 }} {{ eq "a" "b" "a" }} {{ lt 1 2 }} {{ ne $labels.a "1" }})~") == "false true true false");
  CHECK(expand("{{ if gt $value 2.0 }}page{{ else if gt $value 1.0 }}warn{{ else }}info{{ end }}", 1.5) == "warn");
  CHECK(expand("{{ if gt $value 2.0 }}page{{ else }}info{{ end }}") == "page");
  CHECK(expand(R"~({{ query "m" | first | value }} {{ with query "m" }}{{ . | first | label "a" }}{{ end }} {{ range query "m" }}{{ .Labels.a }}:{{ .Value }}{{ end }})~") ==
        "3 1 1:3");
  CHECK(expand("{{ range query \"nothing\" }}x{{ else }}empty{{ end }}") == "empty");
  CHECK(expand("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}") == "2");
  CHECK(expand("{{ range $i, $s := query \"m\" }}{{ if eq $i 0 }}{{ continue }}{{ end }}never{{ end }}done") == "done");
  CHECK(expand(R"~({{ define "x" }}[{{ . }}]{{ end }}{{ template "x" $labels.a }})~") == "[1]");
}

TEST_CASE("template errors read as Prometheus writes them", "[alerts][template]") {
  const std::string prefix = "<error expanding template: error executing template __alert_A: template: __alert_A:";
  CHECK(expand("{{ if gt $value 100 }}big{{ end }}") ==
        prefix + "1:118: executing \"__alert_A\" at <gt $value 100>: error calling gt: incompatible types for comparison>");
  CHECK(expand("{{ toUpper $value }}") ==
        prefix + "1:123: executing \"__alert_A\" at <$value>: wrong type for value; expected string; got float64>");
  CHECK(expand("{{ humanize \"abc\" }}") ==
        prefix + "1:115: executing \"__alert_A\" at <humanize \"abc\">: error calling humanize: strconv.ParseFloat: "
                 "parsing \"abc\": invalid syntax>");
  CHECK(expand("{{ .Nope }}") ==
        prefix + "1:115: executing \"__alert_A\" at <.Nope>: can't evaluate field Nope in type struct { Labels "
                 "map[string]string; ExternalLabels map[string]string; ExternalURL string; Value float64 }>");
  CHECK(expand("line1\n  {{ toUpper $value }}") ==
        prefix + "2:13: executing \"__alert_A\" at <$value>: wrong type for value; expected string; got float64>");
  CHECK(expand("{{ first (query \"nothing\") }}") ==
        prefix + "1:115: executing \"__alert_A\" at <first (query \"nothing\")>: error calling first: first() called "
                 "on vector with no elements>");
  CHECK(expand("{{ range $labels }}{{ toUpper 1 }}{{ end }}") ==
        prefix + "1:142: executing \"__alert_A\" at <1>: expected string; found 1>");
  CHECK(expand("{{ index $labels 1 }}") ==
        prefix + "1:115: executing \"__alert_A\" at <index $labels 1>: error calling index: value has type int; should "
                 "be string>");
  CHECK(expand("{{ len $value }}") ==
        prefix + "1:115: executing \"__alert_A\" at <len $value>: error calling len: len of type float64>");
  // promtool gives rules no external URL: the functions fail there, $externalURL works.
  CHECK(expand("{{ externalURL }}") ==
        prefix + "1:115: executing \"__alert_A\" at <externalURL>: error calling externalURL: runtime error: invalid "
                 "memory address or nil pointer dereference>");
  TemplateEnv with_url = oracle_env();
  with_url.external_url = "http://ex.com/prom";
  CHECK(expand_alert_template("A", "{{ externalURL }} {{ pathPrefix }}", oracle_data(), with_url) ==
        "http://ex.com/prom /prom");
  // A parse error (Prometheus rejects the rule file for it; expansion reports it too).
  CHECK(expand("{{ nosuchfunc 1 }}").rfind("<error expanding template: error parsing template __alert_A: template: "
                                           "__alert_A:1: function \"nosuchfunc\" not defined",
                                           0) == 0);
  AlertTemplate t("A", "{{ len $value }}");
  CHECK_THROWS_AS(t.expand_or_throw(oracle_data()), TemplateError);
  CHECK(AlertTemplate("A", "{{ $value }}").expand_or_throw(oracle_data(2)) == "2");
}
