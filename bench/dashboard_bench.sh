#!/usr/bin/env bash
# The dashboard at fleet scale (issue: dashboard): a server judging with the shipped baseline,
# filled with HOSTS hosts (default 10,000) of the realistic fleet load and 30 days of history,
# then timed in Debian's Chromium by the page's own marks on the performance timeline
# (bench/dashboard_bench.mjs): the overview's first complete draw (counts, tables and the
# 30-day chart) and a filtered hosts page, each a fresh page load, ROUNDS times (default 5).
#
# History: one report a day for 30 days from HISTORY_HOSTS hosts (default 1,000), then every
# host's newest report a few minutes old. Every host reporting every day would be 300,000
# reports of 300 processes (hours of ingest here); the trend's cost is one lookup per host
# and day either way (its days are all there, and every host is in the last one).
#
# Usage: bench/dashboard_bench.sh [HOSTS]      (needs the release build, python3, chromium)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/lib/wait_for_server.sh
hosts="${1:-10000}"
history_hosts="${HISTORY_HOSTS:-1000}"
build="${BUILD:-build/release}"
server="$build/src/server/vigia-server"
agent="${AGENT:-$build/src/agent/vigia-agent}"
work="$(mktemp -d /tmp/vigia-dashboard-bench.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
python3 bench/make_fleet_load.py "$agent" 64 "$work/states.jsonl" >/dev/null
"$server" --listen 127.0.0.1:0 --data-dir "$work/data" --rate-limit-rps 0 --compress none --no-fsync \
  --policy policies/debian-baseline.toml 2>"$work/server.log" &
url=$(wait_for_server "$work/server.log") || exit 1
now=$(date +%s)
echo "history: $history_hosts hosts x 30 days" >&2
python3 bench/post_fleet.py "$url" "$work/states.jsonl" "$history_hosts" 30 86400 \
  $((now - 30 * 86400)) 4 >&2
echo "newest: $hosts hosts" >&2
python3 bench/post_fleet.py "$url" "$work/states.jsonl" "$hosts" 1 60 $((now - 300)) 4 >&2
echo "hosts: $(curl -s "$url/api/v1/compliance" | python3 -c 'import json,sys; print(json.load(sys.stdin)["hosts"])')"
VIGIA_WEB_MODULES="$build/web" node bench/dashboard_bench.mjs "$url" "${ROUNDS:-5}"
echo
echo "assets (gzip -9, as served):"
for f in "$build"/web/dist/*.gz; do
  printf '  %-16s %7d bytes (%d uncompressed)\n' "$(basename "$f" .gz)" "$(stat -c %s "$f")" \
    "$(stat -c %s "${f%.gz}")"
done
echo "  total            $(cat "$build"/web/dist/*.gz | wc -c) bytes"
