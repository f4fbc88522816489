#!/usr/bin/env bash
# Accuracy of the native load engine, on 127.0.0.1 only, every run bounded.
#
#   bench/accuracy_vs_wrk.sh [BUILD_DIR]        (default: build-bench, then build)
#   DURATION=10 RATE=500 bench/accuracy_vs_wrk.sh build-bench
#
# 1. Closed model against a fixed 10 ms delay: nginx + echo module
#    (`location /sleep { echo_sleep 0.01; echo ok; }`), wrk -t1 -c10 -d10s
#    --latency and greenlight-loadbench with the same threads/connections/
#    duration; p50/p90/p99 side by side (target: |p50 - wrk p50| <= 0.3 ms).
# 2. Open model: greenlight-loadbench URL --rate RATE --connections 20 against
#    /sleep; achieved rate vs requested (target: within 1%).
# 3. Coordinated omission: `greenlight load URL --rate 200 --duration 10s`
#    against a tiny python3 server (http.server.ThreadingHTTPServer, HTTP/1.1
#    keep-alive) that stalls once for 1 s: every request it handles during
#    [4 s, 5 s) after its first request is held until the end of that second
#    (a server-wide pause, like a GC pause). Reports p99/p99.9 of latency
#    (from the intended start) and of service time (from the send), from
#    `--json`, with the default pool (grows to 256 connections) and with a
#    fixed pool of 2 connections.
#
# Needs: nginx, libnginx-mod-http-echo, wrk, python3 (Debian packages).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-}"
if [[ -z "$BUILD" ]]; then
  BUILD="$ROOT/build-bench"; [[ -x "$BUILD/greenlight-loadbench" ]] || BUILD="$ROOT/build"
fi
LOADBENCH="$BUILD/greenlight-loadbench"
GREENLIGHT="$BUILD/greenlight"
DURATION="${DURATION:-10}"
RATE="${RATE:-500}"
STALL_RATE="${STALL_RATE:-200}"
NGINX="${NGINX:-/usr/sbin/nginx}"
ECHO_MODULE="${ECHO_MODULE:-/usr/lib/nginx/modules/ngx_http_echo_module.so}"
PY="${PYTHON:-$(command -v python3)}"
PARTS="${PARTS:-1 2 3}"   # which of the three parts to run
part() { [[ " $PARTS " == *" $1 "* ]]; }

for tool in "$LOADBENCH" "$GREENLIGHT" "$NGINX" "$(command -v wrk || true)" "$PY"; do
  [[ -n "$tool" && -x "$tool" ]] || { echo "missing: ${tool:-wrk}" >&2; exit 2; }
done
[[ -f "$ECHO_MODULE" ]] || { echo "missing: $ECHO_MODULE (apt-get install libnginx-mod-http-echo)" >&2; exit 2; }

PRIO=()
source "$(dirname "$0")/bench_nginx.sh"
start_bench_nginx "load_module $ECHO_MODULE;" "location /sleep { echo_sleep 0.01; echo ok; }"
URL="http://127.0.0.1:$PORT/sleep"
curl -fsS "$URL" >/dev/null 2>&1 || true


if part 1; then
echo "== 1. closed model, fixed 10 ms delay: $URL (nginx $("$NGINX" -v 2>&1 | sed 's/.*\///') + echo_sleep 0.01), $(nproc) cores"
echo "\$ wrk -t1 -c10 -d${DURATION}s --latency $URL"
W="$(timeout $((DURATION + 30)) wrk -t1 -c10 -d"${DURATION}s" --latency "$URL" 2>&1)"
echo "$W" | sed 's/^/  /'
echo "\$ $LOADBENCH $URL --threads 1 --connections 10 --duration ${DURATION}s"
G="$(timeout $((DURATION + 30)) "$LOADBENCH" "$URL" --threads 1 --connections 10 --duration "${DURATION}s" 2>&1)"
echo "$G" | sed 's/^/  /'

w_p() { to_ms "$(awk -v p="$1%" '$1 == p {print $2}' <<<"$W")"; }
g_p() { awk -v f="$1" '$1 == "latency" {v = $f; sub(/ms$/, "", v); printf "%.3f", v}' <<<"$G"; }
w_rps="$(awk '/^Requests\/sec:/ {printf "%.1f", $2}' <<<"$W")"
g_rps="$(awk '$1 == "rps" {print $2}' <<<"$G")"
w50="$(w_p 50)"; w90="$(w_p 90)"; w99="$(w_p 99)"
g50="$(g_p 3)"; g90="$(g_p 5)"; g99="$(g_p 7)"
printf '\n%-12s %10s %10s %10s %10s\n' tool "req/s" "p50 ms" "p90 ms" "p99 ms"
printf '%-12s %10s %10s %10s %10s\n' wrk "$w_rps" "$w50" "$w90" "$w99"
printf '%-12s %10s %10s %10s %10s\n' greenlight "$g_rps" "$g50" "$g90" "$g99"
d50="$(awk -v a="$g50" -v b="$w50" 'BEGIN {d = a - b; printf "%+.3f", d}')"
ok50="$(awk -v d="$d50" 'BEGIN {print (d <= 0.3 && d >= -0.3) ? "PASS" : "FAIL"}')"
echo "p50 difference greenlight - wrk: $d50 ms (target |d| <= 0.3 ms): $ok50"
echo
fi

if part 2; then
echo "== 2. open model: $RATE/s requested, 20 connections, ${DURATION}s"
echo "\$ $LOADBENCH $URL --threads 1 --connections 20 --duration ${DURATION}s --rate $RATE"
O="$(timeout $((DURATION + 30)) "$LOADBENCH" "$URL" --threads 1 --connections 20 --duration "${DURATION}s" --rate "$RATE" 2>&1)"
echo "$O" | sed 's/^/  /'
o_req="$(awk '$1 == "requests" {print $2}' <<<"$O")"
o_rps="$(awk '$1 == "rps" {print $2}' <<<"$O")"
awk -v n="$o_req" -v rps="$o_rps" -v r="$RATE" -v d="$DURATION" 'BEGIN {
  e1 = (n / d - r) / r * 100; e2 = (rps - r) / r * 100
  printf "achieved: %d requests / %ss = %.1f/s (%+.2f%%); tool-reported rps %.1f (%+.2f%%) (target within 1%%): %s\n",
         n, d, n / d, e1, rps, e2, (e1 <= 1 && e1 >= -1 && e2 <= 1 && e2 >= -1) ? "PASS" : "FAIL" }'
echo
fi

part 3 || exit 0
echo "== 3. coordinated omission: $STALL_RATE/s for ${DURATION}s, server stalls once for 1 s at 4 s"
cat > "$DIR/stall.py" <<'EOF'
import sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STALL_AT, STALL_FOR = 4.0, 1.0
first = None
lock = threading.Lock()

class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # else Nagle + delayed ACK add 40 ms per response
    def do_GET(self):
        global first
        now = time.monotonic()
        with lock:
            if first is None:
                first = now
        t = now - first
        if STALL_AT <= t < STALL_AT + STALL_FOR:          # server-wide pause
            time.sleep(first + STALL_AT + STALL_FOR - now)
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self._headers_buffer.append(b"\r\n" + body)   # headers and body in one write
        self.flush_headers()
    def log_message(self, *a):
        pass

ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer.request_queue_size = 1024
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF

co_run() {  # label, extra args...
  local label=$1; shift
  local port; port="$(free_port)"
  "$PY" "$DIR/stall.py" "$port" &
  local spid=$!
  BENCH_PIDS+=($spid)
  wait_port "$port"
  # wait_port's probe is not an HTTP request: the stall clock starts at the first GET, i.e. the load's first.
  local url="http://127.0.0.1:$port/"
  echo "\$ $GREENLIGHT load $url --rate $STALL_RATE --duration ${DURATION}s $* --json out.json"
  timeout $((DURATION + 30)) "$GREENLIGHT" load "$url" --rate "$STALL_RATE" --duration "${DURATION}s" "$@" \
    --json "$DIR/co.json" >"$DIR/co.out" 2>&1 || true
  kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true
  "$PY" - "$DIR/co.json" "$label" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
def pick(k):
    return j.get(k) or j.get("totals", {}).get(k) or {}
lat, svc = pick("latency_ms"), pick("service_time_ms")
print(f"  {sys.argv[2]}: requests {j.get('requests')}, rps {j.get('rps')}, dropped {j.get('dropped')}, errors {j.get('errors')}")
print(f"  {'':14} {'p50':>9} {'p90':>9} {'p99':>9} {'p99.9':>9} {'max':>9}  (ms)")
for name, h in (("latency", lat), ("service time", svc)):
    print(f"  {name:14} " + " ".join(f"{h.get(k, float('nan')):9.2f}" for k in ("p50", "p90", "p99", "p999", "max")))
EOF
}
co_run "default pool (16, grows to 256)"
co_run "fixed pool of 2 connections" --connections 2 --max-connections 2
