// Rendering of single checks: cards for problems, compact rows for the rest.
#include "reports/html_checks.h"

#include "harness/duration.h"
#include "reports/escape.h"
#include "reports/report_format.h"

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
  out += figures_table(k) + evidence_blocks(k);
  return out + "</article>";
}

std::string compact_row(const Check& k) {
  bool skipped = k.outcome == Outcome::skipped;
  std::string line = std::string("<span class=\"mark ") + to_string(k.outcome) + "\" title=\"" +
                     outcome_label(k.outcome) + "\">" + (skipped ? "&#8631;" : "&#10003;") +
                     "</span><span class=\"name\">" + html_escape(k.name) + "</span>";
  if (!k.message.empty()) line += "<span class=\"reason\">" + html_escape(k.message) + "</span>";
  line += time_span(k.duration_s);
  std::string body = figures_table(k) + evidence_blocks(k);
  if (body.empty()) return "<div class=\"row " + outcome_class(k.outcome) + "\"><div class=\"row-line\">" + line + "</div></div>";
  return "<details class=\"row " + outcome_class(k.outcome) + "\"><summary>" + line + "</summary><div class=\"row-body\">" +
         body + "</div></details>";
}

}  // namespace greenlight
