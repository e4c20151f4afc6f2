#!/usr/bin/env bash
# Side-by-side ingest comparison of server binaries (how the before/after tables of
# bench/README.md were made): each round runs every binary in turn against a fresh data dir,
# `wrk -t2 -c32` for a few seconds, and prints reports/s, p99 and the server's CPU per report;
# then each build's means and its CPU per report against the first build's, round by round.
# The load (since 2026-12-01) is a fleet: VIGIA_AB_HOSTS simulated hosts (default 1000), each
# posting the next state of a 300-process walk (bench/make_fleet_load.py: ~10 process entries
# and every volatile value changing per report) 60 s of collected_at after its previous one.
# Alternating cancels out most of a shared machine's drift; compare within a round.
#
# Usage: bench/ab_ingest.sh LABEL=BINARY [LABEL=BINARY ...]
#   e.g. git worktree add /tmp/before HEAD~1 && (cd /tmp/before && cmake --preset release &&
#        cmake --build --preset release --target vigia-server)
#        bench/ab_ingest.sh before=/tmp/before/build/release/src/server/vigia-server \
#                           after=build/release/src/server/vigia-server
# Environment: VIGIA_AB_SECONDS (default 8), VIGIA_AB_ROUNDS (3), VIGIA_AB_HOSTS (1000),
# VIGIA_AB_WARMUP (seconds of load before the measured run, default 10),
# VIGIA_AB_SERVER_FLAGS (extra flags for every server, e.g. --discard-reports for the no-store
# ceiling; a LABEL=BINARY may also be a wrapper script that adds its own).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
. scripts/lib/wait_for_server.sh
[ $# -ge 1 ] || { sed -n '2,15p' "$0"; exit 2; }
seconds="${VIGIA_AB_SECONDS:-8}"
rounds="${VIGIA_AB_ROUNDS:-3}"
warmup="${VIGIA_AB_WARMUP:-10}"
work="$(mktemp -d /tmp/vigia-ab.XXXXXX)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cmake --build --preset release --target vigia-agent >/dev/null
python3 bench/make_fleet_load.py build/release/src/agent/vigia-agent 64 "$work/states.jsonl" >/dev/null
export VIGIA_BENCH_STATES="$work/states.jsonl" VIGIA_BENCH_HOSTS="${VIGIA_AB_HOSTS:-1000}"

run() {  # $1 label, $2 binary, $3 round
  rm -rf "$work/data"
  # shellcheck disable=SC2086
  "$2" --listen 127.0.0.1:0 --data-dir "$work/data" --rate-limit-rps 0 \
    ${VIGIA_AB_SERVER_FLAGS:-} 2>"$work/server.log" &
  local pid=$! url
  url=$(wait_for_server "$work/server.log") || exit 1
  local out start ticks0
  # Warm-up: a fleet in its steady state, every host with reports stored before (a host's
  # first report opens a run for each of its processes; later ones only for what changed).
  # The measured run's reports come 200 intervals later, so no host goes back in time.
  start=$(($(date +%s) - 4 * 3600))
  VIGIA_BENCH_RUN="$((1000 + $3))" VIGIA_BENCH_START="$start" wrk -t2 -c32 -d"${warmup}s" \
    -s bench/fleet.lua "$url" >/dev/null 2>&1
  ticks0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
  out=$(VIGIA_BENCH_RUN="$3" VIGIA_BENCH_START="$((start + 200 * 60))" wrk -t2 -c32 \
    -d"${seconds}s" --latency -s bench/fleet.lua "$url" 2>"$work/wrk.err")
  # Server CPU (user + system, over the measured run) per report it answered: less swayed than
  # reports/s by what else the shared machine runs, as long as the server itself is not starved.
  local ticks answered
  ticks=$(awk -v t0="$ticks0" '{print $14 + $15 - t0}' "/proc/$pid/stat")
  answered=$(echo "$out" | awk '/requests in/ {print $1}')
  printf '| %s | %s | %s | %s | %s |\n' "$3" "$1" "$(echo "$out" | awk '/Requests\/sec/ {print $2}')" \
    "$(echo "$out" | awk '/^ +99%/ {print $2}')" \
    "$(awk -v t="$ticks" -v n="$answered" -v hz="$(getconf CLK_TCK)" \
      'BEGIN { if (n > 0) printf "%.0f", t / hz / n * 1e6; else print "-" }')"
  kill -TERM "$pid"
  wait "$pid" || true
}

echo "| round | build | reports/s | p99 | server CPU µs/report |"
echo "| --- | --- | --- | --- | --- |"
for round in $(seq "$rounds"); do
  for pair in "$@"; do run "${pair%%=*}" "${pair#*=}" "$round"; done
done | tee "$work/rounds.md"

# Means per build, and each build's CPU per report against the first build's in the same
# round: the paired difference is what survives the machine's drift between rounds.
echo
echo "| build | mean reports/s | mean CPU µs/report | CPU vs ${1%%=*}, per round |"
echo "| --- | --- | --- | --- |"
awk -F'|' -v first="${1%%=*}" '
  { gsub(/ /, "", $2); gsub(/ /, "", $3); gsub(/ /, "", $4); gsub(/ /, "", $6) }
  $2 ~ /^[0-9]+$/ && $6 ~ /^[0-9]+$/ {
    if (!($3 in n)) order[++builds] = $3
    n[$3]++; rate[$3] += $4; cpu[$3] += $6; at[$2, $3] = $6; if ($2 > last) last = $2
  }
  END {
    for (b = 1; b <= builds; ++b) {
      name = order[b]; diffs = ""
      for (r = 1; r <= last; ++r) {
        if ((r, name) in at && (r, first) in at) {
          diffs = diffs sprintf("%s%+.1f %%", diffs == "" ? "" : ", ",
                                (at[r, name] / at[r, first] - 1) * 100)
        }
      }
      printf "| %s | %.0f | %.0f | %s |\n", name, rate[name] / n[name], cpu[name] / n[name],
             name == first ? "-" : diffs
    }
  }' "$work/rounds.md"
