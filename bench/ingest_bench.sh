#!/usr/bin/env bash
# Ingest benchmark for vigia-server (issue: server). Side by side in one run, on this machine:
#   durable   — every store on, fsync on (the product as shipped)
#   no-store  — --discard-reports: HTTP + gunzip + parse + validate, nothing stored (ceiling)
# Load: wrk, 32 connections, realistic reports of 300 processes (bench/make_report_template.py).
# Then a growth run: ingest until the database holds >= 1M process rows, measuring ingest rate
# and GET latency at each step.
#
# Usage: bench/ingest_bench.sh [seconds per run, default 20]
# VIGIA_BENCH_NO_GROWTH=1 stops after the side-by-side table (for quick comparisons).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/lib/wait_for_server.sh
duration="${1:-20}"
server=build/release/src/server/vigia-server
agent=build/release/src/agent/vigia-agent
cmake --preset release >/dev/null
cmake --build --preset release --target vigia-server vigia-agent >/dev/null

work="$(mktemp -d /tmp/vigia-bench.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
python3 bench/make_report_template.py "$agent" 300 "$work/report.json"
export VIGIA_BENCH_TEMPLATE="$work/report.json"

start_server() {  # $1 data dir, rest: extra flags; sets pid and port
  local log="$work/server.log"
  # wrk's connections all come from 127.0.0.1: one rate-limit bucket, so the limit is off.
  "$server" --listen 127.0.0.1:0 --data-dir "$1" --rate-limit-rps 0 "${@:2}" 2>"$log" &
  pid=$!
  local url
  url=$(wait_for_server "$log") || exit 1
  port=${url##*:}
}

cpu_seconds() {  # utime+stime of $1, seconds
  awk -v tck="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) / tck }' "/proc/$1/stat"
}

run_load() {  # $1 label, $2 run id; prints one markdown row
  local cpu0 cpu1 out rps p50 p99 hwm
  cpu0=$(cpu_seconds "$pid")
  out=$(VIGIA_BENCH_RUN=$2 wrk -t2 -c32 -d"${duration}s" --latency -s bench/ingest.lua "http://127.0.0.1:$port" 2>"$work/wrk.err")
  cpu1=$(cpu_seconds "$pid")
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '/^ +50%/ {print $2}')
  p99=$(echo "$out" | awk '/^ +99%/ {print $2}')
  hwm=$(awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$pid/status")
  errors=$(grep -c unexpected "$work/wrk.err" || true)
  printf '| %s | %s | %s | %s | %.2f | %s | %s |\n' "$1" "$rps" "$p50" "$p99" \
    "$(echo "($cpu1 - $cpu0) / $duration" | bc -l)" "$hwm" "$errors"
}

echo
echo "| mode | reports/s | p50 | p99 | server CPU (cores) | server peak RSS (MiB) | non-201 |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
start_server "$work/durable"
run_load "durable (fsync, 3 stores)" 1
kill -TERM "$pid"; wait "$pid" || true
start_server "$work/discard" --discard-reports
run_load "no-store ceiling" 2
kill -TERM "$pid"; wait "$pid" || true

[ "${VIGIA_BENCH_NO_GROWTH:-0}" = 1 ] && exit 0

echo
echo "Growth: ingest in 5 s steps until >= 1M process rows; GET latency (median of 20, curl)"
echo
echo "| process rows | reports | ingest reports/s (step) | GET /servers | GET /servers/{ip}/reports | GET /reports/{id} |"
echo "| --- | --- | --- | --- | --- | --- |"
start_server "$work/growth"
ip=$(python3 -c "import json,sys; print(json.load(open('$VIGIA_BENCH_TEMPLATE'))['host']['ip'])")
median_get() {
  for _ in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port$1"; done |
    sort -n | awk '{a[NR]=$1} END {printf "%.2f ms", a[int((NR+1)/2)] * 1000}'
}
step=0
while :; do
  step=$((step + 1))
  out=$(VIGIA_BENCH_RUN=$((100 + step)) wrk -t2 -c32 -d5s -s bench/ingest.lua "http://127.0.0.1:$port" 2>/dev/null)
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  rows=$(sqlite3 "$work/growth/vigia.db" "SELECT count(*) FROM processes")
  reports=$(sqlite3 "$work/growth/vigia.db" "SELECT count(*) FROM reports")
  id=$(sqlite3 "$work/growth/vigia.db" "SELECT uuid FROM reports ORDER BY id DESC LIMIT 1")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$rows" "$reports" "$rps" "$(median_get /api/v1/servers)" \
    "$(median_get "/api/v1/servers/$ip/reports?limit=100")" "$(median_get "/api/v1/reports/$id")"
  [ "$rows" -ge 1000000 ] && [ "$step" -ge 2 ] && break
  [ "$step" -ge 12 ] && break
done
kill -TERM "$pid"; wait "$pid" || true
du -sh "$work/growth" | awk '{print "data dir after growth run: " $1}'
