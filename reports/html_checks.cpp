// Rendering of single checks: cards for problems, compact rows for the rest.
#include "reports/html_checks.h"

#include <algorithm>
#include <vector>

#include "harness/duration.h"
#include "reports/escape.h"
#include "reports/report_format.h"
#include "reports/svg_line_chart.h"

namespace greenlight {

namespace {

// A zero duration means "not measured" (e.g. a skipped check): show nothing.
std::string time_span(double s) {
  if (s <= 0) return "";
  return "<span class=\"time\">" + html_escape(format_duration(Duration(s))) + "</span>";
}

std::string figures_table(const Check& k) {
  if (k.figures.empty()) return "";
  std::string out = "<table class=\"figures\"><thead><tr><th>Figure</th><th>Value</th></tr></thead><tbody>";
  for (const Figure& f : k.figures)
    out += "<tr><td>" + html_escape(f.name) + "</td><td class=\"value\">" + html_escape(format_figure(f)) + "</td></tr>";
  return out + "</tbody></table>";
}

std::string evidence_blocks(const Check& k) {
  std::string out;
  for (const Evidence& e : k.evidence) {
    out += "<div class=\"evidence\"><div class=\"evidence-label\">" + html_escape(e.label.empty() ? "evidence" : e.label) +
           "</div><pre>" + (e.text.empty() ? std::string("<span class=\"empty\">(empty)</span>") : html_escape(e.text)) +
           "</pre></div>";
  }
  return out;
}

// Series sharing a chart name, charts in the order their first series appears.
std::vector<std::vector<const Series*>> charts_of(const Check& k) {
  std::vector<std::vector<const Series*>> charts;
  for (const Series& s : k.series) {
    auto same = std::find_if(charts.begin(), charts.end(), [&](const auto& c) { return c.front()->chart == s.chart; });
    if (same == charts.end()) charts.push_back({&s});
    else same->push_back(&s);
  }
  return charts;
}

// Inline styles rather than classes: the charts are the only thing on the page
// that needs them, and the CSP allows inline styles (not scripts).
std::string charts_block(const Check& k) {
  std::string out;
  for (const auto& chart : charts_of(k))
    out += "<figure class=\"chart-figure\" style=\"margin:12px 0 0;max-width:100%;overflow-x:auto\">" +
           line_chart_svg(chart) + "</figure>";
  if (out.empty()) return "";
  return "<div class=\"charts\">" + out + "</div>";
}

std::string outcome_class(Outcome o) { return std::string("o-") + to_string(o); }

}  // namespace

std::string outcome_label(Outcome o) {
  switch (o) {
    case Outcome::passed: return "PASSED";
    case Outcome::failed: return "FAILED";
    case Outcome::skipped: return "SKIPPED";
    case Outcome::error: return "ERROR";
  }
  return "ERROR";
}

std::string problem_card(const Check& k) {
  std::string out = "<article class=\"card check " + outcome_class(k.outcome) + "\"><div class=\"check-head\"><span class=\"badge\">" +
                    outcome_label(k.outcome) + "</span><h4>" + html_escape(k.name) + "</h4>" + time_span(k.duration_s) +
                    "</div>";
  if (!k.message.empty()) out += "<p class=\"message\">" + html_escape(k.message) + "</p>";
  out += figures_table(k) + charts_block(k) + evidence_blocks(k);
  return out + "</article>";
}

std::string compact_row(const Check& k) {
  bool skipped = k.outcome == Outcome::skipped;
  std::string line = std::string("<span class=\"mark ") + to_string(k.outcome) + "\" title=\"" +
                     outcome_label(k.outcome) + "\">" + (skipped ? "&#8631;" : "&#10003;") +
                     "</span><span class=\"name\">" + html_escape(k.name) + "</span>";
  if (!k.message.empty()) line += "<span class=\"reason\">" + html_escape(k.message) + "</span>";
  line += time_span(k.duration_s);
  std::string body = figures_table(k) + charts_block(k) + evidence_blocks(k);
  if (body.empty()) return "<div class=\"row " + outcome_class(k.outcome) + "\"><div class=\"row-line\">" + line + "</div></div>";
  // A load run usually passes, and its charts are what the reader came for:
  // they start unfolded (and can still be folded away).
  std::string open = k.series.empty() ? "" : " open";
  return "<details class=\"row " + outcome_class(k.outcome) + "\"" + open + "><summary>" + line + "</summary><div class=\"row-body\">" +
         body + "</div></details>";
}

}  // namespace greenlight
