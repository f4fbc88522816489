#!/usr/bin/env bash
# Compares the native load engine (greenlight-loadbench) with wrk against the
# same nginx on loopback: requests/s, CPU time per request, p50/p99.
#
#   bench/load_vs_wrk.sh [LOADBENCH_BINARY]
#   DURATION=10 RUNS=3 RT=1 bench/load_vs_wrk.sh build/greenlight-loadbench
#
# RT=1 (root only) runs nginx and both tools under SCHED_FIFO (chrt -f 10), so
# that other work on the machine (builds, tests) does not decide the result.
#
# nginx: its own config in a temp dir, 127.0.0.1 only, one worker,
# access_log off, a 612-byte static file (nginx's default index.html size).
# Each run is bounded by DURATION (plus a hard `timeout`); nginx is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LOADBENCH="${1:-${LOADBENCH:-$ROOT/build/greenlight-loadbench}}"
DURATION="${DURATION:-10}"
RUNS="${RUNS:-1}"
PRIO=()
[[ "${RT:-0}" == 1 ]] && PRIO=(chrt -f 10)

for tool in "$LOADBENCH" "${NGINX:-/usr/sbin/nginx}" "$(command -v wrk || true)" /usr/bin/time; do
  [[ -n "$tool" && -x "$tool" ]] || { echo "missing: ${tool:-wrk}" >&2; exit 2; }
done

source "$(dirname "$0")/bench_nginx.sh"
start_bench_nginx "" ""
URL="http://127.0.0.1:$PORT/index.html"


# Prints: rps cpu_seconds requests p50_ms p99_ms
run_wrk() {
  local threads=$1 conns=$2 out
  out="$("${PRIO[@]}" /usr/bin/time -f 'CPU %U %S' timeout $((DURATION + 30)) wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency "$URL" 2>&1)"
  local rps req cpu p50 p99
  rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  req="$(awk '/requests in/ {print $1}' <<<"$out")"
  cpu="$(awk '/^CPU / {print $2 + $3}' <<<"$out")"
  p50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
  p99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
  echo "$rps $cpu $req $p50 $p99"
}

run_greenlight() {
  local threads=$1 conns=$2 out
  out="$("${PRIO[@]}" /usr/bin/time -f 'CPU %U %S' timeout $((DURATION + 30)) "$LOADBENCH" "$URL" --threads "$threads" \
         --connections "$conns" --duration "${DURATION}s" 2>&1)"
  local rps req cpu p50 p99 errors
  errors="$(awk '$1 == "errors" {print $2}' <<<"$out")"
  [[ "$errors" == "0" ]] || echo "warning: greenlight-loadbench reported $errors errors" >&2
  rps="$(awk '$1 == "rps" {print $2}' <<<"$out")"
  req="$(awk '$1 == "requests" {print $2}' <<<"$out")"
  cpu="$(awk '/^CPU / {print $2 + $3}' <<<"$out")"
  p50="$(awk '$1 == "latency" {sub(/ms$/, "", $3); print $3}' <<<"$out")"
  p99="$(awk '$1 == "latency" {sub(/ms$/, "", $7); print $7}' <<<"$out")"
  echo "$rps $cpu $req $p50 $p99"
}

echo "nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'), 1 worker, $URL (612 B); $(nproc) cores; ${DURATION}s per run${PRIO:+; SCHED_FIFO}"
printf '%-22s %-10s %12s %12s %10s %10s %10s\n' "load" "tool" "requests/s" "cpu us/req" "p50 ms" "p99 ms" "rps ratio"
for run in $(seq "$RUNS"); do
  for shape in "1 50" "2 100"; do
    set -- $shape
    read -r w_rps w_cpu w_req w_p50 w_p99 < <(run_wrk "$1" "$2")
    read -r g_rps g_cpu g_req g_p50 g_p99 < <(run_greenlight "$1" "$2")
    label="${1} thread/${2} conns"
    w_cpr="$(awk -v c="$w_cpu" -v n="$w_req" 'BEGIN {printf "%.2f", c * 1e6 / n}')"
    g_cpr="$(awk -v c="$g_cpu" -v n="$g_req" 'BEGIN {printf "%.2f", c * 1e6 / n}')"
    ratio="$(awk -v g="$g_rps" -v w="$w_rps" 'BEGIN {printf "%.3fx", g / w}')"
    printf '%-22s %-10s %12.0f %12s %10s %10s %10s\n' "$label" "wrk" "$w_rps" "$w_cpr" "$w_p50" "$w_p99" ""
    printf '%-22s %-10s %12.0f %12s %10s %10s %10s\n' "" "greenlight" "$g_rps" "$g_cpr" "$g_p50" "$g_p99" "$ratio"
  done
done
