#!/usr/bin/env bash
# The main job, end to end on this machine: installs what is needed, builds, starts
# vigia-server on 127.0.0.1, has vigia-agent deliver this machine's report, and shows where it
# landed, and this machine's verdicts under the shipped Debian/Ubuntu baseline policy.
# The server keeps running (Ctrl-C stops it) unless VIGIA_DEMO_EXIT=1 or there is no terminal.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/wait_for_server.sh

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target vigia-agent vigia-server

agent=build/release/src/agent/vigia-agent
server=build/release/src/server/vigia-server
data="${VIGIA_DEMO_DATA:-./vigia-data}"
log="$(mktemp /tmp/vigia-demo-server.XXXXXX.log)"

policy=policies/debian-baseline.toml
"$server" --listen 127.0.0.1:0 --data-dir "$data" --policy "$policy" 2>"$log" &
server_pid=$!
trap 'kill -TERM $server_pid 2>/dev/null || true; wait $server_pid 2>/dev/null || true' EXIT
url=$(wait_for_server "$log") || exit 1
echo
echo "== vigia-server listening on $url (data in $data) =="

echo "== vigia-agent send --server $url =="
# The agent collects this machine's report, spools it, delivers it, and exits 0 once stored.
"$agent" send --server "$url" --spool-dir "$data/agent-spool"

csv=$(ls -t "$data"/csv/*.csv | head -n 1)
echo
echo "== the report landed in =="
echo "CSV:         $csv ($(wc -l < "$csv") lines; first rows below)"
echo "JSON Lines:  $data/json/$(basename "$csv" .csv).jsonl"
echo "SQLite:      $data/vigia.db ($(sqlite3 "$data/vigia.db" 'SELECT count(*) FROM reports') report(s); $(sqlite3 "$data/vigia.db" 'SELECT count(*) FROM process_runs') process runs, each stored once for every stretch of reports that list it)"
echo
head -n 4 "$csv" | cut -c1-160
echo
echo "== GET $url/api/v1/servers =="
curl -sS "$url/api/v1/servers"
echo
echo
echo "== GET $url/api/v1/processes?limit=3 (the fleet's process history, newest first) =="
curl -sS "$url/api/v1/processes?limit=3" | cut -c1-600
echo
ip=$(basename "$csv" | sed -E 's/_[0-9]{4}-[0-9]{2}-[0-9]{2}\.csv$//')
echo
echo "== this machine's compliance under $policy (GET $url/api/v1/servers/$ip/compliance) =="
curl -sS "$url/api/v1/servers/$ip/compliance" | python3 -c '
import json, sys
for v in json.load(sys.stdin)["items"]:
    print("%-15s %-9s %-28s %s" % (v["status"], v["severity"], v["rule"], v["title"]))'
echo
echo "== GET $url/api/v1/compliance (the fleet at a glance) =="
curl -sS "$url/api/v1/compliance" | cut -c1-300
echo
echo "Judge this machine offline with the same rules: $agent check --policy $policy"
echo
echo "Dashboard: open $url/ in a browser (no token on this loopback demo; docs/dashboard.md)"
if [ -t 0 ] && [ "${VIGIA_DEMO_EXIT:-0}" != 1 ] && [ -z "${CI:-}" ]; then
  echo
  echo "vigia-server keeps running on $url; Ctrl-C to stop it."
  wait $server_pid
fi
