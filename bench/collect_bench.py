#!/usr/bin/env python3
"""Benchmark of a whole `vigia-agent collect` against the same information obtained with the
usual commands (ps, who, lscpu, cat /etc/os-release) and with a Python psutil collector.

Each run is a fresh process; wall time is measured around fork/exec/wait, CPU time and peak
RSS come from wait4() (the child and every descendant it waited for). The three commands are
interleaved round by round so machine noise hits all alike.

Usage: bench/collect_bench.py AGENT [ROUNDS] [--scale]
  --scale  also start 225/500/1000/2000 sleeping children and measure again."""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_once(argv):
    """Runs argv under GNU time: a child forked from Python would inherit Python's resident
    pages until exec, and the kernel counts those in the child's peak RSS; /usr/bin/time is a
    small C program, so its child starts small. Wall time is taken here, around everything."""
    start = time.perf_counter()
    child = subprocess.Popen(["/usr/bin/time", "-f", "%M", *argv], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    err = child.stderr.read()
    # wait4 gives CPU time in microseconds (GNU time prints hundredths of a second), for the
    # command and everything it ran; GNU time's own share is a fraction of a millisecond.
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{argv} failed: {err}")
    max_kib = int(err.strip().splitlines()[-1])
    return wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000, max_kib / 1024


def measure(commands, rounds):
    results = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            results[name].append(run_once(argv))
    return results


def summary(samples):
    walls = sorted(s[0] for s in samples)
    return {"wall_p50": statistics.median(walls), "wall_p90": walls[int(len(walls) * 0.9) - 1],
            "cpu_p50": statistics.median(s[1] for s in samples), "rss_max": max(s[2] for s in samples)}


def process_count():
    return sum(1 for d in os.listdir("/proc") if d.isdigit())


def table(commands, rounds):
    results = measure(commands, rounds)
    stats = {name: summary(s) for name, s in results.items()}
    base = stats["vigia-agent collect"]["wall_p50"]
    print(f"\n{process_count()} processes on the machine, {rounds} rounds\n")
    print("| collector | wall p50 (ms) | wall p90 (ms) | CPU p50 (ms) | peak RSS (MiB) | vigia is … faster |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, s in stats.items():
        ratio = "—" if name == "vigia-agent collect" else f"{s['wall_p50'] / base:.1f}×"
        print(f"| {name} | {s['wall_p50']:.2f} | {s['wall_p90']:.2f} | {s['cpu_p50']:.2f} | {s['rss_max']:.1f} | {ratio} |")
    return stats


def main():
    agent = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 50
    commands = {
        "vigia-agent collect": [agent, "collect"],
        "ps + who + lscpu + cat": ["sh", "-c", "ps -eo pid,ppid,user,comm,args; who; lscpu; cat /etc/os-release"],
        "python3 psutil": ["/usr/bin/python3", os.path.join(ROOT, "bench", "psutil_collect.py")],
    }
    table(commands, rounds)

    stripped = "/tmp/vigia-agent.stripped"
    subprocess.run(["strip", "-o", stripped, agent], check=True)
    print(f"\nagent binary: {os.path.getsize(agent) / 1024:.0f} KiB, stripped {os.path.getsize(stripped) / 1024:.0f} KiB")

    if "--scale" in sys.argv:
        print("\nScaling with the number of processes (sleeping children added):")
        print("\n| extra processes | processes | vigia wall p50 (ms) | vigia CPU p50 (ms) | vigia RSS (MiB) | ps+… wall p50 (ms) | ratio |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        children = []
        try:
            for target in (0, 225, 500, 1000, 2000):
                while len(children) < target:
                    children.append(subprocess.Popen(["sleep", "600"]))
                subset = {k: commands[k] for k in ("vigia-agent collect", "ps + who + lscpu + cat")}
                stats = {n: summary(s) for n, s in measure(subset, 20).items()}
                v, c = stats["vigia-agent collect"], stats["ps + who + lscpu + cat"]
                print(f"| {target} | {process_count()} | {v['wall_p50']:.2f} | {v['cpu_p50']:.2f} | {v['rss_max']:.1f} "
                      f"| {c['wall_p50']:.2f} | {c['wall_p50'] / v['wall_p50']:.1f}× |")
        finally:
            for child in children:
                child.kill()
            for child in children:
                child.wait()


if __name__ == "__main__":
    main()
