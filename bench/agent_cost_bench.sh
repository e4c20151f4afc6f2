#!/usr/bin/env bash
# Agent cost in `run` mode (issue: delivery and security). Against a real vigia-server on
# 127.0.0.1, over plain HTTP and over HTTPS (a throw-away CA made with openssl):
#   idle    — `run --interval 3600` for IDLE seconds: start-up plus waiting, no cycle due
#   cycles  — `run --interval 1` for CYCLES seconds: CPU per collect+spool+deliver cycle
#   send    — one `vigia-agent send` process, start to exit (what a cron job would cost)
# CPU comes from the kernel's rusage of the exited agent (GNU time), RSS from /proc while it
# runs (VmRSS, and its private part RssAnon) and GNU time's peak.
#
# Usage: bench/agent_cost_bench.sh [cycles seconds, default 60] [idle seconds, default 20]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/lib/wait_for_server.sh
cycles_for="${1:-60}"
idle_for="${2:-20}"
server=build/release/src/server/vigia-server
agent=build/release/src/agent/vigia-agent
cmake --preset release >/dev/null
cmake --build --preset release --target vigia-server vigia-agent >/dev/null

work="$(mktemp -d /tmp/vigia-agent-bench.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# A CA and a server certificate for 127.0.0.1, as an operator would make them.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=bench-ca \
  -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=127.0.0.1 \
  -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
  -CAcreateserial -days 2 -extfile "$work/san.ext" -out "$work/server.pem" 2>/dev/null

start_server() {  # $1 data dir, rest: extra flags; sets spid and url
  local log="$work/server.log"
  "$server" --listen 127.0.0.1:0 --data-dir "$1" "${@:2}" 2>"$log" &
  spid=$!
  url=$(wait_for_server "$log") || exit 1
}

reports_in() { sqlite3 "$1/vigia.db" 'SELECT count(*) FROM reports'; }

# Runs the agent in `run` mode for $1 seconds with interval $2 and extra flags; prints
# "cpu_seconds peak_rss_kib steady_rss_kib steady_anon_kib".
run_agent() {
  local seconds="$1" interval="$2"; shift 2
  /usr/bin/time -f '%U %S %M' -o "$work/time.out" \
    "$agent" run --server "$url" --interval "$interval" --spool-dir "$work/spool" "$@" \
    2>"$work/agent.log" &
  local tpid=$!
  sleep 0.5
  local apid; apid=$(pgrep -P "$tpid")
  sleep "$seconds"
  local rss anon
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$apid/status")
  anon=$(awk '/^RssAnon/ {print $2}' "/proc/$apid/status")
  kill -TERM "$apid"
  wait "$tpid"
  awk -v rss="$rss" -v anon="$anon" '{ printf "%.3f %d %d %d\n", $1 + $2, $3, rss, anon }' \
    "$work/time.out"
}

measure() {  # $1 label, rest: agent flags
  local label="$1"; shift
  local data="$work/data-$label"
  local before after idle cyc n
  idle=$(run_agent "$idle_for" 3600 "$@")
  before=$(reports_in "$data")
  cyc=$(run_agent "$cycles_for" 1 "$@")
  after=$(reports_in "$data")
  n=$((after - before))
  local send_cpu
  send_cpu=$(for _ in $(seq 20); do
      /usr/bin/time -f '%U %S' -o "$work/send.out" "$agent" send --server "$url" \
        --spool-dir "$work/spool" "$@" 2>/dev/null
      awk '{ print $1 + $2 }' "$work/send.out"
    done | awk '{ s += $1 } END { printf "%.1f", 1000 * s / NR }')
  read -r idle_cpu idle_peak idle_rss idle_anon <<<"$idle"
  read -r cyc_cpu cyc_peak cyc_rss cyc_anon <<<"$cyc"
  # Per cycle: the cycles run's CPU minus the idle run's (start-up and waiting).
  awk -v l="$label" -v ic="$idle_cpu" -v cc="$cyc_cpu" -v n="$n" -v ir="$idle_rss" \
      -v ia="$idle_anon" -v cr="$cyc_rss" -v ca="$cyc_anon" -v cp="$cyc_peak" -v sc="$send_cpu" \
      -v idle_for="$idle_for" 'BEGIN {
    per = (cc - ic) / n
    printf "| %s | %d | %.1f ms | %.2f s | %.3f s | %.1f / %.1f MiB | %.1f / %.1f MiB | %.1f MiB | %s ms |\n",
      l, n, 1000 * per, 60 * per + ic, ic, ir / 1024, ia / 1024,
      cr / 1024, ca / 1024, cp / 1024, sc
  }'
}

echo "cycles run ${cycles_for}s at --interval 1; idle run ${idle_for}s at --interval 3600; $(nproc) CPUs"
echo
echo "| transport | cycles | CPU per cycle | CPU s/hour at 60 s | idle run CPU (start-up) | RSS / private, idle | RSS / private, cycling | peak RSS | one \`send\` process CPU |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
start_server "$work/data-http"
measure http
kill -TERM "$spid"; wait "$spid" || true
start_server "$work/data-https" --tls-cert "$work/server.pem" --tls-key "$work/server.key"
measure https --ca-file "$work/ca.pem"
kill -TERM "$spid"; wait "$spid" || true
