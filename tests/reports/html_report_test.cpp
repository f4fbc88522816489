// HTML report: self-contained, everything from the target escaped, problems
// first. (html_chromium_test.cpp checks what a real browser makes of it.)
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>

#include "reports/escape.h"
#include "reports/reports.h"
#include "sample_run.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

size_t pos(const std::string& html, const std::string& needle) {
  size_t p = html.find(needle);
  INFO("looking for: " << needle);
  REQUIRE(p != std::string::npos);
  return p;
}

}  // namespace

TEST_CASE("HTML report escapes everything that comes from the target") {
  std::string html = html_report(sample_run());
  std::string l = lower(html);
  CHECK(l.find("<script") == std::string::npos);  // the page has no script of its own either
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("]]&gt; &amp; &quot;quoted&quot; &#39;single&#39;") != std::string::npos);
  CHECK(html.find("login returns 200 &quot;quoted&quot; &#39;name&#39; &lt;b&gt;") != std::string::npos);
  CHECK(html.find("https://shop.example.com/?q=&lt;b&gt;&amp;x=&#39;y&#39;") != std::string::npos);
  CHECK(html.find("<b>") == std::string::npos);
  // Control bytes are spelled out, invalid UTF-8 becomes U+FFFD: the
  // file is valid UTF-8 with no raw control characters.
  CHECK(clean_text(html) == html);
  CHECK(html.find("ctl:<span class=\"ctl\" title=\"control byte 0x01\">\\x01</span><span class=\"ctl\" "
                  "title=\"control byte 0x02\">\\x02</span><span class=\"ctl\" title=\"control byte 0x1B\">\\x1B</span>[31m"
                  "<span class=\"ctl\" title=\"control byte 0x00\">\\x00</span>end") != std::string::npos);
  CHECK(html.find("bad utf8: \xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd(") != std::string::npos);
}

TEST_CASE("HTML report is self-contained: no external fetch, no script") {
  std::string l = lower(html_report(sample_run()));
  CHECK(l.find(" src=") == std::string::npos);
  CHECK(l.find("url(") == std::string::npos);
  CHECK(l.find("@import") == std::string::npos);
  CHECK(l.find("<link") == std::string::npos);
  CHECK(l.find("<img") == std::string::npos);
  CHECK(l.find("<iframe") == std::string::npos);
  // Every link is an in-page anchor.
  for (size_t p = l.find("href=\""); p != std::string::npos; p = l.find("href=\"", p + 1)) CHECK(l[p + 6] == '#');
  // No inline event handlers (onload=, onerror=, ...).
  for (size_t p = l.find(" on"); p != std::string::npos; p = l.find(" on", p + 1)) {
    size_t q = p + 3;
    while (q < l.size() && std::isalpha(static_cast<unsigned char>(l[q]))) ++q;
    CHECK_FALSE((q < l.size() && l[q] == '=' && q > p + 3));
  }
  CHECK(l.find("content-security-policy") != std::string::npos);
  CHECK(l.find("<style>") != std::string::npos);
  CHECK(l.find("<svg class=\"donut\"") != std::string::npos);
}

TEST_CASE("HTML report summary: verdict, counts, duration, target, plan, time, version") {
  std::string html = html_report(sample_run());
  CHECK(html.find("<h1 class=\"verdict\">FAILED</h1>") != std::string::npos);
  CHECK(html.find("class=\"card summary v-failed\"") != std::string::npos);
  CHECK(html.find("<title>FAILED &middot; greenlight") != std::string::npos);
  CHECK(html.find("2 of 6 checks did not pass.") != std::string::npos);
  CHECK(html.find("3 passed, 1 failed, 1 error, 1 skipped") != std::string::npos);
  CHECK(html.find("plans/shop.yaml") != std::string::npos);
  CHECK(html.find("2026-11-21 23:14:58 UTC") != std::string::npos);
  CHECK(html.find("3.25s") != std::string::npos);
  CHECK(html.find("greenlight 0.1.0-test") != std::string::npos);
  CHECK(html.find("<title>failed: 1</title>") != std::string::npos);  // donut segment
}

TEST_CASE("HTML verdict for passed and interrupted runs") {
  RunResult ok = sample_run();
  ok.suites.pop_back();
  ok.suites[0].checks.erase(ok.suites[0].checks.begin() + 1);
  std::string html = html_report(ok);
  CHECK(html.find("<h1 class=\"verdict\">PASSED</h1>") != std::string::npos);
  CHECK(html.find("v-passed") != std::string::npos);
  CHECK(html.find("2 of 3 passed, none failed.") != std::string::npos);

  RunResult stopped = sample_run();
  stopped.interrupted = true;
  html = html_report(stopped);
  CHECK(html.find("<h1 class=\"verdict\">INTERRUPTED</h1>") != std::string::npos);
  CHECK(html.find("v-interrupted") != std::string::npos);
  CHECK(html.find("interrupted before it finished") != std::string::npos);
}

TEST_CASE("HTML suite sections list failures and errors first, then skipped, then passed") {
  std::string html = html_report(sample_run());
  size_t smoke = pos(html, "<section class=\"suite\" id=\"suite-1\">");
  size_t failed = pos(html, "login returns 200 &quot;");
  size_t skipped = pos(html, "certificate valid for 30 days");
  size_t passed = pos(html, "health endpoint answers");
  size_t db = pos(html, "<section class=\"suite\" id=\"suite-2\">");
  CHECK(smoke < failed);
  CHECK(failed < skipped);
  CHECK(skipped < passed);
  CHECK(passed < db);
  // Suite 2: the error before the passed check.
  CHECK(pos(html, "migrations applied") > db);
  CHECK(pos(html, "connection pool") > pos(html, "migrations applied"));

  // The failure's message and evidence are shown in full, not folded away.
  size_t card = html.rfind("<article", failed);
  REQUIRE(card != std::string::npos);
  CHECK(html.compare(card, 40, "<article class=\"card check o-failed\"><di") == 0);
  CHECK(html.find(std::string("<p class=\"message\">") + kFailMessage + "</p>") != std::string::npos);
  CHECK(html.find("<div class=\"evidence-label\">response</div><pre>HTTP/1.1 500") != std::string::npos);
  // The skip reason is on the visible line.
  CHECK(html.find("<span class=\"reason\">skipped: the target is plain http") != std::string::npos);
}

TEST_CASE("HTML report shows figures in a small table per check") {
  std::string html = html_report(sample_run());
  CHECK(html.find("<tr><td>latency</td><td class=\"value\">12.5 ms</td></tr>") != std::string::npos);
  CHECK(html.find("<tr><td>latency</td><td class=\"value\">230.25 ms</td></tr>") != std::string::npos);
  CHECK(html.find("<tr><td>pool_size</td><td class=\"value\">20</td></tr>") != std::string::npos);
  CHECK(occurrences(html, "<table class=\"figures\">") == 3);
}

TEST_CASE("HTML report of a run without checks still renders a summary") {
  RunResult run;
  run.tool_version = "0.1.0";
  std::string html = html_report(run);
  CHECK(html.find("No checks ran.") != std::string::npos);
  CHECK(html.find("</html>") != std::string::npos);
}
