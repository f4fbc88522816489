// The HTML report: one self-contained page for people. Verdict first, then per
// suite the failures and errors (with evidence), skipped checks with reasons,
// and passed checks folded. No script, no external URL: a Content-Security-Policy
// forbids both, so even a rendering bug cannot make the page run target content.
#include <cctype>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness/duration.h"
#include "reports/escape.h"
#include "reports/html_checks.h"
#include "reports/html_style.h"
#include "reports/svg_line_chart.h"
#include "reports/reports.h"
#include "reports/svg_chart.h"

namespace greenlight {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string plural(int n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

// "2026-11-21T23:14:58Z" reads better as "2026-11-21 23:14:58 UTC"; anything
// else is shown as given.
std::string readable_time(const std::string& iso) {
  if (iso.size() == 20 && iso[10] == 'T' && iso[19] == 'Z') return iso.substr(0, 10) + " " + iso.substr(11, 8) + " UTC";
  return iso;
}

std::string verdict_sentence(const Counts& c) {
  int not_passed = c.failed + c.error;
  if (c.total() == 0) return "No checks ran.";
  if (not_passed > 0) return fmt::format("{} of {} did not pass.", not_passed, plural(c.total(), "check", "checks"));
  if (c.passed == c.total()) return "All " + plural(c.total(), "check", "checks") + " passed.";
  return fmt::format("{} of {} passed, none failed.", c.passed, c.total());
}

// "3 passed, 1 failed, 1 error, 0 skipped" with the separator given.
std::string counts_sentence(const Counts& c, const char* sep) {
  return fmt::format("{} passed{}{} failed{}{}{}{} skipped", c.passed, sep, c.failed, sep, plural(c.error, "error", "errors"), sep,
                     c.skipped);
}

std::string legend_item(const char* cls, const char* label, int n) {
  return fmt::format("<li><span class=\"swatch {}\"></span><span class=\"n\">{}</span> {}</li>", cls, n, label);
}

std::string meta_row(const char* label, const std::string& escaped_value) {
  return std::string("<dt>") + label + "</dt><dd>" + escaped_value + "</dd>";
}

std::string summary_header(const RunResult& run) {
  Counts c = count(run);
  std::string v = verdict(run);
  std::string out = "<header class=\"card summary v-" + v + "\"><div>";
  out += "<div class=\"brand\">greenlight &middot; production readiness report</div>";
  out += "<h1 class=\"verdict\">" + upper(v) + "</h1>";
  out += "<p class=\"verdict-sentence\">" + html_escape(verdict_sentence(c)) + "</p>";
  if (run.interrupted)
    out += "<p class=\"notice\">The run was interrupted before it finished: this report holds only the checks that ran.</p>";
  out += "<dl class=\"meta\">";
  out += meta_row("Target", "<code>" + html_escape(run.target) + "</code>");
  out += meta_row("Plan", "<code>" + html_escape(run.plan_file) + "</code>");
  if (!run.profile.empty()) out += meta_row("Profile", html_escape(run.profile));
  if (!run.revision.empty()) out += meta_row("Revision", "<code>" + html_escape(run.revision) + "</code>");
  if (run.run_id > 0) out += meta_row("Run", fmt::format("#{} in the run history", run.run_id));
  out += meta_row("Started", html_escape(readable_time(run.started_at)));
  out += meta_row("Duration", html_escape(format_duration(Duration(run.duration_s))));
  out += meta_row("Checks", counts_sentence(c, ", "));
  out += meta_row("Version", "greenlight " + html_escape(run.tool_version));
  out += "</dl></div>";
  out += "<div class=\"chart\">" + outcome_donut(c) + "<ul class=\"legend\">" + legend_item("passed", "passed", c.passed) +
         legend_item("failed", "failed", c.failed) + legend_item("error", c.error == 1 ? "error" : "errors", c.error) +
         legend_item("skipped", "skipped", c.skipped) + "</ul></div>";
  return out + "</header>";
}

std::string num_cell(int n) {
  return fmt::format("<td class=\"num{}\">{}</td>", n == 0 ? " zero" : "", n);
}

std::string suite_anchor(size_t i) { return fmt::format("suite-{}", i + 1); }

std::string suites_overview(const RunResult& run) {
  if (run.suites.empty()) return "";
  std::string out =
      "<nav class=\"card overview\"><h2>Suites</h2><table><thead><tr><th>Suite</th><th>Outcomes</th>"
      "<th class=\"num\">Passed</th><th class=\"num\">Failed</th><th class=\"num\">Errors</th>"
      "<th class=\"num\">Skipped</th><th class=\"num\">Time</th></tr></thead><tbody>";
  for (size_t i = 0; i < run.suites.size(); ++i) {
    const SuiteResult& s = run.suites[i];
    Counts c = count(s);
    out += "<tr><td><a href=\"#" + suite_anchor(i) + "\">" + html_escape(s.name) + "</a></td><td>" + outcome_bar(c) +
           "</td>" + num_cell(c.passed) + num_cell(c.failed) + num_cell(c.error) + num_cell(c.skipped) +
           "<td class=\"num\">" + html_escape(format_duration(Duration(s.duration_s))) + "</td></tr>";
  }
  return out + "</tbody></table></nav>";
}

std::vector<const Check*> with_outcomes(const SuiteResult& s, std::initializer_list<Outcome> outcomes) {
  std::vector<const Check*> out;
  for (const Check& k : s.checks)
    for (Outcome o : outcomes)
      if (k.outcome == o) out.push_back(&k);
  return out;
}

std::string group_title(const std::string& title, size_t n) {
  return fmt::format("<h3 class=\"group-title\">{} ({})</h3>", title, n);
}

std::string suite_section(const SuiteResult& s, size_t index) {
  Counts c = count(s);
  std::string out = "<section class=\"suite\" id=\"" + suite_anchor(index) + "\"><div class=\"suite-head\"><h2>" +
                    html_escape(s.name) + "</h2><span class=\"stats\">" +
                    counts_sentence(c, " &middot; ") + " &middot; " +
                    html_escape(format_duration(Duration(s.duration_s))) + "</span></div>";
  if (s.checks.empty()) return out + "<p class=\"empty\">No checks ran in this suite.</p></section>";

  // Failures and errors first, in the order they ran: they are why anyone opens the report.
  auto problems = with_outcomes(s, {Outcome::failed, Outcome::error});
  if (!problems.empty()) {
    out += group_title("Failures and errors", problems.size());
    for (const Check* k : problems) out += problem_card(*k);
  }
  auto skipped = with_outcomes(s, {Outcome::skipped});
  if (!skipped.empty()) {
    out += group_title("Skipped", skipped.size()) + "<div class=\"card rows\">";
    for (const Check* k : skipped) out += compact_row(*k);
    out += "</div>";
  }
  auto passed_checks = with_outcomes(s, {Outcome::passed});
  if (!passed_checks.empty()) {
    out += group_title("Passed", passed_checks.size()) + "<div class=\"card rows\">";
    for (const Check* k : passed_checks) out += compact_row(*k);
    out += "</div>";
  }
  return out + "</section>";
}

// Each headline figure over the recorded runs (this one last): a line per
// figure, so a slow creep that no single gate catches is still seen.
std::string trends_section(const RunResult& run) {
  if (run.trends.empty()) return "";
  std::string out = "<section class=\"suite\" id=\"trends\"><div class=\"suite-head\"><h2>Trends</h2><span class=\"stats\">" +
                    fmt::format("headline figures over the last recorded runs of this profile and target; run #{} is this one",
                                run.run_id) +
                    "</span></div><div class=\"card rows\">";
  for (const Series& s : run.trends) out += "<h3 class=\"group-title\">" + html_escape(s.chart) + "</h3>" + line_chart_svg({&s});
  return out + "</div></section>";
}

}  // namespace

std::string html_report(const RunResult& run) {
  std::string v = upper(verdict(run));
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      // Defence in depth behind the escaping: no script runs and nothing is fetched.
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      "<meta name=\"generator\" content=\"greenlight " + html_escape(run.tool_version) + "\">\n"
      "<title>" + v + " &middot; greenlight &middot; " + html_escape(run.target) + "</title>\n"
      "<style>" + html_report_css() + "</style>\n</head>\n<body>\n<main class=\"page\">\n";
  out += summary_header(run) + "\n";
  out += suites_overview(run) + "\n";
  for (size_t i = 0; i < run.suites.size(); ++i) out += suite_section(run.suites[i], i) + "\n";
  out += trends_section(run);
  out += "<footer>Generated by greenlight " + html_escape(run.tool_version) + " on " +
         html_escape(readable_time(run.started_at)) +
         ". This file is self-contained: it runs no script and loads nothing from the network.</footer>\n";
  out += "</main>\n</body>\n</html>\n";
  return out;
}

}  // namespace greenlight
