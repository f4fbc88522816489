// The HTML report as a real browser sees it: headless Chromium loads the file
// and dumps the DOM it built. Evidence markup must arrive as text, never as
// elements, and the page must show the verdict and the failure.
#include <catch2/catch.hpp>

#include <chrono>
#include <regex>

#include "reports/reports.h"
#include "sample_load_run.h"
#include "sample_run.h"

using namespace greenlight;
using namespace greenlight::test;

namespace {

const char* kChromium = "/usr/bin/chromium";

// Flags keep the run hermetic and fast: a fresh profile, no network chatter,
// no sandbox (tests may run as root in CI containers).
std::string dump_dom_command(const std::filesystem::path& html, const std::filesystem::path& profile,
                             const std::filesystem::path& log) {
  return std::string("timeout 60 ") + kChromium +
         " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
         " --disable-component-update --disable-sync --disable-extensions --user-data-dir='" + profile.string() +
         "' --dump-dom 'file://" + html.string() + "' 2>'" + log.string() + "'";
}

std::string title_of(const std::string& dom) {
  std::smatch m;
  if (std::regex_search(dom, m, std::regex("<title>([^<]*)</title>"))) return m[1];
  return "";
}

}  // namespace

TEST_CASE("Chromium renders the HTML report with evidence as inert text") {
  if (!std::filesystem::exists(kChromium)) {
    WARN("SKIPPED: " << kChromium << " not found, cannot check the HTML report in a browser "
                     "(install the chromium package, see ci/setup)");
    return;
  }
  ReportDir dir;
  std::filesystem::path html = dir.path / "report.html";
  write_file(html, html_report(sample_run()));

  auto start = std::chrono::steady_clock::now();
  ShellResult r = run_command(dump_dom_command(html, dir.path / "profile", dir.path / "chromium.log"));
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO("chromium took " << seconds << "s; its stderr:\n" << read_file(dir.path / "chromium.log"));
  REQUIRE(r.status == 0);
  const std::string& dom = r.output;
  REQUIRE(dom.find("</html>") != std::string::npos);

  // What a reader sees: the verdict and the failing check's message.
  CHECK(dom.find(">FAILED</h1>") != std::string::npos);
  CHECK(dom.find(kFailMessage) != std::string::npos);
  CHECK(dom.find("health endpoint answers") != std::string::npos);

  // The evidence's <script> is a text node (re-serialised escaped), not an element.
  CHECK(dom.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(dom.find("&lt;script&gt;document.title='pwned'&lt;/script&gt;") != std::string::npos);
  CHECK(occurrences(dom, "<script") == 0);
  // Had the evidence script run, the title would read "pwned".
  std::string title = title_of(dom);
  CHECK(title.rfind("FAILED", 0) == 0);
  CHECK(title.find("pwned") == std::string::npos);
  // Nor did the target's "<b>" in the check name become an element.
  CHECK(dom.find("login returns 200 \"quoted\" 'name' &lt;b&gt;") != std::string::npos);
  CHECK(seconds < 30);
}

TEST_CASE("Chromium renders a load run's charts as inline SVG with legends") {
  if (!std::filesystem::exists(kChromium)) {
    WARN("SKIPPED: " << kChromium << " not found, cannot check the charts in a browser "
                     "(install the chromium package, see ci/setup)");
    return;
  }
  RunResult run = sample_load_run();
  run.suites[0].checks[1].series.push_back(
      Series{"throughput over time", "<script>document.title='pwned'</script>", "s", "req/s", false, {{1, 1}, {2, 2}}});
  ReportDir dir;
  std::filesystem::path html = dir.path / "report.html";
  write_file(html, html_report(run));

  ShellResult r = run_command(dump_dom_command(html, dir.path / "profile", dir.path / "chromium.log"));
  INFO("chromium's stderr:\n" << read_file(dir.path / "chromium.log"));
  REQUIRE(r.status == 0);
  const std::string& dom = r.output;
  REQUIRE(dom.find("</html>") != std::string::npos);

  // Five charts (one for the failed check, three for the steady run, one for
  // the capacity search), built as SVG elements, not shown as text.
  CHECK(occurrences(dom, "<svg class=\"line-chart\"") == 5);
  CHECK(occurrences(dom, "<polyline class=\"line\"") == 3 + 3 + 3 + 2 + 3);
  // The passed load check is unfolded, so its charts are seen without a click.
  CHECK(dom.find("<details class=\"row o-passed\" open=\"\">") != std::string::npos);
  // Chart titles, legends and axes as a reader sees them.
  for (const char* text : {">latency over time</text>", ">throughput vs latency</text>", ">p99</text>", ">service time</text>",
                           ">SLO p(99)&lt;50ms</text>", ">capacity 1600 req/s</text>", ">99.9%</text>", ">99.999%</text>",
                           ">percentile \u2192</text>", ">\u2191 ms (log scale)</text>"}) {
    INFO(text);
    CHECK(dom.find(text) != std::string::npos);
  }
  // A series name is text inside the chart, never an element.
  CHECK(occurrences(dom, "<script") == 0);
  CHECK(dom.find("&lt;script&gt;document.title='pwned'&lt;/script&gt;</text>") != std::string::npos);
  CHECK(title_of(dom).find("pwned") == std::string::npos);
}
