#!/usr/bin/env bash
# The restore drill against the plain backup + restore commands it wraps, on
# the same data, side by side: wall time, the ratio, CPU time and greenlight's
# max RSS.
#
#   bench/backup_drill.sh [GREENLIGHT_BINARY]
#   ROWS=500000 SQLITE_ROWS=800000 bench/backup_drill.sh build-bench/greenlight   # a quick run
#   ONLY=pg RUNS=3 bench/backup_drill.sh                                         # or ONLY=sqlite
#
# PostgreSQL: a throw-away cluster (initdb in a temp dir, 127.0.0.1 on a free
# port, fsync off like the tests' servers; run as `postgres` when root) with a
# ROWS-row table (bigint id, text, timestamptz, numeric; default 5,000,000).
# Plain: pg_dump -Fc, createdb, pg_restore -j 2. Drill: `greenlight backup
# drill --db ... --scratch ...` (same pg_dump -Fc / pg_restore -j 2, plus the
# schema and table-by-table comparison).
# SQLite: a SQLITE_ROWS-row database (default 8,500,000 rows of ~120 bytes,
# 1.0 GB) made with the sqlite3 CLI. Plain: sqlite3 ".backup" then ".restore"
# into a new file. Drill: `greenlight backup drill --db sqlite://...`.
# Target (issue 5): drill <= 1.5x plain; greenlight's max RSS < 100 MB. The
# RSS is /usr/bin/time's, the largest of greenlight and its children
# (pg_dump, pg_restore). Everything lives in one temp dir, removed on exit
# (also on Ctrl-C); the server is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
GREENLIGHT="${1:-${GREENLIGHT:-$ROOT/build-bench/greenlight}}"
[[ -x "$GREENLIGHT" ]] || GREENLIGHT="$ROOT/build/greenlight"
ROWS="${ROWS:-5000000}"
SQLITE_ROWS="${SQLITE_ROWS:-8500000}"
JOBS="${JOBS:-2}"
ONLY="${ONLY:-}"   # pg, sqlite, or empty for both
RUNS="${RUNS:-1}"  # plain/drill pairs per database, one after the other
TIMEOUT="${TIMEOUT:-1800}"  # seconds, per backup or restore command of the drill

PG_BIN="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
for tool in "$GREENLIGHT" "$PG_BIN/initdb" "$PG_BIN/pg_ctl" /usr/bin/time "$(command -v sqlite3 || true)" \
            "$(command -v pg_dump || true)" "$(command -v pg_restore || true)" "$(command -v psql || true)"; do
  [[ -n "$tool" && -x "$tool" ]] || { echo "missing: ${tool:-sqlite3 or a PostgreSQL client}" >&2; exit 2; }
done

DIR="$(mktemp -d /tmp/greenlight-drill-bench.XXXXXX)"
chmod 755 "$DIR"
PGDATA=""
AS_PG=()
[[ "$(id -u)" == 0 ]] && AS_PG=(runuser -u postgres --)  # PostgreSQL refuses to run as root
cleanup() {
  if [[ -n "$PGDATA" && -f "$PGDATA/postmaster.pid" ]]; then
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Runs "$@" under /usr/bin/time -v; sets WALL (s), RSS (max,
# MB) and CPU (user + system s of the command and its children; not of a
# server). Runs in this shell, not a subshell, so that an interrupted script
# waits for it before cleaning up. The command's own output goes to
# $DIR/last.out; a failure shows it and stops.
timed() {
  local rc=0
  # In the foreground and with no `timeout` around it (which would pass a
  # Ctrl-C on a second time, and greenlight quits at once on a second one,
  # leaving its scratch database): Ctrl-C reaches the command once, then this
  # script. greenlight bounds its own commands with --timeout.
  /usr/bin/time -v -o "$DIR/time.txt" "$@" >"$DIR/last.out" 2>&1 || rc=$?
  if [[ $rc != 0 ]]; then
    { echo "failed (exit $rc): $*"; tail -30 "$DIR/last.out"; } >&2
    exit 1
  fi
  read -r WALL RSS CPU < <(awk '/Elapsed \(wall clock\)/ { n = split($NF, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i] }
       /Maximum resident set size/ { rss = $NF }
       /User time \(seconds\)|System time \(seconds\)/ { cpu += $NF }
       END { printf "%.2f %.1f %.2f\n", s, rss / 1024, cpu }' "$DIR/time.txt")
}

# The drill's own step times from its JSON report: backup artifact source
# restore verify (s). "source" (reading the source) runs beside the others.
drill_steps() {
  python3 - "$1" <<'PY'
import json, sys
steps, figs = {}, {}
def walk(node):
    if isinstance(node, dict):
        if isinstance(node.get("name"), str) and "outcome" in node:
            steps[node["name"]] = node.get("duration_s") or 0
            if node["name"] == "drill":
                figs.update({f.get("name"): f.get("value") for f in node.get("figures", [])})
        for v in node.values(): walk(v)
    elif isinstance(node, list):
        for v in node: walk(v)
walk(json.load(open(sys.argv[1])))
print("%.2f %.2f %.2f %.2f %.2f" % (float(steps.get("backup", 0)), float(steps.get("artifact", 0)),
      float(steps.get("source", 0)), float(steps.get("restore", 0)), float(figs.get("verify_duration") or 0)))
PY
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

ROWS_OUT=()
report() {  # label plain_s drill_s rss_mb plain_cpu drill_cpu drill-steps
  ROWS_OUT+=("$(printf '%-34s %8s %8s %7s %9s %10s %10s   %s' "$1" "$2" "$3" "$(ratio "$3" "$2")" "$4" "$5" "$6" "$7")")
  echo "${ROWS_OUT[-1]}" >&2
}

# ---------------------------------------------------------------- PostgreSQL

bench_pg() {
  mkdir -p "$DIR/pg"
  [[ ${#AS_PG[@]} -gt 0 ]] && chown postgres: "$DIR/pg"
  PGDATA="$DIR/pg/data"
  "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PGDATA" -U greenlight -A trust --locale=C -E UTF8 --no-sync \
    --no-instructions >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
  local port
  port="$(free_port)"
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$DIR/pg/server.log" -w -t 30 \
    -o "-h 127.0.0.1 -p $port -k $DIR/pg -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
    start >/dev/null || { cat "$DIR/pg/server.log" >&2; exit 1; }
  local server="postgresql://greenlight@127.0.0.1:$port"

  echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'): generating a table of $ROWS rows ..." >&2
  psql -X -q -v ON_ERROR_STOP=1 -d "$server/postgres" -c "CREATE DATABASE bench"
  psql -X -q -v ON_ERROR_STOP=1 -d "$server/bench" <<SQL
CREATE TABLE events (
  id bigint PRIMARY KEY,
  name text NOT NULL,
  created_at timestamptz NOT NULL,
  amount numeric(12, 2),
  note text
);
INSERT INTO events
SELECT i, 'event-' || i, timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second',
       (i % 100000) / 100.0, CASE WHEN i % 10 = 0 THEN NULL ELSE md5(i::text) END
FROM generate_series(1, $ROWS) AS i;
VACUUM ANALYZE events;
SQL
  local size
  size="$(psql -X -At -d "$server/bench" -c "SELECT pg_size_pretty(pg_database_size('bench'))")"

  local run
  for run in $(seq "$RUNS"); do
    # Plain: what a team's own script would run.
    timed bash -c "pg_dump -Fc --no-owner -f '$DIR/pg/plain.dump' -d '$server/bench' &&
        createdb -h 127.0.0.1 -p $port -U greenlight restored &&
        pg_restore -j $JOBS --exit-on-error --no-owner --no-privileges -d '$server/restored' '$DIR/pg/plain.dump'"
    plain_s=$WALL plain_cpu=$CPU
    psql -X -q -d "$server/postgres" -c "DROP DATABASE restored"
    rm -f "$DIR/pg/plain.dump"

    rm -rf "$DIR/pg-report"
    timed "$GREENLIGHT" backup drill --db "$server/bench" --scratch "$server/postgres" \
        --jobs "$JOBS" --timeout "${TIMEOUT}s" --history "$DIR/history.db" --out "$DIR/pg-report" --quiet
    drill_s=$WALL rss=$RSS drill_cpu=$CPU
    report "PostgreSQL $ROWS rows ($size)" "$plain_s" "$drill_s" "$rss" "$plain_cpu" "$drill_cpu" \
      "$(drill_steps "$DIR/pg-report/greenlight.json")"
  done

  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  PGDATA=""
}

# -------------------------------------------------------------------- SQLite

bench_sqlite() {
  local src="$DIR/source.db"
  echo "SQLite $(sqlite3 --version | awk '{print $1}'): generating $SQLITE_ROWS rows ..." >&2
  sqlite3 "$src" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  amount REAL,
  note TEXT
);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $SQLITE_ROWS)
INSERT INTO events
SELECT i, 'event-' || i, strftime('%Y-%m-%dT%H:%M:%fZ', 1767225600 + i, 'unixepoch'), (i % 100000) / 100.0,
       CASE WHEN i % 10 = 0 THEN NULL ELSE hex(randomblob(32)) END
FROM n;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
  local size
  size="$(stat -c %s "$src" | awk '{printf "%.2f GB", $1 / 1e9}')"

  local run
  for run in $(seq "$RUNS"); do
    timed bash -c "sqlite3 '$src' \".backup '$DIR/plain-backup.db'\" &&
        sqlite3 '$DIR/plain-restored.db' \".restore '$DIR/plain-backup.db'\""
    plain_s=$WALL plain_cpu=$CPU
    rm -f "$DIR/plain-backup.db" "$DIR/plain-restored.db"

    rm -rf "$DIR/sqlite-report"
    timed "$GREENLIGHT" backup drill --db "sqlite://$src" --timeout "${TIMEOUT}s" --history "$DIR/history.db" \
        --out "$DIR/sqlite-report" --quiet
    drill_s=$WALL rss=$RSS drill_cpu=$CPU
    report "SQLite $SQLITE_ROWS rows ($size)" "$plain_s" "$drill_s" "$rss" "$plain_cpu" "$drill_cpu" \
      "$(drill_steps "$DIR/sqlite-report/greenlight.json")"
  done
  rm -f "$src"
}

[[ -z "$ONLY" || "$ONLY" == pg ]] && bench_pg
[[ -z "$ONLY" || "$ONLY" == sqlite ]] && bench_sqlite

echo "$(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); $("$GREENLIGHT" --version 2>/dev/null | head -1)"
printf '%-34s %8s %8s %7s %9s %10s %10s   %s\n' "database" "plain s" "drill s" "ratio" "RSS MB" "plain CPU" "drill CPU" \
  "drill steps (s): backup artifact source restore verify"
printf '%s\n' "${ROWS_OUT[@]}"
