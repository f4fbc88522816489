# bench/bench_nginx.sh — sourced by the bench scripts, not run: a throwaway
# nginx on a free 127.0.0.1 port, with its config and files in a temp dir that
# is removed on exit, plus the small helpers the scripts share.
#
#   start_bench_nginx "MAIN-CONTEXT LINES" "SERVER-BLOCK LINES"   # sets PORT; serves $DIR/html (a 612-byte index.html)
#   BENCH_PIDS+=($!)                                              # other background processes to stop on exit
#
# Honours NGINX (default /usr/sbin/nginx) and PRIO (e.g. (chrt -f 10)).

NGINX="${NGINX:-/usr/sbin/nginx}"
DIR="$(mktemp -d /tmp/greenlight-bench.XXXXXX)"
BENCH_PIDS=()
bench_cleanup() {
  for p in "${BENCH_PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$DIR"
}
trap bench_cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_port() {
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listening on 127.0.0.1:$1" >&2
  exit 1
}

start_bench_nginx() {
  local main_lines=$1 server_lines=$2
  PORT="$(free_port)"
  mkdir -p "$DIR/html" "$DIR/tmp"
  head -c 612 /dev/zero | tr '\0' 'a' > "$DIR/html/index.html"
  cat > "$DIR/nginx.conf" <<CONF
$main_lines
worker_processes 1;
master_process off;
daemon off;
pid $DIR/nginx.pid;
error_log $DIR/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $DIR/tmp/body;
  proxy_temp_path $DIR/tmp/proxy;
  fastcgi_temp_path $DIR/tmp/fastcgi;
  uwsgi_temp_path $DIR/tmp/uwsgi;
  scgi_temp_path $DIR/tmp/scgi;
  server {
    listen 127.0.0.1:$PORT;
    root $DIR/html;
    $server_lines
  }
}
CONF
  "${PRIO[@]}" "$NGINX" -c "$DIR/nginx.conf" -p "$DIR" &
  BENCH_PIDS+=($!)
  wait_port "$PORT"
}

# wrk's "Latency Distribution" values come with a unit (us, ms, s); print ms.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "%s", v }'
}
