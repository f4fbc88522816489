// The HTML report's look: system fonts only (no web fonts to fetch), one palette
// shared by badges and charts, and print rules so the file doubles as a PDF.
#include "reports/html_style.h"

namespace greenlight {

const char* html_report_css() {
  return R"CSS(
:root {
  --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --page: #f6f8fa; --card: #ffffff; --code-bg: #f6f8fa;
  --passed: #1a7f37; --passed-bg: #dafbe1;
  --failed: #cf222e; --failed-bg: #ffebe9;
  --error: #bc4c00; --error-bg: #fff1e5;
  --skipped: #6e7781; --skipped-bg: #eaeef2;
  --interrupted: #9a6700; --interrupted-bg: #fff8c5;
  --track: #eaeef2;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--page); color: var(--fg);
  font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Roboto, "Helvetica Neue", "Liberation Sans", Arial, sans-serif;
}
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace; }
.page { max-width: 1080px; margin: 0 auto; padding: 28px 24px 48px; }
h1, h2, h3, h4 { line-height: 1.25; margin: 0; }
.card { background: var(--card); border: 1px solid var(--border); border-radius: 10px; }

/* Summary */
.summary { display: grid; grid-template-columns: 1fr auto; gap: 24px; padding: 24px 28px; border-left: 8px solid var(--v); }
.summary.v-passed { --v: var(--passed); --v-bg: var(--passed-bg); }
.summary.v-failed { --v: var(--failed); --v-bg: var(--failed-bg); }
.summary.v-interrupted { --v: var(--interrupted); --v-bg: var(--interrupted-bg); }
.brand { font-size: 13px; letter-spacing: .08em; text-transform: uppercase; color: var(--muted); font-weight: 600; }
.verdict { font-size: 46px; font-weight: 800; letter-spacing: .02em; color: var(--v); margin: 2px 0 2px; }
.verdict-sentence { font-size: 17px; margin: 0 0 16px; }
.notice { background: var(--interrupted-bg); border: 1px solid #d4a72c; border-radius: 6px; padding: 8px 12px; margin: 0 0 16px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; font-size: 14px; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.chart { display: flex; align-items: center; gap: 18px; }
.legend { list-style: none; margin: 0; padding: 0; font-size: 14px; }
.legend li { display: flex; align-items: center; gap: 8px; padding: 2px 0; }
.legend .n { font-weight: 700; min-width: 2ch; text-align: right; font-variant-numeric: tabular-nums; }
.swatch { width: 10px; height: 10px; border-radius: 2px; display: inline-block; }
.swatch.passed { background: var(--passed); } .swatch.failed { background: var(--failed); }
.swatch.error { background: var(--error); } .swatch.skipped { background: var(--skipped); }

/* Charts */
.seg-track { stroke: var(--track); fill: var(--track); }
.donut .seg-track { fill: none; }
.donut circle.seg-passed { stroke: var(--passed); } .donut circle.seg-failed { stroke: var(--failed); }
.donut circle.seg-error { stroke: var(--error); } .donut circle.seg-skipped { stroke: var(--skipped); }
.bar rect.seg-passed { fill: var(--passed); } .bar rect.seg-failed { fill: var(--failed); }
.bar rect.seg-error { fill: var(--error); } .bar rect.seg-skipped { fill: var(--skipped); }
.bar { border-radius: 5px; display: block; }
.donut-total { font-size: 26px; font-weight: 800; fill: var(--fg); }
.donut-caption { font-size: 12px; fill: var(--muted); }

/* Suites overview */
.overview { margin-top: 20px; padding: 16px 20px; }
.overview h2 { font-size: 16px; margin-bottom: 8px; }
table { border-collapse: collapse; }
.overview table { width: 100%; font-size: 14px; }
.overview th { text-align: left; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.overview th, .overview td { padding: 6px 10px; border-bottom: 1px solid var(--border); }
.overview tr:last-child td { border-bottom: 0; }
.overview td.num, .overview th.num { text-align: right; font-variant-numeric: tabular-nums; }
.overview a { color: var(--fg); font-weight: 600; text-decoration: none; }
.overview a:hover { text-decoration: underline; }
.zero { color: #afb8c1; }

/* Suites */
.suite { margin-top: 28px; }
.suite-head { display: flex; align-items: baseline; gap: 12px; flex-wrap: wrap; border-bottom: 2px solid var(--border); padding-bottom: 6px; margin-bottom: 14px; }
.suite-head h2 { font-size: 22px; }
.suite-head .stats { color: var(--muted); font-size: 14px; }
.group-title { font-size: 13px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 18px 0 8px; }
.empty { color: var(--muted); font-style: italic; }

/* Checks */
.check { padding: 14px 18px; margin: 0 0 12px; border-left: 5px solid var(--o); }
.check.o-passed { --o: var(--passed); --o-bg: var(--passed-bg); }
.check.o-failed { --o: var(--failed); --o-bg: var(--failed-bg); }
.check.o-error { --o: var(--error); --o-bg: var(--error-bg); }
.check.o-skipped { --o: var(--skipped); --o-bg: var(--skipped-bg); }
.check-head { display: flex; align-items: center; gap: 10px; }
.check-head h4 { font-size: 16px; font-weight: 600; flex: 1; overflow-wrap: anywhere; }
.badge { font-size: 11px; font-weight: 700; letter-spacing: .06em; padding: 2px 8px; border-radius: 999px; color: var(--o); background: var(--o-bg); white-space: nowrap; }
.time { color: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; white-space: nowrap; }
.message { margin: 8px 0 0; font-size: 15px; overflow-wrap: anywhere; white-space: pre-wrap; }
.o-failed .message, .o-error .message { color: #82071e; }
.o-error .message { color: #762c00; }
.figures { margin: 10px 0 0; font-size: 13px; }
.figures th, .figures td { padding: 3px 12px 3px 0; text-align: left; border-bottom: 1px solid var(--border); }
.figures th { color: var(--muted); font-weight: 600; }
.figures td.value { font-variant-numeric: tabular-nums; font-weight: 600; }
.evidence { margin-top: 10px; }
.evidence-label { font-size: 12px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: .05em; margin-bottom: 3px; }
.ctl { color: var(--error); background: var(--error-bg); border-radius: 3px; padding: 0 2px; font-size: .92em; }
pre {
  margin: 0; padding: 10px 12px; background: var(--code-bg); border: 1px solid var(--border); border-radius: 6px;
  font-size: 12.5px; line-height: 1.45; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 420px; overflow: auto;
}

/* Compact rows for skipped and passed checks */
.rows { padding: 0; overflow: hidden; }
.row { border-top: 1px solid var(--border); }
.row:first-child { border-top: 0; }
.row-line, .row > summary { display: flex; align-items: baseline; gap: 10px; padding: 8px 16px; }
.row > summary { cursor: pointer; list-style: none; }
.row > summary::-webkit-details-marker { display: none; }
.row > summary::before { content: "\25B8"; color: var(--muted); width: 1ch; }
.row[open] > summary::before { content: "\25BE"; }
.row-line::before { content: ""; width: 1ch; }
.row .name { flex: 1; font-weight: 500; overflow-wrap: anywhere; }
.row .reason { flex: 2; color: var(--muted); overflow-wrap: anywhere; }
.row .mark { font-weight: 700; width: 1.2em; text-align: center; }
.row .mark.passed { color: var(--passed); } .row .mark.skipped { color: var(--skipped); }
.row-body { padding: 0 16px 12px 44px; }

footer { margin-top: 36px; color: var(--muted); font-size: 12px; text-align: center; }

@media (max-width: 760px) {
  .summary { grid-template-columns: 1fr; }
  .verdict { font-size: 36px; }
}
@media print {
  body { background: #fff; font-size: 12px; }
  .page { max-width: none; padding: 0; }
  .card { break-inside: avoid; }
  .rows { break-inside: auto; }
  .summary, .badge, .swatch, .notice { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  pre { max-height: none; overflow: visible; }
  /* Collapsed details would print empty: show everything on paper. */
  details::details-content { content-visibility: visible; display: block; }
  .row > summary::before { content: ""; }
  .overview a { text-decoration: none; }
}
)CSS";
}

}  // namespace greenlight
