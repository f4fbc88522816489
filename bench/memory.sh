#!/usr/bin/env bash
# Resident memory of the load engine against request count: runs
# greenlight-loadbench (closed model, like wrk) against nginx serving a 612-byte
# static file on 127.0.0.1 for ~1M, ~3M and ~10M requests and records the max
# RSS of each run with /usr/bin/time -v. The durations come from the rate
# measured in a short calibration run; every run is bounded by MAX_DURATION.
#
#   bench/memory.sh [LOADBENCH_BINARY]
#   THREADS=1 CONNECTIONS=50 MAX_DURATION=150 RT=1 bench/memory.sh build-bench/greenlight-loadbench
#   RATE=1000 DURATIONS="15 60 150" bench/memory.sh   # RSS against duration at a low rate
#
# Target: max RSS <= 64 MB at 10M requests, and flat (not growing with requests).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LOADBENCH="${1:-${LOADBENCH:-$ROOT/build-bench/greenlight-loadbench}}"
[[ -x "$LOADBENCH" ]] || LOADBENCH="$ROOT/build/greenlight-loadbench"
THREADS="${THREADS:-1}"
CONNECTIONS="${CONNECTIONS:-50}"
MAX_DURATION="${MAX_DURATION:-150}"
COUNTS="${COUNTS:-1000000 3000000 10000000}"
RATE="${RATE:-}"          # set: open model at this rate (--rate), to separate duration from request count
DURATIONS="${DURATIONS:-}"  # set (e.g. "15 60 150"): fixed durations instead of COUNTS
PRIO=()
[[ "${RT:-0}" == 1 ]] && PRIO=(chrt -f 10)  # RT=1 (root): nginx and the tool under SCHED_FIFO

for tool in "$LOADBENCH" "${NGINX:-/usr/sbin/nginx}" /usr/bin/time; do
  [[ -x "$tool" ]] || { echo "missing: $tool" >&2; exit 2; }
done

source "$(dirname "$0")/bench_nginx.sh"
start_bench_nginx "" ""
URL="http://127.0.0.1:$PORT/index.html"

# Prints: requests rps max_rss_kb wall_s errors
run() {
  local d=$1 out
  out="$("${PRIO[@]}" /usr/bin/time -v timeout $((${d%.*} + 30)) "$LOADBENCH" "$URL" --threads "$THREADS" \
         --connections "$CONNECTIONS" --duration "${d}s" ${RATE:+--rate "$RATE"} 2>&1)"
  awk '$1 == "requests" {req = $2}
       $1 == "rps" {rps = $2}
       $1 == "errors" {err = $2}
       /Maximum resident set size/ {rss = $NF}
       /Elapsed \(wall clock\)/ {n = split($NF, t, ":"); wall = (n == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2]}
       END {print req, rps, rss, wall, err}' <<<"$out"
}

echo "nginx 612-byte static file, $URL; greenlight-loadbench --threads $THREADS --connections $CONNECTIONS${RATE:+ --rate $RATE}; $(nproc) cores${PRIO:+; SCHED_FIFO}"
if [[ -n "$DURATIONS" ]]; then
  printf '%-10s %12s %10s %8s %14s\n' "duration" requests "req/s" errors "max RSS (MB)"
  for d in $DURATIONS; do
    read -r req rps rss wall err < <(run "$d")
    printf '%9ss %12s %10s %8s %14s\n' "$d" "$req" "$rps" "$err" "$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')"
  done
  exit 0
fi
read -r c_req c_rps c_rss c_wall c_err < <(run 3)
echo "calibration: 3 s, $c_req requests, $c_rps req/s, max RSS $c_rss kB"
printf '%-10s %10s %12s %10s %8s %14s %8s\n' target "duration" requests "req/s" errors "max RSS (MB)" "<=64MB"
for n in $COUNTS; do
  d="$(awk -v n="$n" -v r="$c_rps" -v m="$MAX_DURATION" 'BEGIN {d = n / r * 1.05; if (d > m) d = m; if (d < 1) d = 1; printf "%.0f", d}')"
  read -r req rps rss wall err < <(run "$d")
  mb="$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')"
  ok="$(awk -v k="$rss" 'BEGIN {print (k <= 64 * 1024) ? "yes" : "NO"}')"
  printf '%-10s %9ss %12s %10s %8s %14s %8s\n' "$n" "$d" "$req" "$rps" "$err" "$mb" "$ok"
done
