#!/usr/bin/python3
"""The same report as `vigia-agent collect`, gathered with psutil (Debian python3-psutil):
the baseline a Python agent would be. Prints one JSON document."""
import json
import os
import platform
import socket
import uuid
from datetime import datetime, timezone

import psutil


def iso(ts):
    return datetime.fromtimestamp(ts, timezone.utc).isoformat().replace("+00:00", "Z")


def os_release():
    values = {}
    with open("/etc/os-release") as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            if key and not key.startswith("#"):
                values[key] = value.strip('"')
    return values


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith(("model name", "vendor_id")):
                pass
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown"


procs = []
for p in psutil.process_iter():
    try:
        with p.oneshot():
            t = p.cpu_times()
            procs.append({"pid": p.pid, "ppid": p.ppid(), "name": p.name(), "user": p.username(),
                          "uid": p.uids().effective, "state": p.status(),
                          "command": " ".join(p.cmdline()) or f"[{p.name()}]",
                          "started_at": iso(p.create_time()), "rss_bytes": p.memory_info().rss,
                          "cpu_seconds": t.user + t.system})
    except (psutil.NoSuchProcess, psutil.AccessDenied, KeyError):
        continue

rel = os_release()
freq = psutil.cpu_freq()
report = {
    "schema_version": 1, "report_id": str(uuid.uuid4()),
    "collected_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
    "host": {"hostname": socket.gethostname(), "ip": socket.gethostbyname(socket.gethostname()),
             "boot_time": iso(psutil.boot_time())},
    "os": {"name": rel.get("NAME", "Linux"), "version": rel.get("VERSION", rel.get("VERSION_ID", "")),
           "kernel": platform.release(), "arch": platform.machine()},
    "cpu": {"model": cpu_model(), "cores": psutil.cpu_count(logical=False),
            "threads": psutil.cpu_count(), "mhz": freq.current if freq else None},
    "processes": procs,
    "sessions": [{"user": u.name, "tty": u.terminal or "", "remote_host": u.host,
                  "login_time": iso(u.started), "pid": u.pid} for u in psutil.users()],
}
print(json.dumps(report))
