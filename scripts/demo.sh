#!/usr/bin/env bash
# The main job, end to end on this machine: installs what is needed, builds, and shows what
# the agent reads from this server.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target vigia-agent

agent=build/release/src/agent/vigia-agent
echo
echo "== vigia-agent collect (summary; the full report is JSON on stdout) =="
"$agent" collect > /tmp/vigia-demo-report.json
python3 - /tmp/vigia-demo-report.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"report {r['report_id']} collected at {r['collected_at']}")
print(f"host   {r['host']['hostname']} ({r['host']['ip']})")
print(f"os     {r['os']['name']} {r['os']['version']}, kernel {r['os'].get('kernel')}")
c = r['cpu']
print(f"cpu    {c['model']} ({c.get('sockets')} socket(s), {c.get('cores')} cores, {c.get('threads')} threads)")
print(f"procs  {len(r['processes'])} running; sessions: {len(r['sessions'])}")
for s in r['sessions']:
    print(f"       {s['user']} on {s['tty'] or '-'} from {s.get('remote_host', 'local')}")
a = r['agent']
print(f"agent  took {a.get('collect_ms')} ms, {a.get('peak_rss_bytes', 0) / 2**20:.1f} MiB peak RSS")
PY
echo "full report: /tmp/vigia-demo-report.json"
