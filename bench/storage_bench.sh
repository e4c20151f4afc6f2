#!/usr/bin/env bash
# Storage benchmark (issue: history storage), with the realistic fleet load of
# bench/make_fleet_load.py (300 processes, ~10 entries and every volatile value changing from
# one report of a host to the next, sessions now and then).
#
#   bytes  — 50 hosts × 200 reports, 20 minutes apart, over three past UTC days, so that every
#            day closes and is compressed (whole, after the posting): bytes on disk per report, each store and all
#            together, with compress = zstd and = gzip; and the plain size of the largest day
#            before it was compressed (the peak of an open day).
#   scale  — ingest rate on an empty database, then the database filled to 35,000 reports of
#            300 processes (10.5 M process entries represented), then: the ingest rate again,
#            GET /reports/{id}, the processes view of one report, and a name= search (p50/p99).
#
# Usage: bench/storage_bench.sh [bytes|scale|all]    (default all; needs wrk, curl, sqlite3)
# SERVER=path picks the vigia-server binary (default: the release build).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/lib/wait_for_server.sh
what="${1:-all}"
server="${SERVER:-build/release/src/server/vigia-server}"
cmake --build --preset release --target vigia-server vigia-agent >/dev/null
work="$(mktemp -d /tmp/vigia-storage-bench.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
python3 bench/make_fleet_load.py build/release/src/agent/vigia-agent 200 "$work/states.jsonl" >/dev/null

start_server() {  # $1 data dir, rest: flags; sets pid and url
  "$server" --listen 127.0.0.1:0 --data-dir "$1" "${@:2}" 2>"$work/server.log" &
  pid=$!
  url=$(wait_for_server "$work/server.log") || exit 1
}
stop_server() { kill -TERM "$pid"; wait "$pid" || true; }
bytes_of() { du -sb "$1" 2>/dev/null | cut -f1; }

bytes_run() {  # $1 compress
  local data="$work/bytes-$1" hosts=50 reports=200
  local start=$(( ($(date +%s) / 86400 - 5) * 86400 ))  # 00:00 UTC, five days ago
  # Posted with compression held off, so that each day is compressed whole once it is over,
  # as in service (compress_after_hours after the day ends); posting past days into a server
  # that compresses them at once would make most reports a late frame of their own.
  start_server "$data" --compress none
  python3 bench/post_fleet.py "$url" "$work/states.jsonl" $hosts $reports 1200 $start 4 >&2
  stop_server
  start_server "$data" --compress "$1"
  # Every closed day compressed: no plain day file left but today's (there is none here).
  for _ in $(seq 600); do
    plain=$(find "$data/csv" "$data/json" -name '*.csv' -o -name '*.jsonl' | wc -l)
    [ "$1" = none ] || [ "$plain" -eq 0 ] && break
    sleep 1
  done
  stop_server
  local n csv json db peak
  n=$(sqlite3 "$data/vigia.db" 'SELECT count(*) FROM reports')
  csv=$(bytes_of "$data/csv"); json=$(bytes_of "$data/json"); db=$(bytes_of "$data/vigia.db")
  # The largest day before compression: the "compressed X (A to B bytes)" lines, per date.
  peak=$( (grep -o 'compressed [^ ]* ([0-9]*' "$work/server.log" || true) |
    sed -E 's/compressed [a-z]+\/[^_]*_([0-9-]*)\.[a-z]+ \(([0-9]*)/\1 \2/' |
    awk '{s[$1] += $2} END {m = 0; for (d in s) if (s[d] > m) m = s[d]; print m}')
  printf '| %s | %s | %.0f | %.0f | %.0f | %.0f | %.1f |\n' "$1" "$n" \
    "$(echo "$csv / $n" | bc -l)" "$(echo "$json / $n" | bc -l)" "$(echo "$db / $n" | bc -l)" \
    "$(echo "($csv + $json + $db) / $n" | bc -l)" "$(echo "${peak:-0} / 1048576" | bc -l)"
  sqlite3 "$data/vigia.db" "SELECT 'runs per report: ' || round((SELECT count(*) FROM process_runs) * 1.0 / count(*), 2) || ', document bytes per report: ' || round(avg(length(document_z))) FROM reports" >&2
  sqlite3 "$data/vigia.db" "SELECT name, sum(pgsize) / $n FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8" >&2 || true
}

percentiles() {  # reads milliseconds on stdin; prints "p50 / p99"
  sort -n | awk '{a[NR] = $1} END {printf "%.2f / %.2f ms", a[int(NR * 0.5 + 0.5)], a[int(NR * 0.99 + 0.5)]}'
}

wrk_rate() {  # $1 seconds, $2 run id, $3 start epoch; prints reports/s
  VIGIA_BENCH_STATES="$work/states.jsonl" VIGIA_BENCH_HOSTS=50 VIGIA_BENCH_RUN="$2" \
    VIGIA_BENCH_START="$3" wrk -t2 -c32 -d"$1"s -s bench/fleet.lua "$url" 2>/dev/null |
    awk '/Requests\/sec/ {print $2}'
}

scale_run() {
  local data="$work/scale" base=$(( $(date +%s) - 120 * 86400 ))  # every run stays in the past
  start_server "$data" --compress none
  VIGIA_BENCH_STATES="$work/states.jsonl" VIGIA_BENCH_HOSTS=50 VIGIA_BENCH_START=$base \
    wrk -t2 -c32 -d3s -s bench/fleet.lua "$url" >/dev/null 2>&1  # every host once: warm
  local empty full reports
  empty=$(wrk_rate 10 1 $((base + 100000)))
  # Fill to 35,000 reports (50 hosts, a minute apart).
  while :; do
    reports=$(sqlite3 "$data/vigia.db" 'SELECT count(*) FROM reports')
    [ "$reports" -ge 35000 ] && break
    wrk_rate 20 $((10 + reports)) $((base + 200000 + reports * 100)) >/dev/null
  done
  full=$(wrk_rate 10 2 $((base + 9000000)))
  reports=$(sqlite3 "$data/vigia.db" 'SELECT count(*) FROM reports')
  local entries runs
  entries=$(sqlite3 "$data/vigia.db" 'SELECT sum(process_count) FROM reports')
  runs=$(sqlite3 "$data/vigia.db" 'SELECT count(*) FROM process_runs')
  # Reports spread over the history: GET /reports/{id}, and the processes view of each.
  sqlite3 "$data/vigia.db" 'SELECT uuid, id FROM reports ORDER BY random() LIMIT 200' >"$work/sample"
  local get view search
  get=$(while IFS='|' read -r uuid _; do
    curl -s -o /dev/null -w '%{time_total}\n' "$url/api/v1/reports/$uuid"
  done <"$work/sample" | awk '{print $1 * 1000}' | percentiles)
  # In one sqlite3 session, timed by sqlite3 itself (no process start in the figure).
  view=$( (echo ".timer on"; while IFS='|' read -r _ id; do
      echo "SELECT count(*) FROM processes WHERE report_id = $id;"
    done <"$work/sample") | sqlite3 "$data/vigia.db" | awk '/Run Time/ {print $4 * 1000}' |
    percentiles)
  search=$(for name in sshd kworker/0:1 nginx cron bash postgres java xmrig containerd-shim; do
    for _ in $(seq 20); do
      curl -s -o /dev/null -w '%{time_total}\n' "$url/api/v1/processes?name=$name"
    done
  done | awk '{print $1 * 1000}' | percentiles)
  stop_server
  echo "| $reports | $entries | $runs | $empty | $full | $get | $view | $search |"
}

if [ "$what" = bytes ] || [ "$what" = all ]; then
  echo
  echo "| compress | reports | CSV B/report | JSONL B/report | database B/report | all B/report | largest open day (MiB) |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  bytes_run zstd
  bytes_run gzip
  bytes_run none
fi
if [ "$what" = scale ] || [ "$what" = all ]; then
  echo
  echo "| reports | process entries | process runs | ingest on empty (reports/s) | ingest when full | GET /reports/{id} p50 / p99 | processes view of one report p50 / p99 | name= search p50 / p99 |"
  echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
  scale_run
fi
