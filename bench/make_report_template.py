#!/usr/bin/env python3
"""Builds a realistic report template for the ingest benchmark: the real agent's report of
this machine, its process list repeated (with distinct pids) up to N processes, and the
report_id replaced by @REPORT_ID@ for bench/ingest.lua."""
import json
import subprocess
import sys

agent, processes, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
report = json.loads(subprocess.run([agent, "collect"], check=True, capture_output=True).stdout)
base = report["processes"]
report["processes"] = []
for i in range(processes):
    p = dict(base[i % len(base)])
    p["pid"] = 100000 + i
    report["processes"].append(p)
if not report["sessions"]:
    report["sessions"] = [{"user": "alice", "tty": "pts/0", "remote_host": "192.168.1.10",
                           "login_time": "2026-11-22T09:00:00Z", "pid": 4242}]
report["report_id"] = "@REPORT_ID@"
with open(out, "w") as f:
    f.write(json.dumps(report))
print(f"{out}: {processes} processes, {len(json.dumps(report))} bytes")
