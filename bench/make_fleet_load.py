#!/usr/bin/env python3
"""Builds the realistic fleet load of the storage benchmarks: STATES report bodies, each the
next state of one server whose process list changes as a real one does, for the wrk script
(bench/fleet.lua) or bench/fleet_replay.py to cycle through for many hosts.

Usage: make_fleet_load.py AGENT STATES OUT.jsonl [--processes 300] [--seed 1]

- The base is the real agent's report of this machine, its process list extended to
  --processes with the daemons, workers and kernel threads of a busy server.
- From one state to the next about 10 process entries change: 5 short-lived processes end and
  5 start (cron jobs, ssh logins, workers, health checks), with new pids and start times. The
  transient processes come from a ring, so the states form a cycle: the last state leads into
  the first with the same amount of change.
- Every volatile value changes in every state: each process's cpu_seconds grows, its rss_bytes
  moves by whole pages, some states flip between S, R and D; cpu.mhz moves too.
- Now and then a session opens or closes.

Each output line is one body with the placeholders @REPORT_ID@, @COLLECTED_AT@, @HOSTNAME@ and
@IP@, which the load generators fill per request.
"""
import argparse
import json
import random
import subprocess

DAEMONS = [
    ("nginx", "www-data", 33, "nginx: worker process"),
    ("php-fpm8.2", "www-data", 33, "php-fpm: pool www"),
    ("postgres", "postgres", 112, "postgres: 15/main: app appdb 10.0.3.7(51532) idle"),
    ("java", "app", 1001, "/usr/lib/jvm/java-17-openjdk-amd64/bin/java -Xmx2g -jar /opt/app/app.jar --spring.profiles.active=prod"),
    ("node", "app", 1001, "node /srv/api/dist/server.js --port 3000"),
    ("gunicorn", "app", 1001, "/srv/venv/bin/python3 /srv/venv/bin/gunicorn -w 8 -b 127.0.0.1:8000 app.wsgi"),
    ("redis-server", "redis", 109, "/usr/bin/redis-server 127.0.0.1:6379"),
    ("dockerd", "root", 0, "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock"),
    ("containerd-shim", "root", 0, "/usr/bin/containerd-shim-runc-v2 -namespace moby -id 3f1c6a526a0e4e8a9d3b1f2a0c9b7e41 -address /run/containerd/containerd.sock"),
    ("kworker/1:2-events", "root", 0, "[kworker/1:2-events]"),
    ("ksoftirqd/1", "root", 0, "[ksoftirqd/1]"),
    ("rsyslogd", "root", 0, "/usr/sbin/rsyslogd -n -iNONE"),
    ("chronyd", "_chrony", 107, "/usr/sbin/chronyd -F 1"),
    ("auditd", "root", 0, "/sbin/auditd"),
    ("fluent-bit", "root", 0, "/opt/fluent-bit/bin/fluent-bit -c /etc/fluent-bit/fluent-bit.conf"),
]

TRANSIENTS = [
    ("sshd", "root", 0, "sshd: deploy [priv]"),
    ("sshd", "deploy", 1002, "sshd: deploy@pts/1"),
    ("bash", "deploy", 1002, "-bash"),
    ("cron", "root", 0, "/usr/sbin/CRON -f -P"),
    ("sh", "root", 0, "/bin/sh -c /usr/local/bin/backup.sh --target s3://backups/db"),
    ("backup.sh", "root", 0, "/bin/bash /usr/local/bin/backup.sh --target s3://backups/db"),
    ("curl", "app", 1001, "curl -fsS http://127.0.0.1:8000/healthz"),
    ("php-fpm8.2", "www-data", 33, "php-fpm: pool www"),
    ("postgres", "postgres", 112, "postgres: 15/main: app appdb 10.0.3.9(40112) SELECT"),
    ("python3", "app", 1001, "/srv/venv/bin/python3 manage.py clearsessions"),
    ("logrotate", "root", 0, "/usr/sbin/logrotate /etc/logrotate.conf"),
    ("apt-get", "root", 0, "apt-get -qq update"),
]

SESSION_POOL = [
    {"user": "deploy", "tty": "pts/1", "remote_host": "10.0.9.15"},
    {"user": "alice", "tty": "pts/2", "remote_host": "192.168.1.10"},
    {"user": "root", "tty": "tty1", "remote_host": ""},
]


def iso(seconds):
    import datetime
    t = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("agent")
    ap.add_argument("states", type=int)
    ap.add_argument("out")
    ap.add_argument("--processes", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    report = json.loads(subprocess.run([args.agent, "collect"], check=True,
                                       capture_output=True).stdout)
    boot = 1_764_000_000  # a fixed boot time: the states must not depend on today's date
    transient_slots = 10  # present in each state; 5 leave and 5 arrive per step
    permanent = []
    for p in report["processes"][: args.processes - transient_slots]:
        q = {k: p[k] for k in ("pid", "ppid", "name", "user", "uid", "state", "command")
             if k in p}
        permanent.append(q)
    next_pid = 2000
    while len(permanent) < args.processes - transient_slots:
        name, user, uid, command = DAEMONS[len(permanent) % len(DAEMONS)]
        permanent.append({"pid": next_pid, "ppid": 1, "name": name, "user": user, "uid": uid,
                          "state": "S", "command": command})
        next_pid += rng.randint(1, 40)
    for p in permanent:
        p["started_at"] = iso(boot + rng.randint(0, 3600))
        p["rss_bytes"] = rng.randint(200, 60000) * 4096
        p["cpu_seconds"] = round(rng.uniform(0, 500), 2)

    # The ring of transient processes: 5 per step, each present in two consecutive states.
    ring_size = 5 * args.states
    ring = []
    pid = 40000
    for i in range(ring_size):
        name, user, uid, command = TRANSIENTS[i % len(TRANSIENTS)]
        pid += rng.randint(3, 60)
        ring.append({"pid": pid, "ppid": rng.choice([1, 812, 1204]), "name": name, "user": user,
                     "uid": uid, "state": "S", "command": command,
                     "started_at": iso(boot + 7200 + i * 60 + rng.randint(0, 59)),
                     "rss_bytes": rng.randint(100, 3000) * 4096,
                     "cpu_seconds": round(rng.uniform(0, 2), 2)})

    sessions = [dict(SESSION_POOL[2], login_time=iso(boot + 30), pid=700)]
    with open(args.out, "w") as out:
        for state in range(args.states):
            for p in permanent:
                p["cpu_seconds"] = round(p["cpu_seconds"] + rng.choice([0.01, 0.02, 0.05, 0.3]), 2)
                p["rss_bytes"] = max(4096, p["rss_bytes"] + rng.randint(-64, 64) * 4096)
                if p["command"].startswith("["):
                    p["state"] = "I"
                else:
                    p["state"] = rng.choices(["S", "R", "D"], [90, 8, 2])[0]
            transients = [ring[(5 * state + k) % ring_size] for k in range(transient_slots)]
            for p in transients:
                p["cpu_seconds"] = round(p["cpu_seconds"] + 0.01, 2)
                p["rss_bytes"] += 4096
            if state % 20 == 10:  # a login now and then, closed 10 states later
                s = dict(SESSION_POOL[state // 20 % 2], login_time=iso(boot + 9000 + state * 60),
                         pid=50000 + state)
                sessions.append(s)
            elif state % 20 == 0 and len(sessions) > 1:
                sessions.pop()
            body = dict(report)
            body["report_id"] = "@REPORT_ID@"
            body["collected_at"] = "@COLLECTED_AT@"
            body["host"] = dict(report["host"], hostname="@HOSTNAME@", ip="@IP@")
            body["host"]["boot_time"] = iso(boot)
            body["cpu"] = dict(report["cpu"], mhz=round(2400 + rng.uniform(-200, 200), 3))
            body["agent"] = {"version": report["agent"]["version"],
                             "collect_ms": round(rng.uniform(8, 14), 3)}
            body["processes"] = sorted(permanent + transients, key=lambda p: p["pid"])
            body["sessions"] = sessions
            out.write(json.dumps(body, separators=(",", ":")) + "\n")
    print(f"{args.out}: {args.states} states of {args.processes} processes")


if __name__ == "__main__":
    main()
