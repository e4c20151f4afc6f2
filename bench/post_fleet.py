#!/usr/bin/env python3
"""Posts a fleet's history to a vigia-server: HOSTS hosts, REPORTS reports each, INTERVAL
seconds of collected_at apart, starting at START (epoch seconds), from the states of
bench/make_fleet_load.py (host h's n-th report is state (7h + n) mod len(states)). The reports
go out in time order across the fleet, over a few keep-alive connections.

Usage: post_fleet.py URL STATES.jsonl HOSTS REPORTS INTERVAL START [THREADS]
Prints the number stored and the seconds it took.
"""
import http.client
import sys
import threading
import time
import urllib.parse
import uuid


def main():
    url, states_path = sys.argv[1], sys.argv[2]
    hosts, reports, interval, start = (int(v) for v in sys.argv[3:7])
    threads = int(sys.argv[7]) if len(sys.argv) > 7 else 4
    states = open(states_path).read().splitlines()
    target = urllib.parse.urlparse(url)
    jobs = [(n, h) for n in range(reports) for h in range(hosts)]
    lock = threading.Lock()
    stored = [0]
    failed = []

    def work(k):
        conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        for n, h in jobs[k::threads]:
            at = start + n * interval + h * interval // hosts
            collected = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(at))
            ip = f"10.{100 + h // 65536}.{h // 256 % 256}.{h % 256}"
            body = (states[(7 * h + n) % len(states)]
                    .replace("@REPORT_ID@", str(uuid.uuid4()), 1)
                    .replace("@COLLECTED_AT@", collected, 1)
                    .replace("@HOSTNAME@", f"host-{h:05d}", 1)
                    .replace("@IP@", ip, 1))
            conn.request("POST", "/api/v1/reports", body.encode(),
                         {"Content-Type": "application/json"})
            reply = conn.getresponse()
            reply.read()
            with lock:
                if reply.status == 201:
                    stored[0] += 1
                else:
                    failed.append(reply.status)
        conn.close()

    began = time.time()
    pool = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    print(f"{stored[0]} stored in {time.time() - began:.1f} s"
          + (f"; {len(failed)} refused: {sorted(set(failed))}" if failed else ""))


if __name__ == "__main__":
    main()
