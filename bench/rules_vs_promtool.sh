#!/usr/bin/env bash
# `greenlight rules test` against `promtool test rules` on the same generated
# promtool-format unit test files, side by side: wall time, max RSS and both
# verdicts, which must agree.
#
#   bench/rules_vs_promtool.sh [GREENLIGHT_BINARY]
#   SIZES="50x1000x1000" RUNS=3 bench/rules_vs_promtool.sh build-bench/greenlight
#
# SIZES: workloads as RULESxSERIESxSAMPLES (default "10x100x100 50x1000x100",
# about a minute, nearly all of it promtool; the issue's 50x1000x1000 takes
# promtool ten times longer). Each workload is one rule file and one test file:
# - SERIES/2 counters bench_requests_total{instance, group} rising by 1..10
#   per step and SERIES/2 gauges bench_queue_depth{instance, group}, in 50
#   groups, SAMPLES samples each at the test's 15 s interval;
# - RULES alerting rules, for: 5m, cycling through
#   `sum by (group) (rate(bench_requests_total[5m])) > T`,
#   `max by (group) (bench_queue_depth) > T` and
#   `max by (group) (avg_over_time(bench_queue_depth[5m])) > T`,
#   T between two groups' values, so that some groups fire and some do not;
# - per rule two alert_rule_tests: at 2m nothing fires yet (`for`), at the
#   last sample the groups over T fire with their labels and annotation.
# Both tools must pass it; a disagreement exits 1. Times are wall clock and
# RSS is max RSS, both from /usr/bin/time -v. Everything lives in a temp dir,
# removed on exit (also on Ctrl-C).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GREENLIGHT="${1:-${GREENLIGHT:-$ROOT/build-bench/greenlight}}"
[[ -x "$GREENLIGHT" ]] || GREENLIGHT="$ROOT/build/greenlight"
SIZES="${SIZES:-10x100x100 50x1000x100}"
RUNS="${RUNS:-1}"  # greenlight/promtool pairs per workload, one after the other
PROMTOOL="${PROMTOOL:-$(command -v promtool || true)}"
for tool in "$GREENLIGHT" "$PROMTOOL" /usr/bin/time "$(command -v python3 || true)"; do
  [[ -n "$tool" && -x "$tool" ]] || { echo "missing: ${tool:-python3 or promtool}" >&2; exit 2; }
done
GREENLIGHT="$(realpath "$GREENLIGHT")"  # the tools run in the workload's folder

DIR="$(mktemp -d /tmp/greenlight-rules-bench.XXXXXX)"
trap 'rm -rf "$DIR"' EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# Writes DIR/bench.rules.yml and DIR/bench.test.yml for RULES SERIES SAMPLES.
generate() {
  python3 - "$1" "$2" "$3" "$4" <<'PY'
import sys
out, rules, series, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
GROUPS, STEP = 50, 15
counters, gauges = series // 2, series - series // 2
group_rate, group_max = {}, {}  # per group: sum of per-second rates, max gauge value
lines = ["rule_files: [bench.rules.yml]", "evaluation_interval: 15s", "tests:", "  - interval: 15s", "    input_series:"]
for j in range(counters):
    g, slope = j % GROUPS, j % 10 + 1
    group_rate[g] = group_rate.get(g, 0) + slope / STEP
    lines.append(f"      - series: 'bench_requests_total{{instance=\"c{j}\",group=\"g{g}\"}}'")
    lines.append(f"        values: '0+{slope}x{samples - 1}'")
for j in range(gauges):
    g, v = j % GROUPS, (j * 37) % 1000
    group_max[g] = max(group_max.get(g, v), v)
    lines.append(f"      - series: 'bench_queue_depth{{instance=\"q{j}\",group=\"g{g}\"}}'")
    lines.append(f"        values: '{v}x{samples - 1}'")
kinds = [
    ("sum by (group) (rate(bench_requests_total[5m]))", group_rate),
    ("max by (group) (bench_queue_depth)", group_max),
    ("max by (group) (avg_over_time(bench_queue_depth[5m]))", group_max),
]
rule_lines = ["groups:", "  - name: bench", "    interval: 15s", "    rules:"]
lines.append("    alert_rule_test:")
end = f"{(samples - 1) * STEP}s"
for r in range(rules):
    expr, values = kinds[r % 3]
    distinct = sorted(set(values.values()))
    i = (r * 7) % (len(distinct) - 1) if len(distinct) > 1 else 0
    threshold = (distinct[i] + distinct[min(i + 1, len(distinct) - 1)]) / 2
    name = f"Bench{r}"
    rule_lines += [f"      - alert: {name}", f"        expr: {expr} > {threshold!r}", "        for: 5m",
                   "        labels: {severity: warning}",
                   "        annotations: {summary: 'group {{ $labels.group }} is over the line'}"]
    lines += [f"      - eval_time: 2m", f"        alertname: {name}", "        exp_alerts: []",
              f"      - eval_time: {end}", f"        alertname: {name}", "        exp_alerts:"]
    firing = [g for g in sorted(values) if values[g] > threshold]
    if not firing:
        lines[-1] += " []"
    for g in firing:
        lines += [f"          - exp_labels: {{severity: warning, group: g{g}}}",
                  f"            exp_annotations: {{summary: 'group g{g} is over the line'}}"]
open(f"{out}/bench.rules.yml", "w").write("\n".join(rule_lines) + "\n")
open(f"{out}/bench.test.yml", "w").write("\n".join(lines) + "\n")
PY
}

# Runs "$@" in the workload's folder under /usr/bin/time -v; sets WALL (s),
# RSS (MB) and VERDICT (pass: exit 0, fail: anything else).
measure() {
  local log="$DIR/time.log" code=0
  (cd "$WORK" && /usr/bin/time -v -o "$log" "$@" > "$DIR/out.log" 2>&1) || code=$?
  WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s}' "$log")
  RSS=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$log")
  if [[ $code == 0 ]]; then VERDICT=pass; else VERDICT="fail($code)"; fi
}

echo "greenlight: $GREENLIGHT ($("$GREENLIGHT" --version 2>&1 | head -1))"
echo "promtool:   $PROMTOOL ($("$PROMTOOL" --version 2>&1 | head -1))"
echo "machine:    $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
printf "%-16s %-4s %12s %12s %10s %14s %14s %9s %s\n" workload run "greenlight s" "promtool s" speedup \
  "greenlight MB" "promtool MB" verdicts agree
status=0
for size in $SIZES; do
  IFS=x read -r rules series samples <<< "$size"
  WORK="$DIR/$size"
  mkdir -p "$WORK"
  generate "$WORK" "$rules" "$series" "$samples"
  for run in $(seq "$RUNS"); do
    measure "$GREENLIGHT" rules test --quiet bench.test.yml
    g_wall=$WALL g_rss=$RSS g_verdict=$VERDICT
    [[ $g_verdict == pass ]] || { echo "greenlight on $size:" >&2; tail -20 "$DIR/out.log" >&2; }
    measure "$PROMTOOL" test rules bench.test.yml
    p_wall=$WALL p_rss=$RSS p_verdict=$VERDICT
    [[ $p_verdict == pass ]] || { echo "promtool on $size:" >&2; tail -20 "$DIR/out.log" >&2; }
    agree=yes
    [[ $g_verdict == "$p_verdict" ]] || { agree=NO; status=1; }
    speedup=$(awk -v g="$g_wall" -v p="$p_wall" 'BEGIN { printf "%.1fx", (g > 0 ? p / g : 0) }')
    printf "%-16s %-4s %12s %12s %10s %14s %14s %9s %s\n" "$size" "$run" "$g_wall" "$p_wall" "$speedup" \
      "$g_rss" "$p_rss" "$g_verdict/$p_verdict" "$agree"
  done
done
exit $status
