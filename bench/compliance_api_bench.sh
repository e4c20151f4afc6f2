#!/usr/bin/env bash
# The compliance read side at fleet scale (issue: compliance): a server judging with the
# shipped baseline, filled with HOSTS hosts (default 10,000) of the realistic fleet load
# (bench/make_fleet_load.py, 300 processes), two reports each a minute apart, the last a few
# minutes old so that no host is stale; then GET /api/v1/compliance,
# /compliance/hosts?status=failing (50 calls each) and /compliance/trend?days=30 (5 calls),
# timed by curl (total time, a new connection each; p50 / p99).
#
# DAYS=N spreads each host's REPORTS reports evenly over the last N days instead, the history
# the trend reads; the trend is then timed on its first call (every closed day counted) and on
# 20 calls after it. BEFORE=path/to/vigia-server times the trend with that build too, restarted
# on the same data, in the same table.
#
# Usage: bench/compliance_api_bench.sh [HOSTS]     (needs curl, python3; REPORTS=N per host)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/lib/wait_for_server.sh
hosts="${1:-10000}"
server="${SERVER:-build/release/src/server/vigia-server}"
work="$(mktemp -d /tmp/vigia-compliance-bench.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
python3 bench/make_fleet_load.py build/release/src/agent/vigia-agent 64 "$work/states.jsonl" >/dev/null
start_server() {  # $1 the binary; sets url and pid
  "$1" --listen 127.0.0.1:0 --data-dir "$work/data" --rate-limit-rps 0 --compress none \
    --policy policies/debian-baseline.toml 2>"$work/server.log" &
  pid=$!
  url=$(wait_for_server "$work/server.log") || exit 1
}
start_server "$server"
reports="${REPORTS:-2}"
if [ -n "${DAYS:-}" ]; then
  interval=$(( DAYS * 86400 / reports ))
  python3 bench/post_fleet.py "$url" "$work/states.jsonl" "$hosts" "$reports" "$interval" \
    $(( $(date +%s) - DAYS * 86400 )) 4 >&2
else
  python3 bench/post_fleet.py "$url" "$work/states.jsonl" "$hosts" "$reports" 60 \
    $(( $(date +%s) - 300 )) 4 >&2
fi

percentiles() {
  sort -n | awk '{a[NR] = $1} END {printf "%.1f / %.1f ms", a[int(NR * 0.5 + 0.5)], a[int(NR * 0.99 + 0.5)]}'
}
timed() {  # $1 target, $2 calls
  for _ in $(seq "${2:-50}"); do curl -s -o /dev/null -w '%{time_total}\n' "$url$1"; done |
    awk '{print $1 * 1000}' | percentiles
}
echo "hosts: $(curl -s "$url/api/v1/compliance" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hosts"])')"
echo
if [ -z "${DAYS:-}" ]; then
  echo "| hosts | GET /compliance p50 / p99 | GET /compliance/hosts?status=failing p50 / p99 | GET /compliance/trend?days=30 p50 / p99 |"
  echo "| --- | --- | --- | --- |"
  echo "| $hosts | $(timed /api/v1/compliance) | $(timed '/api/v1/compliance/hosts?status=failing') | $(timed '/api/v1/compliance/trend?days=30' 5) |"
  exit 0
fi
trend_row() {  # $1 the build's name
  local first
  first=$(curl -s -o /dev/null -w '%{time_total}' "$url/api/v1/compliance/trend?days=30" |
    awk '{printf "%.1f ms", $1 * 1000}')
  echo "| $1 | $first | $(timed '/api/v1/compliance/trend?days=30' 20) |"
}
echo "| build | GET /compliance/trend?days=30 first call | the next 20 calls p50 / p99 |"
echo "| --- | --- | --- |"
if [ -n "${BEFORE:-}" ]; then
  kill "$pid"; wait "$pid" || true
  start_server "$BEFORE"
  trend_row "$BEFORE"
  kill "$pid"; wait "$pid" || true
  start_server "$server"
fi
trend_row "$server"
